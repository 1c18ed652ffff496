//! Incremental rebuild, generic: an edit is applied to the loaded site (cases edited,
//! added, removed or renamed), the plan is made again, and each planned page gets a
//! fingerprint of what it shows ([`render::Shows`]) — the content of its cases, their
//! cards, its free pages, its counts and the `site` context every page shows. Only pages
//! whose fingerprint changed, or that are new, are rendered again; pages the new plan
//! lacks are removed. A full build and an incremental one give the same bytes.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use super::Loaded;
use super::cards::CardsMade;
use super::documents::assets_of;
use super::documents::{case_document, check_bodies};
use super::photos::{self, Photos};
use crate::base::diagnostics::Diagnostic;
use crate::base::paths::OutputFile;
use crate::input::content;
use crate::input::taxonomy::Kind;
use crate::markup::markdown::{self, Highlighter};
use crate::markup::rewrite;
use crate::model::{self, Case, Page, compendium};
use crate::outputs::feeds;
use crate::render::{self, Card, Planned};
use crate::site::urls;

/// A fingerprint per output page (its path), in a map with a fast hash: an edit looks
/// up every page of a large site several times.
pub type Prints = rustc_hash::FxHashMap<String, u64>;

/// What an emit leaves for the next incremental one: the fingerprint of every page,
/// and the cards' HTML.
#[derive(Default)]
pub struct Emitted {
    pub(super) prints: Prints,
    pub(super) cards: CardsMade,
}

pub(super) fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// What a case's own page shows of it: its file, what its dates make of it (the
/// lifecycle depends on today, the history on git), and its photos' versions.
pub(super) fn case_print(case: &Case, photos: &Photos) -> u64 {
    let derived = format!("{:?} {:?}", case.history, case.lifecycle);
    let photos = photos.print_of(&urls::case_dir(case));
    hash_of((&case.source.path, &case.source.text, derived, photos))
}

/// What a card shows: its fields, and the versions of its cover if that is a photo.
pub(super) fn card_print(card: &Card, case: &Case, photos: &Photos) -> u64 {
    let photos = photos.print_of(&urls::case_dir(case));
    hash_of((serde_json::to_vec(card).unwrap_or_default(), photos))
}

pub(super) fn page_print(page: &Page) -> u64 {
    hash_of((&page.source.path, &page.source.text))
}

/// The fingerprint of what every page shows: the `site` context.
pub(super) fn site_print(renderer: &render::Renderer) -> u64 {
    hash_of(renderer.site_context_json())
}

/// The fingerprint of every page of `plan`.
pub(super) fn prints(loaded: &Loaded, plan: &[Planned], site_print: u64) -> Prints {
    let counts_print = hash_of(all_counts(loaded));
    plan.par_iter()
        .map(|page| {
            let shows = &page.shows;
            let mut hasher = DefaultHasher::new();
            site_print.hash(&mut hasher);
            let each = |list: &[usize], prints: &[u64]| -> Vec<u64> {
                list.iter().map(|&i| prints[i]).collect()
            };
            each(&shows.cases, &loaded.case_prints).hash(&mut hasher);
            each(&shows.cards, &loaded.card_prints).hash(&mut hasher);
            each(&shows.pages, &loaded.page_prints).hash(&mut hasher);
            shows.counts.hash(&mut hasher);
            shows.all_counts.then_some(counts_print).hash(&mut hasher);
            (page.path.clone(), hasher.finish())
        })
        .collect()
}

/// Every count a page can state: of all cases, each kind, year (from the first to the
/// last), term and compendium.
fn all_counts(loaded: &Loaded) -> Vec<usize> {
    let (site, index) = (&loaded.site, &loaded.index);
    let years = render::year_range(site);
    let mut counts = vec![*years.start() as usize, *years.end() as usize];
    counts.push(index.listed().len());
    counts.extend(site.compendia.iter().map(|c| c.case_count()));
    counts.extend(model::CaseKind::ALL.iter().map(|&k| index.of_kind(k).len()));
    counts.extend(years.map(|y| index.of_year(y).len()));
    for kind in Kind::ALL {
        let terms = site.taxonomies.get(kind).terms.len();
        counts.extend((0..terms).map(|t| index.with_term(kind, t).len()));
    }
    counts
}

/// What became of a loaded site after an edit.
pub struct Applied {
    pub loaded: Loaded,
    /// Whether a case's data row changed, and with it the data files.
    pub rows_changed: bool,
    /// The output folders of the cases edited or removed, whose published files (but
    /// their pages) are replaced by `assets`.
    asset_dirs: Vec<String>,
    /// The files the edited cases publish beside their pages: images, attachments and
    /// the versions of their photos.
    assets: Vec<OutputFile>,
}

impl Applied {
    /// Replaces, in the files `built`, what the edited and removed cases published
    /// beside their pages, and keeps the image sizes the pages are rewritten with in step.
    pub fn publish_assets(&mut self, built: &mut HashMap<String, Vec<u8>>) {
        let beside = |path: &str| {
            self.asset_dirs.iter().any(|dir| {
                path.strip_prefix(dir.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|rest| rest != "index.html")
            })
        };
        built.retain(|path, _| !beside(path));
        let assets = std::mem::take(&mut self.assets);
        if let Some(sizes) = self.loaded.sizes.get_mut() {
            sizes.retain(|path, _| !beside(path));
            let files = assets
                .iter()
                .map(|f| (f.path.as_str(), f.contents.as_slice()));
            sizes.extend(rewrite::image_sizes(files));
        }
        built.extend(assets.into_iter().map(|f| (f.path, f.contents)));
    }
}

/// Applies an edit of case files and the photos in their bundle folders (`changed`, as
/// `content/…` paths: edited, new or removed) to `loaded`, all or nothing; their
/// warnings go to `warnings`. `None` asks for a full rebuild: a path that is neither a
/// case file nor a photo of a bundle, a case that becomes or was a draft, any error (the
/// full build reports it), or a removed case that another names.
pub fn apply_edits(
    mut loaded: Loaded,
    changed: &[String],
    highlighter: &Highlighter,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Applied> {
    let changed = &case_files(&loaded, changed)?;
    let mut found = Vec::new();
    let mut asset_dirs = Vec::new();
    let root = loaded.site.root.clone();
    let position =
        |loaded: &Loaded, rel: &str| loaded.site.cases.iter().position(|c| c.source.path == rel);
    let exists = |rel: &str| root.join(rel).symlink_metadata().is_ok();
    let mut rows_changed = false;
    // Removed first, then edited, then added: each step's positions stay valid. The
    // index follows each step: a case leaves its lists before it changes or goes, and
    // joins them at its place after.
    for rel in changed.iter().filter(|rel| !exists(rel)) {
        let i = position(&loaded, rel)?;
        asset_dirs.push(urls::case_dir(&loaded.site.cases[i]));
        loaded.site.unindex(&mut loaded.index, i);
        model::remove_case(&mut loaded.site, i)?;
        loaded.index.renumber(i, false);
        loaded.remove_at(i);
        rows_changed = true;
    }
    let (drafts, today) = (loaded.options.drafts, model::today());
    let mut touched = Vec::new();
    for rel in changed.iter().filter(|rel| exists(rel)) {
        let raw = content::read_case(&root, rel, loaded.site.config.max_file_size)?;
        let mut case = model::revalidate(&loaded.site, raw, drafts, today, &mut found)?;
        let body = markdown::render(case.body(), highlighter);
        match position(&loaded, rel) {
            Some(i) => {
                // Its history is that of its commits, which an edit does not change.
                case.history = loaded.site.cases[i].history;
                loaded.site.unindex(&mut loaded.index, i);
                loaded.site.cases[i] = case;
                loaded.site.reindex(&mut loaded.index, i);
                loaded.bodies[i] = body;
                touched.push(rel.as_str());
            }
            None => {
                let i = model::insert_case(&mut loaded.site, case)?;
                loaded.index.renumber(i, true);
                loaded.site.reindex(&mut loaded.index, i);
                loaded.insert_at(i, body);
                touched.push(rel.as_str());
                rows_changed = true;
            }
        }
    }
    let indexes: Vec<usize> = touched
        .iter()
        .filter_map(|rel| position(&loaded, rel))
        .collect();
    asset_dirs.extend(
        indexes
            .iter()
            .map(|&i| urls::case_dir(&loaded.site.cases[i])),
    );
    let assets = check_edited(&mut loaded, &indexes, &asset_dirs, &mut found);
    if let Some(file) = &loaded.config_file {
        loaded.site.compendia = compendium::resolve(&loaded.site, file, &mut found);
    }
    if found.iter().any(Diagnostic::is_error) {
        return None;
    }
    warnings.extend(found);
    for &i in &indexes {
        rows_changed |= loaded.refresh(i);
    }
    Some(Applied {
        loaded,
        rows_changed,
        asset_dirs,
        assets,
    })
}

/// The case files an edit of `changed` touches: a case file itself, or the bundle
/// case whose folder holds a changed photo. `None` for any other file.
fn case_files(loaded: &Loaded, changed: &[String]) -> Option<Vec<String>> {
    let root = &loaded.site.root;
    let mut files = Vec::new();
    for rel in changed {
        if rel.ends_with(".md") {
            files.push(rel.clone());
            continue;
        }
        if !crate::outputs::images::is_photo(rel) {
            return None;
        }
        let holder = loaded.site.cases.iter().find(|case| {
            let dir = case.dir.strip_prefix(root).unwrap_or(&case.dir);
            case.is_bundle() && std::path::Path::new(rel).starts_with(dir)
        })?;
        files.push(holder.source.path.clone());
    }
    files.sort();
    files.dedup();
    Some(files)
}

/// The checks of the edited cases' bodies, their photos processed, and their cleaning;
/// returns the files they publish beside their pages (`dirs`).
fn check_edited(
    loaded: &mut Loaded,
    indexes: &[usize],
    dirs: &[String],
    found: &mut Vec<Diagnostic>,
) -> Vec<OutputFile> {
    let site = &loaded.site;
    let documents: Vec<_> = indexes
        .iter()
        .map(|&i| case_document(&site.cases[i], &loaded.bodies[i]))
        .collect();
    let docs: Vec<_> = documents.iter().collect();
    check_bodies(site, &docs, found);
    loaded
        .photos
        .replace(dirs, photos::process(site, &docs, found));
    let assets = assets_of(site, &docs, &loaded.photos);
    drop(documents);
    // Served from memory: the photos' versions are read in.
    let copies = assets.copies.into_iter().filter_map(|c| c.read().ok());
    let files = assets.files.into_iter().chain(copies).collect();
    if !loaded.site.config.unsafe_html {
        let sanitiser = rewrite::Sanitiser::default();
        for &i in indexes {
            loaded.bodies[i].html = sanitiser.clean(&loaded.bodies[i].html);
        }
    }
    files
}

impl Loaded {
    /// Makes room at `i` for a new case (already in `site.cases`) with its `body`; the
    /// rest is made by [`Loaded::refresh`].
    fn insert_at(&mut self, i: usize, body: markdown::Rendered) {
        let case = &self.site.cases[i];
        self.cards.insert(i, render::card(&self.site, case, &body));
        self.rows.insert(i, feeds::row(&self.site, case));
        self.bodies.insert(i, body);
        self.case_prints.insert(i, 0);
        self.card_prints.insert(i, 0);
        self.listed.insert(i, tera::Value::none());
    }

    fn remove_at(&mut self, i: usize) {
        self.bodies.remove(i);
        self.cards.remove(i);
        self.rows.remove(i);
        self.case_prints.remove(i);
        self.card_prints.remove(i);
        self.listed.remove(i);
    }

    /// Makes the card, data row, fingerprints and listed card of `site.cases[i]` again; returns
    /// whether its row changed.
    fn refresh(&mut self, i: usize) -> bool {
        let case = &self.site.cases[i];
        self.cards[i] = render::card(&self.site, case, &self.bodies[i]);
        self.card_prints[i] = card_print(&self.cards[i], case, &self.photos);
        self.listed[i] = render::listed_card(&self.cards[i], self.card_prints[i]);
        self.case_prints[i] = case_print(case, &self.photos);
        let row = feeds::row(&self.site, case);
        let changed = self.rows[i] != row;
        self.rows[i] = row;
        changed
    }
}
