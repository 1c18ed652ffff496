//! A factory's `level` (示范工厂, 卓越级, 领航级): validated against its vocabulary, shown as
//! a badge and a term page, filtered in the case library, grouped in compendia, exported.

mod common;

use common::*;

const LEADING: &str = "---\ntitle: 领航级测试工厂\nunit: 领航测试单位（示例）\nregion: 江苏省\nindustry: 汽车\nlevel: 领航级智能工厂\nyear: 2025\nsummary: 摘要。\n---\n\n## 企业概况\n\n正文。\n";

fn leveled_site() -> tempfile::TempDir {
    site_with(&[
        ("content/factories/leading.md", LEADING.as_bytes()),
        (
            "content/factories/demo.md",
            LEADING
                .replace("领航级智能工厂", "示范工厂")
                .replace("领航级测试工厂", "示范级测试工厂")
                .as_bytes(),
        ),
        (
            "site.yaml",
            "title: 测试站点\ncompendia:\n  - slug: by-level\n    title: 按级别\n    select: {kind: factory}\n    group_by: level\n"
                .as_bytes(),
        ),
    ])
}

#[test]
fn a_level_is_a_badge_a_term_page_a_filter_and_a_data_column() {
    let site = leveled_site();
    let (_out, files) = build_site(site.path(), &["--no-pdf"]);
    let text = |path: &str| String::from_utf8(files[path].clone()).unwrap();

    // The alias resolves to the term's name; the badge and the facts row link its page.
    let page = text("factories/leading/index.html");
    assert!(
        page.contains("<a class=\"tag tag-level\" href=\"/levels/leading/\">领航级</a>"),
        "{page}"
    );
    assert!(page.contains("<dt>级别</dt><dd><a href=\"/levels/leading/\">领航级</a></dd>"));
    let listing = text("factories/index.html");
    assert_eq!(
        attributes(&listing, "a.tag-level", "href"),
        ["/levels/leading/"],
        "only a level other than the kind's own name (示范工厂) gets a badge"
    );
    assert!(
        text("factories/demo/index.html")
            .contains("<dt>级别</dt><dd><a href=\"/levels/demonstration/\">示范工厂</a></dd>")
    );
    let term = text("levels/leading/index.html");
    assert!(term.contains("领航级测试工厂") && !term.contains("测试工厂单位"));
    assert!(text("levels/index.html").contains("/levels/leading/"));
    // Levels are reached from their badges, not from the default navigation.
    assert!(!text("index.html").contains("href=\"/levels/\""));

    let library = text("cases/index.html");
    assert_eq!(
        attributes(&library, "a[data-key=level]", "data-value"),
        ["示范工厂", "领航级"]
    );
    let index: serde_json::Value = serde_json::from_slice(&files["search/index.json"]).unwrap();
    assert!(index["filters"].to_string().contains("领航级"), "{index}");

    let csv = text("data/cases.csv");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "level").unwrap();
    let row = csv.lines().find(|l| l.contains("leading")).unwrap();
    assert_eq!(row.split(',').nth(column), Some("领航级"));
    let plant = csv.lines().find(|l| l.contains("factories/plant")).unwrap();
    assert_eq!(plant.split(',').nth(column), Some(""));

    // group_by: level — a chapter per level, factories without one under 其他.
    let print = text("compendium/by-level/index.html");
    let leading = print.find("领航级</h2>").expect(&print);
    let other = print.find("其他</h2>").expect(&print);
    let case = |slug: &str| {
        print
            .find(&format!("id=\"case-factories-{slug}\""))
            .unwrap()
    };
    assert!(leading < case("leading") && case("leading") < other && other < case("plant"));
}

#[test]
fn a_level_on_a_scenario_or_an_unknown_level_is_reported_at_its_line() {
    let site = site_with(&[
        (
            "content/scenarios/leveled.md",
            &case_file("level: 卓越级\n", "正文。"),
        ),
        (
            "content/factories/typo.md",
            LEADING.replace("领航级智能工厂", "领航机").as_bytes(),
        ),
    ]);
    let (code, found) = check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    let errors: Vec<_> = found.iter().filter(|d| d.severity == "error").collect();
    assert_eq!(errors.len(), 2, "{found:#?}");
    let scenario = errors
        .iter()
        .find(|d| d.code == "level-not-factory")
        .unwrap();
    assert_eq!(
        (scenario.file.as_str(), scenario.line, scenario.column),
        ("content/scenarios/leveled.md", 8, 8)
    );
    assert_eq!(scenario.message, "优秀场景没有级别（level）");
    let typo = errors.iter().find(|d| d.code == "unknown-term").unwrap();
    assert_eq!(
        (typo.file.as_str(), typo.line),
        ("content/factories/typo.md", 6)
    );
    assert_eq!(typo.message, "未知的级别“领航机”");
    assert_eq!(typo.help.as_deref(), Some("是否要写“领航级”？"));
}
