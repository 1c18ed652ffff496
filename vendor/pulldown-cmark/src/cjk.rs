//! The character classes of the CJK-friendly amendment to CommonMark
//! (https://github.com/tats-u/markdown-cjk-friendly/blob/main/specification.md), added
//! by anli to this vendored copy: with them a delimiter run next to Chinese, Japanese
//! or Korean text flanks as a reader expects (`**重点：**说明` is bold).

use crate::cjk_ranges::CJK;
use crate::puncttable::is_punctuation;

/// A CJK character: East Asian Width W, F or H and not an emoji presentation
/// character, or Hangul (including unassigned code points of wide blocks).
pub(crate) fn is_cjk(c: char) -> bool {
    let cp = c as u32;
    cp >= 0x1100
        && CJK
            .binary_search_by(|&(lo, hi)| {
                if hi < cp {
                    core::cmp::Ordering::Less
                } else if lo > cp {
                    core::cmp::Ordering::Greater
                } else {
                    core::cmp::Ordering::Equal
                }
            })
            .is_ok()
}

/// A Non-emoji General-use Variation Selector (U+FE00–U+FE0E).
fn is_general_vs(c: char) -> bool {
    ('\u{FE00}'..='\u{FE0E}').contains(&c)
}

/// An Ideographic Variation Selector (U+E0100–U+E01EF).
fn is_ideographic_vs(c: char) -> bool {
    ('\u{E0100}'..='\u{E01EF}').contains(&c)
}

fn is_non_cjk_punctuation(c: char) -> bool {
    is_punctuation(c) && !is_cjk(c)
}

/// What precedes a delimiter run: its last character and, when that is a general
/// variation selector, the character the selector modifies.
#[derive(Clone, Copy)]
pub(crate) struct Before {
    last: Option<char>,
    base: Option<char>,
}

impl Before {
    pub(crate) fn of(text: &str) -> Before {
        let mut chars = text.chars().rev();
        let last = chars.next();
        let base = last.filter(|&c| is_general_vs(c)).and(chars.next());
        Before { last, base }
    }

    /// The character a sequence is judged by: the base of a variation sequence.
    fn main(self) -> Option<char> {
        self.base.or(self.last)
    }

    fn is_whitespace(self) -> bool {
        self.last.map_or(true, char::is_whitespace)
    }

    /// A Unicode punctuation sequence.
    pub(crate) fn is_punctuation(self) -> bool {
        self.main().is_some_and(is_punctuation)
    }

    /// A non-CJK punctuation sequence; a CJK ambiguous punctuation sequence (a quotation
    /// mark with U+FE01, its fullwidth form) is CJK.
    fn is_non_cjk_punctuation(self) -> bool {
        let ambiguous_fullwidth = self.last == Some('\u{FE01}')
            && matches!(self.base, Some('\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}'));
        self.main().is_some_and(is_non_cjk_punctuation) && !ambiguous_fullwidth
    }

    /// A CJK sequence.
    fn is_cjk(self) -> bool {
        self.main().is_some_and(is_cjk)
    }
}

/// Left-flanking by the amendment: not followed by whitespace, and either not followed
/// by a non-CJK punctuation character, or preceded by whitespace, a non-CJK punctuation
/// sequence, a CJK sequence or an Ideographic Variation Selector.
pub(crate) fn left_flanking(before: Before, next: Option<char>) -> bool {
    let Some(next) = next.filter(|c| !c.is_whitespace()) else {
        return false;
    };
    !is_non_cjk_punctuation(next)
        || before.is_whitespace()
        || before.is_non_cjk_punctuation()
        || before.is_cjk()
        || before.last.is_some_and(is_ideographic_vs)
}

/// Right-flanking by the amendment: not preceded by whitespace, and either not preceded
/// by a non-CJK punctuation sequence, or followed by whitespace, a non-CJK punctuation
/// character or a CJK character.
pub(crate) fn right_flanking(before: Before, next: Option<char>) -> bool {
    if before.is_whitespace() {
        return false;
    }
    !before.is_non_cjk_punctuation()
        || next.map_or(true, |c| c.is_whitespace() || is_non_cjk_punctuation(c) || is_cjk(c))
}
