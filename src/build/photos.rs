//! The photos stage: every JPEG, PNG and WebP that a case or page publishes is processed
//! once per load (`outputs::images`, through its cache), in parallel; a photo that cannot
//! be processed is an error where the case names it. An image written `![…](a.png#original)`
//! is published as it is.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::documents::{Asset, Document, published_assets};
use crate::base::diagnostics::Diagnostic;
use crate::base::paths::{CopiedFile, normal_path, relative};
use crate::base::source::Pos;
use crate::base::text::large_count;
use crate::markup::markdown::asset_path;
use crate::markup::rewrite::{KEEP_ORIGINAL, Photo, PhotoFile};
use crate::model::Site;
use crate::outputs::images;

/// The processed photos.
#[derive(Default)]
pub struct Photos {
    /// By the original's output path (`scenarios/x/车间.jpg`), in order, so that the
    /// photos of one folder are found together.
    pub by_output: BTreeMap<String, Photo>,
    /// The print version's file, by the original's path on disk, for the PDFs.
    pub print: HashMap<PathBuf, PathBuf>,
}

impl Photos {
    /// The photos published under the output folder `dir` (a case's): their names, so
    /// that a case's fingerprint changes with any of its photos.
    fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a String, &'a Photo)> {
        let start = format!("{dir}/");
        self.by_output
            .range(start.clone()..)
            .take_while(move |(path, _)| path.starts_with(&start))
    }

    /// A fingerprint of the photos under `dir`: which they are and their keys.
    pub(super) fn print_of(&self, dir: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        for (path, photo) in self.under(dir) {
            (path, &photo.prefix).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Puts `made`, the photos of the folders `dirs` processed again, in place of
    /// those folders' photos.
    pub(super) fn replace(&mut self, dirs: &[String], made: Photos) {
        for dir in dirs {
            let gone: Vec<String> = self.under(dir).map(|(path, _)| path.clone()).collect();
            for path in gone {
                self.by_output.remove(&path);
            }
        }
        self.by_output.extend(made.by_output);
        self.print.extend(made.print);
    }
}

/// Processes the photos `docs` publish; problems go to `diagnostics`.
pub(super) fn process(
    site: &Site,
    docs: &[&Document],
    diagnostics: &mut Vec<Diagnostic>,
) -> Photos {
    let settings = &site.config.images;
    let root = &site.root;
    let assets = photo_assets(site, docs);
    if assets.is_empty() {
        return Photos::default();
    }
    let cache = images::cache_dir(root);
    let results: Vec<Result<Photo, Diagnostic>> = assets
        .par_iter()
        .map(|asset| {
            images::photo(&cache, &asset.path(root), settings)
                .map_err(|problem| refused(root, asset, &problem, settings.max_pixels))
        })
        .collect();
    let mut photos = Photos::default();
    for (asset, result) in assets.iter().zip(results) {
        match result {
            Ok(photo) => {
                let print = photo.folder.join(&photo.print.file);
                photos.print.insert(asset.path(root), print);
                photos.by_output.insert(asset.out_path(), photo);
            }
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    photos
}

/// The files `docs` publish that are processed as photos.
fn photo_assets<'a>(site: &Site, docs: &'a [&'a Document<'a>]) -> Vec<Asset<'a>> {
    let process = site.config.images.process;
    published_assets(&site.root, docs, &mut Vec::new())
        .into_iter()
        .filter(|asset| process && images::is_photo(&asset.rel) && !kept(asset))
        .collect()
}

/// Whether the body names the image with `#original`.
fn kept(asset: &Asset) -> bool {
    let images = &asset.doc.body.images;
    images
        .iter()
        .any(|(url, _)| url.ends_with(KEEP_ORIGINAL) && normal_path(&asset_path(url)) == asset.rel)
}

/// The error for a photo that cannot be processed: at the body's image that names it,
/// else at the case's `cover`, else at the file itself. `max_pixels` is the site's limit.
fn refused(root: &Path, asset: &Asset, problem: &str, max_pixels: u64) -> Diagnostic {
    let doc = asset.doc;
    let named = doc
        .body
        .images
        .iter()
        .find(|(url, _)| normal_path(&asset_path(url)) == asset.rel)
        .map(|(url, offset)| {
            (
                doc.source.pos_of(doc.body_start + offset),
                url.chars().count(),
            )
        });
    let cover = || {
        let cover = doc.cover.filter(|c| normal_path(&c.value) == asset.rel)?;
        Some((cover.pos, cover.len))
    };
    let message = format!("图片“{}”{problem}", asset.rel);
    let help = format!(
        "用看图软件打开检查；从原始照片重新导出为 JPEG 或 PNG（{}像素以内）后替换，或删去对它的引用",
        large_count(max_pixels)
    );
    match named.or_else(cover) {
        Some((pos, len)) => Diagnostic::error("bad-image", &doc.source.path, pos, message)
            .with_len(len)
            .snippet_from(doc.source),
        None => Diagnostic::error(
            "bad-image",
            &relative(root, &asset.path(root)),
            Pos::START,
            message,
        ),
    }
    .help(help)
}

/// The files a photo publishes beside its original, copied from the cache: every
/// version under its own name, and the widest web version under the original's name
/// (for links to it). `path` is the original's output path.
pub(super) fn photo_files(path: &str, photo: &Photo) -> Vec<CopiedFile> {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let from = |file: &PhotoFile| photo.folder.join(&file.file);
    let mut files: Vec<CopiedFile> = photo
        .files()
        .map(|file| CopiedFile {
            path: format!("{dir}/{}", photo.name(file)),
            from: from(file),
        })
        .collect();
    files.push(CopiedFile {
        path: path.to_string(),
        from: from(photo.widest()),
    });
    files
}

/// A missing alt text is a warning at the image: a screen reader has nothing to say.
pub(super) fn missing_alt<'d>(doc: &'d Document<'d>) -> impl Iterator<Item = Diagnostic> + 'd {
    let images = &doc.body.images;
    doc.body.images_without_alt.iter().map(move |&offset| {
        let url = images.iter().find(|(_, at)| *at == offset);
        Diagnostic::warning(
            "missing-alt",
            &doc.source.path,
            doc.source.pos_of(doc.body_start + offset),
            "图片没有替代文本：读屏软件读不出它，图片加载失败时也无文字",
        )
        .with_len(url.map_or(1, |(url, _)| url.chars().count()))
        .help("在 ![] 的方括号里写一句图片内容，如 ![焊装车间的机器人工作站](weld.jpg)")
        .snippet_from(doc.source)
    })
}
