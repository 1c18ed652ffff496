//! `anli new`: a case from the archetype that passes `check` once its placeholders are
//! filled, never over an existing file.

mod common;

use std::fs;

use common::{anli, check_json_at, copy_tree, fixture, stderr};

/// What an editor types over the placeholders.
const FILLED: &[(&str, &str)] = &[
    ("请填写单位全称", "某某电气有限公司（示例）"),
    ("请填写牵头城市人民政府", "某某市人民政府（示例）"),
    ("请填写省份", "江苏省"),
    ("请填写城市", "苏州市"),
    ("请填写细分行业", "电力装备"),
    ("请填写典型场景", "车间智能排产"),
    ("请填写技术", "5G"),
    ("请填写指标名称", "生产效率提升"),
    ("请填写数值", "32%"),
];

#[test]
fn a_new_case_passes_check_once_filled_in() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixture("valid-minimal"), site.path());
    let root = site.path().to_str().unwrap();
    for (kind, folder) in [
        ("scenario", "scenarios"),
        ("factory", "factories"),
        ("zone", "zones"),
    ] {
        let slug = format!("new-{kind}");
        let output = anli(&[
            "new",
            kind,
            &slug,
            "--title",
            "新的案例：测试",
            "--root",
            root,
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        let path = site.path().join(format!("content/{folder}/{slug}.md"));
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("title: \"新的案例：测试\""),
            "the title is quoted for YAML: {text}"
        );
        for heading in ["## 实施成效", "## 经验启示"] {
            assert!(text.contains(heading), "{kind} has the standard sections");
        }
        let (code, found) = check_json_at(site.path(), &[]);
        assert_eq!(code, 1, "placeholders are not content");
        assert!(
            found.iter().all(
                |d| d.code == "unfilled-placeholder" && d.file.ends_with(&format!("{slug}.md"))
            ),
            "{found:#?}"
        );

        let filled = FILLED.iter().fold(text, |text, (placeholder, value)| {
            text.replace(placeholder, value)
        });
        fs::write(&path, filled).unwrap();
        let (code, found) = check_json_at(site.path(), &[]);
        assert_eq!((code, found.len()), (0, 0), "{kind}: {found:#?}");
    }
    let again = anli(&["new", "scenario", "new-scenario", "--root", root]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("已经存在，不会覆盖它"));
    let bad = anli(&["new", "scenario", "Bad_Slug", "--root", root]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("slug “Bad_Slug”无效"));
}
