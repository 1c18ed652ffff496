//! Templates and pages: loads the theme's tera templates (a site's own `templates/`
//! override any of them), builds each page's context from the model, and renders every
//! page in parallel into output files.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::diagnostics::Diagnostic;
use crate::markdown::{Heading, Highlighter, Rendered, summarise};
use crate::model::{Case, CaseKind, Page, Site, TitleState};
use crate::output::OutputFile;
use crate::source::Pos;
use crate::taxonomy::{Taxonomy, TermId};

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
    nav: Vec<Link>,
    kinds: Vec<KindContext>,
    total: usize,
}

#[derive(Serialize, Clone)]
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

/// A term a case carries, with the group or category it belongs to.
#[derive(Serialize)]
struct TermContext {
    name: String,
    slug: String,
    parent: Option<String>,
}

/// A case as a card in lists.
#[derive(Serialize)]
struct Card {
    url: String,
    title: String,
    unit: String,
    kind: CaseKind,
    kind_label: &'static str,
    kind_url: String,
    region: String,
    city: Option<String>,
    industry: Option<String>,
    category: Option<String>,
    year: i32,
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
    scenarios: Vec<TermContext>,
    technologies: Vec<TermContext>,
    approved: Option<String>,
    build_end: Option<String>,
    valid_until: Option<String>,
    /// Date of the latest passing 复评.
    last_review: Option<String>,
    reviews: Vec<ReviewContext>,
    metrics: &'a [crate::content::Metric],
    body: &'a str,
    toc: &'a [Heading],
    related: Vec<&'a Card>,
}

#[derive(Serialize)]
struct ReviewContext {
    date: String,
    result: &'static str,
    note: Option<String>,
}

#[derive(Serialize)]
struct Count {
    name: String,
    count: usize,
}

/// Renders every page of the site. `bodies[i]` is the rendered body of `site.cases[i]`,
/// `page_bodies[i]` of `site.pages[i]`.
pub fn render_site(
    site: &Site,
    templates: &Templates,
    bodies: &[Rendered],
    page_bodies: &[Rendered],
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site_context = site_context(site);
    let base = |template: &str| {
        let mut context = Context::new();
        context.insert("site", &site_context);
        (template.to_string(), context)
    };
    let mut jobs: Vec<(String, String, Context)> = Vec::new();
    let cards: Vec<Card> = site
        .cases
        .iter()
        .zip(bodies)
        .map(|(c, b)| card(site, c, b))
        .collect();

    let (template, mut context) = base("index.html");
    context.insert("latest", &latest(site, &cards));
    context.insert("by_category", &counts_by_category(site));
    context.insert("by_year", &counts_by_year(site));
    jobs.push(("index.html".into(), template, context));

    for kind in CaseKind::ALL {
        let (template, mut context) = base("list.html");
        let mut listed: Vec<&Card> = cards.iter().filter(|c| c.kind == kind).collect();
        listed.sort_by(|a, b| (b.year, &a.title, &a.url).cmp(&(a.year, &b.title, &b.url)));
        context.insert("kind", &kind_context(site, kind));
        context.insert("cases", &listed);
        jobs.push((format!("{}/index.html", kind.folder()), template, context));
    }

    for (i, case) in site.cases.iter().enumerate() {
        let (template, mut context) = base("case.html");
        context.insert("case", &case_context(site, i, &bodies[i], &cards));
        jobs.push((
            format!("{}/{}/index.html", case.kind.folder(), case.slug),
            template,
            context,
        ));
    }

    for (page, body) in site.pages.iter().zip(page_bodies) {
        let (template, mut context) = base("page.html");
        context.insert("page", &page_context(page, body));
        jobs.push((format!("{}/index.html", page.slug), template, context));
    }

    let (template, context) = base("404.html");
    jobs.push(("404.html".into(), template, context));

    let results: Vec<Result<OutputFile, Diagnostic>> = jobs
        .par_iter()
        .map(|(path, template, context)| {
            templates.render(template, context).map(|html| OutputFile {
                path: path.clone(),
                contents: html.into_bytes(),
            })
        })
        .collect();
    let (files, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if errors.is_empty() {
        Ok(files.into_iter().map(Result::unwrap).collect())
    } else {
        Err(errors.into_iter().filter_map(Result::err).collect())
    }
}

fn site_context(site: &Site) -> SiteContext<'_> {
    let config = &site.config;
    let base_path = config.base_path();
    let mut nav: Vec<Link> = CaseKind::ALL
        .iter()
        .map(|k| Link {
            title: k.short_label().to_string(),
            url: format!("{base_path}/{}/", k.folder()),
        })
        .collect();
    nav.extend(site.pages.iter().filter(|p| p.menu).map(|p| Link {
        title: p.title.clone(),
        url: format!("{base_path}/{}/", p.slug),
    }));
    SiteContext {
        title: &config.title,
        description: &config.description,
        base_url: &config.base_url,
        language: &config.language,
        publisher: config.publisher.as_deref(),
        kinds: CaseKind::ALL
            .iter()
            .map(|&k| kind_context(site, k))
            .collect(),
        total: site.cases.len(),
        nav,
        base_path,
    }
}

fn kind_context(site: &Site, kind: CaseKind) -> KindContext {
    KindContext {
        key: kind.folder(),
        label: kind.label(),
        short_label: kind.short_label(),
        url: format!("{}/{}/", site.config.base_path(), kind.folder()),
        count: site.cases.iter().filter(|c| c.kind == kind).count(),
    }
}

fn case_url(site: &Site, case: &Case) -> String {
    format!(
        "{}/{}/{}/",
        site.config.base_path(),
        case.kind.folder(),
        case.slug
    )
}

fn term_name(taxonomy: &Taxonomy, id: TermId) -> String {
    taxonomy.term(id).name.clone()
}

/// The lifecycle in one line, as the programme writes it.
fn badge(case: &Case) -> String {
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

fn card(site: &Site, case: &Case, body: &Rendered) -> Card {
    let t = &site.taxonomies;
    let url = case_url(site, case);
    Card {
        title: case.title.clone(),
        unit: case.unit.clone(),
        kind: case.kind,
        kind_label: case.kind.short_label(),
        kind_url: format!("{}/{}/", site.config.base_path(), case.kind.folder()),
        region: term_name(&t.regions, case.region),
        city: case.city.clone(),
        industry: case.industry.map(|i| term_name(&t.industries, i)),
        category: site.category(case).map(|i| term_name(&t.industries, i)),
        year: case.year,
        status: case.status.label(),
        state: case.lifecycle.state,
        badge: badge(case),
        summary: case
            .summary
            .clone()
            .unwrap_or_else(|| summarise(&body.text, site.config.summary_length)),
        first_metric: case.metrics.first().cloned(),
        cover: case.cover.as_ref().map(|c| format!("{url}{c}")),
        url,
    }
}

fn terms(taxonomy: &Taxonomy, ids: &[TermId]) -> Vec<TermContext> {
    ids.iter()
        .map(|&id| {
            let term = taxonomy.term(id);
            TermContext {
                name: term.name.clone(),
                slug: term.slug.clone(),
                parent: term.parent.map(|p| taxonomy.term(p).name.clone()),
            }
        })
        .collect()
}

/// The context of the page of `site.cases[index]`.
fn case_context<'a>(
    site: &'a Site,
    index: usize,
    body: &'a Rendered,
    cards: &'a [Card],
) -> CaseContext<'a> {
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
    CaseContext {
        card: &cards[index],
        cities: &case.cities,
        recommender: case.recommender.as_deref(),
        scenarios: terms(&site.taxonomies.scenarios, &case.scenarios),
        technologies: terms(&site.taxonomies.technologies, &case.technologies),
        approved: case.approved.map(date),
        build_end: case.lifecycle.build_end.map(date),
        valid_until: case.lifecycle.valid_until.map(date),
        last_review: case.lifecycle.last_review_passed.map(date),
        reviews,
        metrics: &case.metrics,
        body: &body.html,
        toc: &body.headings,
        related: case.related.iter().map(|&i| &cards[i]).collect(),
    }
}

#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    body: &'a str,
    toc: &'a [Heading],
}

fn page_context<'a>(page: &'a Page, body: &'a Rendered) -> PageContext<'a> {
    PageContext {
        title: &page.title,
        summary: page.summary.as_deref(),
        body: &body.html,
        toc: &body.headings,
    }
}

/// The newest cases: by year, then approval date, then title; revoked ones left out.
fn latest<'c>(site: &Site, cards: &'c [Card]) -> Vec<&'c Card> {
    let mut order: Vec<usize> = (0..site.cases.len())
        .filter(|&i| site.cases[i].lifecycle.state != TitleState::Revoked)
        .collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (&site.cases[a], &site.cases[b]);
        (cb.year, cb.approved, &ca.title).cmp(&(ca.year, ca.approved, &cb.title))
    });
    order.into_iter().take(LATEST).map(|i| &cards[i]).collect()
}

fn counts_by_category(site: &Site) -> Vec<Count> {
    let industries = &site.taxonomies.industries;
    industries
        .terms
        .iter()
        .enumerate()
        .filter(|(_, t)| t.parent.is_none())
        .map(|(id, t)| Count {
            name: t.name.clone(),
            count: site
                .cases
                .iter()
                .filter(|c| site.category(c) == Some(id))
                .count(),
        })
        .collect()
}

fn counts_by_year(site: &Site) -> Vec<Count> {
    let mut years: BTreeMap<i32, usize> = BTreeMap::new();
    for case in &site.cases {
        *years.entry(case.year).or_default() += 1;
    }
    years
        .into_iter()
        .rev()
        .map(|(year, count)| Count {
            name: format!("{year}年"),
            count,
        })
        .collect()
}

/// The site's one stylesheet: the theme's, then the code-highlight classes.
pub fn stylesheet(theme_css: &[u8]) -> Vec<u8> {
    let mut css = theme_css.to_vec();
    css.extend_from_slice(b"\n/* Code highlighting (generated) */\n");
    css.extend_from_slice(Highlighter::css().as_bytes());
    css
}
