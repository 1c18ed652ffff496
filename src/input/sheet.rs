//! Name lists (公示名单) as editors receive them: one worksheet of an xlsx, xls or ods
//! workbook, or a CSV file in UTF-8 (with or without BOM) or GB18030, read into rows of
//! text that keep their row numbers and columns, so a problem is reported at its cell.

use std::ops::RangeInclusive;
use std::path::Path;

use calamine::{Data, Reader};

/// Largest list file read, in bytes: far above any real list.
const MAX_SIZE: u64 = 64 * 1024 * 1024;

/// One worksheet (or CSV file) as text.
#[derive(Debug)]
pub struct Sheet {
    /// How positions name it: `名单.xlsx:工作表1`, or a CSV file's name.
    pub name: String,
    /// The rows that hold anything, in order.
    pub rows: Vec<SheetRow>,
    /// Merged ranges (xlsx and xls record them; in ods and CSV there are none).
    pub merged: Vec<Merge>,
}

#[derive(Debug)]
pub struct SheetRow {
    /// From 1, as a spreadsheet shows it.
    pub number: usize,
    /// By column from 0 (A); cells are trimmed, empty ones are `""`.
    pub cells: Vec<String>,
}

impl SheetRow {
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }
}

/// A merged range: rows from 1, columns from 0, both inclusive.
#[derive(Debug, Clone)]
pub struct Merge {
    pub rows: RangeInclusive<usize>,
    pub columns: RangeInclusive<usize>,
}

/// The letters of a column from 0: A … Z, AA …
pub fn column_name(column: usize) -> String {
    let mut name = Vec::new();
    let mut n = column + 1;
    while n > 0 {
        let rest = (n - 1) % 26;
        name.push(b'A' + rest as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Reads `sheet` (by name; without one, every sheet that holds anything, in workbook
/// order) of the workbook at `path`, or the CSV file there. The error says, in Chinese,
/// what to do.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Vec<Sheet>, String> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let size = std::fs::metadata(path)
        .map_err(|e| format!("无法读取 {}：{e}", path.display()))?
        .len();
    if size > MAX_SIZE {
        return Err(format!(
            "{file_name} 有 {size} 字节，超过名单文件的上限 {MAX_SIZE} 字节"
        ));
    }
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "csv" | "txt" => {
            if sheet.is_some() {
                return Err("CSV 文件只有一个表，不用 --sheet".to_string());
            }
            let bytes = std::fs::read(path).map_err(|e| format!("无法读取 {file_name}：{e}"))?;
            Ok(vec![read_csv(&file_name, &bytes)?])
        }
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, &file_name, sheet),
        _ => Err(format!(
            "不认识 {file_name} 的格式：名单可以是 .xlsx、.xls、.ods 或 .csv 文件"
        )),
    }
}

fn read_workbook(path: &Path, file_name: &str, wanted: Option<&str>) -> Result<Vec<Sheet>, String> {
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        format!("无法打开 {file_name}（{e}）：文件损坏，或不是它的扩展名所说的格式")
    })?;
    let names = book.sheet_names();
    if let Some(wanted) = wanted
        && !names.iter().any(|n| n == wanted)
    {
        return Err(format!(
            "{file_name} 中没有工作表“{wanted}”；它有：{}",
            names.join("、")
        ));
    }
    let mut sheets = Vec::new();
    for name in names
        .iter()
        .filter(|n| wanted.is_none_or(|w| w == n.as_str()))
    {
        let range = book
            .worksheet_range(name)
            .map_err(|e| format!("无法读取 {file_name} 的工作表“{name}”：{e}"))?;
        let rows = rows_of(&range);
        if rows.is_empty() && wanted.is_none() {
            continue;
        }
        sheets.push(Sheet {
            name: format!("{file_name}:{name}"),
            rows,
            merged: merged_ranges(&mut book, name),
        });
    }
    if sheets.is_empty() {
        return Err(format!("{file_name} 的工作表都是空的"));
    }
    Ok(sheets)
}

/// The non-empty rows of a worksheet, with their spreadsheet row numbers.
fn rows_of(range: &calamine::Range<Data>) -> Vec<SheetRow> {
    let Some((first_row, first_column)) = range.start() else {
        return Vec::new();
    };
    range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut texts = vec![String::new(); first_column as usize];
            texts.extend(cells.iter().map(cell_text));
            SheetRow {
                number: first_row as usize + i + 1,
                cells: texts,
            }
        })
        .filter(|row| row.cells.iter().any(|c| !c.is_empty()))
        .collect()
}

/// A cell as the list shows it: whole numbers without `.0`, text trimmed.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => tidy(s),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => tidy(&other.to_string()),
    }
}

/// Trims a cell and folds the line breaks and runs of spaces a wrapped cell holds.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn merged_ranges(
    book: &mut calamine::Sheets<std::io::BufReader<std::fs::File>>,
    name: &str,
) -> Vec<Merge> {
    let dimensions = match book {
        calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => Vec::new(),
    };
    dimensions
        .into_iter()
        .map(|d| Merge {
            rows: d.start.0 as usize + 1..=d.end.0 as usize + 1,
            columns: d.start.1 as usize..=d.end.1 as usize,
        })
        .collect()
}

/// A CSV file: UTF-8 (a BOM is dropped) or, failing that, GB18030 (what Excel on a
/// Chinese Windows saves as “CSV”).
fn read_csv(file_name: &str, bytes: &[u8]) -> Result<Sheet, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or_else(|| {
                format!(
                    "{file_name} 既不是 UTF-8 也不是 GB18030 编码：请在 Excel 中另存为“CSV UTF-8”"
                )
            })?
            .into_owned(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{file_name} 不是有效的 CSV：{e}"))?;
        // Counted from the byte offset, past the blank lines the reader skipped: its own
        // line count leaves them out.
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        let number = 1 + text.as_bytes()[..start.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let row = SheetRow {
            number,
            cells: record.iter().map(tidy).collect(),
        };
        if row.cells.iter().any(|c| !c.is_empty()) {
            rows.push(row);
        }
    }
    Ok(Sheet {
        name: file_name.to_string(),
        rows,
        merged: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(2), "C");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn csv_in_gb18030_and_utf8_with_bom_read_the_same() {
        let text = "序号,企业名称\n1,\"某某 \n 电气\"\n\n2,乙\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        for bytes in [gbk.to_vec(), bom] {
            let sheet = read_csv("名单.csv", &bytes).unwrap();
            let rows: Vec<(usize, Vec<String>)> = sheet
                .rows
                .into_iter()
                .map(|r| (r.number, r.cells))
                .collect();
            assert_eq!(
                rows,
                [
                    (1, vec!["序号".to_string(), "企业名称".into()]),
                    (2, vec!["1".into(), "某某 电气".into()]),
                    (5, vec!["2".into(), "乙".into()]),
                ]
            );
        }
    }
}
