//! Photos made fit to publish. A JPEG, PNG or WebP beside a case or page is decoded (a
//! pixel limit refuses decompression bombs), turned upright by its EXIF orientation,
//! resized to the site's widths (never up), and encoded again: WebP for browsers that
//! take it, JPEG (PNG for a PNG or a picture with transparency) as the fallback, and one
//! print version sized for the compendium's column. Encoding anew drops every piece of
//! metadata, the GPS position above all. The results are kept in a cache folder, keyed
//! by the source's bytes and the settings, so an unchanged photo is never processed
//! twice; output names carry the key, so a browser never shows a stale photo.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::base::text::large_count;
use crate::input::config::ImageSettings;
use crate::markup::rewrite::{Photo, PhotoFile};

/// Bumped when processing changes, so that cached results of older code are not used.
const VERSION: u32 = 1;

/// The compendium's text column: A4 less its inside and outside margins (book.typ).
const PRINT_COLUMN_MM: f64 = 162.0;

/// The raster types processed; others (GIF, AVIF, SVG) are published as they are.
pub fn is_photo(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".webp"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Where processed photos are kept between builds: `.anli-cache/images/` under the site
/// root (with a `.gitignore` of its own), or a folder in the system's temporary folder when the site's
/// folder cannot be written.
pub fn cache_dir(root: &Path) -> PathBuf {
    let beside = root.join(".anli-cache").join("images");
    if std::fs::create_dir_all(&beside).is_ok() {
        // Ignored by git even in a repository whose own `.gitignore` does not name it.
        let ignore = root.join(".anli-cache").join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::write(ignore, "# anli's cache: made again when deleted\n*\n");
        }
        return beside;
    }
    let tag = xxhash_rust::xxh3::xxh3_64(root.to_string_lossy().as_bytes());
    std::env::temp_dir().join(format!("anli-images-{tag:016x}"))
}

/// The processed versions of the photo at `source`, from the cache or made now (its
/// file's stem starts the output names). `Err` is the end of a sentence in Chinese
/// saying what is wrong with the file.
pub fn photo(cache: &Path, source: &Path, settings: &ImageSettings) -> Result<Photo, String> {
    // A file whose size and modification time are as when it was last read is not
    // read again: a warm build of a thousand photos need not hash a gigabyte.
    let stamp = cache.join("stamps").join(stamp(source, settings));
    let known = std::fs::read_to_string(&stamp).ok();
    let known = known.filter(|key| key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit()));
    let cached = known.and_then(|key| Some((read_manifest(&cache.join(&key))?, key)));
    let (mut photo, key) = match cached {
        Some(found) => found,
        None => {
            let bytes = std::fs::read(source).map_err(|e| format!("无法读取：{e}"))?;
            let key = key(&bytes, settings);
            let folder = cache.join(&key);
            let photo = match read_manifest(&folder) {
                Some(photo) => photo,
                None => store(cache, &folder, &process(&bytes, settings)?)
                    .map_err(|e| format!("处理后无法写入缓存文件夹 {}：{e}", cache.display()))?,
            };
            write_stamp(&stamp, &key);
            (photo, key)
        }
    };
    let stem = source
        .file_stem()
        .map_or(String::from("image"), |s| s.to_string_lossy().into_owned());
    photo.prefix = format!("{stem}.{}.", &key[..10]);
    photo.folder = cache.join(&key);
    Ok(photo)
}

/// The name of the note that a file, as it is now, holds the photo of a cache key:
/// its path, size, modification time and inode, with the code's version and settings.
fn stamp(source: &Path, settings: &ImageSettings) -> String {
    let meta = std::fs::metadata(source).ok();
    let modified = meta.as_ref().and_then(|m| m.modified().ok());
    let inode = meta.as_ref().map(inode_of);
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&VERSION.to_le_bytes());
    hasher.update(format!("{settings:?}").as_bytes());
    let file = format!(
        "{source:?} {:?} {modified:?} {inode:?}",
        meta.map(|m| m.len())
    );
    hasher.update(file.as_bytes());
    format!("{:032x}", hasher.digest128())
}

#[cfg(unix)]
fn inode_of(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode_of(_: &std::fs::Metadata) -> u64 {
    0
}

/// Writes a stamp whole or not at all; a stamp that cannot be written only costs a read.
fn write_stamp(stamp: &Path, key: &str) {
    let Some(dir) = stamp.parent() else { return };
    let temporary = stamp.with_extension(format!("{}.tmp", std::process::id()));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&temporary, key))
        .and_then(|()| std::fs::rename(&temporary, stamp));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

/// The cache key: the code's version, the settings and the source's bytes.
fn key(bytes: &[u8], settings: &ImageSettings) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&VERSION.to_le_bytes());
    hasher.update(format!("{settings:?}").as_bytes());
    hasher.update(bytes);
    format!("{:032x}", hasher.digest128())
}

/// A cached photo, if its manifest and every file are there.
fn read_manifest(folder: &Path) -> Option<Photo> {
    let text = std::fs::read(folder.join("photo.json")).ok()?;
    let photo: Photo = serde_json::from_slice(&text).ok()?;
    let complete = photo.files().all(|f| folder.join(&f.file).is_file());
    complete.then_some(photo)
}

/// Writes the encoded files and then the manifest into a fresh folder renamed into
/// place, so that a build stopped halfway never leaves a half-written entry.
fn store(cache: &Path, folder: &Path, made: &Made) -> std::io::Result<Photo> {
    let name = folder.file_name().unwrap_or_default().to_string_lossy();
    let temporary = cache.join(format!("{name}.{}.tmp", std::process::id()));
    let photo = made.photo.clone();
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&temporary)?;
        for (file, bytes) in &made.encoded {
            std::fs::write(temporary.join(file), bytes)?;
        }
        std::fs::write(temporary.join("photo.json"), serde_json::to_vec(&photo)?)?;
        match std::fs::rename(&temporary, folder) {
            // Another build (a parallel test, a second `serve`) stored it first.
            Err(_) if read_manifest(folder).is_some() => Ok(()),
            other => other,
        }
    };
    let result = write();
    let _ = std::fs::remove_dir_all(&temporary);
    result.map(|()| photo)
}

/// A photo processed now: its versions, and their encoded bytes by cache file name.
struct Made {
    photo: Photo,
    encoded: Vec<(String, Vec<u8>)>,
}

/// Decodes, turns upright, resizes and encodes a photo.
fn process(bytes: &[u8], settings: &ImageSettings) -> Result<Made, String> {
    let image = decode(bytes, settings.max_pixels)?;
    let width = image.width();
    let lossless = image::guess_format(bytes).ok() == Some(ImageFormat::Png);
    let png_like = lossless || image.color().has_alpha();
    let image = if png_like {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    // The fallback's and the print version's type.
    let ext = if png_like { "png" } else { "jpg" };
    let mut encoded = Vec::new();
    let mut keep = |file: String, version: &DynamicImage, data: Vec<u8>| {
        encoded.push((file.clone(), data));
        PhotoFile {
            file,
            width: version.width(),
            height: version.height(),
        }
    };
    let mut widths: Vec<u32> = settings
        .widths
        .iter()
        .copied()
        .filter(|&w| w < width)
        .collect();
    if widths.len() < settings.widths.len() {
        widths.push(width);
    }
    widths.sort_unstable();
    widths.dedup();
    let quality = settings.quality;
    let (mut webp, mut fallback) = (Vec::new(), Vec::new());
    for &w in &widths {
        let version = resized(&image, w)?;
        if settings.webp {
            let data = encode_webp(&version, quality, lossless)?;
            webp.push(keep(format!("{w}.webp"), &version, data));
        }
        let data = encode(&version, ext, quality)?;
        fallback.push(keep(format!("{w}.{ext}"), &version, data));
    }
    let print_width = (PRINT_COLUMN_MM / 25.4 * f64::from(settings.print_dpi)).round() as u32;
    let version = resized(&image, print_width.min(width))?;
    let data = encode(&version, ext, quality.max(85))?;
    let print = keep(format!("print.{ext}"), &version, data);
    let photo = Photo {
        webp,
        fallback,
        print,
        folder: PathBuf::new(),
        prefix: String::new(),
    };
    Ok(Made { photo, encoded })
}

/// Decodes `bytes` upright, refusing more than `max_pixels` before any pixel is read.
fn decode(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, String> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("无法读取：{e}"))?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)
    ) {
        return Err("不是可以读取的 JPEG、PNG 或 WebP 图片".to_string());
    }
    if reader.format() == Some(ImageFormat::Jpeg) && !jpeg_is_whole(bytes) {
        return Err("不完整：文件在图像数据中途结束，可能是没有复制或下载完".to_string());
    }
    // From the header alone, before a decoder allocates anything.
    if let Ok(size) = imagesize::blob_size(bytes) {
        check_pixels(size.width as u64, size.height as u64, max_pixels)?;
    }
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("无法解码，文件可能已损坏（{e}）"))?;
    let (width, height) = decoder.dimensions();
    check_pixels(u64::from(width), u64::from(height), max_pixels)?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    decoder
        .set_limits(limits)
        .map_err(|e| format!("无法解码（{e}）"))?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder)
        .map_err(|e| format!("无法解码，文件可能已损坏或不完整（{e}）"))?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// Refuses more than `max_pixels`: a few kilobytes can claim billions of pixels.
fn check_pixels(width: u64, height: u64, max_pixels: u64) -> Result<(), String> {
    let pixels = width * height;
    if pixels > max_pixels {
        return Err(format!(
            "有 {width}×{height} 像素（{}），超过上限 {}像素：可能是恶意构造的“解压炸弹”",
            large_count(pixels),
            large_count(max_pixels)
        ));
    }
    Ok(())
}

/// Whether a JPEG's image data ends with its end marker. The decoder fills a cut-off
/// image with grey instead of failing; the marker cannot occur inside the coded data, and
/// the last scan starts after any embedded thumbnail.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let marker = |m: u8| move |w: &[u8]| w == [0xFF, m];
    let last_scan = bytes.windows(2).rposition(marker(0xDA));
    let end = bytes.windows(2).rposition(marker(0xD9));
    matches!((last_scan, end), (Some(scan), Some(end)) if end > scan)
}

/// `image` scaled to `width` (its own when not smaller), keeping its proportions.
fn resized(image: &DynamicImage, width: u32) -> Result<DynamicImage, String> {
    if width >= image.width() {
        return Ok(image.clone());
    }
    let height = ((u64::from(image.height()) * u64::from(width) + u64::from(image.width()) / 2)
        / u64::from(image.width()))
    .max(1) as u32;
    let mut target = DynamicImage::new(width, height, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(image, &mut target, &options)
        .map_err(|e| format!("无法缩放（{e}）"))?;
    Ok(target)
}

fn encode_webp(image: &DynamicImage, quality: u8, lossless: bool) -> Result<Vec<u8>, String> {
    let (width, height) = (image.width(), image.height());
    let encoder = match image {
        DynamicImage::ImageRgba8(pixels) => webp::Encoder::from_rgba(pixels, width, height),
        other => webp::Encoder::from_rgb(other.as_bytes(), width, height),
    };
    let memory = encoder
        .encode_simple(lossless, f32::from(quality))
        .map_err(|e| format!("无法编码为 WebP（{e:?}）"))?;
    Ok(memory.to_vec())
}

/// `image` as a JPEG (`jpg`) or a PNG.
fn encode(image: &DynamicImage, ext: &str, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let result = if ext == "png" {
        image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
        image.write_with_encoder(encoder)
    };
    result.map_err(|e| format!("无法编码（{e}）"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ImageSettings {
        ImageSettings::default()
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        encode(&image, "jpg", 90).expect("encodes")
    }

    #[test]
    fn widths_are_never_upscaled_and_keep_proportions() {
        let photo = process(&jpeg(1000, 500), &settings())
            .expect("processes")
            .photo;
        let sizes = |files: &[PhotoFile]| -> Vec<(u32, u32)> {
            files.iter().map(|f| (f.width, f.height)).collect()
        };
        assert_eq!(
            sizes(&photo.webp),
            vec![(480, 240), (960, 480), (1000, 500)]
        );
        assert_eq!(sizes(&photo.fallback), sizes(&photo.webp));
        assert_eq!((photo.print.width, photo.print.height), (1000, 500));
        assert_eq!(photo.print.file, "print.jpg");
    }

    #[test]
    fn a_truncated_file_and_a_bomb_are_refused() {
        let whole = jpeg(640, 480);
        let error = process(&whole[..whole.len() / 2], &settings()).err();
        assert!(error.is_some_and(|e| e.contains("不完整")));
        let small = ImageSettings {
            max_pixels: 100_000,
            ..settings()
        };
        let error = process(&whole, &small).err().unwrap_or_default();
        assert!(
            error.contains("640×480") && error.contains("解压炸弹"),
            "{error}"
        );
    }
}
