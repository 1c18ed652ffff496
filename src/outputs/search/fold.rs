//! Folding text before it becomes index tokens, so that what a person types finds what
//! an editor wrote: traditional characters as simplified ones (數字孿生 → 数字孪生) and
//! full-width letters and digits as ASCII (ＭＥＳ → MES). `search.js` folds queries with
//! the same table, which the index carries (only the characters the site uses).
//!
//! The table is OpenCC's `TSCharacters.txt` (Apache-2.0, `opencc/LICENSE`), from
//! https://github.com/BYVoid/OpenCC at 5249273a, `data/dictionary/`: each traditional
//! character with its simplified forms, the usual one first.

use std::borrow::Cow;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

const TRADITIONAL_TO_SIMPLIFIED: &str = include_str!("opencc/TSCharacters.txt");

/// Each traditional character's usual simplified form.
fn table() -> &'static FxHashMap<char, char> {
    // Looked up for every Chinese character indexed: a fast hash, not SipHash.
    static TABLE: OnceLock<FxHashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TRADITIONAL_TO_SIMPLIFIED
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let (key, values) = line.split_once('\t')?;
                let first = values.split_whitespace().next()?;
                match (single(key)?, single(first)?) {
                    (from, to) if from != to => Some((from, to)),
                    _ => None,
                }
            })
            .collect()
    })
}

fn single(text: &str) -> Option<char> {
    let mut chars = text.chars();
    chars.next().filter(|_| chars.next().is_none())
}

/// A character as the index holds it: simplified, and ASCII for a full-width letter or
/// digit.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ if (c as u32) < 0x3400 => c,
        _ => table().get(&c).copied().unwrap_or(c),
    }
}

/// `text` with every character folded; borrowed when nothing changes, as in most text.
pub fn fold(text: &str) -> Cow<'_, str> {
    match text.char_indices().find(|&(_, c)| fold_char(c) != c) {
        None => Cow::Borrowed(text),
        Some((at, _)) => {
            let mut out = String::with_capacity(text.len());
            out.push_str(&text[..at]);
            out.extend(text[at..].chars().map(fold_char));
            Cow::Owned(out)
        }
    }
}

/// The pairs of the table whose simplified character is in `used`, as one string of
/// traditional and simplified characters in turn, sorted: what `search.js` needs to fold
/// a query for this site.
pub fn table_for(used: &std::collections::HashSet<char>) -> String {
    let mut pairs: Vec<(char, char)> = table()
        .iter()
        .filter(|(_, to)| used.contains(to))
        .map(|(&from, &to)| (from, to))
        .collect();
    pairs.sort_unstable();
    pairs
        .into_iter()
        .flat_map(|(from, to)| [from, to])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_and_full_width_fold_and_simplified_text_is_borrowed() {
        assert_eq!(
            fold("數字孿生工廠，蘇州ＭＥＳ５Ｇ"),
            "数字孪生工厂，苏州MES5G"
        );
        assert!(matches!(fold("数字孪生工厂 MES"), Cow::Borrowed(_)));
        let used: std::collections::HashSet<char> = "数苏".chars().collect();
        assert_eq!(
            table_for(&used),
            "囌苏數数蘇苏",
            "every form of the characters used"
        );
    }
}
