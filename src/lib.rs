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

use std::path::PathBuf;

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
    check_body_images(&site, &bodies, diagnostics);
    Ok(Loaded {
        site,
        bodies,
        page_bodies,
    })
}

/// Every image a case body shows must exist beside it.
fn check_body_images(site: &Site, bodies: &[Rendered], diagnostics: &mut Vec<Diagnostic>) {
    for (case, body) in site.cases.iter().zip(bodies) {
        for (url, offset) in &body.images {
            if let Err(problem) = model::check_asset(&site.root, &case.dir, asset_path(url)) {
                let pos = case.source.pos_of(case.body_start + offset);
                diagnostics.push(
                    Diagnostic::error(
                        "missing-file",
                        &case.source.path,
                        pos,
                        format!("正文中的图片 {problem}"),
                    )
                    .with_len(url.chars().count() + 5)
                    .help(model::asset_help(&case.dir))
                    .snippet_from(&case.source),
                );
            }
        }
    }
}

/// The file part of a relative URL (without `?query` or `#fragment`).
fn asset_path(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
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
    files.extend(case_assets(site, &loaded.bodies));
    files.extend(render::render_site(
        site,
        &templates,
        &loaded.bodies,
        &loaded.page_bodies,
    )?);
    Ok(files)
}

/// The files a case shows, copied beside its page so relative paths keep working: a
/// bundle's whole folder, or a single file's cover and images.
fn case_assets(site: &Site, bodies: &[Rendered]) -> Vec<OutputFile> {
    let mut files = Vec::new();
    for (case, body) in site.cases.iter().zip(bodies) {
        let page_dir = format!("{}/{}", case.kind.folder(), case.slug);
        let is_bundle = case.dir.ends_with(&case.slug);
        if is_bundle {
            let dir = site.root.join(&case.dir);
            files.extend(
                output::read_tree(&dir)
                    .into_iter()
                    .filter(|f| !f.path.ends_with(".md"))
                    .map(|f| OutputFile {
                        path: format!("{page_dir}/{}", f.path),
                        contents: f.contents,
                    }),
            );
            continue;
        }
        let referenced = case
            .cover
            .iter()
            .map(String::as_str)
            .chain(body.images.iter().map(|(u, _)| asset_path(u)));
        for rel in referenced {
            if let Ok(path) = model::check_asset(&site.root, &case.dir, rel)
                && let Ok(contents) = std::fs::read(path)
            {
                files.push(OutputFile {
                    path: format!("{page_dir}/{}", rel.trim_start_matches("./")),
                    contents,
                });
            }
        }
    }
    files
}
