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
use super::documents::{case_document, check_bodies};
use crate::base::diagnostics::Diagnostic;
use crate::input::content;
use crate::input::taxonomy::Kind;
use crate::markup::markdown::{self, Highlighter};
use crate::markup::rewrite;
use crate::model::{self, Case, Page, compendium};
use crate::outputs::feeds;
use crate::render::{self, Card, Planned};

/// A fingerprint per output page (its path).
pub type Prints = HashMap<String, u64>;

fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// What a case's own page shows of it: its file, and what its dates make of it (the
/// lifecycle depends on today, the history on git).
pub(super) fn case_print(case: &Case) -> u64 {
    let derived = format!("{:?} {:?}", case.history, case.lifecycle);
    hash_of((&case.source.path, &case.source.text, derived))
}

pub(super) fn card_print(card: &Card) -> u64 {
    hash_of(serde_json::to_vec(card).unwrap_or_default())
}

pub(super) fn page_print(page: &Page) -> u64 {
    hash_of((&page.source.path, &page.source.text))
}

/// The fingerprint of every page of `plan`.
pub(super) fn prints(loaded: &Loaded, plan: &[Planned], renderer: &render::Renderer) -> Prints {
    let site_print = hash_of(renderer.site_context_json());
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
}

/// Applies an edit of case files (`changed`, as `content/…` paths: edited, new or
/// removed) to `loaded`, all or nothing; their warnings go to `warnings`. `None` asks
/// for a full rebuild: a path that is not a case file, a case that becomes or was a
/// draft, any error (the full build reports it), or a removed case that another names.
pub fn apply_edits(
    mut loaded: Loaded,
    changed: &[String],
    highlighter: &Highlighter,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Applied> {
    let mut found = Vec::new();
    let root = loaded.site.root.clone();
    let position =
        |loaded: &Loaded, rel: &str| loaded.site.cases.iter().position(|c| c.source.path == rel);
    let exists = |rel: &str| root.join(rel).symlink_metadata().is_ok();
    let mut rows_changed = false;
    // The cases as they were, while no case comes or goes: the index is then updated
    // in place rather than made again.
    let mut replaced = Some(Vec::new());
    // Removed first, then edited, then added: each step's positions stay valid.
    for rel in changed.iter().filter(|rel| !exists(rel)) {
        let i = position(&loaded, rel)?;
        model::remove_case(&mut loaded.site, i)?;
        loaded.remove_at(i);
        rows_changed = true;
        replaced = None;
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
                let old = std::mem::replace(&mut loaded.site.cases[i], case);
                if let Some(replaced) = &mut replaced {
                    replaced.push((i, old));
                }
                loaded.bodies[i] = body;
                touched.push(rel.as_str());
            }
            None => {
                let i = model::insert_case(&mut loaded.site, case)?;
                loaded.insert_at(i, body);
                touched.push(rel.as_str());
                rows_changed = true;
                replaced = None;
            }
        }
    }
    let indexes: Vec<usize> = touched
        .iter()
        .filter_map(|rel| position(&loaded, rel))
        .collect();
    check_edited(&mut loaded, &indexes, &mut found);
    if let Some(file) = &loaded.config_file {
        loaded.site.compendia = compendium::resolve(&loaded.site, file, &mut found);
    }
    if found.iter().any(Diagnostic::is_error) {
        return None;
    }
    warnings.extend(found);
    match replaced {
        Some(old) => loaded.site.reindex(&mut loaded.index, &old),
        None => loaded.index = loaded.site.index(),
    }
    for &i in &indexes {
        rows_changed |= loaded.refresh(i);
    }
    Some(Applied {
        loaded,
        rows_changed,
    })
}

/// The checks of the edited cases' bodies, and their cleaning.
fn check_edited(loaded: &mut Loaded, indexes: &[usize], found: &mut Vec<Diagnostic>) {
    let site = &loaded.site;
    let docs: Vec<_> = indexes
        .iter()
        .map(|&i| case_document(&site.cases[i], &loaded.bodies[i]))
        .collect();
    check_bodies(site, &docs.iter().collect::<Vec<_>>(), found);
    drop(docs);
    if !loaded.site.config.unsafe_html {
        let sanitiser = rewrite::Sanitiser::default();
        for &i in indexes {
            loaded.bodies[i].html = sanitiser.clean(&loaded.bodies[i].html);
        }
    }
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
    }

    fn remove_at(&mut self, i: usize) {
        self.bodies.remove(i);
        self.cards.remove(i);
        self.rows.remove(i);
        self.case_prints.remove(i);
        self.card_prints.remove(i);
    }

    /// Makes the card, data row and fingerprints of `site.cases[i]` again; returns
    /// whether its row changed.
    fn refresh(&mut self, i: usize) -> bool {
        let case = &self.site.cases[i];
        self.cards[i] = render::card(&self.site, case, &self.bodies[i]);
        self.card_prints[i] = card_print(&self.cards[i]);
        self.case_prints[i] = case_print(case);
        let row = feeds::row(&self.site, case);
        let changed = self.rows[i] != row;
        self.rows[i] = row;
        changed
    }
}
