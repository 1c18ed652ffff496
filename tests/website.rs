//! The website: term pages with exact case sets, counts, revoked cases, charts, links
//! under a sub-path, feeds and data. Built from tests/fixtures/website.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{anli, attributes, build_site, fixture};

/// Builds a fixture into a temporary folder and returns it with its files.
fn build(name: &str, extra: &[&str]) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    build_site(&fixture(name), extra)
}

fn page(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .clone(),
    )
    .unwrap()
}

/// The case pages a listing links to with its cards, across all its pages.
fn listed(files: &BTreeMap<String, Vec<u8>>, url: &str) -> Vec<String> {
    let mut cases = Vec::new();
    let mut next = Some(url.to_string());
    while let Some(url) = next {
        let html = page(files, &format!("{}index.html", url.trim_start_matches('/')));
        cases.extend(attributes(&html, "article.card h3 a", "href"));
        next = attributes(&html, "a[rel=next]", "href").into_iter().next();
    }
    cases.sort();
    cases
}

#[test]
fn term_pages_list_exactly_their_cases() {
    let (_out, files) = build("website", &[]);
    let equipment = listed(&files, "/industries/equipment/");
    assert_eq!(
        equipment,
        [
            "/factories/js-plant/",
            "/scenarios/js-a/",
            "/scenarios/js-b/"
        ],
        "a category holds its sub-industries"
    );
    let mut union = listed(&files, "/industries/power-equipment/");
    union.extend(listed(&files, "/industries/automotive/"));
    union.sort();
    assert_eq!(
        equipment, union,
        "category page = union of its sub-industries"
    );
    assert_eq!(
        listed(&files, "/regions/jiangsu/"),
        [
            "/factories/js-plant/",
            "/scenarios/js-a/",
            "/scenarios/js-b/",
            "/zones/sz-zone/"
        ]
    );
    assert_eq!(listed(&files, "/regions/guangdong/"), ["/scenarios/gd-c/"]);
    assert!(
        listed(&files, "/regions/beijing/").is_empty(),
        "a term without cases still has its page"
    );
    assert_eq!(
        listed(&files, "/scenario-types/production-operations/"),
        ["/scenarios/gd-c/", "/scenarios/js-b/"]
    );
    assert_eq!(
        listed(&files, "/technologies/5g/"),
        ["/scenarios/gd-c/", "/scenarios/js-a/"]
    );
    assert_eq!(
        listed(&files, "/years/2024/"),
        ["/scenarios/gd-c/", "/scenarios/js-b/"]
    );
    assert_eq!(listed(&files, "/years/2022/"), ["/factories/js-plant/"]);
    // Page size 2: the Jiangsu listing has a second page, newest year first.
    let first = page(&files, "regions/jiangsu/index.html");
    assert_eq!(
        attributes(&first, "article.card h3 a", "href"),
        ["/scenarios/js-b/", "/scenarios/js-a/"]
    );
    assert!(files.contains_key("regions/jiangsu/page/2/index.html"));

    let category = page(&files, "industries/equipment/index.html");
    let children = attributes(&category, ".term-children a", "href");
    assert!(
        children.contains(&"/industries/power-equipment/".to_string())
            && children.contains(&"/industries/automotive/".to_string())
    );
}

#[test]
fn index_pages_show_every_term_with_its_count() {
    let (_out, files) = build("website", &[]);
    let regions = page(&files, "regions/index.html");
    assert!(
        regions
            .contains(r#"<a href="/regions/jiangsu/">江苏省</a> <span class="count">（4）</span>"#)
    );
    assert!(
        regions
            .contains(r#"<li class="empty"><span>北京市</span> <span class="count">（0）</span>"#),
        "terms without cases are greyed, not hidden, and lead to no empty page"
    );
    let industries = page(&files, "industries/index.html");
    assert!(industries.contains(
        r#"<a href="/industries/equipment/">装备制造</a> <span class="count">（3）</span>"#
    ));
    let years = page(&files, "years/index.html");
    assert!(
        years.contains(r#"<a href="/years/2024/">2024年</a> <span class="count">（2）</span>"#)
    );
}

#[test]
fn revoked_cases_keep_their_page_but_leave_lists_and_counts() {
    let (_out, files) = build("website", &[]);
    let revoked = page(&files, "factories/revoked/index.html");
    assert!(revoked.contains("该示范工厂已撤销，本页仅作存档"));
    assert!(!listed(&files, "/factories/").contains(&"/factories/revoked/".to_string()));
    assert!(
        !listed(&files, "/industries/power-equipment/")
            .contains(&"/factories/revoked/".to_string())
    );
    let home = page(&files, "index.html");
    let counts = attributes(&home, ".stats a", "href");
    assert_eq!(counts, ["/scenarios/", "/factories/", "/zones/"]);
    assert!(
        home.contains(
            r#"<span class="stat-number">1</span><span class="stat-label">智能制造示范工厂</span>"#
        ),
        "the revoked factory is not counted"
    );
    // Counts are on home, not in every page's footer: an edit that changes them
    // renders only the pages that state them.
    let footer = |html: &str| html[html.find("<footer").unwrap()..].to_string();
    assert!(!footer(&home).contains("个案例"), "{}", footer(&home));
    assert!(
        page(&files, "404.html").contains("测试页脚文字"),
        "footer text from site.yaml"
    );
}

#[test]
fn home_charts_are_valid_svg_with_the_right_numbers() {
    let (_out, files) = build("website", &[]);
    let home = page(&files, "index.html");
    let svgs: Vec<&str> = home
        .match_indices("<svg")
        .map(|(at, _)| &home[at..at + home[at..].find("</svg>").unwrap() + 6])
        .collect();
    assert_eq!(svgs.len(), 3, "map, industries, years");
    let texts = |svg: &str| -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        doc.descendants()
            .filter(|n| n.is_text())
            .map(|n| n.text().unwrap().trim().to_string())
            .filter(|t| !t.is_empty())
            .collect()
    };
    let map = texts(svgs[0]);
    let jiangsu = map
        .iter()
        .position(|t| t == "江苏")
        .expect("a Jiangsu tile");
    assert_eq!(map[jiangsu + 1], "4", "{map:?}");
    let guangdong = map.iter().position(|t| t == "广东").unwrap();
    assert_eq!(map[guangdong + 1], "1");
    let industries = texts(svgs[1]);
    let equipment = industries.iter().position(|t| t == "装备制造").unwrap();
    assert_eq!(industries[equipment + 1], "3", "{industries:?}");
    let years = texts(svgs[2]);
    assert!(
        years
            .windows(2)
            .any(|w| w == ["2", "2024"] || w == ["2024", "2"]),
        "{years:?}"
    );
}

#[test]
fn case_pages_link_metadata_related_cases_and_zone_members() {
    let (_out, files) = build("website", &[]);
    let a = page(&files, "scenarios/js-a/index.html");
    let meta = attributes(&a, ".meta a", "href");
    for url in [
        "/regions/jiangsu/",
        "/industries/power-equipment/",
        "/industries/equipment/",
        "/scenario-types/smart-scheduling/",
        "/scenario-types/production-management/",
        "/technologies/5g/",
        "/years/2023/",
    ] {
        assert!(
            meta.contains(&url.to_string()),
            "{url} missing from {meta:?}"
        );
    }
    let related = attributes(&a, ".related article.card h3 a", "href");
    assert_eq!(
        related.first().map(String::as_str),
        Some("/factories/js-plant/"),
        "same unit first: {related:?}"
    );
    assert!(!related.contains(&"/factories/revoked/".to_string()));
    let zone = page(&files, "zones/sz-zone/index.html");
    let members = attributes(&zone, ".members article.card h3 a", "href");
    assert_eq!(
        members,
        ["/scenarios/js-a/", "/factories/js-plant/"],
        "cases in the zone's cities, not Wuxi, not revoked"
    );
    assert!(a.contains(r##"<h2 id="场景描述">场景描述<a class="anchor" href="#场景描述" aria-label="本节链接">#</a></h2>"##));
    assert!(a.contains("阅读约 1 分钟"));
}

#[test]
fn every_internal_reference_starts_with_the_sub_path() {
    let (_out, files) = build("website", &["--base-url", "/anli/"]);
    let mut checked = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let urls = [
            ("a[href]", "href"),
            ("link[href]", "href"),
            ("img[src]", "src"),
            ("script[src]", "src"),
        ]
        .iter()
        .flat_map(|(selector, attribute)| attributes(&html, selector, attribute));
        for url in urls {
            if url.starts_with('#') || url.contains("://") || !url.starts_with('/') {
                continue;
            }
            assert!(url.starts_with("/anli/"), "{path}: {url}");
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} references checked");
}

#[test]
fn broken_links_and_missing_images_fail_check_with_their_line() {
    let (code, found) = common::check_json("broken-links");
    assert_eq!(code, 1);
    let at = |code: &str| {
        found
            .iter()
            .find(|d| d.code == code)
            .map(|d| (d.file.as_str(), d.line, d.column, d.message.as_str()))
    };
    assert_eq!(
        at("broken-link"),
        Some((
            "content/scenarios/a.md",
            10,
            12,
            "链接“/factories/nowhere/”指向的 factories/nowhere/index.html 不存在"
        ))
    );
    assert_eq!(
        at("missing-file"),
        Some((
            "content/scenarios/a.md",
            12,
            10,
            "正文中的图片 “missing.png”不存在（找的是 content/scenarios/missing.png）"
        ))
    );
    let raw = found
        .iter()
        .find(|d| d.message.contains("raw-missing.png"))
        .expect("a broken image in raw HTML");
    assert_eq!(
        (raw.file.as_str(), raw.line, raw.code.as_str()),
        ("content/scenarios/a.md", 16, "broken-link"),
        "raw HTML is reported at its line too"
    );
    assert_eq!(
        found.len(),
        3,
        "the links to / and ../ are fine: {found:#?}"
    );
    let root = fixture("broken-links");
    let out = tempfile::tempdir().unwrap();
    let build = anli(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(
        build.status.code(),
        Some(1),
        "build fails on the same problems"
    );
}

#[test]
fn feeds_and_data_describe_every_case() {
    let (_out, files) = build("website", &[]);
    let atom = page(&files, "atom.xml");
    let feed = roxmltree::Document::parse(&atom).unwrap();
    let entries: Vec<&str> = feed
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| {
            e.children()
                .find(|c| c.has_tag_name("id"))
                .and_then(|i| i.text())
        })
        .collect();
    assert_eq!(entries.len(), 5, "listed cases only: {entries:?}");
    assert!(entries.contains(&"https://example.org/scenarios/gd-c/"));
    assert!(atom.contains("丙，含有 &quot;引号&quot; 与 &lt;尖括号&gt; &amp; 符号。"));
    let sitemap = page(&files, "sitemap.xml");
    let locs: Vec<String> = roxmltree::Document::parse(&sitemap)
        .unwrap()
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    assert!(locs.contains(&"https://example.org/regions/jiangsu/".to_string()));
    assert!(locs.contains(&"https://example.org/".to_string()));
    assert!(locs.iter().all(|l| l.starts_with("https://example.org/")));

    let json: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(&files["data/cases.json"]).unwrap();
    assert_eq!(json.len(), 6, "every case, revoked too");
    let plant = json
        .iter()
        .find(|r| r["id"] == "factories/js-plant")
        .unwrap();
    assert_eq!(plant["category"], "装备制造");
    assert_eq!(plant["valid_until"], "2028-12-01");
    assert_eq!(plant["url"], "https://example.org/factories/js-plant/");
    let csv_bytes = &files["data/cases.csv"];
    assert!(csv_bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let mut reader = csv::Reader::from_reader(&csv_bytes[3..]);
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), json.len());
    for (row, record) in rows.iter().zip(&json) {
        assert_eq!(headers.len(), record.len());
        for (header, value) in headers.iter().zip(row.iter()) {
            let expected = match &record[header] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            assert_eq!(
                value,
                anli::outputs::feeds::neutralise(expected),
                "{header} of {}",
                record["id"]
            );
        }
    }
}

#[test]
fn unchanged_content_gives_unchanged_feeds() {
    let (_a, one) = build("website", &[]);
    let (_b, two) = build("website", &[]);
    for path in [
        "atom.xml",
        "sitemap.xml",
        "data/cases.json",
        "data/cases.csv",
    ] {
        assert_eq!(one[path], two[path], "{path}");
    }
    assert!(!Path::new(&fixture("website")).join("output").exists());
}

/// A listing of many pages links the first and last pages and the two on either side of
/// the current one, with an ellipsis where pages are left out.
#[test]
fn a_long_listing_links_the_first_last_and_nearby_pages() {
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(&common::example_site(), site.path());
    let config = site.path().join("site.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{yaml}\npage_size: 1\n")).unwrap();
    let (_out, files) = build_site(site.path(), &["--no-pdf"]);
    let last = (1..)
        .take_while(|n| files.contains_key(&format!("scenarios/page/{}/index.html", n + 1)))
        .last()
        .map_or(1, |n| n + 1);
    assert!(last >= 15, "{last} pages of scenarios");

    let html = page(&files, "scenarios/page/10/index.html");
    let numbers = attributes(&html, ".pager a:not([rel])", "href");
    let expected: Vec<String> = [1, 8, 9, 11, 12, last]
        .iter()
        .map(|&n| match n {
            1 => "/scenarios/".to_string(),
            n => format!("/scenarios/page/{n}/"),
        })
        .collect();
    assert_eq!(numbers, expected);
    assert!(html.contains("<span aria-current=\"page\">10</span>"));
    assert_eq!(
        html.matches("<span class=\"gap\" aria-hidden=\"true\">…</span>")
            .count(),
        2
    );

    // Near the start: no gap before the pages after the first.
    let html = page(&files, "scenarios/page/2/index.html");
    let numbers = attributes(&html, ".pager a:not([rel])", "href");
    assert_eq!(numbers.len(), 4, "{numbers:?}"); // 1, 3, 4 and the last
    assert_eq!(html.matches("class=\"gap\"").count(), 1);
}

/// The built-in templates that list cards, with `card.html` rendered by the partial
/// instead, as a theme written before `card.html` does: written into `site`.
fn cards_by_include(site: &Path) {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    for name in [
        "index.html",
        "list.html",
        "term.html",
        "cases.html",
        "case.html",
    ] {
        let text = std::fs::read_to_string(theme.join(name)).unwrap();
        assert!(text.contains("{{ card.html | safe }}"), "{name}");
        let text = text.replace(
            "{{ card.html | safe }}",
            "{% include \"partials/card.html\" %}",
        );
        std::fs::create_dir_all(site.join("templates")).unwrap();
        std::fs::write(site.join("templates").join(name), text).unwrap();
    }
}

#[test]
fn cards_made_once_and_spliced_in_are_the_cards_a_theme_renders_itself() {
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("website"), site.path());
    cards_by_include(site.path());
    let (_a, spliced) = build("website", &["--base-url", "/anli/"]);
    let (_b, included) = build_site(site.path(), &["--base-url", "/anli/"]);
    assert_eq!(
        spliced.keys().collect::<Vec<_>>(),
        included.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &spliced {
        assert!(included[path] == *bytes, "{path} differs");
    }
    let home = page(&spliced, "index.html");
    assert!(!home.contains("<!--anli:card:"));
    assert!(!attributes(&home, "article.card h3 a", "href").is_empty());
}

#[test]
fn a_broken_link_in_the_card_template_is_reported_at_a_page_that_lists_the_card() {
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("website"), site.path());
    let card = "<article class=\"card\"><a href=\"{{ card.url }}\">{{ card.title }}</a> <a href=\"/nowhere/\">更多</a></article>";
    std::fs::create_dir_all(site.path().join("templates/partials")).unwrap();
    std::fs::write(site.path().join("templates/partials/card.html"), card).unwrap();
    let (code, found) = common::check_json_at(site.path(), &["--no-pdf"]);
    assert_eq!(code, 1);
    let broken: Vec<_> = found.iter().filter(|d| d.code == "broken-link").collect();
    assert!(!broken.is_empty(), "{found:?}");
    for d in &broken {
        assert!(d.file.ends_with("index.html"), "{d:?}");
        assert!(d.message.contains("“/nowhere/”"), "{d:?}");
    }
}

#[test]
fn an_error_in_the_card_template_is_reported_once_not_on_every_page() {
    let site = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("website"), site.path());
    std::fs::create_dir_all(site.path().join("templates/partials")).unwrap();
    let card = "<article>{{ card.no_such_field | upper }}</article>\n";
    std::fs::write(site.path().join("templates/partials/card.html"), card).unwrap();
    let (code, found) = common::check_json_at(site.path(), &["--no-pdf"]);
    assert_eq!(code, 1);
    let template: Vec<_> = found.iter().filter(|d| d.code == "template").collect();
    assert_eq!(template.len(), 1, "{template:#?}");
    assert_eq!(template[0].file, "partials/card.html");
    assert!(
        template[0].message.contains("partials/card.html"),
        "{template:?}"
    );
}
