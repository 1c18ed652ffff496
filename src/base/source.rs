//! Source files and positions: the text of one input file, line and column lookup, and
//! YAML documents whose every key and value knows where it stands in the file.
//!
//! serde_yaml gives the values (and the position of a syntax error); it does not say
//! where a valid value stands. A second, event-level pass with yaml-rust2 records the
//! position of every node, so a diagnostic can point at the offending value itself.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_yaml::Value;
use unicode_width::UnicodeWidthStr;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::base::diagnostics::{Diagnostic, Severity};

/// A position in a file: 1-based line, 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };
}

/// A value with the position of its source text and the length of that text in characters.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
    pub len: usize,
}

/// One input file, as text with line endings normalised to `\n` and the BOM removed.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators: what diagnostics print.
    pub path: String,
    pub text: String,
}

impl SourceFile {
    /// Decodes raw bytes: a UTF-8 BOM and CRLF line endings are accepted; anything that is
    /// not UTF-8 is reported at the first invalid byte.
    pub fn decode(path: String, bytes: &[u8]) -> Result<SourceFile, Diagnostic> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile {
                path,
                text: text.replace("\r\n", "\n"),
            }),
            Err(err) => {
                let valid =
                    String::from_utf8_lossy(&bytes[..err.valid_up_to()]).replace("\r\n", "\n");
                let probe = SourceFile { path, text: valid };
                let pos = probe.pos_of(probe.text.len());
                Err(Diagnostic::error(
                    "not-utf8",
                    &probe.path,
                    pos,
                    format!("文件不是 UTF-8 编码（第 {} 个字节无效）", err.valid_up_to() + 1),
                )
                .help("请用 UTF-8 编码另存此文件（如在编辑器中选择“UTF-8”或“UTF-8 with BOM”，不要用 GBK/GB2312）"))
            }
        }
    }

    /// The position of a byte offset in the text.
    pub fn pos_of(&self, offset: usize) -> Pos {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> Option<&str> {
        self.text.split('\n').nth(line.checked_sub(1)?)
    }
}

/// The largest char boundary at or below `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Display width of a string in terminal columns (a Chinese character is two).
pub fn display_width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Where each node of a YAML document stands.
#[derive(Debug, Clone)]
pub enum PosNode {
    Leaf {
        pos: Pos,
        len: usize,
        /// The scalar as written (`99.90` stays `99.90`), empty for aliases.
        text: String,
    },
    Seq {
        pos: Pos,
        items: Vec<PosNode>,
    },
    Map {
        pos: Pos,
        entries: Vec<(String, Pos, PosNode)>,
    },
}

impl PosNode {
    pub fn pos(&self) -> Pos {
        match self {
            PosNode::Leaf { pos, .. } | PosNode::Seq { pos, .. } | PosNode::Map { pos, .. } => *pos,
        }
    }

    fn len(&self) -> usize {
        match self {
            PosNode::Leaf { len, .. } => *len,
            _ => 1,
        }
    }

    /// Number of nodes in the tree.
    fn size(&self) -> usize {
        match self {
            PosNode::Leaf { .. } => 1,
            PosNode::Seq { items, .. } => 1 + items.iter().map(PosNode::size).sum::<usize>(),
            PosNode::Map { entries, .. } => {
                1 + entries.iter().map(|(_, _, n)| n.size()).sum::<usize>()
            }
        }
    }
}

/// A parsed YAML document: values from serde_yaml, positions from yaml-rust2.
pub struct YamlDoc {
    pub value: Value,
    pub positions: PosNode,
}

/// A node of a [`YamlDoc`]: a value together with its position.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    pub value: &'a Value,
    positions: &'a PosNode,
}

impl YamlDoc {
    /// Parses `text`, which begins on line `first_line` of `file`. A syntax error becomes a
    /// diagnostic at serde_yaml's position.
    pub fn parse(file: &SourceFile, text: &str, first_line: usize) -> Result<YamlDoc, Diagnostic> {
        let positions = positions_of(text, first_line);
        let doc = match serde_yaml::from_str::<Value>(text) {
            Ok(value) => YamlDoc {
                value,
                positions: positions.unwrap_or(PosNode::Leaf {
                    pos: Pos {
                        line: first_line,
                        column: 1,
                    },
                    len: 1,
                    text: String::new(),
                }),
            },
            Err(err) => return Err(yaml_error(file, &err, positions.as_ref(), first_line)),
        };
        match control_character(doc.root()) {
            Some((node, c)) => Err(Diagnostic::error(
                "control-character",
                &file.path,
                node.pos(),
                format!(
                    "值中含有控制字符 U+{:04X}（多半来自 YAML 转义，如 \\e、\\0 或 \\u202E）",
                    c as u32
                ),
            )
            .with_len(node.span_len())
            .help("删除这个字符：控制字符和文字方向控制符在网页、表格和终端中会被误用")
            .snippet_from(file)),
            None => Ok(doc),
        }
    }

    pub fn root(&self) -> Node<'_> {
        Node {
            value: &self.value,
            positions: &self.positions,
        }
    }
}

/// A character text from content may not carry: a control character other than tab and
/// line breaks (an escape sequence, NUL), or a bidirectional control that reorders text.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The innermost node whose value holds a [hidden control](is_hidden_control), with
/// the character. Which value holds one is read from the value itself (tags, keys and
/// aliases included); positions only narrow down where to point.
fn control_character(node: Node) -> Option<(Node, char)> {
    let c = hidden_control_in(node.value)?;
    let inner = match node.value {
        Value::Mapping(_) => node
            .keys()
            .iter()
            .find_map(|(key, _)| control_character(node.get(key)?.1)),
        // An alias past the position budget has no item positions: `items` gives the
        // node itself back, which must not be entered again.
        Value::Sequence(_) => node
            .items()
            .into_iter()
            .filter(|item| !std::ptr::eq(item.value, node.value))
            .find_map(control_character),
        _ => None,
    };
    Some(inner.unwrap_or((node, c)))
}

fn hidden_control_in(value: &Value) -> Option<char> {
    match value {
        Value::String(text) => text.chars().find(|&c| is_hidden_control(c)),
        Value::Sequence(items) => items.iter().find_map(hidden_control_in),
        Value::Mapping(map) => map
            .iter()
            .find_map(|(k, v)| hidden_control_in(k).or_else(|| hidden_control_in(v))),
        Value::Tagged(tagged) => hidden_control_in(&tagged.value),
        _ => None,
    }
}

fn yaml_error(
    file: &SourceFile,
    err: &serde_yaml::Error,
    positions: Option<&PosNode>,
    first_line: usize,
) -> Diagnostic {
    let message = err.to_string();
    // serde_yaml places a duplicate key at the start of its mapping; the position tree knows
    // where the second occurrence is.
    if let Some(key) = message
        .split_once("duplicate entry with key \"")
        .and_then(|(_, rest)| rest.split('"').next())
        && let Some(pos) = positions.and_then(|p| duplicate_key(p, key))
    {
        return Diagnostic::error(
            "yaml-syntax",
            &file.path,
            pos,
            format!("字段 `{key}` 重复出现"),
        )
        .with_len(key.chars().count())
        .help("同一字段只能写一次：删除或合并重复的那一行")
        .snippet_from(file);
    }
    let pos = err.location().map_or(
        Pos {
            line: first_line,
            column: 1,
        },
        |l| Pos {
            line: l.line() + first_line - 1,
            column: l.column(),
        },
    );
    let detail = message.split(" at line ").next().unwrap_or(&message);
    Diagnostic::error("yaml-syntax", &file.path, pos, format!("YAML 语法错误：{}", explain_yaml(detail)))
        .help("检查这一行附近的缩进、冒号后的空格、引号和括号是否成对；含有 `: `、`#` 或以 `*`、`&`、`!`、`%`、`@` 开头的文字请加引号")
        .snippet_from(file)
}

/// The parser's message in Chinese, for the mistakes editors make most; others keep
/// the parser's English words after a Chinese lead.
fn explain_yaml(detail: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        (
            "did not find expected ',' or ']'",
            "方括号列表没有闭合，缺少 `]` 或项之间的逗号",
        ),
        (
            "did not find expected ',' or '}'",
            "花括号没有闭合，缺少 `}` 或项之间的逗号",
        ),
        (
            "mapping values are not allowed in this context",
            "这里不能出现“键: 值”：文字中含有 `: ` 时请给整个值加引号，或检查缩进",
        ),
        (
            "did not find expected key",
            "缩进不一致，或某一行不是“键: 值”的形式",
        ),
        (
            "found a tab character",
            "缩进中有制表符（Tab），YAML 只能用空格缩进",
        ),
        (
            "found character that cannot start any plain scalar",
            "值以 YAML 的特殊字符开头（如 `@`、`` ` ``、`%`），请给整个值加引号",
        ),
        (
            "found unexpected end of stream",
            "引号或括号没有闭合，直到结尾也没有找到另一半",
        ),
        (
            "did not find expected node content",
            "缺少值，或值以特殊字符开头",
        ),
        (
            "could not find expected ':'",
            "缺少冒号：每行应写成“键: 值”",
        ),
        (
            "more than one document",
            "出现了多个 YAML 文档（多余的 `---`），只能有一个",
        ),
        (
            "found unknown escape character",
            "双引号中有无效的转义字符（如 `\\` 后跟的字符），可改用单引号",
        ),
        (
            "block sequence entries are not allowed",
            "列表项 `- ` 的位置不对，检查缩进",
        ),
        (
            "repetition limit exceeded",
            "别名（*名称）展开后过大：不要层层引用锚点",
        ),
        ("recursion limit exceeded", "嵌套层次太深"),
        (
            "control characters are not allowed",
            "含有不可见的控制字符（如 NUL），请删除后重新保存",
        ),
    ];
    match KNOWN.iter().find(|(english, _)| detail.contains(english)) {
        Some((_, chinese)) => chinese.to_string(),
        None => format!("无法解析（{detail}）"),
    }
}

fn duplicate_key(node: &PosNode, key: &str) -> Option<Pos> {
    match node {
        PosNode::Leaf { .. } => None,
        PosNode::Seq { items, .. } => items.iter().find_map(|n| duplicate_key(n, key)),
        PosNode::Map { entries, .. } => {
            let mut seen = entries.iter().filter(|(k, _, _)| k == key);
            seen.next();
            seen.next()
                .map(|(_, pos, _)| *pos)
                .or_else(|| entries.iter().find_map(|(_, _, n)| duplicate_key(n, key)))
        }
    }
}

impl<'a> Node<'a> {
    pub fn pos(&self) -> Pos {
        self.positions.pos()
    }

    /// Length in characters of the node's source text, for the caret under it.
    pub fn span_len(&self) -> usize {
        self.positions.len()
    }

    /// The value under a key of a mapping, with the key's own position.
    pub fn get(&self, key: &str) -> Option<(Pos, Node<'a>)> {
        let value = self.value.as_mapping()?.get(key)?;
        let (key_pos, positions) = match self.positions {
            PosNode::Map { entries, .. } => entries
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, pos, node)| (*pos, node))?,
            _ => return None,
        };
        Some((key_pos, Node { value, positions }))
    }

    /// The keys of a mapping with their positions, in source order.
    pub fn keys(&self) -> Vec<(String, Pos)> {
        match self.positions {
            PosNode::Map { entries, .. } => {
                entries.iter().map(|(k, p, _)| (k.clone(), *p)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The items of a sequence; a single value counts as a sequence of one.
    pub fn items(&self) -> Vec<Node<'a>> {
        match (self.value, self.positions) {
            (Value::Sequence(values), PosNode::Seq { items, .. }) => values
                .iter()
                .zip(items)
                .map(|(value, positions)| Node { value, positions })
                .collect(),
            (Value::Null, _) => Vec::new(),
            _ => vec![*self],
        }
    }

    pub fn is_mapping(&self) -> bool {
        self.value.is_mapping()
    }

    /// A scalar's text as written in the file (`99.90`, not `99.9`).
    pub fn scalar_text(&self) -> &str {
        match self.positions {
            PosNode::Leaf { text, .. } => text,
            _ => "",
        }
    }

    /// Deserialises the node into `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_yaml::Error> {
        serde_yaml::from_value(self.value.clone())
    }

    pub fn spanned<T>(&self, value: T) -> Spanned<T> {
        Spanned {
            value,
            pos: self.pos(),
            len: self.span_len(),
        }
    }

    /// How the value reads in a message: `文本“二〇二二”`, `整数 7`, `列表`…
    pub fn describe(&self) -> String {
        match self.value {
            Value::Null => "空值".to_string(),
            Value::Bool(b) => format!("布尔值 {b}"),
            Value::Number(n) => format!("数字 {n}"),
            Value::String(s) => format!("文本“{}”", abbreviate(s)),
            Value::Sequence(_) => "列表".to_string(),
            Value::Mapping(_) => "映射（键值对）".to_string(),
            Value::Tagged(_) => "带标签的值".to_string(),
        }
    }
}

/// The first line of a value, at most 30 characters, for quoting it in a message.
fn abbreviate(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let short: String = first.chars().take(30).collect();
    if short.len() < text.trim_end().len() {
        format!("{short}…")
    } else {
        short
    }
}

/// Builds the position tree of a YAML text, or `None` if yaml-rust2 cannot parse it.
fn positions_of(text: &str, first_line: usize) -> Option<PosNode> {
    let mut builder = PosBuilder {
        first_line,
        text,
        cursor: (0, 0),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: 100_000,
        root: None,
    };
    Parser::new_from_str(text).load(&mut builder, false).ok()?;
    builder.root
}

/// An open collection: its node, its anchor, and for a mapping the key waiting for its value.
struct Open {
    node: PosNode,
    anchor: usize,
    pending_key: Option<(String, Pos)>,
}

/// Turns yaml-rust2's event stream into a [`PosNode`] tree.
struct PosBuilder<'t> {
    first_line: usize,
    text: &'t str,
    /// The last (char index, byte offset) looked up: markers come in order, so finding
    /// the next one walks forward from here instead of from the start.
    cursor: (usize, usize),
    stack: Vec<Open>,
    /// Anchored nodes, so an alias (`*a`) gets the positions of what it names.
    anchors: HashMap<usize, PosNode>,
    /// Nodes aliases may still copy.
    alias_budget: usize,
    root: Option<PosNode>,
}

impl PosBuilder<'_> {
    fn pos(&self, mark: Marker) -> Pos {
        Pos {
            line: mark.line() + self.first_line - 1,
            column: mark.col() + 1,
        }
    }

    /// The character at a marker's char index.
    fn char_at(&mut self, index: usize) -> Option<char> {
        let (mut chars, mut bytes) = if index >= self.cursor.0 {
            self.cursor
        } else {
            (0, 0)
        };
        let mut iter = self.text[bytes..].chars();
        while chars < index {
            bytes += iter.next()?.len_utf8();
            chars += 1;
        }
        self.cursor = (chars, bytes);
        self.text[bytes..].chars().next()
    }

    /// Length of a scalar's source text: its value's first line, plus quotes if quoted.
    fn scalar_len(&mut self, value: &str, mark: Marker) -> usize {
        let quoted = self
            .char_at(mark.index())
            .is_some_and(|c| c == '"' || c == '\'');
        let first_line = value.lines().next().unwrap_or("");
        first_line.chars().count().max(1) + if quoted { 2 } else { 0 }
    }

    /// Places a finished node: as the root, as a sequence item, or as a mapping value.
    fn push_value(&mut self, node: PosNode, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open {
                node: PosNode::Seq { items, .. },
                ..
            }) => items.push(node),
            Some(Open {
                node: PosNode::Map { entries, .. },
                pending_key,
                ..
            }) => match pending_key.take() {
                Some((key, key_pos)) => entries.push((key, key_pos, node)),
                // A collection used as a key: keep the mapping's shape, with an empty key.
                None => *pending_key = Some((String::new(), node.pos())),
            },
            Some(Open {
                node: PosNode::Leaf { .. },
                ..
            }) => {}
        }
    }

    /// Takes a scalar as a mapping key if one is expected. A block mapping's own position
    /// is then moved to its first key, where an editor sees it begin.
    fn take_key(&mut self, value: &str, pos: Pos) -> bool {
        let Some(Open {
            node:
                PosNode::Map {
                    pos: map_pos,
                    entries,
                },
            pending_key: pending @ None,
            ..
        }) = self.stack.last_mut()
        else {
            return false;
        };
        if entries.is_empty() && pos < *map_pos {
            *map_pos = pos;
        }
        *pending = Some((value.to_string(), pos));
        true
    }
}

impl MarkedEventReceiver for PosBuilder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = self.pos(mark);
        match event {
            Event::Scalar(value, _, anchor, _) => {
                if self.take_key(&value, pos) {
                    return;
                }
                let len = self.scalar_len(&value, mark);
                self.push_value(
                    PosNode::Leaf {
                        pos,
                        len,
                        text: value,
                    },
                    anchor,
                );
            }
            Event::Alias(anchor) => {
                // Aliases of aliases grow exponentially ("billion laughs"): past a budget,
                // an alias gets only its own position.
                let expanded = self.anchors.get(&anchor).filter(|n| {
                    self.alias_budget = self.alias_budget.saturating_sub(n.size());
                    self.alias_budget > 0
                });
                let node = expanded.cloned().unwrap_or(PosNode::Leaf {
                    pos,
                    len: 1,
                    text: String::new(),
                });
                self.push_value(node, 0);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open {
                node: PosNode::Seq {
                    pos,
                    items: Vec::new(),
                },
                anchor,
                pending_key: None,
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Open {
                node: PosNode::Map {
                    pos,
                    entries: Vec::new(),
                },
                anchor,
                pending_key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(open) = self.stack.pop() {
                    self.push_value(open.node, open.anchor);
                }
            }
            _ => {}
        }
    }
}

/// A field a YAML mapping may hold: its key and its Chinese name for messages.
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
}

/// Reads typed fields out of the YAML of one file, turning every problem into a
/// diagnostic that points at the offending key or value, and carrying on.
pub struct FieldReader<'f> {
    pub file: &'f SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'f> FieldReader<'f> {
    pub fn new(file: &'f SourceFile) -> FieldReader<'f> {
        FieldReader {
            file,
            diagnostics: Vec::new(),
        }
    }

    /// An error at `pos`, with the source line attached.
    pub fn error(
        &mut self,
        code: &'static str,
        pos: Pos,
        len: usize,
        message: String,
        help: String,
    ) {
        self.report(Severity::Error, code, pos, len, message, help);
    }

    /// A problem of any severity at `pos`, with the source line attached.
    pub fn report(
        &mut self,
        severity: Severity,
        code: &'static str,
        pos: Pos,
        len: usize,
        message: String,
        help: String,
    ) {
        let diagnostic = Diagnostic::new(severity, code, &self.file.path, pos, message)
            .with_len(len)
            .help(help)
            .snippet_from(self.file);
        self.diagnostics.push(diagnostic);
    }

    /// Reports every key of `node` that is not in `fields`, suggesting the closest known key.
    pub fn reject_unknown_keys(&mut self, node: Node, fields: &[FieldSpec], what: &str) {
        for (key, pos) in node.keys() {
            if fields.iter().any(|f| f.key == key) {
                continue;
            }
            let known = fields.iter().map(|f| f.key).collect::<Vec<_>>().join("、");
            let by_label = fields.iter().find(|f| f.label == key).map(|f| f.key);
            let help = match by_label.or_else(|| {
                crate::base::diagnostics::did_you_mean(&key, fields.iter().map(|f| f.key))
            }) {
                Some(k) => {
                    let label = fields.iter().find(|f| f.key == k).map_or("", |f| f.label);
                    format!("是否要写 `{k}`（{label}）？")
                }
                None => format!("{what}可用的字段有：{known}"),
            };
            self.error(
                "unknown-field",
                pos,
                key.chars().count(),
                format!("未知字段 `{key}`"),
                help,
            );
        }
    }

    /// The value under `key`, deserialised as `T`; `None` if absent, null or of the wrong type
    /// (reported with `expected`, e.g. `整数年份，如 2022`).
    pub fn get<T: DeserializeOwned>(
        &mut self,
        node: Node,
        key: &str,
        expected: &str,
    ) -> Option<Spanned<T>> {
        let (_, value) = node.get(key)?;
        if value.value.is_null() {
            return None;
        }
        self.parse(value, key, expected)
    }

    /// Like [`FieldReader::get`], for a number that must lie in `range`.
    pub fn get_in<T>(
        &mut self,
        node: Node,
        key: &str,
        range: std::ops::RangeInclusive<T>,
        expected: &str,
    ) -> Option<Spanned<T>>
    where
        T: DeserializeOwned + PartialOrd + std::fmt::Display,
    {
        let v = self.get::<T>(node, key, expected)?;
        if range.contains(&v.value) {
            return Some(v);
        }
        self.error(
            "out-of-range",
            v.pos,
            v.len,
            format!(
                "`{key}` 的值 {} 超出范围（{}–{}）",
                v.value,
                range.start(),
                range.end()
            ),
            format!("把 `{key}` 改为{expected}"),
        );
        None
    }

    /// A nested mapping under `key` (such as `lifecycle`); anything else is reported.
    pub fn mapping<'n>(&mut self, node: Node<'n>, key: &str, expected: &str) -> Option<Node<'n>> {
        let (_, value) = node.get(key)?;
        if value.is_mapping() {
            return Some(value);
        }
        self.error(
            "wrong-type",
            value.pos(),
            value.span_len(),
            format!(
                "`{key}` 的值类型不对：应为{expected}，实际是{}",
                value.describe()
            ),
            format!("按 {expected} 的形式书写"),
        );
        None
    }

    /// Deserialises one node, reporting a wrong type at the node.
    pub fn parse<T: DeserializeOwned>(
        &mut self,
        node: Node,
        key: &str,
        expected: &str,
    ) -> Option<Spanned<T>> {
        match node.parse::<T>() {
            Ok(v) => Some(node.spanned(v)),
            Err(_) => {
                self.error(
                    "wrong-type",
                    node.pos(),
                    node.span_len(),
                    format!(
                        "`{key}` 的值类型不对：应为{expected}，实际是{}",
                        node.describe()
                    ),
                    format!("把 `{key}` 改为{expected}"),
                );
                None
            }
        }
    }

    /// A list under `key` (a single value counts as a list of one), each item typed.
    pub fn list<T: DeserializeOwned>(
        &mut self,
        node: Node,
        key: &str,
        expected: &str,
    ) -> Vec<Spanned<T>> {
        let Some((_, value)) = node.get(key) else {
            return Vec::new();
        };
        value
            .items()
            .into_iter()
            .filter_map(|item| self.parse(item, key, expected))
            .collect()
    }

    /// The mappings of a list under `key`, e.g. `reviews` or `metrics`; other items are reported.
    pub fn records<'n>(&mut self, node: Node<'n>, key: &str, expected: &str) -> Vec<Node<'n>> {
        let Some((_, value)) = node.get(key) else {
            return Vec::new();
        };
        let mut records = Vec::new();
        for item in value.items() {
            if item.is_mapping() {
                records.push(item);
            } else {
                self.error(
                    "wrong-type",
                    item.pos(),
                    item.span_len(),
                    format!(
                        "`{key}` 的每一项应为 {expected} 形式的映射，实际是{}",
                        item.describe()
                    ),
                    format!("把每一项写成 {expected}"),
                );
            }
        }
        records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: "a.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn positions_of_keys_values_and_items() {
        let f = file("title: 中文\nlist: [甲, 乙乙]\nmap:\n  - {date: 2023}\n");
        let doc = YamlDoc::parse(&f, &f.text, 1).ok().unwrap();
        let root = doc.root();
        let (key, title) = root.get("title").unwrap();
        assert_eq!(
            (key, title.pos(), title.span_len()),
            (Pos { line: 1, column: 1 }, Pos { line: 1, column: 8 }, 2)
        );
        let items = root.get("list").unwrap().1.items();
        assert_eq!(
            items[1].pos(),
            Pos {
                line: 2,
                column: 11
            }
        );
        let record = root.get("map").unwrap().1.items()[0];
        assert_eq!(
            record.get("date").unwrap().1.pos(),
            Pos {
                line: 4,
                column: 12
            }
        );
    }

    #[test]
    fn a_repeated_key_is_reported_where_it_repeats() {
        let f = file("---\ntitle: a\nyear: 1\ntitle: b\n---\n");
        let err = YamlDoc::parse(&f, "title: a\nyear: 1\ntitle: b\n", 2)
            .err()
            .unwrap();
        assert_eq!((err.line, err.column), (4, 1));
        assert_eq!(err.message, "字段 `title` 重复出现");
    }

    #[test]
    fn decoding_accepts_bom_and_crlf_and_locates_bad_bytes() {
        let ok = SourceFile::decode("a".into(), b"\xEF\xBB\xBFa: 1\r\nb: 2\r\n")
            .ok()
            .unwrap();
        assert_eq!(ok.text, "a: 1\nb: 2\n");
        let bad = SourceFile::decode("a".into(), b"a: 1\nb: \xB2\xE2")
            .err()
            .unwrap();
        assert_eq!((bad.line, bad.column), (2, 4));
    }
}
