//! The rows of a list as cases: each cell read into its field through the vocabularies
//! (推荐单位 → region, 场景名称 → typical scenario, 揭榜任务 → industry), every problem
//! reported at its cell, all at once.

use crate::base::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::base::source::Pos;
use crate::input::sheet::{Merge, Sheet, SheetRow, column_name};
use crate::input::taxonomy::{Kind, Taxonomies, Taxonomy, TermId};
use crate::model::CaseKind;

use super::columns::{Columns, Field};

/// One row read as a case.
#[derive(Debug, Clone)]
pub struct Record {
    /// Its row number in the list.
    pub row: usize,
    pub unit: String,
    /// `None` when the list has no title column: the file keeps a placeholder.
    pub title: Option<String>,
    /// `None` for a 中央企业 whose province the list does not say.
    pub region: Option<TermId>,
    pub city: Option<String>,
    pub recommender: Option<String>,
    pub industry: Option<TermId>,
    pub scenarios: Vec<TermId>,
    pub level: Option<TermId>,
}

/// What the whole list is imported as.
pub struct Defaults {
    pub kind: CaseKind,
    /// `--level`, or 示范工厂 for a factory list of 2021–2023.
    pub level: Option<TermId>,
}

/// The rows read, and the problems found.
pub struct Read {
    pub records: Vec<Record>,
    /// Rows below the header that hold no case (group headings such as 一、原材料).
    pub skipped: Vec<usize>,
    /// Rows with an error, left out of `records`.
    pub bad: Vec<usize>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads every row under the header.
pub fn read(
    sheet: &Sheet,
    columns: &Columns,
    taxonomies: &Taxonomies,
    defaults: &Defaults,
) -> Read {
    let mut reader = RowReader {
        sheet,
        columns,
        taxonomies,
        defaults,
        diagnostics: Vec::new(),
    };
    let rows = reader.unmerged(&sheet.rows[columns.header + 1..]);
    let mut read = Read {
        records: Vec::new(),
        skipped: Vec::new(),
        bad: Vec::new(),
        diagnostics: Vec::new(),
    };
    for row in &rows {
        if !reader.holds_a_case(row) {
            read.skipped.push(row.number);
            continue;
        }
        let errors_before = reader.errors();
        let record = reader.record(row);
        let duplicate = record.as_ref().and_then(|r| {
            read.records
                .iter()
                .find(|other| other.unit == r.unit && same_name(other, r))
        });
        if let (Some(record), Some(first)) = (&record, duplicate) {
            let column = columns.column(Field::Unit).unwrap_or(0);
            reader.report(
                Severity::Error,
                "import-duplicate-row",
                row.number,
                column,
                format!(
                    "第 {} 行与第 {} 行重复：同一单位“{}”、同一名称",
                    row.number, first.row, record.unit
                ),
                "删除重复的一行；若确是两个案例，请让名称有所区别",
            );
        }
        match record {
            Some(record) if reader.errors() == errors_before => read.records.push(record),
            _ => read.bad.push(row.number),
        }
    }
    read.diagnostics = reader.diagnostics;
    read
}

/// Whether two rows name the same case: the same title, or without titles the same
/// scenarios.
fn same_name(a: &Record, b: &Record) -> bool {
    match (&a.title, &b.title) {
        (Some(x), Some(y)) => x == y,
        _ => a.scenarios == b.scenarios,
    }
}

struct RowReader<'a> {
    sheet: &'a Sheet,
    columns: &'a Columns,
    taxonomies: &'a Taxonomies,
    defaults: &'a Defaults,
    diagnostics: Vec<Diagnostic>,
}

impl RowReader<'_> {
    fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    fn report(
        &mut self,
        severity: Severity,
        code: &'static str,
        row: usize,
        column: usize,
        message: String,
        help: &str,
    ) {
        let pos = Pos {
            line: row,
            column: column + 1,
        };
        let mut d = Diagnostic::new(severity, code, &self.sheet.name, pos, message).help(help);
        d.column_name = Some(column_name(column));
        self.diagnostics.push(d);
    }

    /// The rows with each merged block's value written into every cell it covers (lists
    /// often merge one 推荐单位 over a province's rows), each block reported once so the
    /// editor can check the reading.
    fn unmerged(&mut self, rows: &[SheetRow]) -> Vec<SheetRow> {
        let mut rows: Vec<SheetRow> = rows
            .iter()
            .map(|r| SheetRow {
                number: r.number,
                cells: r.cells.clone(),
            })
            .collect();
        let first = rows.first().map_or(usize::MAX, |r| r.number);
        let blocks: Vec<&Merge> = self
            .sheet
            .merged
            .iter()
            .filter(|m| *m.rows.start() >= first && m.rows.start() != m.rows.end())
            .collect();
        for merge in blocks {
            let column = *merge.columns.start();
            let value = rows
                .iter()
                .find(|r| r.number == *merge.rows.start())
                .map(|r| r.cell(column).to_string())
                .unwrap_or_default();
            for row in rows.iter_mut().filter(|r| merge.rows.contains(&r.number)) {
                for c in merge.columns.clone() {
                    if row.cells.len() <= c {
                        row.cells.resize(c + 1, String::new());
                    }
                    row.cells[c] = if c == column {
                        value.clone()
                    } else {
                        String::new()
                    };
                }
            }
            let range = format!(
                "{}{}:{}{}",
                column_name(column),
                merge.rows.start(),
                column_name(*merge.columns.end()),
                merge.rows.end()
            );
            self.report(
                Severity::Warning,
                "import-merged-cells",
                *merge.rows.start(),
                column,
                format!(
                    "{range} 是合并单元格：“{value}”已用于第 {}–{} 行",
                    merge.rows.start(),
                    merge.rows.end()
                ),
                "请核对这几行的取值；取消合并、在每行填写各自的值可避免误读",
            );
        }
        rows
    }

    /// A row holds a case when its unit cell is filled or two of its known columns are;
    /// others (a group heading, a note) are skipped.
    fn holds_a_case(&self, row: &SheetRow) -> bool {
        let filled = |field: Field| {
            self.columns
                .column(field)
                .is_some_and(|c| !row.cell(c).is_empty())
        };
        let known = self
            .columns
            .mapped
            .iter()
            .filter(|(f, c, _)| {
                !matches!(f, Field::Seq | Field::Ignore) && !row.cell(*c).is_empty()
            })
            .count();
        filled(Field::Unit) || known >= 2
    }

    /// A required cell's text; an empty one is reported.
    fn required(&mut self, row: &SheetRow, field: Field) -> Option<(usize, String)> {
        let column = self.columns.column(field)?;
        let value = row.cell(column).to_string();
        if value.is_empty() {
            let heading = self.columns.heading(column).to_string();
            self.report(
                Severity::Error,
                "import-empty-cell",
                row.number,
                column,
                format!("第 {} 行的“{heading}”是空的", row.number),
                "填写这个单元格，或删除这一行（也可用 --skip-bad-rows 跳过有错的行）",
            );
            return None;
        }
        Some((column, value))
    }

    fn optional(&self, row: &SheetRow, field: Field) -> Option<(usize, String)> {
        let column = self.columns.column(field)?;
        let value = row.cell(column);
        (!value.is_empty()).then(|| (column, value.to_string()))
    }

    fn record(&mut self, row: &SheetRow) -> Option<Record> {
        let unit = self.required(row, Field::Unit);
        let title = match self.columns.column(Field::Title) {
            Some(_) => Some(self.required(row, Field::Title)?.1),
            None => None,
        };
        let place = self
            .required(row, Field::Recommender)
            .and_then(|(column, value)| self.place(row.number, column, &value));
        let (_, unit) = unit?;
        let mut place = place?;
        if let Some((_, city)) = self.optional(row, Field::City) {
            place.city = Some(city);
        }
        if place.region.is_none() {
            place.region = self.region_from_unit(row, &unit);
        }
        let industry = self.industry(row)?;
        let scenarios = self.scenarios(row, title.as_deref())?;
        let level = self.level(row)?;
        Some(Record {
            row: row.number,
            unit,
            title,
            region: place.region,
            city: place.city,
            recommender: place.recommender,
            industry,
            scenarios,
            level,
        })
    }

    /// Region, city and recommender from a 推荐单位 (or 省份) cell.
    fn place(&mut self, row: usize, column: usize, value: &str) -> Option<Place> {
        let regions = &self.taxonomies.regions;
        if let Some(place) = place_of(regions, value) {
            return Some(place);
        }
        // A misspelt province is in the head of the text: 广冬省工业和信息化厅 → 广冬省.
        let head = value
            .find(['省', '市', '区'])
            .map_or(value, |at| &value[..at + '省'.len_utf8()]);
        let help = match suggestion(regions, head) {
            Some(s) => format!("是否要写“{s}”？"),
            None => format!(
                "推荐单位应以省级地区或计划单列市开头（如 江苏省工业和信息化厅、宁波市），\
                 见 content/_taxonomies/{}",
                Kind::Region.file_name()
            ),
        };
        self.report(
            Severity::Error,
            "import-unknown-term",
            row,
            column,
            format!("第 {row} 行：从推荐单位“{value}”看不出是哪个地区"),
            &help,
        );
        None
    }

    /// A 中央企业's province, when its unit's name holds one; reported either way.
    fn region_from_unit(&mut self, row: &SheetRow, unit: &str) -> Option<TermId> {
        let regions = &self.taxonomies.regions;
        let found = term_in(regions, unit, 2);
        let column = self.columns.column(Field::Unit).unwrap_or(0);
        let (message, help) = match found {
            Some(id) => (
                format!(
                    "第 {} 行是中央企业：地区按单位名称取为“{}”",
                    row.number,
                    regions.term(id).name
                ),
                "请核对工厂（或场景）所在的省份",
            ),
            None => (
                format!("第 {} 行是中央企业：名单没有写所在省份", row.number),
                "导入后在案例文件的 region 中填写工厂（或场景）所在的省份",
            ),
        };
        self.report(
            Severity::Warning,
            "import-region-unknown",
            row.number,
            column,
            message,
            help,
        );
        found
    }

    /// The industry from its column (an error when unknown) or, failing that, the
    /// 揭榜任务 (`汽车行业智能制造示范工厂` → 汽车; nothing when none is named).
    fn industry(&mut self, row: &SheetRow) -> Option<Option<TermId>> {
        let industries = &self.taxonomies.industries;
        if let Some((column, value)) = self.optional(row, Field::Industry) {
            let bare = value.trim_end_matches("行业").trim_end_matches('业');
            let found = [value.as_str(), bare]
                .iter()
                .find_map(|v| industries.resolve(v).ok())
                .or_else(|| term_in(industries, &value, 2));
            return match found {
                Some(id) => Some(Some(id)),
                None => {
                    self.unknown(row.number, column, Kind::Industry, &value);
                    None
                }
            };
        }
        Some(
            self.optional(row, Field::Task)
                .and_then(|(_, task)| term_in(industries, &task, 2)),
        )
    }

    /// A scenario list's typical scenarios: from their column (several may be separated
    /// by 、，；/), or else from the title; either way a term's name or alias, or one
    /// written inside (`基于数字孪生的车间智能排产` → 车间智能排产).
    fn scenarios(&mut self, row: &SheetRow, title: Option<&str>) -> Option<Vec<TermId>> {
        if self.defaults.kind != CaseKind::Scenario {
            return Some(Vec::new());
        }
        let scenarios = &self.taxonomies.scenarios;
        let (column, text, whole) = match self.optional(row, Field::Scenario) {
            Some((column, text)) => (column, text, false),
            None => match (title, self.columns.column(Field::Title)) {
                (Some(title), Some(column)) => (column, title.to_string(), true),
                _ => return Some(Vec::new()),
            },
        };
        let parts: Vec<&str> = if whole {
            vec![text.as_str()]
        } else {
            text.split(['、', '，', ',', '；', ';', '/', '／'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        };
        let mut found = Vec::new();
        for part in parts {
            match scenarios
                .resolve(part)
                .ok()
                .or_else(|| term_in(scenarios, part, 4))
            {
                Some(id) if !found.contains(&id) => found.push(id),
                Some(_) => {}
                None => {
                    self.unknown(row.number, column, Kind::Scenario, part);
                    return None;
                }
            }
        }
        Some(found)
    }

    fn level(&mut self, row: &SheetRow) -> Option<Option<TermId>> {
        let Some((column, value)) = self.optional(row, Field::Level) else {
            return Some(self.defaults.level);
        };
        if self.defaults.kind != CaseKind::Factory {
            return Some(None);
        }
        let levels = &self.taxonomies.levels;
        match levels
            .resolve(&value)
            .ok()
            .or_else(|| term_in(levels, &value, 3))
        {
            Some(id) => Some(Some(id)),
            None => {
                self.unknown(row.number, column, Kind::Level, &value);
                None
            }
        }
    }

    fn unknown(&mut self, row: usize, column: usize, kind: Kind, value: &str) {
        let taxonomy = self.taxonomies.get(kind);
        let help = match suggestion(taxonomy, value) {
            Some(s) => format!("是否要写“{s}”？改正名单，或在词表中给这个词条加别名"),
            None => format!(
                "请使用 content/_taxonomies/{} 中的名称或别名（如 {}），或在词表中增加这个词条或别名",
                kind.file_name(),
                taxonomy.examples()
            ),
        };
        self.report(
            Severity::Error,
            "import-unknown-term",
            row,
            column,
            format!("第 {row} 行：未知的{}“{value}”", kind.label()),
            &help,
        );
    }
}

/// Where a case is, as the recommending unit says.
#[derive(Debug, PartialEq)]
struct Place {
    region: Option<TermId>,
    city: Option<String>,
    recommender: Option<String>,
}

/// Reads a 推荐单位 (or a province): a recommending unit of its own (宁波市 → 浙江省 with
/// the city kept; 新疆生产建设兵团; 中央企业 with no province), a region's name or alias,
/// or a text that starts with one (江苏省工业和信息化厅 → 江苏省).
fn place_of(regions: &Taxonomy, value: &str) -> Option<Place> {
    for recommender in &regions.recommenders {
        let name = recommender.name.as_str();
        let short = name.trim_end_matches('市');
        if value.starts_with(name) || (short.chars().count() >= 2 && value.starts_with(short)) {
            return Some(Place {
                region: recommender
                    .region
                    .as_deref()
                    .and_then(|r| regions.resolve(r).ok()),
                city: name.ends_with('市').then(|| name.to_string()),
                recommender: Some(name.to_string()),
            });
        }
    }
    let region = regions
        .resolve(value)
        .ok()
        .or_else(|| longest_name(regions, 2, |n| value.starts_with(n)))?;
    Some(Place {
        region: Some(region),
        city: None,
        recommender: None,
    })
}

/// The name a misspelt value most likely means: the vocabulary's own suggestion, or a
/// name holding a near copy of the value (智能牌产 → 车间智能排产).
fn suggestion(taxonomy: &Taxonomy, value: &str) -> Option<String> {
    if let Some(found) = taxonomy.resolve(value).err().and_then(|u| u.suggestion) {
        return Some(found);
    }
    let length = value.chars().count();
    taxonomy.terms.iter().find_map(|term| {
        let names = std::iter::once(&term.name).chain(&term.aliases);
        let windows: Vec<String> = names
            .flat_map(|name| {
                let chars: Vec<char> = name.chars().collect();
                chars
                    .windows(length.min(chars.len()).max(1))
                    .map(|w| w.iter().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect();
        did_you_mean(value, windows.iter().map(String::as_str)).map(|_| term.name.clone())
    })
}

/// The term whose name or alias (of `min_chars` characters or more) `text` holds; the
/// longest wins, then the first in the vocabulary.
fn term_in(taxonomy: &Taxonomy, text: &str, min_chars: usize) -> Option<TermId> {
    longest_name(taxonomy, min_chars, |n| text.contains(n))
}

fn longest_name(
    taxonomy: &Taxonomy,
    min_chars: usize,
    fits: impl Fn(&str) -> bool,
) -> Option<TermId> {
    let mut best: Option<(usize, TermId)> = None;
    for (id, term) in taxonomy.terms.iter().enumerate() {
        for name in std::iter::once(&term.name).chain(&term.aliases) {
            let len = name.chars().count();
            if len >= min_chars && fits(name) && best.is_none_or(|(l, _)| len > l) {
                best = Some((len, id));
            }
        }
    }
    best.map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::input::taxonomy::builtin as taxonomies;

    #[test]
    fn recommending_units_give_region_city_and_recommender() {
        let t = taxonomies();
        let r = &t.regions;
        let name = |p: Place| p.region.map(|id| r.term(id).name.clone());
        assert_eq!(
            name(place_of(r, "江苏省工业和信息化厅").unwrap()).as_deref(),
            Some("江苏省")
        );
        assert_eq!(
            name(place_of(r, "江苏").unwrap()).as_deref(),
            Some("江苏省")
        );
        assert_eq!(
            name(place_of(r, "内蒙古自治区工业和信息化厅").unwrap()).as_deref(),
            Some("内蒙古自治区")
        );
        let ningbo = place_of(r, "宁波市经济和信息化局").unwrap();
        assert_eq!(ningbo.city.as_deref(), Some("宁波市"));
        assert_eq!(ningbo.recommender.as_deref(), Some("宁波市"));
        assert_eq!(name(ningbo).as_deref(), Some("浙江省"));
        let corps = place_of(r, "新疆生产建设兵团工业和信息化局").unwrap();
        assert_eq!(corps.recommender.as_deref(), Some("新疆生产建设兵团"));
        assert_eq!(name(corps).as_deref(), Some("新疆维吾尔自治区"));
        let central = place_of(r, "中央企业").unwrap();
        assert_eq!(
            (central.region, central.recommender.as_deref()),
            (None, Some("中央企业"))
        );
        assert!(place_of(r, "某某省").is_none());
    }

    #[test]
    fn terms_are_found_inside_longer_names() {
        let t = taxonomies();
        let found = term_in(&t.scenarios, "基于数字孪生的车间智能排产", 4).unwrap();
        assert_eq!(t.scenarios.term(found).name, "车间智能排产");
        let found = term_in(&t.industries, "汽车行业智能制造示范工厂", 2).unwrap();
        assert_eq!(t.industries.term(found).name, "汽车");
        assert!(term_in(&t.industries, "智能制造示范工厂", 2).is_none());
    }
}
