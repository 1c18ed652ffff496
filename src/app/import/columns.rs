//! Which column of a list holds what: the header row is the first that names a unit
//! column and one more known column, by the headings official lists use, the site's own
//! (`import.columns` in `site.yaml`) or the command line's (`--columns`).

use crate::base::diagnostics::Diagnostic;
use crate::base::source::Pos;
use crate::input::sheet::Sheet;

/// What a column fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Seq,
    Recommender,
    City,
    Unit,
    Title,
    Scenario,
    Industry,
    Task,
    Level,
    Ignore,
}

impl Field {
    /// By its key in `site.yaml` and `--columns` (`crate::input::config::IMPORT_FIELDS`).
    pub fn from_key(key: &str) -> Option<Field> {
        Some(match key {
            "seq" => Field::Seq,
            "recommender" | "region" => Field::Recommender,
            "city" => Field::City,
            "unit" => Field::Unit,
            "title" => Field::Title,
            "scenario" => Field::Scenario,
            "industry" => Field::Industry,
            "task" => Field::Task,
            "level" => Field::Level,
            "ignore" => Field::Ignore,
            _ => return None,
        })
    }

    /// The usual heading, for messages.
    pub fn heading(self) -> &'static str {
        HEADINGS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(h, _)| h)
    }
}

/// Headings of the programme's lists (公示名单, 公告) and their spreadsheets, first the
/// one messages use for each field.
const HEADINGS: &[(&str, Field)] = &[
    ("序号", Field::Seq),
    ("编号", Field::Seq),
    ("推荐单位", Field::Recommender),
    ("推荐地区", Field::Recommender),
    ("推荐省份", Field::Recommender),
    ("推荐部门", Field::Recommender),
    ("省份", Field::Recommender),
    ("所在省份", Field::Recommender),
    ("地区", Field::Recommender),
    ("所在地区", Field::Recommender),
    ("省(区、市)", Field::Recommender),
    ("省(区、市、兵团)", Field::Recommender),
    ("城市", Field::City),
    ("所在城市", Field::City),
    ("地市", Field::City),
    ("所在地市", Field::City),
    ("企业名称", Field::Unit),
    ("单位名称", Field::Unit),
    ("企业", Field::Unit),
    ("单位", Field::Unit),
    ("申报单位", Field::Unit),
    ("揭榜单位", Field::Unit),
    ("牵头单位", Field::Unit),
    ("申报主体", Field::Unit),
    ("名称", Field::Title),
    ("场景名称", Field::Title),
    ("示范工厂名称", Field::Title),
    ("工厂名称", Field::Title),
    ("智能工厂名称", Field::Title),
    ("项目名称", Field::Title),
    ("先行区名称", Field::Title),
    ("典型场景", Field::Scenario),
    ("典型场景名称", Field::Scenario),
    ("场景类型", Field::Scenario),
    ("所属场景", Field::Scenario),
    ("行业", Field::Industry),
    ("所属行业", Field::Industry),
    ("行业领域", Field::Industry),
    ("细分行业", Field::Industry),
    ("行业类别", Field::Industry),
    ("揭榜任务", Field::Task),
    ("揭榜方向", Field::Task),
    ("级别", Field::Level),
    ("层级", Field::Level),
    ("备注", Field::Ignore),
];

/// How many rows from the top the header is looked for in (a list may start with its
/// title, a date and notes).
const HEADER_SEARCH_ROWS: usize = 30;

/// The header row and the field of each of its columns.
#[derive(Debug)]
pub struct Columns {
    /// Index into `sheet.rows` of the header row.
    pub header: usize,
    /// Spreadsheet row number of the header.
    pub header_row: usize,
    /// (field, column from 0, heading as written), in column order.
    pub mapped: Vec<(Field, usize, String)>,
}

impl Columns {
    /// The first column that fills `field`.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.mapped
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, c, _)| *c)
    }

    /// The heading of a column, as written in the list.
    pub fn heading(&self, column: usize) -> &str {
        self.mapped
            .iter()
            .find(|(_, c, _)| *c == column)
            .map_or("", |(_, _, h)| h.as_str())
    }
}

/// A heading as compared: without spaces, line breaks, `*` marks of required columns,
/// with full-width brackets as ASCII ones.
fn normalise(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// The field a heading names: the site's or command line's own first (`own`, later
/// entries winning), then the usual ones.
fn field_of(heading: &str, own: &[(String, Field)]) -> Option<Field> {
    let heading = normalise(heading);
    own.iter()
        .rev()
        .find(|(h, _)| normalise(h) == heading)
        .map(|(_, f)| *f)
        .or_else(|| {
            HEADINGS
                .iter()
                .find(|(h, _)| normalise(h) == heading)
                .map(|(_, f)| *f)
        })
}

/// Finds the header row of `sheet`. `own` maps headings to fields (site.yaml, then
/// `--columns`).
pub fn find(sheet: &Sheet, own: &[(String, Field)]) -> Result<Columns, Diagnostic> {
    for (index, row) in sheet.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let mut mapped: Vec<(Field, usize, String)> = Vec::new();
        for (column, cell) in row.cells.iter().enumerate() {
            if let Some(field) = field_of(cell, own)
                && !mapped
                    .iter()
                    .any(|(f, _, _)| *f == field && field != Field::Ignore)
            {
                mapped.push((field, column, cell.clone()));
            }
        }
        let known = mapped
            .iter()
            .filter(|(f, _, _)| !matches!(f, Field::Seq | Field::Ignore))
            .count();
        if known >= 2 && mapped.iter().any(|(f, _, _)| *f == Field::Unit) {
            return Ok(Columns {
                header: index,
                header_row: row.number,
                mapped,
            });
        }
    }
    let first = sheet.rows.first().map_or(1, |r| r.number);
    Err(Diagnostic::error(
        "import-no-header",
        &sheet.name,
        Pos {
            line: first,
            column: 1,
        },
        format!("在前 {HEADER_SEARCH_ROWS} 行中找不到表头（含“企业名称”或“单位名称”等列的一行）"),
    )
    .help(
        "表头要有单位列和至少一个其他已知列，如 序号、推荐单位、企业名称、场景名称；\
         名单用了别的列名时，用 --columns \"单位全称=unit,所在省=recommender\" 指定，\
         或写在 site.yaml 的 import.columns 中",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::sheet::SheetRow;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: "名单.xlsx:Sheet1".into(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, cells)| SheetRow {
                    number: i + 1,
                    cells: cells.iter().map(|c| c.to_string()).collect(),
                })
                .collect(),
            merged: Vec::new(),
        }
    }

    #[test]
    fn the_header_is_found_under_a_title_with_wrapped_and_marked_headings() {
        let list = sheet(&[
            &["2023年度智能制造优秀场景名单"],
            &["序号", "推荐单位", "企业\n名称*", "场景名称", "备注"],
            &[
                "1",
                "江苏省工业和信息化厅",
                "某某电气有限公司",
                "车间智能排产",
                "",
            ],
        ]);
        let columns = find(&list, &[]).unwrap();
        assert_eq!(columns.header_row, 2);
        assert_eq!(columns.column(Field::Unit), Some(2));
        assert_eq!(columns.column(Field::Recommender), Some(1));
        assert_eq!(columns.column(Field::Title), Some(3));
        assert_eq!(columns.heading(2), "企业\n名称*");
    }

    #[test]
    fn a_sites_own_headings_win_and_a_list_without_a_header_is_an_error() {
        let list = sheet(&[&["编号", "所在省", "单位全称"], &["1", "江苏", "某某公司"]]);
        let err = find(&list, &[]).unwrap_err();
        assert_eq!((err.code, err.line), ("import-no-header", 1));
        let own = [
            ("单位全称".to_string(), Field::Unit),
            ("所在省".to_string(), Field::Recommender),
        ];
        let columns = find(&list, &own).unwrap();
        assert_eq!(columns.column(Field::Unit), Some(2));
    }
}
