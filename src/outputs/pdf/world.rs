//! Typst as a library: the fonts a compendium is set in, and the `World` that hands
//! Typst the generated markup, those fonts and the case images, and nothing else.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::layout::{Frame, FrameItem};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::{FontPath, FontStore};
use typst_layout::PagedDocument;

/// Simplified Chinese families, in order of preference, for body text (serif, 宋体) and
/// headings (sans, 黑体). Named explicitly: left to itself Typst picks a Japanese face.
/// Each list ends with anli's own face of that role, which every stack puts last.
const SERIF: &[&str] = &[
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Serif SC",
    "SimSun",
    "Songti SC",
    EMBEDDED_SERIF,
];
const SANS: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    EMBEDDED_SANS,
];
const MONO: &[&str] = &["Noto Sans Mono CJK SC", "DejaVu Sans Mono"];

/// anli's own faces (`themes/default/fonts/`: subsets of Noto Serif and Sans CJK SC under
/// the SIL OFL, renamed so they never clash with the same fonts installed): the default
/// when the site and the system have no Chinese font, and the fallback for a character
/// the chosen fonts lack. Built into the binary, so a copied binary keeps them.
const EMBEDDED_SERIF: &str = "Anli Serif SC";
const EMBEDDED_SANS: &str = "Anli Sans SC";
const EMBEDDED_FILES: [&str; 4] = [
    "fonts/AnliSerifSC-Regular.otf",
    "fonts/AnliSerifSC-Bold.otf",
    "fonts/AnliSansSC-Regular.otf",
    "fonts/AnliSansSC-Bold.otf",
];

/// `ANLI_SYSTEM_FONTS=0` leaves the system's fonts out (the site's own and anli's stay):
/// the same PDF on every machine, and how the tests prove the embedded fonts suffice.
const SYSTEM_FONTS_VARIABLE: &str = "ANLI_SYSTEM_FONTS";

/// A character every CJK font covers: a family without it is a Latin font.
const PROBE: u32 = '中' as u32;

/// What a compendium is set in when a character is in no font: 〓 (geta), the mark
/// Chinese and Japanese typesetting has long used for a missing character.
pub const REPLACEMENT: char = '〓';

/// The fonts found for a site and the family lists the compendium uses.
pub struct Fonts {
    store: FontStore,
    /// Families from the site's `fonts/` folder and `site.yaml`, in the order found.
    own: Vec<String>,
    /// Every family with the coverage of its faces.
    families: BTreeMap<String, Vec<usize>>,
}

impl Fonts {
    /// Looks in the site's `fonts/` folder, then the paths `site.yaml` lists, then the
    /// system's fonts (unless `ANLI_SYSTEM_FONTS=0`), then anli's own; each source in a
    /// stable order, so the same machine gives the same PDF.
    pub fn discover(root: &Path, extra: &[String]) -> Fonts {
        let mut own_paths = vec![root.join("fonts")];
        own_paths.extend(extra.iter().map(|p| root.join(p)));
        let mut store = FontStore::new();
        let mut own = Vec::new();
        let mut infos: Vec<FontInfo> = Vec::new();
        for path in own_paths {
            for (source, info) in sorted(scan(&path)) {
                if !own.contains(&info.family) {
                    own.push(info.family.clone());
                }
                infos.push(info.clone());
                store.push((source, info));
            }
        }
        if std::env::var_os(SYSTEM_FONTS_VARIABLE).is_none_or(|v| v != "0") {
            for (source, info) in sorted(typst_kit::fonts::system().collect()) {
                infos.push(info.clone());
                store.push((source, info));
            }
        }
        for font in embedded() {
            infos.push(font.info().clone());
            store.push((font.clone(), font.info().clone()));
        }
        let mut families: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, info) in infos.iter().enumerate() {
            families.entry(info.family.clone()).or_default().push(i);
        }
        Fonts {
            store,
            own,
            families,
        }
    }

    fn has(&self, family: &str) -> bool {
        self.families.contains_key(family)
    }

    fn covers_cjk(&self, family: &str) -> bool {
        self.covers(family, PROBE)
    }

    fn covers(&self, family: &str, c: u32) -> bool {
        self.families.get(family).is_some_and(|faces| {
            faces.iter().any(|&i| {
                self.store
                    .book()
                    .info(i)
                    .is_some_and(|f| f.coverage.contains(c))
            })
        })
    }

    /// The families for one role: the site's own fonts first (a Simplified Chinese face
    /// of a collection before its Japanese, Korean and traditional siblings, which it
    /// leaves out), then the preferred families this machine has, then anli's own.
    fn stack<'a>(&'a self, preferred: &[&[&'a str]]) -> Vec<&'a str> {
        let known = |name: &str| preferred.iter().position(|names| names.contains(&name));
        let mut own: Vec<&str> = self
            .own
            .iter()
            .map(String::as_str)
            .filter(|name| !is_other_locale(name))
            .collect();
        own.sort_by_key(|name| known(name).unwrap_or(usize::MAX));
        let mut stack = own;
        for &name in preferred.iter().flat_map(|names| names.iter()) {
            if self.has(name) && !stack.contains(&name) {
                stack.push(name);
            }
        }
        stack.sort_by_key(|name| is_embedded(name));
        stack
    }

    /// The serif, sans and mono stacks, as Typst arrays. anli's own faces end every
    /// stack, so each one covers Chinese.
    pub fn stacks(&self) -> Stacks {
        let serif = self.stack(&[SERIF, SANS]);
        let sans = self.stack(&[SANS, SERIF]);
        Stacks {
            serif: self.typst_array(&serif),
            sans: self.typst_array(&sans),
            mono: self.typst_array(&self.stack(&[MONO, SANS, SERIF])),
            chosen: format!(
                "正文 {}，标题 {}",
                self.first_cjk(&serif),
                self.first_cjk(&sans)
            ),
            families: serif.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The family a stack sets Chinese in, and whether it is anli's own.
    fn first_cjk(&self, stack: &[&str]) -> String {
        let name = stack
            .iter()
            .find(|f| self.covers_cjk(f))
            .copied()
            .unwrap_or(EMBEDDED_SERIF);
        if is_embedded(name) {
            format!("{name}（anli 内置，Noto CJK 子集）")
        } else {
            name.to_string()
        }
    }

    /// A Typst font list. A Latin font before the Chinese ones may only set Latin
    /// letters (`covers: "latin-in-cjk"`), so Chinese quotes and dashes stay full width.
    fn typst_array(&self, stack: &[&str]) -> String {
        let items: Vec<String> = stack
            .iter()
            .map(|&name| {
                let quoted = super::markup::string(name);
                if self.covers_cjk(name) {
                    quoted
                } else {
                    format!("(name: {quoted}, covers: \"latin-in-cjk\")")
                }
            })
            .collect();
        format!("({},)", items.join(", "))
    }

    /// The characters of `text` that no family of `families` can show.
    pub fn missing<'t>(
        &self,
        families: &[String],
        text: impl Iterator<Item = char> + 't,
    ) -> Vec<char> {
        let mut missing: Vec<char> = text
            .filter(|&c| !is_invisible(c))
            .filter(|&c| !families.iter().any(|f| self.covers(f, c as u32)))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }
}

/// A face of a pan-CJK collection for another locale (`Noto Sans CJK JP`): its glyph
/// shapes are not the mainland forms.
fn is_other_locale(family: &str) -> bool {
    [" JP", " KR", " TC", " HK"]
        .iter()
        .any(|suffix| family.ends_with(suffix))
}

fn is_embedded(family: &str) -> bool {
    family == EMBEDDED_SERIF || family == EMBEDDED_SANS
}

/// anli's own faces, parsed from the bytes built into the binary.
fn embedded() -> Vec<Font> {
    EMBEDDED_FILES
        .iter()
        .filter_map(|path| crate::site::theme::builtin_theme_bytes(path))
        .filter_map(|data| Font::new(Bytes::new(data), 0))
        .collect()
}

/// Characters that are laid out without a glyph of their own: spaces, controls, joiners
/// and variation selectors (which shape the character before them).
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{AD}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// The font lists the generated markup sets.
pub struct Stacks {
    pub serif: String,
    pub sans: String,
    pub mono: String,
    /// The serif stack's family names: every role's stack holds them, so a character
    /// they cover can be shown anywhere.
    pub families: Vec<String>,
    /// Which families set Chinese body text and headings, for the build's report.
    pub chosen: String,
}

fn scan(path: &Path) -> Vec<(FontPath, FontInfo)> {
    if path.is_dir() {
        typst_kit::fonts::scan(path).collect()
    } else if path.is_file() {
        let data = std::fs::read(path).unwrap_or_default();
        let bytes = Bytes::new(data);
        (0..)
            .map_while(|index| {
                let font = Font::new(bytes.clone(), index)?;
                let info = font.info().clone();
                Some((
                    FontPath {
                        path: path.to_path_buf(),
                        index,
                    },
                    info,
                ))
            })
            .collect()
    } else {
        Vec::new()
    }
}

fn sorted(mut fonts: Vec<(FontPath, FontInfo)>) -> Vec<(FontPath, FontInfo)> {
    fonts.sort_by(|(a, _), (b, _)| (&a.path, a.index).cmp(&(&b.path, b.index)));
    fonts
}

/// What Typst may read while compiling one compendium: its markup, the fonts, the images
/// the markup names (by virtual path), and a fixed date.
pub struct BookWorld<'a> {
    library: &'a LazyHash<Library>,
    fonts: &'a Fonts,
    main: Source,
    images: HashMap<FileId, PathBuf>,
    today: Datetime,
}

/// The standard library, built once.
pub fn library() -> LazyHash<Library> {
    LazyHash::new(Library::default())
}

impl<'a> BookWorld<'a> {
    pub fn new(
        library: &'a LazyHash<Library>,
        fonts: &'a Fonts,
        markup: String,
        images: &[(String, PathBuf)],
        today: chrono::NaiveDate,
    ) -> BookWorld<'a> {
        use chrono::Datelike;
        let main = Source::new(file_id("/main.typ"), markup);
        BookWorld {
            library,
            fonts,
            main,
            images: images
                .iter()
                .map(|(vpath, path)| (file_id(vpath), path.clone()))
                .collect(),
            today: Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8)
                .unwrap_or(Datetime::from_ymd(2000, 1, 1).expect("a valid date")),
        }
    }
}

/// The file id of a virtual path in the project (`/main.typ`, `/images/3.png`).
pub fn file_id(vpath: &str) -> FileId {
    let path = VirtualPath::new(vpath).unwrap_or_else(|_| {
        VirtualPath::new("/invalid").expect("a plain path is a valid virtual path")
    });
    RootedPath::new(VirtualRoot::Project, path).intern()
}

impl World for BookWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.store.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        let path = self.images.get(&id).ok_or(FileError::AccessDenied)?;
        std::fs::read(path)
            .map(Bytes::new)
            .map_err(|_| FileError::NotFound(path.clone()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.store.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// Glyphs laid out as "missing" (glyph id 0, the box), and the number of Chinese
/// characters laid out, over every page.
pub fn layout_census(document: &PagedDocument) -> (usize, usize) {
    let mut census = (0, 0);
    for page in document.pages() {
        count_frame(&page.frame, &mut census);
    }
    census
}

fn count_frame(frame: &Frame, census: &mut (usize, usize)) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => count_frame(&group.frame, census),
            FrameItem::Text(text) => {
                census.0 += text.glyphs.iter().filter(|g| g.id == 0).count();
                census.1 += text.text.chars().filter(|&c| is_ideograph(c)).count();
            }
            _ => {}
        }
    }
}

/// CJK unified ideographs, the characters a missing Chinese font drops.
pub fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2FA1F}')
}
