//! Markdown to HTML in one pass over pulldown-cmark's event stream: heading ids, code
//! highlighting with CSS classes, base_url on root-relative links, the CJK soft-break
//! fix, image references for validation, and the plain text for summaries. Emphasis next
//! to Chinese follows the CJK-friendly amendment to CommonMark inside the parser itself
//! (`vendor/pulldown-cmark`, see its PATCHED.md for why there).

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const THEME: &str = "InspiredGitHub";

/// Syntax definitions, loaded once per run and shared by every page.
pub struct Highlighter {
    syntaxes: SyntaxSet,
}

impl Default for Highlighter {
    fn default() -> Highlighter {
        Highlighter {
            syntaxes: SyntaxSet::load_defaults_newlines(),
        }
    }
}

impl Highlighter {
    /// The stylesheet for the highlight classes, appended to the site's one stylesheet.
    pub fn css() -> String {
        let themes = ThemeSet::load_defaults();
        themes
            .themes
            .get(THEME)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            .map(|css| legible(&css))
            .unwrap_or_default()
    }

    fn highlight(&self, lang: &str, code: &str) -> String {
        let syntax = self
            .syntaxes
            .find_syntax_by_token(lang)
            .unwrap_or_else(|| self.syntaxes.find_syntax_plain_text());
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return escape_html(code);
            }
        }
        generator.finalize()
    }
}

/// A rendered markdown body.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    /// Local (relative) image paths with their byte offset in the markdown.
    pub images: Vec<(String, usize)>,
    /// The byte offsets (of the path) of local images written without alt text (`![](…)`).
    pub images_without_alt: Vec<usize>,
    /// Link and image targets as written, with their byte offset, so a broken or unsafe
    /// one can be reported at its line.
    pub links: Vec<(String, usize)>,
    /// Raw HTML as written, with its byte offset, for the sanitiser's warnings.
    pub raw_html: Vec<(String, usize)>,
    /// The text of the body's paragraphs, for summaries.
    pub text: String,
    /// The byte offset where quotes, lists and emphasis first nest deeper than
    /// [`MAX_NESTING`]: such a body is refused.
    pub too_deep: Option<usize>,
    /// The byte offset of the table cell past [`MAX_TABLE_CELLS`] in the body: such a
    /// body is refused.
    pub too_many_cells: Option<usize>,
}

/// Table cells one body may hold. Typst needs about 30 KB per cell to lay out a table
/// (a 48,000-cell table took 1.45 GB), so this bounds what one case adds to a
/// compendium's memory at about 300 MB; a 2 MiB body of text takes 440 MB.
pub const MAX_TABLE_CELLS: usize = 10_000;

/// How deep quotes, lists, emphasis and the like may nest in a body. The HTML sanitiser
/// takes time that grows with depth times length, so a body of `> - ` repeated would take
/// hours; real writing stays within a few levels, and so does a printed page.
pub const MAX_NESTING: usize = 32;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Ids the theme's templates use, which headings and raw HTML in a body must not take.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "overview",
    "latest",
    "related",
    "members",
    "toc",
    "toc-title",
    "compendia",
    "unit-index",
    "library-q",
    "results-heading",
    "facets-heading",
    "results-sort",
    "site-search-q",
];

/// Renders `markdown`. Links stay as written: the rewrite stage puts `base_url` in front
/// of root-relative ones and checks them all.
pub fn render(markdown: &str, highlighter: &Highlighter) -> Rendered {
    let mut rendered = Rendered::default();
    let events = parse(markdown, highlighter, &mut rendered);
    let mut events = keep_digit_groups(join_cjk_soft_breaks(events));
    rendered.headings = name_headings(&mut events);
    rendered.text = paragraph_text(&events);
    pulldown_cmark::html::push_html(&mut rendered.html, events.into_iter());
    rendered
}

/// The background code blocks sit on (`pre.code` in the default theme's stylesheet).
const CODE_BACKGROUND: [u8; 3] = [0xf6, 0xf8, 0xfa];

/// WCAG AA's contrast for text.
const MIN_CONTRAST: f64 = 4.5;

/// The highlight theme's text colours, each darkened until it reads at [`MIN_CONTRAST`]
/// on its rule's background (or the code block's): some of the theme's greys and
/// oranges do not.
fn legible(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    for rule in css.split_inclusive('}') {
        let background = rule_background(rule);
        for line in rule.split_inclusive('\n') {
            match line.trim().strip_prefix("color:").and_then(hex_colour) {
                Some(colour) => {
                    let [r, g, b] = readable_on(colour, background);
                    let end = if line.ends_with('\n') { "\n" } else { "" };
                    out.push_str(&format!(" color: #{r:02x}{g:02x}{b:02x};{end}"));
                }
                None => out.push_str(line),
            }
        }
    }
    out
}

/// The background a CSS rule sets, or the code block's.
fn rule_background(rule: &str) -> [u8; 3] {
    rule.lines()
        .find_map(|l| l.trim().strip_prefix("background-color:"))
        .and_then(hex_colour)
        .unwrap_or(CODE_BACKGROUND)
}

/// `#rgb` or `#rrggbb` (with a trailing `;`).
fn hex_colour(value: &str) -> Option<[u8; 3]> {
    let hex = value
        .trim()
        .trim_end_matches(';')
        .trim()
        .strip_prefix('#')?;
    let digits: Vec<u8> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    match digits[..] {
        [r, g, b] => Some([r * 17, g * 17, b * 17]),
        [r1, r2, g1, g2, b1, b2] => Some([r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2]),
        _ => None,
    }
}

fn luminance(colour: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = colour.map(channel);
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// `colour`, darkened step by step until it reads on `background`.
fn readable_on(mut colour: [u8; 3], background: [u8; 3]) -> [u8; 3] {
    while contrast(colour, background) < MIN_CONTRAST && colour != [0, 0, 0] {
        colour = colour.map(|c| (f64::from(c) * 0.9) as u8);
    }
    colour
}

/// The markdown extensions case bodies may use.
const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_HEADING_ATTRIBUTES);

/// The body's events with the Chinese soft-break fix, for writers other
/// than HTML (the compendium's Typst). Footnote labels are as written.
pub fn events(markdown: &str) -> Vec<Event<'_>> {
    join_cjk_soft_breaks(Parser::new_ext(markdown, OPTIONS).collect())
}

/// The event stream with code highlighted and footnote labels prefixed; links and local
/// images are recorded with the byte offset of their target.
fn parse<'a>(
    markdown: &'a str,
    highlighter: &Highlighter,
    rendered: &mut Rendered,
) -> Vec<Event<'a>> {
    let mut events: Vec<Event> = Vec::new();
    let mut code: Option<(String, String)> = None;
    let mut depth = 0usize;
    let mut cells = 0usize;
    for (event, range) in Parser::new_ext(markdown, OPTIONS).into_offset_iter() {
        if let Some((lang, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    events.push(Event::Html(code_block(lang, text, highlighter).into()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match &event {
            Event::Start(Tag::CodeBlock(_)) => {}
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING && rendered.too_deep.is_none() {
            rendered.too_deep = Some(range.start);
        }
        if matches!(event, Event::Start(Tag::TableCell)) {
            cells += 1;
            if cells == MAX_TABLE_CELLS + 1 {
                rendered.too_many_cells = Some(range.start);
            }
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            // Footnote ids get a prefix so `[^1]` cannot collide with a heading's id.
            Event::FootnoteReference(label) => {
                events.push(Event::FootnoteReference(format!("fn-{label}").into()))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                events.push(Event::Start(Tag::FootnoteDefinition(
                    format!("fn-{label}").into(),
                )));
            }
            Event::Start(
                ref tag @ (Tag::Image { ref dest_url, .. } | Tag::Link { ref dest_url, .. }),
            ) => {
                // Point at the target itself when it is written inline.
                let at = markdown[range.clone()]
                    .find(dest_url.as_ref())
                    .map_or(range.start, |i| range.start + i);
                if matches!(tag, Tag::Image { .. }) && is_local_path(dest_url) {
                    rendered.images.push((dest_url.to_string(), at));
                    if markdown[range.clone()].starts_with("![]") {
                        rendered.images_without_alt.push(at);
                    }
                }
                rendered.links.push((dest_url.to_string(), at));
                events.push(event);
            }
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                rendered.raw_html.push((html.to_string(), range.start));
                events.push(event);
            }
            event => events.push(event),
        }
    }
    events
}

/// The text of the body's paragraphs, leaving out image descriptions and footnotes, for
/// summaries.
fn paragraph_text(events: &[Event]) -> String {
    let mut text = String::new();
    let (mut paragraph, mut image, mut footnote) = (0usize, 0usize, 0usize);
    for event in events {
        match event {
            Event::Start(Tag::Paragraph) => paragraph += 1,
            Event::End(TagEnd::Paragraph) => paragraph = paragraph.saturating_sub(1),
            Event::Start(Tag::Image { .. }) => image += 1,
            Event::End(TagEnd::Image) => image = image.saturating_sub(1),
            Event::Start(Tag::FootnoteDefinition(_)) => footnote += 1,
            Event::End(TagEnd::FootnoteDefinition) => footnote = footnote.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if paragraph > 0 && image == 0 && footnote == 0 => {
                text.push_str(t)
            }
            _ => {}
        }
    }
    text
}

fn code_block(lang: &str, code: &str, highlighter: &Highlighter) -> String {
    let body = if lang.is_empty() {
        escape_html(code)
    } else {
        highlighter.highlight(lang, code)
    };
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape_html(lang))
    };
    // Focusable, so a keyboard can scroll a long line into view.
    format!("<pre class=\"code\" tabindex=\"0\"{lang_attr}><code>{body}</code></pre>\n")
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// A relative path to a file beside the case (not a URL, not root-relative, not a fragment).
fn is_local_path(url: &str) -> bool {
    // A colon before any slash is a scheme (`https:`, `data:`, `javascript:`).
    let has_scheme = url
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'));
    !(url.is_empty()
        || url.starts_with('/')
        || url.starts_with('#')
        || url.starts_with('\\')
        || has_scheme)
}

/// Gives every heading a stable id, unique in the page: its own `{#id}` if it has one,
/// otherwise its text with punctuation dropped (Chinese kept). Other heading attributes
/// (`{.class onclick=…}`) are dropped: an editor may choose an anchor, not markup.
fn name_headings(events: &mut [Event]) -> Vec<Heading> {
    let mut taken: HashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    // An editor's own `{#id}` is kept where it is the first of its name and not the
    // theme's; automatic ids make way for it.
    let mut own_ids: HashSet<String> = HashSet::new();
    for event in events.iter() {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = event
            && !taken.contains(id.as_ref())
        {
            own_ids.insert(id.to_string());
        }
    }
    taken.extend(own_ids.iter().cloned());
    let mut next = HashMap::new();
    let mut headings = Vec::new();
    for start in 0..events.len() {
        let Event::Start(Tag::Heading { .. }) = &events[start] else {
            continue;
        };
        let text: String = events[start + 1..]
            .iter()
            .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        if let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = &mut events[start]
        {
            classes.clear();
            attrs.clear();
            let unique = match id {
                Some(own) if own_ids.remove(own.as_ref()) => own.to_string(),
                Some(own) => unique_id(own.to_string(), &mut taken, &mut next),
                None => unique_id(heading_id(&text), &mut taken, &mut next),
            };
            *id = Some(unique.clone().into());
            headings.push(Heading {
                level: heading_level(*level),
                id: unique,
                text,
            });
        }
    }
    headings
}

/// `base`, or `base-1`, `base-2`… whichever is not taken yet; marks it taken. `next`
/// remembers the last number tried per base, so ten thousand equal headings stay linear.
fn unique_id(
    base: String,
    taken: &mut HashSet<String>,
    next: &mut HashMap<String, usize>,
) -> String {
    let mut unique = base.clone();
    let n = next.entry(base.clone()).or_insert(0);
    while taken.contains(&unique) {
        *n += 1;
        unique = format!("{base}-{n}");
    }
    taken.insert(unique.clone());
    unique
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// `实施成效` → `实施成效`; `1. 5G 专网建设` → `1-5g-专网建设`.
pub fn heading_id(text: &str) -> String {
    let mut id = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '.' || c == '_')
            && !id.ends_with('-')
            && !id.is_empty()
        {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    if id.is_empty() {
        "section".to_string()
    } else {
        id.to_string()
    }
}

/// Whether a character belongs to Chinese text: ideographs, CJK and full-width punctuation,
/// and the curly quotes and ellipsis Chinese uses.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' |
        '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{2FA1F}' |
        '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{2026}' | '\u{2014}' | '\u{00B7}')
}

/// Full-width punctuation, which carries its own spacing.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' |
        '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}' | '\u{2018}'..='\u{201F}' | '\u{2026}' | '\u{2014}')
}

/// A line break inside a Chinese sentence is not a space: drop a soft break between two
/// CJK characters or next to full-width punctuation, keep it elsewhere (`5G\n专网`).
fn join_cjk_soft_breaks(events: Vec<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut iter = events.into_iter().peekable();
    while let Some(event) = iter.next() {
        if let Event::SoftBreak = event {
            let before = out
                .last()
                .and_then(|e| text_of(e).and_then(|t| t.chars().last()));
            let after = iter
                .peek()
                .and_then(|e| text_of(e).and_then(|t| t.chars().next()));
            let both_cjk = before.is_some_and(is_cjk) && after.is_some_and(is_cjk);
            if both_cjk
                || before.is_some_and(is_cjk_punctuation)
                || after.is_some_and(is_cjk_punctuation)
            {
                continue;
            }
        }
        out.push(event);
    }
    out
}

/// Text with each number's digit groups kept on one line (`8 000`). Code blocks are
/// already HTML here; inline code is not text.
fn keep_digit_groups(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .map(|event| match event {
            Event::Text(t) => match crate::base::text::keep_digit_groups(&t) {
                std::borrow::Cow::Owned(joined) => Event::Text(joined.into()),
                std::borrow::Cow::Borrowed(_) => Event::Text(t),
            },
            event => event,
        })
        .collect()
}

fn text_of<'e>(event: &'e Event) -> Option<&'e str> {
    match event {
        Event::Text(t) => Some(t),
        _ => None,
    }
}

/// A summary of at most `limit` characters, whitespace folded. It ends at the last
/// sentence end (。！？) when that keeps at least half the limit, otherwise it is cut
/// between two characters, never inside one, and marked with `…`.
pub fn summarise(text: &str, limit: usize) -> String {
    let folded: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= limit {
        return folded;
    }
    let head: String = folded.chars().take(limit).collect();
    let sentence_end = head
        .char_indices()
        .rfind(|(_, c)| matches!(c, '。' | '！' | '？'));
    match sentence_end {
        Some((at, c)) if head[..at].chars().count() >= limit / 2 => {
            head[..at + c.len_utf8()].to_string()
        }
        _ => format!("{}…", head.trim_end()),
    }
}

/// Minutes to read a text: Chinese is read at about 400 characters a minute, and a
/// Latin word counts as one character.
pub fn reading_minutes(text: &str) -> usize {
    let cjk = text.chars().filter(|&c| is_cjk(c)).count();
    let words = text
        .split(|c: char| c.is_whitespace() || is_cjk(c))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    (cjk + words).div_ceil(400).max(1)
}

/// The file a relative image URL names: without `?query` or `#fragment`, percent-decoded
/// (`my%20pic.png` is the file `my pic.png`).
pub fn asset_path(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(md, &Highlighter::default()).html
    }

    #[test]
    fn bold_lead_in_before_chinese_text() {
        assert_eq!(
            html("**实施成效：**生产效率提升"),
            "<p><strong>实施成效：</strong>生产效率提升</p>\n"
        );
        assert_eq!(
            html("**成效：**提升，**质量：**提高"),
            "<p><strong>成效：</strong>提升，<strong>质量：</strong>提高</p>\n"
        );
        assert_eq!(html("*注：*见下表"), "<p><em>注：</em>见下表</p>\n");
    }

    #[test]
    fn ordinary_asterisks_stay_literal() {
        assert_eq!(html("2 * 3 * 4"), "<p>2 * 3 * 4</p>\n");
        assert_eq!(html("**bold** text"), "<p><strong>bold</strong> text</p>\n");
        assert_eq!(html("单价 * 数量"), "<p>单价 * 数量</p>\n");
    }

    #[test]
    fn every_highlight_colour_reads_on_its_background() {
        let css = Highlighter::css();
        let mut checked = 0;
        for rule in css.split_inclusive('}') {
            let background = rule_background(rule);
            for colour in rule
                .lines()
                .filter_map(|l| l.trim().strip_prefix("color:").and_then(hex_colour))
            {
                assert!(
                    contrast(colour, background) >= MIN_CONTRAST,
                    "{colour:?} on {background:?} in {rule}"
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "{checked} colours");
        assert!(
            !css.contains("#969896"),
            "the theme's grey comments are darkened"
        );
    }

    #[test]
    fn soft_break_between_chinese_characters_is_dropped() {
        assert_eq!(html("生产效率\n提升了"), "<p>生产效率提升了</p>\n");
        assert_eq!(html("提升，\n质量"), "<p>提升，质量</p>\n");
        assert_eq!(html("5G\nnetwork"), "<p>5G\nnetwork</p>\n");
        assert_eq!(html("采用 5G\n专网"), "<p>采用 5G\n专网</p>\n");
        assert_eq!(html("水平。\n2021 年"), "<p>水平。2021 年</p>\n");
    }

    #[test]
    fn chinese_heading_ids_are_stable_and_unique() {
        let r = render(
            "## 企业概况\n\n## 实施成效\n\n## 实施成效\n\n## 1. 5G 专网建设\n\n## 自定 {#custom}\n",
            &Highlighter::default(),
        );
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        let own = render(
            "## 甲 {#b}\n\n## b\n\n## 乙 {#b}\n\n## 丙 {#main}\n",
            &Highlighter::default(),
        );
        let own_ids: Vec<&str> = own.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            own_ids,
            ["b", "b-1", "b-2", "main-1"],
            "own ids win, repeats and theme ids are numbered"
        );
        assert_eq!(
            ids,
            [
                "企业概况",
                "实施成效",
                "实施成效-1",
                "1-5g-专网建设",
                "custom"
            ]
        );
        assert!(r.html.contains("<h2 id=\"企业概况\">企业概况</h2>"));
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let out = html("```python\nx = 1\n```\n");
        assert!(out.starts_with("<pre class=\"code\" tabindex=\"0\" data-lang=\"python\"><code><span class=\"hl-source hl-python\">"), "{out}");
        assert!(!out.contains("style="));
    }

    #[test]
    fn links_and_images_are_recorded_where_they_are_written() {
        let md = "[关于](/about/) ![图](a.png) [外](https://x.org/)";
        let r = render(md, &Highlighter::default());
        assert!(r.html.contains("href=\"/about/\""));
        assert_eq!(r.images, [("a.png".to_string(), md.find("a.png").unwrap())]);
        assert_eq!(
            r.links[0],
            ("/about/".to_string(), md.find("/about/").unwrap())
        );
    }

    #[test]
    fn summaries_end_at_a_sentence_or_between_characters() {
        assert_eq!(summarise("智能制造示范工厂", 4), "智能制造…");
        assert_eq!(summarise("第一句话。第二句很长很长", 8), "第一句话。");
        assert_eq!(
            summarise("短。后面是很长的一句话没有句号", 10),
            "短。后面是很长的一句…"
        );
        assert_eq!(reading_minutes(&"字".repeat(401)), 2);
        assert_eq!(reading_minutes("5G 专网"), 1);
        assert_eq!(summarise("短", 4), "短");
        assert_eq!(summarise("a  b\nc", 10), "a b c");
    }
}
