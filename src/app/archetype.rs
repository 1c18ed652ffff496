//! `anli new`: a new case file from the theme's archetype, with every field its kind
//! needs, commented examples and the standard section headings. The only place anli
//! writes into `content/`, and never over an existing file.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::model::CaseKind;

/// Writes `content/<kind>/<slug>.md` and returns its path relative to `root`.
pub fn create(
    root: &Path,
    theme: &str,
    kind: CaseKind,
    slug: &str,
    title: Option<&str>,
    today: NaiveDate,
) -> Result<String, String> {
    if !crate::input::content::is_valid_slug(slug)
        || slug.starts_with('-')
        || slug.ends_with('-')
        || slug == "index"
    {
        return Err(format!(
            "slug “{slug}”无效：只能由小写字母、数字和连字符组成，如 huadong-dianqi-paichan"
        ));
    }
    let folder = format!("content/{}", kind.folder());
    let rel = format!("{folder}/{slug}.md");
    let bundle = format!("{folder}/{slug}/index.md");
    for existing in [&rel, &bundle] {
        if root.join(existing).exists() {
            return Err(format!(
                "{existing} 已经存在，不会覆盖它；换一个 slug，或直接编辑这个文件"
            ));
        }
    }
    let title = serde_json::to_string(title.unwrap_or("请填写标题")).expect("a string serialises");
    let year = today.year().to_string();
    let date = today.to_string();
    let text = fill(
        &archetype(root, theme, kind)?,
        &[
            ("{{title}}", &title),
            ("{{year}}", &year),
            ("{{today}}", &date),
            ("{{slug}}", slug),
        ],
    );
    write_new(root, &rel, &text)?;
    Ok(rel)
}

/// Writes `root/rel` with its folder, failing rather than replacing a file that exists.
pub(crate) fn write_new(root: &Path, rel: &str, text: &str) -> Result<(), String> {
    let path: PathBuf = root.join(rel);
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("无法创建 {}：{e}", folder.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("无法创建 {rel}：{e}"))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("无法写入 {rel}：{e}"))
}

/// Replaces each placeholder in one pass, so a value that itself reads like a
/// placeholder (a title of `{{slug}}`) stays as written.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        match values.iter().find(|(key, _)| rest[at..].starts_with(key)) {
            Some((key, value)) => {
                out.push_str(value);
                rest = &rest[at + key.len()..];
            }
            None => {
                out.push_str("{{");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The archetype of a kind: `themes/<theme>/archetypes/<kind>.md` in the site, or the
/// built-in default theme's.
pub(crate) fn archetype(root: &Path, theme: &str, kind: CaseKind) -> Result<String, String> {
    let name = match kind {
        CaseKind::Scenario => "scenario.md",
        CaseKind::Factory => "factory.md",
        CaseKind::Zone => "zone.md",
    };
    let own = root
        .join("themes")
        .join(theme)
        .join("archetypes")
        .join(name);
    if own.is_file() {
        return std::fs::read_to_string(&own)
            .map_err(|e| format!("无法读取 {}：{e}", own.display()));
    }
    crate::site::theme::builtin_theme_file(&format!("archetypes/{name}"))
        .ok_or_else(|| format!("主题“{theme}”没有 archetypes/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once() {
        assert_eq!(
            fill(
                "t: {{title}} s: {{slug}} {{x}}",
                &[("{{title}}", "\"{{slug}}\""), ("{{slug}}", "a")]
            ),
            "t: \"{{slug}}\" s: a {{x}}"
        );
    }
}
