//! Photos beside cases: resized, upright, stripped of metadata, shown responsively, kept
//! in a cache, and refused with a clear error when they cannot be read.

mod common;

use common::*;

/// The pixel size of an image file's contents.
fn size(bytes: &[u8]) -> (usize, usize) {
    let size = imagesize::blob_size(bytes).expect("an image");
    (size.width, size.height)
}

/// Whether a JPEG or WebP still carries EXIF (where cameras put the GPS position).
fn has_exif(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"Exif") || bytes.windows(4).any(|w| w == b"EXIF")
}

fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("photos"), dir.path());
    dir
}

fn page(files: &std::collections::BTreeMap<String, Vec<u8>>) -> String {
    String::from_utf8(files["scenarios/workshop/index.html"].clone()).unwrap()
}

#[test]
fn photos_are_upright_resized_stripped_and_shown_with_their_sizes() {
    let site = fixture_copy();
    let source = |name: &str| {
        std::fs::read(site.path().join("content/scenarios/workshop").join(name)).unwrap()
    };
    assert!(has_exif(&source("upright.jpg")) && has_exif(&source("sideways.jpg")));
    let (_out, files) = build_site(site.path(), &[]);
    let html = page(&files);

    // The body's photo: WebP and JPEG at each width up to its own 800 px, never upscaled.
    let srcsets = attributes(&html, ".body picture source", "srcset");
    // The key in the names: ten hex digits after the photo's own name.
    let tag = |srcset: &str, name: &str| srcset[name.len() + 1..name.len() + 11].to_string();
    let upright = tag(&srcsets[0], "upright");
    assert_eq!(
        srcsets[0],
        format!("upright.{upright}.480.webp 480w, upright.{upright}.800.webp 800w")
    );
    let attribute = |name: &str| attributes(&html, ".body picture img", name);
    let (src, srcset, width, height) = (
        attribute("src"),
        attribute("srcset"),
        attribute("width"),
        attribute("height"),
    );
    assert_eq!(src[0], format!("upright.{upright}.800.jpg"));
    assert_eq!(
        srcset[0],
        format!("upright.{upright}.480.jpg 480w, upright.{upright}.800.jpg 800w")
    );
    assert_eq!((width[0].as_str(), height[0].as_str()), ("800", "600"));
    assert_eq!(attribute("loading"), ["lazy"; 3]);
    // Stored sideways with EXIF orientation 6: published upright, 800 × 600.
    let sideways = tag(&srcsets[1], "sideways");
    assert_eq!((width[1].as_str(), height[1].as_str()), ("800", "600"));
    assert_eq!(
        size(&files[&format!("scenarios/workshop/sideways.{sideways}.800.jpg")]),
        (800, 600)
    );
    assert_eq!(
        size(&files[&format!("scenarios/workshop/sideways.{sideways}.480.webp")]),
        (480, 360)
    );
    // A PNG with transparency falls back to PNG.
    assert!(
        src[2].starts_with("flow.") && src[2].ends_with(".400.png"),
        "{}",
        src[2]
    );
    let sizes = attribute("sizes");
    assert!(
        sizes
            .iter()
            .all(|s| s == "(max-width: 50.5rem) calc(100vw - 2.5rem), 48rem"),
        "{sizes:?}"
    );

    // The cover, at the top of the page, loads at once, as wide as the column.
    let cover = attributes(&html, ".cover picture img", "src");
    assert_eq!(
        cover,
        [format!("/scenarios/workshop/upright.{upright}.800.jpg")]
    );
    assert!(
        attributes(&html, ".cover img", "loading")
            .iter()
            .all(String::is_empty)
    );

    // No published photo keeps its metadata; the original's name serves the widest version.
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.starts_with("scenarios/workshop/") && !p.ends_with(".html"))
    {
        if path.ends_with("kept.jpg") {
            continue;
        }
        assert!(!has_exif(bytes), "{path} still has EXIF");
    }
    assert_eq!(
        files["scenarios/workshop/upright.jpg"],
        files[&format!("scenarios/workshop/upright.{upright}.800.jpg")]
    );
    // `#original` keeps a file as it is.
    assert_eq!(files["scenarios/workshop/kept.jpg"], source("kept.jpg"));
    assert_eq!(attributes(&html, ".body img[src^=kept]", "srcset"), [""]);
}

#[test]
fn a_second_build_takes_every_photo_from_the_cache() {
    let site = fixture_copy();
    let (_first, files) = build_site(site.path(), &[]);
    let html = page(&files);
    let cache = site.path().join(".anli-cache/images");
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|path| path.join("photo.json").is_file())
        .collect();
    assert_eq!(
        entries.len(),
        3,
        "one entry per processed photo: {entries:?}"
    );
    let ignore = std::fs::read_to_string(site.path().join(".anli-cache/.gitignore")).unwrap();
    assert!(
        ignore.lines().any(|line| line == "*"),
        "git ignores the cache: {ignore}"
    );
    // Marked versions in the cache come out as they are: nothing is processed again.
    for entry in &entries {
        std::fs::write(entry.join("480.webp"), b"from the cache").ok();
    }
    let (_second, again) = build_site(site.path(), &[]);
    assert_eq!(page(&again), html, "the same page");
    let marked = again
        .iter()
        .filter(|(path, bytes)| {
            path.ends_with(".480.webp") && bytes.as_slice() == b"from the cache"
        })
        .count();
    assert_eq!(
        marked, 2,
        "upright and sideways came from the cache (flow.png is narrower than 480)"
    );

    // The same bytes written anew (a new file, a new modification time) are read again
    // and found in the cache; changed bytes are processed.
    let upright = site.path().join("content/scenarios/workshop/upright.jpg");
    let bytes = std::fs::read(&upright).unwrap();
    std::fs::remove_file(&upright).unwrap();
    std::fs::write(&upright, &bytes).unwrap();
    let (_third, third) = build_site(site.path(), &[]);
    assert_eq!(page(&third), html, "the same page again");
    std::fs::write(&upright, [bytes.as_slice(), b"after the end"].concat()).unwrap();
    let (_fourth, fourth) = build_site(site.path(), &[]);
    assert_ne!(page(&fourth), html, "a new key in the names");
    let entries = std::fs::read_dir(&cache)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("photo.json").is_file())
        .count();
    assert_eq!(entries, 4, "the changed photo was processed");
}

#[test]
fn unreadable_photos_are_errors_at_the_line_that_shows_them() {
    let site = fixture_copy();
    let folder = site.path().join("content/scenarios/workshop");
    let whole = std::fs::read(folder.join("upright.jpg")).unwrap();
    std::fs::write(folder.join("cut.jpg"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(folder.join("bomb.png"), png_header(60_000, 60_000)).unwrap();
    std::fs::write(folder.join("text.jpg"), "这不是图片").unwrap();
    std::fs::write(folder.join("cut-cover.jpg"), &whole[..whole.len() / 2]).unwrap();
    let body = "\n![截断](cut.jpg)\n\n![炸弹](bomb.png)\n\n![文本](text.jpg)\n\n![外面](../../../secret.jpg)\n";
    let index = folder.join("index.md");
    let mut text = std::fs::read_to_string(&index)
        .unwrap()
        .replace("cover: upright.jpg", "cover: cut-cover.jpg");
    text.push_str(body);
    std::fs::write(&index, text).unwrap();

    let (code, found) = check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    let errors: Vec<_> = found.iter().filter(|d| d.severity == "error").collect();
    let at = |name: &str| {
        errors
            .iter()
            .find(|d| d.message.contains(name))
            .unwrap_or_else(|| panic!("no error for {name}: {found:#?}"))
    };
    let file = "content/scenarios/workshop/index.md";
    let cut = at("cut.jpg");
    assert_eq!(
        (cut.file.as_str(), cut.line, cut.column, cut.code.as_str()),
        (file, 21, 7, "bad-image")
    );
    assert!(cut.message.contains("不完整"), "{}", cut.message);
    let bomb = at("bomb.png");
    assert_eq!((bomb.line, bomb.code.as_str()), (23, "bad-image"));
    let help = bomb.help.as_deref().unwrap_or_default();
    assert!(help.contains("1 亿像素以内"), "the default limit: {help}");
    // A site's own limit is the one the help names.
    let config = site.path().join("site.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{yaml}\nimages:\n  max_pixels: 50000000\n"),
    )
    .unwrap();
    let (_, limited) = check_json_at(site.path(), &[]);
    let bomb = limited
        .iter()
        .find(|d| d.message.contains("bomb.png"))
        .unwrap();
    let help = bomb.help.as_deref().unwrap_or_default();
    assert!(help.contains("5000 万像素以内"), "the site's limit: {help}");
    assert!(
        bomb.message.contains("60000×60000") && bomb.message.contains("解压炸弹"),
        "{}",
        bomb.message
    );
    let cover = at("cut-cover.jpg");
    assert_eq!(
        (cover.line, cover.column, cover.code.as_str()),
        (8, 8, "bad-image"),
        "at the cover's value"
    );
    assert_eq!(at("text.jpg").line, 25);
    assert_eq!(at("secret.jpg").line, 27);
    assert!(errors.iter().all(|d| d.help.is_some()));
    // The missing alt text is a warning with its line.
    let alt = found.iter().find(|d| d.code == "missing-alt").unwrap();
    assert_eq!(
        (alt.line, alt.column, alt.severity.as_str()),
        (15, 5, "warning")
    );
    // A failed build leaves no output behind.
    let out = site.path().join("output");
    assert!(!build(site.path(), &out, &[]).status.success());
    assert!(!out.join("index.html").exists());
}

#[test]
fn site_yaml_sets_the_widths_and_can_turn_processing_off() {
    let site = fixture_copy();
    let config = site.path().join("site.yaml");
    std::fs::write(
        &config,
        "title: 测试站点\nimages:\n  widths: [320]\n  quality: 60\n",
    )
    .unwrap();
    let (_out, files) = build_site(site.path(), &[]);
    let srcsets = attributes(&page(&files), ".body picture source", "srcset");
    assert!(
        srcsets[0].ends_with(".320.webp 320w") && !srcsets[0].contains(','),
        "{srcsets:?}"
    );

    std::fs::write(&config, "title: 测试站点\nimages:\n  format: jpeg\n").unwrap();
    let (_out, files) = build_site(site.path(), &[]);
    assert!(attributes(&page(&files), ".body picture source", "srcset").is_empty());
    assert!(!files.keys().any(|name| name.ends_with(".webp")));
    let srcsets = attributes(&page(&files), ".body img", "srcset");
    assert!(
        srcsets.iter().any(|s| s.contains(".480.jpg 480w")),
        "{srcsets:?}"
    );

    std::fs::write(&config, "title: 测试站点\nimages:\n  process: false\n").unwrap();
    let (_out, files) = build_site(site.path(), &[]);
    let original =
        std::fs::read(site.path().join("content/scenarios/workshop/sideways.jpg")).unwrap();
    assert_eq!(files["scenarios/workshop/sideways.jpg"], original);
    assert!(
        attributes(&page(&files), ".body img", "srcset")
            .iter()
            .all(String::is_empty)
    );

    std::fs::write(
        &config,
        "title: 测试站点\nimages:\n  widths: [5]\n  qualty: 60\n  format: avif\n",
    )
    .unwrap();
    let (code, found) = check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    let config_problems: Vec<_> = places(&found)
        .into_iter()
        .filter(|p| p.0 == "site.yaml")
        .collect();
    assert_eq!(
        config_problems,
        [
            ("site.yaml", 3, 12, "out-of-range"),
            ("site.yaml", 4, 3, "unknown-field"),
            ("site.yaml", 5, 11, "wrong-type")
        ]
    );
}

/// A PNG that claims `width` × `height` pixels in a few dozen bytes.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_compendium_prints_each_photo_at_its_print_size_not_the_original() {
    let site = fixture_copy();
    // At 100 dpi the 162 mm column is 638 px: less than the 800 px photos.
    let config = "title: 测试站点\nimages: {print_dpi: 100}\ncompendia:\n  - {slug: photos, title: 照片测试案例集}\n";
    std::fs::write(site.path().join("site.yaml"), config).unwrap();
    let (out, files) = build_site(site.path(), &[]);
    let print_page = String::from_utf8(files["compendium/photos/index.html"].clone()).unwrap();
    let shown: Vec<(String, String)> = attributes(&print_page, "img", "src")
        .into_iter()
        .zip(attributes(&print_page, "img", "width"))
        .filter(|(src, _)| src.contains("/scenarios/workshop/"))
        .collect();
    let name = |(src, width): &(String, String)| {
        let file = src.rsplit('/').next().unwrap();
        let (stem, rest) = file.split_once('.').unwrap();
        let version = rest.split_once('.').map_or(rest, |(_key, version)| version);
        (format!("{stem}.{version}"), width.clone())
    };
    let shown: Vec<_> = shown.iter().map(name).collect();
    let expected = [
        ("upright.print.jpg", "638"),
        ("sideways.print.jpg", "638"),
        ("flow.print.png", "400"),
        ("kept.jpg", "320"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(n, w)| (n.to_string(), w.to_string()))
        .collect();
    assert_eq!(shown, expected, "the print page shows the print versions");
    for src in attributes(&print_page, "img", "src")
        .iter()
        .filter(|s| s.contains(".print."))
    {
        let file = &files[src.trim_start_matches('/')];
        assert!(!has_exif(file), "{src} has no metadata");
    }

    if !pdf_tools() {
        return;
    }
    let listing = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(out.path().join("compendium/photos.pdf"))
        .output()
        .unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    // `page num type width height …`, after two header lines.
    let mut widths: Vec<u32> = listing
        .lines()
        .skip(2)
        .filter_map(|line| line.split_whitespace().nth(3)?.parse().ok())
        .collect();
    widths.sort_unstable();
    widths.dedup();
    assert!(widths.contains(&638) && !widths.contains(&800), "{listing}");
}
