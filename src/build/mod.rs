//! The pipeline object: loads and validates a site into [`Loaded`] (the model with every
//! body rendered once, the cards, the index and the data rows), checks what only the
//! rendered bodies show, emits the site's files into a sink, and applies edits to a
//! loaded site for `serve`'s incremental rebuild. Every command runs this one pipeline:
//! `build` into the staging folder, `check` into nothing, `serve` into memory,
//! `compendium` only the books it names ([`compendium_files`]).

mod cards;
mod changed;
mod documents;
mod emit;
mod incremental;
mod links;
mod photos;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::base::diagnostics::Diagnostic;
use crate::base::source::{self, SourceFile};
use crate::input::config::{self, Config};
use crate::input::{content, git, taxonomy};
use crate::markup::markdown::{self, Highlighter, Rendered};
use crate::markup::rewrite;
use crate::model::{self, Index, Site, compendium};
use crate::outputs::feeds;
use crate::render::{self, Card};

pub use changed::only_changed;
pub use emit::{
    Changed, Written, changed_files, compendium_files, files_unless_errors, search_bundle,
    site_files,
};
pub use incremental::{Applied, Emitted, apply_edits};

/// What a command asks of the pipeline.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub drafts: bool,
    pub base_url: Option<String>,
    /// The compendia to typeset as PDF.
    pub pdfs: compendium::Pdfs,
}

/// A loaded, validated site with every markdown body rendered once, and what its pages
/// are made from. The vectors of cases are parallel: entry `i` belongs to
/// `site.cases[i]`.
pub struct Loaded {
    pub site: Site,
    pub bodies: Vec<Rendered>,
    pub page_bodies: Vec<Rendered>,
    pub index: Index,
    pub cards: Vec<Card>,
    /// The data rows of the cases (CSV and JSON exports).
    pub rows: Vec<feeds::Row>,
    /// Fingerprints of each case's own content and of its card, and of each free page,
    /// by which an incremental rebuild finds the pages an edit changes.
    case_prints: Vec<u64>,
    card_prints: Vec<u64>,
    page_prints: Vec<u64>,
    /// The cards as lists show them, converted for the templates once.
    listed: Vec<tera::Value>,
    /// What the site was loaded for (drafts, PDFs).
    pub options: BuildOptions,
    /// `site.yaml`, for resolving the compendia again after an edit.
    pub config_file: Option<SourceFile>,
    /// The pixel sizes of the site's images by output path, read from the files of the
    /// first emit (only a full rebuild changes images).
    sizes: OnceLock<HashMap<String, (u32, u32)>>,
    /// The photos beside cases and pages, processed.
    photos: photos::Photos,
}

impl Loaded {
    /// The inputs of rendering, borrowed.
    fn inputs(&self) -> render::Inputs<'_> {
        render::Inputs {
            site: &self.site,
            index: &self.index,
            cards: &self.cards,
            listed: &self.listed,
            bodies: &self.bodies,
            page_bodies: &self.page_bodies,
            pdfs: &self.options.pdfs,
        }
    }
}

/// Loads and validates a site. Content problems go to `diagnostics`; an `Err` is a problem
/// with the command itself (no site here, an unusable option).
pub fn load(options: &BuildOptions, diagnostics: &mut Vec<Diagnostic>) -> Result<Loaded, String> {
    let root = &options.root;
    let (config_file, mut config) = read_config(root, diagnostics)?;
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
    let render_body = |body: &str| markdown::render(body, &highlighter);
    let mut bodies: Vec<Rendered> = site
        .cases
        .par_iter()
        .map(|c| render_body(c.body()))
        .collect();
    let mut page_bodies: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|p| render_body(p.body()))
        .collect();
    documents::check_all(&site, &mut bodies, &mut page_bodies, diagnostics);
    let photos = {
        let documents = documents::documents(&site, &bodies, &page_bodies);
        photos::process(&site, &documents.iter().collect::<Vec<_>>(), diagnostics)
    };
    if !site.config.unsafe_html {
        let sanitiser = rewrite::Sanitiser::default();
        let clean = |body: &mut Rendered| body.html = sanitiser.clean(&body.html);
        bodies.par_iter_mut().for_each(clean);
        page_bodies.par_iter_mut().for_each(clean);
    }
    let cards = render::cards(&site, &bodies);
    let card_prints: Vec<u64> = (cards.par_iter().zip(&site.cases))
        .map(|(card, case)| incremental::card_print(card, case, &photos))
        .collect();
    Ok(Loaded {
        index: site.index(),
        rows: feeds::rows(&site),
        case_prints: (site.cases.par_iter())
            .map(|case| incremental::case_print(case, &photos))
            .collect(),
        listed: (cards.par_iter().zip(&card_prints))
            .map(|(card, &print)| render::listed_card(card, print))
            .collect(),
        card_prints,
        page_prints: site.pages.iter().map(incremental::page_print).collect(),
        cards,
        site,
        bodies,
        page_bodies,
        options: options.clone(),
        config_file,
        sizes: OnceLock::new(),
        photos,
    })
}

/// Reads and parses `site.yaml`; `Err` when there is none (not a site).
pub fn read_config(
    root: &std::path::Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(Option<SourceFile>, Config), String> {
    let bytes = std::fs::read(root.join(config::FILE_NAME)).map_err(|e| {
        format!(
            "找不到 {}（{e}）：{} 不像是 anli 站点的根目录，可用 --root 指定",
            config::FILE_NAME,
            root.display()
        )
    })?;
    let config_file = SourceFile::decode(config::FILE_NAME.to_string(), &bytes)
        .map_err(|d| diagnostics.push(d))
        .ok();
    let config = match &config_file {
        Some(file) => {
            let (config, found) = Config::parse(file);
            diagnostics.extend(found);
            config
        }
        None => Config::default(),
    };
    Ok((config_file, config))
}

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
