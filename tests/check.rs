//! `anli check`: every content mistake is reported with file, line, column, a Chinese
//! message and a fix, all at once. One fixture site per behaviour under tests/fixtures/.

mod common;

use common::{Found, anli, check_json, fixture, stdout};

/// Asserts that exactly one diagnostic has this rule at this place, and returns it.
fn expect<'f>(found: &'f [Found], code: &str, file: &str, line: usize, column: usize) -> &'f Found {
    let matching: Vec<&Found> = found
        .iter()
        .filter(|d| d.code == code && d.file == file && d.line == line && d.column == column)
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one `{code}` at {file}:{line}:{column}, got {found:#?}"
    );
    matching[0]
}

fn help(d: &Found) -> &str {
    d.help.as_deref().unwrap_or("")
}

#[test]
fn missing_front_matter() {
    let (code, found) = check_json("no-front-matter");
    assert_eq!(code, 1);
    let d = expect(&found, "no-front-matter", "content/scenarios/a.md", 1, 1);
    assert_eq!(d.message, "文件缺少 front matter（开头的 `---`）");
    assert!(help(d).contains("---\ntitle: "));
}

#[test]
fn unterminated_front_matter() {
    let (code, found) = check_json("unterminated-front-matter");
    assert_eq!(code, 1);
    let d = expect(
        &found,
        "unterminated-front-matter",
        "content/scenarios/a.md",
        1,
        1,
    );
    assert_eq!(d.message, "front matter 没有结束：找不到第二个 `---`");
}

#[test]
fn invalid_yaml_points_at_the_parsers_position() {
    let (code, found) = check_json("invalid-yaml");
    assert_eq!(code, 1);
    // The flow sequence opened on line 5 is still open when line 6 starts a new key.
    let d = expect(&found, "yaml-syntax", "content/scenarios/a.md", 6, 5);
    assert_eq!(
        d.message,
        "YAML 语法错误：方括号列表没有闭合，缺少 `]` 或项之间的逗号"
    );
    assert_eq!(found.len(), 1);
}

#[test]
fn wrong_type_points_at_the_value() {
    let (code, found) = check_json("wrong-type-year");
    assert_eq!(code, 1);
    let d = expect(&found, "wrong-type", "content/scenarios/a.md", 6, 7);
    assert_eq!(
        d.message,
        "`year` 的值类型不对：应为整数年份，如 2022，实际是文本“二〇二二”"
    );
    assert_eq!(
        found.len(),
        1,
        "a field of the wrong type is not also reported missing: {found:#?}"
    );
}

#[test]
fn unknown_field_suggests_the_known_one() {
    let (_, found) = check_json("unknown-field");
    let d = expect(&found, "unknown-field", "content/factories/a.md", 5, 1);
    assert_eq!(d.message, "未知字段 `industy`");
    assert_eq!(help(d), "是否要写 `industry`（行业）？");
}

#[test]
fn unknown_terms_get_a_did_you_mean_and_aliases_pass() {
    let (code, found) = check_json("unknown-terms");
    assert_eq!(code, 1);
    assert!(
        found.iter().all(|d| d.file != "content/scenarios/alias.md"),
        "广东, 5G专网 and ai are aliases: {found:#?}"
    );
    let region = expect(&found, "unknown-term", "content/scenarios/typos.md", 4, 9);
    assert_eq!(region.message, "未知的地区“广冬省”");
    assert_eq!(help(region), "是否要写“广东省”？");
    let scenario = expect(&found, "unknown-term", "content/scenarios/typos.md", 5, 13);
    assert_eq!(scenario.message, "未知的典型场景“车间智能排查”");
    assert_eq!(help(scenario), "是否要写“车间智能排产”？");
    let industry = expect(&found, "unknown-term", "content/scenarios/typos.md", 8, 11);
    assert_eq!(industry.message, "未知的行业“电力装被”");
    assert_eq!(help(industry), "是否要写“电力装备”？");
    let tech = expect(&found, "unknown-term", "content/scenarios/typos.md", 9, 20);
    assert_eq!(tech.message, "未知的技术“工业互连网”");
    assert_eq!(help(tech), "是否要写“工业互联网”？");
    let city = expect(&found, "unknown-term", "content/scenarios/city.md", 4, 9);
    assert!(help(city).contains("region 写 广东省"), "{city:?}");
}

#[test]
fn missing_required_fields_per_kind() {
    let (code, found) = check_json("missing-fields");
    assert_eq!(code, 1);
    let messages: Vec<(&str, &str)> = found
        .iter()
        .map(|d| (d.file.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "content/factories/a.md",
                "示范工厂缺少必填字段 `industry`（行业）"
            ),
            (
                "content/factories/a.md",
                "示范工厂缺少必填字段 `unit`（单位）"
            ),
            (
                "content/scenarios/b.md",
                "优秀场景缺少必填字段 `scenarios`（典型场景）"
            ),
        ]
    );
    assert!(
        found
            .iter()
            .all(|d| d.code == "missing-field" && d.line == 1 && d.column == 1)
    );
}

#[test]
fn duplicate_slugs_within_a_kind() {
    let (code, found) = check_json("duplicate-slug");
    assert_eq!(code, 1);
    let d = expect(&found, "duplicate-slug", "content/factories/same.md", 1, 1);
    assert_eq!(
        d.message,
        "slug “same”重复：content/factories/same/index.md 也使用了它"
    );
    assert_eq!(
        found.len(),
        1,
        "the same slug in another kind is a different URL: {found:#?}"
    );
}

#[test]
fn slugs_must_be_lowercase_ascii() {
    let (_, found) = check_json("invalid-slug");
    let d = expect(
        &found,
        "invalid-slug",
        "content/scenarios/Bad_Slug.md",
        1,
        1,
    );
    assert!(d.message.starts_with("slug “Bad_Slug”无效"));
    assert!(help(d).contains("bad-slug.md"));
    expect(&found, "invalid-slug", "content/scenarios/中文名.md", 1, 1);
}

#[test]
fn invalid_dates_point_at_the_date() {
    let (_, found) = check_json("invalid-date");
    let approved = expect(&found, "invalid-date", "content/factories/a.md", 7, 11);
    assert_eq!(approved.message, "`approved` 的日期“2023-02-30”不存在");
    let review = expect(&found, "invalid-date", "content/factories/a.md", 10, 12);
    assert_eq!(review.message, "`date` 的日期“2024/12/20”格式不对");
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn related_must_name_an_existing_case() {
    let (_, found) = check_json("unknown-related");
    let near = expect(&found, "unknown-related", "content/scenarios/a.md", 10, 5);
    assert_eq!(near.message, "相关案例“scenarios/bb”不存在");
    assert_eq!(help(near), "是否要写“scenarios/b”？");
    expect(&found, "unknown-related", "content/scenarios/a.md", 11, 5);
    assert_eq!(found.len(), 2, "scenarios/b exists: {found:#?}");
}

#[test]
fn cover_and_body_images_must_exist() {
    let (_, found) = check_json("missing-images");
    let cover = expect(&found, "missing-file", "content/scenarios/a.md", 8, 8);
    assert_eq!(
        cover.message,
        "封面图 “nope.png”不存在（找的是 content/scenarios/nope.png）"
    );
    let image = expect(&found, "missing-file", "content/scenarios/a.md", 15, 8);
    assert_eq!(
        image.message,
        "正文中的图片 “missing.png”不存在（找的是 content/scenarios/missing.png）"
    );
    let escape = expect(&found, "missing-file", "content/scenarios/a.md", 17, 7);
    assert!(
        escape
            .message
            .contains("不能以 / 开头，不能包含 ..、\\ 或盘符"),
        "{escape:?}"
    );
    assert!(
        found.iter().all(|d| !d.file.contains("bundle")),
        "the bundle's images exist: {found:#?}"
    );
}

#[test]
fn files_that_are_not_utf8_are_errors() {
    let (code, found) = check_json("not-utf8");
    assert_eq!(code, 1);
    // `unit: ` on line 3 is followed by GBK bytes.
    let d = expect(&found, "not-utf8", "content/scenarios/gbk.md", 3, 7);
    assert!(d.message.starts_with("文件不是 UTF-8 编码"));
    assert!(help(d).contains("UTF-8"));
}

#[test]
fn bom_and_crlf_are_accepted_and_positions_stay_right() {
    let (_, found) = check_json("bom-crlf");
    // The only problem in the file is a typo on line 8; BOM and CRLF are fine.
    assert_eq!(found.len(), 1, "{found:#?}");
    expect(
        &found,
        "unknown-field",
        "content/scenarios/windows.md",
        8,
        1,
    );
}

#[test]
fn empty_files_are_errors() {
    let (code, found) = check_json("empty-file");
    assert_eq!(code, 1);
    let d = expect(&found, "empty-file", "content/scenarios/a.md", 1, 1);
    assert_eq!(d.message, "文件是空的");
}

#[test]
fn warnings_for_lapsed_validity_and_missing_summary() {
    let (code, found) = check_json("warnings");
    assert_eq!(code, 0, "warnings alone pass: {found:#?}");
    let lapsed = expect(&found, "validity-ended", "content/factories/old.md", 7, 11);
    assert_eq!(lapsed.severity, "warning");
    assert_eq!(
        lapsed.message,
        "示范工厂的有效期已于 2025-01-10 结束，且没有通过复评的记录"
    );
    let summary = expect(
        &found,
        "missing-summary",
        "content/scenarios/nosummary.md",
        1,
        1,
    );
    assert_eq!(summary.severity, "warning");
    assert!(
        found.iter().all(|d| d.file != "content/zones/reviewed.md"),
        "a passing review extends validity: {found:#?}"
    );

    let root = fixture("warnings");
    let strict = anli(&["check", "--root", root.to_str().unwrap(), "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "--strict fails on warnings");
}

#[test]
fn ten_mistakes_are_all_reported_in_one_run() {
    let (code, found) = check_json("ten-mistakes");
    assert_eq!(code, 1);
    let mut files: Vec<&str> = found.iter().map(|d| d.file.as_str()).collect();
    files.dedup();
    assert_eq!(found.len(), 10, "{found:#?}");
    assert_eq!(files.len(), 10, "one mistake in each file: {found:#?}");
    assert!(found.iter().all(|d| d.severity == "error"));
}

#[test]
fn human_format_shows_the_line_and_a_caret_under_the_value() {
    let root = fixture("unknown-terms");
    let output = anli(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let expected = "错误[unknown-term]：未知的地区“广冬省”\n --> content/scenarios/typos.md:4:9\n  |\n4 | region: 广冬省\n  |         ^^^^^^\n  = 帮助：是否要写“广东省”？\n";
    assert!(text.contains(expected), "{text}");
    assert!(text.ends_with("发现 5 个错误，0 个警告\n"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
}

#[test]
fn github_format_annotates_the_line() {
    let root = fixture("unknown-field");
    let output = anli(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "github",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("::error file=content/factories/a.md,line=5,col=1,title=unknown-field::未知字段 `industy`%0A帮助：是否要写 `industry`（行业）？\n"),
        "{text}"
    );
}

#[test]
fn a_valid_site_passes() {
    let (code, found) = check_json("valid-minimal");
    assert_eq!(code, 0);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_site_here_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = anli(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).contains("找不到 site.yaml"));
    let bad_flag = anli(&["check", "--format", "xml"]);
    assert_eq!(bad_flag.status.code(), Some(2));
}

#[test]
fn edge_cases_are_reported_where_they_are() {
    let (code, found) = check_json("edge-cases");
    assert_eq!(code, 1);
    // Anchors and aliases are ordinary YAML: the case using them has no problem, and its
    // `related` entry names a case that exists but has errors of its own.
    assert!(
        found
            .iter()
            .all(|d| d.file != "content/scenarios/anchors.md"),
        "{found:#?}"
    );
    expect(&found, "unknown-term", "content/scenarios/broken.md", 4, 9);
    // A nested mapping is pointed at where it starts, not at its first colon.
    let nested = expect(&found, "wrong-type", "content/scenarios/nested.md", 4, 3);
    assert_eq!(
        nested.message,
        "`unit` 的值类型不对：应为文本，实际是映射（键值对）"
    );
    // A field written with its Chinese name is pointed to its key.
    let chinese = expect(&found, "unknown-field", "content/scenarios/nested.md", 5, 1);
    assert_eq!(help(chinese), "是否要写 `region`（地区）？");
    let folder = expect(
        &found,
        "misplaced-file",
        "content/scenerios/typo-folder.md",
        1,
        1,
    );
    assert!(help(folder).starts_with("文件夹 `scenerios` 是否应为 `scenarios`？"));
    expect(&found, "missing-file", "content/pages/about.md", 5, 6);
    let years = expect(&found, "out-of-range", "site.yaml", 3, 19);
    assert_eq!(
        years.message,
        "`validity_years` 的值 400000000 超出范围（1–50）"
    );
    // A broken template fails `check`, not only `build`.
    let template = found
        .iter()
        .find(|d| d.code == "template")
        .expect("a template error");
    assert!(template.message.contains("page.html"), "{template:?}");
}

#[cfg(unix)]
#[test]
fn an_image_linked_from_outside_the_case_folder_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("site");
    common::copy_tree(&fixture("valid-minimal"), &site);
    std::fs::write(work.path().join("secret.txt"), "SECRET").unwrap();
    std::os::unix::fs::symlink(
        work.path().join("secret.txt"),
        site.join("content/scenarios/cover.svg"),
    )
    .unwrap();
    let case = site.join("content/scenarios/ok.md");
    let text = std::fs::read_to_string(&case).unwrap().replacen(
        "summary:",
        "cover: cover.svg\nsummary:",
        1,
    );
    std::fs::write(&case, text).unwrap();
    let output = anli(&[
        "check",
        "--root",
        site.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("“cover.svg”是指向案例文件夹之外的链接，不能使用"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn unsafe_settings_and_clashing_slugs_are_refused() {
    let (code, found) = check_json("config-mistakes");
    assert_eq!(code, 1);
    expect(&found, "invalid-base-url", "site.yaml", 2, 11);
    let nav = expect(&found, "invalid-nav", "site.yaml", 4, 3);
    assert_eq!(nav.message, "导航链接“脚本”的网址“javascript:alert(1)”无效");
    let slug = expect(
        &found,
        "duplicate-term",
        "content/_taxonomies/technologies.yaml",
        6,
        23,
    );
    assert_eq!(slug.message, "词条“大数据”的 slug “ai”与词条“人工智能”相同");
    let blank = expect(&found, "missing-field", "content/scenarios/blank.md", 2, 8);
    assert_eq!(blank.message, "必填字段 `title` 是空的");
    assert_eq!(found.len(), 4, "{found:#?}");
}

#[test]
fn check_and_build_agree_on_drafts() {
    let draft_case = "---\ntitle: 草稿案例\nunit: 单位（示例）\nregion: 江苏省\nscenarios: [车间智能排产]\nyear: 2023\nsummary: 摘要\ndraft: true\n---\n\n![缺图](missing.png)\n";
    let site = common::site_with(&[
        ("content/scenarios/wip.md", draft_case.as_bytes()),
        ("content/pages/preface.md", "---\ntitle: 前言\ndraft: true\n---\n\n前言\n".as_bytes()),
        ("content/scenarios/wip-bundle/index.md", draft_case.replace("missing.png", "wip.png").as_bytes()),
        ("content/scenarios/wip-bundle/wip.png", b"\x89PNG\r\n\x1a\n"),
        ("content/scenarios/wip-bundle/evil.html", b"<script>1</script>"),
        ("site.yaml", "title: 测试站点\ncompendia:\n  - slug: all\n    title: 全部\n    preface: pages/preface.md\n".as_bytes()),
    ]);
    let ok = site.path().join("content/scenarios/ok.md");
    let text = std::fs::read_to_string(&ok).unwrap();
    std::fs::write(&ok, format!("{text}\n见[草稿](/scenarios/wip/)。\n")).unwrap();
    let (code, found) = common::check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        common::places(&found),
        [
            ("content/scenarios/ok.md", 14, 7, "broken-link"),
            (
                "content/scenarios/wip-bundle/evil.html",
                1,
                1,
                "unpublishable-file"
            ),
            // The draft's PNG is its signature only: as `build --drafts` would, check
            // decodes it.
            ("content/scenarios/wip-bundle/index.md", 11, 7, "bad-image"),
            ("content/scenarios/wip.md", 11, 7, "missing-file"),
            ("site.yaml", 5, 14, "missing-file"),
        ],
        "the published site's problems and the draft's own: {found:#?}"
    );
    assert_eq!(
        found[0].message,
        "链接“/scenarios/wip/”指向草稿 content/scenarios/wip.md，它不会发布"
    );
    assert_eq!(
        found[4].message,
        "前言页面 content/pages/preface.md 是草稿（draft: true），不会发布"
    );
    // `build` stops on the same two problems of the published site.
    let out = tempfile::tempdir().unwrap();
    let build = common::build(site.path(), out.path(), &["--no-pdf"]);
    let report = common::stderr(&build);
    assert!(!build.status.success());
    assert!(
        report.contains("前言页面 content/pages/preface.md 是草稿"),
        "{report}"
    );
}

#[test]
fn a_space_after_chinese_punctuation_is_a_warning_at_its_column() {
    let site = common::site_with(&[
        (
            "content/scenarios/spaced.md",
            &common::case_file(
                "",
                "第一句。 第二句，年产 8 000 台。\n\n| 项目 | 结果 |\n| --- | --- |\n| 排产 | 已完成。 |",
            ),
        ),
        (
            "content/pages/about.md",
            "---\ntitle: 关于\n---\n\n说明：  见下文。\n".as_bytes(),
        ),
    ]);
    let (code, found) = common::check_json_at(site.path(), &[]);
    assert_eq!(code, 0, "warnings only: {found:#?}");
    let spaced: Vec<_> = found
        .iter()
        .filter(|d| d.code == "space-after-punctuation")
        .map(|d| (d.file.as_str(), d.line, d.column, d.severity.as_str()))
        .collect();
    assert_eq!(
        spaced,
        [
            ("content/pages/about.md", 5, 4, "warning"),
            ("content/scenarios/spaced.md", 12, 5, "warning"),
        ]
    );
    assert_eq!(
        found
            .iter()
            .find(|d| d.code == "space-after-punctuation")
            .unwrap()
            .message,
        "全角标点后面有空格"
    );
}
