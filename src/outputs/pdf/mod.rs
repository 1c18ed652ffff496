//! The printed compendium (优秀案例集) as PDF, typeset with Typst as a library. Which
//! cases it holds is `model::compendium`'s; the print HTML of a compendium is a page
//! like any other, rendered by `render`.

mod markup;
mod world;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;
use typst::diag::Warned;
use typst::foundations::Smart;
use typst_layout::PagedDocument;

use crate::base::diagnostics::Diagnostic;
use crate::base::paths::OutputFile;
use crate::base::source::Pos;
use crate::model::Site;
use crate::model::compendium::{Compendium, Pdfs};
use crate::site::urls::{compendium_pdf, cover_path};

/// The cover images of the print pages.
pub fn cover_files(site: &Site) -> Vec<OutputFile> {
    site.compendia
        .iter()
        .filter_map(|book| {
            let contents = std::fs::read(book.cover_image.as_ref()?).ok()?;
            Some(OutputFile {
                path: cover_path(book)?,
                contents,
            })
        })
        .collect()
}

/// The PDFs a build typesets, the warnings they raised, and the fonts they are set in.
#[derive(Debug, Default)]
pub struct Typeset {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Diagnostic>,
    /// Which families set Chinese body text and headings; `None` when no PDF was made.
    pub fonts: Option<String>,
}

/// The PDFs of the compendia `pdfs` asks for, typeset in parallel.
/// `print` names, by a photo's path on disk, the file of its print version, which the
/// PDF embeds instead of the original.
pub fn pdf_files(
    site: &Site,
    pdfs: &Pdfs,
    print: &HashMap<PathBuf, PathBuf>,
) -> Result<Typeset, Vec<Diagnostic>> {
    let wanted: Vec<&Compendium> = site
        .compendia
        .iter()
        .filter(|c| pdfs.wants(&c.slug))
        .collect();
    if wanted.is_empty() {
        return Ok(Typeset::default());
    }
    let fonts = world::Fonts::discover(
        &site.root,
        &site
            .config
            .fonts
            .iter()
            .map(|f| f.value.clone())
            .collect::<Vec<_>>(),
    );
    let stacks = fonts.stacks();
    let prelude = prelude(site);
    let library = world::library();
    let bar = crate::base::progress::progress_bar(wanted.len() as u64, "排版案例集");
    let results: Vec<Result<Typeset, Vec<Diagnostic>>> = wanted
        .par_iter()
        .map(|book| {
            let design = markup::Design {
                stacks: &stacks,
                prelude: (&prelude.0, &prelude.1),
            };
            let result = typeset(site, book, &design, &fonts, &library, print);
            bar.inc(1);
            result.map(|(contents, warnings)| Typeset {
                files: vec![OutputFile {
                    path: compendium_pdf(&book.slug),
                    contents,
                }],
                warnings,
                fonts: None,
            })
        })
        .collect();
    bar.finish_and_clear();
    let mut typeset = Typeset {
        fonts: Some(stacks.chosen.clone()),
        ..Typeset::default()
    };
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(book) => {
                typeset.files.extend(book.files);
                typeset.warnings.extend(book.warnings);
            }
            Err(found) => errors.extend(found),
        }
    }
    // A case in several books lacks the same characters in each: say so once.
    typeset
        .warnings
        .sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
    typeset
        .warnings
        .dedup_by(|a, b| (&a.file, a.line, &a.message) == (&b.file, b.line, &b.message));
    if errors.is_empty() {
        Ok(typeset)
    } else {
        Err(errors)
    }
}

/// The book design: the site's `templates/compendium/book.typ`, the theme's, or the
/// built-in one; with the path it is reported under.
fn prelude(site: &Site) -> (String, String) {
    let candidates = [
        "templates/compendium/book.typ".to_string(),
        format!("themes/{}/compendium/book.typ", site.config.theme),
    ];
    for rel in candidates {
        if let Ok(text) = std::fs::read_to_string(site.root.join(&rel)) {
            return (text, rel);
        }
    }
    let text = crate::site::theme::builtin_theme_file("compendium/book.typ").unwrap_or_default();
    (text, "<内置主题>/compendium/book.typ".to_string())
}

/// One compendium's PDF, with a warning for each file whose characters no font has.
/// Those characters are set as 〓, so after layout no glyph may be the missing-glyph box
/// and no Chinese text may have gone.
fn typeset(
    site: &Site,
    book: &Compendium,
    design: &markup::Design,
    fonts: &world::Fonts,
    library: &typst::utils::LazyHash<typst::Library>,
    print: &HashMap<PathBuf, PathBuf>,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let families = &design.stacks.families;
    let mut markup = markup::document(site, book, design, &BTreeSet::new());
    let mut replaced = BTreeSet::new();
    let mut warnings = Vec::new();
    for section in &markup.sections {
        let missing = fonts.missing(families, section.chars.iter().copied());
        if !missing.is_empty() {
            warnings.push(missing_glyphs(site, &section.file, &missing));
            replaced.extend(missing);
        }
    }
    if !replaced.is_empty() {
        markup = markup::document(site, book, design, &replaced);
    }
    for (_, file) in &mut markup.images {
        if let Some(version) = print.get(file) {
            *file = version.clone();
        }
    }
    let world = world::BookWorld::new(
        library,
        fonts,
        markup.text.clone(),
        &markup.images,
        crate::model::today(),
    );
    let Warned {
        output,
        warnings: typst_warnings,
    } = typst::compile::<PagedDocument>(&world);
    let report = |message: &str, span| typst_problem(&world, &markup, book, message, span);
    let document = output.map_err(|errors| {
        errors
            .iter()
            .map(|e| report(&e.message, e.span))
            .collect::<Vec<_>>()
    })?;
    let font_warnings: Vec<Diagnostic> = typst_warnings
        .iter()
        .filter(|w| w.message.contains("font"))
        .map(|w| report(&w.message, w.span))
        .collect();
    if !font_warnings.is_empty() {
        return Err(font_warnings);
    }
    let (boxes, ideographs) = world::layout_census(&document);
    if boxes > 0 || ideographs < markup.ideographs {
        return Err(vec![Diagnostic::error(
            "missing-glyph",
            crate::input::config::FILE_NAME,
            Pos::START,
            format!(
                "案例集“{}”排版后缺字：{boxes} 个字形显示为方框，排出汉字 {ideographs} 个、应不少于 {} 个",
                book.title, markup.ideographs
            ),
        )
        .help("所用字体不含部分字符：把含这些字的字体放进站点的 fonts/ 文件夹")]);
    }
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(format!("anli-{}", book.slug)),
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| {
        errors
            .iter()
            .map(|e| report(&e.message, e.span))
            .collect::<Vec<_>>()
    })?;
    Ok((pdf, warnings))
}

/// A warning for the characters of `file` that no font has, at the first of them.
fn missing_glyphs(site: &Site, file: &str, missing: &[char]) -> Diagnostic {
    let source = site
        .cases
        .iter()
        .map(|c| &c.source)
        .chain(site.pages.iter().map(|p| &p.source))
        .find(|s| s.path == file);
    let first = source.and_then(|s| s.text.find(missing).map(|at| (s, at)));
    let pos = first.map_or(Pos::START, |(s, at)| s.pos_of(at));
    let shown: Vec<String> = missing
        .iter()
        .take(20)
        .map(|&c| format!("“{c}”（U+{:04X}）", c as u32))
        .collect();
    let diagnostic = Diagnostic::warning(
        "missing-glyph",
        file,
        pos,
        format!(
            "案例集 PDF 的字体中没有这些字：{}，PDF 中以“{}”代替",
            shown.join("、"),
            world::REPLACEMENT
        ),
    )
    .help("把含这些字的字体文件（.ttf、.otf、.ttc）放进站点的 fonts/ 文件夹，或在 site.yaml 的 fonts 中列出其路径；也可以改用常用字");
    match first {
        Some((source, _)) => diagnostic.snippet_from(source),
        None => diagnostic,
    }
}

/// A Typst error or warning, reported at the file whose text produced it.
fn typst_problem(
    world: &world::BookWorld,
    markup: &markup::Markup,
    book: &Compendium,
    message: &str,
    span: typst::syntax::DiagSpan,
) -> Diagnostic {
    use typst::WorldExt;
    let at = world.range(span).map(|r| r.start);
    let section = at.and_then(|at| markup.sections.iter().find(|s| s.range.contains(&at)));
    let file = section.map_or(crate::input::config::FILE_NAME, |s| s.file.as_str());
    Diagnostic::error(
        "typeset",
        file,
        Pos::START,
        format!("排版案例集“{}”时出错：{message}", book.title),
    )
    .help("检查这个文件中的图片和表格；问题若来自 book.typ，检查其中的 Typst 代码")
}
