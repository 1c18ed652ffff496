//! Accessibility and phones: axe-core (the WCAG 2.1 A and AA rules and best practices) in
//! headless Chromium on home, a case, a term page, the case library and a compendium's
//! print page, each at phone and desktop width: no serious or critical violation; and on
//! a phone the case library's first result is above the fold; and every control of those
//! pages is reached by Tab with its focus in sight, and the library works by keys alone. `tests/a11y/` holds the
//! runner; `npm ci --prefix tests/a11y` installs axe-core and puppeteer-core, as
//! `.ci/run` does. Without Chromium, Node.js or those packages the tests say why they
//! skip; with `ANLI_REQUIRE_BROWSER=1` (as in CI) that is a failure.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::{anli, browser, example_site, stderr};

const PAGES: [&str; 5] = [
    "",
    "factories/jiaxing-zhoucheng/",
    "regions/jiangsu/",
    "cases/",
    "compendium/equipment/",
];

/// The example site built once and served on 127.0.0.1: its address.
fn served_example() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
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
        browser::serve(out, "/").url
    })
}

/// Runs one of the runner's scripts on every page of [`PAGES`], each at two widths: its
/// JSON lines; `None` when the test skips.
fn on_every_page(test: &str, script: &str) -> Option<Vec<serde_json::Value>> {
    let (Some(chromium), Some(runner)) = (browser::chromium(test), browser::node_runner(test))
    else {
        return None;
    };
    let urls: Vec<String> = PAGES
        .iter()
        .map(|p| format!("{}{p}", served_example()))
        .collect();
    let results = browser::run_script(&runner, script, &chromium, &urls);
    assert_eq!(results.len(), PAGES.len() * 2, "every page at two widths");
    Some(results)
}

#[test]
fn the_example_sites_pages_have_no_serious_accessibility_violations() {
    let test = "the_example_sites_pages_have_no_serious_accessibility_violations";
    let Some(results) = on_every_page(test, "axe.mjs") else {
        return;
    };
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

#[test]
fn on_a_phone_the_librarys_first_result_is_above_the_fold() {
    let test = "on_a_phone_the_librarys_first_result_is_above_the_fold";
    let (Some(chromium), Some(runner)) = (browser::chromium(test), browser::node_runner(test))
    else {
        return;
    };
    let base = served_example();
    let urls = [
        format!("{base}cases/"),
        format!("{base}cases/?region=%E6%B1%9F%E8%8B%8F%E7%9C%81"),
    ];
    for found in browser::run_script(&runner, "fold.mjs", &chromium, &urls) {
        let top = found["top"]
            .as_f64()
            .unwrap_or_else(|| panic!("no result: {found}"));
        let height = found["height"].as_f64().unwrap();
        assert!(
            top + 100.0 < height,
            "the first result starts at {top}px: {found}"
        );
        assert_eq!(
            found["filtersOpen"], false,
            "the filters wait, folded: {found}"
        );
    }
}

#[test]
fn tab_reaches_every_control_with_its_focus_in_sight() {
    let test = "tab_reaches_every_control_with_its_focus_in_sight";
    let Some(results) = on_every_page(test, "keyboard.mjs") else {
        return;
    };
    for page in &results {
        let at = format!("{} at {}px", page["url"], page["width"]);
        assert!(page["controls"].as_u64().unwrap() > 10, "{at}: {page}");
        assert_eq!(
            page["missed"],
            serde_json::json!([]),
            "{at}: Tab never reaches these"
        );
        assert_eq!(
            page["unseen"],
            serde_json::json!([]),
            "{at}: focus not visible on these"
        );
    }
}

#[test]
fn the_case_library_works_by_keys_alone() {
    let test = "the_case_library_works_by_keys_alone";
    let (Some(chromium), Some(runner)) = (browser::chromium(test), browser::node_runner(test))
    else {
        return;
    };
    let library = format!("{}cases/", served_example());
    let steps = &browser::run_script(
        &runner,
        "keyboard.mjs",
        &chromium,
        &[library, "--operate".into()],
    )[0];
    let step = |name: &str| &steps[name];
    // Typing 江苏 and Enter: the region filter, as a chip.
    assert_eq!(
        step("typed")["chips"],
        serde_json::json!(["江苏省 ✕"]),
        "{steps}"
    );
    // Enter on the chip takes it away; focus stays in the library, not lost to the page.
    assert_eq!(step("chipRemoved")["chips"], serde_json::json!([]));
    assert_eq!(step("chipRemoved")["focus"], "library-q");
    assert_eq!(
        step("firstOfTwoRemoved")["chips"],
        serde_json::json!(["2023年 ✕"])
    );
    assert_eq!(step("firstOfTwoRemoved")["focus"], "chips", "the next chip");
    // Space on a filter value chooses it; Enter on it again lets it go.
    assert_eq!(
        step("facetSpace")["chips"].as_array().unwrap().len(),
        1,
        "{steps}"
    );
    assert_eq!(step("facetEnter")["chips"], serde_json::json!([]));
    // The arrow key in the sort list sorts by year.
    assert_eq!(step("sorted")["url"], "?sort=year");
    // 显示更多 shows the next cards and moves focus to the first of them.
    assert!(
        step("more")["cards"].as_u64() > step("sorted")["cards"].as_u64(),
        "{steps}"
    );
    assert_eq!(step("more")["focus"], "card");
    // On a phone the folded filters open with Enter on their summary.
    assert_eq!(step("phoneFolded")["panelOpen"], false);
    assert_eq!(step("phoneOpened")["panelOpen"], true);
}
