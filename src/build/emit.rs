//! Emitting a loaded site: every file of a full build into a sink, or what an edit
//! changes for `serve`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::cards::Cards;
use super::documents::{Assets, document_assets};
use super::incremental::{self, Emitted};
use super::{Loaded, links};
use crate::base::diagnostics::Diagnostic;
use crate::base::paths::{CopiedFile, OutputFile};
use crate::base::source;
use crate::markup::markdown::Rendered;
use crate::markup::rewrite;
use crate::model::Site;
use crate::outputs::sink::Sink;
use crate::outputs::{feeds, pdf, search};
use crate::render;

/// What a build put into its sink.
pub struct Written {
    pub paths: BTreeSet<String>,
    /// Problems that did not stop the build (characters no PDF font has).
    pub warnings: Vec<Diagnostic>,
    /// The fonts the PDFs are set in, when PDFs were made.
    pub pdf_fonts: Option<String>,
    /// The fingerprint of every page and the cards' HTML, for the next incremental
    /// rebuild.
    pub emitted: Emitted,
}

/// Puts every file of the built site into `sink`: static files, case assets, pages
/// (rewritten), feeds and data, and PDFs, in that order (a later file of the same path
/// wins). Returns what was written, or every broken internal link or template problem.
pub fn site_files(loaded: &Loaded, sink: &Sink) -> Result<Written, Vec<Diagnostic>> {
    let site = &loaded.site;
    let Assets { files, copies } = static_files(loaded);
    let sizes = image_sizes(loaded, &files);
    let mut all = put_all(sink, files)?;
    all.extend(copy_all(sink, copies)?);
    let templates = render::Templates::load(&site.root, &site.config.theme)?;
    let renderer = render::Renderer::new(&loaded.inputs(), &templates);
    let plan = render::plan(site, &loaded.index);
    let site_print = incremental::site_print(&renderer);
    let prints = incremental::prints(loaded, &plan, site_print);
    let no_cards = Default::default();
    let cards = Cards::new(loaded, &renderer, sizes, site_print, &no_cards);
    let (mut references, card_links) = pages(loaded, &renderer, plan, &cards, sink)?;
    let html_paths: Vec<&str> = references.iter().map(|(p, _)| p.as_str()).collect();
    let feeds = feeds::files(site, &html_paths, &loaded.rows);
    all.extend(html_paths.iter().map(|p| p.to_string()));
    all.extend(put_all(sink, feeds)?);
    references.extend(card_links);
    let typeset = pdf::pdf_files(site, &loaded.options.pdfs, &loaded.photos.print)?;
    all.extend(put_all(sink, typeset.files)?);
    let problems = links::broken_links(loaded, &references, |path| all.contains(path));
    if problems.is_empty() {
        Ok(Written {
            paths: all,
            warnings: typeset.warnings,
            pdf_fonts: typeset.fonts,
            emitted: Emitted {
                prints,
                cards: cards.into_made(),
            },
        })
    } else {
        Err(problems)
    }
}

/// The files a build copies: the theme's and the site's static files (the stylesheet
/// with the theme's settings), case and page assets, compendium covers; photos'
/// versions as copies from the cache.
fn static_files(loaded: &Loaded) -> Assets {
    let site = &loaded.site;
    let mut files = crate::site::theme::theme_static_files(&site.root, &site.config.theme);
    for file in &mut files {
        if file.path == "style.css" {
            file.contents = render::stylesheet(&file.contents);
        }
    }
    let own_static = site.root.join("static");
    if own_static.is_dir() {
        files.extend(crate::base::paths::read_tree(&own_static));
    }
    let assets = document_assets(site, &loaded.bodies, &loaded.page_bodies, &loaded.photos);
    files.extend(assets.files);
    files.extend(pdf::cover_files(site));
    Assets {
        files,
        copies: assets.copies,
    }
}

/// The pixel sizes of the images among `files`, read once per load.
fn image_sizes<'l>(loaded: &'l Loaded, files: &[OutputFile]) -> &'l HashMap<String, (u32, u32)> {
    loaded.sizes.get_or_init(|| {
        rewrite::image_sizes(
            files
                .iter()
                .map(|f| (f.path.as_str(), f.contents.as_slice())),
        )
    })
}

/// Puts into `sink` what `anli compendium` makes: the print page and the PDF of each
/// compendium the load was asked for (`options.pdfs`), and nothing else — no other page,
/// feed or search index is rendered. The print pages are the full build's, byte for
/// byte; their links are checked by `build` and `check`, not here, so that a broken
/// link elsewhere does not hold up a book.
pub fn compendium_files(loaded: &Loaded, sink: &Sink) -> Result<Written, Vec<Diagnostic>> {
    let site = &loaded.site;
    let sizes = image_sizes(loaded, &static_files(loaded).files);
    let templates = render::Templates::load(&site.root, &site.config.theme)?;
    let renderer = render::Renderer::new(&loaded.inputs(), &templates);
    let prints: Vec<render::Planned> = render::plan(site, &loaded.index)
        .into_iter()
        .filter(|page| match page.spec {
            render::Spec::Print(c) => loaded.options.pdfs.wants(&site.compendia[c].slug),
            _ => false,
        })
        .collect();
    let no_cards = Default::default();
    let cards = Cards::new(loaded, &renderer, sizes, 0, &no_cards);
    let (references, _) = pages(loaded, &renderer, prints, &cards, sink)?;
    let mut paths: BTreeSet<String> = references.into_iter().map(|(path, _)| path).collect();
    let typeset = pdf::pdf_files(site, &loaded.options.pdfs, &loaded.photos.print)?;
    paths.extend(put_all(sink, typeset.files)?);
    Ok(Written {
        paths,
        warnings: typeset.warnings,
        pdf_fonts: typeset.fonts,
        emitted: Emitted::default(),
    })
}

/// Puts `files` into `sink` in parallel, the last of any path only, returning the paths.
fn put_all(sink: &Sink, files: Vec<OutputFile>) -> Result<BTreeSet<String>, Vec<Diagnostic>> {
    let by_path: BTreeMap<String, Vec<u8>> =
        files.into_iter().map(|f| (f.path, f.contents)).collect();
    let paths = by_path.keys().cloned().collect();
    by_path
        .into_par_iter()
        .try_for_each(|(path, contents)| put(sink, OutputFile { path, contents }))
        .map_err(|d| vec![d])?;
    Ok(paths)
}

/// Copies `files` into `sink` in parallel, returning their paths.
fn copy_all(sink: &Sink, files: Vec<CopiedFile>) -> Result<BTreeSet<String>, Vec<Diagnostic>> {
    let paths = files.iter().map(|f| f.path.clone()).collect();
    files
        .into_par_iter()
        .try_for_each(|file| {
            let path = file.path.clone();
            sink.copy(file).map_err(|err| write_failed(&path, err))
        })
        .map_err(|d| vec![d])?;
    Ok(paths)
}

fn put(sink: &Sink, file: OutputFile) -> Result<(), Diagnostic> {
    let path = file.path.clone();
    sink.put(file).map_err(|err| write_failed(&path, err))
}

fn write_failed(path: &str, err: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "output",
        path,
        source::Pos::START,
        format!("写出失败：{err}"),
    )
    .help("检查输出目录所在磁盘的空间和权限")
}

/// What an incremental rebuild changes in the served site.
pub struct Changed {
    /// The pages whose inputs changed or that are new, and the feeds.
    pub files: Vec<OutputFile>,
    /// The pages that are gone (a listing lost a page, a case was removed).
    pub removed: Vec<String>,
    /// The fingerprint of every page now and the cards' HTML.
    pub emitted: Emitted,
}

/// The files an edit changes: the pages of the new plan whose fingerprint differs from
/// `old`'s or that `old` lacks, the atom feed, the sitemap when pages come or go and the
/// data files when `rows_changed`. `built` is the site as served, for image sizes and
/// the link check.
pub fn changed_files(
    loaded: &Loaded,
    old: &Emitted,
    rows_changed: bool,
    built: &HashMap<String, Vec<u8>>,
) -> Result<Changed, Vec<Diagnostic>> {
    let site = &loaded.site;
    let sizes = loaded.sizes.get_or_init(|| {
        rewrite::image_sizes(built.iter().map(|(p, c)| (p.as_str(), c.as_slice())))
    });
    let templates = render::Templates::load(&site.root, &site.config.theme)?;
    let renderer = render::Renderer::new(&loaded.inputs(), &templates);
    let plan = render::plan(site, &loaded.index);
    let site_print = incremental::site_print(&renderer);
    let prints = incremental::prints(loaded, &plan, site_print);
    let removed: Vec<String> = old
        .prints
        .keys()
        .filter(|path| !prints.contains_key(*path))
        .cloned()
        .collect();
    // The sitemap lists every page: made again only when pages come or go.
    let pages_come_or_go =
        !removed.is_empty() || plan.iter().any(|p| !old.prints.contains_key(&p.path));
    let sitemap_paths: Option<Vec<String>> =
        pages_come_or_go.then(|| plan.iter().map(|p| p.path.clone()).collect());
    let changed: Vec<render::Planned> = plan
        .into_iter()
        .filter(|page| old.prints.get(&page.path) != prints.get(&page.path))
        .collect();
    let sink = Sink::memory();
    let cards = Cards::new(loaded, &renderer, sizes, site_print, &old.cards);
    let (mut references, card_links) = pages(loaded, &renderer, changed, &cards, &sink)?;
    references.extend(card_links);
    let mut files = sink.into_files();
    let made: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let gone: BTreeSet<&str> = removed.iter().map(String::as_str).collect();
    // The feeds are made on the other core while the links are checked.
    let (problems, feeds) = rayon::join(
        || {
            links::broken_links(loaded, &references, |path| {
                made.contains(path) || (built.contains_key(path) && !gone.contains(path))
            })
        },
        || changed_feeds(loaded, sitemap_paths, rows_changed),
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    drop((made, gone));
    files.extend(feeds);
    Ok(Changed {
        files,
        removed,
        emitted: Emitted {
            prints,
            cards: cards.into_made(),
        },
    })
}

/// The feeds an edit changes: the atom feed, the sitemap when pages come or go (then
/// `sitemap_paths` lists them) and the data files when `rows_changed`.
fn changed_feeds(
    loaded: &Loaded,
    sitemap_paths: Option<Vec<String>>,
    rows_changed: bool,
) -> Vec<OutputFile> {
    let site = &loaded.site;
    let mut files = vec![feeds::atom_file(site)];
    if let Some(paths) = sitemap_paths {
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        files.push(feeds::sitemap_file(site, &paths));
    }
    if rows_changed {
        files.extend(feeds::data_files(&loaded.rows));
    }
    files
}

/// Renders and rewrites the planned pages into `sink`, each page in one go, so that
/// only the pages in the making are held; their cards come from `cards`. Returns each
/// page's links, and those of the cards they show (each card's once).
fn pages(
    loaded: &Loaded,
    renderer: &render::Renderer,
    plan: Vec<render::Planned>,
    cards: &Cards,
    sink: &Sink,
) -> Result<(References, References), Vec<Diagnostic>> {
    let base_path = loaded.site.config.base_path();
    type Made = (String, Vec<rewrite::Reference>, Vec<usize>);
    let results: Vec<Result<Made, Diagnostic>> = plan
        .into_par_iter()
        .map(|page| {
            let html = renderer.render(&page)?;
            let images = rewrite::Images {
                print: matches!(page.spec, render::Spec::Print(_)),
                ..*cards.images()
            };
            let done = rewrite_page(&page.path, &html, &base_path, &images)?;
            drop(html);
            let (html, shown) = cards.splice(done.html, &page.shows.cards)?;
            let path = page.path;
            put(
                sink,
                OutputFile {
                    path: path.clone(),
                    contents: html.into_bytes(),
                },
            )?;
            Ok((path, done.references, shown))
        })
        .collect();
    let (made, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if !errors.is_empty() {
        // A template's error repeats on every page it renders (a card's, on every page
        // that lists the card): reported once.
        let mut seen = std::collections::HashSet::new();
        let errors = errors.into_iter().filter_map(Result::err);
        let first =
            |d: &Diagnostic| seen.insert((d.file.clone(), d.line, d.column, d.message.clone()));
        return Err(errors.filter(first).collect());
    }
    let mut references = Vec::with_capacity(made.len());
    let mut shown = Vec::new();
    for (path, links, cards) in made.into_iter().filter_map(Result::ok) {
        shown.push((path.clone(), cards));
        references.push((path, links));
    }
    Ok((references, cards.references(&shown)))
}

/// Puts the built site's files into `sink`, the search index last (unless `search` is
/// off), and returns what was written, its warnings moved to `found`; `None` when
/// `found` (the load's diagnostics) or the rendering holds an error, which is then added
/// to `found`.
pub fn files_unless_errors(
    loaded: &Loaded,
    found: &mut Vec<Diagnostic>,
    sink: &Sink,
) -> Option<Written> {
    if found.iter().any(Diagnostic::is_error) {
        return None;
    }
    let mut written = match site_files(loaded, sink) {
        Ok(written) => written,
        Err(errors) => {
            found.extend(errors);
            return None;
        }
    };
    found.append(&mut written.warnings);
    if loaded.site.config.search {
        let bundle = search_bundle(&loaded.site, &loaded.bodies, &loaded.cards);
        match bundle.and_then(|files| put_all(sink, files)) {
            Ok(paths) => written.paths.extend(paths),
            Err(errors) => {
                found.extend(errors);
                return None;
            }
        }
    }
    Some(written)
}

/// The search index of the listed cases, with their cards as listing pages show them;
/// `cards[i]` and `bodies[i]` belong to `site.cases[i]`.
pub fn search_bundle(
    site: &Site,
    bodies: &[Rendered],
    cards: &[render::Card],
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let templates = render::Templates::load(&site.root, &site.config.theme)?;
    let base_path = site.config.base_path();
    let (no_sizes, no_photos) = (HashMap::new(), Default::default());
    let no_images = rewrite::Images {
        sizes: &no_sizes,
        photos: &no_photos,
        print: false,
    };
    // Links in a card are written as on the library page that shows it.
    let library = crate::site::urls::page_file(crate::site::urls::LIBRARY_URL);
    let html = render::cards_html(site, &templates, cards).map_err(|d| vec![d])?;
    let html: Vec<String> = html
        .into_par_iter()
        .map(|card| Ok(rewrite_page(&library, &card, &base_path, &no_images)?.html))
        .collect::<Result<_, Diagnostic>>()
        .map_err(|d| vec![d])?;
    let texts: Vec<search::CardText> = cards
        .iter()
        .zip(&html)
        .map(|(card, html)| search::CardText {
            summary: card.summary(),
            html,
        })
        .collect();
    Ok(search::bundle(site, bodies, &texts))
}

/// Each page's links and images, for the link check.
pub(super) type References = Vec<(String, Vec<rewrite::Reference>)>;

/// Runs the rewrite stage over the rendered page `html` at `path`.
pub(super) fn rewrite_page(
    path: &str,
    html: &str,
    base_path: &str,
    images: &rewrite::Images,
) -> Result<rewrite::Rewritten, Diagnostic> {
    rewrite::rewrite(path, html, base_path, images)
        .map_err(|message| Diagnostic::error("rewrite", path, source::Pos::START, message))
}
