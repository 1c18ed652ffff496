//! Accessibility: axe-core (the WCAG 2.1 A and AA rules and best practices) in headless
//! Chromium on home, a case, a term page, the case library and a compendium's print page,
//! each at phone and desktop width: no serious or critical violation. `tests/a11y/` holds
//! the runner; `npm ci --prefix tests/a11y` installs axe-core and puppeteer-core, as
//! `.ci/run` does. Without Chromium, Node.js or those packages the test says why it
//! skips; with `ANLI_REQUIRE_BROWSER=1` (as in CI) that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{anli, browser, example_site, stderr};

const PAGES: [&str; 5] = [
    "",
    "factories/jiaxing-zhoucheng/",
    "regions/jiangsu/",
    "cases/",
    "compendium/equipment/",
];

/// The runner's folder when Node.js and its packages are there.
fn runner(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/a11y");
    let node = Command::new("node").arg("--version").output().is_ok();
    if node && dir.join("node_modules/axe-core").is_dir() {
        return Some(dir);
    }
    let why = "没有 Node.js 或 axe-core（npm ci --prefix tests/a11y）";
    assert!(
        std::env::var("ANLI_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "{test}：{why}，而 ANLI_REQUIRE_BROWSER=1 要求运行浏览器测试"
    );
    eprintln!("跳过 {test}：{why}");
    None
}

#[test]
fn the_example_sites_pages_have_no_serious_accessibility_violations() {
    let test = "the_example_sites_pages_have_no_serious_accessibility_violations";
    let Some(chromium) = browser::chromium(test) else {
        return;
    };
    let Some(runner) = runner(test) else {
        return;
    };
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("a11y-example-site");
    let build = anli(&[
        "build",
        "--root",
        example_site().to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--no-pdf",
    ]);
    assert!(build.status.success(), "{}", stderr(&build));
    let served = browser::serve(out, "/");
    let urls: Vec<String> = PAGES.iter().map(|p| format!("{}{p}", served.url)).collect();
    let output = Command::new("node")
        .arg(runner.join("axe.mjs"))
        .args(&urls)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<serde_json::Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(
        results.len(),
        PAGES.len() * 2,
        "every page at two widths: {report}"
    );
    let found: Vec<String> = results
        .iter()
        .flat_map(|r| {
            let page = format!("{} at {}px", r["url"], r["width"]);
            r["violations"].as_array().unwrap().iter().map(move |v| {
                format!(
                    "{page}: {} ({}) {}: {}",
                    v["id"], v["impact"], v["help"], v["nodes"]
                )
            })
        })
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}
