//! The validated site: cases resolved against the vocabularies and each other, with their
//! lifecycle derived from the programme's rules. Built once, then read by every stage.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use chrono::{Months, NaiveDate};

use crate::base::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::base::source::{FieldReader, Pos, SourceFile, Spanned};
use crate::input::config::Config;
use crate::input::content::{Content, Metric, RawCase, RawPage, Review, is_valid_slug};
use crate::input::taxonomy::{Kind, Taxonomies, TermId};

pub use crate::base::kind::CaseKind;

/// A kind's status when front matter names none.
fn default_status(kind: CaseKind) -> Status {
    match kind {
        CaseKind::Scenario => Status::Selected,
        CaseKind::Factory | CaseKind::Zone => Status::Demonstration,
    }
}

/// `status` in front matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    /// 揭榜: a candidate factory within its build period.
    Candidate,
    /// 入选: a selected scenario.
    Selected,
    /// 示范: title held.
    Demonstration,
    /// 复评通过: title confirmed by a re-evaluation.
    Reviewed,
    /// 已撤销: title revoked.
    Revoked,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Candidate,
        Status::Selected,
        Status::Demonstration,
        Status::Reviewed,
        Status::Revoked,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::Candidate => "揭榜",
            Status::Selected => "入选",
            Status::Demonstration => "示范",
            Status::Reviewed => "复评通过",
            Status::Revoked => "已撤销",
        }
    }

    fn allowed_for(self, kind: CaseKind) -> bool {
        match self {
            Status::Candidate => kind == CaseKind::Factory,
            Status::Selected => kind == CaseKind::Scenario,
            Status::Demonstration | Status::Reviewed => kind != CaseKind::Scenario,
            Status::Revoked => true,
        }
    }
}

/// Whether a case's title holds today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TitleState {
    Current,
    Expired,
    Revoked,
}

/// Dates derived from `status`, `approved`, `year`, `reviews` and `site.yaml`; never typed by hand.
#[derive(Clone, Debug)]
pub struct Lifecycle {
    /// 建设期 end of a 揭榜 factory.
    pub build_end: Option<NaiveDate>,
    /// 有效期 end of a factory's or zone's title.
    pub valid_until: Option<NaiveDate>,
    /// Year of the latest passing 复评.
    pub last_review_passed: Option<NaiveDate>,
    pub state: TitleState,
}

/// One validated case.
#[derive(Debug, Clone)]
pub struct Case {
    pub kind: CaseKind,
    pub slug: String,
    pub source: SourceFile,
    /// Byte offset of the markdown body in `source.text`.
    pub body_start: usize,
    /// The folder its relative paths (cover, images) resolve against, relative to the root.
    pub dir: PathBuf,
    pub title: String,
    pub unit: String,
    pub region: TermId,
    pub city: Option<String>,
    pub cities: Vec<String>,
    pub recommender: Option<String>,
    pub industry: Option<TermId>,
    pub scenarios: Vec<TermId>,
    pub technologies: Vec<TermId>,
    /// A factory's title (示范工厂, 卓越级, 领航级).
    pub level: Option<TermId>,
    pub year: i32,
    pub status: Status,
    pub approved: Option<NaiveDate>,
    pub reviews: Vec<Review>,
    pub metrics: Vec<Metric>,
    pub summary: Option<String>,
    pub cover: Option<Spanned<String>>,
    /// Indexes into [`Site::cases`].
    pub related: Vec<usize>,
    pub draft: bool,
    pub lifecycle: Lifecycle,
    /// First and last commit of its file, with `git_info: true`.
    pub history: Option<crate::input::git::FileDates>,
}

impl Case {
    pub fn body(&self) -> &str {
        &self.source.text[self.body_start..]
    }

    /// Whether the case is `content/<kind>/<slug>/index.md` with its files beside it.
    pub fn is_bundle(&self) -> bool {
        crate::input::content::is_bundle_dir(&self.dir)
    }

    /// The terms a case carries in each vocabulary, as written (without their parents).
    pub fn terms(&self, kind: Kind) -> Vec<TermId> {
        match kind {
            Kind::Region => vec![self.region],
            Kind::Industry => self.industry.into_iter().collect(),
            Kind::Scenario => self.scenarios.clone(),
            Kind::Technology => self.technologies.clone(),
            Kind::Level => self.level.into_iter().collect(),
        }
    }

    /// `kind/slug`, the name `related` uses.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind.folder(), self.slug)
    }
}

/// A free page.
#[derive(Debug, Clone)]
pub struct Page {
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub menu: bool,
    pub weight: i64,
    pub source: SourceFile,
    pub body_start: usize,
}

impl Page {
    pub fn body(&self) -> &str {
        &self.source.text[self.body_start..]
    }
}

/// The whole validated site.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub taxonomies: Taxonomies,
    /// Sorted by kind, then slug.
    pub cases: Vec<Case>,
    /// Sorted by weight, then slug.
    pub pages: Vec<Page>,
    /// The compendia of `site.yaml`, resolved against the cases.
    pub compendia: Vec<crate::model::compendium::Compendium>,
    /// Every case id read, for checking `related` entries again after an edit.
    names: CaseNames,
    /// The drafts this site leaves out (none when drafts are shown).
    pub drafts_left_out: Vec<Draft>,
}

/// A draft left out of the site: its file, the page it would be, and its bundle folder.
#[derive(Debug, Clone)]
pub struct Draft {
    /// As in [`SourceFile::path`] (`content/scenarios/x.md`).
    pub source: String,
    /// Its page's folder in the output (`scenarios/x`, or a free page's slug).
    pub page: String,
    /// A bundle's folder with a trailing `/` (`content/scenarios/x/`), whose files are the
    /// draft's too.
    folder: Option<String>,
}

impl Draft {
    /// Whether `file` (as diagnostics name it) is the draft's own.
    pub fn holds(&self, file: &str) -> bool {
        file == self.source
            || self
                .folder
                .as_ref()
                .is_some_and(|f| file.starts_with(f.as_str()))
    }
}

/// Choices that change what the model holds.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub drafts: bool,
    /// The day lifecycle states are judged on.
    pub today: NaiveDate,
}

/// URL segments that free pages may not take.
const RESERVED: &[&str] = &[
    "scenarios",
    "factories",
    "zones",
    "regions",
    "industries",
    "scenario-types",
    "technologies",
    "levels",
    "years",
    "cases",
    "pagefind",
    "compendium",
    "data",
    "static",
];

/// Validates the loaded content into a [`Site`], reporting every problem found.
pub fn build(
    root: &Path,
    config: Config,
    taxonomies: Taxonomies,
    content: Content,
    options: Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Site {
    let names = CaseNames::new(&content.cases);
    let mut cases = Vec::new();
    let mut related_names = Vec::new();
    for raw in content.cases {
        let (case, related, found) =
            validate_case(root, &config, &taxonomies, &names, raw, options.today);
        diagnostics.extend(found);
        if let Some(case) = case {
            cases.push(case);
            related_names.push(related);
        }
    }
    report_duplicate_slugs(&cases, diagnostics);
    resolve_related(&mut cases, related_names);
    let mut drafts_left_out = Vec::new();
    if !options.drafts {
        drafts_left_out = drop_drafts(&mut cases);
    }
    let pages = validate_pages(
        content.pages,
        options.drafts,
        &mut drafts_left_out,
        diagnostics,
    );
    Site {
        root: root.to_path_buf(),
        config,
        taxonomies,
        cases,
        pages,
        compendia: Vec::new(),
        names,
        drafts_left_out,
    }
}

/// Validates a case file read again, against the rest of `site`, for an incremental
/// rebuild, adding its warnings to `diagnostics`. `None` when it has errors (the caller
/// rebuilds everything, which reports them) or when the case left the site (became a
/// draft).
pub fn revalidate(
    site: &Site,
    raw: RawCase,
    drafts: bool,
    today: NaiveDate,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Case> {
    let (case, related, found) = validate_case(
        &site.root,
        &site.config,
        &site.taxonomies,
        &site.names,
        raw,
        today,
    );
    if found.iter().any(Diagnostic::is_error) {
        return None;
    }
    diagnostics.extend(found);
    let mut case = case.filter(|c| drafts || !c.draft)?;
    case.related = related
        .iter()
        .filter_map(|id| site.cases.iter().position(|c| c.id() == *id))
        .collect();
    Some(case)
}

/// Puts a new case (from [`revalidate`]) at its place in `site.cases`, the order of
/// their files, and returns that place; the `related` entries of every case follow the
/// cases they name. `None` when its name is taken (by another case, a draft or a file
/// with errors): a full rebuild reports that.
pub fn insert_case(site: &mut Site, mut case: Case) -> Option<usize> {
    let id = case.id();
    if site.names.ids.contains(&id) {
        return None;
    }
    let path = |c: &Case| PathBuf::from(&c.source.path);
    let at = site.cases.partition_point(|c| path(c) < path(&case));
    let shift = |related: &mut Vec<usize>| {
        related
            .iter_mut()
            .filter(|r| **r >= at)
            .for_each(|r| *r += 1)
    };
    site.cases.iter_mut().for_each(|c| shift(&mut c.related));
    shift(&mut case.related);
    site.cases.insert(at, case);
    site.names.add(id);
    Some(at)
}

/// Takes the case `site.cases[i]` out, its file removed; the `related` entries of every
/// case follow the cases they name. `None` when another case names it in `related`:
/// a full rebuild reports that.
pub fn remove_case(site: &mut Site, i: usize) -> Option<Case> {
    if site.cases.iter().any(|c| c.related.contains(&i)) {
        return None;
    }
    let case = site.cases.remove(i);
    for c in &mut site.cases {
        c.related
            .iter_mut()
            .filter(|r| **r > i)
            .for_each(|r| *r -= 1);
    }
    site.names.remove(&case.id());
    Some(case)
}

/// Validates one case. Returns the case (if it has what a page needs), its `related`
/// entries to resolve once every case is known, and the problems found.
fn validate_case(
    root: &Path,
    config: &Config,
    taxonomies: &Taxonomies,
    names: &CaseNames,
    raw: RawCase,
    today: NaiveDate,
) -> (Option<Case>, Vec<String>, Vec<Diagnostic>) {
    let mut reader = FieldReader::new(&raw.file);
    let front = &raw.front;
    if !is_valid_slug(&raw.slug) {
        reader.error(
            "invalid-slug",
            Pos::START,
            1,
            format!(
                "slug “{}”无效：它来自文件名，只能由小写字母、数字和连字符组成",
                raw.slug
            ),
            format!(
                "把文件（或文件夹）改名为如 {}.md 的形式，例如 mou-dianqi-paichan",
                suggest_slug(&raw.slug)
            ),
        );
    }
    require_fields(&mut reader, &raw);
    let region = front
        .region
        .as_ref()
        .and_then(|v| resolve(&mut reader, taxonomies, Kind::Region, v));
    let industry = front
        .industry
        .as_ref()
        .and_then(|v| resolve(&mut reader, taxonomies, Kind::Industry, v));
    let scenarios = resolve_all(&mut reader, taxonomies, Kind::Scenario, &front.scenarios);
    let technologies = resolve_all(
        &mut reader,
        taxonomies,
        Kind::Technology,
        &front.technologies,
    );
    let level = read_level(&mut reader, taxonomies, raw.kind, front.level.as_ref());
    let status = read_status(&mut reader, raw.kind, front.status.as_ref());
    report_placeholders(&mut reader, &raw);
    report_spaced_punctuation(&mut reader, &raw.file.text, raw.body_start);
    let related = check_related(&mut reader, names, &front.related);
    let cover = check_cover(&mut reader, root, &raw);
    if front.summary.is_none() {
        reader.report(
            Severity::Warning,
            "missing-summary",
            front.start,
            3,
            "案例没有 `summary`（摘要）".to_string(),
            format!(
                "在 front matter 中加一两句话的摘要；没有时将截取正文前 {} 个字",
                config.summary_length
            ),
        );
    }

    let lifecycle = front.year.as_ref().map(|year| {
        let lifecycle = derive_lifecycle(
            raw.kind,
            status,
            front.approved.as_ref().map(|a| a.value),
            year.value,
            &front.reviews,
            config,
            today,
        );
        warn_lifecycle(&mut reader, &raw, status, &lifecycle);
        lifecycle
    });
    let diagnostics = reader.diagnostics;
    let (Some(title), Some(unit), Some(region), Some(year), Some(lifecycle)) = (
        front.title.as_ref(),
        front.unit.as_ref(),
        region,
        front.year.as_ref(),
        lifecycle,
    ) else {
        return (None, Vec::new(), diagnostics);
    };
    let case = Case {
        kind: raw.kind,
        title: title.value.clone(),
        unit: unit.value.clone(),
        region,
        city: front.city.as_ref().map(|c| c.value.clone()),
        cities: front.cities.iter().map(|c| c.value.clone()).collect(),
        recommender: front.recommender.as_ref().map(|r| r.value.clone()),
        industry,
        scenarios,
        technologies,
        level,
        year: year.value,
        status,
        approved: front.approved.as_ref().map(|a| a.value),
        reviews: front.reviews.clone(),
        metrics: front.metrics.clone(),
        summary: front.summary.as_ref().map(|s| s.value.clone()),
        cover,
        related: Vec::new(),
        draft: front.draft,
        lifecycle,
        history: None,
        slug: raw.slug,
        dir: raw.dir,
        body_start: raw.body_start,
        source: raw.file,
    };
    (Some(case), related, diagnostics)
}

/// What `anli new` writes where the editor still has to fill something in.
pub const PLACEHOLDER: &str = "请填写";

/// Placeholders left from `anli new`: an error in the front matter (the value would be
/// published), a warning in the body.
fn report_placeholders(reader: &mut FieldReader, raw: &RawCase) {
    let text = &raw.file.text;
    let body_line = text[..raw.body_start].matches('\n').count() + 1;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let in_front = line_no < body_line;
        // In the front matter, `#` starts a comment (the archetype's explanations).
        let value = if in_front {
            line.split('#').next().unwrap_or("")
        } else {
            line
        };
        let Some(at) = value.find(PLACEHOLDER) else {
            continue;
        };
        let pos = Pos {
            line: line_no,
            column: value[..at].chars().count() + 1,
        };
        let severity = if in_front {
            crate::base::diagnostics::Severity::Error
        } else {
            crate::base::diagnostics::Severity::Warning
        };
        reader.report(
            severity,
            "unfilled-placeholder",
            pos,
            PLACEHOLDER.chars().count(),
            "这里还是 anli new 或 anli import 留下的占位内容".to_string(),
            "把“请填写……”换成真实内容".to_string(),
        );
    }
}

/// Spaces after full-width punctuation in a body (`。 下一句`): a gap on the page.
fn report_spaced_punctuation(reader: &mut FieldReader, text: &str, body_start: usize) {
    let first_line = text[..body_start].matches('\n').count();
    for (line, column, len) in crate::base::text::spaces_after_punctuation(&text[body_start..]) {
        reader.report(
            crate::base::diagnostics::Severity::Warning,
            "space-after-punctuation",
            Pos {
                line: first_line + line + 1,
                column,
            },
            len,
            "全角标点后面有空格".to_string(),
            "删除这个空格：全角标点自带间距，多出的空格在页面上是一道空隙".to_string(),
        );
    }
}

/// A slug an editor could use instead of an invalid one.
fn suggest_slug(slug: &str) -> String {
    let ascii: String = slug
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let joined = ascii
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if joined.is_empty() {
        "my-case".to_string()
    } else {
        joined
    }
}

fn require_fields(reader: &mut FieldReader, raw: &RawCase) {
    let front = &raw.front;
    let mut required = vec![
        ("title", "标题"),
        ("unit", "单位"),
        ("region", "地区"),
        ("year", "批次年度"),
    ];
    match raw.kind {
        CaseKind::Scenario => required.push(("scenarios", "典型场景")),
        CaseKind::Factory => required.push(("industry", "行业")),
        CaseKind::Zone => {}
    }
    for (key, label) in required {
        let written = front.keys.iter().any(|k| k == key);
        let empty_list = key == "scenarios" && front.scenarios.is_empty();
        if written && !empty_list {
            continue;
        }
        reader.error(
            "missing-field",
            front.start,
            3,
            format!("{}缺少必填字段 `{key}`（{label}）", raw.kind.short_label()),
            format!(
                "在 front matter 中加上一行 `{key}: …`；{}",
                required_note(raw.kind)
            ),
        );
    }
    for (value, key) in [
        (&front.title, "title"),
        (&front.unit, "unit"),
        (&front.region, "region"),
    ] {
        if let Some(value) = value.as_ref().filter(|v| v.value.trim().is_empty()) {
            reader.error(
                "missing-field",
                value.pos,
                value.len,
                format!("必填字段 `{key}` 是空的"),
                format!("在 `{key}:` 后面写上内容"),
            );
        }
    }
}

fn required_note(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Scenario => "优秀场景必填 title、unit、region、year 和至少一个 scenarios",
        CaseKind::Factory => "示范工厂必填 title、unit、region、year 和 industry",
        CaseKind::Zone => "先行区必填 title、unit、region 和 year",
    }
}

/// Resolves one taxonomy value, reporting an unknown one with a did-you-mean.
pub(crate) fn resolve(
    reader: &mut FieldReader,
    taxonomies: &Taxonomies,
    kind: Kind,
    value: &Spanned<String>,
) -> Option<TermId> {
    let taxonomy = taxonomies.get(kind);
    if value.value.contains(PLACEHOLDER) || taxonomy.unusable {
        return None; // reported as an unfilled placeholder, or the vocabulary's problem
    }
    match taxonomy.resolve(&value.value) {
        Ok(id) => Some(id),
        Err(unresolved) => {
            let help = if let Some(region) = unresolved.recommender_region {
                format!(
                    "“{}”是推荐单位，不是省级地区：region 写 {region}，城市写在 city 中",
                    value.value
                )
            } else if let Some(suggestion) = unresolved.suggestion {
                format!("是否要写“{suggestion}”？")
            } else {
                format!(
                    "请使用 content/_taxonomies/{} 中的名称或别名（如 {}），或先在词表中增加这个词条",
                    kind.file_name(),
                    taxonomy.examples()
                )
            };
            reader.error(
                "unknown-term",
                value.pos,
                value.len,
                format!("未知的{}“{}”", kind.label(), value.value),
                help,
            );
            None
        }
    }
}

fn resolve_all(
    reader: &mut FieldReader,
    taxonomies: &Taxonomies,
    kind: Kind,
    values: &[Spanned<String>],
) -> Vec<TermId> {
    let mut ids: Vec<TermId> = Vec::new();
    for value in values {
        if let Some(id) = resolve(reader, taxonomies, kind, value)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

/// `level`, which only a factory has.
fn read_level(
    reader: &mut FieldReader,
    taxonomies: &Taxonomies,
    kind: CaseKind,
    level: Option<&Spanned<String>>,
) -> Option<TermId> {
    let level = level?;
    if kind != CaseKind::Factory {
        reader.error(
            "level-not-factory",
            level.pos,
            level.len,
            format!("{}没有级别（level）", kind.short_label()),
            "级别（示范工厂、卓越级、领航级）只用于工厂：删除这一行，或把案例放到 content/factories/"
                .to_string(),
        );
        return None;
    }
    resolve(reader, taxonomies, Kind::Level, level)
}

fn read_status(
    reader: &mut FieldReader,
    kind: CaseKind,
    status: Option<&Spanned<String>>,
) -> Status {
    let Some(status) = status else {
        return default_status(kind);
    };
    let allowed: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.allowed_for(kind))
        .map(|s| s.label())
        .collect();
    match Status::ALL
        .into_iter()
        .find(|s| s.label() == status.value.trim())
    {
        Some(s) if s.allowed_for(kind) => s,
        found => {
            let message = match found {
                Some(s) => format!("{}不能使用状态“{}”", kind.short_label(), s.label()),
                None => format!("未知的状态“{}”", status.value),
            };
            reader.error(
                "invalid-status",
                status.pos,
                status.len,
                message,
                format!(
                    "{}的 status 可以是：{}",
                    kind.short_label(),
                    allowed.join("、")
                ),
            );
            default_status(kind)
        }
    }
}

/// `cover` must name a file inside the case's folder that exists.
/// Checks `cover`; returns it only if it names a file the page may show.
fn check_cover(reader: &mut FieldReader, root: &Path, raw: &RawCase) -> Option<Spanned<String>> {
    let cover = raw.front.cover.as_ref()?;
    if let Err(problem) = check_asset(root, &raw.dir, &cover.value) {
        reader.error(
            "missing-file",
            cover.pos,
            cover.len,
            format!("封面图 {problem}"),
            asset_help(&raw.dir, raw.is_bundle()),
        );
        return None;
    }
    Some(cover.clone())
}

/// Help text for a missing or misplaced image.
pub fn asset_help(dir: &Path, bundle: bool) -> String {
    let dir = dir.to_string_lossy().replace('\\', "/");
    if bundle {
        format!("把图片放在 {dir}/ 中，路径相对于该文件夹书写，如 cover.jpg")
    } else {
        format!(
            "图片放在 {dir}/ 中，路径相对于该文件夹书写；有图片的案例建议改为 <slug>/index.md，把图片放在旁边"
        )
    }
}

/// Checks that a relative asset path stays inside `dir` and names an existing file.
/// Returns the problem as the end of a sentence ("“x.png”不存在").
pub fn check_asset(root: &Path, dir: &Path, path: &str) -> Result<PathBuf, String> {
    let rel = Path::new(path);
    let inside = rel
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    // `C:\x.png` and `..\x.png` are Windows paths: refused everywhere, not only on Windows.
    let windows = path.contains('\\') || path.contains(':');
    if path.is_empty() || !inside || windows {
        return Err(format!(
            "“{path}”必须是案例文件夹内的相对路径（不能以 / 开头，不能包含 ..、\\ 或盘符）"
        ));
    }
    let full = root.join(dir).join(rel);
    if !full.is_file() {
        return Err(format!(
            "“{path}”不存在（找的是 {}）",
            dir.join(rel).to_string_lossy().replace('\\', "/")
        ));
    }
    // A symbolic link may point anywhere; only files that really lie in the folder count.
    let real = full
        .canonicalize()
        .map_err(|e| format!("“{path}”无法读取：{e}"))?;
    let real_dir = root
        .join(dir)
        .canonicalize()
        .map_err(|e| format!("“{path}”无法读取：{e}"))?;
    if !real.starts_with(&real_dir) {
        return Err(format!("“{path}”是指向案例文件夹之外的链接，不能使用"));
    }
    // A single-file case shares its kind's folder with bundles: their files are theirs.
    let first = rel.components().find(|c| matches!(c, Component::Normal(_)));
    if let Some(bundle) = first.map(|c| root.join(dir).join(c))
        && bundle.join("index.md").is_file()
    {
        return Err(format!(
            "“{path}”属于另一个案例（{}）的文件夹，不能使用",
            crate::base::paths::relative(root, &bundle)
        ));
    }
    crate::input::assets::check(&full, path, None)?;
    Ok(full)
}

/// Adds whole years, clamping 29 February to the 28th.
fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(years * 12))
        .unwrap_or(date)
}

/// Derives the lifecycle from the programme's rules (DESIGN.md §1): a 揭榜 factory builds
/// for `build_period_years` from its approval; a factory's or zone's title holds for
/// `validity_years` from its approval or its latest passing 复评; a failed 复评 or status
/// 已撤销 revokes it. Without `approved`, the end of the batch year stands in.
pub fn derive_lifecycle(
    kind: CaseKind,
    status: Status,
    approved: Option<NaiveDate>,
    year: i32,
    reviews: &[Review],
    config: &Config,
    today: NaiveDate,
) -> Lifecycle {
    let start = approved
        .or_else(|| NaiveDate::from_ymd_opt(year, 12, 31))
        .unwrap_or(today);
    let latest = reviews.iter().max_by_key(|r| r.date);
    let last_review_passed = reviews.iter().filter(|r| r.passed).map(|r| r.date).max();
    let revoked = status == Status::Revoked || latest.is_some_and(|r| !r.passed);
    let mut lifecycle = Lifecycle {
        build_end: None,
        valid_until: None,
        last_review_passed,
        state: if revoked {
            TitleState::Revoked
        } else {
            TitleState::Current
        },
    };
    let end = match (kind, status) {
        (CaseKind::Scenario, _) => return lifecycle,
        (_, Status::Candidate) => {
            let end = add_years(start, config.lifecycle.build_period_years);
            lifecycle.build_end = Some(end);
            end
        }
        _ => {
            let end = add_years(
                last_review_passed.unwrap_or(start).max(start),
                config.lifecycle.validity_years,
            );
            lifecycle.valid_until = Some(end);
            end
        }
    };
    if !revoked && end < today {
        lifecycle.state = TitleState::Expired;
    }
    lifecycle
}

fn warn_lifecycle(reader: &mut FieldReader, raw: &RawCase, status: Status, lifecycle: &Lifecycle) {
    let front = &raw.front;
    let (pos, len) = match (&front.approved, &front.year) {
        (Some(a), _) => (a.pos, a.len),
        (None, Some(y)) => (y.pos, y.len),
        (None, None) => (front.start, 3),
    };
    if let (TitleState::Expired, Some(end)) = (lifecycle.state, lifecycle.valid_until) {
        let message = match lifecycle.last_review_passed {
            None => format!(
                "{}的有效期已于 {end} 结束，且没有通过复评的记录",
                raw.kind.short_label()
            ),
            Some(r) => format!(
                "{}的有效期已于 {end} 结束（最近一次复评通过于 {r}）",
                raw.kind.short_label()
            ),
        };
        reader.report(
            Severity::Warning,
            "validity-ended",
            pos,
            len,
            message,
            "在 reviews 中记录复评结果（如 {date: 2025-12-20, result: 通过}）；若未通过复评，把 status 改为 已撤销".to_string(),
        );
    }
    if let (TitleState::Expired, Some(end)) = (lifecycle.state, lifecycle.build_end) {
        reader.report(
            Severity::Warning,
            "build-period-ended",
            pos,
            len,
            format!("揭榜单位的建设期已于 {end} 结束，状态仍是“揭榜”"),
            "验收通过后把 status 改为 示范 并填写 approved；未通过则改为 已撤销".to_string(),
        );
    }
    if status == Status::Reviewed && lifecycle.last_review_passed.is_none() {
        reader.report(
            Severity::Warning,
            "status-without-review",
            front.status.as_ref().map_or(pos, |s| s.pos),
            front.status.as_ref().map_or(len, |s| s.len),
            "状态是“复评通过”，但 reviews 中没有通过的复评记录".to_string(),
            "在 reviews 中加上 {date: YYYY-MM-DD, result: 通过}".to_string(),
        );
    }
}

/// Two cases of one kind with the same slug would share a URL.
fn report_duplicate_slugs(cases: &[Case], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(CaseKind, &str), &Case> = HashMap::new();
    for case in cases {
        match seen.get(&(case.kind, case.slug.as_str())) {
            Some(first) => diagnostics.push(
                Diagnostic::error(
                    "duplicate-slug",
                    &case.source.path,
                    Pos::START,
                    format!("slug “{}”重复：{} 也使用了它", case.slug, first.source.path),
                )
                .help("同一栏目中每个案例的 slug（文件名）必须唯一：给其中一个文件改名"),
            ),
            None => {
                seen.insert((case.kind, case.slug.as_str()), case);
            }
        }
    }
}

/// Resolves `related` entries (`kind/slug`, or a bare slug that only one case has).
fn resolve_related(cases: &mut [Case], names: Vec<Vec<String>>) {
    let index: HashMap<String, usize> =
        cases.iter().enumerate().map(|(i, c)| (c.id(), i)).collect();
    for (case, ids) in cases.iter_mut().zip(names) {
        // A target that failed validation has its own diagnostics and no page.
        case.related = ids.iter().filter_map(|id| index.get(id).copied()).collect();
    }
}

/// Every case id that was read, valid or not, so `related` is checked against what the
/// editor wrote rather than against what passed validation.
#[derive(Debug, Clone)]
struct CaseNames {
    ids: BTreeSet<String>,
    by_slug: HashMap<String, Vec<String>>,
}

impl CaseNames {
    fn new(cases: &[RawCase]) -> CaseNames {
        let mut names = CaseNames {
            ids: BTreeSet::new(),
            by_slug: HashMap::new(),
        };
        for id in cases
            .iter()
            .map(|case| format!("{}/{}", case.kind.folder(), case.slug))
        {
            names.add(id);
        }
        names
    }

    fn add(&mut self, id: String) {
        let slug = id.rsplit('/').next().unwrap_or("").to_string();
        self.by_slug.entry(slug).or_default().push(id.clone());
        self.ids.insert(id);
    }

    fn remove(&mut self, id: &str) {
        let slug = id.rsplit('/').next().unwrap_or("");
        if let Some(ids) = self.by_slug.get_mut(slug) {
            ids.retain(|i| i != id);
            if ids.is_empty() {
                self.by_slug.remove(slug);
            }
        }
        self.ids.remove(id);
    }

    /// The `kind/slug` an entry names: itself, or a bare slug that only one case has.
    fn resolve(&self, name: &str) -> Option<String> {
        let name = name.trim().trim_matches('/');
        if self.ids.contains(name) {
            return Some(name.to_string());
        }
        match self.by_slug.get(name).map(Vec::as_slice) {
            Some([only]) => Some(only.clone()),
            _ => None,
        }
    }
}

/// Resolves `related` entries, reporting those that name no case.
fn check_related(
    reader: &mut FieldReader,
    names: &CaseNames,
    entries: &[Spanned<String>],
) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for entry in entries {
        match names.resolve(&entry.value) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => {
                let help = match did_you_mean(entry.value.trim(), names.ids.iter().map(String::as_str)) {
                    Some(s) => format!("是否要写“{s}”？"),
                    None => "related 写成 栏目/slug，如 scenarios/mou-dianqi-paichan；栏目是 scenarios、factories 或 zones".to_string(),
                };
                reader.error(
                    "unknown-related",
                    entry.pos,
                    entry.len,
                    format!("相关案例“{}”不存在", entry.value),
                    help,
                );
            }
        }
    }
    ids
}

/// Removes drafts and renumbers `related` so indexes stay valid; returns the drafts.
fn drop_drafts(cases: &mut Vec<Case>) -> Vec<Draft> {
    let mut new_index = Vec::with_capacity(cases.len());
    let mut next = 0;
    for case in cases.iter() {
        new_index.push((!case.draft).then(|| {
            next += 1;
            next - 1
        }));
    }
    let dropped = cases
        .iter()
        .filter(|c| c.draft)
        .map(|c| Draft {
            source: c.source.path.clone(),
            page: c.id(),
            folder: c
                .is_bundle()
                .then(|| format!("{}/", crate::base::paths::relative(Path::new(""), &c.dir))),
        })
        .collect();
    cases.retain(|c| !c.draft);
    for case in cases.iter_mut() {
        case.related = case.related.iter().filter_map(|&i| new_index[i]).collect();
    }
    dropped
}

fn validate_pages(
    pages: Vec<RawPage>,
    drafts: bool,
    left_out: &mut Vec<Draft>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Page> {
    let mut result = Vec::new();
    for raw in pages {
        let mut reader = FieldReader::new(&raw.file);
        if !is_valid_slug(&raw.slug) || RESERVED.contains(&raw.slug.as_str()) {
            reader.error(
                "invalid-slug",
                Pos::START,
                1,
                format!("页面 slug “{}”无效或与站点栏目重名", raw.slug),
                format!(
                    "文件名只能由小写字母、数字和连字符组成，且不能是 {}",
                    RESERVED.join("、")
                ),
            );
        }
        if raw.front.title.is_none() {
            reader.error(
                "missing-field",
                Pos::START,
                3,
                "页面缺少必填字段 `title`（标题）".to_string(),
                "在 front matter 中加上一行 `title: …`".to_string(),
            );
        }
        let ok = reader.diagnostics.is_empty();
        report_spaced_punctuation(&mut reader, &raw.file.text, raw.body_start);
        diagnostics.extend(reader.diagnostics);
        if let (true, Some(title)) = (ok, raw.front.title) {
            if raw.front.draft && !drafts {
                left_out.push(Draft {
                    source: raw.file.path,
                    page: raw.slug,
                    folder: None,
                });
                continue;
            }
            result.push(Page {
                slug: raw.slug,
                title: title.value,
                summary: raw.front.summary,
                menu: raw.front.menu,
                weight: raw.front.weight,
                source: raw.file,
                body_start: raw.body_start,
            });
        }
    }
    result.sort_by(|a, b| (a.weight, &a.slug).cmp(&(b.weight, &b.slug)));
    result
}

impl Site {
    /// The category (top-level industry) of a case.
    pub fn category(&self, case: &Case) -> Option<TermId> {
        case.industry.map(|i| self.taxonomies.industries.root_of(i))
    }

    /// Whether a case appears in listings, term pages and counts: revoked cases keep
    /// their page but are left out unless `list_revoked` is set.
    pub fn is_listed(&self, case: &Case) -> bool {
        self.config.list_revoked || case.lifecycle.state != TitleState::Revoked
    }

    /// The listed cases that `keep` accepts, in listing order: newest year first, then
    /// title, then kind and slug, so the order never depends on file-system order.
    pub fn listing(&self, keep: impl Fn(&Case) -> bool) -> Vec<usize> {
        let mut listed: Vec<usize> = (0..self.cases.len())
            .filter(|&i| self.is_listed(&self.cases[i]) && keep(&self.cases[i]))
            .collect();
        listed.sort_by(|&a, &b| self.listing_order(a, b));
        listed
    }

    /// Whether `site.cases[a]` comes before `site.cases[b]` in listings.
    fn listing_order(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (x, y) = (&self.cases[a], &self.cases[b]);
        (y.year, &x.title, x.kind, &x.slug).cmp(&(x.year, &y.title, y.kind, &y.slug))
    }

    /// The terms a case carries in one vocabulary, with every term above them, sorted.
    pub fn carried(&self, case: &Case, kind: Kind) -> Vec<TermId> {
        let mut terms: Vec<TermId> = case
            .terms(kind)
            .into_iter()
            .flat_map(|id| self.taxonomies.get(kind).ancestors(id))
            .collect();
        terms.sort_unstable();
        terms.dedup();
        terms
    }

    /// Cross references of the listed cases, computed once for every page to read.
    pub fn index(&self) -> Index {
        let mut index = Index::default();
        for i in self.listing(|_| true) {
            index.each_list(self, &self.cases[i], |list| list.push(i));
        }
        index
    }

    /// Takes case `i`, as it is now, out of the lists of `index`: before it is edited
    /// or removed.
    pub fn unindex(&self, index: &mut Index, i: usize) {
        if self.is_listed(&self.cases[i]) {
            index.each_list(self, &self.cases[i], |list| list.retain(|&j| j != i));
            index.drop_empty_lists();
        }
    }

    /// Puts case `i` into the lists of `index` where the listing order puts it: after it
    /// was edited or added. Every change taken out by [`Site::unindex`] and put back so
    /// gives what [`Site::index`] would.
    pub fn reindex(&self, index: &mut Index, i: usize) {
        if self.is_listed(&self.cases[i]) {
            index.each_list(self, &self.cases[i], |list| {
                let at = list.partition_point(|&j| self.listing_order(j, i).is_lt());
                list.insert(at, i);
            });
        }
    }
}

/// The listed cases: all of them, of each kind and year, carrying each term (or one of
/// its sub-terms), sharing a unit, or sharing a sub-industry and region; every list in
/// listing order.
#[derive(Debug, Default, PartialEq)]
pub struct Index {
    listed: Vec<usize>,
    kinds: HashMap<CaseKind, Vec<usize>>,
    years: HashMap<i32, Vec<usize>>,
    terms: HashMap<(Kind, TermId), Vec<usize>>,
    units: HashMap<String, Vec<usize>>,
    fields: HashMap<(TermId, TermId), Vec<usize>>,
}

impl Index {
    /// Numbers the cases from `i` on again, after a case was inserted at `i`
    /// (`inserted`) or removed from there (and first taken out by [`Site::unindex`]).
    pub fn renumber(&mut self, i: usize, inserted: bool) {
        let renumber = |list: &mut Vec<usize>| {
            for j in list.iter_mut().filter(|j| **j >= i) {
                *j = if inserted { *j + 1 } else { *j - 1 };
            }
        };
        renumber(&mut self.listed);
        self.kinds.values_mut().for_each(renumber);
        self.years.values_mut().for_each(renumber);
        self.terms.values_mut().for_each(renumber);
        self.units.values_mut().for_each(renumber);
        self.fields.values_mut().for_each(renumber);
    }

    fn drop_empty_lists(&mut self) {
        self.kinds.retain(|_, list| !list.is_empty());
        self.years.retain(|_, list| !list.is_empty());
        self.terms.retain(|_, list| !list.is_empty());
        self.units.retain(|_, list| !list.is_empty());
        self.fields.retain(|_, list| !list.is_empty());
    }

    /// Calls `each` with every list a case belongs in: one per term it carries (made
    /// when missing), its unit's, and its sub-industry and region's.
    fn each_list(&mut self, site: &Site, case: &Case, mut each: impl FnMut(&mut Vec<usize>)) {
        each(&mut self.listed);
        each(self.kinds.entry(case.kind).or_default());
        each(self.years.entry(case.year).or_default());
        for kind in Kind::ALL {
            for term in site.carried(case, kind) {
                each(self.terms.entry((kind, term)).or_default());
            }
        }
        each(self.units.entry(case.unit.clone()).or_default());
        if let Some(industry) = case.industry {
            each(self.fields.entry((industry, case.region)).or_default());
        }
    }

    /// The listed cases that share a case's unit, or its sub-industry and region: those
    /// whose related cases it can be among.
    pub fn neighbours(&self, case: &Case) -> impl Iterator<Item = usize> + '_ {
        let same_field = case
            .industry
            .and_then(|i| self.fields.get(&(i, case.region)));
        self.units
            .get(&case.unit)
            .into_iter()
            .chain(same_field)
            .flatten()
            .copied()
    }

    /// Every listed case.
    pub fn listed(&self) -> &[usize] {
        &self.listed
    }

    /// The listed cases of one kind.
    pub fn of_kind(&self, kind: CaseKind) -> &[usize] {
        self.kinds.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// The listed cases of one batch year.
    pub fn of_year(&self, year: i32) -> &[usize] {
        self.years.get(&year).map_or(&[], Vec::as_slice)
    }

    /// Each batch year with listed cases, and how many.
    pub fn year_counts(&self) -> impl Iterator<Item = (i32, usize)> + '_ {
        self.years.iter().map(|(&year, list)| (year, list.len()))
    }

    /// The listed cases carrying `term` or one of its sub-terms.
    pub fn with_term(&self, kind: Kind, term: TermId) -> &[usize] {
        self.terms.get(&(kind, term)).map_or(&[], Vec::as_slice)
    }

    /// Cases to read after `site.cases[index]`: its explicit `related` first, then listed
    /// cases of the same unit, then of the same sub-industry and region; at most `limit`.
    pub fn related(&self, site: &Site, index: usize, limit: usize) -> Vec<usize> {
        let case = &site.cases[index];
        let mut found: Vec<usize> = case.related.clone();
        let same_unit = self.units.get(&case.unit).into_iter().flatten();
        let same_field = case
            .industry
            .and_then(|i| self.fields.get(&(i, case.region)))
            .into_iter()
            .flatten();
        for &i in same_unit.chain(same_field) {
            if found.len() >= limit {
                break;
            }
            if i != index && !found.contains(&i) {
                found.push(i);
            }
        }
        found.truncate(limit);
        found
    }

    /// The factories and scenarios of a zone (`site.cases[zone]`), in listing order: in
    /// its cities when it lists any (or names a city), otherwise anywhere in its region.
    pub fn zone_members(&self, site: &Site, zone: usize) -> Vec<usize> {
        let zone = &site.cases[zone];
        let city_key = |c: &str| c.trim().trim_end_matches('市').to_string();
        let cities: Vec<String> = zone
            .cities
            .iter()
            .chain(&zone.city)
            .map(|c| city_key(c))
            .collect();
        let member = |c: &Case| {
            c.kind != CaseKind::Zone
                && c.region == zone.region
                && (cities.is_empty()
                    || c.city
                        .as_deref()
                        .is_some_and(|city| cities.contains(&city_key(city))))
        };
        // The region's list holds its sub-regions' cases too: `member` keeps its own.
        self.with_term(Kind::Region, zone.region)
            .iter()
            .copied()
            .filter(|&i| member(&site.cases[i]))
            .collect()
    }
}

/// `today` as a date, for lifecycle states: `SOURCE_DATE_EPOCH` when set (reproducible
/// builds), otherwise the system clock.
pub fn today() -> NaiveDate {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|t| t.date_naive())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn validity_runs_from_approval_or_latest_passing_review() {
        let config = Config::default();
        let today = date("2026-11-29");
        let l = derive_lifecycle(
            CaseKind::Factory,
            Status::Demonstration,
            Some(date("2023-01-18")),
            2022,
            &[],
            &config,
            today,
        );
        assert_eq!(l.valid_until, Some(date("2026-01-18")));
        assert_eq!(l.state, TitleState::Expired);

        let passed = Review {
            date: date("2025-12-20"),
            passed: true,
            note: None,
        };
        let l = derive_lifecycle(
            CaseKind::Factory,
            Status::Reviewed,
            Some(date("2023-01-18")),
            2022,
            &[passed],
            &config,
            today,
        );
        assert_eq!(l.valid_until, Some(date("2028-12-20")));
        assert_eq!(l.state, TitleState::Current);

        let failed = Review {
            date: date("2025-12-20"),
            passed: false,
            note: None,
        };
        let l = derive_lifecycle(
            CaseKind::Zone,
            Status::Demonstration,
            Some(date("2023-01-18")),
            2022,
            &[failed],
            &config,
            today,
        );
        assert_eq!(l.state, TitleState::Revoked);

        let l = derive_lifecycle(
            CaseKind::Factory,
            Status::Candidate,
            Some(date("2024-02-29")),
            2024,
            &[],
            &config,
            today,
        );
        assert_eq!(l.build_end, Some(date("2026-02-28")));
        assert_eq!(l.state, TitleState::Expired);
    }
}
