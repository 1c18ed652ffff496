//! `anli serve`: builds the site into memory (never into `output/`), serves it on
//! loopback, rebuilds when a file changes, reloads connected pages (styles only when only
//! CSS changed), and shows build errors in the browser over the last good site.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::base::diagnostics::{Diagnostic, Diagnostics, Format};
use crate::build::BuildOptions;

/// What `anli serve` was asked for.
pub struct ServeOptions {
    pub root: PathBuf,
    pub port: u16,
    pub bind: IpAddr,
    pub open: bool,
    pub drafts: bool,
}

/// The site being served: the last good build, and the errors of the latest one.
#[derive(Default)]
struct State {
    files: HashMap<String, Vec<u8>>,
    base_path: String,
    errors: Vec<Diagnostic>,
    /// The loaded site behind `files` while it is good, and what its last emit left
    /// (the fingerprints of its pages, its cards' HTML), for incremental rebuilds.
    loaded: Option<crate::build::Loaded>,
    emitted: crate::build::Emitted,
    /// Counts the good builds, so that a search index made in the background is
    /// served only if no build came after the one it was made for.
    generation: u64,
}

/// Pages connected to `/__anli/events`, told to reload after each rebuild: each has a
/// thread of its own that writes its events, fed by a short queue. A broadcast only
/// queues, so no client, however slow, holds up a rebuild or another client; one whose
/// queue is full has stopped reading and is dropped.
type Clients = Arc<Mutex<Vec<mpsc::SyncSender<Arc<str>>>>>;

/// Events queued for one client at most, and live-reload clients at most.
const CLIENT_QUEUE: usize = 16;
const MAX_CLIENTS: usize = 64;

/// How long a write to a browser may block before the connection is given up: a
/// client that stops reading cannot stall rebuilds or other clients.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// Bytes of a request's line and headers read at most.
const MAX_REQUEST_HEAD: u64 = 16 * 1024;

/// Ports tried after the requested one when it is taken.
const PORT_ATTEMPTS: u16 = 20;

pub fn run(options: ServeOptions) -> u8 {
    let state = Arc::new(Mutex::new(State::default()));
    let clients: Clients = Arc::default();
    rebuild(&options, &state, "首次构建");
    let listener = match bind(options.bind, options.port) {
        Ok(listener) => listener,
        Err(message) => {
            eprintln!("错误：{message}");
            return 2;
        }
    };
    let address = listener
        .local_addr()
        .expect("a bound listener has an address");
    if !address.ip().is_loopback() {
        eprintln!(
            "警告：预览服务器在 {} 上对网络中的其他机器开放；只在可信的网络中这样做",
            address.ip()
        );
    }
    let base_path = state.lock().expect("state lock").base_path.clone();
    let url = format!("http://{address}{base_path}/");
    println!("正在预览 {url} （按 Ctrl+C 退出）");
    let _ = std::io::stdout().flush();
    if options.open {
        open_browser(&url);
    }
    let _watcher = match watch(options, Arc::clone(&state), Arc::clone(&clients)) {
        Ok(watcher) => watcher,
        Err(message) => {
            eprintln!("错误：无法监视文件变化：{message}");
            return 2;
        }
    };
    for stream in listener.incoming().flatten() {
        let (state, clients) = (Arc::clone(&state), Arc::clone(&clients));
        std::thread::spawn(move || handle(stream, &state, &clients));
    }
    0
}

/// Binds the requested port, or the next free one, saying so.
fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, String> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_ATTEMPTS)
    };
    for candidate in port..=last {
        match TcpListener::bind(SocketAddr::new(ip, candidate)) {
            Ok(listener) => {
                if candidate != port {
                    eprintln!("端口 {port} 已被占用，改用 {candidate}");
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(format!("无法在 {ip}:{candidate} 上监听：{e}")),
        }
    }
    Err(format!(
        "端口 {port} 到 {last} 都已被占用：用 --port 指定另一个端口"
    ))
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "windows") {
        ("cmd", vec!["/C", "start", url])
    } else if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else {
        ("xdg-open", vec![url])
    };
    if std::process::Command::new(command.0)
        .args(command.1)
        .spawn()
        .is_err()
    {
        eprintln!("无法自动打开浏览器，请手动访问 {url}");
    }
}

/// What serve builds: the site without PDFs.
fn build_options(options: &ServeOptions) -> BuildOptions {
    BuildOptions {
        root: options.root.clone(),
        drafts: options.drafts,
        base_url: None,
        pdfs: crate::model::compendium::Pdfs::None,
    }
}

/// Builds the whole site into memory. On errors the previous files stay served.
/// Returns whether the build succeeded.
fn rebuild(options: &ServeOptions, state: &Mutex<State>, why: &str) -> bool {
    let started = Instant::now();
    let mut found = Vec::new();
    let result = crate::build::load(&build_options(options), &mut found).map(|loaded| {
        let base_path = loaded.site.config.base_path();
        let sink = crate::outputs::sink::Sink::memory();
        let built = crate::build::files_unless_errors(&loaded, &mut found, &sink);
        (
            base_path,
            built.map(|written| (sink.into_files(), written.emitted, loaded)),
        )
    });
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(found.iter().cloned());
    eprint!("{}", diagnostics.render(Format::Human, false));
    let mut state = state.lock().expect("state lock");
    match result {
        Ok((base_path, Some((files, emitted, loaded)))) => {
            state.base_path = base_path;
            state.files = files.into_iter().map(|f| (f.path, f.contents)).collect();
            state.emitted = emitted;
            state.errors.clear();
            state.loaded = Some(loaded);
            state.generation += 1;
            eprintln!(
                "{why}：{} 个文件，用时 {} 毫秒",
                state.files.len(),
                started.elapsed().as_millis()
            );
            true
        }
        Ok((base_path, None)) => {
            state.base_path = base_path;
            state.loaded = None;
            state.errors = found.into_iter().filter(Diagnostic::is_error).collect();
            eprintln!(
                "{why}失败：{}（浏览器中显示详情，仍在提供上一次成功的版本）",
                diagnostics.summary()
            );
            false
        }
        Err(message) => {
            state.loaded = None;
            state.errors = vec![Diagnostic::error(
                "io",
                crate::input::config::FILE_NAME,
                crate::base::source::Pos::START,
                message,
            )];
            eprintln!("{why}失败：{}", state.errors[0].message);
            false
        }
    }
}

/// Rebuilds only what an edit of case files can change, when the last build was good
/// and every changed file is a case of the site, and returns the report to print (with
/// the edit's warnings); `None` when a full rebuild is needed (including when the edit
/// has errors: the full rebuild reports them).
fn rebuild_cases(
    state: &Mutex<State>,
    changed: &[String],
    highlighter: &crate::markup::markdown::Highlighter,
) -> Option<String> {
    let started = Instant::now();
    let mut state = state.lock().expect("state lock");
    let state = &mut *state;
    let loaded = state.loaded.take()?;
    let mut warnings = Vec::new();
    let mut applied = crate::build::apply_edits(loaded, changed, highlighter, &mut warnings)?;
    applied.publish_assets(&mut state.files);
    let (loaded, rows_changed) = (applied.loaded, applied.rows_changed);
    let made = crate::build::changed_files(&loaded, &state.emitted, rows_changed, &state.files);
    let made = made.ok()?;
    let count = made.files.len() + made.removed.len();
    for path in &made.removed {
        state.files.remove(path);
    }
    for file in made.files {
        state.files.insert(file.path, file.contents);
    }
    state.emitted = made.emitted;
    state.loaded = Some(loaded);
    state.generation += 1;
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(warnings);
    Some(format!(
        "{}重新构建（{} 个文件有变化，增量）：更新 {count} 个文件，用时 {} 毫秒",
        diagnostics.render(Format::Human, false),
        changed.len(),
        started.elapsed().as_millis()
    ))
}

/// What the search index is made from: a copy of the site as built, so the index
/// follows the build without holding up the next edit.
struct SearchInput {
    generation: u64,
    site: crate::model::Site,
    bodies: Vec<crate::markup::markdown::Rendered>,
    cards: Vec<crate::render::Card>,
}

impl SearchInput {
    /// A copy of what the search index of `loaded` needs; `None` without search.
    fn of(loaded: &crate::build::Loaded, generation: u64) -> Option<SearchInput> {
        loaded.site.config.search.then(|| SearchInput {
            generation,
            site: loaded.site.clone(),
            bodies: loaded.bodies.clone(),
            cards: loaded.cards.clone(),
        })
    }
}

/// Makes the search index again after incremental rebuilds (which leave it as it was),
/// in the background on one thread, from a copy of the site the rebuild made, so the
/// served site stays available and the next edit is not held up. The index is served
/// only if its build is still the latest (a full rebuild makes its own).
fn spawn_indexer(state: Arc<Mutex<State>>) -> mpsc::Sender<SearchInput> {
    let (sender, receiver) = mpsc::channel::<SearchInput>();
    std::thread::spawn(move || {
        let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(1).build() else {
            return;
        };
        while let Ok(mut input) = receiver.recv() {
            // Edits in quick succession: only the latest build matters.
            while let Ok(later) = receiver.try_recv() {
                input = later;
            }
            let started = Instant::now();
            let made = pool
                .install(|| crate::build::search_bundle(&input.site, &input.bodies, &input.cards));
            let files = match made {
                Ok(files) => files,
                Err(problems) => {
                    for problem in problems {
                        eprintln!("搜索索引未更新：{}", problem.message);
                    }
                    continue;
                }
            };
            let mut state = state.lock().expect("state lock");
            if state.generation != input.generation {
                continue;
            }
            let folder = format!("{}/", crate::outputs::search::BUNDLE_DIR);
            state.files.retain(|path, _| !path.starts_with(&folder));
            state
                .files
                .extend(files.into_iter().map(|f| (f.path, f.contents)));
            eprintln!(
                "搜索索引已更新：用时 {} 毫秒",
                started.elapsed().as_millis()
            );
        }
    });
    sender
}

/// How long the files must stay quiet before a rebuild: an editor's save is a burst of
/// writes and renames a few milliseconds apart.
const QUIET: Duration = Duration::from_millis(40);

/// How long to wait after an event that ends a write (a file closed after writing,
/// renamed into place, or removed): only the stragglers of the same save can follow.
const SETTLE: Duration = Duration::from_millis(8);

/// The site's sources an event changes, and how long to wait for more of the same save;
/// `None` for an event that changes none (reading files, as a rebuild does, is one).
fn change(root: &Path, event: notify::Result<notify::Event>) -> Option<(Vec<PathBuf>, Duration)> {
    use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
    let event = event.ok()?;
    let ends_write = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
        | EventKind::Remove(_) => true,
        EventKind::Access(_) => return None,
        _ => false,
    };
    let paths: Vec<PathBuf> = event
        .paths
        .into_iter()
        .filter(|p| is_source(root, p))
        .collect();
    let wait = if ends_write { SETTLE } else { QUIET };
    (!paths.is_empty()).then_some((paths, wait))
}

/// Watches the site and rebuilds after each burst of changes.
fn watch(
    options: ServeOptions,
    state: Arc<Mutex<State>>,
    clients: Clients,
) -> Result<notify::RecommendedWatcher, String> {
    let (sender, receiver) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(sender).map_err(|e| e.to_string())?;
    watcher
        .watch(&options.root, RecursiveMode::Recursive)
        .map_err(|e| e.to_string())?;
    let root = options
        .root
        .canonicalize()
        .unwrap_or_else(|_| options.root.clone());
    let highlighter = crate::markup::markdown::Highlighter::default();
    let indexer = spawn_indexer(Arc::clone(&state));
    std::thread::spawn(move || {
        while let Ok(first) = receiver.recv() {
            let Some((mut changed, wait)) = change(&root, first) else {
                continue;
            };
            // Events that change nothing do not put the rebuild off.
            let mut deadline = Instant::now() + wait;
            while let Ok(more) =
                receiver.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                if let Some((paths, wait)) = change(&root, more) {
                    changed.extend(paths);
                    deadline = Instant::now() + wait;
                }
            }
            // A scratch file seen while it existed is gone by the end of the save.
            changed.retain(|p| is_source(&root, p));
            changed.sort();
            changed.dedup();
            if changed.is_empty() {
                continue;
            }
            // A new folder (for the stylesheet, say) is not a change of its own.
            let only_css = changed
                .iter()
                .filter(|p| !p.is_dir())
                .all(|p| p.extension().is_some_and(|e| e == "css"));
            // Case files and photos go the incremental way (a photo as an edit of the
            // bundle case that holds it); anything else rebuilds the site.
            let cases: Vec<String> = changed
                .iter()
                .map(|p| crate::base::paths::relative(&root, p))
                .filter(|p| p.ends_with(".md") || crate::outputs::images::is_photo(p))
                .collect();
            let incremental = (cases.len() == changed.len())
                .then(|| rebuild_cases(&state, &cases, &highlighter))
                .flatten();
            let incremental = incremental.inspect(|report| eprintln!("{report}"));
            let ok = match incremental {
                Some(_) => true,
                None => rebuild(
                    &options,
                    &state,
                    &format!("重新构建（{} 个文件有变化）", changed.len()),
                ),
            };
            let event = match (ok, only_css) {
                (true, true) => "event: css\ndata: {}\n\n".to_string(),
                (true, false) => "event: reload\ndata: {}\n\n".to_string(),
                (false, _) => format!("event: errors\ndata: {}\n\n", errors_json(&state)),
            };
            broadcast(&clients, &event);
            // The pages are reloading: now the copy for the search index.
            if incremental.is_some() {
                let state = state.lock().expect("state lock");
                let input = state
                    .loaded
                    .as_ref()
                    .and_then(|l| SearchInput::of(l, state.generation));
                if let Some(input) = input {
                    let _ = indexer.send(input);
                }
            }
        }
    });
    Ok(watcher)
}

/// Whether a changed path is part of the site's sources (not its output, git's files,
/// build folders or an editor's temporary files).
fn is_source(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut components = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let Some(first) = components.next() else {
        return false;
    };
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Editors and tools save through temporary files (`sed -i` writes `sedXXXXXX`, vim
    // probes with `4913`); one that is already gone when the event arrives is one of them.
    let vanished_scratch =
        !path.exists() && (Path::new(&name).extension().is_none() || name.contains("___jb_"));
    let temporary = name.ends_with('~')
        || name.starts_with(".#")
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || vanished_scratch;
    !(temporary || first.starts_with('.') || first == "output" || first == "target")
}

fn errors_json(state: &Mutex<State>) -> String {
    serde_json::to_string(&state.lock().expect("state lock").errors).expect("diagnostics serialise")
}

fn broadcast(clients: &Clients, event: &str) {
    let event: Arc<str> = event.into();
    clients
        .lock()
        .expect("clients lock")
        .retain(|client| client.try_send(Arc::clone(&event)).is_ok());
}

/// Registers a live-reload client and writes its greeting, then its events, on a thread
/// of its own; the greeting goes first, so a client that has read it gets every event.
fn add_client(mut stream: TcpStream, clients: &Clients) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\n: anli\n\n";
    let (sender, events) = mpsc::sync_channel::<Arc<str>>(CLIENT_QUEUE);
    let registered = {
        let mut clients = clients.lock().expect("clients lock");
        let room = clients.len() < MAX_CLIENTS;
        if room {
            clients.push(sender);
        }
        room
    };
    if !registered {
        let _ = respond(
            &mut stream,
            "503 Service Unavailable",
            "text/plain; charset=utf-8",
            b"",
            false,
        );
        return;
    }
    std::thread::spawn(move || {
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        for event in events {
            if stream
                .write_all(event.as_bytes())
                .and_then(|_| stream.flush())
                .is_err()
            {
                return;
            }
        }
    });
}

/// Serves one request.
fn handle(mut stream: TcpStream, state: &Mutex<State>, clients: &Clients) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let Some((method, target)) = read_request(&stream) else {
        return;
    };
    if method != "GET" && method != "HEAD" {
        let _ = respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"",
            false,
        );
        return;
    }
    let raw = target.split(['?', '#']).next().unwrap_or("/");
    // Browsers percent-encode a Chinese sub-path; compare and look up decoded paths.
    let Ok(path) = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|p| p.into_owned())
    else {
        return not_found(&mut stream, state, method == "HEAD");
    };
    let base_path = state.lock().expect("state lock").base_path.clone();
    let local = path
        .strip_prefix(&base_path)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'));
    match local {
        Some("/__anli/events") => add_client(stream, clients),
        Some("/__anli/errors") => {
            let _ = respond(
                &mut stream,
                "200 OK",
                "application/json",
                errors_json(state).as_bytes(),
                method == "HEAD",
            );
        }
        Some(rest) => serve_file(&mut stream, state, &base_path, rest, method == "HEAD"),
        None if path == "/" => {
            let location = format!("{base_path}/");
            let _ = write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
        None => not_found(&mut stream, state, method == "HEAD"),
    }
}

/// The request line's method and target; the headers are read and ignored.
fn read_request(stream: &TcpStream) -> Option<(String, String)> {
    // A request head is small; anything longer is dropped rather than buffered.
    let mut reader = BufReader::new(Read::take(stream.try_clone().ok()?, MAX_REQUEST_HEAD));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim().is_empty() {
            break;
        }
    }
    Some((method, target))
}

/// The file a (decoded) request path names, if it is a safe path: no `..`, `.`,
/// backslash, drive or NUL segment. The site lives in memory, so nothing outside it can be read.
fn file_path(decoded: &str) -> Option<String> {
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments
        .iter()
        .any(|s| *s == ".." || *s == "." || s.contains(['\\', '\0']) || s.contains(':'))
    {
        return None;
    }
    let joined = segments.join("/");
    Some(if decoded.ends_with('/') || joined.is_empty() {
        format!("{joined}/index.html")
            .trim_start_matches('/')
            .to_string()
    } else {
        joined
    })
}

fn serve_file(
    stream: &mut TcpStream,
    state: &Mutex<State>,
    base_path: &str,
    rest: &str,
    head: bool,
) {
    let Some(path) = file_path(rest) else {
        return not_found(stream, state, head);
    };
    let state_guard = state.lock().expect("state lock");
    if let Some(bytes) = state_guard.files.get(&path) {
        let content_type = content_type(&path);
        let body = if content_type.starts_with("text/html") {
            with_live_reload(bytes, base_path)
        } else {
            bytes.clone()
        };
        drop(state_guard);
        let _ = respond(stream, "200 OK", content_type, &body, head);
    } else if state_guard
        .files
        .contains_key(&format!("{path}/index.html"))
    {
        drop(state_guard);
        let location = format!("{base_path}/{path}/");
        let _ = write!(
            stream,
            "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    } else {
        drop(state_guard);
        not_found(stream, state, head);
    }
}

/// The site's own `404.html`, with status 404.
fn not_found(stream: &mut TcpStream, state: &Mutex<State>, head: bool) {
    let state = state.lock().expect("state lock");
    let body = state.files.get("404.html").map_or_else(
        || "404 页面不存在".as_bytes().to_vec(),
        |page| with_live_reload(page, &state.base_path),
    );
    drop(state);
    let _ = respond(
        stream,
        "404 Not Found",
        "text/html; charset=utf-8",
        &body,
        head,
    );
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Content types by file extension; search shards (`.bin`), `.pagefind` and unknown files
/// are binary.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

/// The page with the live-reload script before `</body>`.
fn with_live_reload(html: &[u8], base_path: &str) -> Vec<u8> {
    // A JSON string with `<` escaped cannot end the script, whatever the path holds.
    let base = serde_json::to_string(base_path)
        .expect("a string serialises")
        .replace('<', "\\u003c");
    let script = LIVE_RELOAD.replace("\"__BASE__\"", &base);
    let html = String::from_utf8_lossy(html);
    match html.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &html[..at], &html[at..]).into_bytes(),
        None => format!("{html}{script}").into_bytes(),
    }
}

/// Reloads the page after a successful rebuild (styles only after a CSS-only change) and
/// shows build errors over the page until they are fixed.
const LIVE_RELOAD: &str = r#"<script>
(() => {
  const base = "__BASE__";
  const overlay = (errors) => {
    let box = document.getElementById("anli-errors");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "anli-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;background:rgba(24,24,27,.97);color:#fafafa;font:14px/1.7 ui-monospace,monospace;white-space:pre-wrap";
      document.body.append(box);
    }
    box.textContent = "构建失败，页面仍是上一次成功构建的版本。改正后会自动刷新。\n\n" +
      errors.map((e) => `${e.file}:${e.line}:${e.column}\n  ${e.message}` + (e.help ? `\n  帮助：${e.help}` : "")).join("\n\n");
  };
  fetch(base + "/__anli/errors").then((r) => r.json()).then(overlay).catch(() => {});
  const events = new EventSource(base + "/__anli/events");
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("errors", (e) => overlay(JSON.parse(e.data)));
  events.addEventListener("css", () => {
    overlay([]);
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("v", Date.now());
      link.href = url;
    }
  });
})();
</script>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_cannot_climb_out() {
        assert_eq!(file_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            file_path("/regions/").as_deref(),
            Some("regions/index.html")
        );
        assert_eq!(file_path("/style.css").as_deref(), Some("style.css"));
        assert_eq!(file_path("/中.png").as_deref(), Some("中.png"));
        for bad in [
            "/../etc/passwd",
            "/a/../../site.yaml",
            "/a\\..\\b",
            "/C:/x",
            "/a/\0",
        ] {
            assert_eq!(file_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn sources_exclude_output_and_temporary_files() {
        let root = Path::new("/site");
        assert!(is_source(root, Path::new("/site/content/scenarios/a.md")));
        assert!(is_source(root, Path::new("/site/site.yaml")));
        for ignored in [
            "/site/output/index.html",
            "/site/.git/index",
            "/site/.output.staging/x",
            "/site/target/a",
            "/site/content/a.md~",
            "/site/content/.a.md.swp",
        ] {
            assert!(!is_source(root, Path::new(ignored)), "{ignored}");
        }
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let page = with_live_reload(b"<html><body><p>x</p></body></html>", "/cases");
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("const base = \"/cases\";"));
        let hostile = String::from_utf8(with_live_reload(b"</body>", "/a\"</script>")).unwrap();
        assert!(
            hostile.contains("const base = \"/a\\\"\\u003c/script>\";"),
            "{hostile}"
        );
        assert!(page.ends_with("</script>\n</body></html>"));
        assert_eq!(content_type("x.pagefind"), "application/octet-stream");
        assert_eq!(content_type("a/b.wasm"), "application/wasm");
    }
}
