//! Helpers for the integration tests: run the real binary on fixture sites.
#![allow(dead_code)]

pub mod browser;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The day lifecycle states are judged on in every test, so results do not age.
pub const TODAY_EPOCH: &str = "1795910400"; // 2026-11-29

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The repository itself, which is the example site.
pub fn example_site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn anli(args: &[&str]) -> Output {
    anli_with_env(args, &[])
}

/// Runs anli with extra environment variables.
pub fn anli_with_env(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_anli"));
    command
        .args(args)
        .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
        .env("NO_COLOR", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the anli binary runs")
}

/// `anli build --root <root> --output <output> <extra…>`.
pub fn build(root: &Path, output: &Path, extra: &[&str]) -> Output {
    build_with_env(root, output, extra, &[])
}

pub fn build_with_env(root: &Path, output: &Path, extra: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    anli_with_env(&args, env)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One diagnostic as `check --format json` prints it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Found {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub severity: String,
    pub code: String,
    pub message: String,
    pub help: Option<String>,
}

/// Runs `anli check --format json` on a fixture; returns the exit code and the diagnostics.
pub fn check_json(fixture_name: &str) -> (i32, Vec<Found>) {
    check_json_at(&fixture(fixture_name), &[])
}

/// Runs `anli check --format json` on any site, with extra arguments.
pub fn check_json_at(root: &Path, extra: &[&str]) -> (i32, Vec<Found>) {
    let mut args = vec![
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let output = anli(&args);
    let found = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    (output.status.code().unwrap_or(-1), found)
}

/// Each diagnostic as (file, code), in report order.
pub fn codes(found: &[Found]) -> Vec<(&str, &str)> {
    found
        .iter()
        .map(|d| (d.file.as_str(), d.code.as_str()))
        .collect()
}

/// Each diagnostic as (file, line, column, code), in report order.
pub fn places(found: &[Found]) -> Vec<(&str, usize, usize, &str)> {
    found
        .iter()
        .map(|d| (d.file.as_str(), d.line, d.column, d.code.as_str()))
        .collect()
}

/// Copies a directory tree, for tests that change a site.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.starts_with("target")
            || rel.starts_with("output")
            || rel.starts_with(".git")
            || rel.starts_with(".anli-cache")
        {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, by relative path.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Whether this machine can read back compendium PDFs: `pdftotext` and `pdffonts`
/// (poppler-utils). anli typesets them without any font installed. Without the tools a
/// test skips with a notice, unless `ANLI_REQUIRE_PDF_TOOLS=1` (set by `.ci/run`) turns
/// the skip into a failure.
pub fn pdf_tools() -> bool {
    tools_or_skip(&["pdftotext", "pdffonts", "pdftoppm"], "poppler-utils")
}

/// Whether this machine can read QR codes off rendered PDF pages: `zbarimg`
/// (zbar-tools) beside [`pdf_tools`]; skips and fails as they do.
pub fn qr_tools() -> bool {
    pdf_tools() && tools_or_skip(&["zbarimg"], "zbar-tools")
}

/// Whether every one of `programs` (from the Debian package `package`) runs here; if
/// not, a notice and `false`, or a failure when `ANLI_REQUIRE_PDF_TOOLS=1`.
fn tools_or_skip(programs: &[&str], package: &str) -> bool {
    let runs = |program: &&str| Command::new(program).arg("-h").output().is_ok();
    let Some(missing) = programs.iter().find(|p| !runs(p)) else {
        return true;
    };
    if std::env::var_os("ANLI_REQUIRE_PDF_TOOLS").is_some_and(|v| v == "1") {
        panic!("本机缺少 {missing}（{package}），而 ANLI_REQUIRE_PDF_TOOLS=1 要求运行 PDF 测试");
    }
    eprintln!(
        "注意：本机缺少 {missing}（{package}），跳过这个 PDF 测试（apt-get install {package}）"
    );
    false
}

/// The text of each page of a PDF, by `pdftotext`.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let output = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs");
    assert!(
        output.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Text with every kind of space (and the word joiners Typst puts before page numbers)
/// removed, so a title matches however the line was broken.
pub fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{2060}')
        .collect()
}

/// Builds the site at `root` into a temporary folder with extra arguments; returns the
/// folder with its files.
pub fn build_site(
    root: &Path,
    extra: &[&str],
) -> (
    tempfile::TempDir,
    std::collections::BTreeMap<String, Vec<u8>>,
) {
    let out = tempfile::tempdir().unwrap();
    let output = build(root, out.path(), extra);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = read_tree(out.path());
    (out, files)
}

/// Every value of `attribute` on elements matching `selector`, by parsing the HTML.
pub fn attributes(html: &str, selector: &str, attribute: &str) -> Vec<String> {
    let found = std::cell::RefCell::new(Vec::new());
    let settings = lol_html::RewriteStrSettings::new().append_element_content_handler(
        lol_html::element!(selector, |el| {
            found
                .borrow_mut()
                .push(el.get_attribute(attribute).unwrap_or_default());
            Ok(())
        }),
    );
    lol_html::rewrite_str(html, settings).unwrap();
    found.into_inner()
}

/// The valid minimal site copied into a temporary folder, with extra files written into it.
pub fn site_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("valid-minimal"), dir.path());
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

/// A valid scenario file with `extra_front` added to its front matter (from line 8) and
/// `body` under its first heading.
pub fn case_file(extra_front: &str, body: &str) -> Vec<u8> {
    format!(
        "---\ntitle: 附件测试场景\nunit: 测试单位（示例）\nregion: 江苏省\nscenarios: [车间智能排产]\nyear: 2023\nsummary: 摘要。\n{extra_front}---\n\n## 企业概况\n\n{body}\n"
    )
    .into_bytes()
}
