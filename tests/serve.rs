//! `anli serve` over HTTP on loopback: pages with their content type, a rebuild and a
//! reload event after an edit, the error overlay over the last good site, and 404 for
//! paths that try to climb out.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{copy_tree, fixture};

/// A running `anli serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &Path) -> Server {
    start_logging(root, Stdio::null())
}

/// Starts `anli serve` with its terminal report (stderr) going to `log`.
fn start_logging(root: &Path, log: impl Into<Stdio>) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anli"))
        .args(["serve", "--root", root.to_str().unwrap(), "--port", "0"])
        .env("SOURCE_DATE_EPOCH", common::TODAY_EPOCH)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // 正在预览 http://127.0.0.1:PORT/cases/ （按 Ctrl+C 退出）
    let port = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, port }
}

/// Status line, headers and body of a GET.
fn get(port: u16, path: &str) -> (String, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_string(), headers.to_string(), body.to_string())
}

/// Connects to the event stream; events arrive on the returned channel.
/// Returns once the server has registered the client (it sends `: anli` then).
fn events(port: u16, base_path: &str) -> mpsc::Receiver<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {base_path}/__anli/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let event = match line.strip_prefix("event: ") {
                Some(event) => event,
                None if line.starts_with(": anli") => "connected",
                None => continue,
            };
            if sender.send(event.to_string()).is_err() {
                break;
            }
        }
    });
    assert_eq!(next_event(&receiver), "connected");
    receiver
}

fn next_event(events: &mpsc::Receiver<String>) -> String {
    events
        .recv_timeout(Duration::from_secs(30))
        .expect("an event after the rebuild")
}

#[test]
fn serve_rebuilds_reloads_and_shows_errors() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixture("build-features"), site.path());
    let server = start(site.path());
    let port = server.port;

    let (status, headers, body) = get(port, "/cases/scenarios/cjk/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        headers.contains("Content-Type: text/html; charset=utf-8"),
        "{headers}"
    );
    assert!(body.contains("<h1 data-pagefind-meta=\"title\">中文排版场景</h1>"));
    let (status, headers, _) = get(port, "/cases/search/index.json");
    assert_eq!(status, "HTTP/1.1 200 OK", "serve serves the search index");
    assert!(
        headers.contains("Content-Type: application/json"),
        "{headers}"
    );
    assert!(
        body.contains("const base = \"/cases\";")
            && body.contains("new EventSource(base + \"/__anli/events\")"),
        "the live-reload script is injected"
    );
    assert!(
        get(port, "/cases/style.css")
            .1
            .contains("Content-Type: text/css; charset=utf-8")
    );
    assert!(
        get(port, "/cases/factories/plant/cover.svg")
            .1
            .contains("Content-Type: image/svg+xml")
    );
    assert!(
        get(port, "/").1.contains("Location: /cases/"),
        "the root leads to the sub-path"
    );
    let (status, _, body) = get(port, "/cases/no/such/page/");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    assert!(
        body.contains("站点自定义的 404 页面"),
        "the site's own 404 page"
    );
    for attempt in [
        "/cases/../../etc/passwd",
        "/cases/%2e%2e/%2e%2e/etc/passwd",
        "/cases/..%2f..%2fsite.yaml",
        "/cases/%2e%2e%5c%2e%2e%5csite.yaml",
        "/../site.yaml",
        "/cases//etc/passwd",
    ] {
        assert_eq!(get(port, attempt).0, "HTTP/1.1 404 Not Found", "{attempt}");
    }
    assert!(
        !get(port, "/cases/content/scenarios/cjk.md")
            .2
            .contains("title: 中文排版场景"),
        "sources are not served"
    );

    let events = events(port, "/cases");
    std::thread::sleep(Duration::from_millis(300));
    let case = site.path().join("content/scenarios/cjk.md");
    let original = fs::read_to_string(&case).unwrap();
    fs::write(
        &case,
        original.replace("title: 中文排版场景", "title: 改过的标题"),
    )
    .unwrap();
    assert_eq!(next_event(&events), "reload");
    assert!(
        get(port, "/cases/scenarios/cjk/")
            .2
            .contains("<h1 data-pagefind-meta=\"title\">改过的标题</h1>")
    );

    let broken = original
        .replace("title: 中文排版场景", "title: 有错误的标题")
        .replace("region: 广东", "region: 广冬省");
    fs::write(&case, broken).unwrap();
    assert_eq!(next_event(&events), "errors");
    assert!(
        get(port, "/cases/scenarios/cjk/")
            .2
            .contains("<h1 data-pagefind-meta=\"title\">改过的标题</h1>"),
        "the last good site is still served"
    );
    let (_, _, errors) = get(port, "/cases/__anli/errors");
    let errors: Vec<serde_json::Value> = serde_json::from_str(&errors).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "content/scenarios/cjk.md");
    assert_eq!(errors[0]["line"], 4);
    assert_eq!(errors[0]["message"], "未知的地区“广冬省”");

    fs::write(
        &case,
        original.replace("title: 中文排版场景", "title: 修好了"),
    )
    .unwrap();
    assert_eq!(next_event(&events), "reload");
    assert!(
        get(port, "/cases/scenarios/cjk/")
            .2
            .contains("<h1 data-pagefind-meta=\"title\">修好了</h1>")
    );
    assert_eq!(get(port, "/cases/__anli/errors").2, "[]");

    let css = site.path().join("static");
    fs::create_dir_all(&css).unwrap();
    fs::write(css.join("extra.css"), "p { color: red; }").unwrap();
    assert_eq!(
        next_event(&events),
        "css",
        "a CSS-only change reloads styles only"
    );
    assert!(
        !site.path().join("output").exists(),
        "serve never writes output/"
    );
}

/// A served page without the live-reload script serve adds before `</body>`.
fn without_live_reload(html: &str) -> String {
    let Some(end) = html.rfind("</body>") else {
        return html.to_string();
    };
    let start = html[..end]
        .rfind("<script>")
        .expect("the live-reload script");
    format!("{}{}", &html[..start], &html[end..])
}

/// `anli serve` on a copy of a site, its terminal report kept in a file outside the
/// site (writing it inside would be a change to rebuild for).
struct Session {
    site: tempfile::TempDir,
    _log_dir: tempfile::TempDir,
    log: PathBuf,
    server: Server,
    events: mpsc::Receiver<String>,
    /// Whether the site has a search index, which follows each rebuild.
    search: bool,
}

impl Session {
    /// Serves a copy of `from` with `settings` added to its `site.yaml`.
    fn start(from: &Path, settings: &str) -> Session {
        let site = tempfile::tempdir().unwrap();
        copy_tree(from, site.path());
        let config = site.path().join("site.yaml");
        let yaml = fs::read_to_string(&config).unwrap();
        fs::write(&config, format!("{yaml}\n{settings}\n")).unwrap();
        let log_dir = tempfile::tempdir().unwrap();
        let log = log_dir.path().join("serve.log");
        let server = start_logging(site.path(), fs::File::create(&log).unwrap());
        let events = events(server.port, "");
        Session {
            site,
            _log_dir: log_dir,
            log,
            server,
            events,
            search: !settings.contains("search: false"),
        }
    }

    fn report(&self) -> String {
        fs::read_to_string(&self.log).unwrap()
    }

    /// Rewrites `file` (replacements, then `more` appended), and waits for the reload,
    /// which must come from an incremental rebuild, and for the search index to follow
    /// (if the site has one).
    fn edit(&self, file: &str, replacements: &[(&str, &str)], more: &str) {
        self.change(file, |root| {
            let case = root.join(file);
            let text = fs::read_to_string(&case).unwrap();
            let edited = replacements.iter().fold(text.clone(), |t, (from, to)| {
                assert!(t.contains(from), "{file} holds {from}");
                t.replace(from, to)
            }) + more;
            fs::write(&case, &edited).unwrap();
        });
    }

    /// Makes a change (`what` says which) to the site's files, and waits as
    /// [`Session::edit`] does.
    fn change(&self, what: &str, change: impl FnOnce(&Path)) {
        change(self.site.path());
        let event = self.events.recv_timeout(Duration::from_secs(30));
        let report = self.report();
        assert_eq!(
            event.as_deref(),
            Ok("reload"),
            "after changing {what}: {report}"
        );
        let rebuilds = report.matches("重新构建").count();
        assert_eq!(
            report.matches("增量").count(),
            rebuilds,
            "every edit took the incremental path: {report}"
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while self.search && self.report().matches("搜索索引已更新").count() < rebuilds {
            assert!(
                std::time::Instant::now() < deadline,
                "no search index update"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every file a full build makes (without PDFs, which serve does not typeset) is
    /// served as it is, but for the live-reload script.
    fn assert_like_a_full_build(&self) {
        let full = tempfile::tempdir().unwrap();
        let output = common::build(self.site.path(), &full.path().join("out"), &["--no-pdf"]);
        assert!(output.status.success(), "{}", common::stderr(&output));
        let mut compared = 0;
        for (path, bytes) in common::read_tree(&full.path().join("out")) {
            if path.starts_with('.') || path == "404.html" {
                continue;
            }
            let (status, _, body) = get(self.server.port, &format!("/{path}"));
            assert_eq!(status, "HTTP/1.1 200 OK", "{path}");
            let expected = String::from_utf8_lossy(&bytes);
            let served = if path.ends_with(".html") {
                without_live_reload(&body)
            } else {
                body
            };
            assert!(served == expected, "{path} differs from a full build");
            compared += 1;
        }
        assert!(compared > 40, "{compared} files compared");
    }
}

#[test]
fn an_edited_case_is_rebuilt_incrementally_exactly_like_a_full_build() {
    let session = Session::start(&fixture("website"), "");
    let port = session.server.port;
    // Title, region, industry, scenario and year change: the case moves between term
    // pages, listings re-sort, related cards, the zone's members and feeds change.
    session.edit(
        "content/scenarios/js-a.md",
        &[
            ("title: 江苏电力装备排产场景", "title: 改名后的浙江场景"),
            ("region: 江苏省", "region: 浙江省"),
            ("industry: 电力装备", "industry: 钢铁"),
            ("year: 2023", "year: 2022"),
        ],
        "\n新增的一段正文。\n",
    );
    session.assert_like_a_full_build();

    // 江苏 had three listed cases on two pages (page_size 2): now its second page goes.
    assert_eq!(get(port, "/regions/jiangsu/page/2/").0, "HTTP/1.1 200 OK");
    session.edit(
        "content/scenarios/js-b.md",
        &[("region: 江苏省", "region: 浙江省")],
        "",
    );
    session.assert_like_a_full_build();
    assert_eq!(
        get(port, "/regions/jiangsu/page/2/").0,
        "HTTP/1.1 404 Not Found"
    );

    // Only the body changes, not the card: the case page (and the feed) alone are made.
    session.edit("content/scenarios/gd-c.md", &[], "\n正文末尾又加了一段。\n");
    let report = session.report();
    let last = report.lines().rfind(|l| l.contains("重新构建")).unwrap();
    assert!(last.contains("更新 2 个文件"), "{last}");
    assert!(
        get(port, "/scenarios/gd-c/")
            .2
            .contains("正文末尾又加了一段。")
    );
    session.assert_like_a_full_build();

    // A warning does not stop an incremental rebuild: it is printed with its place.
    let before = session.report().len();
    session.edit(
        "content/scenarios/gd-c.md",
        &[("summary: 丙，含有 \"引号\" 与 <尖括号> & 符号。\n", "")],
        "",
    );
    let report = session.report()[before..].to_string();
    assert!(
        report.contains("案例没有 `summary`") && report.contains("content/scenarios/gd-c.md:"),
        "{report}"
    );
    session.assert_like_a_full_build();
}

/// New, removed and renamed case files, and edits that change the site's counts, are
/// rebuilt incrementally into exactly what a full build gives, the search index too.
#[test]
fn new_removed_and_renamed_cases_are_rebuilt_incrementally_like_a_full_build() {
    let session = Session::start(&common::example_site(), "page_size: 2");
    let port = session.server.port;
    let source = "content/factories/xian-xinpian-fengce.md";
    let copy = |root: &Path, to: &str, replacements: &[(&str, &str)]| {
        let text = fs::read_to_string(root.join(source)).unwrap();
        let text = replacements
            .iter()
            .fold(text, |t, (from, to)| t.replace(from, to));
        fs::write(root.join(to), text).unwrap();
    };
    // A new case, in a year before the first: a new year page and every count.
    session.change("a new case", |root| {
        copy(
            root,
            "content/factories/xinjian-shili-gongchang.md",
            &[
                ("title: ", "title: 新建的示例工厂 "),
                ("year: 2025", "year: 2015"),
            ],
        )
    });
    assert!(
        get(port, "/factories/xinjian-shili-gongchang/")
            .2
            .contains("新建的示例工厂")
    );
    assert_eq!(get(port, "/years/2015/").0, "HTTP/1.1 200 OK");
    session.assert_like_a_full_build();
    // Renamed: one page goes, another comes.
    session.change("a renamed case", |root| {
        fs::rename(
            root.join("content/factories/xinjian-shili-gongchang.md"),
            root.join("content/factories/gaiming-shili-gongchang.md"),
        )
        .unwrap()
    });
    assert_eq!(
        get(port, "/factories/xinjian-shili-gongchang/").0,
        "HTTP/1.1 404 Not Found"
    );
    session.assert_like_a_full_build();
    // Removed, with its year page.
    session.change("a removed case", |root| {
        fs::remove_file(root.join("content/factories/gaiming-shili-gongchang.md")).unwrap()
    });
    assert_eq!(get(port, "/years/2015/").0, "HTTP/1.1 404 Not Found");
    session.assert_like_a_full_build();
    // Revoked: it leaves every listing and count, but keeps its page.
    session.edit(source, &[("status: 揭榜", "status: 已撤销")], "");
    session.assert_like_a_full_build();
    // A case every other names in `related` cannot go incrementally: the full rebuild
    // reports the broken entries and serves the last good site.
    let named = "content/scenarios/shaoxing-yinran-nengyuan.md";
    fs::remove_file(session.site.path().join(named)).unwrap();
    let event = session
        .events
        .recv_timeout(Duration::from_secs(60))
        .unwrap();
    assert!(event.starts_with("errors"), "{event}");
}

/// A file, the replacements made in it, and the text then appended.
type Edit<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

/// Edits of every kind of field, one after the other on the example site (with two
/// cards per listing page, so listings have many pages), each rebuilt incrementally into
/// exactly what a full build gives.
#[test]
fn every_kind_of_edit_is_rebuilt_incrementally_like_a_full_build() {
    // The search index is compared in the test above.
    let session = Session::start(&common::example_site(), "page_size: 2\nsearch: false");
    let edits: [Edit; 11] = [
        // The approval day orders home's newest cards (this one moves before the other
        // factory approved on 12-30); the card shows only the month.
        (
            "content/factories/xian-xinpian-fengce.md",
            &[("approved: 2025-12-30", "approved: 2025-12-31")],
            "",
        ),
        // Unit and technologies: related cases by unit, technology term pages.
        (
            "content/factories/chongqing-qiche-zhengche.md",
            &[
                (
                    "unit: 西南某汽车有限公司（示例）",
                    "unit: 江淮某电器股份有限公司（示例）",
                ),
                (
                    "technologies: [5G, 工业互联网, 数字孪生, 工业机器人]",
                    "technologies: [5G, 工业互联网]",
                ),
            ],
            "",
        ),
        // City: which zones list it among their members.
        (
            "content/factories/weifang-shihua-huagong.md",
            &[("city: 潍坊市", "city: 青岛市")],
            "",
        ),
        // A card on the first page of a zone's members (the zone does not name it).
        (
            "content/scenarios/weifang-nongji-beidou/index.md",
            &[(
                "summary: 为大中型拖拉机",
                "summary: 改写后的摘要：为大中型拖拉机",
            )],
            "",
        ),
        // A member past a zone's first page leaves it: the zone's count changes.
        (
            "content/scenarios/qingdao-luntai-milian.md",
            &[("city: 青岛市", "city: 济南市")],
            "",
        ),
        // Its own related entry: its page only.
        (
            "content/scenarios/changzhou-dianchi-tanzuji.md",
            &[("related: [scenarios/shaoxing-yinran-nengyuan]\n", "")],
            "",
        ),
        // Industry: it leaves the equipment compendium and moves between categories.
        (
            "content/factories/zhoukou-nongji-shouhuoji.md",
            &[("industry: 农业机械", "industry: 医药")],
            "",
        ),
        // Year within the span, and scenarios.
        (
            "content/factories/shaoxing-fangzhi-yinran.md",
            &[
                ("year: 2024", "year: 2022"),
                (
                    "scenarios: [工艺动态优化, 规模化定制,",
                    "scenarios: [规模化定制,",
                ),
            ],
            "",
        ),
        // A zone's cities: its members.
        (
            "content/zones/su-xi-chang-xianxingqu.md",
            &[(
                "cities: [苏州市, 无锡市, 常州市]",
                "cities: [苏州市, 无锡市]",
            )],
            "",
        ),
        // The title: where it stands in every listing.
        (
            "content/scenarios/quanzhou-xieye-jingyi.md",
            &[(
                "title: 运动鞋制造数智精益管理与生产进度实时跟踪场景",
                "title: 鞋业数智精益管理场景",
            )],
            "",
        ),
        // The body only, of a revoked factory (listed nowhere).
        (
            "content/factories/baotou-lvye-dianjie.md",
            &[],
            "\n## 补充说明\n\n复评后的整改情况另行发布。\n",
        ),
    ];
    for (file, replacements, more) in edits {
        session.edit(file, replacements, more);
        session.assert_like_a_full_build();
    }
}

/// A photo replaced, a new one shown, and both taken away again: each processed on its
/// own and rebuilt incrementally into what a full build gives, no stale version left.
#[test]
fn photos_are_processed_and_published_incrementally_like_a_full_build() {
    let session = Session::start(&common::example_site(), "search: false");
    let port = session.server.port;
    let bundle = "content/scenarios/wuhan-qiche-hanzhuang";
    let url = "/scenarios/wuhan-qiche-hanzhuang/";
    // The versions a page shows of a photo, by the start of their names.
    let versions = |stem: &str| -> Vec<String> {
        let html = get(port, url).2;
        let names = html.split(['"', ' ']).filter(|s| s.starts_with(stem));
        let mut names: Vec<String> = names.map(String::from).collect();
        names.sort();
        names.dedup();
        names
    };
    let old = versions("workstation.");
    assert!(old.iter().any(|n| n.ends_with(".480.webp")), "{old:?}");
    let other = common::fixture("photos").join("content/scenarios/workshop/upright.jpg");

    session.change("a replaced photo", |root| {
        fs::copy(&other, root.join(bundle).join("workstation.jpg")).unwrap();
    });
    let new = versions("workstation.");
    assert!(
        new.iter().all(|n| !old.contains(n)),
        "new names: {old:?} {new:?}"
    );
    assert_eq!(
        get(port, &format!("{url}{}", old[0])).0,
        "HTTP/1.1 404 Not Found"
    );
    session.assert_like_a_full_build();

    let index = session.site.path().join(bundle).join("index.md");
    let text = fs::read_to_string(&index).unwrap();
    session.change("a new photo", |root| {
        fs::copy(&other, root.join(bundle).join("extra.jpg")).unwrap();
    });
    session.edit(
        &format!("{bundle}/index.md"),
        &[],
        "\n![新增的现场照片（示例图片）](extra.jpg)\n",
    );
    let extra = versions("extra.");
    assert!(extra.iter().any(|n| n.ends_with(".480.jpg")), "{extra:?}");
    session.assert_like_a_full_build();

    session.change("the line that showed it", |_| {
        fs::write(&index, &text).unwrap()
    });
    session.change("the photo", |root| {
        fs::remove_file(root.join(bundle).join("extra.jpg")).unwrap()
    });
    for name in &extra {
        assert_eq!(
            get(port, &format!("{url}{name}")).0,
            "HTTP/1.1 404 Not Found",
            "{name}"
        );
    }
    session.assert_like_a_full_build();
}

#[test]
fn a_live_reload_client_that_never_reads_stalls_nothing() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixture("valid-minimal"), site.path());
    // Twenty cases whose errors quote a long value: each errors event is megabytes, so
    // a client that never reads fills its socket within a few rebuilds.
    let region = "省".repeat(60_000);
    let bad = |i: usize| {
        format!(
            "---\ntitle: 错误{i}\nunit: 单位（示例）\nregion: {region}\nscenarios: [车间智能排产]\nyear: 2023\nsummary: 摘要\n---\n\n正文\n"
        )
    };
    for i in 0..20 {
        std::fs::write(
            site.path().join(format!("content/scenarios/bad-{i}.md")),
            bad(i),
        )
        .unwrap();
    }
    let server = start(site.path());
    let mut stalled = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        stalled,
        "GET /__anli/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let listening = events(server.port, "");
    for round in 0..8 {
        let case = site.path().join("content/scenarios/bad-0.md");
        std::fs::write(&case, bad(100 + round)).unwrap();
        assert_eq!(
            next_event(&listening),
            "errors",
            "round {round}: rebuilds go on"
        );
    }
    drop(stalled);
}

/// The plan diff through the library: after an edit, the pages whose inputs changed are
/// made and no other; a new case adds its page and the sitemap; a removed one drops its
/// page.
#[test]
fn the_plan_diff_renders_exactly_the_pages_an_edit_changes() {
    use anli::build::{BuildOptions, apply_edits, changed_files, load, site_files};
    use anli::outputs::sink::Sink;
    let site = tempfile::tempdir().unwrap();
    copy_tree(&common::example_site(), site.path());
    let options = BuildOptions {
        root: site.path().to_path_buf(),
        ..BuildOptions::default()
    };
    let loaded = load(&options, &mut Vec::new()).unwrap();
    let sink = Sink::memory();
    let written = site_files(&loaded, &sink).unwrap();
    let built: std::collections::HashMap<String, Vec<u8>> = sink
        .into_files()
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect();
    let highlighter = anli::markup::markdown::Highlighter::default();
    let edit = |loaded, file: &str| {
        let applied = apply_edits(loaded, &[file.to_string()], &highlighter, &mut Vec::new());
        applied.expect("applied in place")
    };

    // The body only: the case's page and the feed.
    let file = "content/factories/xian-xinpian-fengce.md";
    let path = site.path().join(file);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{text}\n新增的一段正文。\n")).unwrap();
    let applied = edit(loaded, file);
    let changed = changed_files(
        &applied.loaded,
        &written.emitted,
        applied.rows_changed,
        &built,
    );
    let changed = changed.unwrap();
    let mut paths: Vec<&str> = changed.files.iter().map(|f| f.path.as_str()).collect();
    paths.sort();
    assert_eq!(
        paths,
        ["atom.xml", "factories/xian-xinpian-fengce/index.html"]
    );
    assert!(changed.removed.is_empty());

    // A new case: its page, the sitemap, the data files, and the pages that show it.
    let new = "content/factories/xinjian-gongchang.md";
    fs::write(
        site.path().join(new),
        text.replace("title: ", "title: 新建 "),
    )
    .unwrap();
    let emitted = changed.emitted;
    let applied = edit(applied.loaded, new);
    assert!(applied.rows_changed);
    let changed = changed_files(&applied.loaded, &emitted, true, &built).unwrap();
    let paths: Vec<&str> = changed.files.iter().map(|f| f.path.as_str()).collect();
    for made in [
        "factories/xinjian-gongchang/index.html",
        "sitemap.xml",
        "data/cases.csv",
        "index.html",
        "factories/index.html",
    ] {
        assert!(paths.contains(&made), "{made} in {paths:?}");
    }
    // Free pages show no case: they stay.
    assert!(!paths.iter().any(|p| p.starts_with("about/")), "{paths:?}");

    // Removed again: its page goes.
    fs::remove_file(site.path().join(new)).unwrap();
    let emitted = changed.emitted;
    let applied = edit(applied.loaded, new);
    let changed = changed_files(&applied.loaded, &emitted, true, &built).unwrap();
    assert_eq!(changed.removed, ["factories/xinjian-gongchang/index.html"]);
}
