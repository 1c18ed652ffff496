//! Compendia (优秀案例集): the PDF read back as text (cover, preface, chapters, the
//! contents' page numbers against the pages cases start on, the unit index), the print
//! page and its links, `anli compendium`, fonts, and the diagnostics of `compendia:`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{
    anli, build, build_with_env, check_json_at, copy_tree, fixture, pdf_pages, pdf_tools, qr_tools,
    read_tree, squeeze, stderr,
};

const SELECTED: [&str; 4] = [
    "甲钢铁智能排产场景",
    "乙工程机械焊接质量在线检测场景",
    "丙家电智能制造示范工厂",
    "己市智能制造先行区",
];

/// The fixture built once per test into a temporary folder.
fn built(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let output = build(&fixture("compendium"), &site, extra);
    assert!(output.status.success(), "{}", stderr(&output));
    (out, site)
}

/// Where each of `titles` first appears in `pages`, searching from page `from`.
fn start_pages(pages: &[String], titles: &[&str], from: usize) -> Vec<usize> {
    titles
        .iter()
        .map(|title| {
            (from..pages.len())
                .find(|&i| squeeze(&pages[i]).contains(title))
                .unwrap_or_else(|| panic!("{title} is in no page"))
        })
        .collect()
}

/// The page number printed in a page's footer: its last line.
fn folio(page: &str) -> String {
    page.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The pages of the fixture's `all-2023` PDF as text; `None` (skipped) without a Chinese
/// font or `pdftotext`.
fn all_2023_pages() -> Option<Vec<String>> {
    if !pdf_tools() {
        return None;
    }
    let (_out, site) = built(&[]);
    Some(pdf_pages(&site.join("compendium/all-2023.pdf")))
}

#[test]
fn the_pdf_has_cover_preface_and_the_selected_cases_in_chapter_order() {
    let Some(pages) = all_2023_pages() else {
        return;
    };
    assert!(
        squeeze(&pages[0]).contains("2023年度测试案例集"),
        "cover: {}",
        pages[0]
    );
    assert!(squeeze(&pages[0]).contains("测试编印单位（示例）"));
    assert!(
        squeeze(&pages[1]).contains("本书是为自动测试编写的案例集前言"),
        "preface second"
    );
    let all = squeeze(&pages.join("\n"));
    // Chapters follow the industry vocabulary: 原材料, 装备制造, 消费品, then a zone.
    let chapters = [
        "第一章原材料",
        "第二章装备制造",
        "第三章消费品",
        "第四章其他",
    ];
    let toc = pages
        .iter()
        .position(|p| squeeze(p).starts_with("2023年度测试案例集目录"))
        .unwrap();
    let after_toc = |text: &str| {
        (toc + 1..pages.len())
            .find(|&i| squeeze(&pages[i]).contains(text))
            .unwrap_or_else(|| panic!("{text} not after the contents"))
    };
    let chapter_pages: Vec<usize> = chapters.iter().map(|c| after_toc(c)).collect();
    assert!(chapter_pages.is_sorted(), "{chapter_pages:?}");
    let case_pages = start_pages(&pages, &SELECTED, toc + 1);
    for (case, chapter) in case_pages.iter().zip(&chapter_pages) {
        assert!(case > chapter, "each case follows its chapter title");
    }
    assert!(case_pages.is_sorted(), "{case_pages:?}");
    for left_out in ["丁已撤销示范工厂", "戊二〇二一年度场景", "丁机械有限公司"]
    {
        assert!(
            !all.contains(left_out),
            "{left_out} must not be in the book"
        );
    }
    // Case text is text: nothing an editor writes runs as Typst.
    let special = squeeze(&pages[case_pages[1]..].join("\n"));
    for literal in [
        "#pagebreak()",
        "#import\"evil.typ\"",
        "$x^2$",
        "@ref",
        "\\\"引号\"",
        "][",
    ] {
        assert!(special.contains(literal), "{literal} is shown as written");
    }
    // Soft line breaks inside Chinese text leave no space; metadata and figures are there.
    assert!(
        pages[case_pages[0]].contains("钢铁企业，本段跨行书写"),
        "{}",
        pages[case_pages[0]]
    );
    let first = squeeze(&pages[case_pages[0]]);
    for piece in [
        "单位甲钢铁有限公司（示例）",
        "地区江苏省常州市",
        "行业原材料·钢铁",
        "排产时间缩短80%由4小时降至48分钟",
    ] {
        assert!(first.contains(piece), "{piece} in {first}");
    }
    assert!(all.contains("系统由企业自主开发（示例）"), "footnote text");
    assert!(all.contains("图1焊缝检测示意图"), "image caption");
    assert!(all.contains("returnscore>0.8#阈值"), "code block");
}

/// The fixture with `site.yaml` edited, built with the date fixed at 2024-06-01.
fn built_with(edit: impl FnOnce(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let root = out.path().join("root");
    copy_tree(&fixture("compendium"), &root);
    let yaml = root.join("site.yaml");
    fs::write(&yaml, edit(fs::read_to_string(&yaml).unwrap())).unwrap();
    let site = out.path().join("site");
    let epoch = Path::new("1717200000");
    let output = build_with_env(&root, &site, &[], &[("SOURCE_DATE_EPOCH", epoch)]);
    assert!(output.status.success(), "{}", stderr(&output));
    (out, site)
}

#[test]
fn small_chapters_start_on_their_first_cases_page_and_openers_are_right_hand_pages_without_running_heads()
 {
    if !pdf_tools() {
        return;
    }
    let (_out, site) = built_with(|yaml| {
        format!("publisher: 测试发布单位（示例）\n{yaml}").replace(
            "    opener_min_cases: 1 ",
            "    duplex: true\n    opener_min_cases: 1 ",
        )
    });
    // jiangsu: three scenarios (an opener page) and one zone (no opener); no cover settings.
    let pages = pdf_pages(&site.join("compendium/jiangsu.pdf"));
    let cover = squeeze(&pages[0]);
    assert!(
        cover.contains("测试发布单位（示例）") && cover.contains("2024年6月"),
        "the cover falls back to the publisher and the build's month: {cover}"
    );
    let page_of = |chapter: &str| {
        let page = pages.iter().skip(2).find(|p| squeeze(p).contains(chapter));
        squeeze(page.unwrap_or_else(|| panic!("{chapter} on no page")))
    };
    assert_eq!(
        page_of("第一章智能制造优秀场景"),
        "第一章智能制造优秀场景1",
        "an opener page"
    );
    let zone = page_of("第二章智能制造先行区");
    assert!(
        zone.find("第二章智能制造先行区") < zone.find("己市智能制造先行区类别"),
        "the chapter's title is above its one case, on its page: {zone}"
    );
    let all = squeeze(&pages.join("\n"));
    assert!(
        all.contains("网址https://example.org/book/scenarios/jia-gangtie/"),
        "{all}"
    );

    // all-2023, duplex: each chapter opens on its own odd page, with no running head.
    let pages = pdf_pages(&site.join("compendium/all-2023.pdf"));
    for chapter in [
        "第一章原材料",
        "第二章装备制造",
        "第三章消费品",
        "第四章其他",
    ] {
        let opener = pages
            .iter()
            .find(|p| squeeze(p).starts_with(chapter))
            .unwrap_or_else(|| panic!("no opener page for {chapter}"));
        assert!(
            !squeeze(opener).contains("2023年度测试案例集"),
            "a running head on {chapter}'s opener"
        );
        let folio: usize = folio(opener).parse().unwrap();
        assert_eq!(
            folio % 2,
            1,
            "{chapter} opens on page {folio}, a left-hand page"
        );
    }

    // The print page: the cover's fallback, inline chapter titles, no empty 说明 column.
    let print = fs::read_to_string(site.join("compendium/jiangsu/index.html")).unwrap();
    assert!(print.contains("测试发布单位（示例）") && print.contains("2024年6月"));
    assert!(print.contains(
        "class=\"chapter-title chapter-title-inline\" id=\"chapter-2\">第二章　智能制造先行区</h2>"
    ));
    let with_notes = fs::read_to_string(site.join("compendium/all-2023/index.html")).unwrap();
    assert_eq!(
        with_notes.matches("<th scope=\"col\">说明</th>").count(),
        1,
        "only 甲's figures have notes"
    );
    assert!(
        with_notes
            .contains("<dt>网址</dt><dd>https://example.org/book/scenarios/jia-gangtie/</dd>")
    );
}

/// The QR codes on the pages of `pdf`, as `zbarimg` reads them off its pages rendered at
/// 150 dpi, in page order.
fn qr_codes(pdf: &Path) -> Vec<String> {
    let pngs = tempfile::tempdir().unwrap();
    let prefix = pngs.path().join("page");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(rendered.success());
    let mut pages: Vec<PathBuf> = fs::read_dir(pngs.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    pages
        .iter()
        .flat_map(|page| {
            // zbarimg exits 4 on a page without a code.
            let read = Command::new("zbarimg")
                .args(["-q", "--raw"])
                .arg(page)
                .output()
                .unwrap();
            String::from_utf8(read.stdout)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn each_case_of_a_compendium_with_qr_codes_carries_its_address_as_one() {
    if !qr_tools() {
        return;
    }
    let (_out, site) =
        built_with(|yaml| yaml.replace("    order: year", "    order: year\n    qr_codes: true"));
    let pdf = site.join("compendium/jiangsu.pdf");
    let text = squeeze(&pdf_pages(&pdf).join("\n"));
    let read = qr_codes(&pdf);
    assert_eq!(
        read.len(),
        4,
        "one code for each of the four cases: {read:?}"
    );
    assert!(
        read.iter()
            .all(|url| url.starts_with("https://example.org/book/")),
        "{read:?}"
    );
    for url in &read {
        assert!(
            text.contains(&format!("网址{url}")),
            "{url} is an address a case prints"
        );
    }
    assert_eq!(
        read[0], "https://example.org/book/scenarios/wu-2021/",
        "in book order"
    );
    assert!(
        qr_codes(&site.join("compendium/all-2023.pdf")).is_empty(),
        "a compendium that does not ask has none"
    );
}

#[test]
fn qr_codes_without_an_absolute_address_are_a_warning_and_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    copy_tree(&fixture("compendium"), &root);
    let yaml = root.join("site.yaml");
    let text = fs::read_to_string(&yaml).unwrap();
    let text = text
        .replace("base_url: https://example.org/book/", "base_url: /book/")
        .replace("    order: year", "    order: year\n    qr_codes: true");
    fs::write(&yaml, text).unwrap();
    let (code, found) = check_json_at(&root, &[]);
    assert_eq!(code, 0, "{found:#?}");
    let d = found
        .iter()
        .find(|d| d.code == "qr-without-address")
        .expect("a warning");
    assert_eq!((d.file.as_str(), d.line, d.column), ("site.yaml", 17, 15));
    assert!(d.message.contains("base_url 是“/book/”"), "{}", d.message);
    assert!(d.help.as_deref().unwrap_or("").contains("--base-url"));
}

/// A scenario whose body is `fillers` one-line paragraphs, then a 12-line code block,
/// then a table of 8 rows, each line marked with the case's number.
fn case_with_code_and_table(n: usize, fillers: usize) -> Vec<u8> {
    let mut body = String::new();
    for i in 1..=fillers {
        body.push_str(&format!(
            "c{n:02}_filler_{i:02} 填充段落，用来把后面的代码块推到页面底部附近。\n\n"
        ));
    }
    body.push_str("```\n");
    for i in 1..=12 {
        body.push_str(&format!("c{n:02}_line_{i:02} = {i}\n"));
    }
    body.push_str("```\n\n| 项目 | 数值 | 备注 |\n|---|---|---|\n");
    for i in 1..=8 {
        body.push_str(&format!("| c{n:02}_row_{i} | {i} | 无 |\n"));
    }
    format!(
        "---\ntitle: 分页测试场景{n:02}\nunit: 分页测试单位{n:02}（示例）\nregion: 江苏省\nscenarios: [车间智能排产]\nyear: 2023\nsummary: 摘要。\n---\n\n## 企业概况\n\n{body}"
    )
    .into_bytes()
}

#[test]
fn short_code_blocks_and_tables_are_not_split_across_pages() {
    if !pdf_tools() {
        return;
    }
    // Cases whose code block and table start three lines further down each time, so
    // that some of them meet the foot of a page.
    let cases: Vec<(String, Vec<u8>)> = (0..12)
        .map(|n| {
            let path = format!("content/scenarios/split-{n:02}.md");
            (path, case_with_code_and_table(n, 12 + 3 * n))
        })
        .collect();
    let mut files: Vec<(&str, &[u8])> = cases
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let yaml = "title: 分页测试站点\ncompendia:\n  - slug: split\n    title: 分页测试案例集\n    select: {region: 江苏省}\n";
    files.push(("site.yaml", yaml.as_bytes()));
    let root = common::site_with(&files);
    let out = tempfile::tempdir().unwrap();
    let output = build(root.path(), out.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pages = pdf_pages(&out.path().join("compendium/split.pdf"));
    let page_of = |mark: &str| {
        pages
            .iter()
            .position(|p| p.contains(mark))
            .unwrap_or_else(|| panic!("{mark} on no page"))
    };
    let (mut code_moved, mut table_moved) = (false, false);
    for n in 0..12 {
        let code = page_of(&format!("c{n:02}_line_01"));
        assert_eq!(
            code,
            page_of(&format!("c{n:02}_line_12")),
            "case {n}'s code block is split"
        );
        let table = page_of(&format!("c{n:02}_row_1 "));
        assert_eq!(
            table,
            page_of(&format!("c{n:02}_row_8 ")),
            "case {n}'s table is split"
        );
        code_moved |= code != page_of(&format!("c{n:02}_filler_{:02}", 12 + 3 * n));
        table_moved |= table != page_of(&format!("c{n:02}_line_12"));
    }
    assert!(
        code_moved && table_moved,
        "some code block and some table met the foot of a page and went whole to the next"
    );
}

#[test]
fn contents_page_numbers_are_the_pages_where_cases_start() {
    let Some(pages) = all_2023_pages() else {
        return;
    };
    let toc = pages
        .iter()
        .position(|p| squeeze(p).contains("目录前言"))
        .unwrap();
    let contents = squeeze(&pages[toc]);
    assert_eq!(
        folio(&pages[toc]),
        "ii",
        "front matter is numbered in roman"
    );
    let starts = start_pages(&pages, &SELECTED, toc + 1);
    for (title, start) in SELECTED.iter().zip(starts) {
        let after = &contents[contents.find(title).unwrap() + title.len()..];
        let listed: String = after
            .trim_start_matches('.')
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert_eq!(
            listed,
            folio(&pages[start]),
            "{title}: contents vs page {}",
            start + 1
        );
    }
    // The unit index gives the same pages.
    let index = squeeze(pages.last().unwrap());
    assert!(
        index.starts_with("2023年度测试案例集单位索引单位索引江苏省"),
        "{index}"
    );
    let jia = &index[index.find("甲钢铁有限公司（示例）").unwrap()..];
    assert!(
        jia.trim_start_matches(|c: char| !c.is_ascii_digit())
            .starts_with('2'),
        "{jia}"
    );
    assert!(
        index.find("江苏省").unwrap() < index.find("浙江省").unwrap(),
        "regions in vocabulary order"
    );
}

#[test]
fn the_print_page_and_the_lists_link_the_compendia() {
    let (_out, site) = built(&[]);
    let print = fs::read_to_string(site.join("compendium/all-2023/index.html")).unwrap();
    let positions: Vec<usize> = SELECTED.iter().map(|t| print.find(t).unwrap()).collect();
    assert!(positions.is_sorted());
    assert!(!print.contains("丁已撤销示范工厂"));
    assert!(print.contains("@page { size: A4"));
    assert!(print.contains("href=\"/book/compendium/all-2023.pdf\""));
    assert!(
        print.contains("src=\"/book/scenarios/yi-gongcheng-jixie/layout.svg\""),
        "a body image points back at its case"
    );
    let home = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        home.contains("href=\"/book/compendium/all-2023/\"")
            && home.contains("href=\"/book/compendium/jiangsu/\"")
    );
    let jiangsu = fs::read_to_string(site.join("regions/jiangsu/index.html")).unwrap();
    assert!(jiangsu.contains("href=\"/book/compendium/jiangsu.pdf\""));
    assert!(
        !jiangsu.contains("all-2023"),
        "a region page links the compendia of that region"
    );
    let year = fs::read_to_string(site.join("years/2023/index.html")).unwrap();
    assert!(year.contains("href=\"/book/compendium/all-2023/\""));
}

#[test]
fn without_pdfs_the_print_pages_are_still_built() {
    let (_out, site) = built(&["--no-pdf"]);
    assert!(!site.join("compendium/all-2023.pdf").exists());
    let print = fs::read_to_string(site.join("compendium/jiangsu/index.html")).unwrap();
    assert!(
        print.contains("戊二〇二一年度场景"),
        "jiangsu holds every year"
    );
    assert!(
        !print.contains(".pdf"),
        "no link to a PDF that was not made"
    );
}

#[test]
fn anli_compendium_writes_only_the_chosen_books_and_is_deterministic() {
    let (_out, site) = built(&["--no-pdf"]);
    let before = read_tree(&site);
    let run = |slugs: &[&str]| {
        let mut args = vec!["compendium"];
        args.extend_from_slice(slugs);
        args.extend([
            "--root",
            fixture("compendium").to_str().unwrap().to_owned().leak(),
        ]);
        args.extend(["--output", site.to_str().unwrap().to_owned().leak()]);
        anli(&args)
    };
    let output = run(&["jiangsu"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let after = read_tree(&site);
    assert!(after.contains_key("compendium/jiangsu.pdf"));
    assert!(!after.contains_key("compendium/all-2023.pdf"));
    for (path, bytes) in &before {
        if !path.starts_with("compendium/jiangsu/") {
            assert!(after[path] == *bytes, "{path} was left alone");
        }
    }
    // Only the book was made, and it is the full build's, byte for byte.
    assert!(
        stderr(&output).contains("写出 2 个文件"),
        "{}",
        stderr(&output)
    );
    let (_full_out, full) = built(&[]);
    for path in ["compendium/jiangsu.pdf", "compendium/jiangsu/index.html"] {
        assert!(
            fs::read(full.join(path)).unwrap() == after[path],
            "{path} differs from the full build's"
        );
    }
    let first = fs::read(site.join("compendium/jiangsu.pdf")).unwrap();
    assert!(run(&["jiangsu"]).status.success());
    assert!(
        first == fs::read(site.join("compendium/jiangsu.pdf")).unwrap(),
        "byte-identical"
    );
    let unknown = run(&["no-such-book"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("已定义的有：all-2023、jiangsu"),
        "{}",
        stderr(&unknown)
    );
}

/// Runs a build with the system's fonts left out (`ANLI_SYSTEM_FONTS=0`), so only the
/// site's own `fonts/` folder and anli's embedded fonts count, whatever this machine has.
fn build_without_system_fonts(root: &Path, output: &Path) -> Output {
    build_with_env(root, output, &[], &[("ANLI_SYSTEM_FONTS", Path::new("0"))])
}

/// The fonts `pdffonts` lists in a PDF, without the subset prefix (`ABCDEF+`).
fn pdf_font_names(pdf: &Path) -> Vec<String> {
    let listed = Command::new("pdffonts").arg(pdf).output().unwrap();
    assert!(listed.status.success(), "pdffonts {}", pdf.display());
    String::from_utf8_lossy(&listed.stdout)
        .lines()
        .skip(2)
        .filter_map(|line| line.split_whitespace().next())
        .map(|name| name.split_once('+').map_or(name, |(_, n)| n).to_string())
        .collect()
}

/// The case titles of a compendium's print page (the `<h2>` before each case's metadata),
/// in book order.
fn print_page_titles(html: &str) -> Vec<String> {
    html.split("<dl class=\"case-meta\">")
        .map(str::trim_end)
        .filter_map(|before| before.strip_suffix("</h2>"))
        .map(|before| before[before.rfind('>').unwrap() + 1..].replace("&amp;", "&"))
        .collect()
}

#[test]
fn on_a_machine_without_chinese_fonts_the_example_site_builds_every_pdf_in_anlis_own() {
    if !pdf_tools() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let output = build_without_system_fonts(&common::example_site(), &site);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert_eq!(
        text.matches("案例集 PDF 字体：正文 Anli Serif SC（anli 内置，Noto CJK 子集），标题 Anli Sans SC（anli 内置，Noto CJK 子集）").count(),
        1,
        "says once which fonts: {text}"
    );
    assert!(
        !text.contains("missing-glyph"),
        "the example site needs no character anli's fonts lack: {text}"
    );
    let config = fs::read_to_string(common::example_site().join("site.yaml")).unwrap();
    let slugs: Vec<&str> = config
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- slug: "))
        .collect();
    assert!(slugs.len() >= 2, "{slugs:?}");
    for slug in slugs {
        let pdf = site.join(format!("compendium/{slug}.pdf"));
        let pages = pdf_pages(&pdf);
        let all = squeeze(&pages.join("\n"));
        let html = fs::read_to_string(site.join(format!("compendium/{slug}/index.html"))).unwrap();
        let titles = print_page_titles(&html);
        assert!(!titles.is_empty(), "{slug} has cases");
        let toc = pages
            .iter()
            .position(|p| squeeze(p).contains("目录"))
            .unwrap_or_else(|| panic!("{slug}: no contents page"));
        let contents = squeeze(&pages[toc..].join("\n"));
        for title in &titles {
            let title = squeeze(title);
            assert!(
                contents.matches(title.as_str()).count() >= 2,
                "{slug}: {title} in the contents and as a chapter's case"
            );
        }
        assert!(
            !all.contains('\u{FFFD}') && !all.contains('〓'),
            "{slug}: no unknown or replaced glyph"
        );
        let fonts = pdf_font_names(&pdf);
        assert!(!fonts.is_empty(), "{slug}: fonts embedded");
        for font in fonts {
            assert!(
                font.starts_with("AnliSerifSC-") || font.starts_with("AnliSansSC-"),
                "{slug}: only anli's fonts, found {font}"
            );
        }
    }
}

#[test]
fn a_font_in_the_sites_fonts_folder_is_used() {
    if !pdf_tools() {
        return;
    }
    let font = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file());
    let Some(font) = font else {
        let why = "找不到 NotoSansCJK-Regular.ttc（apt-get install fonts-noto-cjk）";
        if std::env::var_os("ANLI_REQUIRE_PDF_TOOLS").is_some_and(|v| v == "1") {
            panic!("{why}，而 ANLI_REQUIRE_PDF_TOOLS=1 要求运行这个测试");
        }
        eprintln!("注意：{why}，跳过");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("site");
    copy_tree(&fixture("compendium"), &root);
    fs::create_dir(root.join("fonts")).unwrap();
    fs::copy(font, root.join("fonts/NotoSansCJK-Regular.ttc")).unwrap();
    let output = build_without_system_fonts(&root, &work.path().join("out"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("案例集 PDF 字体：正文 Noto Sans CJK SC，标题 Noto Sans CJK SC"),
        "{}",
        stderr(&output)
    );
    let fonts = pdf_font_names(&work.path().join("out/compendium/jiangsu.pdf"));
    assert!(
        fonts.iter().any(|f| f.starts_with("NotoSansCJKsc")),
        "{fonts:?}"
    );
}

/// The compendium fixture copied into a temporary folder (`site/` in it), with one file
/// changed by `edit`.
fn edited_fixture(file: &str, edit: impl FnOnce(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("site");
    copy_tree(&fixture("compendium"), &root);
    let path = root.join(file);
    fs::write(&path, edit(fs::read_to_string(&path).unwrap())).unwrap();
    (work, root)
}

#[test]
fn a_character_no_font_has_is_a_warning_at_its_line_and_prints_as_geta() {
    if !pdf_tools() {
        return;
    }
    // A case of both books (2023, 江苏省).
    let case = "content/scenarios/jia-gangtie.md";
    let (work, root) = edited_fixture(case, |text| {
        text.replace("排产时间显著缩短。", "排产时间显著缩短😀。")
    });
    let text = fs::read_to_string(root.join(case)).unwrap();
    let line = text.lines().position(|l| l.contains('😀')).unwrap() + 1;
    let column = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .chars()
        .position(|c| c == '😀')
        .unwrap()
        + 1;
    let output = build_without_system_fonts(&root, &work.path().join("out"));
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("content/scenarios/jia-gangtie.md:{line}:{column}")),
        "{text}"
    );
    assert!(
        text.contains("案例集 PDF 的字体中没有这些字：“😀”（U+1F600），PDF 中以“〓”代替"),
        "{text}"
    );
    assert!(
        text.contains("site.yaml 的 fonts"),
        "says how to add a font: {text}"
    );
    assert_eq!(
        text.matches("U+1F600").count(),
        1,
        "one warning, though two books hold the case: {text}"
    );
    for book in ["all-2023", "jiangsu"] {
        let pdf = work.path().join(format!("out/compendium/{book}.pdf"));
        let all = squeeze(&pdf_pages(&pdf).join("\n"));
        assert!(all.contains("排产时间显著缩短〓。"), "{book}: {all}");
    }
    // `check` typesets the compendia as `build` does, so it warns the same; `--no-pdf`
    // skips that.
    let root_arg = root.to_str().unwrap();
    let no_system_fonts = [("ANLI_SYSTEM_FONTS", Path::new("0"))];
    for (extra, warned) in [(None, true), (Some("--no-pdf"), false)] {
        let mut args = vec!["check", "--root", root_arg, "--format", "json"];
        args.extend(extra);
        let report = common::stdout(&common::anli_with_env(&args, &no_system_fonts));
        let glyphs: Vec<&str> = report
            .lines()
            .filter(|l| l.contains("missing-glyph"))
            .collect();
        assert_eq!(glyphs.len(), usize::from(warned), "{extra:?}: {report}");
        if warned {
            assert!(
                glyphs[0].contains(&format!("\"line\":{line},\"column\":{column}")),
                "{report}"
            );
        }
    }
}

#[test]
fn nested_lists_and_deep_quotes_print_with_markers_the_fonts_have() {
    if !pdf_tools() {
        return;
    }
    let (work, root) = edited_fixture("content/factories/bing-jiadian.md", |text| {
        let quotes = format!(
            "{}三十层引用\n\n{}十层引用中的列表\n",
            "> ".repeat(30),
            "> - ".repeat(10)
        );
        text + "\n- 第一层\n  - 第二层\n    - 第三层\n      - 第四层\n\n" + &quotes
    });
    let output = build_without_system_fonts(&root, &work.path().join("out"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let all = squeeze(&pdf_pages(&work.path().join("out/compendium/all-2023.pdf")).join("\n"));
    for marked in [
        "•第一层",
        "◦第二层",
        "▪第三层",
        "•第四层",
        "三十层引用",
        "▪•十层引用中的列表",
    ] {
        assert!(all.contains(marked), "{marked} in {all}");
    }
}

#[test]
fn compendium_mistakes_are_reported_in_site_yaml() {
    let (code, found) = check_json_at(&fixture("compendium-mistakes"), &[]);
    assert_eq!(code, 1);
    let expected = [
        (
            "unknown-term",
            5,
            22,
            "未知的地区“江苏生”",
            "是否要写“江苏省”？",
        ),
        (
            "not-a-group",
            8,
            24,
            "“钢铁”不是行业大类（它属于“原材料”）",
            "写成 industry: 钢铁",
        ),
        (
            "unknown-option",
            9,
            15,
            "`group_by` 的值“catgory”无效",
            "是否要写 `category`",
        ),
        (
            "missing-file",
            10,
            14,
            "找不到前言页面 content/pages/nope.md",
            "现有页面：pages/preface.md",
        ),
        (
            "empty-compendium",
            11,
            11,
            "案例集“空案例集”（empty）没有选中任何案例",
            "已撤销的案例",
        ),
        (
            "duplicate-compendium",
            14,
            11,
            "案例集网址名“empty”重复",
            "slug 必须不同",
        ),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (code, line, column, message, help) in expected {
        let d = found
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code}"));
        assert_eq!(
            (d.file.as_str(), d.line, d.column, d.message.as_str()),
            ("site.yaml", line, column, message)
        );
        assert!(d.help.as_deref().unwrap_or("").contains(help), "{d:?}");
    }
}
