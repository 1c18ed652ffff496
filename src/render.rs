//! Templates and pages: loads the theme's tera templates (a site's own `templates/`
//! override any of them), builds each page's context from the model, and renders every
//! page in parallel into output files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use include_dir::{Dir, include_dir};
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::charts;
use crate::compendium::{self, Compendium, Pdfs};
use crate::diagnostics::Diagnostic;
use crate::markdown::{Heading, Highlighter, Rendered, reading_minutes, summarise};
use crate::model::{Case, CaseKind, Index, Page, Site, TitleState};
use crate::output::OutputFile;
use crate::source::Pos;
use crate::taxonomy::{Kind, TermId};

/// The default theme, built into the binary so a site needs no theme folder of its own.
static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Number of newest cases on the home page.
const LATEST: usize = 8;

/// The parsed templates of a site.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// Loads the theme named in `site.yaml` (from `themes/<name>/` in the site, or the built-in
    /// default), then the site's own `templates/` over it.
    pub fn load(root: &Path, theme: &str) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        let theme_dir = root.join("themes").join(theme).join("templates");
        if theme_dir.is_dir() {
            read_templates(root, &theme_dir, &mut sources)?;
        } else if theme == "default" {
            for file in embedded_files(&DEFAULT_THEME, "templates") {
                let name = file.path().strip_prefix("templates").unwrap_or(file.path());
                let text = String::from_utf8_lossy(file.contents()).into_owned();
                sources.insert(
                    slash_path(name),
                    (format!("<内置主题>/{}", slash_path(file.path())), text),
                );
            }
        } else {
            let d = Diagnostic::error("missing-theme", crate::config::FILE_NAME, Pos::START, format!("找不到主题“{theme}”"))
                .help(format!("主题放在 themes/{theme}/templates/ 下；或在 site.yaml 中去掉 theme 以使用内置的 default 主题"));
            return Err(vec![d]);
        }
        let overrides = root.join("templates");
        if overrides.is_dir() {
            read_templates(root, &overrides, &mut sources)?;
        }
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

fn read_templates(
    root: &Path,
    dir: &Path,
    sources: &mut BTreeMap<String, (String, String)>,
) -> Result<(), Vec<Diagnostic>> {
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::content::relative(root, entry.path());
        let name = slash_path(entry.path().strip_prefix(dir).unwrap_or(entry.path()));
        let bytes = std::fs::read(entry.path()).map_err(|e| {
            vec![Diagnostic::error(
                "io",
                &rel,
                Pos::START,
                format!("无法读取模板：{e}"),
            )]
        })?;
        let file = crate::source::SourceFile::decode(rel.clone(), &bytes).map_err(|d| vec![d])?;
        sources.insert(name, (rel, file.text));
    }
    Ok(())
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file under `prefix` in an embedded folder, in a stable order.
fn embedded_files<'d>(dir: &'d Dir<'d>, prefix: &str) -> Vec<&'d include_dir::File<'d>> {
    fn walk<'d>(dir: &'d Dir<'d>, out: &mut Vec<&'d include_dir::File<'d>>) {
        out.extend(dir.files());
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut files = Vec::new();
    if let Some(sub) = dir.get_dir(prefix) {
        walk(sub, &mut files);
    }
    files.sort_by_key(|f| f.path());
    files
}

/// A text file of the built-in default theme, e.g. `archetypes/scenario.md`.
pub fn builtin_theme_file(path: &str) -> Option<String> {
    let bytes = builtin_theme_bytes(path)?;
    std::str::from_utf8(bytes).ok().map(str::to_string)
}

/// A file of the built-in default theme as bytes (its fonts, say).
pub fn builtin_theme_bytes(path: &str) -> Option<&'static [u8]> {
    DEFAULT_THEME.get_file(path).map(|f| f.contents())
}

/// The theme's static files (`static/` of the theme on disk, or the built-in default).
pub fn theme_static_files(root: &Path, theme: &str) -> Vec<OutputFile> {
    let dir = root.join("themes").join(theme).join("static");
    if dir.is_dir() {
        return crate::output::read_tree(&dir);
    }
    embedded_files(&DEFAULT_THEME, "static")
        .into_iter()
        .map(|f| OutputFile {
            path: slash_path(f.path().strip_prefix("static").unwrap_or(f.path())),
            contents: f.contents().to_vec(),
        })
        .collect()
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
    kinds: Vec<KindContext>,
    /// Cases in listings and counts.
    total: usize,
    /// Whether the site has the search box and the case library `/cases/`.
    search: bool,
    /// Every compendium, for the home page.
    compendia: Vec<CompendiumLink>,
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

#[derive(Serialize)]
struct KindContext {
    key: &'static str,
    label: &'static str,
    short_label: &'static str,
    url: String,
    count: usize,
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
#[derive(Serialize, PartialEq)]
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
    year: i32,
    year_url: String,
    status: &'static str,
    state: TitleState,
    badge: String,
    summary: String,
    first_metric: Option<crate::content::Metric>,
    cover: Option<String>,
}

/// A whole case page.
#[derive(Serialize)]
struct CaseContext<'a> {
    card: &'a Card,
    cities: &'a [String],
    recommender: Option<&'a str>,
    scenarios: Vec<TermLink>,
    technologies: Vec<TermLink>,
    approved: Option<String>,
    build_end: Option<String>,
    valid_until: Option<String>,
    /// Date of the latest passing 复评.
    last_review: Option<String>,
    reviews: Vec<ReviewContext>,
    metrics: &'a [crate::content::Metric],
    reading_minutes: usize,
    /// First and last commit of the case file, with `git_info: true`.
    published: Option<String>,
    updated: Option<String>,
    body: &'a str,
    toc: &'a [Heading],
    related: Vec<&'a Card>,
    /// For a zone: the factories and scenarios in its cities or region (a page's worth).
    members: Vec<&'a Card>,
    members_total: usize,
    /// Pagefind filters of the page, `(key, values)` (see `search`).
    filters: Vec<crate::search::Filter>,
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

/// One page to render. The site's context, and a case page's own, are added when the
/// page is rendered ([`Renderer::render`]): only the pages being rendered hold them.
pub struct Job {
    /// Output path, e.g. `regions/jiangsu/index.html`.
    path: String,
    template: &'static str,
    context: Context,
    /// The case whose page this is, as its index in `site.cases`.
    case: Option<usize>,
}

/// Cases related to a case page, at most.
pub(crate) const RELATED_LIMIT: usize = 6;

/// What an edit of some cases can change, for an incremental rebuild: their own pages
/// and those showing their cards, the pages of the listings (kinds, terms, years) where
/// their cards are or were, the compendia holding them, and the overview pages.
#[derive(Debug, Default)]
pub struct Affected {
    pub cases: BTreeSet<usize>,
    /// Whether home, the vocabulary and year indexes and the case library are made
    /// again: they show counts and the newest cards.
    pub overview: bool,
    /// Listing URL (`/regions/jiangsu/`) → the pages to render, counted from 0.
    pub listings: BTreeMap<String, std::ops::RangeInclusive<usize>>,
    /// Output files of listing pages that no longer exist (a listing lost a page).
    pub removed: BTreeSet<String>,
    pub compendia: BTreeSet<String>,
    /// Whether a case's data row changed, and so the data files.
    pub rows: bool,
}

/// Which pages a render makes.
#[derive(Clone, Copy)]
pub enum Pages<'a> {
    All,
    Affected(&'a Affected),
}

impl Pages<'_> {
    fn all(self) -> bool {
        matches!(self, Pages::All)
    }

    fn overview(self) -> bool {
        self.all() || matches!(self, Pages::Affected(a) if a.overview)
    }

    fn case(self, index: usize) -> bool {
        self.all() || matches!(self, Pages::Affected(a) if a.cases.contains(&index))
    }

    /// Whether any page of the listing at `url`, of `len` cards, is made.
    fn any_listing_page(self, site: &Site, url: &str, len: usize) -> bool {
        let made = self.listing_pages(url);
        (0..page_count(len, page_size(site))).any(|i| made(&i))
    }

    /// Whether a page (counted from 0) of the listing at `url` is made.
    fn listing_pages(self, url: &str) -> impl Fn(&usize) -> bool {
        let made = match self {
            Pages::All => Some(0..=usize::MAX),
            Pages::Affected(a) => a.listings.get(url).cloned(),
        };
        move |page| made.as_ref().is_some_and(|range| range.contains(page))
    }

    fn compendium(self, slug: &str) -> bool {
        self.all() || matches!(self, Pages::Affected(a) if a.compendia.contains(slug))
    }
}

/// What every page is built from: the site, its `site` context and a card per case.
struct Shared<'a> {
    site: &'a Site,
    context: SiteContext<'a>,
    cards: &'a [Card],
    index: &'a Index,
    pdfs: &'a Pdfs,
}

impl Shared<'_> {
    /// A job with an empty context of its own.
    fn job(&self, path: String, template: &'static str) -> Job {
        Job {
            path,
            template,
            context: Context::new(),
            case: None,
        }
    }

    /// The compendia `keep` accepts, as links.
    fn compendia(&self, keep: impl Fn(&Compendium) -> bool) -> Vec<&CompendiumLink> {
        self.site
            .compendia
            .iter()
            .zip(&self.context.compendia)
            .filter(|(c, _)| keep(c))
            .map(|(_, link)| link)
            .collect()
    }

    fn cards(&self, indexes: &[usize]) -> Vec<&Card> {
        indexes.iter().map(|&i| &self.cards[i]).collect()
    }

    /// The pages of a listing at `url`, each a job with `cases` and `pager` set.
    fn paginated(
        &self,
        url: &str,
        items: &[usize],
        template: &'static str,
        which: Pages,
    ) -> Vec<Job> {
        let size = page_size(self.site);
        let chunks: Vec<&[usize]> = if items.is_empty() {
            vec![&[]]
        } else {
            items.chunks(size).collect()
        };
        let total = chunks.len();
        let page_url = |n: usize| listing_page_url(url, n);
        let made = which.listing_pages(url);
        chunks
            .into_iter()
            .enumerate()
            .filter(|(i, _)| made(i))
            .map(|(i, chunk)| {
                let n = i + 1;
                let mut job = self.job(page_file(&page_url(n)), template);
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
                job.context.insert("cases", &self.cards(chunk));
                job.context.insert("pager", &pager);
                job
            })
            .collect()
    }
}

/// What rendering any page needs.
pub struct Renderer<'a> {
    shared: Shared<'a>,
    templates: &'a Templates,
    bodies: &'a [Rendered],
}

impl Renderer<'_> {
    /// Renders one page of [`plan`]: its path and HTML.
    pub fn render(&self, job: Job) -> Result<(String, String), Diagnostic> {
        let mut context = job.context;
        context.insert("site", &self.shared.context);
        if let Some(i) = job.case {
            context.insert("case", &case_context(&self.shared, i, &self.bodies[i]));
        }
        let html = self.templates.render(job.template, &context)?;
        Ok((job.path, html))
    }
}

/// The pages `pages` names of a loaded site, to render with the returned [`Renderer`].
pub fn plan<'a>(
    loaded: &'a crate::Loaded,
    templates: &'a Templates,
    pages: Pages,
) -> (Renderer<'a>, Vec<Job>) {
    let site = &loaded.site;
    let (bodies, page_bodies) = (&loaded.bodies, &loaded.page_bodies);
    let pdfs = &loaded.options.pdfs;
    let shared = Shared {
        site,
        pdfs,
        context: site_context(site, loaded.index(), pdfs),
        cards: loaded.cards(),
        index: loaded.index(),
    };
    let mut jobs = Vec::new();
    if pages.overview() {
        jobs.push(home(&shared));
    }
    for kind in CaseKind::ALL {
        let listed = shared.index.of_kind(kind);
        for mut job in shared.paginated(&kind_url(kind), listed, "list.html", pages) {
            job.context
                .insert("kind", &kind_context(shared.index, kind));
            job.context
                .insert("compendia", &shared.compendia(|c| c.selects_kind(kind)));
            jobs.push(job);
        }
    }
    for vocabulary in &VOCABULARIES {
        jobs.extend(vocabulary_pages(&shared, vocabulary, pages));
    }
    jobs.extend(year_pages(&shared, pages));
    for i in (0..site.cases.len()).filter(|&i| pages.case(i)) {
        let case = &site.cases[i];
        let mut job = shared.job(
            format!("{}/{}/index.html", case.kind.folder(), case.slug),
            "case.html",
        );
        job.case = Some(i);
        jobs.push(job);
    }
    for (page, body) in site.pages.iter().zip(page_bodies).filter(|_| pages.all()) {
        let mut job = shared.job(format!("{}/index.html", page.slug), "page.html");
        job.context.insert("page", &page_context(page, body));
        jobs.push(job);
    }
    jobs.extend(
        site.compendia
            .iter()
            .filter(|book| pages.compendium(&book.slug))
            .map(|book| print_page(&shared, book, bodies, page_bodies)),
    );
    if site.config.search && pages.overview() {
        let mut job = shared.job("cases/index.html".into(), "cases.html");
        job.context.insert("facets", &facets(&shared));
        jobs.push(job);
    }
    if pages.all() {
        jobs.push(shared.job("404.html".into(), "404.html"));
    }

    let renderer = Renderer {
        shared,
        templates,
        bodies,
    };
    (renderer, jobs)
}

/// A vocabulary with term pages, and the URL segment of those pages.
struct Vocabulary {
    kind: Kind,
    segment: &'static str,
}

const VOCABULARIES: [Vocabulary; 4] = [
    Vocabulary {
        kind: Kind::Region,
        segment: "regions",
    },
    Vocabulary {
        kind: Kind::Industry,
        segment: "industries",
    },
    Vocabulary {
        kind: Kind::Scenario,
        segment: "scenario-types",
    },
    Vocabulary {
        kind: Kind::Technology,
        segment: "technologies",
    },
];

fn segment(kind: Kind) -> &'static str {
    VOCABULARIES
        .iter()
        .find(|v| v.kind == kind)
        .map_or("", |v| v.segment)
}

/// Cards per listing page.
pub(crate) fn page_size(site: &Site) -> usize {
    site.config.page_size.max(1)
}

/// How many pages a listing of `len` cards has: one at least, empty if need be.
pub(crate) fn page_count(len: usize, page_size: usize) -> usize {
    len.div_ceil(page_size).max(1)
}

/// The URL of page `n` (from 1) of the listing at `url`.
fn listing_page_url(url: &str, n: usize) -> String {
    if n == 1 {
        url.to_string()
    } else {
        format!("{url}page/{n}/")
    }
}

/// The output file of the page at `url` (`/regions/` → `regions/index.html`).
fn page_file(url: &str) -> String {
    format!("{}index.html", url.trim_start_matches('/'))
}

/// The output file of page `n` (from 1) of the listing at `url`.
pub(crate) fn listing_page_file(url: &str, n: usize) -> String {
    page_file(&listing_page_url(url, n))
}

pub(crate) fn kind_url(kind: CaseKind) -> String {
    format!("/{}/", kind.folder())
}

pub(crate) fn year_url(year: i32) -> String {
    format!("/years/{year}/")
}

pub(crate) fn term_url(site: &Site, kind: Kind, id: TermId) -> String {
    format!(
        "/{}/{}/",
        segment(kind),
        site.taxonomies.get(kind).term(id).slug
    )
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

/// The index of a vocabulary (every term with its count, zero counts included) and a
/// paginated page per term listing its cases, sub-terms included.
fn vocabulary_pages(shared: &Shared, vocabulary: &Vocabulary, pages: Pages) -> Vec<Job> {
    let site = shared.site;
    let kind = vocabulary.kind;
    let taxonomy = site.taxonomies.get(kind);
    let heading = Link {
        title: kind.label().to_string(),
        url: format!("/{}/", vocabulary.segment),
    };
    let mut jobs = Vec::new();
    if pages.overview() {
        let mut index = shared.job(
            format!("{}/index.html", vocabulary.segment),
            "taxonomy.html",
        );
        let roots: Vec<TermLink> = (0..taxonomy.terms.len())
            .filter(|&id| taxonomy.term(id).parent.is_none())
            .map(|id| term_link(shared, kind, id))
            .collect();
        index.context.insert("taxonomy", &heading);
        index.context.insert("terms", &roots);
        jobs.push(index);
    }
    for id in 0..taxonomy.terms.len() {
        let cases = shared.index.with_term(kind, id);
        let url = term_url(site, kind, id);
        if !pages.any_listing_page(site, &url, cases.len()) {
            continue;
        }
        let term = term_link(shared, kind, id);
        for mut job in shared.paginated(&term.url, cases, "term.html", pages) {
            job.context.insert("taxonomy", &heading);
            job.context.insert("term", &term);
            job.context
                .insert("compendia", &shared.compendia(|c| c.selects_term(kind, id)));
            jobs.push(job);
        }
    }
    jobs
}

/// The years index and a paginated page per year.
fn year_pages(shared: &Shared, pages: Pages) -> Vec<Job> {
    let site = shared.site;
    let heading = Link {
        title: "批次年度".to_string(),
        url: "/years/".to_string(),
    };
    let mut jobs = Vec::new();
    if pages.overview() {
        let mut index = shared.job("years/index.html".into(), "taxonomy.html");
        index.context.insert("taxonomy", &heading);
        index.context.insert(
            "terms",
            &year_range(site)
                .rev()
                .map(|y| year_link(shared.index, y))
                .collect::<Vec<_>>(),
        );
        jobs.push(index);
    }
    for year in year_range(site) {
        if !pages.any_listing_page(site, &year_url(year), shared.index.of_year(year).len()) {
            continue;
        }
        let term = year_link(shared.index, year);
        for mut job in shared.paginated(&term.url, shared.index.of_year(year), "term.html", pages) {
            job.context.insert("taxonomy", &heading);
            job.context.insert("term", &term);
            job.context
                .insert("compendia", &shared.compendia(|c| c.selects_year(year)));
            jobs.push(job);
        }
    }
    jobs
}

fn year_link(index: &Index, year: i32) -> TermLink {
    TermLink {
        name: format!("{year}年"),
        url: format!("/years/{year}/"),
        count: index.of_year(year).len(),
        parent: None,
        children: Vec::new(),
    }
}

fn site_context<'a>(site: &'a Site, index: &Index, pdfs: &Pdfs) -> SiteContext<'a> {
    let config = &site.config;
    let default_nav = || {
        let mut nav: Vec<Link> = CaseKind::ALL
            .iter()
            .map(|k| Link {
                title: k.short_label().to_string(),
                url: format!("/{}/", k.folder()),
            })
            .collect();
        nav.extend(VOCABULARIES.iter().map(|v| Link {
            title: v.kind.label().to_string(),
            url: format!("/{}/", v.segment),
        }));
        nav.extend(site.pages.iter().filter(|p| p.menu).map(|p| Link {
            title: p.title.clone(),
            url: format!("/{}/", p.slug),
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
        kinds: CaseKind::ALL
            .iter()
            .map(|&k| kind_context(index, k))
            .collect(),
        total: index.listed().len(),
        compendia: site
            .compendia
            .iter()
            .map(|c| CompendiumLink {
                title: c.title.clone(),
                subtitle: c.subtitle.clone(),
                url: format!("/{}/", compendium::folder(&c.slug)),
                pdf: pdfs
                    .wants(&c.slug)
                    .then(|| format!("/{}", compendium::pdf_path(&c.slug))),
                count: c.case_count(),
            })
            .collect(),
        nav,
        base_path: config.base_path(),
        search: config.search,
    }
}

fn kind_context(index: &Index, kind: CaseKind) -> KindContext {
    KindContext {
        key: kind.folder(),
        label: kind.label(),
        short_label: kind.short_label(),
        url: format!("/{}/", kind.folder()),
        count: index.of_kind(kind).len(),
    }
}

/// The lifecycle in one line, as the programme writes it.
pub(crate) fn badge(case: &Case) -> String {
    let month = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
    let l = &case.lifecycle;
    match (l.state, l.build_end, l.valid_until) {
        (TitleState::Revoked, _, _) => "已撤销".to_string(),
        (TitleState::Expired, Some(end), _) => format!("建设期已于 {} 结束", month(end)),
        (TitleState::Expired, _, Some(end)) => format!("有效期已于 {} 结束", month(end)),
        (_, Some(end), _) => format!("揭榜 · 建设期至 {}", month(end)),
        (_, _, Some(end)) => match l.last_review_passed {
            Some(r) => format!("复评通过 {} · 有效期至 {}", r.format("%Y"), month(end)),
            None => format!("有效期至 {}", month(end)),
        },
        _ => format!("{}年入选", case.year),
    }
}

impl Card {
    pub fn summary(&self) -> &str {
        &self.summary
    }
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
    let url = format!("/{}/{}/", case.kind.folder(), case.slug);
    Card {
        title: case.title.clone(),
        unit: case.unit.clone(),
        kind: case.kind,
        kind_label: case.kind.short_label(),
        kind_url: format!("/{}/", case.kind.folder()),
        region: link(Kind::Region, case.region),
        city: case.city.clone(),
        industry: case.industry.map(|i| link(Kind::Industry, i)),
        category: site
            .category(case)
            .filter(|&c| Some(c) != case.industry)
            .map(|c| link(Kind::Industry, c)),
        year: case.year,
        year_url: format!("/years/{}/", case.year),
        status: case.status.label(),
        state: case.lifecycle.state,
        badge: badge(case),
        summary: summary(site, case, body),
        first_metric: case.metrics.first().cloned(),
        cover: case.cover.as_ref().map(|c| format!("{url}{c}")),
        url,
    }
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
        |kind: Kind, ids: &[TermId]| ids.iter().map(|&id| term_link(shared, kind, id)).collect();
    // A zone in a large region could list thousands: show a page's worth, and the count.
    let mut members = if case.kind == CaseKind::Zone {
        shared.index.zone_members(site, index)
    } else {
        Vec::new()
    };
    let members_total = members.len();
    members.truncate(site.config.page_size);
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
        metrics: &case.metrics,
        reading_minutes: reading_minutes(&body.text),
        published: case.history.map(|h| date(h.first)),
        updated: case.history.map(|h| date(h.last)),
        body: &body.html,
        toc: &body.headings,
        related: shared.cards(&shared.index.related(site, index, RELATED_LIMIT)),
        members: shared.cards(&members),
        members_total,
        filters: crate::search::filters(site, case),
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
            name: kind.short_label.to_string(),
            url: kind.url,
            count: kind.count,
            children: Vec::new(),
        }
    });
    let years = year_range(site).rev().map(|y| {
        let link = year_link(shared.index, y);
        FacetValue {
            key: "year",
            name: y.to_string(),
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
fn home(shared: &Shared) -> Job {
    let site = shared.site;
    let mut job = shared.job("index.html".into(), "index.html");
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
    let mut latest = shared.index.listed().to_vec();
    latest.sort_by_key(|&i| std::cmp::Reverse((site.cases[i].year, site.cases[i].approved)));
    latest.truncate(LATEST);
    job.context.insert("latest", &shared.cards(&latest));
    job.context.insert("industries", &industries);
    job.context.insert("years", &years);
    job.context.insert("charts", &charts);
    job
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

/// Every year from the first batch to the last, so a year without cases shows as a gap.
pub(crate) fn year_range(site: &Site) -> std::ops::RangeInclusive<i32> {
    let first = site.cases.iter().map(|c| c.year).min().unwrap_or(0);
    let last = site.cases.iter().map(|c| c.year).max().unwrap_or(-1);
    first..=last
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
    cases: Vec<PrintCase<'a>>,
}

#[derive(Serialize)]
struct PrintCase<'a> {
    anchor: String,
    card: &'a Card,
    facts: Vec<(&'static str, String)>,
    metrics: &'a [crate::content::Metric],
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

fn print_page(
    shared: &Shared,
    book: &Compendium,
    bodies: &[Rendered],
    page_bodies: &[Rendered],
) -> Job {
    let site = shared.site;
    let mut job = shared.job(
        format!("{}/index.html", compendium::folder(&book.slug)),
        "compendium.html",
    );
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
            number: format!("第{}章", compendium::chinese_number(n + 1)),
            title: &chapter.title,
            anchor: format!("chapter-{}", n + 1),
            cases: chapter
                .cases
                .iter()
                .map(|&i| {
                    let case = &site.cases[i];
                    let dir = format!("{}/{}", case.kind.folder(), case.slug);
                    PrintCase {
                        anchor: anchor(i),
                        card: &shared.cards[i],
                        facts: compendium::case_facts(site, i),
                        metrics: &case.metrics,
                        body: crate::rewrite::embed(
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
        body: crate::rewrite::embed(&page_bodies[i].html, &site.pages[i].slug, "preface-"),
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
    let print = PrintBook {
        slug: &book.slug,
        title: &book.title,
        subtitle: book.subtitle.as_deref(),
        organiser: book.organiser.as_deref(),
        date: book.date.as_deref(),
        cover: compendium::cover_path(book).map(|p| format!("/{p}")),
        pdf: shared
            .pdfs
            .wants(&book.slug)
            .then(|| format!("/{}", compendium::pdf_path(&book.slug))),
        preface,
        chapters,
        index,
    };
    job.context.insert("book", &print);
    job
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
            super::DEFAULT_THEME.get_dir("templates").unwrap(),
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
                crate::markdown::RESERVED_IDS.contains(&id),
                "theme id “{id}” is not reserved"
            );
        }
    }
}
