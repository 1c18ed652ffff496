//! The search stage: the Pagefind index of the case pages, written as the `/pagefind/`
//! bundle that the case library `/cases/` searches in the browser.
//!
//! Cases go to Pagefind as records (its `add_custom_record`), built from the model and
//! each case's rendered body, with the filters, metadata and sort key the case page also
//! carries as `data-pagefind-*` attributes. Lists and term pages are never indexed.
//!
//! **Chinese.** Pagefind segments Chinese into words at index time (ICU4X) and the browser
//! segments the query again with `Intl.Segmenter` (ICU4C); when the two disagree a query
//! silently finds nothing, and segmenting is most of the indexing time. So the index holds
//! every Chinese character position as the overlapping bigram that starts there (the last
//! character of a run as itself), which makes whole words, parts of words and names match
//! alike. `Intl.Segmenter` would split a bigram such as 能排 into two words again, so each
//! bigram is written in an alphabet it keeps whole and no case text uses: every character
//! becomes [`CODE_LEN`] Canadian syllabics (U+1401–U+166C), letters without case or
//! accents, so Pagefind's normalisation leaves them alone. The glue script of `/cases/`
//! (`themes/default/static/cases.js`) turns a query into the same tokens and turns
//! excerpts back into the original characters. Other text (`5G`, `32.5%`) stays as words.

use std::collections::BTreeMap;

use lol_html::{RewriteStrSettings, doc_text, element, rewrite_str};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;
use crate::model::{Case, Site};
use crate::output::OutputFile;
use crate::source::Pos;
use crate::taxonomy::Kind;

/// Where the bundle goes in the output.
pub const BUNDLE_DIR: &str = "pagefind";

/// The language of the index. Pages are `zh-CN`; Pagefind picks this index for them.
const LANGUAGE: &str = "zh-cn";

/// Letters per encoded character: 620² covers every code point up to U+5DD8F.
pub const CODE_LEN: usize = 2;
const LETTER_FIRST: u32 = 0x1401;
const LETTERS: u32 = 620;

/// The filter groups, in the order the case library shows them.
pub const FILTER_KEYS: [&str; 9] = [
    "kind",
    "category",
    "industry",
    "region",
    "scenario_group",
    "scenario",
    "technology",
    "year",
    "status",
];

/// What Pagefind holds of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The page's URL from the site's root: Pagefind's script puts the sub-path of its
    /// bundle in front.
    pub url: String,
    /// The searchable text, as tokens (see the module notes).
    pub content: String,
    pub meta: BTreeMap<String, String>,
    pub filters: BTreeMap<String, Vec<String>>,
    pub sort: BTreeMap<String, String>,
}

/// The values of one filter of a case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Filter {
    pub key: &'static str,
    pub values: Vec<String>,
}

/// A case's filters, in [`FILTER_KEYS`] order; a key without values is left out.
pub fn filters(site: &Site, case: &Case) -> Vec<Filter> {
    let t = &site.taxonomies;
    let name = |kind: Kind, id: usize| t.get(kind).term(id).name.clone();
    let category = site.category(case);
    let sub_industry = case.industry.filter(|&i| Some(i) != category);
    let mut groups: Vec<String> = case
        .scenarios
        .iter()
        .map(|&s| name(Kind::Scenario, t.scenarios.root_of(s)))
        .collect();
    groups.dedup();
    let scenarios = case
        .scenarios
        .iter()
        .filter(|&&s| t.scenarios.term(s).parent.is_some());
    let values = [
        vec![case.kind.short_label().to_string()],
        category
            .map(|c| name(Kind::Industry, c))
            .into_iter()
            .collect(),
        sub_industry
            .map(|i| name(Kind::Industry, i))
            .into_iter()
            .collect(),
        vec![name(Kind::Region, case.region)],
        groups,
        scenarios.map(|&s| name(Kind::Scenario, s)).collect(),
        case.technologies
            .iter()
            .map(|&id| name(Kind::Technology, id))
            .collect(),
        vec![case.year.to_string()],
        vec![case.status.label().to_string()],
    ];
    FILTER_KEYS
        .into_iter()
        .zip(values)
        .filter(|(_, v)| !v.is_empty())
        .map(|(key, mut values)| {
            let mut seen = std::collections::HashSet::new();
            values.retain(|x| seen.insert(x.clone()));
            Filter { key, values }
        })
        .collect()
}

/// The metadata a result card shows: title, unit, region, year, kind, summary and cover.
pub fn meta(site: &Site, case: &Case, summary: &str) -> BTreeMap<String, String> {
    let base = site.config.base_path();
    let url = format!("{base}/{}/{}/", case.kind.folder(), case.slug);
    let mut meta = BTreeMap::from([
        ("title".to_string(), case.title.clone()),
        ("unit".to_string(), case.unit.clone()),
        (
            "region".to_string(),
            site.taxonomies.regions.term(case.region).name.clone(),
        ),
        ("year".to_string(), case.year.to_string()),
        ("kind".to_string(), case.kind.short_label().to_string()),
        ("summary".to_string(), summary.to_string()),
    ]);
    if let Some(cover) = &case.cover {
        meta.insert("image".to_string(), format!("{url}{cover}"));
    }
    meta
}

/// The record of every listed case, in the site's order. `summaries[i]` is the card
/// summary of `site.cases[i]`.
pub fn records(site: &Site, bodies: &[Rendered], summaries: &[String]) -> Vec<Record> {
    site.listing(|_| true)
        .into_par_iter()
        .map(|i| {
            let case = &site.cases[i];
            Record {
                url: format!("/{}/{}/", case.kind.folder(), case.slug),
                content: digest(site, case, &summaries[i], &bodies[i].html),
                meta: meta(site, case, &summaries[i]),
                filters: filters(site, case)
                    .into_iter()
                    .map(|f| (f.key.to_string(), f.values))
                    .collect(),
                sort: BTreeMap::from([("year".to_string(), case.year.to_string())]),
            }
        })
        .collect()
}

/// Pagefind's weight markers: text between them counts this many times as much.
const TITLE_WEIGHT: &str = "___PAGEFIND_WEIGHT___5";
const END_WEIGHT: &str = "___END_PAGEFIND_WEIGHT___";

/// The searchable text of a case as tokens: the title (weighted), the unit, the summary,
/// its places and terms, then the body.
fn digest(site: &Site, case: &Case, summary: &str, body_html: &str) -> String {
    let t = &site.taxonomies;
    let mut head = vec![case.unit.clone(), summary.to_string()];
    head.push(t.regions.term(case.region).name.clone());
    head.extend(case.city.iter().chain(&case.cities).cloned());
    head.extend(
        site.category(case)
            .map(|c| t.industries.term(c).name.clone()),
    );
    head.extend(case.industry.map(|i| t.industries.term(i).name.clone()));
    head.extend(
        case.scenarios
            .iter()
            .map(|&s| t.scenarios.term(s).name.clone()),
    );
    head.extend(
        case.technologies
            .iter()
            .map(|&s| t.technologies.term(s).name.clone()),
    );
    let mut out = format!("{TITLE_WEIGHT} {} {END_WEIGHT} ", tokens(&case.title));
    for text in head
        .iter()
        .map(String::as_str)
        .chain([html_text(body_html).as_str()])
    {
        out.push_str(&tokens(text));
        out.push(' ');
    }
    out.truncate(out.trim_end().len());
    out
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
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF)
}

/// Full-width ASCII letters and digits (`５Ｇ`) as ASCII, as people type both.
fn fold_width(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

/// A character as [`CODE_LEN`] letters.
fn encode(c: char, out: &mut String) {
    let mut code = c as u32;
    let mut letters = [' '; CODE_LEN];
    for slot in letters.iter_mut().rev() {
        *slot = char::from_u32(LETTER_FIRST + code % LETTERS).unwrap_or(' ');
        code /= LETTERS;
    }
    out.extend(letters);
}

/// Text as index tokens separated by spaces: each Chinese character as the bigram it
/// starts (encoded), full-width punctuation one token each, and every other run of
/// characters between spaces as one word.
pub fn tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    let chars: Vec<char> = text.chars().map(fold_width).collect();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(word);
            out.push(' ');
            word.clear();
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if is_han(c) {
            flush(&mut word, &mut out);
            encode(c, &mut out);
            if let Some(&next) = chars.get(i + 1).filter(|n| is_han(**n)) {
                encode(next, &mut out);
            }
            out.push(' ');
        } else if c.is_whitespace() || c == '\u{200B}' {
            flush(&mut word, &mut out);
        } else if crate::markdown::is_cjk(c) {
            flush(&mut word, &mut out);
            out.push(c);
            out.push(' ');
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out.truncate(out.trim_end().len());
    out
}

/// The Pagefind bundle for `records`, as files under [`BUNDLE_DIR`].
pub fn bundle(records: Vec<Record>) -> Result<Vec<OutputFile>, Diagnostic> {
    let fail = |what: &str, err: &dyn std::fmt::Display| {
        Diagnostic::error(
            "search",
            BUNDLE_DIR,
            Pos::START,
            format!("生成搜索索引失败（{what}）：{err}"),
        )
        .help("这是 anli 的问题而非内容问题；可先用 --no-search 跳过索引构建，并报告此错误")
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| fail("启动", &e))?;
    runtime.block_on(async {
        let config = PagefindServiceConfig::builder()
            .force_language(LANGUAGE.to_string())
            .build();
        let mut index = PagefindIndex::new(Some(config)).map_err(|e| fail("配置", &e))?;
        for record in records {
            let url = record.url.clone();
            index
                .add_custom_record(
                    record.url,
                    record.content,
                    LANGUAGE.to_string(),
                    Some(record.meta),
                    Some(record.filters),
                    Some(record.sort),
                )
                .await
                .map_err(|e| fail(&url, &e))?;
        }
        let files = index.get_files().await.map_err(|e| fail("写出", &e))?;
        let mut files: Vec<OutputFile> = files
            .into_iter()
            .map(|f| OutputFile {
                path: format!("{BUNDLE_DIR}/{}", slash_path(&f.filename)),
                contents: f.contents,
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    })
}

fn slash_path(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(token: &str) -> String {
        let runes: Vec<u32> = token.chars().map(|c| c as u32 - LETTER_FIRST).collect();
        runes
            .chunks(CODE_LEN)
            .map(|code| char::from_u32(code.iter().fold(0, |n, d| n * LETTERS + d)).unwrap())
            .collect()
    }

    #[test]
    fn chinese_becomes_overlapping_bigrams_and_other_text_stays_words() {
        let tokens = tokens("智能排产，5G专网 提升32.5%（示例）");
        let shown: Vec<String> = tokens
            .split(' ')
            .map(|t| {
                if t.chars()
                    .all(|c| (LETTER_FIRST..LETTER_FIRST + LETTERS).contains(&(c as u32)))
                {
                    decode(t)
                } else {
                    t.to_string()
                }
            })
            .collect();
        assert_eq!(
            shown,
            [
                "智能", "能排", "排产", "产", "，", "5G", "专网", "网", "提升", "升", "32.5%",
                "（", "示例", "例", "）"
            ]
        );
    }

    #[test]
    fn full_width_letters_fold_and_entities_decode() {
        assert_eq!(tokens("５Ｇ"), "5G");
        assert_eq!(
            decode_entities("a&amp;b &lt;c&gt; &#20013;&#x6587; &bogus; &"),
            "a&b <c> 中文 &bogus; &"
        );
        assert_eq!(
            html_text("<p>甲<b>乙</b></p><p>丙&amp;</p>")
                .split_whitespace()
                .collect::<String>(),
            "甲乙丙&"
        );
    }

    #[test]
    fn every_code_point_fits_the_encoding() {
        let mut out = String::new();
        encode('\u{323AF}', &mut out);
        assert_eq!(out.chars().count(), CODE_LEN);
        assert_eq!(decode(&out), "\u{323AF}");
    }
}
