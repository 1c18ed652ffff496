//! Headless Chromium and a small static server for the browser tests. Without Chromium
//! a test prints why it skips; with `ANLI_REQUIRE_BROWSER=1` (as in CI) that is a failure.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// A folder served on 127.0.0.1 under a path prefix, with every path requested.
pub struct Served {
    /// `http://127.0.0.1:<port><prefix>`
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// Serves `dir` under `prefix` (`/` or `/sub/`) for the rest of the test process.
pub fn serve(dir: PathBuf, prefix: &'static str) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (dir, log) = (dir.clone(), Arc::clone(&log));
            std::thread::spawn(move || respond(stream, &dir, prefix, &log));
        }
    });
    Served {
        url: format!("http://127.0.0.1:{port}{prefix}"),
        requests,
    }
}

/// Answers one GET for a file of `dir` published under `prefix`.
fn respond(mut stream: TcpStream, dir: &Path, prefix: &str, log: &Mutex<Vec<String>>) {
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    log.lock().unwrap().push(target.to_string());
    let path = target.split('?').next().unwrap_or("");
    let file = path
        .strip_prefix(prefix)
        .filter(|p| !p.contains(".."))
        .map(|p| {
            if p.is_empty() || p.ends_with('/') {
                format!("{p}index.html")
            } else {
                p.to_string()
            }
        });
    let (status, body) = match file.and_then(|f| std::fs::read(dir.join(f)).ok()) {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", Vec::new()),
    };
    let kind = match path.rsplit('.').next() {
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("html") => "text/html; charset=utf-8",
        _ if path.ends_with('/') => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}
/// Chromium, or `None` after saying why the test skips (a failure when the environment
/// requires the browser).
pub fn chromium(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|path| path.is_file());
    if found.is_none() {
        skip(
            test,
            "找不到 chromium（Debian：apt-get install chromium fonts-noto-cjk）",
        );
    }
    found
}

/// Says why a browser test skips; with `ANLI_REQUIRE_BROWSER=1` (as in CI) fails instead.
pub fn skip(test: &str, why: &str) {
    assert!(
        std::env::var("ANLI_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "{test}：{why}，而 ANLI_REQUIRE_BROWSER=1 要求运行浏览器测试"
    );
    eprintln!("跳过 {test}：{why}");
}

/// The DOM of `url` after `budget` milliseconds of virtual time in headless Chromium.
pub fn dump_dom(browser: &Path, url: &str, budget: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--virtual-time-budget={budget}"),
            "--dump-dom",
            url,
        ])
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The Node.js runner's folder (`tests/a11y`: puppeteer-core and axe-core, installed by
/// `npm ci --prefix tests/a11y`) when Node.js and its packages are there; else the test
/// skips, as without Chromium.
pub fn node_runner(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/a11y");
    let node = Command::new("node").arg("--version").output().is_ok();
    if node && dir.join("node_modules/axe-core").is_dir() {
        return Some(dir);
    }
    skip(
        test,
        "没有 Node.js 或 axe-core（npm ci --prefix tests/a11y）",
    );
    None
}

/// Runs one of the runner's scripts with `args` in `chromium`: its JSON lines.
pub fn run_script(
    runner: &Path,
    script: &str,
    chromium: &Path,
    args: &[String],
) -> Vec<serde_json::Value> {
    let output = Command::new("node")
        .arg(runner.join(script))
        .args(args)
        .env("CHROMIUM", chromium)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}
