//! The link check: every internal link and image of the pages names a file of the site.

use std::collections::HashMap;

use super::Loaded;
use super::documents::{MAX_PER_BODY, documents};
use super::emit::References;
use crate::base::diagnostics::Diagnostic;
use crate::base::source;
use crate::markup::rewrite;
use crate::model::Site;

/// Every internal link and image that names no file of the site. A link written in a
/// case or page body is reported at its line; one from a template at the page.
pub(super) fn broken_links(
    loaded: &Loaded,
    references: &References,
    exists: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    // Made only when a link is broken: the broken ones are few, the documents many.
    let all_docs = std::cell::OnceCell::new();
    let docs =
        || all_docs.get_or_init(|| documents(&loaded.site, &loaded.bodies, &loaded.page_bodies));
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
            let cover = doc.cover.map(|c| format!("{}/{}", doc.out_dir, c.value));
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
