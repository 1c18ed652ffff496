//! `anli import`: official name lists (xlsx, ods, CSV in GB18030 or UTF-8) become case
//! files; a second import changes nothing; mistakes are reported at their cells.
//! The lists in `tests/fixtures/import/` are made by `make.py` there, every unit fictional.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

fn list(name: &str) -> PathBuf {
    fixture("import").join(name)
}

fn import(site: &Path, list: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "import",
        list.to_str().unwrap(),
        "--root",
        site.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    anli(&args)
}

fn read(site: &Path, rel: &str) -> String {
    std::fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The front-matter lines of a file that set a field (not comments).
fn fields(text: &str) -> Vec<&str> {
    text.split("---")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
}

const SCENARIO_FILES: [&str; 8] = [
    "content/scenarios/bingtuan-moumian-ye-energy-management.md",
    "content/scenarios/mouneng-yuanji-tuanning-integrated-safety.md",
    "content/scenarios/mouzhuang-bei-remote-maintenance.md",
    "content/scenarios/subei-moufang-zhike-inline-inspection.md",
    "content/scenarios/sunan-moujing-miji-smart-scheduling.md",
    "content/scenarios/yongjiang-moumo-ju-predictive-maintenance.md",
    "content/scenarios/zhujiang-moujia-dian-quality-traceability.md",
    "content/scenarios/zhujiang-moujia-dian-smart-warehousing.md",
];

#[test]
fn a_scenario_list_becomes_case_files_whose_only_problems_are_what_editors_must_write() {
    let site = site_with(&[]);
    let before = read_tree(site.path());
    let out = import(
        site.path(),
        &list("scenarios-2023.xlsx"),
        &["--kind", "scenario", "--year", "2023"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = read_tree(site.path());
    let new: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(new, SCENARIO_FILES.iter().collect::<Vec<_>>());

    // The notes sheet is passed over; the title row and the group headings are skipped.
    let report = stdout(&out);
    assert!(
        report.starts_with("scenarios-2023.xlsx:优秀场景名单：表头在第 2 行，读到 8 行案例，跳过 2 行分组标题或说明\n新建 8 个文件：\n"),
        "{report}"
    );
    // A 推荐单位 merged over two rows is read for both, and said.
    let warnings = stderr(&out);
    assert!(warnings.contains(
        "警告[import-merged-cells]：B4:B5 是合并单元格：“江苏省工业和信息化厅”已用于第 4–5 行\n --> scenarios-2023.xlsx:优秀场景名单:4:B"
    ), "{warnings}");
    assert!(warnings.contains("第 11 行是中央企业：地区按单位名称取为“宁夏回族自治区”"));
    assert!(warnings.contains("第 12 行是中央企业：名单没有写所在省份"));

    let subei = read(site.path(), SCENARIO_FILES[3]);
    assert_eq!(
        fields(&subei)[..6],
        [
            "title: 在线智能检测",
            "unit: 苏北某纺织科技有限公司（示例）",
            "region: 江苏省",
            "city: 请填写城市                # 如 苏州市；不需要时删除这一行",
            "industry: 请填写细分行业        # 如 电力装备，见 content/_taxonomies/industries.yaml",
            "scenarios: [在线智能检测]",
        ]
    );
    assert!(subei.contains("# 由 anli import 从 scenarios-2023.xlsx:优秀场景名单 第 5 行 导入"));
    assert!(
        subei.contains("\n## 实施成效\n"),
        "the archetype's sections: {subei}"
    );
    let ningbo = read(site.path(), SCENARIO_FILES[5]);
    let ningbo = fields(&ningbo);
    assert!(ningbo.contains(&"region: 浙江省") && ningbo.contains(&"city: 宁波市"));
    assert!(ningbo.contains(&"recommender: 宁波市"));
    let smart = read(site.path(), SCENARIO_FILES[4]);
    assert!(
        fields(&smart).contains(&"scenarios: [车间智能排产]"),
        "a term inside the title"
    );
    assert!(fields(&smart).contains(&"title: 基于数字孪生的车间智能排产"));
    let central = read(site.path(), SCENARIO_FILES[2]);
    assert!(fields(&central).contains(&"recommender: 中央企业"));
    assert!(
        fields(&central)
            .iter()
            .any(|l| l.starts_with("region: 请填写"))
    );

    // `anli check` lists exactly what is left to write: placeholders, nothing else wrong.
    let (code, found) = check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    let imported: Vec<&Found> = found
        .iter()
        .filter(|d| SCENARIO_FILES.contains(&d.file.as_str()))
        .collect();
    assert!(!imported.is_empty());
    assert!(
        imported.iter().all(|d| d.code == "unfilled-placeholder"),
        "{imported:#?}"
    );
}

#[test]
fn importing_the_same_list_again_writes_nothing_and_shows_what_the_list_now_says_otherwise() {
    let site = site_with(&[]);
    let args = ["--kind", "scenario", "--year", "2023"];
    let first = import(site.path(), &list("scenarios-2023.xlsx"), &args);
    assert!(first.status.success());
    let written = read_tree(site.path());
    let again = import(site.path(), &list("scenarios-2023.xlsx"), &args);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(read_tree(site.path()), written);
    let report = stdout(&again);
    assert!(report.contains("已有 8 行，文件未改动：\n  第 4 行 → content/scenarios/sunan-moujing-miji-smart-scheduling.md\n"), "{report}");
    assert!(report.ends_with("已写入 0 个文件\n"), "{report}");

    // An editor corrects a title; another file's unit is edited. The rows still find
    // their files (by unit, or by title), and the differences are listed, not written.
    let edit = |rel: &str, from: &str, to: &str| {
        let text = read(site.path(), rel).replacen(from, to, 1);
        std::fs::write(site.path().join(rel), text).unwrap();
    };
    edit(
        SCENARIO_FILES[3],
        "title: 在线智能检测",
        "title: 纺织品在线智能检测",
    );
    edit(
        SCENARIO_FILES[5],
        "unit: 甬江某模具股份有限公司",
        "unit: 甬江某模具有限公司",
    );
    let edited = read_tree(site.path());
    let third = import(site.path(), &list("scenarios-2023.xlsx"), &args);
    assert_eq!(read_tree(site.path()), edited);
    let report = stdout(&third);
    assert!(report.contains(
        "名单与文件不同 2 行，文件未改动，请核对：\n  第 5 行 → content/scenarios/subei-moufang-zhike-inline-inspection.md\n    title：文件为“纺织品在线智能检测”，名单为“在线智能检测”\n  第 6 行 → content/scenarios/yongjiang-moumo-ju-predictive-maintenance.md\n    unit：文件为“甬江某模具有限公司（示例）”，名单为“甬江某模具股份有限公司（示例）”\n"
    ), "{report}");
    assert!(report.contains("已有 6 行"));
}

#[test]
fn mistakes_are_reported_at_their_cells_all_at_once_and_nothing_is_written() {
    let site = site_with(&[]);
    let before = read_tree(site.path());
    let args = ["--kind", "scenario", "--year", "2024"];
    let out = import(site.path(), &list("mistakes.xlsx"), &args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(read_tree(site.path()), before, "nothing is written");
    let report = stderr(&out);
    let places: Vec<&str> = report
        .lines()
        .filter(|l| l.trim_start().starts_with("-->"))
        .map(str::trim)
        .collect();
    assert_eq!(
        places,
        [
            "--> mistakes.xlsx:Sheet1:2:B",
            "--> mistakes.xlsx:Sheet1:3:C",
            "--> mistakes.xlsx:Sheet1:4:D",
            "--> mistakes.xlsx:Sheet1:6:C",
            "--> mistakes.xlsx:Sheet1:7:B",
        ],
        "{report}"
    );
    for expected in [
        "错误[import-unknown-term]：第 2 行：从推荐单位“广冬省工业和信息化厅”看不出是哪个地区",
        "帮助：是否要写“广东省”？",
        "错误[import-empty-cell]：第 3 行的“企业名称”是空的",
        "错误[import-unknown-term]：第 4 行：未知的典型场景“智能牌产”",
        "帮助：是否要写“车间智能排产”？",
        "错误[import-duplicate-row]：第 6 行与第 5 行重复：同一单位“齐鲁某化工有限公司（示例）”、同一名称",
        "警告[import-merged-cells]：B7:B8 是合并单元格",
    ] {
        assert!(report.contains(expected), "missing {expected} in\n{report}");
    }
    assert!(stdout(&out).ends_with(
        "名单有 4 个错误：没有写入任何文件；改正名单后重新导入，或用 --skip-bad-rows 只导入没有错误的行\n"
    ));

    // --skip-bad-rows writes the good rows (the first of the duplicates among them).
    let out = import(
        site.path(),
        &list("mistakes.xlsx"),
        &[&args[..], &["--skip-bad-rows"]].concat(),
    );
    assert_eq!(out.status.code(), Some(1));
    let new: Vec<String> = read_tree(site.path())
        .into_keys()
        .filter(|k| !before.contains_key(k))
        .collect();
    assert_eq!(
        new,
        [
            "content/scenarios/bashan-mouyin-liao-quality-traceability.md",
            "content/scenarios/qilu-mouhua-gong-advanced-process-control.md",
            "content/scenarios/shuzhong-moushi-pin-energy-management.md",
        ]
    );
    assert!(
        stdout(&out).ends_with(
            "已写入 3 个文件；有错误的 4 行没有导入；运行 anli check 查看还要填写的内容\n"
        )
    );
}

#[test]
fn csv_in_gb18030_and_utf8_and_ods_lists_import_with_industry_level_and_city() {
    let site = site_with(&[]);
    let out = import(
        site.path(),
        &list("factories-2022-gb18030.csv"),
        &["--kind", "factory", "--year", "2022"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shenzhen = read(site.path(), "content/factories/pengcheng-moudian-zi.md");
    let shenzhen = fields(&shenzhen);
    for line in [
        "title: \"请填写标题\"",
        "unit: 鹏城某电子有限公司（示例）",
        "region: 广东省",
        "city: 深圳市",
        "recommender: 深圳市",
        "industry: 通信设备",
        "year: 2022",
        "level: 示范工厂",
    ] {
        assert!(shenzhen.contains(&line), "{line} not in {shenzhen:#?}");
    }
    // No approval date in a list: not today's, the editor's to fill in.
    assert!(!shenzhen.iter().any(|l| l.starts_with("approved:")));
    let henan = read(site.path(), "content/factories/zhongyuan-mounong-ji.md");
    assert!(
        fields(&henan)
            .iter()
            .any(|l| l.starts_with("industry: 请填写")),
        "a task naming no industry"
    );

    let out = import(
        site.path(),
        &list("factories-2025-utf8.csv"),
        &[
            "--kind",
            "factory",
            "--year",
            "2025",
            "--level",
            "卓越级智能工厂",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let car = read(site.path(), "content/factories/jianghuai-mouqi-che.md");
    let car = fields(&car);
    for line in [
        "title: 新能源汽车整车卓越级智能工厂",
        "region: 安徽省",
        "industry: 汽车",
        "level: 卓越级",
    ] {
        assert!(car.contains(&line), "{line} not in {car:#?}");
    }

    let out = import(
        site.path(),
        &list("zones-2024.ods"),
        &["--kind", "zone", "--year", "2024"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let zone = read(site.path(), "content/zones/suzhou.md");
    let zone = fields(&zone);
    for line in [
        "title: 某某市智能制造先行区（示例）",
        "unit: 某某市人民政府（示例）",
        "region: 江苏省",
        "city: 苏州市",
    ] {
        assert!(zone.contains(&line), "{line} not in {zone:#?}");
    }
    assert!(site.path().join("content/zones/wuhan.md").is_file());

    // A level belongs to factories only.
    let out = import(
        site.path(),
        &list("zones-2024.ods"),
        &["--kind", "zone", "--year", "2024", "--level", "卓越级"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "错误：--level 只用于示范工厂名单（--kind factory）\n"
    );
}

#[test]
fn a_dry_run_prints_the_plan_and_writes_nothing() {
    let site = site_with(&[]);
    let before = read_tree(site.path());
    let out = import(
        site.path(),
        &list("scenarios-2023.xlsx"),
        &["--kind", "scenario", "--year", "2023", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read_tree(site.path()), before);
    let report = stdout(&out);
    assert!(report.contains("将新建 8 个文件：\n  content/scenarios/sunan-moujing-miji-smart-scheduling.md ← 第 4 行 苏南某精密机械有限公司（示例） 基于数字孪生的车间智能排产\n"), "{report}");
    assert!(report.ends_with("预演（--dry-run）：没有写入任何文件\n"));
}

#[test]
fn a_list_with_headings_of_its_own_is_mapped_by_columns_or_site_yaml() {
    let own = "编号,所在省,单位全称,场景\r\n1,江苏,某某机械有限公司（示例）,车间智能排产\r\n";
    let site = site_with(&[("名单.csv", own.as_bytes())]);
    let csv = site.path().join("名单.csv");
    let args = ["--kind", "scenario", "--year", "2023", "--dry-run"];
    let out = import(site.path(), &csv, &args);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(
        report.contains("错误[import-no-header]：在前 30 行中找不到表头"),
        "{report}"
    );
    assert!(report.contains("--> 名单.csv:1:1"));

    let mapped = [
        &args[..],
        &["--columns", "单位全称=unit，所在省=recommender,场景=title"],
    ]
    .concat();
    let out = import(site.path(), &csv, &mapped);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("content/scenarios/moumou-jixie-smart-scheduling.md ← 第 2 行"));

    std::fs::write(
        site.path().join("site.yaml"),
        "title: 测试站点\nimport:\n  columns: {单位全称: unit, 所在省: recommender, 场景: title}\n",
    )
    .unwrap();
    let out = import(site.path(), &csv, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    std::fs::write(
        site.path().join("site.yaml"),
        "title: 测试站点\nimport:\n  columns: {单位全称: units}\n",
    )
    .unwrap();
    let out = import(site.path(), &csv, &args);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(
        report.contains(
            "错误[unknown-import-field]：列“单位全称”对应的字段“units”不存在\n --> site.yaml:3:19"
        ),
        "{report}"
    );

    std::fs::write(site.path().join("site.yaml"), "title: 测试站点\n").unwrap();
    let out = import(
        site.path(),
        &csv,
        &[
            "--kind",
            "scenario",
            "--year",
            "2023",
            "--columns",
            "单位全称=company",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .starts_with("错误：--columns 中的字段“company”不存在；可用的有：seq、recommender")
    );
}

#[test]
fn files_that_are_not_lists_get_a_clear_error() {
    let site = site_with(&[
        ("fake.xlsx", b"not a zip at all"),
        ("list.pdf", b"%PDF-1.4"),
        ("bad.csv", b"\xff\xfe\x00\x00\xc0"),
    ]);
    let args = ["--kind", "scenario", "--year", "2023"];
    let run = |name: &str| {
        let out = import(site.path(), &site.path().join(name), &args);
        assert_eq!(out.status.code(), Some(2), "{name}");
        stderr(&out)
    };
    assert!(
        run("fake.xlsx").contains("无法打开 fake.xlsx（"),
        "{}",
        run("fake.xlsx")
    );
    assert!(run("fake.xlsx").contains("文件损坏，或不是它的扩展名所说的格式"));
    assert_eq!(
        run("list.pdf"),
        "错误：不认识 list.pdf 的格式：名单可以是 .xlsx、.xls、.ods 或 .csv 文件\n"
    );
    assert!(run("missing.xlsx").starts_with("错误：无法读取 "));
    let out = import(
        site.path(),
        &list("scenarios-2023.xlsx"),
        &[&args[..], &["--sheet", "名单"]].concat(),
    );
    assert_eq!(
        stderr(&out),
        "错误：scenarios-2023.xlsx 中没有工作表“名单”；它有：说明、优秀场景名单\n"
    );
}
