//! anli (案例): a static-site generator for the case collection of China's intelligent
//! manufacturing pilot and demonstration action. See DESIGN.md for the pipeline:
//!
//! ```text
//! site.yaml + content/ ──load──▶ raw cases ──validate──▶ Site + diagnostics
//! Site ──markdown──▶ rendered bodies ──render (tera)──▶ pages ──output──▶ output/
//! ```

// Diagnostics are returned as values on purpose: they are the product of most stages.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod source;
pub mod taxonomy;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::markdown::{Highlighter, Rendered};
use crate::model::Site;
use crate::output::OutputFile;
use crate::source::SourceFile;

/// What a command asks of the pipeline.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub drafts: bool,
    pub base_url: Option<String>,
}

/// A loaded, validated site with every markdown body rendered once.
pub struct Loaded {
    pub site: Site,
    /// `bodies[i]` belongs to `site.cases[i]`.
    pub bodies: Vec<Rendered>,
    pub page_bodies: Vec<Rendered>,
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
    let mut config = match SourceFile::decode(config::FILE_NAME.to_string(), &bytes) {
        Ok(file) => {
            let (config, found) = Config::parse(&file);
            diagnostics.extend(found);
            config
        }
        Err(d) => {
            diagnostics.push(d);
            Config::default()
        }
    };
    if let Some(url) = &options.base_url {
        config.override_base_url(url)?;
    }
    let taxonomies = taxonomy::Taxonomies::load(root, diagnostics);
    let content = content::load(root, diagnostics);
    let model_options = model::Options {
        drafts: options.drafts,
        today: model::today(),
    };
    let site = model::build(
        root,
        config,
        taxonomies,
        content,
        model_options,
        diagnostics,
    );
    let highlighter = Highlighter::default();
    let base_path = site.config.base_path();
    let bodies: Vec<Rendered> = site
        .cases
        .par_iter()
        .map(|c| markdown::render(c.body(), &base_path, &highlighter))
        .collect();
    let page_bodies: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|p| markdown::render(p.body(), &base_path, &highlighter))
        .collect();
    let loaded = Loaded {
        site,
        bodies,
        page_bodies,
    };
    check_body_images(&loaded, diagnostics);
    Ok(loaded)
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

/// Every case and page with its rendered body.
fn documents<'a>(loaded: &'a Loaded, pages_dir: &'a Path) -> Vec<Document<'a>> {
    let site = &loaded.site;
    let cases = site
        .cases
        .iter()
        .zip(&loaded.bodies)
        .map(|(c, body)| Document {
            source: &c.source,
            body_start: c.body_start,
            dir: &c.dir,
            bundle: c.is_bundle(),
            out_dir: format!("{}/{}", c.kind.folder(), c.slug),
            cover: c.cover.as_deref(),
            body,
        });
    let pages = site
        .pages
        .iter()
        .zip(&loaded.page_bodies)
        .map(|(p, body)| Document {
            source: &p.source,
            body_start: p.body_start,
            dir: pages_dir,
            bundle: false,
            out_dir: p.slug.clone(),
            cover: None,
            body,
        });
    cases.chain(pages).collect()
}

/// Every image a body shows must exist beside it.
fn check_body_images(loaded: &Loaded, diagnostics: &mut Vec<Diagnostic>) {
    let pages_dir = PathBuf::from("content/pages");
    for doc in documents(loaded, &pages_dir) {
        for (url, offset) in &doc.body.images {
            if let Err(problem) = model::check_asset(&loaded.site.root, doc.dir, &asset_path(url)) {
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
}

/// The file a relative image URL names: without `?query` or `#fragment`, percent-decoded
/// (`my%20pic.png` is the file `my pic.png`).
fn asset_path(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// Every file of the built site: pages, the stylesheet, static files and case assets.
pub fn site_files(loaded: &Loaded) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site = &loaded.site;
    let templates = render::Templates::load(&site.root, &site.config.theme)?;
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
    files.extend(render::render_site(
        site,
        &templates,
        &loaded.bodies,
        &loaded.page_bodies,
    )?);
    Ok(files)
}

/// The files a case or page shows, copied beside its page so relative paths keep
/// working: a bundle's whole folder, or a single file's cover and images.
fn document_assets(loaded: &Loaded) -> Vec<OutputFile> {
    let root = &loaded.site.root;
    let pages_dir = PathBuf::from("content/pages");
    let mut files = Vec::new();
    for doc in documents(loaded, &pages_dir) {
        if doc.bundle {
            let bundle = output::read_tree(&root.join(doc.dir))
                .into_iter()
                .filter(|f| !f.path.ends_with(".md"));
            files.extend(bundle.map(|f| OutputFile {
                path: format!("{}/{}", doc.out_dir, f.path),
                contents: f.contents,
            }));
            continue;
        }
        let images = doc.body.images.iter().map(|(url, _)| asset_path(url));
        for rel in doc.cover.map(str::to_string).into_iter().chain(images) {
            if let Ok(path) = model::check_asset(root, doc.dir, &rel)
                && let Ok(contents) = std::fs::read(path)
            {
                let rel = rel.trim_start_matches("./");
                files.push(OutputFile {
                    path: format!("{}/{rel}", doc.out_dir),
                    contents,
                });
            }
        }
    }
    files
}
