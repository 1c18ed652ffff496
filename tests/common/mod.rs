//! Helpers for the integration tests: run the real binary on fixture sites.
#![allow(dead_code)]

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
    Command::new(env!("CARGO_BIN_EXE_anli"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
        .env("NO_COLOR", "1")
        .output()
        .expect("the anli binary runs")
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

/// Copies a directory tree, for tests that change a site.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.starts_with("target") || rel.starts_with("output") || rel.starts_with(".git") {
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
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = anli(&args);
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
