//! The Typst markup of a compendium, generated from the model and the case markdown.
//! Every piece of text from a case or from `site.yaml` goes in as a Typst string literal
//! (`#"…";`), so nothing an editor writes can run as Typst code.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Tag, TagEnd};

use crate::input::taxonomy::Kind;
use crate::model::Site;
use crate::model::compendium::{self, Compendium};

/// A compendium as Typst source, with what the `World` and the checks need.
pub struct Markup {
    pub text: String,
    /// Virtual path → file, for every image the markup shows.
    pub images: Vec<(String, PathBuf)>,
    /// Which file each part of `text` came from, for errors and missing glyphs.
    pub sections: Vec<Section>,
    /// Chinese characters put in from cases and pages; at least as many must be laid out.
    pub ideographs: usize,
}

pub struct Section {
    pub file: String,
    pub range: Range<usize>,
    /// Every character of its text.
    pub chars: BTreeSet<char>,
}

/// Typst string literal for `text`.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Image formats Typst reads.
const IMAGE_TYPES: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp"];

/// The font lists and the book design that wrap the generated chapters.
pub struct Design<'d> {
    pub stacks: &'d super::world::Stacks,
    /// `book.typ`, with the file it came from.
    pub prelude: (&'d str, &'d str),
}

/// Writes the whole book: cover, preface, contents, chapters, index of units; with every
/// character of `replaced` (which no font has) set as 〓.
pub fn document(
    site: &Site,
    book: &Compendium,
    design: &Design,
    replaced: &BTreeSet<char>,
) -> Markup {
    let mut w = Writer::new(site, replaced);
    w.qr_codes = book.qr_codes;
    w.begin(crate::input::config::FILE_NAME);
    let cover = book.cover_image.as_ref().map(|path| w.image_path(path));
    w.raw("#let book = (title: ");
    w.value(&book.title);
    for (key, value) in [
        ("subtitle", &book.subtitle),
        ("organiser", &book.organiser),
        ("date", &book.date),
        ("cover", &cover),
    ] {
        w.raw(&format!(", {key}: "));
        match value {
            Some(v) => w.value(v),
            None => w.raw("none"),
        }
    }
    let stacks = design.stacks;
    w.raw(&format!(
        ", duplex: {}, serif: {}, sans: {}, mono: {})\n",
        book.duplex, stacks.serif, stacks.sans, stacks.mono
    ));
    w.begin(design.prelude.1);
    w.design(design.prelude.0);
    w.raw("\n#cover-page()\n#set page(header: running-header, footer: page-footer, numbering: \"i\")\n#counter(page).update(1)\n");
    if let Some(i) = book.preface {
        let page = &site.pages[i];
        w.begin(&page.source.path);
        w.raw("#heading(level: 1, numbering: none)[");
        w.text(&page.title);
        w.raw("] <opener>\n");
        w.body(page.body(), Path::new(crate::input::content::PAGES_DIR));
    }
    // Page 1 is a right-hand page when the book is printed on both sides.
    w.raw("#contents()\n#pagebreak(weak: true, to: if book.duplex { \"odd\" } else { none })\n#set page(numbering: \"1\")\n#counter(page).update(1)\n");
    for chapter in &book.chapters {
        w.begin(crate::input::config::FILE_NAME);
        let Some((&first, rest)) = chapter.cases.split_first() else {
            continue;
        };
        if chapter.opener {
            w.raw("#heading(level: 1, numbering: chapter-number)[");
            w.text(&chapter.title);
            w.raw("] <opener>\n");
            w.case(first);
        } else {
            // A chapter of few cases: its title above its first case, on that page.
            w.raw("#pagebreak(weak: true)\n#[\n#show heading.where(level: 1): chapter-inline\n#show heading.where(level: 2): case-title\n#heading(level: 1, numbering: chapter-number)[");
            w.text(&chapter.title);
            w.raw("]\n");
            w.case(first);
            w.raw("]\n");
        }
        for &i in rest {
            w.case(i);
        }
    }
    w.begin(crate::input::config::FILE_NAME);
    w.unit_index(book);
    w.finish()
}

struct Writer<'s> {
    site: &'s Site,
    replaced: &'s BTreeSet<char>,
    out: String,
    sections: Vec<Section>,
    images: Vec<(String, PathBuf)>,
    ideographs: usize,
    footnotes: usize,
    /// Whether each case carries a QR code of its web address.
    qr_codes: bool,
}

impl<'s> Writer<'s> {
    fn new(site: &'s Site, replaced: &'s BTreeSet<char>) -> Writer<'s> {
        Writer {
            site,
            replaced,
            out: String::new(),
            sections: Vec::new(),
            images: Vec::new(),
            ideographs: 0,
            footnotes: 0,
            qr_codes: false,
        }
    }

    /// Starts the part of the markup that comes from `file`.
    fn begin(&mut self, file: &str) {
        let at = self.out.len();
        if let Some(last) = self.sections.last_mut() {
            last.range.end = at;
        }
        self.sections.push(Section {
            file: file.to_string(),
            range: at..at,
            chars: BTreeSet::new(),
        });
    }

    fn finish(mut self) -> Markup {
        let end = self.out.len();
        if let Some(last) = self.sections.last_mut() {
            last.range.end = end;
        }
        Markup {
            text: self.out,
            images: self.images,
            sections: self.sections,
            ideographs: self.ideographs,
        }
    }

    fn raw(&mut self, markup: &str) {
        if let Some(section) = self.sections.last_mut() {
            section
                .chars
                .extend(markup.chars().filter(|c| !c.is_ascii()));
        }
        self.out.push_str(markup);
    }

    /// The book design's Typst code: its characters count, except in comments, which
    /// are never typeset (a note about a glyph must not ask for that glyph).
    fn design(&mut self, code: &str) {
        fn typeset_chars(node: &typst::syntax::SyntaxNode, chars: &mut BTreeSet<char>) {
            use typst::syntax::SyntaxKind::{BlockComment, LineComment};
            match node.kind() {
                LineComment | BlockComment => {}
                _ if node.children().len() == 0 => {
                    chars.extend(node.leaf_text().chars().filter(|c| !c.is_ascii()))
                }
                _ => node
                    .children()
                    .for_each(|child| typeset_chars(child, chars)),
            }
        }
        if let Some(section) = self.sections.last_mut() {
            typeset_chars(&typst::syntax::parse(code), &mut section.chars);
        }
        self.out.push_str(code);
    }

    /// A string value in code (`"…"`), its characters recorded.
    fn value(&mut self, text: &str) {
        if let Some(section) = self.sections.last_mut() {
            section.chars.extend(text.chars());
        }
        let replaced: String;
        let text = if text.chars().any(|c| self.replaced.contains(&c)) {
            replaced = text
                .chars()
                .map(|c| match self.replaced.contains(&c) {
                    true => super::world::REPLACEMENT,
                    false => c,
                })
                .collect();
            &replaced
        } else {
            text
        };
        self.ideographs += text
            .chars()
            .filter(|&c| super::world::is_ideograph(c))
            .count();
        self.out.push_str(&string(text));
    }

    /// Text in markup, a number's digit groups kept on one line.
    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.out.push('#');
        self.value(&crate::base::text::keep_digit_groups(text));
        self.out.push(';');
    }

    /// The virtual path under which Typst reads `path`.
    fn image_path(&mut self, path: &Path) -> String {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let vpath = format!("/images/{}.{ext}", self.images.len());
        self.images.push((vpath.clone(), path.to_path_buf()));
        vpath
    }

    /// One case: title, metadata, key figures and body, starting a page.
    fn case(&mut self, index: usize) {
        let site = self.site;
        let case = &site.cases[index];
        self.begin(&case.source.path);
        self.raw("#heading(level: 2)[");
        self.text(&case.title);
        self.raw(&format!("] <case-{index}>\n"));
        self.raw("#case-meta(");
        if self.qr_codes {
            let address = site.config.absolute_url(&crate::site::urls::case_url(case));
            // An SVG of ASCII only: no characters for the fonts to cover.
            self.raw(&format!("qr: bytes({}), ", string(&qr_svg(&address))));
        }
        self.raw("(");
        for (label, value) in crate::site::labels::case_facts(site, index) {
            self.raw("(");
            self.value(label);
            self.raw(", ");
            self.value(&value);
            self.raw("), ");
        }
        self.raw("))\n");
        if !case.metrics.is_empty() {
            // The 说明 column only when some figure has a note.
            let notes = case.metrics.iter().any(|m| m.note.is_some());
            self.raw(&format!("#case-metrics(notes: {notes}, ("));
            for m in &case.metrics {
                self.raw("(");
                let note = m.note.as_deref().filter(|_| notes);
                for cell in [Some(m.name.as_str()), Some(m.value.as_str()), note]
                    .into_iter()
                    .flatten()
                {
                    self.raw("[");
                    self.text(cell);
                    self.raw("], ");
                }
                self.raw("), ");
            }
            self.raw("))\n");
        }
        self.body(case.body(), &case.dir);
    }

    /// A markdown body. Headings start at level 3, below the case title.
    fn body(&mut self, markdown: &str, dir: &Path) {
        let events = crate::markup::markdown::events(markdown);
        let (events, notes) = split_footnotes(events);
        let mut state = BodyState {
            dir,
            notes,
            numbered: HashMap::new(),
            links: Vec::new(),
            quotes: 0,
        };
        let mut iter = events.into_iter();
        while let Some(event) = iter.next() {
            self.event(event, &mut iter, &mut state);
        }
        self.raw("\n\n");
    }

    fn event<'e>(
        &mut self,
        event: Event<'e>,
        rest: &mut Events<'e>,
        state: &mut BodyState<'_, 'e>,
    ) {
        match event {
            Event::Start(tag) => self.start(tag, rest, state),
            Event::End(tag) => self.end(tag, state),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => {
                self.raw("#raw(");
                self.value(&t);
                self.raw(");");
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.raw("#linebreak();"),
            Event::Html(h) | Event::InlineHtml(h) if h.trim_start().starts_with("<br") => {
                self.raw("#linebreak();")
            }
            Event::Rule => self.raw("\n#line(length: 100%, stroke: 0.5pt)\n"),
            Event::TaskListMarker(done) => self.text(if done { "■ " } else { "□ " }),
            Event::FootnoteReference(label) => self.footnote(&label, state),
            _ => {}
        }
    }

    fn start<'e>(&mut self, tag: Tag<'e>, rest: &mut Events<'e>, state: &mut BodyState<'_, 'e>) {
        match tag {
            Tag::Heading { level, .. } => {
                let level = (heading_level(level) + 1).clamp(3, 6);
                self.raw(&format!("\n#heading(level: {level}, outlined: false)["));
            }
            Tag::BlockQuote(_) => {
                state.quotes += 1;
                if state.quotes <= MAX_PRINTED_QUOTES {
                    self.raw("#quote(block: true)[");
                }
            }
            Tag::CodeBlock(kind) => self.code_block(kind, rest),
            Tag::List(None) => self.raw("#list("),
            Tag::List(Some(start)) => self.raw(&format!("#enum(start: {start}, ")),
            Tag::Item => self.raw("["),
            Tag::Table(alignments) => self.raw(&table_start(&alignments)),
            Tag::TableHead => self.raw("table.header("),
            Tag::TableCell => self.raw("["),
            Tag::Emphasis => self.raw("#emph["),
            Tag::Strong => self.raw("#strong["),
            Tag::Strikethrough => self.raw("#strike["),
            Tag::Link { dest_url, .. } => {
                let target = self.link_target(&dest_url);
                if let Some(url) = &target {
                    self.raw("#link(");
                    self.value(url);
                    self.raw(")[");
                }
                state.links.push(target.is_some());
            }
            Tag::Image { dest_url, .. } => {
                let alt = plain_text(rest, TagEnd::Image);
                self.image(&dest_url, &alt, state.dir);
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd, state: &mut BodyState) {
        match tag {
            TagEnd::Paragraph => self.raw("\n\n"),
            TagEnd::Heading(_) => self.raw("]\n\n"),
            TagEnd::BlockQuote(_) => {
                if state.quotes <= MAX_PRINTED_QUOTES {
                    self.raw("]\n\n");
                }
                state.quotes = state.quotes.saturating_sub(1);
            }
            TagEnd::List(_) => self.raw(");\n\n"),
            TagEnd::Item | TagEnd::TableCell => self.raw("], "),
            TagEnd::TableHead => self.raw("), "),
            TagEnd::Table => self.raw(");\n\n"),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.raw("];"),
            TagEnd::Link if state.links.pop() == Some(true) => self.raw("];"),
            _ => {}
        }
    }

    fn code_block<'e>(&mut self, kind: CodeBlockKind, rest: &mut Events<'e>) {
        let mut code = String::new();
        for event in rest.by_ref() {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        self.raw("\n#raw(block: true, ");
        if let CodeBlockKind::Fenced(info) = kind
            && let Some(lang) = info.split_whitespace().next()
        {
            self.raw("lang: ");
            self.value(lang);
            self.raw(", ");
        }
        self.value(code.trim_end_matches('\n'));
        self.raw(")\n\n");
    }

    /// A footnote: its text at the first reference, a reference to it after that.
    fn footnote<'e>(&mut self, label: &str, state: &mut BodyState<'_, 'e>) {
        if let Some(&n) = state.numbered.get(label) {
            self.raw(&format!("#footnote(<note-{n}>);"));
            return;
        }
        let Some(note) = state.notes.remove(label) else {
            self.text(&format!("[^{}]", label.trim_start_matches("fn-")));
            return;
        };
        self.footnotes += 1;
        let n = self.footnotes;
        state.numbered.insert(label.to_string(), n);
        self.raw("#footnote[");
        let mut iter = note.into_iter();
        while let Some(event) = iter.next() {
            match event {
                // A note's paragraphs are one block: no break after the last.
                Event::End(TagEnd::Paragraph) => self.text(" "),
                event => self.event(event, &mut iter, state),
            }
        }
        self.raw(&format!("]<note-{n}>"));
    }

    /// Where a link points in print: web and mail links as they are, site links as
    /// full URLs when `base_url` has a host; anything else is left as plain text.
    fn link_target(&self, url: &str) -> Option<String> {
        let config = &self.site.config;
        if url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mailto:") {
            Some(url.to_string())
        } else if url.starts_with('/') && config.base_url.starts_with("http") {
            Some(config.absolute_url(url))
        } else {
            None
        }
    }

    /// An image beside the case, scaled to the text width; any other image (remote, of
    /// a kind Typst cannot read) as its description.
    fn image(&mut self, url: &str, alt: &str, dir: &Path) {
        let path = crate::markup::markdown::asset_path(url);
        let readable = IMAGE_TYPES
            .iter()
            .any(|t| path.to_ascii_lowercase().ends_with(&format!(".{t}")));
        let file = readable
            .then(|| crate::model::check_asset(&self.site.root, dir, &path).ok())
            .flatten();
        let Some(file) = file else {
            self.text(&format!("［图：{alt}］"));
            return;
        };
        let vpath = self.image_path(&file);
        self.raw(&format!("\n#figure(image({}, width: 100%)", string(&vpath)));
        if !alt.is_empty() {
            self.raw(", caption: [");
            self.text(alt);
            self.raw("]");
        }
        self.raw(")\n");
    }

    /// Units by region, in the vocabulary's order, with the pages their cases start on.
    fn unit_index(&mut self, book: &Compendium) {
        let site = self.site;
        self.raw("#heading(level: 1, numbering: none)[单位索引]\n");
        for (region, units) in compendium::units_by_region(site, book) {
            self.raw("#index-region(");
            self.value(&site.taxonomies.get(Kind::Region).term(region).name);
            self.raw(")\n");
            for (unit, cases) in units {
                self.raw("#index-entry(");
                self.value(unit);
                let labels: Vec<String> = cases.iter().map(|i| format!("<case-{i}>")).collect();
                self.raw(&format!(", ({},))\n", labels.join(", ")));
            }
        }
    }
}

/// A QR code of `address` as SVG, one unit a module, with the quiet zone a scanner
/// needs; error correction M (15%), which survives a print's specks and folds.
fn qr_svg(address: &str) -> String {
    use qrcode::{EcLevel, QrCode, render::svg};
    match QrCode::with_error_correction_level(address, EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color>()
            .module_dimensions(1, 1)
            .quiet_zone(true)
            .build(),
        // Longer than any QR code holds (some 2,300 bytes at M): no code, an empty image.
        Err(_) => r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#.to_string(),
    }
}

type Events<'e> = std::vec::IntoIter<Event<'e>>;

/// What one body's conversion keeps track of.
struct BodyState<'d, 'e> {
    dir: &'d Path,
    /// Footnote definitions not yet placed, by label.
    notes: HashMap<String, Vec<Event<'e>>>,
    /// Footnotes placed, by label: their number in the book.
    numbered: HashMap<String, usize>,
    /// For each open link, whether it was written as a Typst link.
    links: Vec<bool>,
    /// Quotes open around the current text, printed or not.
    quotes: usize,
}

/// Quotes nested deeper than this print at this depth: Typst stops at about twenty
/// (its show-rule depth), and a page has no room for more indents anyway.
const MAX_PRINTED_QUOTES: usize = 8;

/// The body without its footnote definitions, and the definitions by label.
fn split_footnotes(events: Vec<Event>) -> (Vec<Event>, HashMap<String, Vec<Event>>) {
    let mut body = Vec::with_capacity(events.len());
    let mut notes: HashMap<String, Vec<Event>> = HashMap::new();
    let mut current: Option<(String, Vec<Event>)> = None;
    for event in events {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                current = Some((label.to_string(), Vec::new()))
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, events)) = current.take() {
                    notes.entry(label).or_insert(events);
                }
            }
            event => match &mut current {
                Some((_, events)) => events.push(event),
                None => body.push(event),
            },
        }
    }
    (body, notes)
}

/// The text up to the end of `end` (an image's description).
fn plain_text<'e>(rest: &mut Events<'e>, end: TagEnd) -> String {
    let mut text = String::new();
    for event in rest.by_ref() {
        match event {
            Event::End(e) if e == end => break,
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    text
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

fn table_start(alignments: &[Alignment]) -> String {
    let align: Vec<&str> = alignments
        .iter()
        .map(|a| match a {
            Alignment::Center => "center",
            Alignment::Right => "right",
            Alignment::Left | Alignment::None => "left",
        })
        .collect();
    format!(
        "\n#table(columns: {}, align: ({},), ",
        alignments.len().max(1),
        align.join(", ")
    )
}
