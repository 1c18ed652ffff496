//! `site.yaml`: the site's settings, with defaults, validated like content.

use crate::base::diagnostics::Diagnostic;
use crate::base::source::{FieldReader, FieldSpec, Node, Pos, SourceFile, Spanned, YamlDoc};

pub const FILE_NAME: &str = "site.yaml";

/// The settings of one site.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Where the site is published, e.g. `https://example.org/cases/` or `/`.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    /// 发布单位, shown in the footer.
    pub publisher: Option<String>,
    pub lifecycle: Lifecycle,
    /// Length in characters of summaries derived from a case body.
    pub summary_length: usize,
    /// Cards per page in listings.
    pub page_size: usize,
    /// Whether revoked cases appear in listings, term pages and counts.
    pub list_revoked: bool,
    /// Text of the footer (site title and publisher when absent).
    pub footer: Option<String>,
    /// The header's navigation; `None` links the three collections and menu pages.
    pub nav: Option<Vec<NavLink>>,
    /// Keep raw HTML in case bodies as written (scripts included) instead of sanitising it.
    pub unsafe_html: bool,
    /// Largest content file read, in bytes; a larger one is an error, not a hang.
    pub max_file_size: u64,
    /// Take each case's first-published and last-updated dates from git history.
    pub git_info: bool,
    /// The printed case collections (优秀案例集) to build.
    pub compendia: Vec<CompendiumSpec>,
    /// Font files or folders for the compendium PDFs, relative to the site root; looked in
    /// after the site's `fonts/` folder and before the system's fonts.
    pub fonts: Vec<Spanned<String>>,
    /// Build the search index and the case library `/cases/` (`--no-search` turns it off).
    pub search: bool,
    /// File types a bundle's folder publishes as downloads beside the images, by
    /// lowercase extension (`pdf`, `docx`, …); see `assets`.
    pub attachments: Vec<String>,
    /// `anli import`: list headings of the site's own, each with the field it fills
    /// (one of [`IMPORT_FIELDS`]).
    pub import_columns: Vec<(String, String)>,
    /// How photos beside cases and pages are resized for the web and for print.
    pub images: ImageSettings,
}

/// `images` in `site.yaml`: the processing of JPEG, PNG and WebP photos (see
/// `outputs::images`). Its `Debug` text is part of the cache key.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSettings {
    /// Process photos at all; `false` publishes them as they are (metadata included).
    pub process: bool,
    /// The widths in pixels made for the web (none wider than the photo).
    pub widths: Vec<u32>,
    /// WebP and JPEG quality, 1–100.
    pub quality: u8,
    /// Make WebP versions beside the JPEG (or PNG) fallback (`format: webp`); `format:
    /// jpeg` makes the fallback only, for sites that must serve old browsers one file.
    pub webp: bool,
    /// The print version's resolution across the compendium's text column.
    pub print_dpi: u32,
    /// Photos with more pixels are refused: a decompression bomb stops here.
    pub max_pixels: u64,
}

impl Default for ImageSettings {
    fn default() -> ImageSettings {
        ImageSettings {
            process: true,
            widths: vec![480, 960, 1600],
            quality: 80,
            webp: true,
            print_dpi: 300,
            max_pixels: 100_000_000,
        }
    }
}

/// One entry of the header navigation.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NavLink {
    pub title: String,
    /// A root-relative path (`/regions/`) or a full URL.
    pub url: String,
}

/// The programme's durations, in whole years.
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle {
    /// 建设期 of a 揭榜 factory.
    pub build_period_years: u32,
    /// 有效期 of a factory's or zone's title.
    pub validity_years: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            title: "智能制造案例库".to_string(),
            description: String::new(),
            base_url: "/".to_string(),
            language: "zh-CN".to_string(),
            theme: "default".to_string(),
            publisher: None,
            lifecycle: Lifecycle {
                build_period_years: 2,
                validity_years: 3,
            },
            summary_length: 120,
            page_size: 24,
            list_revoked: false,
            footer: None,
            nav: None,
            unsafe_html: false,
            max_file_size: 2 * 1024 * 1024,
            git_info: false,
            compendia: Vec::new(),
            fonts: Vec::new(),
            search: true,
            attachments: crate::input::assets::DEFAULT_ATTACHMENTS
                .iter()
                .map(|t| t.to_string())
                .collect(),
            import_columns: Vec::new(),
            images: ImageSettings::default(),
        }
    }
}

const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "title",
        label: "站点标题",
    },
    FieldSpec {
        key: "description",
        label: "站点简介",
    },
    FieldSpec {
        key: "base_url",
        label: "发布地址",
    },
    FieldSpec {
        key: "language",
        label: "语言",
    },
    FieldSpec {
        key: "theme",
        label: "主题",
    },
    FieldSpec {
        key: "publisher",
        label: "发布单位",
    },
    FieldSpec {
        key: "lifecycle",
        label: "生命周期",
    },
    FieldSpec {
        key: "import",
        label: "名单导入",
    },
    FieldSpec {
        key: "summary_length",
        label: "摘要字数",
    },
    FieldSpec {
        key: "page_size",
        label: "每页案例数",
    },
    FieldSpec {
        key: "list_revoked",
        label: "列表中显示已撤销案例",
    },
    FieldSpec {
        key: "footer",
        label: "页脚文字",
    },
    FieldSpec {
        key: "nav",
        label: "导航",
    },
    FieldSpec {
        key: "unsafe_html",
        label: "保留原始 HTML",
    },
    FieldSpec {
        key: "max_file_size",
        label: "单个文件大小上限（字节）",
    },
    FieldSpec {
        key: "git_info",
        label: "从 git 历史取发布和更新日期",
    },
    FieldSpec {
        key: "compendia",
        label: "案例集",
    },
    FieldSpec {
        key: "fonts",
        label: "案例集字体",
    },
    FieldSpec {
        key: "search",
        label: "站内搜索和案例库",
    },
    FieldSpec {
        key: "attachments",
        label: "案例文件夹中可发布的附件类型",
    },
    FieldSpec {
        key: "images",
        label: "照片的缩放和压缩",
    },
];

const IMAGE_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "process",
        label: "是否处理照片",
    },
    FieldSpec {
        key: "widths",
        label: "网页版宽度（像素）",
    },
    FieldSpec {
        key: "quality",
        label: "压缩质量",
    },
    FieldSpec {
        key: "format",
        label: "网页版格式",
    },
    FieldSpec {
        key: "print_dpi",
        label: "印刷版分辨率",
    },
    FieldSpec {
        key: "max_pixels",
        label: "像素上限",
    },
];

const LIFECYCLE_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "build_period_years",
        label: "建设期（年）",
    },
    FieldSpec {
        key: "validity_years",
        label: "有效期（年）",
    },
];

impl Config {
    /// The path part of `base_url` without its trailing slash: `""` at a domain's root,
    /// `/cases` under a sub-path. Every internal link starts with it.
    pub fn base_path(&self) -> String {
        let url = self.base_url.trim();
        let path = match url.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
            None => url,
        };
        path.trim_end_matches('/').to_string()
    }

    /// Parses `site.yaml`. Problems are returned as diagnostics; the config keeps defaults
    /// for whatever could not be read.
    pub fn parse(file: &SourceFile) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        let doc = match YamlDoc::parse(file, &file.text, 1) {
            Ok(doc) => doc,
            Err(d) => return (config, vec![d]),
        };
        let mut reader = FieldReader::new(file);
        let root = doc.root();
        if !root.value.is_null() && !root.is_mapping() {
            reader.error(
                "wrong-type",
                root.pos(),
                root.span_len(),
                "site.yaml 应为“字段: 值”的映射".to_string(),
                "参照 README 中的 site.yaml 示例书写".to_string(),
            );
            return (config, reader.diagnostics);
        }
        reader.reject_unknown_keys(root, FIELDS, "site.yaml ");
        let text = "文本";
        if let Some(v) = reader.get::<String>(root, "title", text) {
            config.title = v.value;
        }
        if let Some(v) = reader.get::<String>(root, "description", text) {
            config.description = v.value;
        }
        if let Some(v) = reader.get::<String>(
            root,
            "base_url",
            "网址或路径，如 https://example.org/cases/ 或 /",
        ) {
            config.set_base_url(v.value, v.pos, &mut reader);
        }
        if let Some(v) = reader.get::<String>(root, "language", text) {
            config.language = v.value;
        }
        if let Some(v) = reader.get::<String>(root, "theme", "主题名，如 default") {
            if crate::input::content::is_valid_slug(&v.value) {
                config.theme = v.value;
            } else {
                reader.error(
                    "invalid-theme",
                    v.pos,
                    v.len,
                    format!("主题名“{}”无效", v.value),
                    "主题名只能由小写字母、数字和连字符组成，对应 themes/<主题名>/ 文件夹"
                        .to_string(),
                );
            }
        }
        config.publisher = reader
            .get::<String>(root, "publisher", text)
            .map(|v| v.value);
        if let Some(v) = reader.get_in::<usize>(
            root,
            "summary_length",
            10..=1000,
            "介于 10 到 1000 之间的整数，如 120",
        ) {
            config.summary_length = v.value;
        }
        if let Some(v) = reader.get_in::<usize>(
            root,
            "page_size",
            1..=1000,
            "介于 1 到 1000 之间的整数，如 24",
        ) {
            config.page_size = v.value;
        }
        if let Some(v) = reader.get::<bool>(root, "list_revoked", "布尔值 true 或 false") {
            config.list_revoked = v.value;
        }
        config.footer = reader.get::<String>(root, "footer", text).map(|v| v.value);
        if let Some(v) = reader.get::<bool>(root, "unsafe_html", "布尔值 true 或 false") {
            config.unsafe_html = v.value;
        }
        if let Some(v) = reader.get::<bool>(root, "git_info", "布尔值 true 或 false") {
            config.git_info = v.value;
        }
        if let Some(v) = reader.get::<bool>(root, "search", "布尔值 true 或 false") {
            config.search = v.value;
        }
        if let Some(v) = reader.get_in::<u64>(
            root,
            "max_file_size",
            1024..=64 * 1024 * 1024,
            "介于 1024 到 67108864 之间的字节数，如 2097152",
        ) {
            config.max_file_size = v.value;
        }
        if let Some(nav) =
            reader.get::<Vec<NavLink>>(root, "nav", "导航列表，如 [{title: 关于, url: /about/}]")
        {
            match nav.value.iter().find(|link| !is_site_url(&link.url)) {
                Some(bad) => reader.error(
                    "invalid-nav",
                    nav.pos,
                    nav.len,
                    format!("导航链接“{}”的网址“{}”无效", bad.title, bad.url),
                    "导航网址写成以 / 开头的站内路径（如 /regions/）或 http(s):// 开头的完整网址"
                        .to_string(),
                ),
                None => config.nav = Some(nav.value),
            }
        }
        config.fonts = reader.list::<String>(
            root,
            "fonts",
            "字体文件或文件夹的路径列表，如 [fonts/extra/]",
        );
        if root.get("attachments").is_some() {
            config.attachments = parse_attachments(&mut reader, root);
        }
        config.compendia = parse_compendia(&mut reader, root);
        let lifecycle_shape = "{build_period_years: 2, validity_years: 3}";
        if let Some(lifecycle) = reader.mapping(root, "lifecycle", lifecycle_shape) {
            config.lifecycle = parse_lifecycle(&mut reader, lifecycle, config.lifecycle);
        }
        if let Some(import) = reader.mapping(root, "import", "{columns: {表头: 字段}}") {
            config.import_columns = parse_import(&mut reader, import);
        }
        let images_shape = "{widths: [480, 960, 1600], quality: 80, print_dpi: 300}";
        if let Some(images) = reader.mapping(root, "images", images_shape) {
            config.images = parse_images(&mut reader, images);
        }
        (config, reader.diagnostics)
    }

    /// Sets `base_url` from site.yaml or the command line, rejecting values that are
    /// neither an absolute URL nor an absolute path.
    fn set_base_url(&mut self, url: String, pos: Pos, reader: &mut FieldReader) {
        if is_base_url(&url) {
            self.base_url = url;
        } else {
            reader.error(
                "invalid-base-url",
                pos,
                url.chars().count(),
                format!("base_url “{url}”无效"),
                "写成 https://example.org/cases/ 或 /cases/：不能以 // 开头，不能含空格、引号、尖括号、? 或 #".to_string(),
            );
        }
    }

    /// The URL of a site path (`factories/x/`): absolute when `base_url` is a full URL.
    pub fn absolute_url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.base_url.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }

    /// Applies `--base-url` from the command line.
    pub fn override_base_url(&mut self, url: &str) -> Result<(), String> {
        if is_base_url(url) {
            self.base_url = url.to_string();
            Ok(())
        } else {
            Err(format!(
                "--base-url “{url}”应为完整网址（https://…）或以 / 开头的路径"
            ))
        }
    }
}

/// An absolute URL or an absolute path.
fn is_base_url(url: &str) -> bool {
    is_site_url(url) && !url.contains(['?', '#'])
}

/// A root-relative path (`/about/`, not `//host/`) or an http(s) URL, with nothing in it
/// that could break out of an attribute or a script.
pub fn is_site_url(url: &str) -> bool {
    let rooted = url.starts_with('/') && !url.starts_with("//");
    let web = url.starts_with("http://") || url.starts_with("https://");
    (rooted || web)
        && !url.contains(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
        })
}

/// The fields a list column can fill in `anli import`, with what each means.
pub const IMPORT_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "seq",
        label: "序号",
    },
    FieldSpec {
        key: "recommender",
        label: "推荐单位或地区",
    },
    FieldSpec {
        key: "region",
        label: "地区（同 recommender）",
    },
    FieldSpec {
        key: "city",
        label: "城市",
    },
    FieldSpec {
        key: "unit",
        label: "单位名称",
    },
    FieldSpec {
        key: "title",
        label: "标题（场景、工厂或先行区名称）",
    },
    FieldSpec {
        key: "scenario",
        label: "典型场景",
    },
    FieldSpec {
        key: "industry",
        label: "行业",
    },
    FieldSpec {
        key: "task",
        label: "揭榜任务",
    },
    FieldSpec {
        key: "level",
        label: "级别",
    },
    FieldSpec {
        key: "ignore",
        label: "不导入的列",
    },
];

/// `import: {columns: {表头: 字段}}`: headings of the site's own lists.
fn parse_import(reader: &mut FieldReader, node: Node) -> Vec<(String, String)> {
    let fields = [FieldSpec {
        key: "columns",
        label: "列名对应",
    }];
    reader.reject_unknown_keys(node, &fields, "import 中");
    let Some(columns) = reader.mapping(node, "columns", "{表头: 字段}，如 {单位全称: unit}")
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (heading, _) in columns.keys() {
        let expected = "字段名，如 unit";
        let Some(field) = reader.get::<String>(columns, &heading, expected) else {
            continue;
        };
        if IMPORT_FIELDS.iter().any(|f| f.key == field.value) {
            found.push((heading, field.value));
        } else {
            let known: Vec<String> = IMPORT_FIELDS
                .iter()
                .map(|f| format!("{}（{}）", f.key, f.label))
                .collect();
            reader.error(
                "unknown-import-field",
                field.pos,
                field.len,
                format!("列“{heading}”对应的字段“{}”不存在", field.value),
                format!("可用的字段有：{}", known.join("、")),
            );
        }
    }
    found
}

fn parse_images(reader: &mut FieldReader, node: Node) -> ImageSettings {
    reader.reject_unknown_keys(node, IMAGE_FIELDS, "images 中");
    let mut images = ImageSettings::default();
    if let Some(v) = reader.get::<bool>(node, "process", "布尔值 true 或 false") {
        images.process = v.value;
    }
    let widths = reader.list::<u32>(node, "widths", "像素宽度列表，如 [480, 960, 1600]");
    let (fit, unfit): (Vec<_>, Vec<_>) = widths
        .into_iter()
        .partition(|w| (16..=8192).contains(&w.value));
    for w in unfit {
        reader.error(
            "out-of-range",
            w.pos,
            w.len,
            format!("`widths` 中的 {} 超出范围（16–8192）", w.value),
            "宽度写成 16 到 8192 之间的像素数，如 [480, 960, 1600]".to_string(),
        );
    }
    if !fit.is_empty() {
        images.widths = fit.into_iter().map(|w| w.value).collect();
        images.widths.sort_unstable();
        images.widths.dedup();
    }
    if let Some(v) = reader.get_in::<u8>(node, "quality", 1..=100, "1 到 100 之间的整数，如 80")
    {
        images.quality = v.value;
    }
    if let Some(v) = reader.get::<String>(node, "format", "webp 或 jpeg") {
        match v.value.as_str() {
            "webp" => images.webp = true,
            "jpeg" => images.webp = false,
            other => reader.error(
                "wrong-type",
                v.pos,
                v.len,
                format!("`format` 不能是“{other}”"),
                "写 webp（WebP，另有 JPEG 供旧浏览器）或 jpeg（只做 JPEG，PNG 图仍为 PNG）"
                    .to_string(),
            ),
        }
    }
    let dpi = "72 到 1200 之间的整数，如 300";
    if let Some(v) = reader.get_in::<u32>(node, "print_dpi", 72..=1200, dpi) {
        images.print_dpi = v.value;
    }
    let pixels = "100 万到 10 亿之间的像素数，如 100000000";
    if let Some(v) = reader.get_in::<u64>(node, "max_pixels", 1_000_000..=1_000_000_000, pixels) {
        images.max_pixels = v.value;
    }
    images
}

fn parse_lifecycle(reader: &mut FieldReader, node: Node, mut lifecycle: Lifecycle) -> Lifecycle {
    reader.reject_unknown_keys(node, LIFECYCLE_FIELDS, "lifecycle 中");
    let years = "介于 1 到 50 之间的整数年数，如 3";
    if let Some(v) = reader.get_in::<u32>(node, "build_period_years", 1..=50, years) {
        lifecycle.build_period_years = v.value;
    }
    if let Some(v) = reader.get_in::<u32>(node, "validity_years", 1..=50, years) {
        lifecycle.validity_years = v.value;
    }
    lifecycle
}

/// One compendium (案例集) as `site.yaml` describes it. Its selector values are names
/// from the vocabularies, resolved (and reported when unknown) by the compendium stage.
#[derive(Debug, Clone)]
pub struct CompendiumSpec {
    pub slug: String,
    /// The position of its `slug` value, for problems with the compendium as a whole.
    pub pos: Pos,
    pub title: String,
    pub subtitle: Option<String>,
    /// Every selector must hold; within one, any of its values.
    pub select: Vec<Selector>,
    pub group_by: GroupBy,
    pub order: Order,
    /// A page under `content/`, e.g. `pages/preface-2022.md`.
    pub preface: Option<Spanned<String>>,
    pub cover: Cover,
    /// Printed on both sides: chapters start on a right-hand page.
    pub duplex: bool,
    /// A chapter gets an opener page when it has at least this many cases; a smaller one
    /// starts with its title above its first case.
    pub opener_min_cases: usize,
    /// Each case carries a QR code of its web address (which needs an absolute
    /// `base_url`): the value as written, for a warning at it.
    pub qr_codes: Option<Spanned<bool>>,
}

/// Cases a chapter needs for an opener page of its own, unless `site.yaml` says.
pub const OPENER_MIN_CASES: usize = 3;

/// One key of a compendium's `select`, with its values as written.
#[derive(Debug, Clone)]
pub struct Selector {
    pub key: SelectKey,
    pub values: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectKey {
    Kind,
    Category,
    Industry,
    Region,
    Scenario,
    ScenarioGroup,
    Technology,
    Level,
    Year,
    Status,
}

const SELECT_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "kind",
        label: "案例类别",
    },
    FieldSpec {
        key: "category",
        label: "行业大类",
    },
    FieldSpec {
        key: "industry",
        label: "行业",
    },
    FieldSpec {
        key: "region",
        label: "地区",
    },
    FieldSpec {
        key: "scenario",
        label: "典型场景",
    },
    FieldSpec {
        key: "scenario_group",
        label: "场景环节",
    },
    FieldSpec {
        key: "technology",
        label: "技术",
    },
    FieldSpec {
        key: "level",
        label: "级别",
    },
    FieldSpec {
        key: "year",
        label: "年度",
    },
    FieldSpec {
        key: "status",
        label: "状态",
    },
];

const SELECT_KEYS: [SelectKey; 10] = [
    SelectKey::Kind,
    SelectKey::Category,
    SelectKey::Industry,
    SelectKey::Region,
    SelectKey::Scenario,
    SelectKey::ScenarioGroup,
    SelectKey::Technology,
    SelectKey::Level,
    SelectKey::Year,
    SelectKey::Status,
];

/// What a compendium's chapters are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Kind,
    Category,
    Industry,
    Region,
    Year,
    ScenarioGroup,
    Level,
}

/// The order of the cases within a chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Region,
    Industry,
    Year,
    Title,
}

const GROUP_BY: &[(&str, GroupBy)] = &[
    ("kind", GroupBy::Kind),
    ("category", GroupBy::Category),
    ("industry", GroupBy::Industry),
    ("region", GroupBy::Region),
    ("year", GroupBy::Year),
    ("scenario-group", GroupBy::ScenarioGroup),
    ("level", GroupBy::Level),
];

const ORDERS: &[(&str, Order)] = &[
    ("region", Order::Region),
    ("industry", Order::Industry),
    ("year", Order::Year),
    ("title", Order::Title),
];

/// The cover page's lines beyond the title.
#[derive(Debug, Clone, Default)]
pub struct Cover {
    /// 编印单位.
    pub organiser: Option<String>,
    /// The date line, e.g. `2023年3月`.
    pub date: Option<String>,
    /// An image under `content/`.
    pub image: Option<Spanned<String>>,
}

const COMPENDIUM_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "slug",
        label: "网址名",
    },
    FieldSpec {
        key: "title",
        label: "标题",
    },
    FieldSpec {
        key: "subtitle",
        label: "副标题",
    },
    FieldSpec {
        key: "select",
        label: "选择条件",
    },
    FieldSpec {
        key: "group_by",
        label: "分章方式",
    },
    FieldSpec {
        key: "order",
        label: "章内排序",
    },
    FieldSpec {
        key: "preface",
        label: "前言",
    },
    FieldSpec {
        key: "cover",
        label: "封面",
    },
    FieldSpec {
        key: "duplex",
        label: "双面印刷",
    },
    FieldSpec {
        key: "opener_min_cases",
        label: "章扉页的最少案例数",
    },
    FieldSpec {
        key: "qr_codes",
        label: "案例网址二维码",
    },
];

const COVER_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "organiser",
        label: "编印单位",
    },
    FieldSpec {
        key: "date",
        label: "日期",
    },
    FieldSpec {
        key: "image",
        label: "封面图片",
    },
];

const COMPENDIUM_SHAPE: &str =
    "{slug: 2022-all, title: 2022年度智能制造优秀案例集, select: {year: 2022}}";

/// `attachments`: extensions, lowercase, without the dot; a type a browser or server
/// would run is refused, whatever the site says.
fn parse_attachments(reader: &mut FieldReader, root: Node) -> Vec<String> {
    let mut types = Vec::new();
    for item in reader.list::<String>(root, "attachments", "扩展名列表，如 [pdf, docx, xlsx]")
    {
        let ext = item.value.trim().trim_start_matches('.').to_lowercase();
        if crate::input::assets::NEVER.contains(&ext.as_str())
            || ext.is_empty()
            || ext.contains('/')
        {
            reader.error(
                "unsafe-attachment",
                item.pos,
                item.len,
                format!(
                    "“{}”类型的文件不能作为附件发布：浏览器或服务器会把它当作网页或程序运行",
                    item.value
                ),
                "附件只用于文档和数据（pdf、docx、xlsx、pptx、csv 等）；网页内容写进案例正文"
                    .to_string(),
            );
        } else {
            types.push(ext);
        }
    }
    types
}

fn parse_compendia(reader: &mut FieldReader, root: Node) -> Vec<CompendiumSpec> {
    let mut specs: Vec<CompendiumSpec> = Vec::new();
    for node in reader.records(root, "compendia", COMPENDIUM_SHAPE) {
        let Some(spec) = parse_compendium(reader, node) else {
            continue;
        };
        if specs.iter().any(|s| s.slug == spec.slug) {
            reader.error(
                "duplicate-compendium",
                spec.pos,
                spec.slug.chars().count(),
                format!("案例集网址名“{}”重复", spec.slug),
                "每个案例集的 slug 必须不同：它决定 /compendium/<slug>.pdf 的文件名".to_string(),
            );
            continue;
        }
        specs.push(spec);
    }
    specs
}

fn parse_compendium(reader: &mut FieldReader, node: Node) -> Option<CompendiumSpec> {
    reader.reject_unknown_keys(node, COMPENDIUM_FIELDS, "案例集中");
    let text = "文本";
    let slug = reader.get::<String>(node, "slug", "网址名，如 2022-all");
    let title = reader.get::<String>(node, "title", text);
    let (Some(slug), Some(title)) = (slug, title) else {
        let missing = if node.get("slug").is_none() {
            "slug"
        } else {
            "title"
        };
        reader.error(
            "missing-field",
            node.pos(),
            1,
            format!("案例集缺少必填字段 `{missing}`"),
            format!("每个案例集都要写 slug 和 title，如 {COMPENDIUM_SHAPE}"),
        );
        return None;
    };
    if !crate::input::content::is_valid_slug(&slug.value) {
        reader.error(
            "invalid-slug",
            slug.pos,
            slug.len,
            format!("案例集网址名“{}”无效", slug.value),
            "只能由小写字母、数字和连字符组成，如 2022-all、equipment-jiangsu".to_string(),
        );
        return None;
    }
    let mut cover = Cover::default();
    if let Some(c) = reader.mapping(node, "cover", "{organiser: 编印单位, date: 2023年3月}") {
        reader.reject_unknown_keys(c, COVER_FIELDS, "cover 中");
        cover.organiser = reader.get::<String>(c, "organiser", text).map(|v| v.value);
        cover.date = reader.get::<String>(c, "date", text).map(|v| v.value);
        cover.image = reader.get::<String>(c, "image", "content/ 下的图片路径");
    }
    Some(CompendiumSpec {
        pos: slug.pos,
        slug: slug.value,
        title: title.value,
        subtitle: reader
            .get::<String>(node, "subtitle", text)
            .map(|v| v.value),
        select: parse_select(reader, node),
        group_by: choose(reader, node, "group_by", GROUP_BY).unwrap_or(GroupBy::Kind),
        order: choose(reader, node, "order", ORDERS).unwrap_or(Order::Region),
        preface: reader.get::<String>(
            node,
            "preface",
            "content/ 下的页面路径，如 pages/preface-2022.md",
        ),
        cover,
        duplex: reader
            .get::<bool>(node, "duplex", "true 或 false")
            .is_some_and(|v| v.value),
        opener_min_cases: reader
            .get_in::<usize>(
                node,
                "opener_min_cases",
                1..=1000,
                "1 到 1000 之间的整数，如 3",
            )
            .map_or(OPENER_MIN_CASES, |v| v.value),
        qr_codes: reader.get::<bool>(node, "qr_codes", "true 或 false"),
    })
}

fn parse_select(reader: &mut FieldReader, node: Node) -> Vec<Selector> {
    let Some(select) = reader.mapping(node, "select", "{year: 2022, category: 装备制造}")
    else {
        return Vec::new();
    };
    reader.reject_unknown_keys(select, SELECT_FIELDS, "select 中");
    SELECT_FIELDS
        .iter()
        .zip(SELECT_KEYS)
        .filter_map(|(field, key)| {
            let (_, value) = select.get(field.key)?;
            let values = value
                .items()
                .into_iter()
                .filter_map(|item| scalar(reader, item, field.key))
                .collect();
            Some(Selector { key, values })
        })
        .collect()
}

/// A scalar value's text (`2022` or `江苏省`); a list or mapping is reported.
fn scalar(reader: &mut FieldReader, node: Node, key: &str) -> Option<Spanned<String>> {
    let text = match node.value {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        _ => {
            reader.error(
                "wrong-type",
                node.pos(),
                node.span_len(),
                format!(
                    "`{key}` 的值类型不对：应为名称或名称列表，实际是{}",
                    node.describe()
                ),
                format!("写成 `{key}: 名称` 或 `{key}: [名称1, 名称2]`"),
            );
            return None;
        }
    };
    Some(node.spanned(text))
}

/// The option named under `key`, one of `options`; an unknown name is reported.
fn choose<T: Copy>(
    reader: &mut FieldReader,
    node: Node,
    key: &str,
    options: &[(&str, T)],
) -> Option<T> {
    let value = reader.get::<String>(node, key, "文本")?;
    if let Some((_, found)) = options.iter().find(|(name, _)| *name == value.value) {
        return Some(*found);
    }
    let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
    let help = match crate::base::diagnostics::did_you_mean(&value.value, names.iter().copied()) {
        Some(name) => format!("是否要写 `{name}`？可选：{}", names.join("、")),
        None => format!("可选：{}", names.join("、")),
    };
    reader.error(
        "unknown-option",
        value.pos,
        value.len,
        format!("`{key}` 的值“{}”无效", value.value),
        help,
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_from_url_or_path() {
        let mut c = Config::default();
        assert_eq!(c.base_path(), "");
        c.base_url = "https://example.org/cases/".into();
        assert_eq!(c.base_path(), "/cases");
        c.base_url = "https://example.org".into();
        assert_eq!(c.base_path(), "");
        c.base_url = "/a/b/".into();
        assert_eq!(c.base_path(), "/a/b");
        for bad in [
            "//evil.example/",
            "/a\"b/",
            "/x/<script>/",
            "javascript:alert(1)",
            "/a b/",
            "/a/?q",
            "cases/",
        ] {
            assert!(!is_base_url(bad), "{bad}");
        }
        assert!(
            is_site_url("/regions/")
                && is_site_url("https://example.org/a")
                && !is_site_url(" javascript:alert(1)")
        );
    }
}
