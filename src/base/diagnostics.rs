//! Problems found in a site: collected by every stage, sorted, counted and printed in one
//! of three formats (human, json, github).

use std::fmt::Write as _;

use serde::Serialize;

use crate::base::source::{Pos, SourceFile, display_width};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem: where it is, what rule it breaks, and how to fix it.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    /// A stable kebab-case name of the rule, for filtering in CI.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// A spreadsheet column's letters (`C`), shown in place of the column number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_name: Option<String>,
    /// Width of the offending text in characters, for the caret line.
    #[serde(skip)]
    pub len: usize,
    /// The source line, for the excerpt under the message.
    #[serde(skip)]
    pub snippet: Option<String>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        file: &str,
        pos: Pos,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, file, pos, message.into())
    }

    pub fn warning(
        code: &'static str,
        file: &str,
        pos: Pos,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, file, pos, message.into())
    }

    pub fn new(
        severity: Severity,
        code: &'static str,
        file: &str,
        pos: Pos,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            severity,
            code,
            message,
            help: None,
            column_name: None,
            len: 1,
            snippet: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_len(mut self, len: usize) -> Diagnostic {
        self.len = len.max(1);
        self
    }

    /// Attaches the offending line of `file` for the human excerpt.
    pub fn snippet_from(mut self, file: &SourceFile) -> Diagnostic {
        self.snippet = file.line_text(self.line).map(str::to_string);
        self
    }

    /// What makes two reports of a problem the same one.
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}",
            self.file, self.line, self.column, self.code, self.message
        )
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Every problem found in one run.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

/// How `check` and `build` print diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    /// GitLab code quality report (a JSON array), shown on merge requests.
    Gitlab,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    pub fn errors(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.items.len() - self.errors()
    }

    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    /// The diagnostics in a stable order: by file, position, then rule.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
        });
        items
    }

    /// Renders every diagnostic in `format`; `color` adds ANSI colours to the human format.
    pub fn render(&self, format: Format, color: bool) -> String {
        let mut out = String::new();
        for d in self.sorted() {
            match format {
                Format::Human => render_human(&mut out, d, color),
                Format::Json => {
                    out.push_str(&serde_json::to_string(d).expect("a diagnostic serialises"));
                    out.push('\n');
                }
                Format::Github => render_github(&mut out, d),
                Format::Gitlab => {}
            }
        }
        if format == Format::Gitlab {
            out = render_gitlab(&self.sorted());
        }
        out
    }

    /// The closing line of a human report.
    pub fn summary(&self) -> String {
        match (self.errors(), self.warnings()) {
            (0, 0) => "没有发现问题".to_string(),
            (e, w) => format!("发现 {e} 个错误，{w} 个警告"),
        }
    }
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Characters of a snippet shown before and after the column on a long line.
const SNIPPET_BEFORE: usize = 60;
const SNIPPET_AFTER: usize = 60;

/// rustc's layout, in Chinese: the rule, the place, the line with a caret, the fix.
fn render_human(out: &mut String, d: &Diagnostic, color: bool) {
    let paint = |style: &str, text: &str| {
        if color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let (label, style) = match d.severity {
        Severity::Error => ("错误", RED),
        Severity::Warning => ("警告", YELLOW),
    };
    let gutter = " ".repeat(d.line.to_string().len());
    let bar = paint(BLUE, "|");
    let (message, file) = (printable(&d.message), printable(&d.file));
    let _ = writeln!(
        out,
        "{}{}",
        paint(style, &format!("{label}[{}]", d.code)),
        paint(BOLD, &format!("：{message}"))
    );
    let column = d
        .column_name
        .clone()
        .unwrap_or_else(|| d.column.to_string());
    let _ = writeln!(
        out,
        "{gutter}{} {}:{}:{column}",
        paint(BLUE, "-->"),
        file,
        d.line,
    );
    if let Some(line) = &d.snippet {
        // Columns count characters of the original line; tabs print as four spaces. A
        // long line shows only the part around the column.
        let expand = |text: String| printable(&text).replace('\t', "    ");
        let chars: Vec<char> = line.chars().collect();
        let column = d.column.saturating_sub(1).min(chars.len());
        let start = column.saturating_sub(SNIPPET_BEFORE);
        let end = chars
            .len()
            .min(column + d.len.clamp(1, SNIPPET_AFTER) + SNIPPET_AFTER);
        let cut = |from: usize, to: usize| expand(chars[from..to].iter().collect());
        let lead = if start > 0 { "…" } else { "" };
        let tail = if end < chars.len() { "…" } else { "" };
        let before = format!("{lead}{}", cut(start, column));
        let target = cut(column, end.min(column + d.len.min(SNIPPET_AFTER)));
        let line = format!("{lead}{}{tail}", cut(start, end));
        let carets = "^".repeat(display_width(&target).max(1));
        let _ = writeln!(out, "{gutter} {bar}");
        let _ = writeln!(out, "{} {bar} {line}", paint(BLUE, &d.line.to_string()));
        let _ = writeln!(
            out,
            "{gutter} {bar} {}{}",
            " ".repeat(display_width(&before)),
            paint(style, &carets)
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(
            out,
            "{gutter} {} {}",
            paint(BLUE, "="),
            paint(BOLD, &format!("帮助：{}", printable(help)))
        );
    }
    out.push('\n');
}

/// Text from content as a terminal or a CI log shows it: control characters (an escape
/// sequence can clear the screen and print a fake report) and bidirectional overrides
/// (which reorder what is shown) written out as `\u{1b}`; tabs stay.
pub fn printable(text: &str) -> String {
    let hidden = |c: char| matches!(c, '\n' | '\r') || crate::base::source::is_hidden_control(c);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// GitHub Actions workflow commands: one annotation per diagnostic.
fn render_github(out: &mut String, d: &Diagnostic) {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    // Line breaks are escaped by `github_data`; everything else is made printable.
    let lines = |text: &str| {
        text.split('\n')
            .map(printable)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut message = lines(&d.message);
    if let Some(help) = &d.help {
        message.push_str("\n帮助：");
        message.push_str(&lines(help));
    }
    let _ = writeln!(
        out,
        "::{kind} file={},line={},col={},title={}::{}",
        github_property(&printable(&d.file)),
        d.line,
        d.column,
        github_property(d.code),
        github_data(&message)
    );
}

/// GitLab's code quality format (Code Climate issues): one issue per diagnostic, with a
/// fingerprint stable across runs.
fn render_gitlab(diagnostics: &[&Diagnostic]) -> String {
    let issues: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let description = match &d.help {
                Some(help) => format!("{}（帮助：{help}）", d.message),
                None => d.message.clone(),
            };
            let fingerprint = format!("{}:{}:{}:{}", d.code, d.file, d.line, d.message);
            serde_json::json!({
                "description": description,
                "check_name": d.code,
                "fingerprint": format!("{:016x}", fnv1a(fingerprint.as_bytes())),
                "severity": if d.is_error() { "major" } else { "minor" },
                "location": {"path": d.file, "lines": {"begin": d.line}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).expect("issues serialise") + "\n"
}

/// A small stable hash (FNV-1a), so fingerprints do not change between runs or versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The candidate closest to `input` by edit distance (in characters), if it is close enough
/// to be a likely typo: `industy` → `industry`, `广冬省` → `广东省`.
pub fn did_you_mean<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let length = input.chars().count();
    let limit = match length {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    let input_lower = input.to_lowercase();
    // The edit distance is at least the difference in length: skip the comparison
    // (quadratic in the lengths) when that alone is too far, as for a pasted paragraph.
    candidates
        .into_iter()
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (strsim::levenshtein(&input_lower, &c.to_lowercase()), c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, c)| (*distance, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_wide_characters() {
        let file = SourceFile {
            path: "a.md".into(),
            text: "---\nregion: 广冬省\n---\n".into(),
        };
        let d = Diagnostic::error(
            "unknown-term",
            "a.md",
            Pos { line: 2, column: 9 },
            "未知地区",
        )
        .with_len(3)
        .snippet_from(&file);
        let mut out = String::new();
        render_human(&mut out, &d, false);
        assert!(
            out.contains("2 | region: 广冬省\n  |         ^^^^^^\n"),
            "{out}"
        );
    }

    #[test]
    fn control_and_direction_characters_from_content_are_shown_not_obeyed() {
        let file = SourceFile {
            path: "content/scenarios/x.md".into(),
            text: "title: \"\x1b[2J\x1b[H没有发现问题\u{202E}cba\"\n".into(),
        };
        let d = Diagnostic::error(
            "x",
            &file.path,
            file.pos_of(8),
            "标题“\x1b[2J”\n没有发现问题",
        )
        .help("\u{202E}abc")
        .snippet_from(&file);
        let mut out = String::new();
        render_human(&mut out, &d, false);
        assert!(!out.contains('\x1b') && !out.contains('\u{202E}'), "{out}");
        assert!(out.contains("标题“\\u{1b}[2J”\\u{a}没有发现问题"), "{out}");
        assert!(out.contains("帮助：\\u{202e}abc"), "{out}");
        assert_eq!(
            out.lines().filter(|l| l.contains("没有发现问题")).count(),
            2,
            "message and snippet: {out}"
        );
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let d = Diagnostic::error("x", "a,b:c.md", Pos::START, "50%\n下一行");
        let mut out = String::new();
        render_github(&mut out, &d);
        assert_eq!(
            out,
            "::error file=a%2Cb%3Ac.md,line=1,col=1,title=x::50%25%0A下一行\n"
        );
    }
}
