//! `anli build`: the example site and feature fixtures build into the pages a visitor
//! reads; output is deterministic, safe, and untouched by a failed build.

mod common;

use std::fs;
use std::path::Path;

use common::{anli, build, copy_tree, example_site, fixture, read_tree, stderr};

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_example_site_checks_clean_and_builds() {
    let root = example_site();
    let check = anli(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let problems = common::stdout(&check);
    assert_eq!(check.status.code(), Some(0), "{problems}");
    assert!(!problems.contains("\"severity\":\"error\""), "{problems}");

    let out = tempfile::tempdir().unwrap();
    // No font is needed for the compendium PDFs: anli carries its own.
    let output = build(&root, &out.path().join("site"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let site = out.path().join("site");
    assert!(site.join("compendium/2022-all.pdf").is_file());
    assert!(site.join("compendium/equipment/index.html").is_file());
    let counts = |kind: &str| {
        fs::read_dir(site.join(kind))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_dir())
            .count()
    };
    assert!(counts("scenarios") >= 20, "at least 20 scenarios");
    assert!(counts("factories") >= 12, "at least 12 factories");
    assert!(counts("zones") >= 4, "at least 4 zones");
    let home = read(&site.join("index.html"));
    assert!(home.contains("<html lang=\"zh-CN\">"));
    assert!(home.contains("智能制造示范工厂"));
    assert!(site.join("about/index.html").is_file());
    assert!(site.join("404.html").is_file());
    let css = read(&site.join("style.css"));
    assert!(
        css.contains(".hl-"),
        "highlight classes are in the one stylesheet"
    );
    for (path, bytes) in read_tree(&site) {
        if path.ends_with(".html") {
            let html = String::from_utf8(bytes).unwrap();
            for attribute in [
                "src=\"http",
                "src=\"//",
                "<link rel=\"stylesheet\" href=\"http",
            ] {
                assert!(
                    !html.contains(attribute),
                    "{path} makes no external request"
                );
            }
        }
    }
}

#[test]
fn a_case_page_shows_metadata_figures_body_and_related_cases() {
    let out = tempfile::tempdir().unwrap();
    let output = build(&fixture("build-features"), out.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = read(&out.path().join("scenarios/cjk/index.html"));
    for expected in [
        "<title>中文排版场景 · 功能测试站点</title>",
        "<dt>单位</dt><dd>排版测试单位（示例）</dd>",
        "<dt>地区</dt><dd><a href=\"/cases/regions/guangdong/\">广东省</a> · 深圳市</dd>",
        "<dt>行业</dt><dd><a href=\"/cases/industries/home-appliances/\">家用电器</a>（<a href=\"/cases/industries/consumer-goods/\">消费品</a>）</dd>",
        "<li><a href=\"/cases/scenario-types/inline-inspection/\">在线智能检测</a><span class=\"term-parent\">（<a href=\"/cases/scenario-types/production-operations/\">生产作业</a>）</span></li>",
        "<span class=\"metric-value\">45%</span><span class=\"metric-name\">检测效率提升</span>",
        // A figure keeps the digits the editor wrote.
        "<span class=\"metric-value\">0.30</span>",
        "<span class=\"badge badge-current\">2024年入选</span>",
        // The Chinese bold lead-in and a line break inside a Chinese sentence.
        "<p><strong>实施成效：</strong>生产效率提升 30%，这一段跨行书写，中间不应出现空格。</p>",
        "<h2 id=\"企业概况\">企业概况<a class=\"anchor\" href=\"#企业概况\" aria-label=\"本节链接\">#</a></h2>",
        "<pre class=\"code\" tabindex=\"0\" data-lang=\"python\"><code><span class=\"hl-source hl-python\">",
        "<th>指标</th>",
        "<a href=\"#fn-1\" id=\"ref-fn-1\">1</a>",
        "<a class=\"footnote-back\" href=\"#ref-fn-1\" aria-label=\"返回正文\">↩</a>",
        "<a href=\"/cases/about/\">关于</a>",
        "<a href=\"/cases/factories/plant/\">测试示范工厂</a>",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
    let plant = read(&out.path().join("factories/plant/index.html"));
    assert!(plant.contains("<span class=\"badge badge-current\">有效期至 2028-01</span>"));
    assert!(plant.contains("<img src=\"/cases/factories/plant/cover.svg\""));
    assert!(plant.contains("<img src=\"layout.svg\" alt=\"布局\" loading=\"lazy\" decoding=\"async\" width=\"20\" height=\"10\">"));
    assert!(out.path().join("factories/plant/cover.svg").is_file());
    assert!(out.path().join("factories/plant/layout.svg").is_file());
}

#[test]
fn a_sites_own_templates_override_the_theme() {
    let out = tempfile::tempdir().unwrap();
    assert!(
        build(&fixture("build-features"), out.path(), &[])
            .status
            .success()
    );
    let not_found = read(&out.path().join("404.html"));
    assert!(not_found.contains("<h1>站点自定义的 404 页面</h1>"));
    assert!(
        not_found.contains("<a class=\"brand\" href=\"/cases/\">功能测试站点</a>"),
        "the override extends the theme's base"
    );
}

#[test]
fn drafts_are_built_only_with_the_flag() {
    let out = tempfile::tempdir().unwrap();
    assert!(
        build(&fixture("build-features"), &out.path().join("a"), &[])
            .status
            .success()
    );
    assert!(!out.path().join("a/scenarios/draft").exists());
    assert!(
        build(
            &fixture("build-features"),
            &out.path().join("b"),
            &["--drafts"]
        )
        .status
        .success()
    );
    assert!(out.path().join("b/scenarios/draft/index.html").is_file());
}

#[test]
fn every_internal_link_works_under_a_sub_path() {
    let out = tempfile::tempdir().unwrap();
    let output = build(
        &example_site(),
        out.path(),
        &["--base-url", "https://example.org/anli/", "--no-pdf"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let files = read_tree(out.path());
    let mut checked = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for attr in ["href=\"", "src=\""] {
            for link in html
                .split(attr)
                .skip(1)
                .map(|rest| rest.split('"').next().unwrap())
            {
                if link.starts_with('#') || link.contains("://") {
                    continue;
                }
                // Resolve relative links against the page's own folder.
                let page_dir = Path::new("/anli")
                    .join(path)
                    .parent()
                    .unwrap()
                    .to_path_buf();
                let url = if link.starts_with('/') {
                    link.to_string()
                } else {
                    page_dir.join(link).to_string_lossy().into_owned()
                };
                let inside = url
                    .strip_prefix("/anli/")
                    .unwrap_or_else(|| panic!("{path}: {link} is outside /anli/"));
                // The page, without a fragment or the case library's filters.
                let target = inside.split(['#', '?']).next().unwrap();
                let target = if target.is_empty() || target.ends_with('/') {
                    format!("{target}index.html")
                } else {
                    target.to_string()
                };
                assert!(
                    files.contains_key(&target),
                    "{path}: {link} points at a missing {target}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "only {checked} links checked");
}

#[test]
fn two_builds_are_byte_identical() {
    let out = tempfile::tempdir().unwrap();
    assert!(
        build(&example_site(), &out.path().join("one"), &["--no-pdf"])
            .status
            .success()
    );
    assert!(
        build(&example_site(), &out.path().join("two"), &["--no-pdf"])
            .status
            .success()
    );
    let one = read_tree(&out.path().join("one"));
    let two = read_tree(&out.path().join("two"));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(two[path] == *bytes, "{path} differs between two builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("site");
    copy_tree(&fixture("build-features"), &site);
    let output_dir = site.join("output");
    assert!(build(&site, &output_dir, &[]).status.success());
    let before = read_tree(&output_dir);

    fs::write(
        site.join("content/scenarios/broken.md"),
        "---\ntitle: 坏文件\nregion: 广冬省\n---\n",
    )
    .unwrap();
    let failed = build(&site, &output_dir, &[]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("未知的地区“广冬省”"),
        "the build reports the same diagnostics as check"
    );
    assert!(stderr(&failed).contains("保持原样"));
    assert_eq!(
        read_tree(&output_dir),
        before,
        "output/ is byte-identical after a failed build"
    );
    let leftovers: Vec<_> = fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no staging folder is left behind: {leftovers:?}"
    );
}

#[test]
fn dangerous_output_folders_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let site = work.path().join("site");
    copy_tree(&fixture("valid-minimal"), &site);
    let before = read_tree(&site);
    let precious = work.path().join("precious");
    fs::create_dir(&precious).unwrap();
    fs::write(precious.join("thesis.docx"), "不能丢").unwrap();
    let file = work.path().join("a-file");
    fs::write(&file, "x").unwrap();
    for output in [
        site.clone(),
        site.join("content"),
        site.join("content/out"),
        site.join("static/out"),
        site.join("templates/out"),
        site.join("themes/out"),
        site.join("fonts/out"),
        work.path().to_path_buf(),
        Path::new("/").to_path_buf(),
        precious.clone(),
        file,
    ] {
        let result = build(&site, &output, &[]);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{} must be refused",
            output.display()
        );
        assert!(stderr(&result).contains("拒绝把站点输出到"));
    }
    assert_eq!(read_tree(&site), before, "nothing in the site changed");
    assert_eq!(
        fs::read_to_string(precious.join("thesis.docx")).unwrap(),
        "不能丢"
    );
    // A folder anli built before may be replaced.
    let out = work.path().join("out");
    assert!(build(&site, &out, &[]).status.success());
    assert!(build(&site, &out, &[]).status.success());
}

#[test]
fn folders_beside_the_output_that_anli_did_not_make_are_never_deleted() {
    let work = tempfile::tempdir().unwrap();
    let site = fixture("valid-minimal");
    let out = work.path().join("out");
    assert!(build(&site, &out, &["--no-pdf"]).status.success());
    for name in [".out.staging", ".out.old"] {
        let precious = work.path().join(name);
        fs::create_dir(&precious).unwrap();
        fs::write(precious.join("thesis.docx"), "不能丢").unwrap();
        let before = read_tree(&out);
        let result = build(&site, &out, &["--no-pdf"]);
        assert!(!result.status.success(), "{name}");
        assert!(
            stderr(&result).contains("不是 anli 生成的文件夹（其中没有 .anli-output），拒绝删除"),
            "{}",
            stderr(&result)
        );
        assert_eq!(
            fs::read_to_string(precious.join("thesis.docx")).unwrap(),
            "不能丢"
        );
        assert_eq!(read_tree(&out), before, "the output is as it was");
        fs::remove_dir_all(&precious).unwrap();
    }
    assert!(build(&site, &out, &["--no-pdf"]).status.success());
}

#[test]
fn a_numbers_digit_groups_never_break_across_lines() {
    let site = common::site_with(&[(
        "content/scenarios/big.md",
        &common::case_file(
            "metrics:\n  - {name: 年产量, value: 12 000 台}\n",
            "年产约 8 000 台，2023 年投产，`8 000` 是代码。",
        ),
    )]);
    let (_out, files) = common::build_site(site.path(), &["--no-pdf"]);
    let page = String::from_utf8(files["scenarios/big/index.html"].clone()).unwrap();
    assert!(
        page.contains("年产约 8\u{202F}000 台，2023 年投产"),
        "{page}"
    );
    assert!(page.contains("<code>8 000</code>"), "code stays as written");
    assert!(page.contains("12\u{202F}000 台"), "a key figure");
    let data = String::from_utf8(files["data/cases.csv"].clone()).unwrap();
    assert!(
        data.contains("年产量：12 000 台"),
        "data files keep the value as written"
    );
}

#[test]
fn pages_carry_a_favicon_and_a_zone_names_its_cities_once() {
    let (_out, files) = common::build_site(&example_site(), &["--no-pdf"]);
    let home = String::from_utf8(files["index.html"].clone()).unwrap();
    assert!(home.contains(r#"<link rel="icon" href="/favicon.svg" type="image/svg+xml">"#));
    assert!(files["favicon.svg"].starts_with(b"<svg"));
    let zone = String::from_utf8(files["zones/su-xi-chang-xianxingqu/index.html"].clone()).unwrap();
    assert!(
        zone.contains(r#"<dt>地区</dt><dd><a href="/regions/jiangsu/">江苏省</a> · 苏州市、无锡市、常州市</dd>"#),
        "the lead city is among the cities: {zone}"
    );
}
