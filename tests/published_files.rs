//! What editors put beside a case reaches the site only when it is safe: images (SVG
//! without script), attachments of allowed types whose contents match their names; never
//! markdown, a draft, another case's files, or a page a browser would run.

mod common;

use std::fs;
use std::path::Path;

use common::{Found, build, case_file, check_json_at, read_tree, site_with, stderr};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
/// A whole 1×1 PNG: photos are decoded, so a header alone would be a `bad-image`.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\
    \0\0\0\rIDATx\x9cc`hh\xf8\x0f\0\x03\x84\x02\0W\xc9\xfa.\0\0\0\0IEND\xaeB`\x82";

fn found_at<'a>(found: &'a [Found], file: &str) -> Vec<&'a Found> {
    found.iter().filter(|d| d.file.ends_with(file)).collect()
}

const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">
  <rect width="20" height="10" fill="teal"/>
  <script>fetch('/pwned')</script>
  <text x="1" y="9" onclick="fetch('/pwned')">流程</text>
</svg>
"#;

#[test]
fn a_bundle_publishes_images_and_allowed_attachments_and_nothing_else() {
    let bundle = "content/scenarios/beside";
    // CRLF line ends, as Windows editors save: the warning's line and column still hold.
    let crlf_svg = SVG.replace('\n', "\r\n");
    let site = site_with(&[
        (
            &format!("{bundle}/index.md"),
            &case_file(
                "cover: photo.png\n",
                "![流程图](flow.svg)\n\n[报告](report.pdf)",
            ),
        ),
        (&format!("{bundle}/photo.png"), PNG),
        (&format!("{bundle}/flow.svg"), crlf_svg.as_bytes()),
        (&format!("{bundle}/report.pdf"), PDF),
        (&format!("{bundle}/data/table.xlsx"), b"PK\x03\x04rest"),
        (
            &format!("{bundle}/.htaccess"),
            b"AddType application/x-httpd-php .png",
        ),
        (
            &format!("{bundle}/page.html"),
            b"<script>fetch('/pwned')</script>",
        ),
        (
            &format!("{bundle}/fake.pdf"),
            b"<html><script>fetch('/pwned')</script>",
        ),
        (&format!("{bundle}/run.php"), b"<?php system($_GET['c']);"),
    ]);
    let (code, found) = check_json_at(site.path(), &[]);
    assert_eq!(code, 1, "{found:#?}");
    let refused: Vec<(&str, &str)> = found
        .iter()
        .filter(|d| d.severity == "error")
        .map(|d| {
            (
                d.file.trim_start_matches(&format!("{bundle}/")),
                d.code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [
            ("fake.pdf", "unpublishable-file"),
            ("page.html", "unpublishable-file"),
            ("run.php", "unpublishable-file")
        ],
        "{found:#?}"
    );
    let fake = found_at(&found, "fake.pdf")[0];
    assert_eq!(
        fake.message,
        "案例文件夹中的 “fake.pdf”的内容不是 PDF 格式（文件名与内容不符）"
    );
    let page = found_at(&found, "page.html")[0];
    assert!(
        page.message.contains("“page.html”不能随案例发布"),
        "{page:?}"
    );
    assert!(
        page.help.as_deref().unwrap().contains("attachments"),
        "{page:?}"
    );
    let svg = found_at(&found, "flow.svg");
    assert_eq!(svg.len(), 1, "{found:#?}");
    assert_eq!(
        (svg[0].severity.as_str(), svg[0].code.as_str()),
        ("warning", "svg-script")
    );
    assert_eq!((svg[0].line, svg[0].column), (3, 3), "at the <script>");
    assert_eq!(
        svg[0].message,
        "SVG 图片中可以运行脚本或从别处加载内容的部分已删除：<script>、onclick 属性"
    );

    // The same site builds once the refused files are gone: what is published is safe.
    for bad in ["page.html", "fake.pdf", "run.php"] {
        fs::remove_file(site.path().join(bundle).join(bad)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let output = build(site.path(), out.path(), &["--no-pdf"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = read_tree(out.path());
    // A photo's versions are named by a key of its bytes: `photo.<key>.1.webp`.
    let published: Vec<String> = files
        .keys()
        .filter_map(|p| p.strip_prefix("scenarios/beside/"))
        .map(|p| match p.split('.').collect::<Vec<_>>()[..] {
            [stem, key, ref rest @ ..] if key.len() == 10 => {
                format!("{stem}.<key>.{}", rest.join("."))
            }
            _ => p.to_string(),
        })
        .collect();
    assert_eq!(
        published,
        [
            "data/table.xlsx",
            "flow.svg",
            "index.html",
            "photo.<key>.1.png",
            "photo.<key>.1.webp",
            "photo.<key>.print.png",
            "photo.png",
            "report.pdf"
        ]
    );
    let svg = String::from_utf8(files["scenarios/beside/flow.svg"].clone()).unwrap();
    assert!(
        !svg.contains("script") && !svg.contains("onclick") && !svg.contains("pwned"),
        "{svg}"
    );
    assert!(
        svg.contains(r#"<rect width="20" height="10" fill="teal"></rect>"#),
        "{svg}"
    );
    assert!(svg.contains(">流程</text>"), "{svg}");
}

#[test]
fn images_and_covers_are_never_markdown_drafts_or_another_cases_files() {
    let draft = case_file("draft: true\n", "草稿正文：尚未公开的数据。");
    let site = site_with(&[
        ("content/scenarios/secret.md", &draft),
        ("content/scenarios/hidden/index.md", &draft),
        (
            "content/scenarios/other/index.md",
            &case_file("", "另一个案例。"),
        ),
        ("content/scenarios/other/photo.png", PNG),
        (
            "content/scenarios/leak.md",
            &case_file(
                "cover: secret.md\n",
                "![](hidden/index.md)\n\n![](other/photo.png)\n\n![](notes.txt)",
            ),
        ),
        ("content/scenarios/notes.txt", b"plain text"),
        (
            "content/pages/about.md",
            b"---\ntitle: \xe5\x85\xb3\xe4\xba\x8e\n---\n\n![](draft-page.md)\n",
        ),
        (
            "content/pages/draft-page.md",
            b"---\ntitle: \xe8\x8d\x89\xe7\xa8\xbf\ndraft: true\n---\n\nsecret\n",
        ),
    ]);
    let (code, found) = check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    let leak: Vec<(usize, &str)> = found_at(&found, "leak.md")
        .iter()
        .filter(|d| d.severity == "error")
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(
        leak,
        [
            (
                8,
                "封面图 “secret.md”不是图片（png、jpg、gif、webp、avif、svg）"
            ),
            (
                13,
                "正文中的图片 “hidden/index.md”属于另一个案例（content/scenarios/hidden）的文件夹，不能使用"
            ),
            (
                15,
                "正文中的图片 “other/photo.png”属于另一个案例（content/scenarios/other）的文件夹，不能使用"
            ),
            (
                17,
                "正文中的图片 “notes.txt”不是图片（png、jpg、gif、webp、avif、svg）"
            ),
        ],
        "{found:#?}"
    );
    let about: Vec<_> = found_at(&found, "about.md")
        .into_iter()
        .filter(|d| d.severity == "error")
        .collect();
    assert_eq!(about.len(), 1, "{found:#?}");
    assert_eq!(
        about[0].message,
        "正文中的图片 “draft-page.md”不是图片（png、jpg、gif、webp、avif、svg）"
    );
    let out = tempfile::tempdir().unwrap();
    assert!(
        !build(site.path(), out.path(), &["--no-pdf"])
            .status
            .success()
    );
    assert!(!out.path().join("scenarios/leak/secret.md").exists());
}

#[test]
fn attachment_types_a_browser_would_run_are_refused_in_site_yaml() {
    let site = site_with(&[(
        "site.yaml",
        "title: 测试站点\nattachments: [pdf, .HTML, zip]\n".as_bytes(),
    )]);
    let (code, found) = check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        common::places(&found),
        [("site.yaml", 2, 20, "unsafe-attachment")],
        "{found:#?}"
    );
    assert!(
        found[0]
            .message
            .contains("“.HTML”类型的文件不能作为附件发布"),
        "{found:#?}"
    );
}

#[test]
fn an_allowed_attachment_type_is_published() {
    let site = site_with(&[
        ("site.yaml", b"title: t\nattachments: [zip]\n"),
        (
            "content/scenarios/zipped/index.md",
            &case_file("", "[数据](data.zip)"),
        ),
        ("content/scenarios/zipped/data.zip", b"PK\x03\x04"),
        ("content/scenarios/zipped/report.pdf", PDF),
    ]);
    let (_, found) = check_json_at(site.path(), &[]);
    let pdf = found_at(&found, "report.pdf");
    assert_eq!(pdf.len(), 1, "pdf is no longer allowed: {found:#?}");
    fs::remove_file(site.path().join("content/scenarios/zipped/report.pdf")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = build(site.path(), out.path(), &["--no-pdf"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(Path::new(&out.path().join("scenarios/zipped/data.zip")).is_file());
}

#[test]
fn an_image_path_with_an_empty_segment_stays_inside_the_case_folder() {
    let secret = tempfile::tempdir().unwrap();
    fs::write(secret.path().join("leak.png"), [PNG, b"SECRET"].concat()).unwrap();
    let outside = secret
        .path()
        .strip_prefix("/")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let decoy = format!("content/scenarios/{outside}/leak.png");
    let site = site_with(&[
        (
            "content/scenarios/dot.md",
            &case_file("", &format!("![图](.//{outside}/leak.png)")),
        ),
        (&decoy, PNG),
        // Published as they are, so the bytes show which file was taken.
        (
            "site.yaml",
            b"title: \xe6\xb5\x8b\xe8\xaf\x95\nimages: {process: false}\n",
        ),
    ]);
    let out = tempfile::tempdir().unwrap();
    let output = build(site.path(), out.path(), &["--no-pdf"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let published = fs::read(out.path().join(format!("scenarios/dot/{outside}/leak.png"))).unwrap();
    assert_eq!(
        published, PNG,
        "the file inside the case folder, not the one outside"
    );
}
