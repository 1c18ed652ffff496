//! Search: the index of the case pages, the case library `/cases/`, and Chinese
//! queries and URL filters in a real browser.
//!
//! The browser tests build the example site under the sub-path `/sub/`, serve it on
//! 127.0.0.1 and load `/sub/cases/?…` in headless Chromium (`--dump-dom`). Without
//! Chromium they print why they skip; with `ANLI_REQUIRE_BROWSER=1` (as in CI) that is a
//! failure.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::browser::{self, chromium};
use common::{anli, attributes, build_site, example_site, fixture, stderr};

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    let bytes = files.get(path).unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8(bytes.clone()).unwrap()
}

#[test]
fn the_bundle_indexes_the_listed_case_pages_under_the_sub_path() {
    let (_out, files) = build_site(
        &fixture("website"),
        &["--base-url", "https://example.org/sub/"],
    );
    let index: serde_json::Value =
        serde_json::from_str(&text(&files, "search/index.json")).unwrap();
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&text(&files, "data/cases.json")).unwrap();
    let listed: Vec<&serde_json::Value> =
        cases.iter().filter(|c| c["state"] != "revoked").collect();
    assert_eq!(listed.len(), 5, "the fixture lists five of its six cases");
    let count = index["cases"].as_u64().unwrap() as usize;
    assert_eq!(count, 5, "only the listed case pages are indexed");
    // Each case's card, in the site's order, with its URL under the sub-path.
    let urls: Vec<String> = (0..count)
        .map(|n| {
            let doc: serde_json::Value =
                serde_json::from_str(&text(&files, &format!("search/docs/{n}.json"))).unwrap();
            assert!(!doc["text"].as_str().unwrap().is_empty());
            doc["url"].as_str().unwrap().to_string()
        })
        .collect();
    let mut expected: Vec<String> = listed
        .iter()
        .map(|c| format!("/sub/{}/", c["id"].as_str().unwrap()))
        .collect();
    let mut sorted_urls = urls.clone();
    sorted_urls.sort();
    expected.sort();
    assert_eq!(sorted_urls, expected);
    let shards = index["shards"].as_u64().unwrap();
    for n in 0..shards {
        assert!(files.contains_key(&format!("search/shards/{n}.bin")));
    }
    let kinds = &index["filters"].as_array().unwrap()[0];
    assert_eq!(kinds["key"], "kind");
    let library = text(&files, "cases/index.html");
    assert_eq!(
        attributes(&library, ".library", "data-bundle"),
        ["/sub/search/"]
    );
    assert_eq!(attributes(&library, "script", "src"), ["/sub/cases.js"]);
    assert!(files.contains_key("cases.js") && files.contains_key("search.js"));
    // Without JavaScript: links to the static term pages, and each filter value is one.
    assert!(attributes(&library, ".no-script a", "href").contains(&"/sub/regions/".to_string()));
    let facets = attributes(&library, ".facets a[data-key=region]", "href");
    assert!(
        facets.contains(&"/sub/regions/jiangsu/".to_string()),
        "{facets:?}"
    );
    for page in [
        "index.html",
        "regions/index.html",
        "factories/js-plant/index.html",
    ] {
        let html = text(&files, page);
        assert_eq!(
            attributes(&html, "form.site-search", "action"),
            ["/sub/cases/"],
            "the header's search box on {page} leads to the case library"
        );
        assert!(html.contains("<html lang=\"zh-CN\">"), "{page} is zh-CN");
    }
}

#[test]
fn case_pages_carry_their_filters_and_lists_are_not_indexed() {
    let (_out, files) = build_site(&fixture("website"), &[]);
    let page = text(&files, "factories/js-plant/index.html");
    let filters: Vec<String> =
        attributes(&page, "meta[data-pagefind-filter]", "data-pagefind-filter")
            .into_iter()
            .zip(attributes(&page, "meta[data-pagefind-filter]", "content"))
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
    let expected = [
        "kind[content]=示范工厂",
        "category[content]=装备制造",
        "industry[content]=电力装备",
        "region[content]=江苏省",
        "year[content]=2022",
        "status[content]=复评通过",
    ];
    for filter in expected {
        assert!(
            filters.contains(&filter.to_string()),
            "{filter} in {filters:?}"
        );
    }
    assert_eq!(attributes(&page, "[data-pagefind-body]", "class"), ["case"]);
    assert_eq!(
        attributes(&page, "meta[data-pagefind-sort]", "content"),
        ["2022"]
    );
    for meta in ["unit", "region", "year", "kind", "summary"] {
        let selector = format!("meta[data-pagefind-meta=\"{meta}[content]\"]");
        assert_eq!(attributes(&page, &selector, "content").len(), 1, "{meta}");
    }
    for (path, bytes) in &files {
        let is_case = ["scenarios/", "factories/", "zones/"].iter().any(|k| {
            path.starts_with(k) && path.matches('/').count() == 2 && !path.contains("/page/")
        });
        if path.ends_with(".html") && !is_case {
            let html = String::from_utf8_lossy(bytes);
            assert!(
                !html.contains("data-pagefind-body"),
                "{path} is not indexed"
            );
        }
    }
}

#[test]
fn no_search_leaves_out_the_index_the_library_and_the_search_box() {
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("website"), site.path());
    let (_out, by_flag) = build_site(site.path(), &["--no-search"]);
    let yaml = site.path().join("site.yaml");
    let config = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{config}\nsearch: false\n")).unwrap();
    let (_out, by_config) = build_site(site.path(), &[]);
    for files in [by_flag, by_config] {
        assert!(!files.keys().any(|p| p.starts_with("search/")));
        assert!(!files.contains_key("cases/index.html"));
        assert!(!text(&files, "index.html").contains("site-search"));
        assert!(files.contains_key("factories/js-plant/index.html"));
        // Nothing leads to a library that is not there.
        for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
            let html = String::from_utf8_lossy(bytes);
            assert!(!html.contains("/cases/"), "{path} links the library");
        }
    }
}

#[test]
fn every_page_links_the_library_and_listings_narrow_into_it() {
    let (_out, files) = build_site(&example_site(), &["--no-pdf"]);
    // Every page but the compendia's print pages, which have no navigation.
    let pages = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html") && !p.starts_with("compendium/"));
    for (path, bytes) in pages {
        let html = String::from_utf8_lossy(bytes);
        let nav = &html[html
            .find("aria-label=\"主导航\"")
            .unwrap_or_else(|| panic!("{path}: no nav"))..];
        assert!(
            nav.starts_with("aria-label=\"主导航\">\n      <ul>\n      \n        <li><a href=\"/cases/\">案例库</a></li>"),
            "{path}: the library is not first in the navigation"
        );
    }
    let home = text(&files, "index.html");
    let listed = serde_json::from_slice::<serde_json::Value>(&files["search/index.json"]).unwrap()
        ["cases"]
        .as_u64()
        .unwrap();
    assert!(home.contains(&format!("<a href=\"/cases/\">查看全部 {listed} 个案例</a>")));

    // A region page: its region chosen in the filter row, the rest open; a link with it set.
    let region = text(&files, "regions/jiangsu/index.html");
    assert_eq!(
        attributes(&region, "form.narrow select", "name"),
        ["kind", "category", "region"]
    );
    assert!(region.contains("<option selected>江苏省</option>"));
    assert_eq!(region.matches("<option selected>").count(), 1);
    assert_eq!(
        attributes(&region, "form.narrow input[type=hidden]", "name"),
        Vec::<String>::new()
    );
    assert_eq!(
        attributes(&region, "form.narrow a", "href"),
        ["/cases/?region=%E6%B1%9F%E8%8B%8F%E7%9C%81"]
    );
    // A sub-industry, a technology, a year, a kind: kept as they are, or chosen.
    for (page, key, value) in [
        (
            "industries/power-equipment/index.html",
            "industry",
            "电力装备",
        ),
        ("technologies/5g/index.html", "technology", "5G"),
        ("years/2023/index.html", "year", "2023"),
        ("levels/excellence/index.html", "level", "卓越级"),
    ] {
        let html = text(&files, page);
        assert_eq!(
            attributes(&html, "form.narrow input[type=hidden]", "name"),
            [key],
            "{page}"
        );
        assert_eq!(
            attributes(&html, "form.narrow input[type=hidden]", "value"),
            [value],
            "{page}"
        );
    }
    let kind = text(&files, "factories/index.html");
    assert!(kind.contains("<option selected>示范工厂</option>"));
    let category = text(&files, "industries/equipment/index.html");
    assert!(category.contains("<option selected>装备制造</option>"));
}

#[test]
fn a_search_setting_that_is_not_a_boolean_is_reported() {
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("website"), site.path());
    let yaml = site.path().join("site.yaml");
    let config = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{config}\nsearch: 关闭\n")).unwrap();
    let (code, found) = common::check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        found
            .iter()
            .any(|d| d.code == "wrong-type" && d.file == "site.yaml"),
        "{found:?}"
    );
}

// ---- In the browser ----

/// The example site built under `/sub/` and served on 127.0.0.1, once for all tests.
fn served_example() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("search-example-site");
        let output = anli(&[
            "build",
            "--root",
            example_site().to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--base-url",
            "/sub/",
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        browser::serve(out, "/sub/").url
    })
}

/// The example's cases as its data file lists them.
fn example_cases() -> Vec<serde_json::Value> {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("search-example-site");
    served_example();
    serde_json::from_str(&std::fs::read_to_string(out.join("data/cases.json")).unwrap()).unwrap()
}

/// The case library at `/sub/cases/?{query}` after its search finished, as Chromium
/// renders it.
fn library(browser: &Path, query: &str) -> String {
    let url = format!("{}cases/?{query}", served_example());
    for budget in ["30000", "60000", "120000"] {
        let dom = browser::dump_dom(browser, &url, budget);
        if attributes(&dom, ".library", "aria-busy") == ["false"] {
            return dom;
        }
    }
    panic!("the search on {url} did not finish");
}

/// The cases a library view shows as matches (before any related ones), in order, as
/// `kind/slug`.
fn shown(dom: &str) -> Vec<String> {
    let matches = dom.split("class=\"results-related\"").next().unwrap_or(dom);
    attributes(matches, ".results-list article.card h3 a", "href")
        .iter()
        .map(|href| {
            href.trim_start_matches("/sub/")
                .trim_end_matches('/')
                .to_string()
        })
        .collect()
}

/// The count a facet value shows.
fn facet_count(dom: &str, key: &str, value: &str) -> usize {
    let link = format!("data-key=\"{key}\" data-value=\"{value}\"");
    let after = &dom[dom.find(&link).unwrap_or_else(|| panic!("no facet {link}"))..];
    let count = &after[after.find("class=\"count\">").unwrap() + 14..];
    count[..count.find('<').unwrap()].parse().unwrap()
}

fn sorted(mut cases: Vec<String>) -> Vec<String> {
    cases.sort();
    cases
}

fn query(words: &str) -> String {
    format!(
        "q={}",
        percent_encoding::utf8_percent_encode(words, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// Runs each query and compares the set of cases found.
fn assert_finds(test: &str, expected: &[(&str, &[&str])]) {
    let Some(browser) = chromium(test) else {
        return;
    };
    for (words, cases) in expected {
        let found = sorted(shown(&library(&browser, &query(words))));
        assert_eq!(found, *cases, "the query {words}");
    }
}

#[test]
fn whole_chinese_words_find_exactly_their_cases() {
    assert_finds(
        "whole_chinese_words_find_exactly_their_cases",
        &[
            (
                "焊装",
                &[
                    "factories/chongqing-qiche-zhengche",
                    "factories/zhoukou-nongji-shouhuoji",
                    "scenarios/wuhan-qiche-hanzhuang",
                ],
            ),
            // hefei-jiadian-kongtiao names the scenario 柔性产线快速换产.
            (
                "柔性产线",
                &[
                    "factories/hefei-jiadian-kongtiao",
                    "factories/huizhou-peidian-shebei",
                    "factories/zhoukou-nongji-shouhuoji",
                    "scenarios/wuhan-qiche-hanzhuang",
                ],
            ),
        ],
    );
}

#[test]
fn two_characters_inside_a_longer_word_match() {
    // 排产 stands inside 智能排产 and 车间智能排产; 冷链 inside 冷链物流.
    assert_finds(
        "two_characters_inside_a_longer_word_match",
        &[
            (
                "排产",
                &[
                    "factories/chongqing-qiche-zhengche",
                    "factories/hefei-jiadian-kongtiao",
                    "factories/xian-xinpian-fengce",
                    "scenarios/foshan-kongtiao-dingzhi",
                ],
            ),
            (
                "冷链",
                &[
                    "scenarios/qiqihaer-ruye-lenglian",
                    "zones/jiaodong-xianxingqu",
                ],
            ),
        ],
    );
}

#[test]
fn a_single_character_finds_every_case_that_holds_it() {
    // 焊 stands alone, in 焊装, 焊接 and 点焊: the query matches every token it starts.
    assert_finds(
        "a_single_character_finds_every_case_that_holds_it",
        &[(
            "焊",
            &[
                "factories/chongqing-qiche-zhengche",
                "factories/xian-xinpian-fengce",
                "factories/zhangzhou-lidian-dianxin",
                "factories/zhoukou-nongji-shouhuoji",
                "scenarios/luoyang-kuangji-jichu",
                "scenarios/wuhan-qiche-hanzhuang",
                "zones/cheng-de-mian-xianxingqu",
            ],
        )],
    );
}

#[test]
fn a_units_name_matches() {
    assert_finds(
        "a_units_name_matches",
        &[(
            "佛山某家用电器有限公司（示例）",
            &["scenarios/foshan-kongtiao-dingzhi"],
        )],
    );
}

#[test]
fn a_phrase_in_one_body_matches_and_the_words_apart_are_related() {
    let test = "a_phrase_in_one_body_matches_and_the_words_apart_are_related";
    let Some(browser) = chromium(test) else {
        return;
    };
    // 生产管控 occurs only in this case's body; other cases hold 生产 and 管控 apart.
    let dom = library(&browser, &query("生产管控"));
    let found = shown(&dom);
    assert_eq!(
        found.first().map(String::as_str),
        Some("factories/zhangzhou-lidian-dianxin"),
        "{found:?}"
    );
    // Other cases hold both words apart: related, after the match, and not counted.
    assert_eq!(found.len(), 1, "{found:?}");
    let all = attributes(&dom, ".results-list article.card h3 a", "href");
    assert!(
        all.len() > 1 && dom.contains("class=\"results-related\""),
        "{all:?}"
    );
    assert!(
        dom.contains("找到 1 个案例，另有"),
        "the count is of matches"
    );
    let first = dom
        .split("<article class=\"card\">")
        .nth(1)
        .unwrap_or_default();
    assert!(
        first.contains("<mark>生产管控</mark>"),
        "the excerpt shows the original characters, highlighted: {first}"
    );
}

#[test]
fn filters_in_the_url_show_exactly_the_cases_of_the_content() {
    let test = "filters_in_the_url_show_exactly_the_cases_of_the_content";
    let Some(browser) = chromium(test) else {
        return;
    };
    let cases = example_cases();
    let expected = |region: &str, category: &str| -> Vec<String> {
        sorted(
            cases
                .iter()
                .filter(|c| {
                    c["state"] != "revoked" && c["region"] == region && c["category"] == category
                })
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect(),
        )
    };
    let want = expected("江苏省", "电子信息");
    assert!(
        want.len() >= 2,
        "the example has several such cases: {want:?}"
    );
    let url = "region=%E6%B1%9F%E8%8B%8F%E7%9C%81&category=%E7%94%B5%E5%AD%90%E4%BF%A1%E6%81%AF";
    // Loading the URL twice is what a reload or a shared link does: the same view.
    for _ in 0..2 {
        let dom = library(&browser, url);
        assert_eq!(sorted(shown(&dom)), want);
        assert_eq!(attributes(&dom, ".no-script[hidden]", "class").len(), 1);
        let pressed: Vec<String> = attributes(&dom, ".facets a[aria-pressed=true]", "data-value");
        assert_eq!(
            pressed,
            ["电子信息", "江苏省"],
            "the chosen filters show as chosen"
        );
        // A value's count is what choosing it would add, given the other groups' choices:
        // each region's 电子信息 cases, each category's 江苏省 cases.
        for case in cases.iter().filter(|c| c["state"] != "revoked") {
            for (key, other_key, other) in [
                ("region", "category", "电子信息"),
                ("category", "region", "江苏省"),
            ] {
                let Some(value) = case[key].as_str() else {
                    continue; // a zone has no category
                };
                let want = cases
                    .iter()
                    .filter(|c| c["state"] != "revoked" && c[key] == value && c[other_key] == other)
                    .count();
                assert_eq!(facet_count(&dom, key, value), want, "{key} {value}");
            }
        }
    }
    // A filter row sends its open selects as empty values: they filter nothing.
    let dom = library(&browser, &format!("kind=&{url}"));
    assert_eq!(sorted(shown(&dom)), want);
    // A query narrows the filtered view (视觉检测 is in six cases, one of them here).
    let dom = library(&browser, &format!("{}&{url}", query("视觉检测")));
    assert_eq!(shown(&dom), ["scenarios/suzhou-mlcc-shijue-jiance"]);
}

#[test]
fn chosen_filters_show_as_chips_and_an_empty_view_says_which_filter_to_drop() {
    let test = "chosen_filters_show_as_chips_and_an_empty_view_says_which_filter_to_drop";
    let Some(browser) = chromium(test) else {
        return;
    };
    let cases = example_cases();
    let listed = |key: &str, value: &str| {
        cases
            .iter()
            .filter(|c| c["state"] != "revoked" && c[key] == value)
            .count()
    };
    // 装备制造 in 江苏省: none in the example.
    let dom = library(
        &browser,
        "region=%E6%B1%9F%E8%8B%8F%E7%9C%81&category=%E8%A3%85%E5%A4%87%E5%88%B6%E9%80%A0",
    );
    assert!(shown(&dom).is_empty());
    assert_eq!(
        attributes(&dom, ".chips button", "aria-label"),
        ["去掉条件：装备制造", "去掉条件：江苏省"]
    );
    let mut offers = [
        (listed("category", "装备制造"), "江苏省"),
        (listed("region", "江苏省"), "装备制造"),
    ];
    offers.sort_by_key(|o| std::cmp::Reverse(o.0));
    let hint = &dom[dom.find("class=\"results-hint\"").unwrap()..];
    let hint = &hint[..hint.find("</div>").unwrap()];
    for (count, drop) in offers {
        assert!(
            hint.contains(&format!("去掉{drop}（{count} 个）")),
            "{drop}: {hint}"
        );
    }
    let first = hint.find(&format!("去掉{}", offers[0].1)).unwrap();
    let second = hint.find(&format!("去掉{}", offers[1].1)).unwrap();
    assert!(first < second, "the drop that gives most comes first");
}

#[test]
fn query_words_that_name_a_filter_become_that_filter() {
    let test = "query_words_that_name_a_filter_become_that_filter";
    let Some(browser) = chromium(test) else {
        return;
    };
    let cases = example_cases();
    // A category and a region by an alias, as a visitor types them.
    let dom = library(&browser, &query("电子信息 江苏"));
    let want: Vec<String> = sorted(
        cases
            .iter()
            .filter(|c| {
                c["state"] != "revoked" && c["region"] == "江苏省" && c["category"] == "电子信息"
            })
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect(),
    );
    assert!(want.len() >= 2);
    assert_eq!(sorted(shown(&dom)), want);
    assert_eq!(
        attributes(&dom, ".chips button", "aria-label"),
        ["去掉条件：电子信息", "去掉条件：江苏省"]
    );
    assert_eq!(
        attributes(&dom, "#library-q", "value"),
        [""],
        "nothing left to search"
    );
    // The rest of the query is still searched (视觉检测 is in one 江苏 case).
    let dom = library(&browser, &query("江苏 视觉检测"));
    assert_eq!(shown(&dom), ["scenarios/suzhou-mlcc-shijue-jiance"]);
    assert_eq!(
        attributes(&dom, ".chips button", "aria-label"),
        ["去掉条件：“视觉检测”", "去掉条件：江苏省"]
    );
    // A technology's alias, any letter case: AI is 人工智能.
    let dom = library(&browser, &query("ai"));
    let with_technology = |name: &str| -> Vec<String> {
        cases
            .iter()
            .filter(|c| c["state"] != "revoked")
            .filter(|c| {
                c["technologies"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|v| v == name))
            })
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all_ai = with_technology("人工智能");
    assert!(
        dom.contains(&format!("人工智能：找到 {} 个案例", all_ai.len())),
        "every case with the technology, not the text AI"
    );
    let page = shown(&dom);
    assert_eq!(page.len(), all_ai.len().min(20), "the first page of cards");
    assert!(page.iter().all(|c| all_ai.contains(c)));
    // 5G专网 is an alias of 5G in the vocabulary: every case with the technology.
    let with_5g = with_technology("5G").len();
    let dom = library(&browser, &query("5G专网"));
    assert!(
        dom.contains(&format!("5G：找到 {with_5g} 个案例")),
        "5G专网 → 5G"
    );
}

#[test]
fn results_can_be_sorted_newest_year_first() {
    let test = "results_can_be_sorted_newest_year_first";
    let Some(browser) = chromium(test) else {
        return;
    };
    let cases = example_cases();
    let year = |id: &String| {
        cases
            .iter()
            .find(|c| c["id"] == id.as_str())
            .and_then(|c| c["year"].as_i64())
            .unwrap()
    };
    // A query with fewer results than a page, whose own order is not by year.
    let (words, by_relevance, want) = ["排产", "检测", "焊", "数字孪生工厂", "能源"]
        .into_iter()
        .find_map(|words| {
            let found = shown(&library(&browser, &query(words)));
            let mut want = found.clone();
            want.sort_by_key(|id| std::cmp::Reverse(year(id)));
            (found.len() > 1 && found.len() < 20 && want != found).then_some((words, found, want))
        })
        .expect("a query whose relevance order is not by year");
    let dom = library(&browser, &format!("{}&sort=year", query(words)));
    let sorted_view = shown(&dom);
    assert_eq!(
        sorted_view, want,
        "newest first, each year in the query's order ({words})"
    );
    assert_ne!(sorted_view, by_relevance);
}

/// Each card in `html`, by its case's address: the classes of its elements and its
/// links, in order (what a card shows, without the text a query's excerpt replaces).
fn card_shapes(html: &str) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    html.split("<article class=\"card")
        .skip(1)
        .map(|rest| {
            let card = format!(
                "<article class=\"card{}",
                &rest[..rest.find("</article>").unwrap()]
            );
            let links = attributes(&card, "a", "href");
            let classes = attributes(&card, "*:not(mark)", "class");
            let title = attributes(&card, "h3 a", "href");
            (title[0].clone(), (classes, links))
        })
        .collect()
}

#[test]
fn library_results_are_the_cards_listing_pages_show() {
    let test = "library_results_are_the_cards_listing_pages_show";
    let Some(browser) = chromium(test) else {
        return;
    };
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("search-example-site");
    served_example();
    // The cards of every page of the 2025 listing.
    let listed: BTreeMap<_, _> = common::read_tree(&out.join("years/2025"))
        .values()
        .flat_map(|page| card_shapes(&String::from_utf8_lossy(page)))
        .collect();
    let dom = library(&browser, "year=2025");
    let results = card_shapes(&dom[dom.find("results-list").unwrap()..]);
    assert!(results.len() >= 5, "{results:?}");
    for (url, shape) in &results {
        assert_eq!(Some(shape), listed.get(url), "the card of {url}");
    }
    // The 2025 卓越级 example factory: its level badge, industry and key figure.
    let dom = library(&browser, "level=%E5%8D%93%E8%B6%8A%E7%BA%A7");
    let results = card_shapes(&dom[dom.find("results-list").unwrap()..]);
    let (classes, links) = &results["/sub/factories/jiaxing-zhoucheng/"];
    assert_eq!(
        Some(&(classes.clone(), links.clone())),
        listed.get("/sub/factories/jiaxing-zhoucheng/")
    );
    for class in ["tag tag-level", "badge badge-current", "card-metric"] {
        assert!(classes.iter().any(|c| c == class), "{class} in {classes:?}");
    }
    assert!(
        links.iter().any(|l| l.starts_with("/sub/industries/")),
        "{links:?}"
    );
    // A query's excerpt replaces the summary, in the same card.
    let dom = library(&browser, &query("精密轴承"));
    let card = &card_shapes(&dom[dom.find("results-list").unwrap()..])["/sub/factories/jiaxing-zhoucheng/"];
    assert_eq!(card, &results["/sub/factories/jiaxing-zhoucheng/"]);
    assert!(dom.contains("<mark>精密轴承</mark>"), "the excerpt");
}

/// One query of the regression suite (`tests/fixtures/search-queries.yaml`), with the
/// judgments written by hand from the example content.
#[derive(serde::Deserialize, serde::Serialize)]
struct Judged {
    query: String,
    category: String,
    relevant: Vec<String>,
    #[serde(default)]
    best: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filters: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    suggest: Option<String>,
}

/// How the engine did on the suite: mean precision (over queries that found anything,
/// a query that should find nothing counting 0 when it does), mean recall and mean
/// reciprocal rank of the first `best` case (over queries with relevant cases), and
/// the queries that fell short.
struct Scores {
    precision: f64,
    recall: f64,
    mrr: f64,
    misses: Vec<String>,
}

fn score_suite(judged: &[Judged], answers: &[serde_json::Value]) -> Scores {
    let (mut precision, mut recall, mut mrr) = (Vec::new(), Vec::new(), Vec::new());
    let mut misses = Vec::new();
    for (j, answer) in judged.iter().zip(answers) {
        assert_eq!(answer["query"], j.query.as_str());
        let found: Vec<String> = serde_json::from_value(answer["results"].clone()).unwrap();
        let hits = found.iter().filter(|c| j.relevant.contains(c)).count();
        if !found.is_empty() {
            precision.push(hits as f64 / found.len() as f64);
        }
        if !j.relevant.is_empty() {
            recall.push(hits as f64 / j.relevant.len() as f64);
            let best = if j.best.is_empty() {
                &j.relevant
            } else {
                &j.best
            };
            let rank = found.iter().position(|c| best.contains(c));
            mrr.push(rank.map_or(0.0, |r| 1.0 / (r + 1) as f64));
        }
        let wrong: Vec<&String> = found.iter().filter(|c| !j.relevant.contains(c)).collect();
        let missing: Vec<&String> = j.relevant.iter().filter(|c| !found.contains(c)).collect();
        let suggested = answer["suggestion"].as_str();
        let bad_suggestion = j.suggest.as_deref().is_some_and(|s| suggested != Some(s));
        if !wrong.is_empty() || !missing.is_empty() || bad_suggestion {
            misses.push(format!(
                "[{}] {}: wrong {wrong:?}, missing {missing:?}, suggested {suggested:?}",
                j.category, j.query
            ));
        }
        if let Some(first) = found
            .first()
            .filter(|f| !j.best.is_empty() && !j.best.contains(f))
        {
            misses.push(format!(
                "[{}] {}: first {first}, best {:?}",
                j.category, j.query, j.best
            ));
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    Scores {
        precision: mean(&precision),
        recall: mean(&recall),
        mrr: mean(&mrr),
        misses,
    }
}

#[test]
fn the_query_suite_finds_what_was_meant_ranked() {
    let test = "the_query_suite_finds_what_was_meant_ranked";
    let (Some(chromium), Some(runner)) = (chromium(test), browser::node_runner(test)) else {
        return;
    };
    let suite = fixture("search-queries.yaml");
    let judged: Vec<Judged> =
        serde_yaml::from_str(&std::fs::read_to_string(suite).unwrap()).unwrap();
    assert!(judged.len() >= 60, "{} queries", judged.len());
    let queries = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(queries.path(), serde_json::to_vec(&judged).unwrap()).unwrap();
    let args = [
        served_example().to_string(),
        queries.path().to_str().unwrap().to_string(),
    ];
    let answers = browser::run_script(&runner, "queries.mjs", &chromium, &args);
    assert_eq!(answers.len(), judged.len());
    let scores = score_suite(&judged, &answers);
    eprintln!(
        "{} queries: precision {:.3}, recall {:.3}, MRR {:.3}\n{}",
        judged.len(),
        scores.precision,
        scores.recall,
        scores.mrr,
        scores.misses.join("\n")
    );
    assert!(
        scores.precision >= 0.95 && scores.recall >= 0.9 && scores.mrr >= 0.9,
        "precision {:.3}, recall {:.3}, MRR {:.3}:\n{}",
        scores.precision,
        scores.recall,
        scores.mrr,
        scores.misses.join("\n")
    );
}

#[test]
fn a_category_and_a_sub_industry_of_another_combine_as_either() {
    let test = "a_category_and_a_sub_industry_of_another_combine_as_either";
    let Some(browser) = chromium(test) else {
        return;
    };
    let cases = example_cases();
    let want = sorted(
        cases
            .iter()
            .filter(|c| {
                c["state"] != "revoked" && (c["category"] == "原材料" || c["industry"] == "汽车")
            })
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect(),
    );
    assert!(want.len() > 3, "{want:?}");
    // 原材料 and 汽车 (装备制造's): any of them, as within any one panel.
    let dom = library(
        &browser,
        "category=%E5%8E%9F%E6%9D%90%E6%96%99&industry=%E6%B1%BD%E8%BD%A6",
    );
    assert_eq!(sorted(shown(&dom)), want);
    // The counts say what choosing a value alone in the panel would give.
    let cars = cases
        .iter()
        .filter(|c| c["state"] != "revoked" && c["industry"] == "汽车")
        .count();
    assert_eq!(facet_count(&dom, "industry", "汽车"), cars);
}

#[test]
fn without_javascript_the_library_lists_every_case() {
    let (_out, files) = build_site(&example_site(), &["--no-pdf"]);
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&text(&files, "data/cases.json")).unwrap();
    let listed = cases.iter().filter(|c| c["state"] != "revoked").count();
    assert!(listed > 20, "more than a page");
    let first = text(&files, "cases/index.html");
    assert!(first.contains("关键词检索和组合筛选需要启用 JavaScript"));
    let mut shown = attributes(&first, ".results-list article.card h3 a", "href");
    assert!(
        !shown.is_empty() && shown.len() < listed,
        "the first page of cards, in the page"
    );
    assert!(attributes(&first, ".library-pager a", "href").contains(&"/cases/page/2/".to_string()));
    let second = text(&files, "cases/page/2/index.html");
    shown.extend(attributes(&second, "article.card h3 a", "href"));
    assert!(second.contains("<h1>全部案例</h1>"), "{second}");
    let mut expected: Vec<String> = cases
        .iter()
        .filter(|c| c["state"] != "revoked")
        .map(|c| format!("/{}/", c["id"].as_str().unwrap()))
        .collect();
    shown.sort();
    expected.sort();
    assert_eq!(shown, expected, "every listed case, once");
}
