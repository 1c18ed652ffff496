//! Templates and pages: loads the theme's tera templates (a site's own `templates/`
//! override any of them), builds each page's context from the model, and renders every
//! page in parallel into output files.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

pub mod charts;

use crate::site::theme;

pub mod plan;

use crate::base::diagnostics::Diagnostic;
use crate::base::source::Pos;
use crate::base::text::keep_digit_groups;
use crate::input::taxonomy::{Kind, TermId};
use crate::markup::markdown::{Heading, Highlighter, Rendered, reading_minutes, summarise};
use crate::model::compendium::{self, Compendium, Pdfs};
use crate::model::{Case, CaseKind, Index, Page, Site, TitleState};
use crate::site::labels;
use crate::site::urls::{self, *};
pub use plan::{Around, Listing, Planned, Shows, Spec, plan, year_range};

/// The parsed templates of a site.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// Loads the theme named in `site.yaml` (from `themes/<name>/` in the site, or the built-in
    /// default), then the site's own `templates/` over it.
    pub fn load(root: &Path, theme: &str) -> Result<Templates, Vec<Diagnostic>> {
        let sources = theme::template_sources(root, theme)?;
        let mut tera = Tera::default();
        tera.autoescape_on([".html", ".xml"]);
        let named: Vec<(&str, &str)> = sources
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str()))
            .collect();
        if let Err(err) = tera.add_raw_templates(named) {
            let d = Diagnostic::error(
                "template",
                "templates",
                Pos::START,
                format!("模板有错误：{err}"),
            )
            .help("检查模板语法（tera 2）；出错的模板名见上文");
            return Err(vec![d]);
        }
        Ok(Templates { tera })
    }

    fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(name, context).map_err(|err| {
            Diagnostic::error(
                "template",
                name,
                Pos::START,
                format!("渲染模板 {name} 失败：{err}"),
            )
            .help("检查模板中用到的变量名和过滤器；可用变量见 README 的“模板”一节")
        })
    }
}

/// What every template sees as `site`.
#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    base_path: String,
    language: &'a str,
    publisher: Option<&'a str>,
    footer: Option<&'a str>,
    nav: Vec<Link>,
    kinds: Vec<KindLink>,
    /// Whether the site has the search box and the case library `/cases/`.
    search: bool,
}

/// A compendium as a link: its print page, and its PDF when this build makes it.
#[derive(Serialize, Clone)]
struct CompendiumLink {
    title: String,
    subtitle: Option<String>,
    url: String,
    pdf: Option<String>,
    count: usize,
}

#[derive(Serialize, Clone, PartialEq)]
struct Link {
    title: String,
    url: String,
}

/// A kind of cases, linked to its listing.
#[derive(Serialize)]
struct KindLink {
    key: &'static str,
    label: &'static str,
    short_label: &'static str,
    url: String,
}

/// A kind with its count of listed cases.
#[derive(Serialize)]
struct KindContext {
    #[serde(flatten)]
    link: KindLink,
    count: usize,
}

/// A vocabulary value a case carries, linked to its term page, with its parent: no
/// count, so a case's page does not change when another case joins the term.
#[derive(Serialize)]
struct TermRef {
    name: String,
    url: String,
    parent: Option<Link>,
}

fn term_ref(site: &Site, kind: Kind, id: TermId) -> TermRef {
    let taxonomy = site.taxonomies.get(kind);
    TermRef {
        name: taxonomy.term(id).name.clone(),
        url: term_url(site, kind, id),
        parent: taxonomy.term(id).parent.map(|p| Link {
            title: taxonomy.term(p).name.clone(),
            url: term_url(site, kind, p),
        }),
    }
}

/// A vocabulary value on a page, linked to its term page.
#[derive(Serialize)]
struct TermLink {
    name: String,
    url: String,
    /// Listed cases carrying it (with its sub-terms).
    count: usize,
    parent: Option<Link>,
    children: Vec<TermLink>,
}

/// A case as a card in lists.
#[derive(Serialize, PartialEq, Clone)]
pub struct Card {
    url: String,
    title: String,
    unit: String,
    kind: CaseKind,
    kind_label: &'static str,
    kind_url: String,
    region: Link,
    city: Option<String>,
    industry: Option<Link>,
    category: Option<Link>,
    level: Option<Link>,
    year: i32,
    year_url: String,
    status: &'static str,
    state: TitleState,
    badge: String,
    summary: String,
    first_metric: Option<crate::input::content::Metric>,
    cover: Option<String>,
}

/// A card in a list, as templates see it: the card's fields and `html`, the card as
/// `partials/card.html` shows it. `html` is a marker ([`card_marker`]) that the build
/// replaces, after the page's rewrite, with the card's HTML made once for every page
/// that lists it.
#[derive(Serialize)]
struct ListedCard<'a> {
    #[serde(flatten)]
    card: &'a Card,
    html: String,
}

/// How the marker of a card in a rendered page starts: an HTML comment, which the
/// rewrite keeps as it is.
pub const CARD_MARKER: &str = "<!--anli:card:";

/// The marker of a card by its fingerprint `print`, which is the same while the card
/// is: 16 hexadecimal digits.
pub fn card_marker(print: u64) -> String {
    format!("{CARD_MARKER}{print:016x}-->")
}

/// `card` as a list in a template shows it, `print` its fingerprint: converted once
/// for the dozen pages that list it.
pub fn listed_card(card: &Card, print: u64) -> tera::Value {
    let html = card_marker(print);
    tera::Value::from_serializable(&ListedCard { card, html })
}

/// A whole case page.
#[derive(Serialize)]
struct CaseContext<'a> {
    card: &'a Card,
    cities: &'a [String],
    recommender: Option<&'a str>,
    scenarios: Vec<TermRef>,
    technologies: Vec<TermRef>,
    approved: Option<String>,
    build_end: Option<String>,
    valid_until: Option<String>,
    /// Date of the latest passing 复评.
    last_review: Option<String>,
    reviews: Vec<ReviewContext>,
    metrics: Vec<crate::input::content::Metric>,
    reading_minutes: usize,
    /// First and last commit of the case file, with `git_info: true`.
    published: Option<String>,
    updated: Option<String>,
    body: &'a str,
    toc: &'a [Heading],
    related: tera::Value,
    /// For a zone: the factories and scenarios in its cities or region (a page's worth).
    members: tera::Value,
    members_total: usize,
    /// Pagefind filters of the page, `(key, values)` (see `search`).
    filters: Vec<labels::Filter>,
}

#[derive(Serialize)]
struct ReviewContext {
    date: String,
    result: &'static str,
    note: Option<String>,
}

#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    body: &'a str,
    toc: &'a [Heading],
}

/// Links between the pages of a paginated listing.
#[derive(Serialize)]
struct Pager {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PageNumber>,
}

#[derive(Serialize)]
struct PageNumber {
    number: usize,
    url: String,
    current: bool,
    /// Whether pages are left out before this one (the pager shows an ellipsis).
    gap_before: bool,
}

/// Pages a pager links on either side of the current one, besides the first and last.
const PAGER_WINDOW: usize = 2;

/// The page numbers a pager on page `current` of `total` links: the first, the last
/// and those near the current one, so a listing of hundreds of pages links a handful.
fn pager_numbers(current: usize, total: usize) -> Vec<usize> {
    let near = current.saturating_sub(PAGER_WINDOW).max(1)..=(current + PAGER_WINDOW).min(total);
    let mut numbers: Vec<usize> = [1, total].into_iter().chain(near).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// What every page is built from: the site, its `site` context and a card per case.
struct Shared<'a> {
    site: &'a Site,
    context: SiteContext<'a>,
    /// `context` as templates see it, converted once for every page.
    context_value: tera::Value,
    /// Every compendium as a link, with its count.
    compendia: Vec<CompendiumLink>,
    cards: &'a [Card],
    listed: &'a [tera::Value],
    index: &'a Index,
    pdfs: &'a Pdfs,
}

impl Shared<'_> {
    /// The compendia `keep` accepts, as links.
    fn compendia(&self, keep: impl Fn(&Compendium) -> bool) -> Vec<&CompendiumLink> {
        self.site
            .compendia
            .iter()
            .zip(&self.compendia)
            .filter(|(c, _)| keep(c))
            .map(|(_, link)| link)
            .collect()
    }

    /// The cards `indexes` as a list in a page's context.
    fn cards(&self, indexes: &[usize]) -> tera::Value {
        tera::Value::from(
            indexes
                .iter()
                .map(|&i| self.listed[i].clone())
                .collect::<Vec<_>>(),
        )
    }

    /// Page `page` (from 0) of a listing: its cards and pager.
    fn listing_page(&self, of: Listing, page: usize, cards: &[usize], context: &mut Context) {
        let url = of.url(self.site);
        let total = page_count(of.cases(self.index).len(), page_size(self.site));
        let n = page + 1;
        let page_url = |n: usize| listing_page_url(&url, n);
        let pager = Pager {
            current: n,
            total,
            prev: (n > 1).then(|| page_url(n - 1)),
            next: (n < total).then(|| page_url(n + 1)),
            pages: pager_numbers(n, total)
                .into_iter()
                .scan(0, |shown, k| {
                    let gap_before = k > *shown + 1;
                    *shown = k;
                    Some(PageNumber {
                        number: k,
                        url: page_url(k),
                        current: k == n,
                        gap_before,
                    })
                })
                .collect(),
        };
        context.insert_value("cases", self.cards(cards));
        context.insert("pager", &pager);
        if self.site.config.search && of != Listing::All {
            context.insert("narrow", &narrow(self.site, of));
        }
        match of {
            Listing::Kind(kind) => {
                context.insert("kind", &kind_context(self.index, kind));
                context.insert("compendia", &self.compendia(|c| c.selects_kind(kind)));
            }
            Listing::Term(kind, id) => {
                context.insert("taxonomy", &vocabulary_heading(kind));
                context.insert("term", &term_link(self, kind, id));
                context.insert("compendia", &self.compendia(|c| c.selects_term(kind, id)));
            }
            Listing::Year(year) => {
                context.insert("taxonomy", &years_heading());
                context.insert("term", &year_link(self.index, year));
                context.insert("compendia", &self.compendia(|c| c.selects_year(year)));
            }
            Listing::All => {
                let all = KindContext {
                    link: KindLink {
                        key: "all",
                        label: "全部案例",
                        short_label: "全部",
                        url: LIBRARY_URL.to_string(),
                    },
                    count: self.index.listed().len(),
                };
                context.insert("kind", &all);
                context.insert("compendia", &self.compendia(|_| false));
            }
        }
    }
}

/// What the pages of a site are made from, besides the templates.
pub struct Inputs<'a> {
    pub site: &'a Site,
    pub index: &'a Index,
    /// `cards[i]`, `listed[i]` and `bodies[i]` belong to `site.cases[i]`.
    pub cards: &'a [Card],
    /// The cards as lists show them ([`listed_card`]).
    pub listed: &'a [tera::Value],
    pub bodies: &'a [Rendered],
    pub page_bodies: &'a [Rendered],
    pub pdfs: &'a Pdfs,
}

/// The compact filter row of a listing page: kind, category and region to choose, the
/// page's own filter kept, sent to the case library; and a link to the library with
/// the page's filter set.
#[derive(Serialize)]
struct Narrow {
    library: String,
    /// Filters of the page that no select offers (a technology, a year, …).
    fixed: Vec<Fixed>,
    selects: Vec<Select>,
}

#[derive(Serialize)]
struct Fixed {
    key: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Select {
    key: &'static str,
    label: &'static str,
    options: Vec<Choice>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    selected: bool,
}

fn narrow(site: &Site, of: Listing) -> Narrow {
    let (key, value) = match of {
        Listing::Kind(kind) => ("kind", kind.short_label().to_string()),
        Listing::Term(kind, id) => labels::term_filter(site, kind, id),
        Listing::Year(year) => ("year", year.to_string()),
        Listing::All => ("", String::new()),
    };
    let t = &site.taxonomies;
    let names = |taxonomy: &crate::input::taxonomy::Taxonomy| {
        taxonomy
            .terms
            .iter()
            .filter(|term| term.parent.is_none())
            .map(|term| term.name.clone())
            .collect::<Vec<_>>()
    };
    let choices = [
        (
            "kind",
            "类别",
            CaseKind::ALL
                .iter()
                .map(|k| k.short_label().to_string())
                .collect(),
        ),
        ("category", "行业", names(&t.industries)),
        ("region", "地区", names(&t.regions)),
    ];
    let selects: Vec<Select> = choices
        .into_iter()
        .map(
            |(k, label, values): (&'static str, &'static str, Vec<String>)| Select {
                key: k,
                label,
                options: values
                    .into_iter()
                    .map(|v| Choice {
                        selected: k == key && v == value,
                        value: v,
                    })
                    .collect(),
            },
        )
        .collect();
    let offered = selects.iter().any(|s| s.key == key);
    Narrow {
        library: urls::library_url(&[(key, &value)]),
        fixed: if offered {
            Vec::new()
        } else {
            vec![Fixed { key, value }]
        },
        selects,
    }
}

/// What rendering any page needs.
pub struct Renderer<'a> {
    shared: Shared<'a>,
    templates: &'a Templates,
    bodies: &'a [Rendered],
    page_bodies: &'a [Rendered],
}

impl<'a> Renderer<'a> {
    pub fn new(inputs: &Inputs<'a>, templates: &'a Templates) -> Renderer<'a> {
        let context = site_context(inputs.site);
        let shared = Shared {
            site: inputs.site,
            context_value: tera::Value::from_serializable(&context),
            context,
            compendia: compendium_links(inputs.site, inputs.pdfs),
            cards: inputs.cards,
            listed: inputs.listed,
            index: inputs.index,
            pdfs: inputs.pdfs,
        };
        Renderer {
            shared,
            templates,
            bodies: inputs.bodies,
            page_bodies: inputs.page_bodies,
        }
    }

    /// What every page shows, as its template sees it (`site`): a page whose other
    /// inputs are the same renders the same while this is.
    pub fn site_context_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.shared.context).unwrap_or_default()
    }

    /// Renders one page of the [`plan`]: its HTML.
    pub fn render(&self, page: &Planned) -> Result<String, Diagnostic> {
        let shared = &self.shared;
        let mut context = Context::new();
        let template = match page.spec {
            Spec::Home => {
                home(shared, &page.shows.cards, &mut context);
                "index.html"
            }
            Spec::Listing { of, page: n } => {
                shared.listing_page(of, n, &page.shows.cards, &mut context);
                match of {
                    Listing::Kind(_) | Listing::All => "list.html",
                    Listing::Term(..) | Listing::Year(_) => "term.html",
                }
            }
            Spec::Vocabulary(kind) => {
                let taxonomy = shared.site.taxonomies.get(kind);
                let roots: Vec<TermLink> = (0..taxonomy.terms.len())
                    .filter(|&id| taxonomy.term(id).parent.is_none())
                    .map(|id| term_link(shared, kind, id))
                    .collect();
                context.insert("taxonomy", &vocabulary_heading(kind));
                context.insert("terms", &roots);
                "taxonomy.html"
            }
            Spec::Years => {
                let years: Vec<TermLink> = year_range(shared.site)
                    .rev()
                    .map(|y| year_link(shared.index, y))
                    .collect();
                context.insert("taxonomy", &years_heading());
                context.insert("terms", &years);
                "taxonomy.html"
            }
            Spec::Case(i) => {
                context.insert("case", &case_context(shared, i, &self.bodies[i]));
                "case.html"
            }
            Spec::Page(j) => {
                let page = &shared.site.pages[j];
                context.insert("page", &page_context(page, &self.page_bodies[j]));
                "page.html"
            }
            Spec::Print(c) => {
                let book = &shared.site.compendia[c];
                let print = print_book(shared, book, self.bodies, self.page_bodies);
                context.insert("book", &print);
                "compendium.html"
            }
            Spec::Library => {
                // Without JavaScript, the first page of every case and the pager.
                shared.listing_page(Listing::All, 0, &page.shows.cards, &mut context);
                context.insert("facets", &facets(shared));
                context.insert("total", &shared.index.listed().len());
                "cases.html"
            }
            Spec::NotFound => "404.html",
        };
        context.insert_value("site", shared.context_value.clone());
        self.templates.render(template, &context)
    }

    /// Card `i` as `partials/card.html` shows it.
    pub fn card(&self, i: usize) -> Result<String, Diagnostic> {
        let mut context = Context::new();
        context.insert_value("site", self.shared.context_value.clone());
        card_html(self.templates, context, &self.shared.cards[i])
    }
}

/// The heading of a vocabulary's pages, linking its index.
fn vocabulary_heading(kind: Kind) -> Link {
    Link {
        title: kind.label().to_string(),
        url: vocabulary_url(kind),
    }
}

fn years_heading() -> Link {
    Link {
        title: "批次年度".to_string(),
        url: YEARS_URL.to_string(),
    }
}

/// A term with its count, its parent and (one level of) its children, all linked.
fn term_link(shared: &Shared, kind: Kind, id: TermId) -> TermLink {
    let site = shared.site;
    let taxonomy = site.taxonomies.get(kind);
    let term = taxonomy.term(id);
    let count = |id: TermId| shared.index.with_term(kind, id).len();
    TermLink {
        name: term.name.clone(),
        url: term_url(site, kind, id),
        count: count(id),
        parent: term.parent.map(|p| Link {
            title: taxonomy.term(p).name.clone(),
            url: term_url(site, kind, p),
        }),
        children: term
            .children
            .iter()
            .map(|&c| TermLink {
                name: taxonomy.term(c).name.clone(),
                url: term_url(site, kind, c),
                count: count(c),
                parent: None,
                children: Vec::new(),
            })
            .collect(),
    }
}

fn year_link(index: &Index, year: i32) -> TermLink {
    TermLink {
        name: format!("{year}年"),
        url: year_url(year),
        count: index.of_year(year).len(),
        parent: None,
        children: Vec::new(),
    }
}

/// Every compendium as a link, with its count.
fn compendium_links(site: &Site, pdfs: &Pdfs) -> Vec<CompendiumLink> {
    site.compendia
        .iter()
        .map(|c| CompendiumLink {
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            url: format!("/{}/", urls::compendium_folder(&c.slug)),
            pdf: pdfs
                .wants(&c.slug)
                .then(|| format!("/{}", urls::compendium_pdf(&c.slug))),
            count: c.case_count(),
        })
        .collect()
}

/// What every page shows: nothing that changes when a case is edited, added or
/// removed (no count), so such an edit renders only the pages that show the case.
fn site_context(site: &Site) -> SiteContext<'_> {
    let config = &site.config;
    let default_nav = || {
        let library = config.search.then(|| Link {
            title: "案例库".to_string(),
            url: LIBRARY_URL.to_string(),
        });
        let mut nav: Vec<Link> = library.into_iter().collect();
        nav.extend(CaseKind::ALL.iter().map(|k| Link {
            title: k.short_label().to_string(),
            url: kind_url(*k),
        }));
        nav.extend(VOCABULARIES.iter().filter(|v| v.in_nav).map(|v| Link {
            title: v.kind.label().to_string(),
            url: vocabulary_url(v.kind),
        }));
        nav.extend(site.pages.iter().filter(|p| p.menu).map(|p| Link {
            title: p.title.clone(),
            url: page_url(&p.slug),
        }));
        nav
    };
    let nav = match &config.nav {
        Some(links) => links
            .iter()
            .map(|l| Link {
                title: l.title.clone(),
                url: l.url.clone(),
            })
            .collect(),
        None => default_nav(),
    };
    SiteContext {
        title: &config.title,
        description: &config.description,
        base_url: &config.base_url,
        language: &config.language,
        publisher: config.publisher.as_deref(),
        footer: config.footer.as_deref(),
        kinds: CaseKind::ALL.iter().map(|&k| kind_link(k)).collect(),
        nav,
        base_path: config.base_path(),
        search: config.search,
    }
}

fn kind_link(kind: CaseKind) -> KindLink {
    KindLink {
        key: kind.folder(),
        label: kind.label(),
        short_label: kind.short_label(),
        url: kind_url(kind),
    }
}

fn kind_context(index: &Index, kind: CaseKind) -> KindContext {
    KindContext {
        link: kind_link(kind),
        count: index.of_kind(kind).len(),
    }
}

impl Card {
    pub fn summary(&self) -> &str {
        &self.summary
    }
}

/// Each card as the theme's `partials/card.html` shows it (the same card as on every
/// listing page), for the case library's results.
pub fn cards_html(
    site: &Site,
    templates: &Templates,
    cards: &[Card],
) -> Result<Vec<String>, Diagnostic> {
    let mut shared = Context::new();
    shared.insert("site", &site_context(site));
    cards
        .par_iter()
        .map(|card| card_html(templates, shared.clone(), card))
        .collect()
}

/// `card` rendered by `partials/card.html` in `context` (which holds `site`).
fn card_html(
    templates: &Templates,
    mut context: Context,
    card: &Card,
) -> Result<String, Diagnostic> {
    context.insert("card", card);
    templates.render("partials/card.html", &context)
}

/// The cards of every case, in `site.cases` order; `bodies[i]` belongs to `site.cases[i]`.
pub fn cards(site: &Site, bodies: &[Rendered]) -> Vec<Card> {
    site.cases
        .par_iter()
        .zip(bodies)
        .map(|(c, b)| card(site, c, b))
        .collect()
}

pub fn card(site: &Site, case: &Case, body: &Rendered) -> Card {
    let t = &site.taxonomies;
    let link = |kind: Kind, id: TermId| Link {
        title: t.get(kind).term(id).name.clone(),
        url: term_url(site, kind, id),
    };
    let url = case_url(case);
    Card {
        title: case.title.clone(),
        unit: case.unit.clone(),
        kind: case.kind,
        kind_label: case.kind.short_label(),
        kind_url: kind_url(case.kind),
        region: link(Kind::Region, case.region),
        city: case.city.clone(),
        industry: case.industry.map(|i| link(Kind::Industry, i)),
        category: site
            .category(case)
            .filter(|&c| Some(c) != case.industry)
            .map(|c| link(Kind::Industry, c)),
        level: case.level.map(|l| link(Kind::Level, l)),
        year: case.year,
        year_url: year_url(case.year),
        status: case.status.label(),
        state: case.lifecycle.state,
        badge: labels::badge(case),
        summary: keep_digit_groups(&summary(site, case, body)).into_owned(),
        first_metric: shown_metrics(&case.metrics[..case.metrics.len().min(1)]).pop(),
        cover: case.cover.as_ref().map(|c| format!("{url}{}", c.value)),
        url,
    }
}

/// Key figures as pages show them: a number's digit groups kept on one line.
fn shown_metrics(metrics: &[crate::input::content::Metric]) -> Vec<crate::input::content::Metric> {
    metrics
        .iter()
        .map(|m| crate::input::content::Metric {
            value: keep_digit_groups(&m.value).into_owned(),
            ..m.clone()
        })
        .collect()
}

/// A case's summary: its own, or the start of its body.
pub fn summary(site: &Site, case: &Case, body: &Rendered) -> String {
    case.summary
        .clone()
        .unwrap_or_else(|| summarise(&body.text, site.config.summary_length))
}

/// The context of the page of `site.cases[index]`.
fn case_context<'a>(shared: &'a Shared, index: usize, body: &'a Rendered) -> CaseContext<'a> {
    let site = shared.site;
    let case = &site.cases[index];
    let date = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut reviews: Vec<ReviewContext> = case
        .reviews
        .iter()
        .map(|r| ReviewContext {
            date: date(r.date),
            result: if r.passed { "通过" } else { "未通过" },
            note: r.note.clone(),
        })
        .collect();
    reviews.sort_by(|a, b| a.date.cmp(&b.date));
    let terms =
        |kind: Kind, ids: &[TermId]| ids.iter().map(|&id| term_ref(site, kind, id)).collect();
    let around = Around::of(site, shared.index, index);
    CaseContext {
        card: &shared.cards[index],
        cities: &case.cities,
        recommender: case.recommender.as_deref(),
        scenarios: terms(Kind::Scenario, &case.scenarios),
        technologies: terms(Kind::Technology, &case.technologies),
        approved: case.approved.map(date),
        build_end: case.lifecycle.build_end.map(date),
        valid_until: case.lifecycle.valid_until.map(date),
        last_review: case.lifecycle.last_review_passed.map(date),
        reviews,
        metrics: shown_metrics(&case.metrics),
        reading_minutes: reading_minutes(&body.text),
        published: case.history.map(|h| date(h.first)),
        updated: case.history.map(|h| date(h.last)),
        body: &body.html,
        toc: &body.headings,
        related: shared.cards(&around.related),
        members: shared.cards(&around.members),
        members_total: around.members_total.unwrap_or(0),
        filters: labels::filters(site, case),
    }
}

fn page_context<'a>(page: &'a Page, body: &'a Rendered) -> PageContext<'a> {
    PageContext {
        title: &page.title,
        summary: page.summary.as_deref(),
        body: &body.html,
        toc: &body.headings,
    }
}

/// A filter value of the case library, linked to its static page for browsers
/// without JavaScript.
#[derive(Serialize)]
struct FacetValue {
    /// The Pagefind filter key (`region`, `industry`…).
    key: &'static str,
    name: String,
    /// Other words that name it in a query (a term's aliases, a kind's full name, `2023年`).
    aliases: Vec<String>,
    url: String,
    count: usize,
    children: Vec<FacetValue>,
}

/// One panel of filters of the case library.
#[derive(Serialize)]
struct Facet {
    label: &'static str,
    values: Vec<FacetValue>,
}

/// The panels of the case library in taxonomy order, each value with its count of listed
/// cases; values without cases are left out. Categories and scenario groups hold their
/// sub-terms, which filter on their own keys.
fn facets(shared: &Shared) -> Vec<Facet> {
    let site = shared.site;
    let terms = |kind: Kind, key: &'static str, child_key: &'static str| -> Vec<FacetValue> {
        let value = |id: TermId, key: &'static str, children| {
            let link = term_link(shared, kind, id);
            FacetValue {
                key,
                name: link.name,
                aliases: site.taxonomies.get(kind).term(id).aliases.clone(),
                url: link.url,
                count: link.count,
                children,
            }
        };
        let taxonomy = site.taxonomies.get(kind);
        (0..taxonomy.terms.len())
            .filter(|&id| taxonomy.term(id).parent.is_none())
            .map(|id| {
                let children = taxonomy.term(id).children.iter();
                let children = children.map(|&c| value(c, child_key, Vec::new()));
                value(id, key, children.filter(|c| c.count > 0).collect())
            })
            .filter(|v| v.count > 0)
            .collect()
    };
    let kinds = CaseKind::ALL.iter().map(|&k| {
        let kind = kind_context(shared.index, k);
        FacetValue {
            key: "kind",
            name: kind.link.short_label.to_string(),
            aliases: vec![k.label().to_string(), k.key().to_string()],
            url: kind.link.url,
            count: kind.count,
            children: Vec::new(),
        }
    });
    let years = year_range(site).rev().map(|y| {
        let link = year_link(shared.index, y);
        FacetValue {
            key: "year",
            name: y.to_string(),
            aliases: vec![format!("{y}年")],
            url: link.url,
            count: link.count,
            children: Vec::new(),
        }
    });
    let facet = |label, values: Vec<FacetValue>| Facet {
        label,
        values: values.into_iter().filter(|v| v.count > 0).collect(),
    };
    vec![
        facet("类别", kinds.collect()),
        facet("级别", terms(Kind::Level, "level", "level")),
        facet("行业", terms(Kind::Industry, "category", "industry")),
        facet("地区", terms(Kind::Region, "region", "region")),
        facet(
            "典型场景",
            terms(Kind::Scenario, "scenario_group", "scenario"),
        ),
        facet("技术", terms(Kind::Technology, "technology", "technology")),
        facet("批次年度", years.collect()),
    ]
}

/// The home page: counts, charts and the newest cases.
fn home(shared: &Shared, latest: &[usize], context: &mut Context) {
    let site = shared.site;
    let industries: Vec<TermLink> = (0..site.taxonomies.industries.terms.len())
        .filter(|&id| site.taxonomies.industries.term(id).parent.is_none())
        .map(|id| term_link(shared, Kind::Industry, id))
        .collect();
    let regions: Vec<TermLink> = (0..site.taxonomies.regions.terms.len())
        .map(|id| term_link(shared, Kind::Region, id))
        .collect();
    let years: Vec<TermLink> = year_range(site)
        .rev()
        .map(|year| year_link(shared.index, year))
        .collect();
    let charts = Charts {
        map: charts::tile_map(
            "chart-map",
            "各地区案例数",
            &regions
                .iter()
                .zip(&site.taxonomies.regions.terms)
                .map(|(link, term)| charts::Tile {
                    slug: term.slug.clone(),
                    name: link.name.clone(),
                    count: link.count,
                    url: Some(link.url.clone()),
                })
                .collect::<Vec<_>>(),
        ),
        industries: charts::bar_chart(
            "chart-industries",
            "各行业案例数",
            &industry_bars(&industries),
        ),
        years: charts::column_chart(
            "chart-years",
            "各批次年度案例数",
            &years
                .iter()
                .rev()
                .map(|y| charts::Bar {
                    label: y.name.trim_end_matches('年').to_string(),
                    value: y.count,
                    url: Some(y.url.clone()),
                    level: 0,
                })
                .collect::<Vec<_>>(),
        ),
    };
    let kinds: Vec<KindContext> = CaseKind::ALL
        .iter()
        .map(|&k| kind_context(shared.index, k))
        .collect();
    context.insert("kinds", &kinds);
    context.insert("total", &shared.index.listed().len());
    context.insert("compendia", &shared.compendia);
    context.insert_value("latest", shared.cards(latest));
    context.insert("industries", &industries);
    context.insert("years", &years);
    context.insert("charts", &charts);
}

#[derive(Serialize)]
struct Charts {
    map: String,
    industries: String,
    years: String,
}

/// Categories with their sub-industries below them, for the industry bar chart.
fn industry_bars(industries: &[TermLink]) -> Vec<charts::Bar> {
    let mut bars = Vec::new();
    for category in industries {
        bars.push(charts::Bar {
            label: category.name.clone(),
            value: category.count,
            url: Some(category.url.clone()),
            level: 0,
        });
        bars.extend(
            category
                .children
                .iter()
                .filter(|c| c.count > 0)
                .map(|c| charts::Bar {
                    label: c.name.clone(),
                    value: c.count,
                    url: Some(c.url.clone()),
                    level: 1,
                }),
        );
    }
    bars
}

/// The site's one stylesheet: the theme's, then the code-highlight classes.
pub fn stylesheet(theme_css: &[u8]) -> Vec<u8> {
    let mut css = theme_css.to_vec();
    css.extend_from_slice(b"\n/* Code highlighting (generated) */\n");
    css.extend_from_slice(Highlighter::css().as_bytes());
    css
}

/// A compendium's print page: the whole book as one HTML page for browser printing.
#[derive(Serialize)]
struct PrintBook<'a> {
    slug: &'a str,
    title: &'a str,
    subtitle: Option<&'a str>,
    organiser: Option<&'a str>,
    date: Option<&'a str>,
    cover: Option<String>,
    pdf: Option<String>,
    preface: Option<PrintPreface<'a>>,
    chapters: Vec<PrintChapter<'a>>,
    index: Vec<PrintRegion<'a>>,
}

#[derive(Serialize)]
struct PrintPreface<'a> {
    title: &'a str,
    body: String,
}

#[derive(Serialize)]
struct PrintChapter<'a> {
    /// 第一章, 第二章 …
    number: String,
    title: &'a str,
    anchor: String,
    /// A page of its own, or (few cases) a title above its first case.
    opener: bool,
    cases: Vec<PrintCase<'a>>,
}

#[derive(Serialize)]
struct PrintCase<'a> {
    anchor: String,
    card: &'a Card,
    facts: Vec<(&'static str, String)>,
    metrics: Vec<crate::input::content::Metric>,
    /// Whether any figure has a note (the 说明 column).
    notes: bool,
    body: String,
}

#[derive(Serialize)]
struct PrintRegion<'a> {
    name: &'a str,
    units: Vec<PrintUnit<'a>>,
}

#[derive(Serialize)]
struct PrintUnit<'a> {
    name: &'a str,
    /// Anchors of its cases on the page.
    cases: Vec<String>,
}

fn print_book<'a>(
    shared: &'a Shared,
    book: &'a Compendium,
    bodies: &[Rendered],
    page_bodies: &[Rendered],
) -> PrintBook<'a> {
    let site = shared.site;
    let anchor = |i: usize| {
        format!(
            "case-{}-{}",
            site.cases[i].kind.folder(),
            site.cases[i].slug
        )
    };
    let chapters = book
        .chapters
        .iter()
        .enumerate()
        .map(|(n, chapter)| PrintChapter {
            number: format!("第{}章", labels::chinese_number(n + 1)),
            title: &chapter.title,
            anchor: format!("chapter-{}", n + 1),
            opener: chapter.opener,
            cases: chapter
                .cases
                .iter()
                .map(|&i| {
                    let case = &site.cases[i];
                    let dir = case_dir(case);
                    PrintCase {
                        anchor: anchor(i),
                        card: &shared.cards[i],
                        facts: labels::case_facts(site, i),
                        metrics: shown_metrics(&case.metrics),
                        notes: case.metrics.iter().any(|m| m.note.is_some()),
                        body: crate::markup::rewrite::embed(
                            &bodies[i].html,
                            &dir,
                            &format!("{}-", anchor(i)),
                        ),
                    }
                })
                .collect(),
        })
        .collect();
    let preface = book.preface.map(|i| PrintPreface {
        title: &site.pages[i].title,
        body: crate::markup::rewrite::embed(&page_bodies[i].html, &site.pages[i].slug, "preface-"),
    });
    let index = compendium::units_by_region(site, book)
        .into_iter()
        .map(|(region, units)| PrintRegion {
            name: &site.taxonomies.regions.term(region).name,
            units: units
                .into_iter()
                .map(|(name, cases)| PrintUnit {
                    name,
                    cases: cases.into_iter().map(anchor).collect(),
                })
                .collect(),
        })
        .collect();
    PrintBook {
        slug: &book.slug,
        title: &book.title,
        subtitle: book.subtitle.as_deref(),
        organiser: book.organiser.as_deref(),
        date: book.date.as_deref(),
        cover: urls::cover_path(book).map(|p| format!("/{p}")),
        pdf: shared
            .pdfs
            .wants(&book.slug)
            .then(|| format!("/{}", urls::compendium_pdf(&book.slug))),
        preface,
        chapters,
        index,
    }
}

#[cfg(test)]
mod tests {
    /// Every fixed id in the default theme's templates is one that headings and raw HTML
    /// in a body may not take (`markdown::RESERVED_IDS` is written by hand).
    #[test]
    fn reserved_ids_cover_the_themes_own() {
        fn templates(dir: &include_dir::Dir<'static>, out: &mut Vec<&'static str>) {
            out.extend(dir.files().filter_map(|f| f.contents_utf8()));
            dir.dirs().for_each(|d| templates(d, out));
        }
        let mut texts = Vec::new();
        templates(
            crate::site::theme::DEFAULT_THEME
                .get_dir("templates")
                .unwrap(),
            &mut texts,
        );
        let ids: Vec<&str> = texts
            .iter()
            .flat_map(|t| t.split("id=\"").skip(1))
            .filter_map(|rest| rest.split('"').next())
            .filter(|id| !id.contains("{{"))
            .collect();
        assert!(ids.len() >= 10, "{ids:?}");
        for id in ids {
            assert!(
                crate::markup::markdown::RESERVED_IDS.contains(&id),
                "theme id “{id}” is not reserved"
            );
        }
    }
}
