//! The theme: the default one built into the binary, or `themes/<name>/` of the site,
//! with the site's own `templates/` over it; its templates' sources, static files and
//! other files (archetypes, the compendium's Typst design, fonts).

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::base::diagnostics::Diagnostic;
use crate::base::paths::OutputFile;
use crate::base::source::Pos;

/// The default theme, built into the binary so a site needs no theme folder of its own.
pub(crate) static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The templates' sources by name (`case.html`), each with the file it came from, as
/// diagnostics name it, and its text: the theme's, then the site's own `templates/`.
pub fn template_sources(
    root: &Path,
    theme: &str,
) -> Result<BTreeMap<String, (String, String)>, Vec<Diagnostic>> {
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
        let d = Diagnostic::error("missing-theme", crate::input::config::FILE_NAME, Pos::START, format!("找不到主题“{theme}”"))
                .help(format!("主题放在 themes/{theme}/templates/ 下；或在 site.yaml 中去掉 theme 以使用内置的 default 主题"));
        return Err(vec![d]);
    }
    let overrides = root.join("templates");
    if overrides.is_dir() {
        read_templates(root, &overrides, &mut sources)?;
    }
    Ok(sources)
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
        let rel = crate::base::paths::relative(root, entry.path());
        let name = slash_path(entry.path().strip_prefix(dir).unwrap_or(entry.path()));
        let bytes = std::fs::read(entry.path()).map_err(|e| {
            vec![Diagnostic::error(
                "io",
                &rel,
                Pos::START,
                format!("无法读取模板：{e}"),
            )]
        })?;
        let file =
            crate::base::source::SourceFile::decode(rel.clone(), &bytes).map_err(|d| vec![d])?;
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
        return crate::base::paths::read_tree(&dir);
    }
    embedded_files(&DEFAULT_THEME, "static")
        .into_iter()
        .map(|f| OutputFile {
            path: slash_path(f.path().strip_prefix("static").unwrap_or(f.path())),
            contents: f.contents().to_vec(),
        })
        .collect()
}
