//! Reading `content/`: walking the folders, splitting front matter from the body, and
//! reading the front matter into typed fields that remember where they stand.
//! Nothing here knows the vocabularies or other cases; `model` resolves those.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::base::diagnostics::{Diagnostic, did_you_mean};
use crate::base::kind::CaseKind;
use crate::base::paths::relative;
use crate::base::source::{FieldReader, FieldSpec, Node, Pos, SourceFile, Spanned, YamlDoc};

/// Where free pages live; their relative image paths resolve against it.
pub const PAGES_DIR: &str = "content/pages";

/// A case file as written: typed but not yet resolved against vocabularies or other cases.
#[derive(Debug)]
pub struct RawCase {
    pub kind: CaseKind,
    pub slug: String,
    /// The folder relative paths in the case resolve against (a bundle's own folder).
    pub dir: PathBuf,
    pub file: SourceFile,
    pub front: CaseFront,
    /// Byte offset of the body in `file.text`.
    pub body_start: usize,
}

impl RawCase {
    pub fn body(&self) -> &str {
        &self.file.text[self.body_start..]
    }

    /// Whether the case is `<slug>/index.md` with its files beside it.
    pub fn is_bundle(&self) -> bool {
        is_bundle_dir(&self.dir)
    }
}

/// A free page under `content/pages/`.
#[derive(Debug)]
pub struct RawPage {
    pub slug: String,
    pub file: SourceFile,
    pub front: PageFront,
    pub body_start: usize,
}

impl RawPage {
    pub fn body(&self) -> &str {
        &self.file.text[self.body_start..]
    }
}

/// The front matter of a case (DESIGN.md §3).
#[derive(Debug, Default)]
pub struct CaseFront {
    /// Where the front matter starts, for problems that have no value to point at.
    pub start: Pos,
    /// The keys written, valid or not, so a value of the wrong type is not also "missing".
    pub keys: Vec<String>,
    pub title: Option<Spanned<String>>,
    pub unit: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub city: Option<Spanned<String>>,
    pub cities: Vec<Spanned<String>>,
    pub recommender: Option<Spanned<String>>,
    pub industry: Option<Spanned<String>>,
    pub scenarios: Vec<Spanned<String>>,
    pub technologies: Vec<Spanned<String>>,
    pub level: Option<Spanned<String>>,
    pub year: Option<Spanned<i32>>,
    pub status: Option<Spanned<String>>,
    pub approved: Option<Spanned<NaiveDate>>,
    pub reviews: Vec<Review>,
    pub metrics: Vec<Metric>,
    pub summary: Option<Spanned<String>>,
    pub cover: Option<Spanned<String>>,
    pub related: Vec<Spanned<String>>,
    pub draft: bool,
}

/// One 复评 (re-evaluation).
#[derive(Debug, Clone)]
pub struct Review {
    pub date: NaiveDate,
    pub passed: bool,
    pub note: Option<String>,
}

/// One key figure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Metric {
    pub name: String,
    pub value: String,
    pub note: Option<String>,
}

/// The front matter of a free page.
#[derive(Debug, Default)]
pub struct PageFront {
    pub title: Option<Spanned<String>>,
    pub summary: Option<String>,
    pub draft: bool,
    /// Shown in the site's navigation.
    pub menu: bool,
    /// Order in the navigation, smallest first.
    pub weight: i64,
}

/// Every field a case may have, with its Chinese name.
pub const CASE_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "title",
        label: "标题",
    },
    FieldSpec {
        key: "unit",
        label: "单位",
    },
    FieldSpec {
        key: "region",
        label: "地区",
    },
    FieldSpec {
        key: "city",
        label: "城市",
    },
    FieldSpec {
        key: "cities",
        label: "城市列表",
    },
    FieldSpec {
        key: "recommender",
        label: "推荐单位",
    },
    FieldSpec {
        key: "industry",
        label: "行业",
    },
    FieldSpec {
        key: "scenarios",
        label: "典型场景",
    },
    FieldSpec {
        key: "technologies",
        label: "技术",
    },
    FieldSpec {
        key: "level",
        label: "级别",
    },
    FieldSpec {
        key: "year",
        label: "批次年度",
    },
    FieldSpec {
        key: "status",
        label: "状态",
    },
    FieldSpec {
        key: "approved",
        label: "授牌日期",
    },
    FieldSpec {
        key: "reviews",
        label: "复评记录",
    },
    FieldSpec {
        key: "metrics",
        label: "关键指标",
    },
    FieldSpec {
        key: "summary",
        label: "摘要",
    },
    FieldSpec {
        key: "cover",
        label: "封面图",
    },
    FieldSpec {
        key: "related",
        label: "相关案例",
    },
    FieldSpec {
        key: "draft",
        label: "草稿",
    },
];

const PAGE_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "title",
        label: "标题",
    },
    FieldSpec {
        key: "summary",
        label: "摘要",
    },
    FieldSpec {
        key: "draft",
        label: "草稿",
    },
    FieldSpec {
        key: "menu",
        label: "显示在导航栏",
    },
    FieldSpec {
        key: "weight",
        label: "排序权重",
    },
];

const REVIEW_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "date",
        label: "复评日期",
    },
    FieldSpec {
        key: "result",
        label: "复评结果",
    },
    FieldSpec {
        key: "note",
        label: "说明",
    },
];

const METRIC_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "name",
        label: "指标名称",
    },
    FieldSpec {
        key: "value",
        label: "指标值",
    },
    FieldSpec {
        key: "note",
        label: "说明",
    },
];

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    pub cases: Vec<RawCase>,
    pub pages: Vec<RawPage>,
}

/// What a markdown file under `content/` is, by where it stands.
enum Entry {
    Case(CaseKind, String, PathBuf),
    Page(String),
}

/// Whether a case folder is a bundle's own (`content/<kind>/<slug>`) rather than the
/// kind folder (`content/<kind>`) that single-file cases share.
pub fn is_bundle_dir(dir: &Path) -> bool {
    dir.components().count() == 3
}

/// Slugs name URLs, so they stay ASCII: lowercase letters, digits and hyphens.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Walks `content/` and reads every case and page, in parallel, in a stable order.
pub fn load(root: &Path, max_file_size: u64, diagnostics: &mut Vec<Diagnostic>) -> Content {
    let content_dir = root.join("content");
    if !content_dir.is_dir() {
        diagnostics.push(
            Diagnostic::error("missing-content", "content/", Pos::START, "站点没有 content/ 文件夹")
                .help("案例放在 content/scenarios/、content/factories/ 或 content/zones/ 下；可用 --root 指定站点根目录"),
        );
        return Content::default();
    }
    let mut files = Vec::new();
    for entry in WalkDir::new(&content_dir).sort_by_file_name() {
        // A folder that cannot be read, or a linked one, would otherwise vanish in silence.
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let rel = err.path().map_or("content/".into(), |p| relative(root, p));
                diagnostics.push(
                    Diagnostic::error("io", &rel, Pos::START, format!("无法读取：{err}"))
                        .help("检查文件和文件夹的权限"),
                );
                continue;
            }
        };
        let path = entry.path();
        if entry.path_is_symlink() && path.is_dir() {
            diagnostics.push(
                Diagnostic::error(
                    "symlink",
                    &relative(root, path),
                    Pos::START,
                    "不支持符号链接的文件夹，其中的文件不会被读取",
                )
                .help("把文件夹本身放在 content/ 中，而不是指向别处的链接"),
            );
            continue;
        }
        if !is_markdown(path) || entry.file_type().is_dir() {
            continue;
        }
        let rel = relative(root, path);
        let problem = if path.to_str().is_none() {
            Some((
                "invalid-file-name",
                "文件名不是有效的 UTF-8".to_string(),
                "把文件改名为小写字母、数字和连字符组成的名字".to_string(),
            ))
        } else if entry.path_is_symlink() {
            Some((
                "symlink",
                "不支持符号链接".to_string(),
                "把文件本身放在 content/ 中，而不是指向别处的链接".to_string(),
            ))
        } else {
            match classify(&content_dir, path) {
                Some(kind) => {
                    files.push((rel.clone(), kind));
                    None
                }
                None => misplaced(&rel),
            }
        };
        if let Some((code, message, help)) = problem {
            diagnostics.push(Diagnostic::error(code, &rel, Pos::START, message).help(help));
        }
    }
    let results: Vec<(Option<Loaded>, Vec<Diagnostic>)> = files
        .into_par_iter()
        .map(|(rel, entry)| read_entry(root, rel, entry, max_file_size))
        .collect();
    let mut content = Content::default();
    for (loaded, found) in results {
        diagnostics.extend(found);
        match loaded {
            Some(Loaded::Case(case)) => content.cases.push(*case),
            Some(Loaded::Page(page)) => content.pages.push(page),
            None => {}
        }
    }
    content
}

enum Loaded {
    Case(Box<RawCase>),
    Page(RawPage),
}

/// Reads one case file again (`rel` as in [`SourceFile::path`]), for an incremental
/// rebuild. `None` when it is not a case file or anything about it is reported: the
/// caller then rebuilds everything, which reports it.
pub fn read_case(root: &Path, rel: &str, max_size: u64) -> Option<RawCase> {
    let entry = classify(&root.join("content"), &root.join(rel))?;
    match read_entry(root, rel.to_string(), entry, max_size) {
        (Some(Loaded::Case(case)), found) if found.is_empty() => Some(*case),
        _ => None,
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// Why a markdown file is not where a case or page can be, as (code, message, help).
fn misplaced(rel: &str) -> Option<(&'static str, String, String)> {
    let folder = rel
        .strip_prefix("content/")?
        .split('/')
        .next()
        .unwrap_or("");
    if folder == "_taxonomies" {
        return None;
    }
    let folders = ["scenarios", "factories", "zones", "pages"];
    let place = "案例放在 content/scenarios/、content/factories/ 或 content/zones/ 下（<slug>.md 或 <slug>/index.md），页面放在 content/pages/<slug>.md";
    let help = match did_you_mean(folder, folders) {
        Some(known) if known != folder => format!("文件夹 `{folder}` 是否应为 `{known}`？{place}"),
        _ => place.to_string(),
    };
    Some((
        "misplaced-file",
        "这个文件不在任何栏目中，不会被发布".to_string(),
        help,
    ))
}

fn classify(content_dir: &Path, path: &Path) -> Option<Entry> {
    let parts: Vec<String> = path
        .strip_prefix(content_dir)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let stem = |name: &str| {
        Path::new(name)
            .file_stem()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned())
    };
    match parts.as_slice() {
        [folder, name] if folder == "pages" => Some(Entry::Page(stem(name))),
        [folder, name] => CaseKind::from_folder(folder)
            .map(|k| Entry::Case(k, stem(name), PathBuf::from("content").join(folder))),
        [folder, bundle, index] if index.eq_ignore_ascii_case("index.md") => {
            CaseKind::from_folder(folder).map(|k| {
                Entry::Case(
                    k,
                    bundle.clone(),
                    PathBuf::from("content").join(folder).join(bundle),
                )
            })
        }
        _ => None,
    }
}

fn read_entry(
    root: &Path,
    rel: String,
    entry: Entry,
    max_size: u64,
) -> (Option<Loaded>, Vec<Diagnostic>) {
    let file = match read_source(root, &rel, max_size) {
        Ok(Some(file)) => file,
        Ok(None) => {
            let d = Diagnostic::error("io", &rel, Pos::START, "文件在读取前被删除了");
            return (None, vec![d]);
        }
        Err(d) => return (None, vec![*d]),
    };
    let (yaml, body_start, yaml_line) = match split_front_matter(&file) {
        Ok(parts) => parts,
        Err(d) => return (None, vec![*d]),
    };
    let doc = match YamlDoc::parse(&file, &yaml, yaml_line) {
        Ok(doc) => doc,
        Err(d) => return (None, vec![d]),
    };
    let mut reader = FieldReader::new(&file);
    let node = doc.root();
    if !node.value.is_null() && !node.is_mapping() {
        reader.error(
            "wrong-type",
            node.pos(),
            node.span_len(),
            "front matter 应为“字段: 值”的映射".to_string(),
            "每行写一个字段，如 `title: 某某场景`".to_string(),
        );
        return (None, reader.diagnostics);
    }
    match entry {
        Entry::Case(kind, slug, dir) => {
            let front = read_case_front(&mut reader, node);
            let diagnostics = reader.diagnostics;
            let case = RawCase {
                kind,
                slug,
                dir,
                file,
                front,
                body_start,
            };
            (Some(Loaded::Case(Box::new(case))), diagnostics)
        }
        Entry::Page(slug) => {
            let front = read_page_front(&mut reader, node);
            let diagnostics = reader.diagnostics;
            let page = RawPage {
                slug,
                file,
                front,
                body_start,
            };
            (Some(Loaded::Page(page)), diagnostics)
        }
    }
}

/// Reads a source file of the site (a case, a page, a vocabulary) the one safe way: a
/// regular file inside the site (not a symbolic link, which may point anywhere, nor a
/// FIFO or device, which may never end) of at most `max_size` bytes, as UTF-8.
/// `Ok(None)` when there is no such file.
pub fn read_source(
    root: &Path,
    rel: &str,
    max_size: u64,
) -> Result<Option<SourceFile>, Box<Diagnostic>> {
    use std::io::Read;
    let path = root.join(rel);
    let refuse = |code: &'static str, message: String, help: &str| {
        Err(Box::new(
            Diagnostic::error(code, rel, Pos::START, message).help(help),
        ))
    };
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return refuse("io", format!("无法读取文件：{err}"), "检查文件权限"),
    };
    if meta.file_type().is_symlink() {
        return refuse(
            "symlink",
            "不支持符号链接".into(),
            "把文件本身放在站点中，而不是指向别处的链接",
        );
    }
    // A linked folder on the way (`_taxonomies` → elsewhere) leads outside just the same.
    let inside = match (path.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(real_root)) => real.starts_with(real_root),
        _ => false,
    };
    if !inside {
        return refuse(
            "symlink",
            "文件所在的文件夹是指向站点之外的链接".into(),
            "把文件夹本身放在站点中，而不是指向别处的链接",
        );
    }
    let not_a_file = || {
        refuse(
            "not-a-file",
            "这不是普通文件（可能是管道或设备）".into(),
            "换成普通的文本文件",
        )
    };
    if !meta.is_file() {
        return not_a_file();
    }
    let too_large = |size: u64| {
        refuse(
            "file-too-large",
            format!("文件太大（{size} 字节，上限 {max_size} 字节）"),
            "一个案例应在几千字以内、一个词表在几百个词条以内：拆分或删减，把大图片压缩后另存；确需更大时在 site.yaml 中调高 max_file_size",
        )
    };
    if meta.len() > max_size {
        return too_large(meta.len());
    }
    // What was checked above may be swapped before the open: the opened file is checked
    // again. Read at most one byte past the limit: a file that grows while read stops there.
    let file = match open_without_following(&path) {
        Ok(file) => file,
        Err(err) => return refuse("io", format!("无法读取文件：{err}"), "检查文件权限"),
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return not_a_file();
    }
    let mut bytes = Vec::new();
    if let Err(err) = file.take(max_size + 1).read_to_end(&mut bytes) {
        return refuse("io", format!("无法读取文件：{err}"), "检查文件权限");
    }
    if bytes.len() as u64 > max_size {
        return too_large(bytes.len() as u64);
    }
    SourceFile::decode(rel.to_string(), &bytes)
        .map(Some)
        .map_err(Box::new)
}

/// Opens a file for reading; on Linux without following a symbolic link and without
/// waiting on a FIFO, so a file swapped after it was checked cannot lead out or hang.
fn open_without_following(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    options.open(path)
}

/// Splits `---`-fenced YAML front matter from the body. Returns the YAML text, the byte
/// offset where the body starts, and the line the YAML starts on.
fn split_front_matter(file: &SourceFile) -> Result<(String, usize, usize), Box<Diagnostic>> {
    let text = &file.text;
    let example = "文件应以 front matter 开头，例如：\n---\ntitle: 某某场景\nunit: 某某有限公司\nregion: 江苏省\nyear: 2024\n---";
    if text.trim().is_empty() {
        return Err(Box::new(
            Diagnostic::error("empty-file", &file.path, Pos::START, "文件是空的").help(example),
        ));
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(Box::new(
            Diagnostic::error(
                "no-front-matter",
                &file.path,
                Pos::START,
                "文件缺少 front matter（开头的 `---`）",
            )
            .help(example)
            .snippet_from(file),
        ));
    }
    let mut offset = first.len();
    for line in lines {
        if matches!(line.trim_end(), "---" | "...") {
            let yaml = text[first.len()..offset].to_string();
            return Ok((yaml, offset + line.len(), 2));
        }
        offset += line.len();
    }
    Err(Box::new(
        Diagnostic::error(
            "unterminated-front-matter",
            &file.path,
            Pos::START,
            "front matter 没有结束：找不到第二个 `---`",
        )
        .with_len(3)
        .help("在最后一个字段之后、正文之前单独写一行 `---`")
        .snippet_from(file),
    ))
}

const TEXT: &str = "文本";
const TEXT_LIST: &str = "文本列表，如 [甲, 乙]";
const DATE: &str = "日期（YYYY-MM-DD）";

fn read_case_front(reader: &mut FieldReader, node: Node) -> CaseFront {
    reader.reject_unknown_keys(node, CASE_FIELDS, "案例");
    CaseFront {
        start: Pos { line: 1, column: 1 },
        keys: node.keys().into_iter().map(|(k, _)| k).collect(),
        title: reader.get(node, "title", TEXT),
        unit: reader.get(node, "unit", TEXT),
        region: reader.get(node, "region", "地区名称，如 江苏省"),
        city: reader.get(node, "city", TEXT),
        cities: reader.list(node, "cities", TEXT_LIST),
        recommender: reader.get(node, "recommender", TEXT),
        industry: reader.get(node, "industry", "行业名称，如 电力装备"),
        scenarios: reader.list(node, "scenarios", TEXT_LIST),
        technologies: reader.list(node, "technologies", TEXT_LIST),
        level: reader.get(node, "level", "级别名称，如 卓越级"),
        year: reader.get_in(node, "year", 2000..=2100, "整数年份，如 2022"),
        status: reader.get(node, "status", "文本，如 示范"),
        approved: read_date(reader, node, "approved"),
        reviews: read_reviews(reader, node),
        metrics: read_metrics(reader, node),
        summary: reader.get(node, "summary", TEXT),
        cover: reader.get(node, "cover", "图片路径，如 cover.jpg"),
        related: reader.list(node, "related", "案例列表，如 [scenarios/某个-slug]"),
        draft: read_draft(reader, node),
    }
}

/// `draft`; one written without a value is an error and counts as a draft, so a file
/// its editor meant to hold back is never published by a slip.
fn read_draft(reader: &mut FieldReader, node: Node) -> bool {
    match node.get("draft") {
        Some((pos, value)) if value.value.is_null() => {
            reader.error(
                "wrong-type",
                pos,
                "draft".len(),
                "draft 没有写值".to_string(),
                "写 draft: true（不发布）或 draft: false（发布），或删去这一行".to_string(),
            );
            true
        }
        _ => reader
            .get(node, "draft", "布尔值 true 或 false")
            .is_some_and(|d| d.value),
    }
}

fn read_page_front(reader: &mut FieldReader, node: Node) -> PageFront {
    reader.reject_unknown_keys(node, PAGE_FIELDS, "页面");
    PageFront {
        title: reader.get(node, "title", TEXT),
        summary: reader.get(node, "summary", TEXT).map(|s| s.value),
        draft: read_draft(reader, node),
        menu: reader
            .get(node, "menu", "布尔值 true 或 false")
            .is_some_and(|d| d.value),
        weight: reader.get(node, "weight", "整数").map_or(0, |w| w.value),
    }
}

/// A `YYYY-MM-DD` date; a date that does not exist (`2023-02-30`) is reported as such.
fn read_date(reader: &mut FieldReader, node: Node, key: &str) -> Option<Spanned<NaiveDate>> {
    let text = reader.get::<String>(node, key, DATE)?;
    let shape_ok = text.value.split('-').map(str::len).collect::<Vec<_>>() == [4, 2, 2]
        && text.value.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    let parsed = NaiveDate::parse_from_str(&text.value, "%Y-%m-%d")
        .ok()
        .filter(|_| shape_ok);
    match parsed {
        Some(date) => Some(Spanned {
            value: date,
            pos: text.pos,
            len: text.len,
        }),
        None => {
            let message = if shape_ok {
                format!("`{key}` 的日期“{}”不存在", text.value)
            } else {
                format!("`{key}` 的日期“{}”格式不对", text.value)
            };
            reader.error(
                "invalid-date",
                text.pos,
                text.len,
                message,
                "日期写成 YYYY-MM-DD，如 2023-01-18，并确认这一天在日历上存在".to_string(),
            );
            None
        }
    }
}

fn read_reviews(reader: &mut FieldReader, node: Node) -> Vec<Review> {
    let mut reviews = Vec::new();
    for item in reader.records(node, "reviews", "{date: 2025-12-20, result: 通过}") {
        reader.reject_unknown_keys(item, REVIEW_FIELDS, "复评记录中");
        let date = read_date(reader, item, "date");
        let result = reader.get::<String>(item, "result", "通过 或 未通过");
        let passed = match result.as_ref().map(|r| r.value.trim()) {
            Some("通过") => Some(true),
            Some("未通过" | "不通过") => Some(false),
            Some(other) => {
                let r = result.as_ref().expect("matched Some");
                reader.error(
                    "invalid-review",
                    r.pos,
                    r.len,
                    format!("复评结果“{other}”无效"),
                    "复评结果写 通过 或 未通过".to_string(),
                );
                None
            }
            None => None,
        };
        if item.get("date").is_none() || item.get("result").is_none() {
            reader.error(
                "missing-field",
                item.pos(),
                1,
                "复评记录需要 `date` 和 `result`".to_string(),
                "写成 {date: 2025-12-20, result: 通过}".to_string(),
            );
        }
        if let (Some(date), Some(passed)) = (date, passed) {
            let note = reader.get(item, "note", TEXT).map(|n| n.value);
            reviews.push(Review {
                date: date.value,
                passed,
                note,
            });
        }
    }
    reviews
}

/// A key figure as the editor wrote it: `value: 99.90` stays `99.90`, `32%` stays text.
fn metric_value(reader: &mut FieldReader, value: Node) -> Option<String> {
    match value.value {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(_) => Some(value.scalar_text().to_string()),
        _ => reader
            .parse::<String>(value, "value", "数值或文本，如 32%")
            .map(|v| v.value),
    }
}

fn read_metrics(reader: &mut FieldReader, node: Node) -> Vec<Metric> {
    let mut metrics = Vec::new();
    for item in reader.records(node, "metrics", "{name: 生产效率提升, value: 32%}") {
        reader.reject_unknown_keys(item, METRIC_FIELDS, "关键指标中");
        let name = reader.get::<String>(item, "name", TEXT);
        let value = item.get("value").and_then(|(_, v)| metric_value(reader, v));
        match (name, value) {
            (Some(name), Some(value)) => metrics.push(Metric {
                name: name.value,
                value,
                note: reader.get(item, "note", TEXT).map(|n| n.value),
            }),
            _ if item.get("name").is_some() && item.get("value").is_some() => {}
            _ => reader.error(
                "missing-field",
                item.pos(),
                1,
                "关键指标需要 `name` 和 `value`".to_string(),
                "写成 {name: 生产效率提升, value: 32%}".to_string(),
            ),
        }
    }
    metrics
}
