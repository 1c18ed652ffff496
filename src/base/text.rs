//! Text for the markup formats anli writes: escaping, numbers kept on one line, large
//! counts in Chinese.

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let plain = |c: char| {
        !matches!(c, '&' | '<' | '>' | '"' | '\'' | '\u{FFFE}' | '\u{FFFF}')
            && ((c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
    };
    if text.chars().all(plain) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A large count as Chinese writes it: in 亿 when a whole number of them, else in 万
/// (rounded down), and as digits below 10,000: `1 亿`, `5000 万`, `123 万`, `9999`.
pub fn large_count(n: u64) -> String {
    const YI: u64 = 100_000_000;
    const WAN: u64 = 10_000;
    match n {
        n if n >= YI && n % YI == 0 => format!("{} 亿", n / YI),
        n if n >= WAN => format!("{} 万", n / WAN),
        n => n.to_string(),
    }
}

/// U+202F NARROW NO-BREAK SPACE: the digit-group separator that never breaks a line.
pub const GROUP_SEPARATOR: char = '\u{202F}';

/// Keeps a number's digit groups on one line: the spaces in `8 000` or `1 234 567` (a
/// first group of 1–3 digits, then groups of exactly three) become
/// [`GROUP_SEPARATOR`]. Other spaces stay (`2023 年`, `2021 2022`, `共 12 项`).
pub fn keep_digit_groups(text: &str) -> std::borrow::Cow<'_, str> {
    let is_space = |c: char| matches!(c, ' ' | '\u{A0}' | '\u{2009}');
    // Most text of a body has no such space between digits: no copy for it.
    if !text.contains(is_space) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut chars: Vec<char> = text.chars().collect();
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            && !(i > 0 && (chars[i - 1].is_ascii_digit() || matches!(chars[i - 1], '.' | ',')));
        if !starts_number {
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += run;
        if run > 3 {
            continue;
        }
        // Each following group: a space, exactly three digits, then no digit.
        while i + 3 < chars.len()
            && is_space(chars[i])
            && chars[i + 1..=i + 3].iter().all(char::is_ascii_digit)
            && !chars.get(i + 4).is_some_and(char::is_ascii_digit)
        {
            chars[i] = GROUP_SEPARATOR;
            changed = true;
            i += 4;
        }
    }
    if changed {
        std::borrow::Cow::Owned(chars.into_iter().collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod digit_tests {
    use super::*;

    #[test]
    fn digit_groups_are_joined_and_other_spaces_stay() {
        let nb = GROUP_SEPARATOR;
        for (text, want) in [
            ("年产约 8 000 台", format!("年产约 8{nb}000 台")),
            ("1 234 567 元", format!("1{nb}234{nb}567 元")),
            ("共 12 项，2023 年", "共 12 项，2023 年".to_string()),
            ("2021 2022 2023", "2021 2022 2023".to_string()),
            ("0.5 000", "0.5 000".to_string()),
            ("12 3456", "12 3456".to_string()),
            ("5 200", format!("5{nb}200")),
            ("8\u{A0}000", format!("8{nb}000")),
        ] {
            assert_eq!(keep_digit_groups(text), want, "{text}");
        }
    }
}

/// Full-width punctuation that carries its own spacing: a space after it shows as a gap.
const SPACED_PUNCTUATION: &[char] = &[
    '，', '。', '、', '；', '：', '！', '？', '）', '」', '』', '》', '〉', '】', '”', '’',
];

/// A space written after full-width punctuation in markdown: the line (from 0) and
/// column (from 1, in characters) of the space, and how many spaces. Code (fenced,
/// indented, inline) and the padding before a table's `|` are left alone.
pub fn spaces_after_punctuation(markdown: &str) -> Vec<(usize, usize, usize)> {
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    for (n, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            _ => {}
        }
        if fence.is_some() || marker.is_some() || line.starts_with('\t') || line.starts_with("    ")
        {
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut in_code = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == '`' {
                in_code = !in_code;
            }
            if in_code || !SPACED_PUNCTUATION.contains(&c) {
                continue;
            }
            let spaces = chars[i + 1..]
                .iter()
                .take_while(|s| matches!(s, ' ' | '\u{3000}'))
                .count();
            let next = chars.get(i + 1 + spaces);
            if spaces > 0 && next.is_some_and(|&c| c != '|') {
                found.push((n, i + 2, spaces));
            }
        }
    }
    found
}

#[cfg(test)]
mod punctuation_tests {
    use super::*;

    #[test]
    fn spaces_after_full_width_punctuation_are_found_outside_code_and_table_padding() {
        let body = "第一句。 第二句，  第三句\n| 已完成。 | 是 |\n`代码。 x` 正文： 值\n```\n代码。 不算\n```\n结尾。\n";
        assert_eq!(
            spaces_after_punctuation(body),
            [(0, 5, 1), (0, 10, 2), (2, 12, 1)]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::large_count;

    #[test]
    fn large_counts_are_written_in_yi_and_wan() {
        assert_eq!(large_count(100_000_000), "1 亿");
        assert_eq!(large_count(3_600_000_000), "36 亿");
        assert_eq!(large_count(50_000_000), "5000 万");
        assert_eq!(large_count(1_234_567), "123 万");
        assert_eq!(large_count(9_999), "9999");
    }
}
