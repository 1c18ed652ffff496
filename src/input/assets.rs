//! What may be published from beside a case or a page: images (raster, and SVG with
//! scripts removed) and, from a bundle's folder, attachments of the types `site.yaml`
//! allows. A file is judged by its contents as well as its name, so a page renamed
//! `report.pdf` is refused rather than served from the site's origin. An input stage:
//! it reads files beside the content and imports nothing of anli but positions.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use crate::base::source::Pos;

/// Image types a page may show; SVG is published only as [`clean_svg`] rewrites it.
pub const IMAGES: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif", "svg"];

/// Attachment types published from a bundle's folder unless `site.yaml` says otherwise.
pub const DEFAULT_ATTACHMENTS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "csv", "txt",
];

/// Types a browser runs as a page or a web server as a program: never published, even
/// when `site.yaml` lists them.
pub const NEVER: &[&str] = &[
    "html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "xml", "xsl", "xslt", "js", "mjs",
    "php", "phtml", "asp", "aspx", "jsp", "cgi", "pl", "py", "sh", "swf", "svgz", "htaccess",
    "exe", "bat", "cmd", "ps1", "md",
];

/// How many bytes identify a file's type; SVG is read whole to be cleaned.
const HEAD: u64 = 8192;

/// SVG elements past this are refused: an SVG "bomb" of nested entities stops here.
const MAX_SVG_NODES: u32 = 200_000;

/// How deep SVG elements may nest; the rewrite recurses per level. Drawings nest a few
/// dozen levels at most.
const MAX_SVG_DEPTH: usize = 256;

/// The lowercase extension of a file name, `""` when it has none.
fn extension(path: &str) -> String {
    Path::new(path)
        .extension()
        .map_or(String::new(), |e| e.to_string_lossy().to_lowercase())
}

/// Whether a file or folder name is hidden (`.htaccess`, `.DS_Store`): never published.
pub fn is_hidden(rel: &str) -> bool {
    rel.split('/').any(|part| part.starts_with('.'))
}

/// What cleaning an SVG left out, for its warning: the kinds of thing, sorted and
/// unique, and where the first one stands (position and the text of its line).
#[derive(Debug)]
pub struct Cleaning {
    pub what: Vec<String>,
    pub at: Pos,
    pub line: String,
}

/// Checks that `path` may be published as an image or, when `attachments` is given, as
/// an attachment of one of those types, from its first bytes (an SVG whole). Returns
/// what cleaning an SVG removes, or the problem as the end of a sentence ("“a.html”不是…").
pub fn check(
    path: &Path,
    name: &str,
    attachments: Option<&[String]>,
) -> Result<Option<Cleaning>, String> {
    let head = (extension(name) != "svg").then_some(HEAD);
    let bytes = read(path, name, head)?;
    Ok(judge(name, &bytes, attachments)?.cleaning)
}

/// The contents `path` is published with, judged as [`check`] does: an SVG cleaned.
pub fn publish(path: &Path, name: &str, attachments: Option<&[String]>) -> Result<Vec<u8>, String> {
    let bytes = read(path, name, None)?;
    let judged = judge(name, &bytes, attachments)?;
    Ok(judged.svg.map_or(bytes, String::into_bytes))
}

/// A file's verdict: an SVG's cleaned text and what cleaning it removed.
struct Judged {
    svg: Option<String>,
    cleaning: Option<Cleaning>,
}

fn judge(name: &str, bytes: &[u8], attachments: Option<&[String]>) -> Result<Judged, String> {
    let ext = extension(name);
    allowed(name, &ext, attachments)?;
    if ext == "svg" {
        let text =
            std::str::from_utf8(bytes).map_err(|_| format!("“{name}”不是 UTF-8 编码的 SVG"))?;
        let (svg, removed) = clean_svg(text).map_err(|e| format!("“{name}”{e}"))?;
        let cleaning = removed
            .first()
            .map(|first| cleaning(text, first.offset, &removed));
        return Ok(Judged {
            svg: Some(svg),
            cleaning,
        });
    }
    if !looks_like(&ext, bytes) {
        return Err(format!(
            "“{name}”的内容不是 {} 格式（文件名与内容不符）",
            ext.to_uppercase()
        ));
    }
    Ok(Judged {
        svg: None,
        cleaning: None,
    })
}

/// Where the first removal stands, counted in the text as read (CRLF lines, a BOM).
fn cleaning(text: &str, offset: usize, removed: &[Removed]) -> Cleaning {
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .trim_start_matches('\u{feff}')
        .chars()
        .count()
        + 1;
    let what: BTreeSet<&str> = removed.iter().map(|r| r.what.as_str()).collect();
    Cleaning {
        what: what.into_iter().map(str::to_string).collect(),
        at: Pos { line, column },
        line: text
            .lines()
            .nth(line - 1)
            .unwrap_or("")
            .trim_start_matches('\u{feff}')
            .to_string(),
    }
}

fn allowed(name: &str, ext: &str, attachments: Option<&[String]>) -> Result<(), String> {
    let image = IMAGES.contains(&ext);
    let attachment = attachments.is_some_and(|a| a.iter().any(|t| t == ext));
    if NEVER.contains(&ext) || !(image || attachment) {
        let what = match attachments {
            Some(_) => "不能随案例发布：只发布图片和 site.yaml 中 attachments 列出的附件类型",
            None => "不是图片（png、jpg、gif、webp、avif、svg）",
        };
        return Err(format!("“{name}”{what}"));
    }
    Ok(())
}

/// The file's bytes, or its first `limit` bytes.
fn read(path: &Path, name: &str, limit: Option<u64>) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit.unwrap_or(u64::MAX)).read_to_end(&mut bytes))
        .map_err(|e| format!("“{name}”无法读取：{e}"))?;
    Ok(bytes)
}

/// Whether the first bytes of a file are what its extension says.
fn looks_like(ext: &str, head: &[u8]) -> bool {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    match ext {
        "png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "gif" => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
        "webp" => head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"),
        "avif" => {
            head.get(4..8) == Some(b"ftyp") && matches!(head.get(8..12), Some(b"avif" | b"avis"))
        }
        "pdf" => head.starts_with(b"%PDF-"),
        "docx" | "xlsx" | "pptx" | "odt" | "ods" | "odp" | "zip" => head.starts_with(b"PK\x03\x04"),
        "doc" | "xls" | "ppt" => head.starts_with(OLE),
        "csv" | "txt" => !head.contains(&0),
        // A type the site added and anli does not know: its name is all there is.
        _ => true,
    }
}

/// Something [`clean_svg`] left out, at its byte offset in the SVG.
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub offset: usize,
    pub what: String,
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Elements that run script, embed a document or change what a link does.
const SVG_UNSAFE: &[&str] = &[
    "script",
    "foreignObject",
    "handler",
    "listener",
    "iframe",
    "embed",
    "object",
];

/// Rewrites an SVG from its parsed tree, keeping SVG elements and plain attributes and
/// leaving out script, event handlers, links to `javascript:` and the like, elements of
/// other namespaces (an XHTML `<script>` runs inside SVG) and the DTD (its entities are
/// expanded first). Whatever the input, the output is plain SVG that runs nothing.
fn clean_svg(text: &str) -> Result<(String, Vec<Removed>), String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_SVG_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| format!("不是有效的 SVG：{e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err(
            "不是 SVG 图片（根元素应为 <svg xmlns=\"http://www.w3.org/2000/svg\">）".to_string(),
        );
    }
    let too_deep = doc
        .descendants()
        .filter(|n| n.is_element() && n.first_element_child().is_none())
        .any(|leaf| leaf.ancestors().nth(MAX_SVG_DEPTH).is_some());
    if too_deep {
        return Err(format!(
            "元素嵌套超过 {MAX_SVG_DEPTH} 层，不是正常的 SVG 图片"
        ));
    }
    let mut out = String::with_capacity(text.len());
    let mut removed = Vec::new();
    write_element(root, &mut out, &mut removed, true);
    Ok((out, removed))
}

fn write_element(node: roxmltree::Node, out: &mut String, removed: &mut Vec<Removed>, root: bool) {
    let name = node.tag_name().name();
    let offset = node.range().start;
    let external_style = name.eq_ignore_ascii_case("style")
        && !node.children().filter_map(|c| c.text()).all(is_local_css);
    if node.tag_name().namespace() != Some(SVG_NS)
        || SVG_UNSAFE.iter().any(|u| u.eq_ignore_ascii_case(name))
        || animates_link(node)
        || external_style
    {
        removed.push(Removed {
            offset,
            what: format!("<{name}>"),
        });
        return;
    }
    out.push('<');
    out.push_str(name);
    if root {
        out.push_str(&format!(" xmlns=\"{SVG_NS}\" xmlns:xlink=\"{XLINK_NS}\""));
    }
    for attr in node.attributes() {
        match attribute_name(&attr) {
            Some(qname) if is_safe_attribute(name, &attr) => {
                out.push_str(&format!(" {qname}=\""));
                escape(out, attr.value());
                out.push('"');
            }
            _ => removed.push(Removed {
                offset: attr.range().start,
                what: format!("{} 属性", attr.name()),
            }),
        }
    }
    out.push('>');
    for child in node.children() {
        if child.is_element() {
            write_element(child, out, removed, false);
        } else if let Some(text) = child.text().filter(|_| child.is_text()) {
            escape(out, text);
        }
    }
    out.push_str(&format!("</{name}>"));
}

/// The name an attribute is written with, or `None` for a namespace anli drops.
fn attribute_name(attr: &roxmltree::Attribute) -> Option<String> {
    match attr.namespace() {
        None => Some(attr.name().to_string()),
        Some(XLINK_NS) => Some(format!("xlink:{}", attr.name())),
        Some(XML_NS) => Some(format!("xml:{}", attr.name())),
        Some(_) => None,
    }
}

fn is_safe_attribute(element: &str, attr: &roxmltree::Attribute) -> bool {
    let name = attr.name().to_ascii_lowercase();
    if name.starts_with("on") || (name == "base" && attr.namespace() == Some(XML_NS)) {
        return false;
    }
    if name == "style" {
        return is_local_css(attr.value());
    }
    // Only a link the reader follows may leave the site; `<use>`, `<image>` and the like
    // load what they name as the SVG opens.
    name != "href" || is_safe_link(attr.value(), element.eq_ignore_ascii_case("a"))
}

/// CSS that loads nothing from elsewhere: no `@import`, and `url()` only to `#id` or an
/// embedded raster image.
fn is_local_css(css: &str) -> bool {
    let css = css.to_ascii_lowercase();
    !css.contains("@import")
        && css.split("url(").skip(1).all(|rest| {
            let target = rest.trim_start().trim_start_matches(['"', '\'']);
            target.starts_with('#') || is_raster_data(target)
        })
}

fn is_raster_data(url: &str) -> bool {
    [
        "data:image/png",
        "data:image/jpeg",
        "data:image/gif",
        "data:image/webp",
    ]
    .iter()
    .any(|p| url.starts_with(p))
}

/// A link inside the SVG (`#id`), a relative path, an embedded raster image or, for a
/// link the reader follows (`followed`), a web or mail address; never `javascript:`
/// however it is spelled.
fn is_safe_link(value: &str, followed: bool) -> bool {
    let plain: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme = plain
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        None => !plain.starts_with("//") || followed,
        Some("http" | "https" | "mailto") => followed,
        Some("data") => is_raster_data(&plain),
        Some(_) => false,
    }
}

/// XML-escapes text or an attribute value into `out` (`&`, `<`, `>`, quotes).
fn escape(out: &mut String, text: &str) {
    pulldown_cmark_escape::escape_html(out, text).expect("writing to a String cannot fail");
}

/// `<set>` and `<animate>` that change a link can turn it into `javascript:`.
fn animates_link(node: roxmltree::Node) -> bool {
    let name = node.tag_name().name().to_ascii_lowercase();
    (name.starts_with("animate") || name == "set")
        && node
            .attribute("attributeName")
            .is_some_and(|a| a.trim().to_ascii_lowercase().ends_with("href"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(svg: &str) -> (String, Vec<String>) {
        let (out, removed) = clean_svg(svg).unwrap();
        (out, removed.into_iter().map(|r| r.what).collect())
    }

    #[test]
    fn scripts_handlers_and_script_links_are_removed() {
        let (out, removed) = clean(
            r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)" width="10">
<script>alert(2)</script><a xlink:href=" Java&#9;Script:alert(3)"><rect width="5"/></a>
<a href="#top"><text>图 1 &lt;流程&gt;</text></a><foreignObject><p>x</p></foreignObject>
<set attributeName="href" to="javascript:alert(4)"/><html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(5)</html:script></svg>"##,
        );
        assert!(!out.to_lowercase().contains("script"), "{out}");
        assert!(!out.contains("alert"), "{out}");
        assert!(
            out.contains(r##"<a href="#top"><text>图 1 &lt;流程&gt;</text></a>"##),
            "{out}"
        );
        assert!(out.contains(r#"<rect width="5"></rect>"#), "{out}");
        assert_eq!(
            removed,
            [
                "onload 属性",
                "<script>",
                "href 属性",
                "<foreignObject>",
                "<set>",
                "<script>"
            ]
        );
    }

    #[test]
    fn entities_are_expanded_before_cleaning_and_bombs_refused() {
        let (out, removed) = clean(
            r#"<!DOCTYPE svg [<!ENTITY ns "http://www.w3.org/2000/svg"><!ENTITY x "<script>alert(1)</script>">]>
<svg xmlns="&ns;">&x;<circle r="1"/></svg>"#,
        );
        assert_eq!(removed, ["<script>"]);
        assert!(
            !out.contains("DOCTYPE") && !out.contains("alert") && out.contains("<circle r=\"1\">")
        );
        let bomb = format!(
            "<!DOCTYPE svg [<!ENTITY a \"{}\">]><svg xmlns=\"{SVG_NS}\">{}</svg>",
            "<g/>".repeat(1000),
            "&a;".repeat(1000)
        );
        assert!(clean_svg(&bomb).is_err());
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!(
            "<svg xmlns=\"{SVG_NS}\">{}{}</svg>",
            "<g>".repeat(50_000),
            "</g>".repeat(50_000)
        );
        assert!(clean_svg(&deep).unwrap_err().contains("嵌套超过"));
        let (_, removed) = clean(&format!(
            "<svg xmlns=\"{SVG_NS}\"><SCRIPT>1</SCRIPT><SET attributeName=\"href\"/></svg>"
        ));
        assert_eq!(removed, ["<SCRIPT>", "<SET>"]);
    }

    #[test]
    fn nothing_is_loaded_from_elsewhere() {
        let (out, removed) = clean(&format!(
            r##"<svg xmlns="{SVG_NS}"><style>@import url(https://x.example/a.css);</style><style>.a {{ fill: url(#g) }}</style><rect style="fill: url('https://x.example/t.png')"/><rect style="fill: url(#g)"/><use href="https://x.example/s.svg#a"/><use href="//x.example/s.svg#a"/><use href="#a"/><a href="https://example.org/"><text>链接</text></a></svg>"##
        ));
        assert_eq!(
            removed,
            ["<style>", "style 属性", "href 属性", "href 属性"],
            "{out}"
        );
        assert!(!out.contains("x.example"), "{out}");
        assert!(out.contains(".a { fill: url(#g) }") && out.contains(r##"<use href="#a">"##));
        assert!(out.contains(r#"<a href="https://example.org/">"#), "{out}");
    }

    #[test]
    fn only_svg_roots_are_svg() {
        assert!(clean_svg("<html><script>1</script></html>").is_err());
        assert!(
            clean_svg("<svg><rect/></svg>").is_err(),
            "no namespace: not SVG to a browser"
        );
    }

    #[test]
    fn contents_must_match_the_name() {
        assert!(looks_like("png", b"\x89PNG\r\n\x1a\nrest"));
        assert!(!looks_like("png", b"<html><script>"));
        assert!(!looks_like("pdf", b"<html>"));
        assert!(looks_like("docx", b"PK\x03\x04"));
        assert!(!looks_like("txt", b"MZ\0\0"));
    }
}
