//! The search stage: a static index of the listed cases under `/search/`, which the case
//! library `/cases/` searches in the browser (`themes/default/static/search.js`).
//!
//! - `search/index.json`: the case count; per filter key (the year among them) its
//!   values and the bits each case's values take in `cases.bin` ([`FilterColumn`]); the
//!   shard count and the keys with shards of their own; the folding table, the words of
//!   letters and the vocabulary names.
//! - `search/cases.bin`: per case (its number is its place in the site's order) its
//!   length in one byte ([`quantized_length`]), then every case's filter values, packed
//!   ([`FilterValues::packed`]). The browser loads these two files once and filters,
//!   counts and sorts by itself.
//! - `search/docs/<n>.json`: the result card of case `n` and its text for the excerpt;
//!   loaded only for the cards shown.
//! - `search/shards/<n>.bin`: the postings (case numbers and token positions) of the
//!   tokens whose key hashes to `n` ([`Postings::shards`]); a query loads one shard per
//!   token.
//! - `search/names.json`: titles and units, for near spellings; loaded only when a query
//!   finds nothing.
//!
//! **Fields.** A case's positions run through five fields ([`FIELDS`]) that start at
//! fixed positions ([`FIELD_STARTS`]), so `search.js` tells a match in a title from one
//! in the body by its position alone.
//!
//! **Chinese.** Word segmenters at index time and in the browser disagree, and a query
//! then silently finds nothing. So every Chinese character position is indexed as the
//! bigram that starts there (the last character of a run as itself): whole words, parts
//! of words and names all match, and `search.js` turns a query into the same tokens (a
//! lone character matches every token it starts). Runs of ASCII letters and digits are
//! words, lower-cased; text is folded first ([`fold`]: traditional characters as
//! simplified, full-width as ASCII); any other character only separates tokens.
//! Positions make a query's tokens checkable as a phrase or as pieces close together.
//!
//! Pagefind did this job before: it keeps every page's word map until the end and took
//! 149 s and 6 GiB for 10,000 cases (BENCHMARKS.md). This index is built in bounded
//! batches, so its memory is the postings themselves.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use lol_html::{RewriteStrSettings, doc_text, element, rewrite_str};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

mod fold;

use crate::base::paths::OutputFile;
use crate::input::taxonomy::Kind;
use crate::markup::markdown::Rendered;
use crate::model::{Case, Site};
use crate::site::labels::{Filter, filters};

/// Where the index goes in the output.
pub const BUNDLE_DIR: &str = "search";

/// The index format, which `search.js` checks.
const VERSION: u32 = 5;

/// Postings bytes aimed at per shard, and the most shards written.
const SHARD_BYTES: usize = 16 * 1024;
const MAX_SHARDS: usize = 16384;

/// Cases tokenised at once: bounds the token lists waiting to be merged.
const BATCH: usize = 256;

/// A case's card as listing pages show it: its summary (indexed) and its HTML.
pub struct CardText<'a> {
    pub summary: &'a str,
    pub html: &'a str,
}

/// The result card of a case, and the text its excerpt comes from.
#[derive(serde::Serialize)]
struct Fragment<'a> {
    url: String,
    title: &'a str,
    card: &'a str,
    text: String,
}

/// One case, tokenised: its entries in `index.json` and its token positions.
struct Indexed {
    fragment: Vec<u8>,
    /// Its token count.
    length: u32,
    filters: Vec<Filter>,
    tokens: Vec<(String, Vec<u32>)>,
    /// Its Chinese characters, for the folding table the browser needs.
    han: HashSet<char>,
    /// Its words with a letter (MES, 5G), for the browser's prefix matching.
    words: HashSet<String>,
}

/// The parts of a case the index tells apart, most telling first: the title, the unit,
/// its vocabulary terms (region, city, industry, scenarios, technologies, level, kind,
/// year), its summary and key figures, its body. `search.js` ranks a match in an
/// earlier field above one in a later field.
const FIELDS: usize = 5;

/// The position each field starts at (or after, when the one before is longer than its
/// room), so that a position tells its field without a table per case; `search.js`
/// holds the same numbers.
const FIELD_STARTS: [u32; FIELDS] = [0, 256, 512, 1024, 4096];

/// Positions left between two parts of a field: no phrase spans two, and two terms are
/// further apart than `search.js` looks for a word's pieces (8), so 质量 of one term and
/// 检测 of the next are not 质量检测.
const GAPS: [u32; FIELDS] = [1, 1, 9, 1, 1];

/// The index of the listed cases, as files under [`BUNDLE_DIR`]. `cards[i]` is the card
/// of `site.cases[i]`.
pub fn bundle(site: &Site, bodies: &[Rendered], cards: &[CardText]) -> Vec<OutputFile> {
    let listed = site.listing(|_| true);
    let mut files = Vec::with_capacity(listed.len() + 2);
    let mut postings = Postings::default();
    let mut filters = FilterValues::default();
    let mut lengths = Vec::with_capacity(listed.len());
    let mut han = HashSet::new();
    let mut words = HashSet::new();
    for batch in listed.chunks(BATCH) {
        let indexed: Vec<Indexed> = batch
            .par_iter()
            .map(|&i| index_case(site, &site.cases[i], &bodies[i], &cards[i]))
            .collect();
        for case in indexed {
            let number = lengths.len() as u32;
            files.push(OutputFile {
                path: format!("{BUNDLE_DIR}/docs/{number}.json"),
                contents: case.fragment,
            });
            postings.add(number, case.tokens);
            filters.add(&case.filters);
            lengths.push(quantized_length(case.length));
            han.extend(case.han);
            words.extend(case.words);
        }
    }
    let (shards, splits) = postings.shards();
    let mut words: Vec<String> = words.into_iter().collect();
    words.sort_unstable();
    let index = serde_json::json!({
        "version": VERSION,
        "cases": lengths.len(),
        "shards": shards.len() - splits.iter().map(|s| s.parts as usize).sum::<usize>(),
        "split": splits.iter().map(|s| (&s.key, s.parts)).collect::<Vec<_>>(),
        "filters": filters.columns(),
        "fold": fold::table_for(&han),
        "words": words,
        "names": vocabulary_names(site),
    });
    lengths.extend(filters.packed());
    files.push(OutputFile {
        path: format!("{BUNDLE_DIR}/cases.bin"),
        contents: lengths,
    });
    files.push(OutputFile {
        path: format!("{BUNDLE_DIR}/names.json"),
        contents: titles_and_units(site, &listed),
    });
    files.push(OutputFile {
        path: format!("{BUNDLE_DIR}/index.json"),
        contents: index.to_string().into_bytes(),
    });
    files.extend(
        shards
            .into_iter()
            .enumerate()
            .map(|(n, contents)| OutputFile {
                path: format!("{BUNDLE_DIR}/shards/{n}.bin"),
                contents,
            }),
    );
    files
}

/// The listed cases' titles and units, each once, sorted: where `search.js` looks for a
/// near spelling when a query finds nothing (苏锡长 → 苏锡常), loaded only then.
fn titles_and_units(site: &Site, listed: &[usize]) -> Vec<u8> {
    let names: std::collections::BTreeSet<&str> = listed
        .iter()
        .flat_map(|&i| [site.cases[i].title.as_str(), site.cases[i].unit.as_str()])
        .collect();
    serde_json::to_vec(&names).unwrap_or_default()
}

/// Every vocabulary term's name with its aliases, for the browser to widen a query
/// that names a term to all its names (AI → 人工智能, 芯片 → 集成电路) and to suggest a
/// term for a query that finds nothing; terms without aliases as their name alone.
fn vocabulary_names(site: &Site) -> Vec<Vec<&str>> {
    crate::input::taxonomy::Kind::ALL
        .into_iter()
        .flat_map(|kind| &site.taxonomies.get(kind).terms)
        .map(|term| {
            std::iter::once(term.name.as_str())
                .chain(term.aliases.iter().map(String::as_str))
                .collect()
        })
        .collect()
}

/// Tokenises one case, field by field (see [`FIELDS`]), a position apart so that no
/// phrase spans two parts.
fn index_case(site: &Site, case: &Case, body: &Rendered, card: &CardText) -> Indexed {
    let t = &site.taxonomies;
    let name = |kind: Kind, id: usize| t.get(kind).term(id).name.as_str();
    let year = case.year.to_string();
    let mut terms = vec![name(Kind::Region, case.region)];
    terms.extend(case.city.iter().chain(&case.cities).map(String::as_str));
    terms.extend(
        site.category(case)
            .into_iter()
            .chain(case.industry)
            .map(|i| name(Kind::Industry, i)),
    );
    terms.extend(case.scenarios.iter().map(|&s| name(Kind::Scenario, s)));
    terms.extend(case.technologies.iter().map(|&s| name(Kind::Technology, s)));
    terms.extend(case.level.map(|l| name(Kind::Level, l)));
    terms.extend([case.kind.label(), year.as_str()]);
    let mut figures = vec![card.summary];
    for metric in &case.metrics {
        figures.extend([metric.name.as_str(), metric.value.as_str()]);
        figures.extend(metric.note.as_deref());
    }
    let text = html_text(&body.html);
    let fields: [&[&str]; FIELDS] = [
        &[case.title.as_str()],
        &[case.unit.as_str()],
        &terms,
        &figures,
        &[text.as_str()],
    ];
    let folded: Vec<Vec<Cow<str>>> = fields
        .iter()
        .map(|parts| parts.iter().map(|part| fold::fold(part)).collect())
        .collect();
    let mut found: Vec<(Cow<str>, u32)> = Vec::with_capacity(text.len() / 3);
    let mut han = HashSet::new();
    let mut words = HashSet::new();
    let mut next = 0;
    for (field, parts) in folded.iter().enumerate() {
        next = next.max(FIELD_STARTS[field]);
        for part in parts {
            han.extend(part.chars().filter(|&c| is_han(c)));
            next = tokenize(part, next, |token, at| {
                if token.bytes().any(|b| b.is_ascii_alphabetic()) {
                    words.insert(token.to_string());
                }
                found.push((token, at));
            }) + GAPS[field];
        }
    }
    found.sort_unstable();
    let length = found.len() as u32;
    let mut tokens: Vec<(String, Vec<u32>)> = Vec::new();
    for (token, at) in found {
        match tokens.last_mut() {
            Some((last, positions)) if *last == token => positions.push(at),
            _ => tokens.push((token.into_owned(), vec![at])),
        }
    }
    let base = site.config.base_path();
    let fragment = Fragment {
        url: format!("{base}{}", crate::site::urls::case_url(case)),
        title: &case.title,
        card: card.html,
        text: squeeze_spaces(&text),
    };
    Indexed {
        // Plain data: serialising it cannot fail.
        fragment: serde_json::to_vec(&fragment).unwrap_or_default(),
        length,
        filters: filters(site, case),
        tokens,
        han,
        words,
    }
}

/// Text with each run of white space as one space, for excerpts.
fn squeeze_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The filter values met so far, numbered per key in the order first met, and each
/// case's values as those numbers.
#[derive(Default)]
struct FilterValues {
    keys: Vec<Filter>,
    numbers: HashMap<(&'static str, String), usize>,
    /// Per key: whether some case has more than one of its values.
    multiple: Vec<bool>,
    /// Per case: its values, as (key, value) numbers.
    cases: Vec<Vec<(usize, usize)>>,
}

/// One filter key in `index.json`: its values and how many bits of `cases.bin` each
/// case's values take ([`FilterValues::bits`]).
#[derive(serde::Serialize)]
struct FilterColumn<'a> {
    key: &'static str,
    values: &'a [String],
    bits: u32,
    multiple: bool,
}

impl FilterValues {
    /// Records the filter values of the next case.
    fn add(&mut self, filters: &[Filter]) {
        let mut numbers = Vec::new();
        for filter in filters {
            let key = match self.keys.iter().position(|k| k.key == filter.key) {
                Some(key) => key,
                None => {
                    self.keys.push(Filter {
                        key: filter.key,
                        values: Vec::new(),
                    });
                    self.multiple.push(false);
                    self.keys.len() - 1
                }
            };
            self.multiple[key] |= filter.values.len() > 1;
            for value in &filter.values {
                let values = &mut self.keys[key].values;
                let number = *self
                    .numbers
                    .entry((filter.key, value.clone()))
                    .or_insert_with(|| {
                        values.push(value.clone());
                        values.len() - 1
                    });
                numbers.push((key, number));
            }
        }
        self.cases.push(numbers);
    }

    /// The bits a case's values of key `key` take: a bit per value when a case may have
    /// several, else the value's number plus one (0 for none) in as few bits as hold it.
    fn bits(&self, key: usize) -> u32 {
        let values = self.keys[key].values.len() as u32;
        if self.multiple[key] {
            values
        } else {
            u32::BITS - values.leading_zeros()
        }
    }

    fn columns(&self) -> Vec<FilterColumn<'_>> {
        (0..self.keys.len())
            .map(|key| FilterColumn {
                key: self.keys[key].key,
                values: &self.keys[key].values,
                bits: self.bits(key),
                multiple: self.multiple[key],
            })
            .collect()
    }

    /// Every case's values, case after case and key after key, each key's
    /// [`bits`](Self::bits) lowest first, packed into bytes lowest bit first.
    fn packed(&self) -> Vec<u8> {
        let mut bits = BitWriter::default();
        for values in &self.cases {
            for key in 0..self.keys.len() {
                let width = self.bits(key);
                let mut field = vec![false; width as usize];
                for &(k, v) in values.iter().filter(|(k, _)| *k == key) {
                    if self.multiple[k] {
                        field[v] = true;
                    } else {
                        field = (0..width).map(|bit| (v + 1) >> bit & 1 == 1).collect();
                    }
                }
                field.into_iter().for_each(|bit| bits.push(bit));
            }
        }
        bits.bytes
    }
}

/// Bits into bytes, lowest bit first.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    count: usize,
}

impl BitWriter {
    fn push(&mut self, bit: bool) {
        if self.count.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if let Some(last) = self.bytes.last_mut().filter(|_| bit) {
            *last |= 1 << (self.count % 8);
        }
        self.count += 1;
    }
}

/// A case's token count in one byte, on a log scale (eight steps to a doubling), which
/// is all the ranking's length normalisation needs: `search.js` reads 2^(q/8) − 1.
fn quantized_length(length: u32) -> u8 {
    ((f64::from(length) + 1.0).log2() * 8.0)
        .round()
        .clamp(0.0, 255.0) as u8
}

/// Each token's postings: for every case holding it (ascending), the case number as the
/// gap from the previous one, the count of positions and the positions as gaps, all as
/// LEB128 varints.
#[derive(Default)]
struct Postings {
    /// By token; a fast hash, as every token of every case is looked up here.
    lists: FxHashMap<String, List>,
}

#[derive(Default)]
struct List {
    cases: u32,
    last: u32,
    bytes: Vec<u8>,
}

impl Postings {
    fn add(&mut self, case: u32, tokens: Vec<(String, Vec<u32>)>) {
        for (token, positions) in tokens {
            let list = self.lists.entry(token).or_default();
            push_varint(&mut list.bytes, case - list.last);
            list.last = case;
            list.cases += 1;
            push_varint(&mut list.bytes, positions.len() as u32);
            let mut previous = 0;
            for at in positions {
                push_varint(&mut list.bytes, at - previous);
                previous = at;
            }
        }
    }

    /// The shard files, each about [`SHARD_BYTES`]. Tokens go by their key (a Chinese
    /// token's first character, so that a lone character finds every token it begins;
    /// a word itself): a key whose tokens together exceed `SHARD_BYTES` (智, 数, 生 at
    /// scale) has shards of its own, its tokens spread over them by their whole hash, and
    /// is listed in the returned [`Split`]s; the other keys share shards by their hash.
    /// In each shard, its tokens in byte order, each as its length, bytes, case count,
    /// postings length and postings.
    fn shards(self) -> (Vec<Vec<u8>>, Vec<Split>) {
        let mut groups: HashMap<&str, usize> = HashMap::new();
        for (token, list) in &self.lists {
            *groups.entry(key_of(token)).or_default() += list.bytes.len();
        }
        let shared: usize = groups.values().filter(|&&b| b <= SHARD_BYTES).sum();
        let count = shared.div_ceil(SHARD_BYTES).clamp(1, MAX_SHARDS);
        let mut splits: Vec<Split> = groups
            .iter()
            .filter(|&(_, &bytes)| bytes > SHARD_BYTES)
            .map(|(&key, &bytes)| Split {
                key: key.to_string(),
                start: 0,
                parts: bytes.div_ceil(SHARD_BYTES) as u32,
            })
            .collect();
        splits.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let mut next = count as u32;
        for split in &mut splits {
            split.start = next;
            next += split.parts;
        }
        let mut shards: Vec<Vec<(&String, &List)>> = vec![Vec::new(); next as usize];
        for (token, list) in &self.lists {
            shards[shard_of(token, count, &splits)].push((token, list));
        }
        let files = shards
            .into_iter()
            .map(|mut tokens| {
                tokens.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut out = Vec::new();
                push_varint(&mut out, tokens.len() as u32);
                for (token, list) in tokens {
                    push_varint(&mut out, token.len() as u32);
                    out.extend_from_slice(token.as_bytes());
                    push_varint(&mut out, list.cases);
                    push_varint(&mut out, list.bytes.len() as u32);
                    out.extend_from_slice(&list.bytes);
                }
                out
            })
            .collect();
        (files, splits)
    }
}

/// A key with shards of its own: shards `start` to `start + parts - 1`.
struct Split {
    key: String,
    start: u32,
    parts: u32,
}

/// The key a token is sharded by: a Chinese token's first character, a word itself.
fn key_of(token: &str) -> &str {
    match token.chars().next() {
        Some(c) if is_han(c) => &token[..c.len_utf8()],
        _ => token,
    }
}

/// FNV-1a, as `search.js` computes it.
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// The shard of a token: among its key's own shards by the token's hash when the key is
/// split, else among the `count` shared ones by the key's hash.
fn shard_of(token: &str, count: usize, splits: &[Split]) -> usize {
    let key = key_of(token);
    match splits.binary_search_by(|s| s.key.as_str().cmp(key)) {
        Ok(i) => (splits[i].start + fnv1a(token) % splits[i].parts) as usize,
        Err(_) => fnv1a(key) as usize % count,
    }
}

fn push_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Elements that start a new block of text: a space goes before each.
const BLOCKS: &str =
    "p, li, h1, h2, h3, h4, h5, h6, td, th, pre, blockquote, dt, dd, div, br, figcaption";

/// The text of an HTML fragment, a space between blocks.
fn html_text(html: &str) -> String {
    let out = std::cell::RefCell::new(String::with_capacity(html.len() / 2));
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!(BLOCKS, |_| {
            out.borrow_mut().push(' ');
            Ok(())
        }))
        .append_document_content_handler(doc_text!(|t| {
            out.borrow_mut().push_str(&decode_entities(t.as_str()));
            Ok(())
        }));
    // The body was rendered and sanitised by anli itself: it always parses.
    let _ = rewrite_str(html, settings);
    out.into_inner()
}

/// Undoes the escaping of HTML text: named entities of markup and numeric ones.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest
            .find(';')
            .filter(|&end| end <= 10)
            .map(|end| &rest[1..end]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            _ => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        });
        match (decoded, entity) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a character is a Chinese ideograph (the characters indexed as bigrams).
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF)
}

/// Calls `each(token, position)` for every index token of `text`, numbering positions
/// from `next`, and returns the position after the last: each Chinese character as the
/// bigram it starts (the last of a run alone), each run of ASCII letters and digits as a
/// lower-cased word. `search.js` tokenises queries and excerpts exactly so.
fn tokenize<'a>(text: &'a str, mut next: u32, mut each: impl FnMut(Cow<'a, str>, u32)) -> u32 {
    // The current word: where it starts and whether it needs folding.
    let mut word: Option<(usize, bool)> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let ascii = fold::fold_char(c);
        if ascii.is_ascii_alphanumeric() {
            let (_, folded) = word.get_or_insert((at, false));
            *folded |= ascii != c || ascii.is_ascii_uppercase();
            continue;
        }
        if let Some((start, folded)) = word.take() {
            each(word_token(&text[start..at], folded), next);
            next += 1;
        }
        if is_han(c) {
            let end = match chars.peek() {
                Some(&(after, n)) if is_han(n) => after + n.len_utf8(),
                _ => at + c.len_utf8(),
            };
            each(Cow::Borrowed(&text[at..end]), next);
            next += 1;
        }
    }
    if let Some((start, folded)) = word {
        each(word_token(&text[start..], folded), next);
        next += 1;
    }
    next
}

fn word_token(raw: &str, folded: bool) -> Cow<'_, str> {
    if folded {
        Cow::Owned(
            raw.chars()
                .map(|c| fold::fold_char(c).to_ascii_lowercase())
                .collect(),
        )
    } else {
        Cow::Borrowed(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn tokens(text: &str) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        tokenize(text, 0, |token, at| out.push((token.into_owned(), at)));
        out
    }

    #[test]
    fn chinese_becomes_overlapping_bigrams_and_ascii_runs_words() {
        let found: Vec<String> = tokens("智能排产，5G专网 提升32.5%（示例）ＭＥＳ")
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(
            found,
            [
                "智能", "能排", "排产", "产", "5g", "专网", "网", "提升", "升", "32", "5", "示例",
                "例", "mes"
            ]
        );
        let positions: Vec<u32> = tokens("甲乙 a").into_iter().map(|(_, at)| at).collect();
        assert_eq!(positions, [0, 1, 2], "separators take no position");
    }

    #[test]
    fn entities_decode_and_blocks_are_spaced() {
        assert_eq!(
            decode_entities("a&amp;b &lt;c&gt; &#20013;&#x6587; &bogus; &"),
            "a&b <c> 中文 &bogus; &"
        );
        assert_eq!(
            squeeze_spaces(&html_text("<p>甲<b>乙</b></p><p>丙&amp;</p>")),
            "甲乙 丙&"
        );
    }

    /// Reads one varint at `at`, moving past it.
    fn varint(bytes: &[u8], at: &mut usize) -> u32 {
        let mut n = 0;
        let mut shift = 0;
        loop {
            let byte = bytes[*at];
            *at += 1;
            n |= u32::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    #[test]
    fn postings_round_trip_through_a_shard() {
        let mut postings = Postings::default();
        postings.add(
            0,
            vec![("智能".into(), vec![3, 200]), ("mes".into(), vec![1])],
        );
        postings.add(7, vec![("智能".into(), vec![5])]);
        let (shards, splits) = postings.shards();
        assert_eq!(shards.len(), 1);
        assert!(splits.is_empty());
        let bytes = &shards[0];
        let mut at = 0;
        assert_eq!(varint(bytes, &mut at), 2, "two tokens");
        let mut read = BTreeMap::new();
        for _ in 0..2 {
            let length = varint(bytes, &mut at) as usize;
            let token = std::str::from_utf8(&bytes[at..at + length])
                .unwrap()
                .to_string();
            at += length;
            let cases = varint(bytes, &mut at);
            let end = varint(bytes, &mut at) as usize + at;
            let mut case = 0;
            let mut list = Vec::new();
            for _ in 0..cases {
                case += varint(bytes, &mut at);
                let mut position = 0;
                let positions: Vec<u32> = (0..varint(bytes, &mut at))
                    .map(|_| {
                        position += varint(bytes, &mut at);
                        position
                    })
                    .collect();
                list.push((case, positions));
            }
            assert_eq!(at, end);
            read.insert(token, list);
        }
        assert_eq!(read["智能"], [(0, vec![3, 200]), (7, vec![5])]);
        assert_eq!(read["mes"], [(0, vec![1])]);
    }

    #[test]
    fn a_chinese_token_goes_to_the_shard_of_its_first_character() {
        assert_eq!(shard_of("智能", 97, &[]), shard_of("智", 97, &[]));
        assert_eq!(shard_of("智慧", 97, &[]), shard_of("智", 97, &[]));
        // A key split in three: its tokens over its own shards 97 to 99.
        let splits = [Split {
            key: "智".into(),
            start: 97,
            parts: 3,
        }];
        let spread: HashSet<usize> = ["智能", "智慧", "智造", "智库", "智", "智控"]
            .iter()
            .map(|t| shard_of(t, 97, &splits))
            .collect();
        assert!(spread.iter().all(|s| (97..100).contains(s)) && spread.len() > 1);
        assert_eq!(shard_of("数字", 97, &splits), shard_of("数", 97, &[]));
    }
}
