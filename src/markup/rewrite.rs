//! The rewrite stage: lol_html over every generated page. It puts `base_url` in front of
//! root-relative links, records every internal reference for the link check, marks
//! external links `rel="noopener"`, lets body images load lazily with their size, and
//! gives body headings an anchor link.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use lol_html::html_content::{ContentType, Element};
use lol_html::{RewriteStrSettings, element, rewrite_str};

/// One internal reference a page makes.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The URL as the page had it before rewriting.
    pub written: String,
    /// The file it names in the output, e.g. `factories/x/index.html`.
    pub target: String,
    pub is_image: bool,
}

/// A page after the rewrite, with what it refers to.
pub struct Rewritten {
    pub html: String,
    pub references: Vec<Reference>,
}

/// Attributes that hold URLs, by element.
const URL_ATTRIBUTES: &[(&str, &str)] = &[
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("form", "action"),
];

/// A photo processed for publishing (`outputs::images`): its versions, each published
/// beside the original under the original's stem and the cache key.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Photo {
    pub webp: Vec<PhotoFile>,
    /// JPEG, or PNG for a PNG or a picture with transparency; widest last.
    pub fallback: Vec<PhotoFile>,
    /// Sized for the compendium's column at the print resolution.
    pub print: PhotoFile,
    /// The cache folder that holds the files.
    #[serde(skip)]
    pub folder: std::path::PathBuf,
    /// How the output names start: the original's stem and the key (`车间.3fa9c2d1e0.`).
    #[serde(skip)]
    pub prefix: String,
}

/// One version of a photo: its file in the cache folder (`960.webp`) and its size.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PhotoFile {
    pub file: String,
    pub width: u32,
    pub height: u32,
}

impl Photo {
    /// Every version.
    pub fn files(&self) -> impl Iterator<Item = &PhotoFile> {
        self.webp
            .iter()
            .chain(&self.fallback)
            .chain(std::iter::once(&self.print))
    }

    /// The name a version is published under, beside the original.
    pub fn name(&self, file: &PhotoFile) -> String {
        format!("{}{}", self.prefix, file.file)
    }

    /// The widest web version, which the original's own name also serves.
    pub fn widest(&self) -> &PhotoFile {
        self.fallback.last().unwrap_or(&self.print)
    }
}

/// What the rewrite knows of the site's images, by output path.
pub struct Images<'a> {
    /// The pixel size of every image file.
    pub sizes: &'a HashMap<String, (u32, u32)>,
    /// The processed photos, by the original's output path.
    pub photos: &'a BTreeMap<String, Photo>,
    /// Whether the page is printed (a compendium's print page): photos in their print
    /// version, without alternatives.
    pub print: bool,
}

/// How wide a photo shows: in a case body (`.body`, 48rem at most) and elsewhere (the
/// cover, as wide as the page's 72rem column), less the column's padding on a phone.
const BODY_SIZES: &str = "(max-width: 50.5rem) calc(100vw - 2.5rem), 48rem";
const WIDE_SIZES: &str = "(max-width: 74.5rem) calc(100vw - 2.5rem), 72rem";

/// Rewrites one page. `page_path` is its path in the output (`scenarios/x/index.html`).
pub fn rewrite(
    page_path: &str,
    html: &str,
    base_path: &str,
    images: &Images,
) -> Result<Rewritten, String> {
    let page_dir = page_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let references = RefCell::new(Vec::new());
    let cited = RefCell::new(std::collections::HashSet::new());
    let mut settings = RewriteStrSettings::new();
    // Before the URL handlers, so that they see (and check) the version a photo shows.
    // Only where there is a photo to show: matching every image costs a site without.
    let photos = !images.photos.is_empty() || html.contains(KEEP_ORIGINAL);
    let selectors = [(".body img[src]", BODY_SIZES), ("img[src]", WIDE_SIZES)];
    for (selector, sizes) in selectors.into_iter().filter(|_| photos) {
        settings = settings
            .append_element_content_handler(element!(selector, move |el: &mut Element| {
                Ok(show_photo(el, images, page_dir, base_path, sizes)?)
            }));
    }
    for &(tag, attribute) in URL_ATTRIBUTES {
        let references = &references;
        settings = settings.append_element_content_handler(element!(
            format!("{tag}[{attribute}]"),
            move |el: &mut Element| {
                let url = el.get_attribute(attribute).unwrap_or_default();
                match classify(&url, page_dir) {
                    Url::Internal(target) => {
                        references.borrow_mut().push(Reference {
                            written: url.clone(),
                            target,
                            is_image: tag == "img",
                        });
                        let url = url.trim();
                        if url.starts_with('/') {
                            el.set_attribute(attribute, &format!("{base_path}{url}"))?;
                        }
                    }
                    Url::External if tag == "a" => add_rel(el, "noopener")?,
                    _ => {}
                }
                Ok(())
            }
        ));
    }
    if may_have_body(html) {
        settings = body_handlers(settings, page_dir, images, &cited);
    }
    let html = rewrite_str(html, settings).map_err(|e| format!("无法处理页面 {page_path}：{e}"))?;
    Ok(Rewritten {
        html,
        references: references.into_inner(),
    })
}

/// Whether `html` may hold an element of class `body` (a case's or page's body): a
/// `body` after a quote, `=` or a space. Listing pages have none, and matching their
/// elements against the body's selectors would cost a quarter of their rewrite.
fn may_have_body(html: &str) -> bool {
    html.match_indices("body").any(|(at, _)| {
        let before = html[..at].chars().next_back();
        before.is_some_and(|c| c == '"' || c == '\'' || c == '=' || c.is_ascii_whitespace())
    })
}

/// The handlers of a case's or page's body: image sizes and lazy loading, footnotes
/// linked back to their citations, anchor links on headings.
fn body_handlers<'h>(
    mut settings: RewriteStrSettings<'h, 'h>,
    page_dir: &'h str,
    images: &'h Images,
    cited: &'h RefCell<std::collections::HashSet<String>>,
) -> RewriteStrSettings<'h, 'h> {
    settings =
        settings.append_element_content_handler(element!(".body img[src]", |el: &mut Element| {
            set_if_missing(el, "loading", "lazy")?;
            set_if_missing(el, "decoding", "async")?;
            let src = el.get_attribute("src").unwrap_or_default();
            if let Url::Internal(target) = classify(&src, page_dir)
                && let Some((width, height)) = images.sizes.get(&target)
            {
                set_if_missing(el, "width", &width.to_string())?;
                set_if_missing(el, "height", &height.to_string())?;
            }
            Ok(())
        }));
    // Footnotes link back to where they are cited (the first citation of each).
    settings = settings.append_element_content_handler(element!(
        ".body sup.footnote-reference a[href^=\"#fn-\"]",
        |el: &mut Element| {
            let label = el
                .get_attribute("href")
                .unwrap_or_default()
                .trim_start_matches('#')
                .to_string();
            if cited.borrow_mut().insert(label.clone()) {
                el.set_attribute("id", &format!("ref-{label}"))?;
            }
            Ok(())
        }
    ));
    settings = settings.append_element_content_handler(element!(
        ".body .footnote-definition[id^=\"fn-\"]",
        |el: &mut Element| {
            let id = el.get_attribute("id").unwrap_or_default();
            el.append(
                &format!(
                    " <a class=\"footnote-back\" href=\"#ref-{id}\" aria-label=\"返回正文\">↩</a>"
                ),
                ContentType::Html,
            );
            Ok(())
        }
    ));
    for heading in ["h2", "h3", "h4"] {
        settings = settings.append_element_content_handler(element!(
            format!(".body {heading}[id]"),
            |el: &mut Element| {
                let id = el.get_attribute("id").unwrap_or_default();
                // The attribute value comes as written in the page, already escaped.
                let link =
                    format!("<a class=\"anchor\" href=\"#{id}\" aria-label=\"本节链接\">#</a>");
                el.append(&link, ContentType::Html);
                Ok(())
            }
        ));
    }
    settings
}

/// The fragment by which an author keeps a photo as it is: `![…](flow.png#original)`.
pub const KEEP_ORIGINAL: &str = "#original";

/// Points an `<img>` of a processed photo at its versions: on the web a `<picture>` of
/// WebP sizes with the fallback's sizes in the `<img>` (`srcset`, `sizes`, `width`,
/// `height`), in print its print version. An image the author gave a `srcset` is left.
fn show_photo(
    el: &mut Element,
    images: &Images,
    page_dir: &str,
    base_path: &str,
    sizes: &str,
) -> Result<(), lol_html::errors::AttributeNameError> {
    // Set by the author, or already by the `.body` handler (both match a body image).
    if el.has_attribute("srcset") {
        return Ok(());
    }
    let src = el.get_attribute("src").unwrap_or_default();
    // The author's mark for a photo published as it is has done its work.
    if let Some(kept) = src.strip_suffix(KEEP_ORIGINAL) {
        return el.set_attribute("src", kept);
    }
    let Url::Internal(target) = classify(&src, page_dir) else {
        return Ok(());
    };
    let Some(photo) = images.photos.get(&target) else {
        return Ok(());
    };
    let src = src.trim();
    let dir = &src[..src.rfind('/').map_or(0, |i| i + 1)];
    let url = |file: &PhotoFile| format!("{dir}{}", name_in_url(&photo.name(file)));
    let set_size = |el: &mut Element, file: &PhotoFile| {
        set_if_missing(el, "width", &file.width.to_string())?;
        set_if_missing(el, "height", &file.height.to_string())
    };
    if images.print {
        el.set_attribute("src", &url(&photo.print))?;
        return set_size(el, &photo.print);
    }
    // `srcset` is no URL attribute of the link handlers: the sub-path is put in here.
    let root = if dir.starts_with('/') { base_path } else { "" };
    let srcset = |files: &[PhotoFile]| {
        let each: Vec<String> = files
            .iter()
            .map(|f| format!("{root}{} {}w", url(f), f.width))
            .collect();
        each.join(", ")
    };
    // The fallback's `src` for browsers without `srcset`: the one nearest a column's width.
    let middle = photo.fallback.iter().rev().find(|f| f.width <= 960);
    el.set_attribute("src", &url(middle.unwrap_or(photo.widest())))?;
    el.set_attribute("srcset", &srcset(&photo.fallback))?;
    el.set_attribute("sizes", sizes)?;
    set_size(el, photo.widest())?;
    if photo.webp.is_empty() {
        return Ok(());
    }
    let webp = srcset(&photo.webp);
    el.before(
        &format!("<picture><source type=\"image/webp\" srcset=\"{webp}\" sizes=\"{sizes}\">"),
        ContentType::Html,
    );
    el.after("</picture>", ContentType::Html);
    Ok(())
}

/// A file name as a URL path segment: what would end the attribute, the path or a
/// `srcset` entry (space, comma) is percent-encoded; other characters, Chinese among
/// them, stay as written.
fn name_in_url(name: &str) -> String {
    let mut url = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_control() || " \"'#?%,&<>/".contains(c) {
            url.push_str(&format!("%{:02X}", c as u32));
        } else {
            url.push(c);
        }
    }
    url
}

fn set_if_missing(
    el: &mut Element,
    name: &str,
    value: &str,
) -> Result<(), lol_html::errors::AttributeNameError> {
    if !el.has_attribute(name) {
        el.set_attribute(name, value)?;
    }
    Ok(())
}

fn add_rel(el: &mut Element, token: &str) -> Result<(), lol_html::errors::AttributeNameError> {
    let rel = el.get_attribute("rel").unwrap_or_default();
    if rel.split_whitespace().any(|t| t == token) {
        return Ok(());
    }
    let joined = if rel.trim().is_empty() {
        token.to_string()
    } else {
        format!("{} {token}", rel.trim())
    };
    el.set_attribute("rel", &joined)
}

/// What a URL in a page points at.
#[derive(Debug, PartialEq)]
enum Url {
    /// A file of the site, by its output path.
    Internal(String),
    External,
    /// A fragment, `mailto:`, `data:` and the like: nothing to check.
    Other,
}

fn classify(url: &str, page_dir: &str) -> Url {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if url.is_empty()
        || url.starts_with('#')
        || ["mailto:", "tel:", "data:", "javascript:"]
            .iter()
            .any(|s| lower.starts_with(s))
    {
        return Url::Other;
    }
    // A scheme stands before the first `/`, `?` or `#` (`/a/?r=http://x` is internal).
    let head = lower.split(['/', '?', '#']).next().unwrap_or("");
    if url.starts_with("//") || head.ends_with(':') {
        return Url::External;
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let joined = match path.strip_prefix('/') {
        Some(rooted) => rooted.to_string(),
        None if page_dir.is_empty() => path.to_string(),
        None => format!("{page_dir}/{path}"),
    };
    Url::Internal(normalise(&joined))
}

/// A body moved onto another page (a compendium's print page): its relative links and
/// images point back into `page_dir`, and its ids (and links to them) take `prefix`, so
/// that the bodies of many cases can share one page.
pub fn embed(html: &str, page_dir: &str, prefix: &str) -> String {
    let relative = |url: &str| {
        let url = url.trim();
        !(url.is_empty()
            || url.starts_with(['/', '#', '\\'])
            || url.split('/').next().is_some_and(|s| s.contains(':')))
    };
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("[id]", |el: &mut Element| {
            let id = el.get_attribute("id").unwrap_or_default();
            el.set_attribute("id", &format!("{prefix}{id}"))?;
            Ok(())
        }))
        .append_element_content_handler(element!("a[href], img[src]", |el: &mut Element| {
            let attribute = if el.tag_name() == "img" {
                "src"
            } else {
                "href"
            };
            let url = el.get_attribute(attribute).unwrap_or_default();
            if let Some(fragment) = url.strip_prefix('#') {
                el.set_attribute(attribute, &format!("#{prefix}{fragment}"))?;
            } else if relative(&url) {
                el.set_attribute(attribute, &format!("/{page_dir}/{}", url.trim()))?;
            }
            Ok(())
        }));
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

/// The output file a URL written on the page in `page_dir` names, if it is internal.
pub fn target_of(url: &str, page_dir: &str) -> Option<String> {
    match classify(url, page_dir) {
        Url::Internal(target) => Some(target),
        _ => None,
    }
}

/// Resolves `.` and `..` segments; a path that climbs above the site keeps a leading
/// `../` so that it can never match a file. A folder (`x/`) means its `index.html`.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut escaped = false;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => escaped |= parts.pop().is_none(),
            other => parts.push(other),
        }
    }
    let mut joined = parts.join("/");
    if path.is_empty() || path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..") {
        joined = if joined.is_empty() {
            "index.html".to_string()
        } else {
            format!("{joined}/index.html")
        };
    }
    if escaped {
        format!("../{joined}")
    } else {
        joined
    }
}

/// The allowlist raw HTML in a body is cleaned with: ordinary formatting, tables,
/// images, `<details>`, footnotes and highlighted code stay; scripts, styles, frames,
/// plugins and forms go with their content; event handlers and `javascript:`, `vbscript:`
/// and non-image `data:` URLs go.
pub struct Sanitiser {
    builder: ammonia::Builder<'static>,
}

/// Elements removed together with everything inside them.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "form", "noscript", "template", "applet",
    "frameset", "frame",
];

impl Default for Sanitiser {
    fn default() -> Sanitiser {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(["input", "section"])
            .add_clean_content_tags(DROPPED_WITH_CONTENT.iter().copied())
            .add_generic_attributes(["id", "class", "aria-label", "aria-hidden"])
            .add_tag_attributes("pre", ["data-lang", "tabindex"])
            .add_tag_attributes("img", ["loading", "decoding"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .filter_style_properties(["text-align"].into_iter().collect())
            .add_url_schemes(["data"])
            .link_rel(None)
            .attribute_filter(|element, attribute, value| {
                let lower = value.trim_start().to_ascii_lowercase();
                match (element, attribute) {
                    ("input", "type") if value != "checkbox" => None,
                    // A code block is focusable for scrolling; nothing may reorder focus.
                    ("pre", "tabindex") if value != "0" => None,
                    (_, "class") => body_classes(value),
                    (_, "id") if is_theme_id(value) => None,
                    ("img", "src")
                        if lower.starts_with("data:image/")
                            && !lower.starts_with("data:image/svg") =>
                    {
                        Some(value.into())
                    }
                    _ if lower.starts_with("data:") => None,
                    _ => Some(value.into()),
                }
            });
        Sanitiser { builder }
    }
}

/// Of a `class` attribute in a body, the classes anli's own markdown writes (code blocks,
/// highlighting, footnotes): raw HTML may not borrow the theme's (a current case showing
/// the revoked banner).
fn body_classes(value: &str) -> Option<std::borrow::Cow<'_, str>> {
    const OWN: &[&str] = &[
        "code",
        "footnote-reference",
        "footnote-definition",
        "footnote-definition-label",
    ];
    let kept: Vec<&str> = value
        .split_whitespace()
        .filter(|c| OWN.contains(c) || c.starts_with("hl-"))
        .collect();
    (!kept.is_empty()).then(|| kept.join(" ").into())
}

/// Ids the theme's pages and `serve` use, which a body may not take (`id="anli-errors"`
/// would take over serve's error overlay).
fn is_theme_id(id: &str) -> bool {
    crate::markup::markdown::RESERVED_IDS.contains(&id) || id.starts_with("anli")
}

impl Sanitiser {
    /// The body HTML with everything outside the allowlist removed.
    pub fn clean(&self, html: &str) -> String {
        self.builder.clean(html).to_string()
    }
}

/// What the sanitiser will remove from a piece of raw HTML, in words for a warning:
/// `<script>`, `onclick`, `javascript:` …
pub fn unsafe_constructs(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for tag in DROPPED_WITH_CONTENT {
        if lower
            .match_indices(&format!("<{tag}"))
            .any(|(at, m)| !lower[at + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric()))
        {
            found.push(format!("<{tag}>"));
        }
    }
    for (at, _) in lower
        .match_indices(" on")
        .chain(lower.match_indices("\ton"))
    {
        let name: String = lower[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let rest = lower[at + 1 + name.len()..].trim_start();
        if name.len() > 2 && rest.starts_with('=') && !found.contains(&name) {
            found.push(name);
        }
    }
    for scheme in ["javascript:", "vbscript:"] {
        if lower.contains(scheme) {
            found.push(scheme.to_string());
        }
    }
    if lower.match_indices("data:").any(|(at, _)| {
        !lower[at..].starts_with("data:image/") || lower[at..].starts_with("data:image/svg")
    }) {
        found.push("data:".to_string());
    }
    found
}

/// Whether a link target written in markdown will be removed by the sanitiser.
pub fn is_unsafe_url(url: &str) -> bool {
    let lower: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || (lower.starts_with("data:") && !lower.starts_with("data:image/"))
        || lower.starts_with("data:image/svg")
}

/// A reference whose target is not among the site's files.
pub struct Broken<'r> {
    pub page: &'r str,
    pub reference: &'r Reference,
}

/// Every reference that names no file of the site. A path without a trailing slash may
/// name a folder's `index.html`.
pub fn broken_references<'r>(
    pages: &'r [(String, Vec<Reference>)],
    file_exists: impl Fn(&str) -> bool,
) -> Vec<Broken<'r>> {
    let exists = |target: &str| file_exists(target) || file_exists(&format!("{target}/index.html"));
    pages
        .iter()
        .flat_map(|(page, references)| references.iter().map(move |r| (page.as_str(), r)))
        .filter(|(_, r)| !exists(&r.target))
        .map(|(page, reference)| Broken { page, reference })
        .collect()
}

/// Pixel sizes of the image files among `files`: raster formats from their header, SVG
/// from the `width` and `height` of its root element.
pub fn image_sizes<'f>(
    files: impl Iterator<Item = (&'f str, &'f [u8])>,
) -> HashMap<String, (u32, u32)> {
    files
        .filter_map(|(path, contents)| {
            let size = if path.ends_with(".svg") {
                svg_size(contents)
            } else if [".png", ".jpg", ".jpeg", ".gif", ".webp"]
                .iter()
                .any(|e| path.to_ascii_lowercase().ends_with(e))
            {
                imagesize::blob_size(contents)
                    .ok()
                    .map(|s| (s.width as u32, s.height as u32))
            } else {
                None
            };
            size.map(|s| (path.to_string(), s))
        })
        .collect()
}

fn svg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let number = |name: &str| -> Option<u32> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let value = &tag[at..at + tag[at..].find('"')?];
        value
            .trim_end_matches("px")
            .trim()
            .parse::<f64>()
            .ok()
            .map(|v| v.round() as u32)
    };
    Some((number("width")?, number("height")?))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn run(page: &str, html: &str) -> Rewritten {
        let sizes = HashMap::from([("factories/x/a.png".to_string(), (640, 480))]);
        let images = Images {
            sizes: &sizes,
            photos: &photos(),
            print: false,
        };
        rewrite(page, html, "/anli", &images).unwrap()
    }

    /// `factories/x/车间 1.jpg`, processed to 480 and 960 pixels wide.
    fn photos() -> BTreeMap<String, Photo> {
        let file = |file: &str, width| PhotoFile {
            file: file.to_string(),
            width,
            height: width * 3 / 4,
        };
        let photo = Photo {
            webp: vec![file("480.webp", 480), file("960.webp", 960)],
            fallback: vec![file("480.jpg", 480), file("960.jpg", 960)],
            print: file("print.jpg", 1913),
            folder: Default::default(),
            prefix: "车间 1.0123456789.".to_string(),
        };
        BTreeMap::from([("factories/x/车间 1.jpg".to_string(), photo)])
    }

    #[test]
    fn a_photo_shows_its_sizes_as_webp_with_a_jpeg_fallback_and_prints_its_print_version() {
        let html = r#"<div class="body"><img src="车间%201.jpg" alt="车间"></div><img src="/factories/x/车间%201.jpg" alt="封面">"#;
        let out = run("factories/x/index.html", html);
        let body = r#"<picture><source type="image/webp" srcset="车间%201.0123456789.480.webp 480w, 车间%201.0123456789.960.webp 960w" sizes="(max-width: 50.5rem) calc(100vw - 2.5rem), 48rem"><img src="车间%201.0123456789.960.jpg" alt="车间" srcset="车间%201.0123456789.480.jpg 480w, 车间%201.0123456789.960.jpg 960w" sizes="(max-width: 50.5rem) calc(100vw - 2.5rem), 48rem" width="960" height="720" loading="lazy" decoding="async"></picture>"#;
        assert!(out.html.contains(body), "{}", out.html);
        let cover = r#"<source type="image/webp" srcset="/anli/factories/x/车间%201.0123456789.480.webp 480w, /anli/factories/x/车间%201.0123456789.960.webp 960w" sizes="(max-width: 74.5rem) calc(100vw - 2.5rem), 72rem"><img src="/anli/factories/x/车间%201.0123456789.960.jpg" alt="封面" srcset="/anli/factories/x/车间%201.0123456789.480.jpg 480w"#;
        assert!(out.html.contains(cover), "{}", out.html);
        assert!(
            !out.html[out.html.rfind("<picture>").unwrap_or(0)..].contains("loading"),
            "the cover, at the top, loads at once"
        );
        let targets: Vec<&str> = out.references.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(
            targets, ["factories/x/车间 1.0123456789.960.jpg"; 2],
            "the link check sees the version shown"
        );

        let sizes = HashMap::new();
        let images = Images {
            sizes: &sizes,
            photos: &photos(),
            print: true,
        };
        let printed = rewrite(
            "compendium/book/index.html",
            r#"<div class="body"><img src="../../factories/x/车间%201.jpg" alt="车间"></div>"#,
            "",
            &images,
        )
        .unwrap();
        assert!(printed.html.contains(r#"<img src="../../factories/x/车间%201.0123456789.print.jpg" alt="车间" width="1913" height="1434" loading="lazy" decoding="async">"#), "{}", printed.html);
    }

    #[test]
    fn root_relative_urls_get_the_base_path_and_are_recorded() {
        let out = run(
            "factories/x/index.html",
            r#"<a href="/regions/jiangsu/">江苏</a><link rel="stylesheet" href="/style.css"><a href="a.png">图</a>"#,
        );
        assert_eq!(
            out.html,
            r#"<a href="/anli/regions/jiangsu/">江苏</a><link rel="stylesheet" href="/anli/style.css"><a href="a.png">图</a>"#
        );
        let targets: Vec<&str> = out.references.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                "regions/jiangsu/index.html",
                "style.css",
                "factories/x/a.png"
            ]
        );
    }

    #[test]
    fn external_links_get_noopener_and_body_images_load_lazily() {
        let out = run(
            "factories/x/index.html",
            r#"<a href="https://example.org/" rel="external">外</a><div class="body"><img src="a.png" alt=""><h2 id="实施成效">实施成效</h2></div><img src="/logo.png">"#,
        );
        assert!(
            out.html
                .contains(r#"<a href="https://example.org/" rel="external noopener">"#)
        );
        assert!(out.html.contains(r#"<img src="a.png" alt="" loading="lazy" decoding="async" width="640" height="480">"#), "{}", out.html);
        assert!(out.html.contains(r##"<h2 id="实施成效">实施成效<a class="anchor" href="#实施成效" aria-label="本节链接">#</a></h2>"##));
        assert!(
            out.html.contains(r#"<img src="/anli/logo.png">"#),
            "images outside the body are left as they are"
        );
    }

    #[test]
    fn footnotes_link_back_to_their_first_citation() {
        let out = run(
            "a/index.html",
            r##"<div class="body"><p>甲<sup class="footnote-reference"><a href="#fn-1">1</a></sup>乙<sup class="footnote-reference"><a href="#fn-1">1</a></sup></p><div class="footnote-definition" id="fn-1"><sup class="footnote-definition-label">1</sup><p>注</p></div></div>"##,
        );
        assert_eq!(
            out.html.matches("id=\"ref-fn-1\"").count(),
            1,
            "{}",
            out.html
        );
        assert!(out.html.contains(r##"<p>注</p> <a class="footnote-back" href="#ref-fn-1" aria-label="返回正文">↩</a></div>"##), "{}", out.html);
    }

    #[test]
    fn relative_paths_resolve_against_the_page() {
        assert_eq!(
            classify("../y/", "factories/x"),
            Url::Internal("factories/y/index.html".into())
        );
        assert_eq!(classify("/", "a"), Url::Internal("index.html".into()));
        assert_eq!(
            classify("my%20pic.png?v=1#top", "a"),
            Url::Internal("a/my pic.png".into())
        );
        assert_eq!(
            classify("../../../etc/passwd", "a"),
            Url::Internal("../etc/passwd".into())
        );
        assert_eq!(classify("#fn-1", "a"), Url::Other);
        assert_eq!(classify("mailto:x@y.z", "a"), Url::Other);
        assert_eq!(classify("//cdn.example.org/x.js", "a"), Url::External);
        assert_eq!(
            classify("/nope/?r=http://x", "a"),
            Url::Internal("nope/index.html".into())
        );
        assert_eq!(
            classify(" /about/", "a"),
            Url::Internal("about/index.html".into())
        );
    }

    #[test]
    fn broken_references_are_found() {
        let pages = vec![(
            "index.html".to_string(),
            vec![
                Reference {
                    written: "/a/".into(),
                    target: "a/index.html".into(),
                    is_image: false,
                },
                Reference {
                    written: "/b".into(),
                    target: "b".into(),
                    is_image: false,
                },
                Reference {
                    written: "/c/".into(),
                    target: "c/index.html".into(),
                    is_image: false,
                },
            ],
        )];
        let files = BTreeSet::from(["a/index.html", "b/index.html"]);
        let broken = broken_references(&pages, |f| files.contains(f));
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].reference.written, "/c/");
    }

    #[test]
    fn raw_html_is_cleaned_and_what_goes_is_named() {
        let sanitiser = Sanitiser::default();
        let html = r#"<p>正文<script>alert(1)</script><img src="a.png" onerror="x()"><a href="javascript:alert(2)">点</a></p><iframe src="https://x.org/">框</iframe><table><tr><td style="text-align: center; color: red">格</td></tr></table><details><summary>展开</summary>内容</details><form><input type="text"></form><input disabled="" type="checkbox"/><img src="data:image/png;base64,AAAA"><pre class="code" data-lang="rust"><code><span class="hl-source">x</span></code></pre>"#;
        let clean = sanitiser.clean(html);
        for gone in [
            "script",
            "alert",
            "onerror",
            "javascript",
            "iframe",
            "框",
            "form",
            "type=\"text\"",
            "color",
        ] {
            assert!(!clean.contains(gone), "{gone} survived: {clean}");
        }
        for kept in [
            "<img src=\"a.png\">",
            "<td style=\"text-align:center\">格</td>",
            "<details><summary>展开</summary>内容</details>",
            "type=\"checkbox\"",
            "data:image/png",
            "data-lang=\"rust\"",
            "class=\"hl-source\"",
        ] {
            assert!(clean.contains(kept), "{kept} lost: {clean}");
        }
        assert_eq!(
            unsafe_constructs(r#"<script>x</script><img onerror = "y"><a href="JavaScript:z">"#),
            ["<script>", "onerror", "javascript:"]
        );
        assert!(unsafe_constructs("<p>onboarding=ok <scripts></p>").is_empty());
        assert!(is_unsafe_url(" java\tscript:alert(1)"));
        assert!(!is_unsafe_url("data:image/png;base64,AA"));
    }

    #[test]
    fn bodies_keep_their_own_classes_and_ids_but_not_the_themes() {
        let html = Sanitiser::default().clean(
            r#"<div class="revoked-banner badge" id="anli-errors"><p id="main">x</p><p id="step-2" class="hl-keyword note">y</p><pre class="code"></pre></div>"#,
        );
        assert_eq!(
            html,
            r#"<div><p>x</p><p id="step-2" class="hl-keyword">y</p><pre class="code"></pre></div>"#
        );
    }

    #[test]
    fn pages_without_an_element_of_class_body_skip_the_body_handlers() {
        for html in [
            "<body><table><tbody></tbody></table></body>",
            "<p class=\"card-body\">",
        ] {
            assert!(!may_have_body(html), "{html}");
        }
        for html in [
            "<div class=\"body\">",
            "<div class='x body'>",
            "<div class=body>",
        ] {
            assert!(may_have_body(html), "{html}");
        }
        let page = "<main><div class=\"body\"><h2 id=\"a\">A</h2></div></main>";
        assert!(
            run("scenarios/x/index.html", page)
                .html
                .contains("class=\"anchor\"")
        );
    }

    #[test]
    fn svg_sizes_come_from_the_root_element() {
        assert_eq!(svg_size(br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="450px">"#), Some((800, 450)));
        assert_eq!(svg_size(br#"<svg viewBox="0 0 10 10">"#), None);
    }
}
