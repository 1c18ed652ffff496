//! The case files a list becomes: a stable, readable slug per row (pinyin of the unit's
//! short name, then the scenario), matched against the files already there so a second
//! import never overwrites one, and the file text from the kind's archetype.

use std::collections::{HashMap, HashSet};

use pinyin::ToPinyin;

use crate::base::source::Spanned;
use crate::input::content::{CASE_FIELDS, RawCase, is_valid_slug};
use crate::input::taxonomy::{Kind, Taxonomies};
use crate::model::CaseKind;

use super::rows::Record;

/// What becomes of one row.
#[derive(Debug)]
pub enum Outcome {
    /// A new file at this path (`content/<kind>/<slug>.md`).
    New(String),
    /// The file that already holds the row, with the same values.
    Present(String),
    /// The file that holds the row, and the values that differ: (field, file, list).
    Changed(String, Vec<(&'static str, String, String)>),
}

/// The fields an import writes, as compared with a file: key and value, for the values
/// the row gives.
fn fields(record: &Record, year: i32, t: &Taxonomies) -> Vec<(&'static str, String)> {
    let name = |kind: Kind, id: usize| t.get(kind).term(id).name.clone();
    let mut fields = vec![("unit", record.unit.clone())];
    let optional = [
        ("title", record.title.clone()),
        ("region", record.region.map(|r| name(Kind::Region, r))),
        ("city", record.city.clone()),
        ("recommender", record.recommender.clone()),
        ("industry", record.industry.map(|i| name(Kind::Industry, i))),
        ("level", record.level.map(|l| name(Kind::Level, l))),
    ];
    fields.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
    if !record.scenarios.is_empty() {
        let names: Vec<String> = record
            .scenarios
            .iter()
            .map(|&s| name(Kind::Scenario, s))
            .collect();
        fields.push(("scenarios", names.join("、")));
    }
    fields.push(("year", year.to_string()));
    fields
}

/// The same fields of a case file, with vocabulary values as their terms' names.
fn file_fields(case: &RawCase, t: &Taxonomies) -> Vec<(&'static str, String)> {
    let f = &case.front;
    let term = |kind: Kind, v: &str| {
        t.get(kind)
            .resolve(v)
            .map_or(v.to_string(), |id| t.get(kind).term(id).name.clone())
    };
    let text = |v: &Option<Spanned<String>>| written(v).map(str::to_string);
    let scenarios: Vec<String> = f
        .scenarios
        .iter()
        .map(|s| term(Kind::Scenario, &s.value))
        .collect();
    let values = [
        ("unit", text(&f.unit)),
        ("title", text(&f.title)),
        (
            "region",
            f.region.as_ref().map(|r| term(Kind::Region, &r.value)),
        ),
        ("city", text(&f.city)),
        ("recommender", text(&f.recommender)),
        (
            "industry",
            f.industry.as_ref().map(|r| term(Kind::Industry, &r.value)),
        ),
        (
            "level",
            f.level.as_ref().map(|r| term(Kind::Level, &r.value)),
        ),
        (
            "scenarios",
            (!scenarios.is_empty()).then(|| scenarios.join("、")),
        ),
        ("year", f.year.as_ref().map(|y| y.value.to_string())),
    ];
    values
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
}

/// Decides each row's file: a file holding the same unit and title is the row's;
/// otherwise the row's slug, or the next free `-2`, `-3` … A file at a slug is the row's
/// when it has the row's unit or title (an editor may have corrected the other); files
/// claimed by earlier rows are skipped, so a list imported twice maps the same way.
pub fn plan(
    records: &[Record],
    existing: &[RawCase],
    kind: CaseKind,
    year: i32,
    t: &Taxonomies,
) -> Vec<Outcome> {
    let files = Files::new(existing, t);
    let mut claimed: HashSet<String> = HashSet::new();
    let mut outcomes = Vec::with_capacity(records.len());
    for record in records {
        let row = fields(record, year, t);
        let (unit, title) = (value(&row, "unit"), value(&row, "title"));
        let is_rows = |file: usize| {
            let own = &files.fields[file];
            value(own, "unit") == unit || (title.is_some() && value(own, "title") == title)
        };
        let mut found = files.by_name.get(&(unit, title)).and_then(|all| {
            all.iter()
                .copied()
                .find(|&f| !claimed.contains(&existing[f].slug))
        });
        if found.is_none() {
            let base = slug(record, kind, t);
            for n in 1.. {
                let slug = if n == 1 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                };
                if claimed.contains(&slug) {
                    continue;
                }
                match files.by_slug.get(slug.as_str()) {
                    None => {
                        outcomes.push(Outcome::New(format!("content/{}/{slug}.md", kind.folder())));
                        claimed.insert(slug);
                        break;
                    }
                    Some(&file) if is_rows(file) => {
                        found = Some(file);
                        break;
                    }
                    Some(_) => {}
                }
            }
        }
        let Some(file) = found else { continue };
        claimed.insert(existing[file].slug.clone());
        let own = &files.fields[file];
        let differences: Vec<(&'static str, String, String)> = row
            .iter()
            .filter_map(|(key, new)| {
                let old = value(own, key);
                (old != Some(new.as_str()))
                    .then(|| (*key, old.unwrap_or_default().to_string(), new.clone()))
            })
            .collect();
        let path = existing[file].file.path.clone();
        outcomes.push(if differences.is_empty() {
            Outcome::Present(path)
        } else {
            Outcome::Changed(path, differences)
        });
    }
    outcomes
}

/// The case files there, read once: their fields, and where to look them up.
struct Files<'a> {
    /// `fields[i]` of `existing[i]`.
    fields: Vec<Vec<(&'static str, String)>>,
    /// (unit, title) → files, in content order.
    by_name: HashMap<(Option<&'a str>, Option<&'a str>), Vec<usize>>,
    by_slug: HashMap<&'a str, usize>,
}

impl<'a> Files<'a> {
    fn new(existing: &'a [RawCase], t: &Taxonomies) -> Files<'a> {
        let fields: Vec<_> = existing.iter().map(|c| file_fields(c, t)).collect();
        let mut by_name: HashMap<_, Vec<usize>> = HashMap::new();
        for (i, case) in existing.iter().enumerate() {
            by_name
                .entry((written(&case.front.unit), written(&case.front.title)))
                .or_default()
                .push(i);
        }
        let by_slug = existing
            .iter()
            .enumerate()
            .map(|(i, c)| (c.slug.as_str(), i))
            .collect();
        Files {
            fields,
            by_name,
            by_slug,
        }
    }
}

/// A front-matter text as written, if there.
fn written(value: &Option<Spanned<String>>) -> Option<&str> {
    value.as_ref().map(|s| s.value.as_str())
}

/// The value of `key` among fields.
fn value<'v>(fields: &'v [(&'static str, String)], key: &str) -> Option<&'v str> {
    fields
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_str())
}

/// Company forms and notes left off a unit's name for its slug.
const UNIT_SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "股份公司",
    "分公司",
    "公司",
    "集团",
    "人民政府",
];

/// Longest slug an import makes, in bytes (before a `-2`).
const MAX_SLUG: usize = 60;

/// The Han characters of a unit's short name kept in its slug.
const SLUG_HAN_CHARS: usize = 6;

/// `<unit>-<scenario>` for a scenario, `<unit>` for a factory, `<city>` for a zone: the unit's name
/// without its place, company form and notes in brackets, as pinyin in two-syllable
/// words (宁波舜宇光电信息有限公司 → shunyu-guangdian-xinxi); a scenario adds its
/// term's slug.
pub fn slug(record: &Record, kind: CaseKind, t: &Taxonomies) -> String {
    // A zone is known by its city (苏州市 → suzhou) when the list gives one.
    let name = match (&record.city, kind) {
        (Some(city), CaseKind::Zone) => city.trim_end_matches('市').to_string(),
        _ => short_name(&record.unit, t),
    };
    let mut words = pinyin_words(&name);
    if kind == CaseKind::Scenario
        && let Some(&scenario) = record.scenarios.first()
    {
        words.push(t.scenarios.term(scenario).slug.clone());
    }
    let mut slug = words.join("-");
    if slug.len() > MAX_SLUG {
        // Cut at a word's end, so a long Latin name keeps whole words.
        let cut = slug[..=MAX_SLUG].rfind('-').unwrap_or(MAX_SLUG);
        slug.truncate(cut);
    }
    if is_valid_slug(&slug) {
        slug
    } else {
        format!("row-{}", record.row)
    }
}

/// A unit's name without brackets, a leading province or city, and company forms.
fn short_name(unit: &str, t: &Taxonomies) -> String {
    let mut name = String::new();
    let mut depth: u32 = 0;
    for c in unit.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => name.push(c),
            _ => {}
        }
    }
    let mut name = name.trim().to_string();
    loop {
        let before = name.clone();
        for suffix in UNIT_SUFFIXES {
            if let Some(rest) = name.strip_suffix(suffix)
                && rest.chars().count() >= 2
            {
                name = rest.to_string();
            }
        }
        if name == before {
            break;
        }
    }
    let places = t
        .regions
        .terms
        .iter()
        .flat_map(|r| std::iter::once(&r.name).chain(&r.aliases));
    let cities = t
        .regions
        .recommenders
        .iter()
        .map(|r| r.name.trim_end_matches('市'));
    let prefix = places
        .map(String::as_str)
        .chain(cities)
        .filter(|p| p.chars().count() >= 2 && name.starts_with(p))
        .max_by_key(|p| p.len());
    if let Some(prefix) = prefix {
        let rest = name[prefix.len()..].trim_start_matches(['省', '市']);
        if rest.chars().count() >= 2 {
            name = rest.to_string();
        }
    }
    name
}

/// Han characters as pinyin, two syllables to a word (at most [`SLUG_HAN_CHARS`]); runs
/// of ASCII letters and digits as words of their own, lowercased.
fn pinyin_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut syllables = 0;
    let mut ascii = String::new();
    let flush = |ascii: &mut String, words: &mut Vec<String>| {
        if !ascii.is_empty() {
            words.push(std::mem::take(ascii));
        }
    };
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            ascii.push(c.to_ascii_lowercase());
            continue;
        }
        flush(&mut ascii, &mut words);
        let Some(pinyin) = c.to_pinyin() else {
            continue;
        };
        if syllables >= SLUG_HAN_CHARS {
            break;
        }
        if syllables % 2 == 0 {
            words.push(String::new());
        }
        words
            .last_mut()
            .expect("pushed above")
            .push_str(pinyin.plain());
        syllables += 1;
    }
    flush(&mut ascii, &mut words);
    words
}

/// The text of a new case file: the archetype (placeholders filled) with the row's
/// values in their fields, a note of where they came from, and `approved` left for the
/// editor (the date a title was granted is not in the list).
pub fn render(archetype: &str, record: &Record, year: i32, source: &str, t: &Taxonomies) -> String {
    let mut lines: Vec<String> = archetype.lines().map(str::to_string).collect();
    let end = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == "---")
        .map_or(lines.len(), |p| p + 1);
    let mut front: Vec<String> = lines.drain(..end).collect();
    for (key, value) in fields(record, year, t) {
        let value = match key {
            "scenarios" => format!(
                "[{}]",
                value
                    .split('、')
                    .map(yaml_text)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "year" => value,
            _ => yaml_text(&value),
        };
        set(&mut front, key, &format!("{key}: {value}"));
    }
    if let Some(at) = find(&front, "approved") {
        front[at] =
            "# approved: YYYY-MM-DD            # 授牌日期：名单没有给出，知道时填写".to_string();
    }
    front.insert(
        1,
        format!("# 由 anli import 从 {source} 导入；带“请填写”的值仍要改掉。"),
    );
    front.extend(lines);
    let mut text = front.join("\n");
    text.push('\n');
    text
}

/// The line of a top-level key, written or commented out (`# level: …`).
fn find(front: &[String], key: &str) -> Option<usize> {
    let written = format!("{key}:");
    let commented = format!("# {key}:");
    front
        .iter()
        .position(|l| l.starts_with(&written) || l.starts_with(&commented))
}

/// Replaces the line of `key`, or adds `line` after the nearest field before it.
fn set(front: &mut Vec<String>, key: &str, line: &str) {
    if let Some(at) = find(front, key) {
        front[at] = line.to_string();
        return;
    }
    // The fields in front-matter order, as cases list them.
    let order: Vec<&str> = CASE_FIELDS.iter().map(|f| f.key).collect();
    let rank = order.iter().position(|k| *k == key).unwrap_or(order.len());
    let after = order[..rank]
        .iter()
        .rev()
        .find_map(|k| find(front, k))
        .unwrap_or(0);
    front.insert(after + 1, line.to_string());
}

/// A YAML scalar: plain when nothing in it means something to YAML, else double-quoted.
fn yaml_text(text: &str) -> String {
    let special = text.is_empty()
        || text.starts_with([
            '-', '?', '!', '&', '*', '>', '|', '%', '@', '`', '\'', '"', ' ',
        ])
        || text.contains([':', '#', '[', ']', '{', '}', ',', '\\'])
        || text
            .chars()
            .any(|c| c.is_control() || crate::base::source::is_hidden_control(c))
        || text.ends_with(' ')
        || text.parse::<f64>().is_ok()
        || matches!(text, "true" | "false" | "null" | "yes" | "no" | "~");
    if special {
        serde_json::to_string(text).expect("a string serialises")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::input::taxonomy::builtin as taxonomies;

    fn record(unit: &str, scenario: Option<&str>) -> Record {
        let t = taxonomies();
        Record {
            row: 3,
            unit: unit.to_string(),
            title: None,
            region: None,
            city: None,
            recommender: None,
            industry: None,
            scenarios: scenario
                .map(|s| t.scenarios.resolve(s).ok().unwrap())
                .into_iter()
                .collect(),
            level: None,
        }
    }

    #[test]
    fn slugs_are_pinyin_of_the_short_name_then_the_scenario() {
        let t = taxonomies();
        let slug = |unit, scenario, kind| slug(&record(unit, scenario), kind, t);
        assert_eq!(
            slug("宁波舜宇光电信息有限公司", None, CaseKind::Factory),
            "shunyu-guangdian-xinxi"
        );
        assert_eq!(
            slug(
                "华东某电气股份有限公司（示例）",
                Some("车间智能排产"),
                CaseKind::Scenario
            ),
            "huadong-moudian-qi-smart-scheduling"
        );
        assert_eq!(
            slug("TCL华星光电技术有限公司", None, CaseKind::Factory),
            "tcl-huaxing-guangdian-jishu"
        );
        assert_eq!(slug("江苏省某某集团", None, CaseKind::Factory), "moumou");
        assert_eq!(slug("（）", None, CaseKind::Factory), "row-3");
    }

    #[test]
    fn long_latin_names_make_slugs_of_whole_words() {
        let t = taxonomies();
        let unit =
            "Zhejiang Northern Precision Bearing Manufacturing Company Limited Branch Office";
        let slug = slug(&record(unit, None), CaseKind::Factory, t);
        assert_eq!(
            slug,
            "zhejiang-northern-precision-bearing-manufacturing-company"
        );
    }

    proptest::proptest! {
        /// Whatever a cell holds, the file's front matter reads back the same unit and
        /// title.
        #[test]
        fn any_cell_text_reads_back_from_the_written_file(unit in "\\PC{1,40}", title in "\\PC{1,40}") {
            let t = taxonomies();
            let unit = unit.split_whitespace().collect::<Vec<_>>().join(" ");
            let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assume!(!unit.is_empty() && !title.is_empty());
            let mut row = record(&unit, None);
            row.title = Some(title.clone());
            let archetype = "---\ntitle: x\nunit: x\nyear: 1\n---\n\n## 企业概况\n";
            let text = render(archetype, &row, 2023, "名单.csv 第 3 行", t);
            let front = text.split("---\n").nth(1).unwrap();
            let value: serde_yaml::Value = serde_yaml::from_str(front).unwrap();
            proptest::prop_assert_eq!(value["unit"].as_str(), Some(unit.as_str()));
            proptest::prop_assert_eq!(value["title"].as_str(), Some(title.as_str()));
        }
    }

    #[test]
    fn values_that_mean_something_to_yaml_are_quoted() {
        assert_eq!(yaml_text("某某电气有限公司"), "某某电气有限公司");
        assert_eq!(yaml_text("A: B"), "\"A: B\"");
        assert_eq!(yaml_text("2023"), "\"2023\"");
        assert_eq!(yaml_text("#1 工厂"), "\"#1 工厂\"");
    }
}
