//! anli (案例): a static-site generator for the case collection of China's intelligent
//! manufacturing pilot and demonstration action. See DESIGN.md for the pipeline:
//!
//! ```text
//! site.yaml + content/ ──load──▶ raw cases ──validate──▶ Site + diagnostics
//! Site ──markdown──▶ rendered bodies ──render (tera)──▶ pages ──output──▶ output/
//! Site + rendered bodies ──search──▶ /search/ index ──output──▶ output/
//! ```

// Diagnostics are returned as values on purpose: they are the product of most stages.
#![allow(clippy::result_large_err)]

pub mod archetype;
pub mod assets;
pub mod charts;
pub mod cli;
pub mod compendium;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod feeds;
pub mod git;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod rewrite;
pub mod search;
pub mod serve;
pub mod source;
pub mod taxonomy;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::markdown::{Highlighter, Rendered};
use crate::model::Site;
use crate::output::{OutputFile, Sink};
use crate::source::SourceFile;

/// What a command asks of the pipeline.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub drafts: bool,
    pub base_url: Option<String>,
    /// The compendia to typeset as PDF.
    pub pdfs: compendium::Pdfs,
}

/// A loaded, validated site with every markdown body rendered once.
pub struct Loaded {
    pub site: Site,
    /// `bodies[i]` belongs to `site.cases[i]`.
    pub bodies: Vec<Rendered>,
    pub page_bodies: Vec<Rendered>,
    /// What the site was loaded for (drafts, PDFs).
    pub options: BuildOptions,
    /// `site.yaml`, for resolving the compendia again after an edit.
    pub config_file: Option<SourceFile>,
    /// The data rows and cards of the cases and the site's index, made when first
    /// needed and kept across incremental rebuilds, which update them; and the sizes of
    /// the site's images, which only a full rebuild changes.
    rows: OnceLock<Vec<feeds::Row>>,
    sizes: OnceLock<HashMap<String, (u32, u32)>>,
    cards: OnceLock<Vec<render::Card>>,
    index: OnceLock<model::Index>,
}

impl Loaded {
    fn rows(&self) -> &[feeds::Row] {
        self.rows.get_or_init(|| feeds::rows(&self.site))
    }

    pub(crate) fn cards(&self) -> &[render::Card] {
        self.cards
            .get_or_init(|| render::cards(&self.site, &self.bodies))
    }

    pub(crate) fn index(&self) -> &model::Index {
        self.index.get_or_init(|| self.site.index())
    }
}

/// Loads and validates a site. Content problems go to `diagnostics`; an `Err` is a problem
/// with the command itself (no site here, an unusable option).
pub fn load(options: &BuildOptions, diagnostics: &mut Vec<Diagnostic>) -> Result<Loaded, String> {
    let root = &options.root;
    let config_path = root.join(config::FILE_NAME);
    let bytes = std::fs::read(&config_path).map_err(|e| {
        format!(
            "找不到 {}（{e}）：{} 不像是 anli 站点的根目录，可用 --root 指定",
            config::FILE_NAME,
            root.display()
        )
    })?;
    let config_file = SourceFile::decode(config::FILE_NAME.to_string(), &bytes)
        .map_err(|d| diagnostics.push(d))
        .ok();
    let mut config = match &config_file {
        Some(file) => {
            let (config, found) = Config::parse(file);
            diagnostics.extend(found);
            config
        }
        None => Config::default(),
    };
    if let Some(url) = &options.base_url {
        config.override_base_url(url)?;
    }
    let taxonomies = taxonomy::Taxonomies::load(root, config.max_file_size, diagnostics);
    let content = content::load(root, config.max_file_size, diagnostics);
    let model_options = model::Options {
        drafts: options.drafts,
        today: model::today(),
    };
    let mut site = model::build(
        root,
        config,
        taxonomies,
        content,
        model_options,
        diagnostics,
    );
    if site.config.git_info {
        add_history(&mut site, diagnostics);
    }
    if let Some(file) = &config_file {
        site.compendia = compendium::resolve(&site, file, diagnostics);
    }
    let highlighter = Highlighter::default();
    let bodies: Vec<Rendered> = site
        .cases
        .par_iter()
        .map(|c| markdown::render(c.body(), &highlighter))
        .collect();
    let page_bodies: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|p| markdown::render(p.body(), &highlighter))
        .collect();
    let mut loaded = Loaded {
        site,
        bodies,
        page_bodies,
        options: options.clone(),
        config_file,
        rows: OnceLock::new(),
        sizes: OnceLock::new(),
        cards: OnceLock::new(),
        index: OnceLock::new(),
    };
    let documents = documents(&loaded);
    let all: Vec<&Document> = documents.iter().collect();
    let refused = check_bodies(&loaded.site, &all, diagnostics);
    drop(documents);
    for i in refused {
        let cases = loaded.bodies.len();
        let body = if i < cases {
            &mut loaded.bodies[i]
        } else {
            &mut loaded.page_bodies[i - cases]
        };
        body.html.clear();
    }
    if !loaded.site.config.unsafe_html {
        let sanitiser = rewrite::Sanitiser::default();
        let clean = |body: &mut Rendered| body.html = sanitiser.clean(&body.html);
        loaded.bodies.par_iter_mut().for_each(clean);
        loaded.page_bodies.par_iter_mut().for_each(clean);
    }
    Ok(loaded)
}

/// Reads edited case files (`changed`, as `content/…` paths) again into `loaded`, for
/// `serve`'s incremental rebuild, and returns what the edit can change; their warnings
/// go to `warnings`. `None` asks for a full rebuild: a path that is not a case of the
/// site, an error (the full build reports it), or an edit that changes the site's
/// counts (every page shows them) or its span of years.
pub fn update_cases(
    loaded: &mut Loaded,
    changed: &[String],
    highlighter: &Highlighter,
    warnings: &mut Vec<Diagnostic>,
) -> Option<render::Affected> {
    let mut index = loaded.index.take().unwrap_or_else(|| loaded.site.index());
    let site = &loaded.site;
    let indexes: Vec<usize> = changed
        .iter()
        .map(|rel| site.cases.iter().position(|c| c.source.path == *rel))
        .collect::<Option<_>>()?;
    let mut affected = render::Affected::default();
    let years = render::year_range(site);
    let (mut before, mut after) = (Standing::default(), Standing::default());
    let old_lens = listing_lens(site, &index);
    mark_affected(site, &index, &indexes, &mut affected, &mut before);
    let mut old_cases = Vec::new();
    let today = model::today();
    for (&i, rel) in indexes.iter().zip(changed) {
        let site = &loaded.site;
        let raw = content::read_case(&site.root, rel, site.config.max_file_size)?;
        let mut case = model::revalidate(site, raw, loaded.options.drafts, today, warnings)?;
        // Its history is that of its commits, which an edit does not change.
        case.history = site.cases[i].history;
        if site.is_listed(&case) != site.is_listed(&site.cases[i]) {
            return None;
        }
        loaded.bodies[i] = markdown::render(case.body(), highlighter);
        match loaded.rows.get_mut() {
            Some(rows) => {
                let row = feeds::row(site, &case);
                affected.rows |= rows[i] != row;
                rows[i] = row;
            }
            None => affected.rows = true,
        }
        old_cases.push((i, std::mem::replace(&mut loaded.site.cases[i], case)));
    }
    // Every year from the first to the last has its page.
    if render::year_range(&loaded.site) != years {
        return None;
    }
    let mut found = Vec::new();
    let docs: Vec<Document> = indexes
        .iter()
        .map(|&i| case_document(&loaded.site.cases[i], &loaded.bodies[i]))
        .collect();
    check_bodies(&loaded.site, &docs.iter().collect::<Vec<_>>(), &mut found);
    drop(docs);
    if let Some(file) = &loaded.config_file {
        loaded.site.compendia = compendium::resolve(&loaded.site, file, &mut found);
    }
    if found.iter().any(Diagnostic::is_error) {
        return None;
    }
    warnings.extend(found);
    if !loaded.site.config.unsafe_html {
        let sanitiser = rewrite::Sanitiser::default();
        for &i in &indexes {
            loaded.bodies[i].html = sanitiser.clean(&loaded.bodies[i].html);
        }
    }
    let cards_kept = refresh_cards(loaded, &indexes);
    loaded.site.reindex(&mut index, &old_cases);
    debug_assert!(
        index == loaded.site.index(),
        "reindex gives what index does"
    );
    mark_affected(&loaded.site, &index, &indexes, &mut affected, &mut after);
    let lens = (&old_lens, &listing_lens(&loaded.site, &index));
    let page_size = render::page_size(&loaded.site);
    (affected.listings, affected.removed) = changed_listing_pages(&before, &after, lens, page_size);
    // A zone an edited case joins or leaves shows a new count.
    affected
        .cases
        .extend(before.zones.symmetric_difference(&after.zones));
    affected.overview = true;
    // Home's newest cards are ordered by approval date, which a card may not show.
    let approvals_kept = old_cases
        .iter()
        .all(|(i, old)| old.approved == loaded.site.cases[*i].approved);
    if cards_kept && approvals_kept && before == after {
        // Cards and places as they were (an edit of the body, say): only the cases' own
        // pages and the compendia printing them change.
        affected.cases = indexes.iter().copied().collect();
        affected.listings.clear();
        affected.overview = false;
    }
    loaded.index = OnceLock::from(index);
    Some(affected)
}

/// Makes the cards of the cases `indexes` again, if cards were made; returns whether
/// they are all as they were.
fn refresh_cards(loaded: &mut Loaded, indexes: &[usize]) -> bool {
    let Some(cards) = loaded.cards.get_mut() else {
        return false;
    };
    let mut kept = true;
    for &i in indexes {
        let card = render::card(&loaded.site, &loaded.site.cases[i], &loaded.bodies[i]);
        kept &= cards[i] == card;
        cards[i] = card;
    }
    kept
}

/// Adds to `affected` the pages that show the cases `indexes` as `site` has them, and
/// records where they stand in the listings that hold them.
fn mark_affected(
    site: &Site,
    index: &model::Index,
    indexes: &[usize],
    affected: &mut render::Affected,
    standing: &mut Standing,
) {
    for &i in indexes {
        let case = &site.cases[i];
        affected.cases.insert(i);
        let mut listings = vec![
            (render::kind_url(case.kind), index.of_kind(case.kind)),
            (render::year_url(case.year), index.of_year(case.year)),
        ];
        for kind in taxonomy::Kind::ALL {
            listings.extend(
                site.carried(case, kind)
                    .into_iter()
                    .map(|t| (render::term_url(site, kind, t), index.with_term(kind, t))),
            );
        }
        for (url, items) in listings {
            let entry = standing.listings.entry(url).or_default();
            entry.len = items.len();
            entry.positions.extend(items.iter().position(|&c| c == i));
        }
        // A zone shows the first page of its members, and how many there are.
        let zones = (0..site.cases.len()).filter(|&z| {
            site.cases[z].kind == model::CaseKind::Zone && site.cases[z].region == case.region
        });
        for z in zones {
            if let Some(at) = index.zone_members(site, z).iter().position(|&m| m == i) {
                standing.zones.insert(z);
                if at < site.config.page_size {
                    affected.cases.insert(z);
                }
            }
        }
        affected.compendia.extend(
            site.compendia
                .iter()
                .filter(|c| c.holds(i))
                .map(|c| c.slug.clone()),
        );
    }
    // Only cases that name them, or share their unit or sub-industry and region, can
    // show their cards as related; the index lists the second kind among listed cases
    // only, so unlisted ones are checked too.
    let naming = (0..site.cases.len()).filter(|&j| {
        let case = &site.cases[j];
        !site.is_listed(case) || case.related.iter().any(|r| indexes.contains(r))
    });
    let candidates: BTreeSet<usize> = indexes
        .iter()
        .flat_map(|&i| index.neighbours(&site.cases[i]))
        .chain(naming)
        .collect();
    affected.cases.extend(candidates.into_iter().filter(|&j| {
        index
            .related(site, j, render::RELATED_LIMIT)
            .iter()
            .any(|r| indexes.contains(r))
    }));
}

/// The length of every listing (kinds, years, terms) by URL.
fn listing_lens(site: &Site, index: &model::Index) -> HashMap<String, usize> {
    let kinds = model::CaseKind::ALL
        .iter()
        .map(|&k| (render::kind_url(k), index.of_kind(k).len()));
    let years = index
        .year_counts()
        .map(|(year, len)| (render::year_url(year), len));
    let terms = taxonomy::Kind::ALL.iter().flat_map(|&kind| {
        (0..site.taxonomies.get(kind).terms.len()).map(move |t| {
            (
                render::term_url(site, kind, t),
                index.with_term(kind, t).len(),
            )
        })
    });
    kinds.chain(years).chain(terms).collect()
}

/// Where edited cases stand in a listing, before or after the edit.
#[derive(Debug, Default, Clone, PartialEq)]
struct Place {
    positions: Vec<usize>,
    len: usize,
}

/// Where edited cases stand, before or after the edit.
#[derive(Debug, Default, PartialEq)]
struct Standing {
    /// Listing URL → where the edited cases stand in it.
    listings: BTreeMap<String, Place>,
    /// The zones with an edited case among their members.
    zones: BTreeSet<usize>,
}

/// The pages of each listing that an edit changes, and the output files of the pages
/// it removes. Changed: those between the old and the new places of the cards when the
/// listing keeps its length; every page when its length changes (each page shows the
/// count, and links the last page); from the first place to the end when as many
/// members come as go. Removed: those past the new end of a listing that shrank.
fn changed_listing_pages(
    before: &Standing,
    after: &Standing,
    lens: (&HashMap<String, usize>, &HashMap<String, usize>),
    page_size: usize,
) -> (BTreeMap<String, RangeInclusive<usize>>, BTreeSet<String>) {
    let pages = |len: usize| render::page_count(len, page_size);
    // Where the cards stand in a listing on one side; not in it: its length, no places.
    let place = |standing: &Standing, lens: &HashMap<String, usize>, url: &str| {
        standing
            .listings
            .get(url)
            .cloned()
            .unwrap_or_else(|| Place {
                positions: Vec::new(),
                len: lens.get(url).copied().unwrap_or(0),
            })
    };
    let urls: BTreeSet<&String> = before
        .listings
        .keys()
        .chain(after.listings.keys())
        .collect();
    let (mut listings, mut removed) = (BTreeMap::new(), BTreeSet::new());
    for url in urls {
        let (old, new) = (place(before, lens.0, url), place(after, lens.1, url));
        let last = pages(old.len).max(pages(new.len)) - 1;
        let positions = old.positions.iter().chain(&new.positions);
        let first = positions.clone().min().map_or(0, |p| p / page_size);
        let range = if old.len != new.len {
            0..=last
        } else if old.positions.len() != new.positions.len() {
            first..=last
        } else {
            first..=positions.max().map_or(0, |p| p / page_size)
        };
        listings.insert(url.clone(), range);
        removed.extend(
            (pages(new.len) + 1..=pages(old.len)).map(|n| render::listing_page_file(url, n)),
        );
    }
    (listings, removed)
}

/// What image checks and asset copying need to know of a case or a page.
struct Document<'a> {
    source: &'a SourceFile,
    body_start: usize,
    /// The folder its relative paths resolve against.
    dir: &'a Path,
    bundle: bool,
    /// Its page's folder in the output.
    out_dir: String,
    cover: Option<&'a str>,
    body: &'a Rendered,
}

/// Where free pages live; their relative image paths resolve against it.
pub(crate) const PAGES_DIR: &str = "content/pages";

/// A case with its rendered body.
fn case_document<'a>(case: &'a model::Case, body: &'a Rendered) -> Document<'a> {
    Document {
        source: &case.source,
        body_start: case.body_start,
        dir: &case.dir,
        bundle: case.is_bundle(),
        out_dir: format!("{}/{}", case.kind.folder(), case.slug),
        cover: case.cover.as_deref(),
        body,
    }
}

/// Every case and page with its rendered body.
fn documents(loaded: &Loaded) -> Vec<Document<'_>> {
    let site = &loaded.site;
    let cases = site
        .cases
        .iter()
        .zip(&loaded.bodies)
        .map(|(c, body)| case_document(c, body));
    let pages = site
        .pages
        .iter()
        .zip(&loaded.page_bodies)
        .map(|(p, body)| Document {
            source: &p.source,
            body_start: p.body_start,
            dir: Path::new(PAGES_DIR),
            bundle: false,
            out_dir: p.slug.clone(),
            cover: None,
            body,
        });
    cases.chain(pages).collect()
}

/// Sets each case's first-published and last-updated dates from git; without git the
/// pages fall back to front-matter dates, with a warning.
fn add_history(site: &mut Site, diagnostics: &mut Vec<Diagnostic>) {
    match git::content_dates(&site.root) {
        Ok(dates) => {
            for case in &mut site.cases {
                case.history = dates.get(&case.source.path).copied();
            }
        }
        Err(message) => diagnostics.push(
            Diagnostic::warning(
                "git-info",
                config::FILE_NAME,
                source::Pos::START,
                format!("git_info 无法使用：{message}"),
            )
            .help(
                "页面改用 front matter 中的日期；在 git 仓库中构建，或在 site.yaml 中去掉 git_info",
            ),
        ),
    }
}

/// Keeps the diagnostics a change since a git ref is responsible for: those in changed
/// files, and site-wide ones that name a changed case (a duplicate slug, a link or
/// `related` entry pointing at a case that was removed or renamed). A change to
/// `site.yaml`, a vocabulary or a template can affect every file: then all are kept.
pub fn only_changed(diagnostics: Vec<Diagnostic>, changed: &BTreeSet<String>) -> Vec<Diagnostic> {
    let site_wide = |path: &String| {
        path == config::FILE_NAME
            || path.starts_with("content/_taxonomies/")
            || path.starts_with("templates/")
            || path.starts_with("themes/")
    };
    if changed.iter().any(site_wide) {
        return diagnostics;
    }
    // `content/<kind>/<slug>.md` or a file of the bundle `content/<kind>/<slug>/…`
    let case_ids: Vec<String> = changed
        .iter()
        .filter_map(|path| {
            let mut parts = path.strip_prefix("content/")?.split('/');
            let kind = parts.next()?;
            let slug = parts.next()?.trim_end_matches(".md");
            model::CaseKind::from_folder(kind).map(|_| format!("{kind}/{slug}"))
        })
        .collect();
    let names_changed_case = |d: &Diagnostic| {
        case_ids.iter().any(|id| {
            d.message.contains(&format!("{id}/")) || d.message.contains(&format!("“{id}”"))
        })
    };
    // A changed image or other file matters to the cases and pages beside it.
    let asset_dirs: Vec<&str> = changed
        .iter()
        .filter(|p| !p.ends_with(".md"))
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir))
        .collect();
    let beside_changed_asset = |d: &Diagnostic| {
        d.file
            .rsplit_once('/')
            .is_some_and(|(dir, _)| asset_dirs.contains(&dir))
    };
    // A broken link from a template is reported at its output page, outside content/.
    let from_template = |d: &Diagnostic| d.code == "broken-link" && !d.file.starts_with("content/");
    diagnostics
        .into_iter()
        .filter(|d| {
            changed.contains(&d.file)
                || names_changed_case(d)
                || beside_changed_asset(d)
                || from_template(d)
        })
        .collect()
}

/// The checks of rendered bodies: their images exist, their raw HTML stays within
/// bounds, and what the sanitiser will remove is warned about. Returns the positions in
/// `docs` of the bodies refused for too much HTML.
fn check_bodies(site: &Site, docs: &[&Document], diagnostics: &mut Vec<Diagnostic>) -> Vec<usize> {
    check_body_images(&site.root, docs, diagnostics);
    check_assets(site, docs, diagnostics);
    let refused = limit_bodies(docs, diagnostics);
    if !site.config.unsafe_html {
        warn_unsafe_html(docs, diagnostics);
    }
    refused
}

/// Every image a body shows must exist beside it.
fn check_body_images(root: &Path, docs: &[&Document], diagnostics: &mut Vec<Diagnostic>) {
    for doc in docs {
        let missing = doc.body.images.iter().filter_map(|(url, offset)| {
            model::check_asset(root, doc.dir, &asset_path(url))
                .err()
                .map(|problem| (url, offset, problem))
        });
        for (url, offset, problem) in missing.take(MAX_PER_BODY) {
            let pos = doc.source.pos_of(doc.body_start + offset);
            diagnostics.push(
                Diagnostic::error(
                    "missing-file",
                    &doc.source.path,
                    pos,
                    format!("正文中的图片 {problem}"),
                )
                .with_len(url.chars().count())
                .help(model::asset_help(doc.dir, doc.bundle))
                .snippet_from(doc.source),
            );
        }
    }
}

/// Diagnostics reported per body for one rule, at most: a hostile file with thousands
/// of problems gets a readable report in bounded time.
const MAX_PER_BODY: usize = 50;

/// Raw HTML tags one body may hold. Cleaning deeply nested HTML takes time that grows
/// with the square of the depth, so a body past this is refused rather than cleaned.
const MAX_RAW_TAGS: usize = 5000;

/// Refuses bodies that cannot be cleaned or typeset in bounded time and memory; returns
/// the positions in `docs` of those to empty.
fn limit_bodies(docs: &[&Document], diagnostics: &mut Vec<Diagnostic>) -> Vec<usize> {
    let mut refused = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        if let Some(problem) = refusal(doc) {
            diagnostics.push(problem);
            refused.push(i);
        }
    }
    refused
}

/// Why a body is too much to publish, if it is: raw HTML, nesting or table cells.
fn refusal(doc: &Document) -> Option<Diagnostic> {
    let body = &doc.body;
    let tags: usize = body
        .raw_html
        .iter()
        .map(|(html, _)| html.matches('<').count())
        .sum();
    let (code, offset, message, help) = if tags > MAX_RAW_TAGS {
        (
            "too-much-html",
            body.raw_html.first().map_or(0, |(_, at)| *at),
            format!("正文中的原始 HTML 标签太多（{tags} 个，上限 {MAX_RAW_TAGS} 个）"),
            "正文请用 markdown 书写；大段 HTML 请精简或改写",
        )
    } else if let Some(offset) = body.too_deep {
        (
            "too-deep",
            offset,
            format!(
                "正文的引用、列表和强调嵌套太深（超过 {} 层元素）",
                markdown::MAX_NESTING
            ),
            "把嵌套拆平：引用和列表一般不超过三四层，更深的层次改写成小标题或表格",
        )
    } else if let Some(offset) = body.too_many_cells {
        (
            "too-many-cells",
            offset,
            format!(
                "正文的表格太大（超过 {} 个单元格）",
                markdown::MAX_TABLE_CELLS
            ),
            "案例中的表格只放关键数据；完整数据另存为附件（如 xlsx），在正文中链接",
        )
    } else {
        return None;
    };
    let pos = doc.source.pos_of(doc.body_start + offset);
    Some(
        Diagnostic::error(code, &doc.source.path, pos, message)
            .help(help)
            .snippet_from(doc.source),
    )
}

/// A warning for each piece of raw HTML or link the sanitiser will remove.
fn warn_unsafe_html(docs: &[&Document], diagnostics: &mut Vec<Diagnostic>) {
    for doc in docs {
        let html = doc.body.raw_html.iter().flat_map(|(html, at)| {
            rewrite::unsafe_constructs(html)
                .into_iter()
                .map(move |what| (what, *at, html.chars().count()))
        });
        let links = doc
            .body
            .links
            .iter()
            .filter(|(url, _)| rewrite::is_unsafe_url(url))
            .map(|(url, at)| (url.clone(), *at, url.chars().count()));
        for (what, at, len) in html.chain(links).take(MAX_PER_BODY) {
            diagnostics.push(
                Diagnostic::warning("unsafe-html", &doc.source.path, doc.source.pos_of(doc.body_start + at), format!("正文中的 {what} 不安全，发布时已移除"))
                    .with_len(len)
                    .help("正文中不能使用脚本、样式、框架、表单、事件属性（on…）和 javascript:/vbscript:/data: 链接；普通格式（表格、<sup>、<br>、<details>、图片）可以保留。确需原样保留时在 site.yaml 中设置 unsafe_html: true")
                    .snippet_from(doc.source),
            );
        }
    }
}

/// The file a relative image URL names: without `?query` or `#fragment`, percent-decoded
/// (`my%20pic.png` is the file `my pic.png`).
pub(crate) fn asset_path(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// What a build put into its sink.
pub struct Written {
    pub paths: BTreeSet<String>,
    /// Problems that did not stop the build (characters no PDF font has).
    pub warnings: Vec<Diagnostic>,
    /// The fonts the PDFs are set in, when PDFs were made.
    pub pdf_fonts: Option<String>,
}

/// Puts every file of the built site into `sink`: static files, case assets, pages
/// (rewritten), feeds and data, and PDFs, in that order (a later file of the same path
/// wins). Returns what was written, or every broken internal link or template problem.
pub fn site_files(loaded: &Loaded, sink: &Sink) -> Result<Written, Vec<Diagnostic>> {
    let site = &loaded.site;
    let mut files = render::theme_static_files(&site.root, &site.config.theme);
    for file in &mut files {
        if file.path == "style.css" {
            file.contents = render::stylesheet(&file.contents);
        }
    }
    let own_static = site.root.join("static");
    if own_static.is_dir() {
        files.extend(output::read_tree(&own_static));
    }
    files.extend(document_assets(loaded));
    files.extend(compendium::cover_files(site));
    let sizes = loaded.sizes.get_or_init(|| {
        rewrite::image_sizes(
            files
                .iter()
                .map(|f| (f.path.as_str(), f.contents.as_slice())),
        )
    });
    let mut all = put_all(sink, files)?;
    let references = pages(loaded, sizes, render::Pages::All, sink)?;
    let html_paths: Vec<&str> = references.iter().map(|(p, _)| p.as_str()).collect();
    let feeds = feeds::files(site, &html_paths, loaded.rows());
    all.extend(html_paths.iter().map(|p| p.to_string()));
    all.extend(put_all(sink, feeds)?);
    let typeset = compendium::pdf_files(site, &loaded.options.pdfs)?;
    all.extend(put_all(sink, typeset.files)?);
    let problems = broken_links(loaded, &references, |path| all.contains(path));
    if problems.is_empty() {
        Ok(Written {
            paths: all,
            warnings: typeset.warnings,
            pdf_fonts: typeset.fonts,
        })
    } else {
        Err(problems)
    }
}

/// Puts `files` into `sink` in parallel, the last of any path only, returning the paths.
fn put_all(sink: &Sink, files: Vec<OutputFile>) -> Result<BTreeSet<String>, Vec<Diagnostic>> {
    let by_path: BTreeMap<String, Vec<u8>> =
        files.into_iter().map(|f| (f.path, f.contents)).collect();
    let paths = by_path.keys().cloned().collect();
    by_path
        .into_par_iter()
        .try_for_each(|(path, contents)| put(sink, OutputFile { path, contents }))
        .map_err(|d| vec![d])?;
    Ok(paths)
}

fn put(sink: &Sink, file: OutputFile) -> Result<(), Diagnostic> {
    let path = file.path.clone();
    sink.put(file).map_err(|err| {
        Diagnostic::error(
            "output",
            &path,
            source::Pos::START,
            format!("写出失败：{err}"),
        )
        .help("检查输出目录所在磁盘的空间和权限")
    })
}

/// The files an edit of some cases changes ([`update_cases`] says which pages, and
/// which listing pages it removes): those pages and the feeds, with the sitemap when
/// pages come or go and the data files when a row changed. `built` is the site as
/// served, for image sizes and link checks.
pub fn changed_files(
    loaded: &Loaded,
    affected: &render::Affected,
    built: &HashMap<String, Vec<u8>>,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site = &loaded.site;
    let sizes = loaded.sizes.get_or_init(|| {
        rewrite::image_sizes(built.iter().map(|(p, c)| (p.as_str(), c.as_slice())))
    });
    let sink = Sink::memory();
    let references = pages(loaded, sizes, render::Pages::Affected(affected), &sink)?;
    let mut files = sink.into_files();
    let made: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let kept = |path: &str| built.contains_key(path) && !affected.removed.contains(path);
    let problems = broken_links(loaded, &references, |path| {
        made.contains(path) || kept(path)
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut feeds = vec![feeds::atom_file(site)];
    if !affected.removed.is_empty() || made.iter().any(|path| !built.contains_key(*path)) {
        let kept_pages = built.keys().map(String::as_str).filter(|p| kept(p));
        let html_paths: Vec<&str> = kept_pages
            .filter(|p| p.ends_with(".html") && !made.contains(p))
            .chain(made.iter().copied())
            .collect();
        feeds.push(feeds::sitemap_file(site, &html_paths));
    }
    if affected.rows {
        feeds.extend(feeds::data_files(loaded.rows()));
    }
    drop(made);
    files.extend(feeds);
    Ok(files)
}

/// Renders and rewrites the pages `which` names into `sink`, each page in one go, so
/// that only the pages in the making are held. Returns each page's links.
fn pages(
    loaded: &Loaded,
    sizes: &HashMap<String, (u32, u32)>,
    which: render::Pages,
    sink: &Sink,
) -> Result<References, Vec<Diagnostic>> {
    let site = &loaded.site;
    let templates = render::Templates::load(&site.root, &site.config.theme)?;
    let (renderer, jobs) = render::plan(loaded, &templates, which);
    let base_path = site.config.base_path();
    let results: Vec<Result<(String, Vec<rewrite::Reference>), Diagnostic>> = jobs
        .into_par_iter()
        .map(|job| {
            let (path, html) = renderer.render(job)?;
            let (page, references) = rewrite_page(path, &html, &base_path, sizes)?;
            let path = page.path.clone();
            put(sink, page)?;
            Ok((path, references))
        })
        .collect();
    let (references, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if errors.is_empty() {
        Ok(references.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(errors.into_iter().filter_map(Result::err).collect())
    }
}

/// Puts the built site's files into `sink`, the search index last (unless `search` is
/// off), and returns what was written, its warnings moved to `found`; `None` when
/// `found` (the load's diagnostics) or the rendering holds an error, which is then added
/// to `found`.
pub fn files_unless_errors(
    loaded: &Loaded,
    found: &mut Vec<Diagnostic>,
    sink: &Sink,
) -> Option<Written> {
    if found.iter().any(Diagnostic::is_error) {
        return None;
    }
    let mut written = match site_files(loaded, sink) {
        Ok(written) => written,
        Err(errors) => {
            found.extend(errors);
            return None;
        }
    };
    found.append(&mut written.warnings);
    if loaded.site.config.search {
        match put_all(sink, search_bundle(loaded)) {
            Ok(paths) => written.paths.extend(paths),
            Err(errors) => {
                found.extend(errors);
                return None;
            }
        }
    }
    Some(written)
}

/// The search index of the listed cases, with the summaries their cards show.
pub fn search_bundle(loaded: &Loaded) -> Vec<OutputFile> {
    let summaries: Vec<&str> = loaded.cards().iter().map(render::Card::summary).collect();
    search::bundle(&loaded.site, &loaded.bodies, &summaries)
}

/// Each page's links and images, for the link check.
type References = Vec<(String, Vec<rewrite::Reference>)>;

/// Runs the rewrite stage over the rendered page `html` at `path`.
fn rewrite_page(
    path: String,
    html: &str,
    base_path: &str,
    sizes: &HashMap<String, (u32, u32)>,
) -> Result<(OutputFile, Vec<rewrite::Reference>), Diagnostic> {
    match rewrite::rewrite(&path, html, base_path, sizes) {
        Ok(done) => Ok((
            OutputFile {
                path,
                contents: done.html.into_bytes(),
            },
            done.references,
        )),
        Err(message) => Err(Diagnostic::error(
            "rewrite",
            &path,
            source::Pos::START,
            message,
        )),
    }
}

/// Every internal link and image that names no file of the site. A link written in a
/// case or page body is reported at its line; one from a template at the page.
fn broken_links(
    loaded: &Loaded,
    references: &References,
    exists: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    // Made only when a link is broken: the broken ones are few, the documents many.
    let all_docs = std::cell::OnceCell::new();
    let docs = || all_docs.get_or_init(|| documents(loaded));
    let mut problems = Vec::new();
    let mut per_page: HashMap<&str, usize> = HashMap::new();
    for broken in rewrite::broken_references(references, exists) {
        let seen = per_page.entry(broken.page).or_default();
        *seen += 1;
        if *seen > MAX_PER_BODY {
            continue;
        }
        let reference = broken.reference;
        let doc = docs()
            .iter()
            .find(|d| format!("{}/index.html", d.out_dir) == broken.page);
        let page_dir = broken.page.rsplit_once('/').map_or("", |(dir, _)| dir);
        let same = |(url, _): &&(String, usize)| {
            rewrite::target_of(url, page_dir).as_deref() == Some(reference.target.as_str())
        };
        if let Some(doc) = doc {
            // A missing cover or body image was reported when the case was checked.
            let cover = doc.cover.map(|c| format!("{}/{c}", doc.out_dir));
            if reference.is_image
                && (doc.body.images.iter().any(|i| same(&i))
                    || cover.as_deref() == Some(reference.target.as_str()))
            {
                continue;
            }
            // A markdown link, or a link in raw HTML written in the body.
            let in_raw_html = || {
                let (_, at) = doc
                    .body
                    .raw_html
                    .iter()
                    .find(|(html, _)| html.contains(reference.written.as_str()))?;
                Some((reference.written.clone(), *at))
            };
            if let Some((url, offset)) = doc
                .body
                .links
                .iter()
                .find(same)
                .cloned()
                .or_else(in_raw_html)
            {
                let pos = doc.source.pos_of(doc.body_start + offset);
                let (message, help) = match draft_behind(&loaded.site, &reference.target) {
                    Some(draft) => (
                        format!("链接“{url}”指向草稿 {draft}，它不会发布"),
                        "发布那个草稿（去掉 draft: true），或先删去这个链接".to_string(),
                    ),
                    None => (
                        format!("链接“{url}”指向的 {} 不存在", reference.target),
                        "站内链接写成以 / 开头的网址（如 /factories/某个-slug/）或相对于本页的路径；先构建一次，在 output/ 中核对网址".to_string(),
                    ),
                };
                problems.push(
                    Diagnostic::error("broken-link", &doc.source.path, pos, message)
                        .with_len(url.chars().count())
                        .help(help)
                        .snippet_from(doc.source),
                );
                continue;
            }
        }
        problems.push(
            Diagnostic::error(
                "broken-link",
                broken.page,
                source::Pos::START,
                format!(
                    "页面中的链接“{}”指向的 {} 不存在",
                    reference.written, reference.target
                ),
            )
            .help("这个链接来自模板或 site.yaml（如 nav）：检查其中的网址"),
        );
    }
    problems
}

/// The draft left out of the build whose page an output path (`scenarios/x/index.html`)
/// would be.
fn draft_behind<'s>(site: &'s Site, target: &str) -> Option<&'s str> {
    let page = target.strip_suffix("/index.html")?;
    let draft = site.drafts_left_out.iter().find(|d| d.page == page)?;
    Some(&draft.source)
}

/// A file published beside a case's or page's own page.
struct Asset<'a> {
    doc: &'a Document<'a>,
    /// Its path relative to the document's folder, as the output names it.
    rel: String,
    /// Whether the cover or the body names it (and so reports its problems at that line).
    shown: bool,
}

impl Asset<'_> {
    fn path(&self, root: &Path) -> PathBuf {
        root.join(self.doc.dir).join(&self.rel)
    }

    /// The attachment types it may be: the site's for a file of a bundle; none for a
    /// single file's cover or image, which must be an image.
    fn attachments<'c>(&self, config: &'c config::Config) -> Option<&'c [String]> {
        Some(config.attachments.as_slice()).filter(|_| self.doc.bundle)
    }
}

/// The files a case or page publishes: a bundle's whole folder but its markdown and
/// hidden files, or a single file's cover and images. Symbolic links in a bundle are
/// reported, not followed.
fn published_assets<'a>(
    root: &Path,
    docs: &'a [&'a Document<'a>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Asset<'a>> {
    let mut assets = Vec::new();
    for &doc in docs {
        let named = doc.cover.map(str::to_string).into_iter();
        let named = named.chain(doc.body.images.iter().map(|(url, _)| asset_path(url)));
        if !doc.bundle {
            let valid = named.filter(|rel| model::check_asset(root, doc.dir, rel).is_ok());
            let rels: BTreeSet<String> = valid.map(|rel| normal_path(&rel)).collect();
            assets.extend(rels.into_iter().map(|rel| Asset {
                doc,
                rel,
                shown: true,
            }));
            continue;
        }
        let shown: BTreeSet<String> = named.map(|rel| normal_path(&rel)).collect();
        let folder = root.join(doc.dir);
        for entry in walkdir::WalkDir::new(&folder)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| !e.file_type().is_dir())
        {
            let rel = content::relative(&folder, entry.path());
            if rel.ends_with(".md") || assets::is_hidden(&rel) {
                continue;
            }
            if !entry.file_type().is_file() {
                let file = content::relative(root, entry.path());
                diagnostics.push(
                    Diagnostic::warning(
                        "symlink",
                        &file,
                        source::Pos::START,
                        "这不是普通文件（符号链接或设备），不会发布",
                    )
                    .help("把文件本身放进案例文件夹"),
                );
                continue;
            }
            let shown = shown.contains(&rel);
            assets.push(Asset { doc, rel, shown });
        }
    }
    assets
}

/// A relative path as its plain parts joined by `/`: `./a//b.png` is `a/b.png`, and
/// `.//tmp/x.png` is `tmp/x.png` inside the folder, never the absolute `/tmp/x.png`.
fn normal_path(rel: &str) -> String {
    Path::new(rel)
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(part.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file a bundle publishes must be an image or an allowed attachment whose contents
/// match its name (those the page shows are checked where they are named); what cleaning
/// an SVG removes is a warning at its line.
fn check_assets(site: &Site, docs: &[&Document], diagnostics: &mut Vec<Diagnostic>) {
    let root = &site.root;
    for asset in published_assets(root, docs, diagnostics) {
        let path = asset.path(root);
        let file = content::relative(root, &path);
        match assets::check(&path, &asset.rel, asset.attachments(&site.config)) {
            Err(_) if asset.shown => {}
            Err(problem) => diagnostics.push(
                Diagnostic::error("unpublishable-file", &file, source::Pos::START, format!("案例文件夹中的 {problem}"))
                    .help(format!(
                        "案例文件夹只发布图片和附件（{}）；删除这个文件或移出 content/，确需发布的附件类型加进 site.yaml 的 attachments",
                        site.config.attachments.join("、")
                    )),
            ),
            Ok(Some(cleaning)) => diagnostics.push(svg_cleaned(&file, cleaning)),
            Ok(None) => {}
        }
    }
}

/// The warning for an SVG published without what would run: at the first removal.
fn svg_cleaned(file: &str, cleaning: assets::Cleaning) -> Diagnostic {
    let message = format!(
        "SVG 图片中可以运行脚本或从别处加载内容的部分已删除：{}",
        cleaning.what.join("、")
    );
    let mut warning = Diagnostic::warning("svg-script", file, cleaning.at, message)
        .help("网站发布的是删去这些内容后的图片：检查它是否仍然显示正常；SVG 图片中不能有脚本、事件属性、javascript: 链接，也不能从其他网站加载样式或图片");
    warning.snippet = Some(cleaning.line);
    warning
}

/// The files a case or page shows, copied beside its page so relative paths keep
/// working, SVG cleaned of script; files the checks refuse are left out.
fn document_assets(loaded: &Loaded) -> Vec<OutputFile> {
    let root = &loaded.site.root;
    let documents = documents(loaded);
    let docs: Vec<&Document> = documents.iter().collect();
    let config = &loaded.site.config;
    published_assets(root, &docs, &mut Vec::new())
        .into_iter()
        .filter_map(|asset| {
            let attachments = asset.attachments(config);
            let contents = assets::publish(&asset.path(root), &asset.rel, attachments).ok()?;
            Some(OutputFile {
                path: format!("{}/{}", asset.doc.out_dir, asset.rel),
                contents,
            })
        })
        .collect()
}
