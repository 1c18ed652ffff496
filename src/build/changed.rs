//! `check --changed-since`: the diagnostics a change is responsible for.

use std::collections::BTreeSet;

use crate::base::diagnostics::Diagnostic;
use crate::input::config;
use crate::model;

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
