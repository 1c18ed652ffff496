//! Hostile and broken input: every file of the hostile corpus gets its diagnostic or is
//! rendered safely, pathological markdown finishes, and a build killed mid-way leaves
//! the old or the new site, never a mix.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::{Found, anli, check_json, copy_tree, fixture, read_tree, stderr};
use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, element, rewrite_str};

#[test]
fn hostile_files_get_their_diagnostic() {
    let (code, found) = check_json("hostile-reject");
    assert_eq!(code, 1);
    let expected = [
        ("Bad Name.md", "invalid-slug"),
        ("bidi-override.md", "control-character"),
        ("billion-laughs.md", "yaml-syntax"),
        ("binary.md", "not-utf8"),
        ("control-escape.md", "control-character"),
        ("cover-absolute.md", "missing-file"),
        ("cover-backslash.md", "missing-file"),
        ("cover-dotdot.md", "missing-file"),
        ("cover-windows.md", "missing-file"),
        ("deep-yaml.md", "yaml-syntax"),
        ("gbk.md", "not-utf8"),
        ("image-dotdot.md", "missing-file"),
        ("image-encoded.md", "missing-file"),
        ("link-escape.md", "broken-link"),
        ("not-a-mapping.md", "wrong-type"),
        ("nul-bytes.md", "yaml-syntax"),
        ("related-escape.md", "unknown-related"),
        ("utf16.md", "not-utf8"),
    ];
    let got: Vec<(String, String)> = found
        .iter()
        .map(|d| {
            (
                d.file.trim_start_matches("content/scenarios/").to_string(),
                d.code.clone(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want, "{found:#?}");
    for d in &found {
        assert!(
            d.line >= 1 && d.column >= 1 && !d.message.is_empty() && d.help.is_some(),
            "{d:?}"
        );
    }
    let escape = found
        .iter()
        .find(|d| d.file.ends_with("cover-windows.md"))
        .unwrap();
    assert!(
        escape.message.contains("不能包含 ..、\\ 或盘符"),
        "{escape:?}"
    );
}

/// Every element and attribute of a page, by parsing it.
fn elements(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let found = RefCell::new(Vec::new());
    let settings = RewriteStrSettings::new().append_element_content_handler(element!(
        "*",
        |el: &mut Element| {
            let attributes = el
                .attributes()
                .iter()
                .map(|a| (a.name(), a.value()))
                .collect();
            found.borrow_mut().push((el.tag_name(), attributes));
            Ok(())
        }
    ));
    rewrite_str(html, settings).unwrap();
    found.into_inner()
}

#[test]
fn hostile_content_is_rendered_safely() {
    let out = tempfile::tempdir().unwrap();
    let root = fixture("hostile-render");
    let output = anli(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.path().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("警告[unsafe-html]"),
        "every removal is a warning"
    );
    let files = read_tree(out.path());
    let mut pages = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8_lossy(bytes);
        for (tag, attributes) in elements(&html) {
            assert!(
                ![
                    "script", "iframe", "object", "embed", "form", "style", "base", "meta", "frame"
                ]
                .contains(&tag.as_str())
                    || is_theme_element(&tag, &attributes),
                "{path}: <{tag}> {attributes:?}"
            );
            for (name, value) in attributes {
                let value = value.trim().to_ascii_lowercase();
                assert!(!name.starts_with("on"), "{path}: <{tag} {name}>");
                assert!(
                    !value.starts_with("javascript:") && !value.starts_with("vbscript:"),
                    "{path}: <{tag} {name}={value}>"
                );
                assert!(
                    !value.starts_with("data:")
                        || (value.starts_with("data:image/")
                            && !value.starts_with("data:image/svg")),
                    "{path}: <{tag} {name}={value}>"
                );
            }
        }
    }
    assert!(pages > 40, "{pages} pages checked");
    let title_page = String::from_utf8_lossy(&files["scenarios/xss-title/index.html"]).into_owned();
    assert!(title_page.contains("<h1 data-pagefind-meta=\"title\">标题&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;javascript:alert(3)</h1>"), "the title is shown, escaped");
    let template =
        String::from_utf8_lossy(&files["scenarios/template-injection/index.html"]).into_owned();
    assert!(
        template.contains("<h1 data-pagefind-meta=\"title\">{{ site.title }}"),
        "content is never evaluated as a template"
    );

    let atom = String::from_utf8_lossy(&files["atom.xml"]).into_owned();
    roxmltree::Document::parse(&atom)
        .expect("the feed is well-formed XML whatever the titles hold");
    roxmltree::Document::parse(&String::from_utf8_lossy(&files["sitemap.xml"]))
        .expect("so is the sitemap");
    let csv = String::from_utf8_lossy(&files["data/cases.csv"]).into_owned();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a formula reaches the CSV: {cell}"
            );
        }
    }
    assert!(csv.contains("'=HYPERLINK("));
}

/// The theme's own elements among those content may never add: `<meta>` tags in the head
/// (charset, viewport, description, Pagefind's filters and metadata), the search forms
/// leading to the case library, and the case library's script.
fn is_theme_element(tag: &str, attributes: &[(String, String)]) -> bool {
    let value = |name: &str| {
        attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    match tag {
        "meta" => attributes.iter().all(|(name, _)| {
            [
                "charset",
                "name",
                "content",
                "data-pagefind-filter",
                "data-pagefind-meta",
                "data-pagefind-sort",
            ]
            .contains(&name.as_str())
        }),
        "form" => {
            matches!(
                value("class"),
                Some("site-search" | "library-search" | "narrow")
            ) && value("action").is_some_and(|a| a.ends_with("/cases/"))
        }
        "script" => value("src").is_some_and(|s| s.ends_with("/cases.js")) && attributes.len() == 2,
        _ => false,
    }
}

#[test]
fn pathological_markdown_finishes_and_oversized_files_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("site");
    let dir = site.join("content/scenarios");
    fs::create_dir_all(&dir).unwrap();
    fs::write(site.join("site.yaml"), "title: 病态输入\n").unwrap();
    let front = "---\ntitle: 病态\nunit: 单位（示例）\nregion: 江苏省\nscenarios: [车间智能排产]\nyear: 2024\nsummary: 摘要。\n---\n\n";
    let write = |name: &str, body: String| {
        fs::write(dir.join(format!("{name}.md")), format!("{front}{body}")).unwrap()
    };
    write("nested-quotes", format!("{}深\n", "> ".repeat(5000)));
    write("quotes-in-lists", format!("{}深\n", "> - ".repeat(20_000)));
    write("fine-nesting", format!("{}深\n", "> - ".repeat(8)));
    let rows = |n: usize| {
        (0..n)
            .map(|i| format!("| 第{i}项 | {i} |\n"))
            .collect::<String>()
    };
    write(
        "huge-table",
        format!("| 指标 | 数值 |\n| --- | --- |\n{}", rows(5_000)),
    );
    write(
        "big-table",
        format!("| 指标 | 数值 |\n| --- | --- |\n{}", rows(4_000)),
    );
    write(
        "nested-lists",
        (0..500)
            .map(|i| format!("{}- 项\n", "  ".repeat(i)))
            .collect(),
    );
    write(
        "many-items",
        (0..10_000).map(|i| format!("- 第 {i} 项\n")).collect(),
    );
    write(
        "footnotes",
        format!(
            "{}\n\n{}",
            (0..10_000)
                .map(|i| format!("脚注[^{i}]"))
                .collect::<String>(),
            (0..10_000)
                .map(|i| format!("[^{i}]: 说明 {i}\n"))
                .collect::<String>()
        ),
    );
    write("long-line", format!("{}\n", "长".repeat(600_000)));
    write("stars", format!("{}\n", "中*".repeat(100_000)));
    write("many-headings", "## 同名\n\n".repeat(10_000));
    write(
        "bold-lead-ins",
        format!("{}\n", "**实施成效：**提升".repeat(20_000)),
    );
    write(
        "deep-html",
        format!("{}深{}\n", "<div>".repeat(20_000), "</div>".repeat(20_000)),
    );
    write(
        "five-megabytes",
        format!("{}\n", "字".repeat(5 * 1024 * 1024 / 3)),
    );

    let started = Instant::now();
    let (_, found) = common::check_json_at(&site, &[]);
    assert_eq!(
        common::codes(&found),
        [
            ("content/scenarios/deep-html.md", "too-much-html"),
            ("content/scenarios/five-megabytes.md", "file-too-large"),
            ("content/scenarios/huge-table.md", "too-many-cells"),
            ("content/scenarios/nested-lists.md", "too-deep"),
            ("content/scenarios/nested-quotes.md", "too-deep"),
            ("content/scenarios/quotes-in-lists.md", "too-deep"),
        ],
        "{found:#?}"
    );
    let deep = found
        .iter()
        .find(|d| d.file.ends_with("quotes-in-lists.md"))
        .unwrap();
    assert_eq!((deep.line, deep.column), (10, 43), "{deep:?}");
    eprintln!(
        "check of the pathological corpus took {:?}",
        started.elapsed()
    );

    for refused in [
        "deep-html",
        "five-megabytes",
        "huge-table",
        "nested-lists",
        "nested-quotes",
        "quotes-in-lists",
    ] {
        fs::remove_file(dir.join(format!("{refused}.md"))).unwrap();
    }
    let out = work.path().join("out");
    let build = anli(&[
        "build",
        "--root",
        site.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(build.status.success(), "{}", stderr(&build));
    let headings = fs::read_to_string(out.join("scenarios/many-headings/index.html")).unwrap();
    assert!(
        headings.contains("id=\"同名-9999\""),
        "ten thousand equal headings get unique ids"
    );
}

/// A site of `cases` small cases whose title line is `title`.
fn write_big_site(root: &Path, cases: usize, title: &str) {
    let dir = root.join("content/scenarios");
    fs::create_dir_all(&dir).unwrap();
    fs::write(root.join("site.yaml"), format!("title: {title}\n")).unwrap();
    for i in 0..cases {
        let text = format!(
            "---\ntitle: 第 {i} 个场景\nunit: 单位 {i}（示例）\nregion: 江苏省\nscenarios: [车间智能排产]\nyear: {}\nsummary: 摘要 {i}。\n---\n\n## 企业概况\n\n{}\n",
            2021 + i % 5,
            "正文内容。".repeat(40)
        );
        fs::write(dir.join(format!("case-{i:04}.md")), text).unwrap();
    }
}

fn build_into(root: &Path, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_anli"));
    command
        .args([
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ])
        .env("SOURCE_DATE_EPOCH", common::TODAY_EPOCH);
    command
}

/// The atomic exchange is Linux's; elsewhere the old output is moved aside first.
#[cfg(target_os = "linux")]
#[test]
fn a_build_killed_mid_way_leaves_the_old_or_the_new_site() {
    let work = tempfile::tempdir().unwrap();
    let (old_site, new_site) = (work.path().join("old"), work.path().join("new"));
    write_big_site(&old_site, 400, "旧的站点");
    write_big_site(&new_site, 400, "新的站点");
    let (old_ref, new_ref, out) = (
        work.path().join("old-ref"),
        work.path().join("new-ref"),
        work.path().join("out"),
    );
    assert!(build_into(&old_site, &old_ref).status().unwrap().success());
    let started = Instant::now();
    assert!(build_into(&new_site, &new_ref).status().unwrap().success());
    let duration = started.elapsed();
    let (old_tree, new_tree) = (read_tree(&old_ref), read_tree(&new_ref));
    assert_ne!(old_tree, new_tree);

    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    for percent in [5u32, 20, 40, 60, 75, 85, 92, 97, 99] {
        if out.exists() && read_tree(&out) != old_tree {
            fs::remove_dir_all(&out).unwrap();
        }
        if !out.exists() {
            copy_tree(&old_ref, &out);
        }
        let mut child = build_into(&new_site, &out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(duration * percent / 100);
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let _ = child.wait();
        let tree = read_tree(&out);
        let outcome = if tree == old_tree {
            "old"
        } else if tree == new_tree {
            "new"
        } else {
            panic!(
                "killed at {percent}% of {duration:?}: output/ is neither the old nor the new site ({} files)",
                tree.len()
            );
        };
        *outcomes.entry(outcome).or_default() += 1;
    }
    eprintln!("kill outcomes: {outcomes:?}");
    // The next build cleans up whatever the killed ones left beside the output.
    assert!(build_into(&new_site, &out).status().unwrap().success());
    assert_eq!(read_tree(&out), new_tree);
    let leftovers: Vec<_> = fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".out"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Runs `anli check --format json` on `root` with a time limit: a hang is a failure, not
/// a stuck test run.
fn check_within(root: &Path, seconds: u64) -> Vec<Found> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anli"))
        .args([
            "check",
            "--root",
            root.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("ANLI_TEST_SECRET", "s3cr3t-value")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() > seconds {
            child.kill().unwrap();
            panic!("check did not finish in {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.contains("s3cr3t"),
        "the environment leaked: {stdout}"
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[cfg(unix)]
#[test]
fn vocabularies_and_content_are_read_only_as_regular_files_inside_the_site() {
    use std::os::unix::fs::symlink;
    let site = common::site_with(&[("site.yaml", b"title: t\nmax_file_size: 4000\n")]);
    let root = site.path();
    let vocabularies = root.join("content/_taxonomies");
    fs::create_dir_all(&vocabularies).unwrap();
    symlink("/proc/self/environ", vocabularies.join("regions.yaml")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(
        vocabularies.join("industries.yaml"),
        format!("terms:\n{}", "  - {name: 某行业, slug: x}\n".repeat(200)),
    )
    .unwrap();
    let fifo = root.join("content/scenarios/pipe.md");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let found = check_within(root, 60);
    // Only the files at fault: the cases' regions and industries are not each reported
    // as unknown because their vocabulary could not be read.
    assert_eq!(
        common::places(&found),
        [
            (
                "content/_taxonomies/industries.yaml",
                1,
                1,
                "file-too-large"
            ),
            ("content/_taxonomies/regions.yaml", 1, 1, "symlink"),
            ("content/scenarios/pipe.md", 1, 1, "not-a-file"),
        ],
        "{found:#?}"
    );
    // A linked vocabulary folder leads outside just the same.
    fs::remove_dir_all(&vocabularies).unwrap();
    fs::remove_file(&fifo).unwrap();
    fs::write(elsewhere.path().join("regions.yaml"), "terms: []\n").unwrap();
    symlink(elsewhere.path(), &vocabularies).unwrap();
    let found = check_within(root, 60);
    assert_eq!(
        common::places(&found),
        [
            ("content/_taxonomies", 1, 1, "symlink"),
            ("content/_taxonomies/regions.yaml", 1, 1, "symlink")
        ],
        "{found:#?}"
    );
    assert_eq!(found[1].message, "文件所在的文件夹是指向站点之外的链接");
    // So does a linked kind folder: its cases are reported, not silently left out.
    fs::remove_file(&vocabularies).unwrap();
    let scenarios = root.join("content/scenarios");
    fs::rename(&scenarios, elsewhere.path().join("scenarios")).unwrap();
    symlink(elsewhere.path().join("scenarios"), &scenarios).unwrap();
    let found = check_within(root, 60);
    assert_eq!(
        common::places(&found),
        [("content/scenarios", 1, 1, "symlink")],
        "{found:#?}"
    );
}

/// Every page and SVG of the hostile site, loaded at once in frames of one page, runs no
/// script from content: each payload of the corpus is made to request `/pwned`, and the
/// server sees no such request (a control frame that does request proves it would).
#[test]
fn no_script_from_content_runs_on_any_page() {
    let Some(chromium) = common::browser::chromium("no_script_from_content_runs_on_any_page")
    else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixture("hostile-render"), site.path());
    for entry in walkdir::WalkDir::new(site.path()) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|e| e == "md" || e == "svg") {
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, text.replace("alert(", "fetch('/pwned').then(")).unwrap();
        }
    }
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" onload="fetch('/pwned')"><script>fetch('/pwned')</script></svg>"#;
    let bundle = site.path().join("content/scenarios/body-handlers");
    fs::write(bundle.join("script.svg"), svg).unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = common::build(site.path(), out.path(), &["--no-pdf", "--base-url", "/"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut frames: Vec<String> = read_tree(out.path())
        .into_keys()
        .filter(|p| p.ends_with(".html") || p.ends_with(".svg"))
        .map(|p| format!("/{p}"))
        .collect();
    assert!(frames.len() > 150, "{frames:?}");
    frames.extend(
        [
            "/cases/?q=script",
            "/cases/?q=fetch",
            "/control.html",
            "/control.svg",
        ]
        .map(String::from),
    );
    fs::write(
        out.path().join("control.html"),
        "<script>fetch('/control')</script>",
    )
    .unwrap();
    fs::write(
        out.path().join("control.svg"),
        svg.replace("/pwned", "/control-svg"),
    )
    .unwrap();
    let iframes: String = frames
        .iter()
        .map(|f| format!("<iframe src=\"{f}\"></iframe>\n"))
        .collect();
    fs::write(out.path().join("all-frames.html"), iframes).unwrap();
    let served = common::browser::serve(out.path().to_path_buf(), "/");
    common::browser::dump_dom(
        &chromium,
        &format!("{}all-frames.html", served.url),
        "20000",
    );
    let requests = served.requests.lock().unwrap().clone();
    for control in ["/control", "/control-svg"] {
        assert!(
            requests.iter().any(|r| r == control),
            "the control frame ran: {requests:?}"
        );
    }
    let pwned: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("/pwned"))
        .collect();
    assert!(pwned.is_empty(), "script from content ran: {pwned:?}");
}

#[test]
fn control_characters_in_values_are_refused_and_never_reach_the_terminal() {
    let case = "---\ntitle: \"示例\\e[2J\\e[H没有发现问题\"\nunit: \"单位\\u202E（示例）\"\nregion: 江苏省\n---\n\n正文\n";
    let site = common::site_with(&[("content/scenarios/escape.md", case.as_bytes())]);
    let (code, found) = common::check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        common::places(&found),
        [("content/scenarios/escape.md", 2, 8, "control-character")],
        "{found:#?}"
    );
    assert_eq!(
        found[0].message,
        "值中含有控制字符 U+001B（多半来自 YAML 转义，如 \\e、\\0 或 \\u202E）"
    );
    let output = anli(&["check", "--root", site.path().to_str().unwrap()]);
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(
        !shown.contains('\x1b') && !shown.contains('\u{202E}'),
        "{shown}"
    );
    assert!(shown.contains(r"示例\e[2J"), "the line as written: {shown}");
}

#[test]
fn a_draft_key_without_a_value_is_an_error_and_never_publishes() {
    let case = common::case_file("draft:\n", "尚未公开。");
    let site = common::site_with(&[("content/scenarios/held-back.md", &case)]);
    let (code, found) = common::check_json_at(site.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        common::places(&found),
        [("content/scenarios/held-back.md", 8, 1, "wrong-type")],
        "{found:#?}"
    );
    assert_eq!(found[0].message, "draft 没有写值");
    let out = tempfile::tempdir().unwrap();
    let build = common::build(site.path(), out.path(), &["--no-pdf"]);
    assert!(!build.status.success());
    assert!(!out.path().join("scenarios/held-back").exists());
}

#[test]
fn tagged_values_and_many_aliases_are_checked_without_a_crash() {
    let tagged =
        "---\ntitle: !x \"伪造\\u202E标题\"\nunit: 单位（示例）\nregion: 江苏省\n---\n\n正文\n";
    let ones = vec!["1"; 1000].join(",");
    let aliases = vec!["*a"; 120].join(",");
    let many = format!("---\ntitle: 别名\nx_pad: &a [{ones}]\nx_more: [{aliases}]\n---\n\n正文\n");
    let site = common::site_with(&[
        ("content/scenarios/tagged.md", tagged.as_bytes()),
        ("content/scenarios/aliases.md", many.as_bytes()),
    ]);
    let (code, found) = common::check_json_at(site.path(), &[]);
    assert_eq!(code, 1, "a diagnostic, not a crash: {found:#?}");
    assert!(
        found
            .iter()
            .any(|d| d.file.ends_with("tagged.md") && d.code == "control-character" && d.line == 2),
        "{found:#?}"
    );
}
