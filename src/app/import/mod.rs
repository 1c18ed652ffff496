//! `anli import`: an official name list (公示名单, a spreadsheet or CSV) becomes one case
//! file per row, written from the kind's archetype with the row's unit, title, region,
//! scenario, industry, level and year, and `请填写` placeholders for the rest, so
//! `anli check` lists what editors must still write. Never overwrites a file: a second
//! import of the same list reports rows already there and rows the list now words
//! differently.

mod columns;
mod files;
mod rows;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::base::diagnostics::Diagnostic;
use crate::base::source::Pos;
use crate::input::taxonomy::{Kind, Taxonomies};
use crate::input::{content, sheet};
use crate::model::CaseKind;

use columns::Field;
use files::Outcome;

/// What to import and how: the arguments of `anli import`.
#[derive(clap::Args)]
pub struct ImportOptions {
    /// 名单文件
    pub file: PathBuf,
    /// 名单中的案例类别：scenario、factory 或 zone
    #[arg(long, value_parser = parse_kind)]
    pub kind: CaseKind,
    /// 名单的批次年度
    #[arg(long, value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub year: i32,
    /// 工作表名称；默认为第一个有表头的工作表
    #[arg(long)]
    pub sheet: Option<String>,
    /// 名单的列名与字段的对应，如 "单位全称=unit,所在省=recommender"（也可写在 site.yaml 的 import.columns 中）
    #[arg(long, value_name = "表头=字段,…")]
    pub columns: Option<String>,
    /// 工厂的级别（示范工厂、卓越级、领航级）；2024 年以前的工厂名单默认为示范工厂
    #[arg(long)]
    pub level: Option<String>,
    /// 只显示将要写入的文件，不写入
    #[arg(long)]
    pub dry_run: bool,
    /// 名单有错误时，仍导入没有错误的行
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// 站点根目录（含 site.yaml 和 content/）
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

fn parse_kind(value: &str) -> Result<CaseKind, String> {
    CaseKind::ALL
        .into_iter()
        .find(|k| k.key() == value)
        .ok_or_else(|| "类别可以是 scenario、factory 或 zone".to_string())
}

/// What an import found and did.
pub struct Imported {
    /// Problems, at the list's cells (or in `site.yaml`).
    pub diagnostics: Vec<Diagnostic>,
    /// The plan and what was written, for the terminal.
    pub report: String,
}

/// Year from which a factory's level is not assumed to be 示范工厂 (智能工厂梯度培育).
const GRADED_FROM: i32 = 2024;

/// Runs an import. `Err` is a usage or I/O problem (a missing file, an unknown option
/// value), said in one Chinese sentence.
pub fn run(options: &ImportOptions) -> Result<Imported, String> {
    let mut diagnostics = Vec::new();
    let (_, config) = crate::build::read_config(&options.root, &mut diagnostics)?;
    let taxonomies = Taxonomies::load(&options.root, config.max_file_size, &mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(Imported {
            diagnostics,
            report: "site.yaml 或词表有错误：改正后再导入\n".to_string(),
        });
    }
    let level = default_level(options, &taxonomies)?;
    let own = own_columns(&config.import_columns, options.columns.as_deref())?;
    // Without --sheet, the first sheet with a header is the list (a workbook may open
    // with a sheet of notes).
    let sheets = sheet::read(&options.file, options.sheet.as_deref())?;
    let mut first_problem = None;
    let found = sheets
        .iter()
        .find_map(|sheet| match columns::find(sheet, &own) {
            Ok(columns) => Some((sheet, columns)),
            Err(d) => {
                first_problem.get_or_insert(d);
                None
            }
        });
    let located = found.ok_or(first_problem).and_then(|(sheet, columns)| {
        match missing_column(&sheet.name, &columns, options.kind) {
            Some(d) => Err(Some(d)),
            None => Ok((sheet, columns)),
        }
    });
    let (sheet, columns) = match located {
        Ok(located) => located,
        Err(problem) => {
            diagnostics.extend(problem);
            return Ok(Imported {
                diagnostics,
                report: "没有导入任何行\n".to_string(),
            });
        }
    };
    let defaults = rows::Defaults {
        kind: options.kind,
        level,
    };
    let read = rows::read(sheet, &columns, &taxonomies, &defaults);
    diagnostics.extend(read.diagnostics);
    let existing: Vec<content::RawCase> =
        content::load(&options.root, config.max_file_size, &mut Vec::new())
            .cases
            .into_iter()
            .filter(|c| c.kind == options.kind)
            .collect();
    let outcomes = files::plan(
        &read.records,
        &existing,
        options.kind,
        options.year,
        &taxonomies,
    );
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let write = !options.dry_run && (errors == 0 || options.skip_bad_rows);
    let mut written = 0;
    if write {
        let archetype = super::archetype::archetype(&options.root, &config.theme, options.kind)?;
        for (record, outcome) in read.records.iter().zip(&outcomes) {
            if let Outcome::New(path) = outcome {
                let text = fill_archetype(&archetype, path, options);
                let source = format!("{} 第 {} 行", sheet.name, record.row);
                let text = files::render(&text, record, options.year, &source, &taxonomies);
                super::archetype::write_new(&options.root, path, &text)?;
                written += 1;
            }
        }
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "{}：表头在第 {} 行，读到 {} 行案例{}",
        sheet.name,
        columns.header_row,
        read.records.len() + read.bad.len(),
        if read.skipped.is_empty() {
            String::new()
        } else {
            format!("，跳过 {} 行分组标题或说明", read.skipped.len())
        }
    );
    describe(&mut report, &read.records, &outcomes, write);
    let _ = writeln!(
        report,
        "{}",
        closing(options, errors, read.bad.len(), written)
    );
    Ok(Imported {
        diagnostics,
        report,
    })
}

/// The archetype's own placeholders: title and slug from the path, the list's year.
fn fill_archetype(archetype: &str, path: &str, options: &ImportOptions) -> String {
    let slug = Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let year = options.year.to_string();
    super::archetype::fill(
        archetype,
        &[
            ("{{title}}", "\"请填写标题\""),
            ("{{year}}", &year),
            ("{{today}}", "请填写授牌日期"),
            ("{{slug}}", &slug),
        ],
    )
}

/// `--level`, or 示范工厂 for a factory list from before 智能工厂梯度培育.
fn default_level(options: &ImportOptions, t: &Taxonomies) -> Result<Option<usize>, String> {
    let levels = &t.levels;
    match (&options.level, options.kind) {
        (Some(_), kind) if kind != CaseKind::Factory => {
            Err("--level 只用于示范工厂名单（--kind factory）".to_string())
        }
        (Some(level), _) => levels.resolve(level).map(Some).map_err(|u| {
            let hint = u
                .suggestion
                .map(|s| format!("是否要写“{s}”？"))
                .unwrap_or_else(|| {
                    format!(
                        "可用的级别见 content/_taxonomies/{}",
                        Kind::Level.file_name()
                    )
                });
            format!("未知的级别“{level}”：{hint}")
        }),
        (None, CaseKind::Factory) if options.year < GRADED_FROM => {
            Ok(levels.resolve("示范工厂").ok())
        }
        (None, _) => Ok(None),
    }
}

/// The site's own headings, then `--columns "表头=字段,…"` (which wins).
fn own_columns(
    config: &[(String, String)],
    option: Option<&str>,
) -> Result<Vec<(String, Field)>, String> {
    let mut own: Vec<(String, Field)> = config
        .iter()
        .filter_map(|(h, f)| Some((h.clone(), Field::from_key(f)?)))
        .collect();
    for pair in option
        .unwrap_or("")
        .split([',', '，'])
        .filter(|p| !p.trim().is_empty())
    {
        let (heading, key) = pair
            .split_once('=')
            .ok_or_else(|| format!("--columns 中的“{pair}”应写成 表头=字段，如 单位全称=unit"))?;
        let field = Field::from_key(key.trim()).ok_or_else(|| {
            let keys: Vec<&str> = crate::input::config::IMPORT_FIELDS
                .iter()
                .map(|f| f.key)
                .collect();
            format!(
                "--columns 中的字段“{}”不存在；可用的有：{}",
                key.trim(),
                keys.join("、")
            )
        })?;
        own.push((heading.trim().to_string(), field));
    }
    Ok(own)
}

/// A column every row needs that the header lacks.
fn missing_column(sheet: &str, columns: &columns::Columns, kind: CaseKind) -> Option<Diagnostic> {
    let missing = if columns.column(Field::Recommender).is_none() {
        Field::Recommender
    } else if kind == CaseKind::Scenario
        && columns.column(Field::Title).is_none()
        && columns.column(Field::Scenario).is_none()
    {
        Field::Title
    } else {
        return None;
    };
    let pos = Pos {
        line: columns.header_row,
        column: 1,
    };
    Some(
        Diagnostic::error(
            "import-missing-column",
            sheet,
            pos,
            format!("表头中没有“{}”列", missing.heading()),
        )
        .help(format!(
            "名单要有这一列；它用了别的列名时，用 --columns \"列名={}\" 指定",
            match missing {
                Field::Recommender => "recommender",
                _ => "title",
            }
        )),
    )
}

/// The plan, row by row: new files, rows already there, rows the list words otherwise.
fn describe(report: &mut String, records: &[rows::Record], outcomes: &[Outcome], written: bool) {
    let rows: Vec<(&rows::Record, &Outcome)> = records.iter().zip(outcomes).collect();
    let new: Vec<_> = rows
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::New(_)))
        .collect();
    let present: Vec<_> = rows
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Present(_)))
        .collect();
    let changed: Vec<_> = rows
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Changed(..)))
        .collect();
    if !new.is_empty() {
        let verb = if written { "新建" } else { "将新建" };
        let _ = writeln!(report, "{verb} {} 个文件：", new.len());
        for (record, outcome) in &new {
            if let Outcome::New(path) = outcome {
                let name = record.title.as_deref().unwrap_or("");
                let _ = writeln!(
                    report,
                    "  {path} ← 第 {} 行 {} {name}",
                    record.row, record.unit
                );
            }
        }
    }
    if !present.is_empty() {
        let _ = writeln!(report, "已有 {} 行，文件未改动：", present.len());
        for (record, outcome) in &present {
            if let Outcome::Present(path) = outcome {
                let _ = writeln!(report, "  第 {} 行 → {path}", record.row);
            }
        }
    }
    if !changed.is_empty() {
        let _ = writeln!(
            report,
            "名单与文件不同 {} 行，文件未改动，请核对：",
            changed.len()
        );
        for (record, outcome) in &changed {
            if let Outcome::Changed(path, differences) = outcome {
                let _ = writeln!(report, "  第 {} 行 → {path}", record.row);
                for (key, file, list) in differences {
                    let _ = writeln!(report, "    {key}：文件为“{file}”，名单为“{list}”");
                }
            }
        }
    }
}

fn closing(options: &ImportOptions, errors: usize, bad_rows: usize, written: usize) -> String {
    if options.dry_run {
        return "预演（--dry-run）：没有写入任何文件".to_string();
    }
    if errors > 0 && !options.skip_bad_rows {
        return format!(
            "名单有 {errors} 个错误：没有写入任何文件；改正名单后重新导入，或用 --skip-bad-rows 只导入没有错误的行"
        );
    }
    let mut text = format!("已写入 {written} 个文件");
    if bad_rows > 0 {
        let _ = write!(text, "；有错误的 {bad_rows} 行没有导入");
    }
    if written > 0 {
        text.push_str("；运行 anli check 查看还要填写的内容");
    }
    text
}
