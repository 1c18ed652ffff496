//! The checks of rendered bodies (images, raw HTML, limits) and the files published
//! beside cases and pages.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::base::diagnostics::Diagnostic;
use crate::base::paths::{CopiedFile, OutputFile, normal_path, relative};
use crate::base::source::{self, SourceFile, Spanned};
use crate::input::content::PAGES_DIR;
use crate::input::{assets, config};
use crate::markup::markdown::{self, Rendered, asset_path};
use crate::markup::rewrite;
use crate::model::{self, Site};
use crate::site::urls;

use super::photos::{Photos, missing_alt, photo_files};

/// What image checks and asset copying need to know of a case or a page.
pub(super) struct Document<'a> {
    pub(super) source: &'a SourceFile,
    pub(super) body_start: usize,
    /// The folder its relative paths resolve against.
    pub(super) dir: &'a Path,
    pub(super) bundle: bool,
    /// Its page's folder in the output.
    pub(super) out_dir: String,
    pub(super) cover: Option<&'a Spanned<String>>,
    pub(super) body: &'a Rendered,
}

/// A case with its rendered body.
pub(super) fn case_document<'a>(case: &'a model::Case, body: &'a Rendered) -> Document<'a> {
    Document {
        source: &case.source,
        body_start: case.body_start,
        dir: &case.dir,
        bundle: case.is_bundle(),
        out_dir: urls::case_dir(case),
        cover: case.cover.as_ref(),
        body,
    }
}

/// Every case and page with its rendered body.
pub(super) fn documents<'a>(
    site: &'a Site,
    bodies: &'a [Rendered],
    page_bodies: &'a [Rendered],
) -> Vec<Document<'a>> {
    let cases = site
        .cases
        .iter()
        .zip(bodies)
        .map(|(c, body)| case_document(c, body));
    let pages = site
        .pages
        .iter()
        .zip(page_bodies)
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

/// Checks every rendered body ([`check_bodies`]) and empties those refused.
pub(super) fn check_all(
    site: &Site,
    bodies: &mut [Rendered],
    page_bodies: &mut [Rendered],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let documents = documents(site, bodies, page_bodies);
    let all: Vec<&Document> = documents.iter().collect();
    let refused = check_bodies(site, &all, diagnostics);
    drop(documents);
    let cases = bodies.len();
    for i in refused {
        let body = if i < cases {
            &mut bodies[i]
        } else {
            &mut page_bodies[i - cases]
        };
        body.html.clear();
    }
}

/// The checks of rendered bodies: their images exist, their raw HTML stays within
/// bounds, and what the sanitiser will remove is warned about. Returns the positions in
/// `docs` of the bodies refused for too much HTML.
pub(super) fn check_bodies(
    site: &Site,
    docs: &[&Document],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<usize> {
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
        diagnostics.extend(missing_alt(doc).take(MAX_PER_BODY));
    }
}

/// Diagnostics reported per body for one rule, at most: a hostile file with thousands
/// of problems gets a readable report in bounded time.
pub(super) const MAX_PER_BODY: usize = 50;

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

/// A file published beside a case's or page's own page.
pub(super) struct Asset<'a> {
    pub(super) doc: &'a Document<'a>,
    /// Its path relative to the document's folder, as the output names it.
    pub(super) rel: String,
    /// Whether the cover or the body names it (and so reports its problems at that line).
    shown: bool,
}

impl Asset<'_> {
    pub(super) fn path(&self, root: &Path) -> PathBuf {
        root.join(self.doc.dir).join(&self.rel)
    }

    /// Its path in the output, beside its page.
    pub(super) fn out_path(&self) -> String {
        format!("{}/{}", self.doc.out_dir, self.rel)
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
pub(super) fn published_assets<'a>(
    root: &Path,
    docs: &'a [&'a Document<'a>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Asset<'a>> {
    let mut assets = Vec::new();
    for &doc in docs {
        let named = doc.cover.map(|c| c.value.clone()).into_iter();
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
            let rel = relative(&folder, entry.path());
            if rel.ends_with(".md") || assets::is_hidden(&rel) {
                continue;
            }
            if !entry.file_type().is_file() {
                let file = relative(root, entry.path());
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

/// Every file a bundle publishes must be an image or an allowed attachment whose contents
/// match its name (those the page shows are checked where they are named); what cleaning
/// an SVG removes is a warning at its line.
fn check_assets(site: &Site, docs: &[&Document], diagnostics: &mut Vec<Diagnostic>) {
    let root = &site.root;
    for asset in published_assets(root, docs, diagnostics) {
        let path = asset.path(root);
        let file = relative(root, &path);
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
/// working, SVG cleaned of script, photos in their processed versions; files the checks
/// refuse are left out.
pub(super) fn document_assets(
    site: &Site,
    bodies: &[Rendered],
    page_bodies: &[Rendered],
    photos: &Photos,
) -> Assets {
    let documents = documents(site, bodies, page_bodies);
    assets_of(site, &documents.iter().collect::<Vec<_>>(), photos)
}

/// What cases and pages publish beside their pages.
#[derive(Default)]
pub(super) struct Assets {
    /// Images and attachments as they are (SVG cleaned), read.
    pub(super) files: Vec<OutputFile>,
    /// The versions of photos, copied from the cache.
    pub(super) copies: Vec<CopiedFile>,
}

/// The files `docs` publish beside their pages: photos as their processed versions,
/// other images and attachments as they are.
pub(super) fn assets_of(site: &Site, docs: &[&Document], photos: &Photos) -> Assets {
    let (root, config) = (&site.root, &site.config);
    let mut assets = Assets::default();
    for asset in published_assets(root, docs, &mut Vec::new()) {
        let path = asset.out_path();
        if let Some(photo) = photos.by_output.get(&path) {
            assets.copies.extend(photo_files(&path, photo));
            continue;
        }
        let attachments = asset.attachments(config);
        if let Ok(contents) = assets::publish(&asset.path(root), &asset.rel, attachments) {
            assets.files.push(OutputFile { path, contents });
        }
    }
    assets
}
