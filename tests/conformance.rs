//! Conformance of the markdown parser as anli configures it (the vendored pulldown-cmark
//! with the CJK-friendly amendment) against public suites, with their data in
//! `tests/conformance/` (sources and licences in its README):
//!
//! - the CommonMark 0.31.2 spec examples: every example of "Emphasis and strong
//!   emphasis" passes, and the whole spec passes as often as upstream pulldown-cmark;
//! - the 115 emphasis examples of the markdown-cjk-friendly project (at least 98 %) and
//!   its 11 GFM strikethrough examples.
//!
//! Outputs are compared after normalising whitespace and entities. Each run prints the
//! pass rates.

use pulldown_cmark::{Options, Parser, html};

#[derive(serde::Deserialize)]
struct Example {
    markdown: String,
    html: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    example: usize,
    #[serde(default)]
    source: String,
}

fn examples(file: &str) -> Vec<Example> {
    let path = format!("{}/tests/conformance/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// HTML as the parser writes it, with `options`.
fn render(markdown: &str, options: Options) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// Line breaks dropped (writers place them differently between block tags), the
/// entities that writers choose differently decoded, `<br />` as `<br>`. Spaces stay:
/// `<em>a</em> <em>b</em>` is not `<em>a</em><em>b</em>`.
fn normalise(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace(" />", ">")
        .replace("/>", ">")
        .replace('\n', "")
}

/// The examples that fail, as (label, markdown, expected, got).
fn failures(
    examples: &[Example],
    options: Options,
    label: impl Fn(&Example) -> String,
) -> Vec<(String, &str, String, String)> {
    examples
        .iter()
        .filter_map(|e| {
            let got = render(&e.markdown, options);
            (normalise(&got) != normalise(&e.html))
                .then(|| (label(e), e.markdown.as_str(), e.html.clone(), got))
        })
        .collect()
}

fn report(name: &str, total: usize, failed: &[(String, &str, String, String)]) -> f64 {
    let rate = 100.0 * (total - failed.len()) as f64 / total as f64;
    eprintln!(
        "{name}: {} of {total} pass ({rate:.1} %)",
        total - failed.len()
    );
    for (label, markdown, expected, got) in failed {
        eprintln!("  fails {label}: {markdown:?}\n    expected {expected:?}\n    got      {got:?}");
    }
    rate
}

#[test]
fn commonmark_emphasis_section_passes_entirely() {
    let all = examples("commonmark-0.31.2.json");
    let emphasis: Vec<Example> = all
        .into_iter()
        .filter(|e| e.section == "Emphasis and strong emphasis")
        .collect();
    assert_eq!(emphasis.len(), 132);
    let failed = failures(&emphasis, Options::empty(), |e| {
        format!("example {}", e.example)
    });
    report("CommonMark 0.31.2, emphasis", emphasis.len(), &failed);
    assert!(failed.is_empty());
}

/// The examples of the whole spec that upstream pulldown-cmark 0.13.6 fails as well
/// (measured with the unpatched crate): the amendment adds none.
const UPSTREAM_FAILURES: &[usize] = &[];

#[test]
fn commonmark_spec_passes_as_upstream_does() {
    let all = examples("commonmark-0.31.2.json");
    let failed = failures(&all, Options::empty(), |e| {
        format!("example {} ({})", e.example, e.section)
    });
    report("CommonMark 0.31.2, whole spec", all.len(), &failed);
    let numbers: Vec<usize> = failed
        .iter()
        .map(|(l, ..)| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, UPSTREAM_FAILURES);
}

/// CJK-friendly examples anli deliberately differs on, with the reason.
const DIFFERS: &[(&str, &str)] = &[];

#[test]
fn cjk_friendly_examples_pass() {
    let cases = examples("cjk-friendly.json");
    assert_eq!(cases.len(), 115);
    let failed = failures(&cases, Options::ENABLE_STRIKETHROUGH, |e| e.source.clone());
    let rate = report("markdown-cjk-friendly", cases.len(), &failed);
    let unexplained: Vec<&&str> = failed
        .iter()
        .map(|(_, m, ..)| m)
        .filter(|m| !DIFFERS.iter().any(|(d, _)| d == *m))
        .collect();
    assert!(rate >= 98.0 && unexplained.is_empty(), "{unexplained:#?}");
}

/// anli's own Chinese cases, one per way the earlier post-pass failed (issue 17), as
/// anli renders a body (all its markdown options).
#[test]
fn chinese_emphasis_cases() {
    let cases: &[(&str, &str)] = &[
        ("**重点：**说明", "<p><strong>重点：</strong>说明</p>"),
        (r"\*重点\*不是强调", "<p>*重点*不是强调</p>"),
        ("&#42;&#42;注意：&#42;&#42;正文", "<p>**注意：**正文</p>"),
        (
            "请执行**`cargo build`**命令。",
            "<p>请执行<strong><code>cargo build</code></strong>命令。</p>",
        ),
        (
            "**[通知](x)：**说明",
            "<p><strong><a href=\"x\">通知</a>：</strong>说明</p>",
        ),
        (
            "其中**「A类」**占**50%**。",
            "<p>其中<strong>「A类」</strong>占<strong>50%</strong>。</p>",
        ),
        (
            "单位为**(万元)**，合计",
            "<p>单位为<strong>(万元)</strong>，合计</p>",
        ),
        (
            "位于**𠮷野家（示例）**旁",
            "<p>位于<strong>𠮷野家（示例）</strong>旁</p>",
        ),
        ("**葛󠄀城：**说明", "<p><strong>葛󠄀城：</strong>说明</p>"),
        (
            "**カタカナ：**説明と**한국어：**설명",
            "<p><strong>カタカナ：</strong>説明と<strong>한국어：</strong>설명</p>",
        ),
        // `_` follows the same flanking, but stays literal inside a run of Chinese
        // characters, as inside a word (the amendment keeps that rule): use `*` there.
        (
            "说明：__重点__，以及：_强调_。",
            "<p>说明：<strong>重点</strong>，以及：<em>强调</em>。</p>",
        ),
        ("__重点：__说明", "<p>__重点：__说明</p>"),
        ("价格~~（旧）~~已调整", "<p>价格<del>（旧）</del>已调整</p>"),
        (
            "a**b**c 与 5*3*2 不变",
            "<p>a<strong>b</strong>c 与 5<em>3</em>2 不变</p>",
        ),
    ];
    let mut failed = Vec::new();
    for (markdown, expected) in cases {
        let got = anli::markup::markdown::render(markdown, &Default::default()).html;
        if normalise(&got) != normalise(expected) {
            failed.push(format!(
                "{markdown}\n  expected {expected}\n  got      {got}"
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn cjk_friendly_strikethrough_examples_pass() {
    let cases = examples("cjk-friendly-strikethrough.json");
    assert_eq!(cases.len(), 11);
    let failed = failures(&cases, Options::ENABLE_STRIKETHROUGH, |e| e.source.clone());
    let rate = report(
        "markdown-cjk-friendly, GFM strikethrough",
        cases.len(),
        &failed,
    );
    assert!(rate == 100.0);
}
