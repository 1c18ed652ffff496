//! Property tests: arbitrary bytes, plausible-but-random front matter and markdown go
//! through load → validate → render without a panic, and every problem comes back as a
//! diagnostic with a position. The number of cases is bounded so the suite stays fast;
//! raise `ANLI_PROPTEST_CASES` to search longer.

use std::path::Path;

use anli::build::BuildOptions;
use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

fn cases() -> u32 {
    std::env::var("ANLI_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Writes a site with one case file and runs the whole pipeline on it in-process.
fn run_pipeline(case: &[u8], page: Option<&[u8]>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("site.yaml"), "title: 性质测试\n").unwrap();
    write(root, "content/scenarios/case.md", case);
    if let Some(page) = page {
        write(root, "content/pages/page.md", page);
    }
    let options = BuildOptions {
        root: root.to_path_buf(),
        drafts: true,
        base_url: Some("/sub/".into()),
        pdfs: Default::default(),
    };
    let mut found = Vec::new();
    let loaded = anli::build::load(&options, &mut found)
        .expect("content problems are diagnostics, not failures");
    if let Err(more) = anli::build::site_files(&loaded, &anli::outputs::sink::Sink::Discard) {
        found.extend(more);
    }
    for d in &found {
        assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        assert!(!d.message.is_empty() && !d.file.is_empty(), "{d:?}");
    }
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Text with Chinese, ASCII, punctuation and markdown and YAML specials mixed in.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\PC]{0,12}",
        "[江苏广东省电力装备车间智能排产5GAI工业互联网：，。*_#\\[\\]()<>&\"'!|{}-]{0,16}",
        Just("广冬省".to_string()),
        Just("2023-02-30".to_string()),
        Just("../../etc/passwd".to_string()),
        Just("<script>alert(1)</script>".to_string()),
    ]
}

fn value(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        text().prop_map(Value::String),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        (1990i32..2110).prop_map(|n| Value::Number(n.into())),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        (2000u32..2100, 0u32..14, 0u32..33)
            .prop_map(|(y, m, d)| Value::String(format!("{y}-{m:02}-{d:02}"))),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        3 => leaf,
        1 => prop::collection::vec(value(depth - 1), 0..4).prop_map(Value::Sequence),
        1 => prop::collection::vec((key(), value(depth - 1)), 0..4).prop_map(|pairs| Value::Mapping(pairs.into_iter().map(|(k, v)| (Value::String(k), v)).collect())),
    ]
    .boxed()
}

/// Field names: the real ones, typos, Chinese names, anything.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "title",
            "unit",
            "region",
            "city",
            "cities",
            "recommender",
            "industry",
            "scenarios",
            "technologies",
            "year",
            "status",
            "approved",
            "reviews",
            "metrics",
            "summary",
            "cover",
            "related",
            "draft",
            "industy",
            "地区",
            "date",
            "result",
            "name",
            "value",
        ])
        .prop_map(str::to_string),
        "[a-z\\p{Han}]{1,8}",
    ]
}

/// A front matter that is valid YAML most of the time: a random mapping, sometimes
/// with a line cut out.
fn front_matter() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((key(), value(2)), 0..10),
        any::<Option<prop::sample::Index>>(),
    )
        .prop_map(|(pairs, cut)| {
            let mapping: Mapping = pairs
                .into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect();
            let yaml = serde_yaml::to_string(&mapping).unwrap_or_default();
            match cut {
                Some(index) if yaml.lines().count() > 1 => {
                    let skip = index.index(yaml.lines().count());
                    yaml.lines()
                        .enumerate()
                        .filter(|(i, _)| *i != skip)
                        .map(|(_, l)| format!("{l}\n"))
                        .collect()
                }
                _ => yaml,
            }
        })
}

/// Markdown built from the constructs the pipeline treats specially.
fn markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        text(),
        Just("\n\n## 实施成效\n\n".to_string()),
        Just("**实施成效：**生产效率提升".to_string()),
        Just("*注：*见下表\n".to_string()),
        Just("\n- 一\n- 二\n  - 三\n".to_string()),
        Just("\n| 指标 | 值 |\n| --- | :-: |\n| 良率 | 99% |\n".to_string()),
        Just("\n```rust\nfn main() {}\n```\n".to_string()),
        Just("\n```\n未闭合的代码块".to_string()),
        Just("脚注[^1]\n\n[^1]: 说明\n".to_string()),
        Just("[链接](/regions/jiangsu/) [坏](/nowhere/) [外](https://example.org/)".to_string()),
        Just("![图](missing.png) ![图](../x.png) ![图](data:image/png;base64,AA)".to_string()),
        Just("<div onclick=\"x()\"><script>alert(1)</script>".to_string()),
        Just("## 标题 {#main .x onclick=y}\n".to_string()),
        Just("中文\n换行".to_string()),
        Just("> 引用\n> > 嵌套\n".to_string()),
        Just("***".to_string()),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), fenced in any::<bool>()) {
        let mut case = if fenced { b"---\n".to_vec() } else { Vec::new() };
        case.extend(bytes);
        run_pipeline(&case, None);
    }

    #[test]
    fn plausible_front_matter_never_panics(yaml in front_matter(), body in markdown()) {
        run_pipeline(format!("---\n{yaml}---\n\n{body}").as_bytes(), None);
    }

    #[test]
    fn markdown_in_valid_cases_and_pages_never_panics(body in markdown(), page in markdown()) {
        let case = format!(
            "---\ntitle: 测试\nunit: 单位（示例）\nregion: 江苏省\nscenarios: [车间智能排产]\nyear: 2024\nsummary: 摘要。\n---\n\n{body}"
        );
        let page = format!("---\ntitle: 页面\n---\n\n{page}");
        run_pipeline(case.as_bytes(), Some(page.as_bytes()));
    }
}

/// The deepest element nesting of an HTML fragment, by its tags (void elements and
/// self-closing tags do not nest).
fn html_depth(html: &str) -> usize {
    const VOID: &[&str] = &["br", "hr", "img", "input", "meta", "link", "col", "wbr"];
    let (mut depth, mut deepest) = (0usize, 0usize);
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name.is_empty() || VOID.contains(&name.as_str()) || tag.ends_with('/') {
            continue;
        }
        if tag.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

proptest! {
    #![proptest_config(config())]

    /// A body is refused for nesting exactly when its HTML would nest deeper than the
    /// limit, and for table size exactly when it holds more cells than the limit: the
    /// bounds the sanitiser's and Typst's costs rest on.
    #[test]
    fn nesting_and_table_limits_match_what_the_body_holds(
        markers in proptest::collection::vec(prop_oneof![Just("> "), Just("- "), Just("1. "), Just("* ")], 0..40),
        emphasis in 0usize..8,
        rows in 0usize..4000,
        columns in 1usize..5,
    ) {
        let text = format!("{}{}深{}\n", markers.concat(), "*强调 **".repeat(emphasis), "** *".repeat(emphasis));
        let header = format!("|{}\n|{}\n", " 列 |".repeat(columns), " --- |".repeat(columns));
        let table = format!("{header}{}", format!("|{}\n", " 格 |".repeat(columns)).repeat(rows));
        let body = format!("{text}\n\n{table}");
        let rendered = anli::markup::markdown::render(&body, &Default::default());
        let depth = html_depth(&rendered.html);
        prop_assert_eq!(rendered.too_deep.is_some(), depth > anli::markup::markdown::MAX_NESTING, "depth {}", depth);
        let cells = columns * (rows + 1);
        prop_assert_eq!(rendered.too_many_cells.is_some(), cells > anli::markup::markdown::MAX_TABLE_CELLS, "cells {}", cells);
    }
}

proptest! {
    #![proptest_config(config())]

    /// An escaped or entity-encoded asterisk or underscore never becomes emphasis, next to
    /// Chinese text or not: only real delimiter runs of the source open and close it.
    #[test]
    fn escaped_and_entity_asterisks_never_emphasise(
        pieces in proptest::collection::vec(
            prop_oneof![
                Just("重点"), Just("说明"), Just("："), Just("「"), Just("」"), Just("（"), Just("）"),
                Just("a"), Just("1"), Just(" "), Just("。"), Just(","),
                Just(r"\*"), Just(r"\*\*"), Just("&#42;"), Just("&#x2A;"), Just(r"\_"), Just("&#95;"), Just(r"\~\~"),
            ],
            0..30,
        )
    ) {
        let text = pieces.concat();
        let html = anli::markup::markdown::render(&text, &Default::default()).html;
        prop_assert!(
            !html.contains("<em>") && !html.contains("<strong>") && !html.contains("<del>"),
            "{text:?} → {html}"
        );
    }
}
