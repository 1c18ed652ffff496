//! `site.yaml`: the site's settings, with defaults, validated like content.

use crate::diagnostics::Diagnostic;
use crate::source::{FieldReader, FieldSpec, Node, Pos, SourceFile, YamlDoc};

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
    /// Build the search index and the case library `/cases/` (`--no-search` turns it off).
    pub search: bool,
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
            search: true,
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
        key: "search",
        label: "站内搜索和案例库",
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
            if crate::content::is_valid_slug(&v.value) {
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
        let lifecycle_shape = "{build_period_years: 2, validity_years: 3}";
        if let Some(lifecycle) = reader.mapping(root, "lifecycle", lifecycle_shape) {
            config.lifecycle = parse_lifecycle(&mut reader, lifecycle, config.lifecycle);
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
