//! Feeds and data files: `/atom.xml`, `/sitemap.xml`, `/data/cases.json` and
//! `/data/cases.csv`. Every date in them comes from the content, so an unchanged
//! collection gives unchanged files.

use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::base::paths::OutputFile;
use crate::base::text::xml_escape;
use crate::input::taxonomy::Taxonomy;
use crate::model::{Case, Site, TitleState};
use crate::site::urls::case_path;

/// Entries in the Atom feed.
const FEED_ENTRIES: usize = 20;

/// The data columns, in CSV order; JSON objects have the same keys.
pub const COLUMNS: &[&str] = &[
    "id",
    "kind",
    "kind_label",
    "slug",
    "url",
    "title",
    "unit",
    "region",
    "city",
    "cities",
    "recommender",
    "industry",
    "category",
    "scenarios",
    "scenario_groups",
    "technologies",
    "level",
    "year",
    "status",
    "state",
    "approved",
    "build_end",
    "valid_until",
    "last_review",
    "summary",
    "metrics",
];

/// How list values are joined in one CSV cell.
pub const LIST_SEPARATOR: &str = "；";

/// One case in the data files: its JSON object (pretty, indented as an array item) and
/// its CSV line. Kept per case, so an edit of one case redoes one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    json: String,
    csv: Vec<u8>,
}

/// The data row of a case.
pub fn row(site: &Site, case: &Case) -> Row {
    let record = record(site, case);
    let cells = COLUMNS.iter().map(|c| neutralise(cell(&record[*c])));
    Row {
        json: array_item(&record),
        csv: csv_line(Vec::new(), cells),
    }
}

/// A record as pretty JSON indented one level, as an item of a pretty array.
fn array_item(record: &Map<String, Value>) -> String {
    let pretty = serde_json::to_string_pretty(record).expect("records serialise");
    let mut json = String::with_capacity(pretty.len() + pretty.len() / 16);
    for (n, line) in pretty.lines().enumerate() {
        if n > 0 {
            json.push('\n');
        }
        json.push_str("  ");
        json.push_str(line);
    }
    json
}

/// The data rows of every case of a site, in `site.cases` order.
pub fn rows(site: &Site) -> Vec<Row> {
    site.cases.par_iter().map(|c| row(site, c)).collect()
}

/// The feeds and data files of a site. `html_pages` are the output paths of its pages,
/// for the sitemap; `rows[i]` is the data row of `site.cases[i]`.
pub fn files(site: &Site, html_pages: &[&str], rows: &[Row]) -> Vec<OutputFile> {
    let mut files = vec![atom_file(site), sitemap_file(site, html_pages)];
    files.extend(data_files(rows));
    files
}

/// `atom.xml`: the newest listed cases.
pub fn atom_file(site: &Site) -> OutputFile {
    OutputFile {
        path: "atom.xml".into(),
        contents: atom(site).into_bytes(),
    }
}

/// `sitemap.xml`: every page of `html_pages` (output paths).
pub fn sitemap_file(site: &Site, html_pages: &[&str]) -> OutputFile {
    OutputFile {
        path: "sitemap.xml".into(),
        contents: sitemap(site, html_pages).into_bytes(),
    }
}

/// `data/cases.json` and `data/cases.csv`, joined from the rows.
pub fn data_files(rows: &[Row]) -> [OutputFile; 2] {
    let (json, csv) = rayon::join(|| json(rows), || csv(rows));
    [
        OutputFile {
            path: "data/cases.json".into(),
            contents: json,
        },
        OutputFile {
            path: "data/cases.csv".into(),
            contents: csv,
        },
    ]
}

/// The date a case entered the collection: its first commit with `git_info`, else its
/// approval, else the end of its batch year.
fn published(case: &Case) -> NaiveDate {
    case.history
        .map(|h| h.first)
        .or(case.approved)
        .or_else(|| NaiveDate::from_ymd_opt(case.year, 12, 31))
        .unwrap_or_default()
}

/// The date a case last changed: its last commit with `git_info`, else when it entered.
fn updated(case: &Case) -> NaiveDate {
    case.history.map_or_else(|| published(case), |h| h.last)
}

fn names(taxonomy: &Taxonomy, ids: &[usize]) -> Vec<String> {
    ids.iter()
        .map(|&id| taxonomy.term(id).name.clone())
        .collect()
}

/// One case's metadata with every vocabulary value resolved to its name.
fn record(site: &Site, case: &Case) -> Map<String, Value> {
    let t = &site.taxonomies;
    let text = |s: &str| Value::String(s.to_string());
    let optional = |s: Option<String>| s.map_or(Value::Null, Value::String);
    let list = |items: Vec<String>| Value::Array(items.into_iter().map(Value::String).collect());
    let date = |d: Option<NaiveDate>| optional(d.map(|d| d.to_string()));
    let mut groups: Vec<String> = case
        .scenarios
        .iter()
        .map(|&s| t.scenarios.term(t.scenarios.root_of(s)).name.clone())
        .collect();
    groups.dedup();
    let state = match case.lifecycle.state {
        TitleState::Current => "current",
        TitleState::Expired => "expired",
        TitleState::Revoked => "revoked",
    };
    let values = [
        text(&case.id()),
        text(case.kind.folder()),
        text(case.kind.short_label()),
        text(&case.slug),
        text(&site.config.absolute_url(&case_path(case))),
        text(&case.title),
        text(&case.unit),
        text(&t.regions.term(case.region).name),
        optional(case.city.clone()),
        list(case.cities.clone()),
        optional(case.recommender.clone()),
        optional(case.industry.map(|i| t.industries.term(i).name.clone())),
        optional(
            site.category(case)
                .map(|i| t.industries.term(i).name.clone()),
        ),
        list(names(&t.scenarios, &case.scenarios)),
        list(groups),
        list(names(&t.technologies, &case.technologies)),
        optional(case.level.map(|l| t.levels.term(l).name.clone())),
        Value::from(case.year),
        text(case.status.label()),
        text(state),
        date(case.approved),
        date(case.lifecycle.build_end),
        date(case.lifecycle.valid_until),
        date(case.lifecycle.last_review_passed),
        optional(case.summary.clone()),
        list(
            case.metrics
                .iter()
                .map(|m| format!("{}：{}", m.name, m.value))
                .collect(),
        ),
    ];
    COLUMNS.iter().map(|c| c.to_string()).zip(values).collect()
}

/// A JSON value as one CSV cell: lists joined, null empty.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(cell)
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
        other => other.to_string(),
    }
}

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return first) gets a leading apostrophe, so it is shown as text.
pub fn neutralise(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// The rows as one JSON array, as `serde_json::to_vec_pretty` writes it.
fn json(rows: &[Row]) -> Vec<u8> {
    if rows.is_empty() {
        return b"[]".to_vec();
    }
    let mut out = Vec::with_capacity(rows.iter().map(|r| r.json.len() + 2).sum::<usize>() + 4);
    out.extend_from_slice(b"[\n");
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(row.json.as_bytes());
    }
    out.extend_from_slice(b"\n]");
    out
}

/// The rows as CSV with a header line, UTF-8 with a BOM so Excel reads the Chinese
/// correctly.
fn csv(rows: &[Row]) -> Vec<u8> {
    let mut out = csv_line(b"\xEF\xBB\xBF".to_vec(), COLUMNS);
    out.reserve(rows.iter().map(|r| r.csv.len()).sum());
    for row in rows {
        out.extend_from_slice(&row.csv);
    }
    out
}

/// `out` with one CSV line of `cells` added.
fn csv_line<T: AsRef<[u8]>>(out: Vec<u8>, cells: impl IntoIterator<Item = T>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record(cells)
        .and_then(|()| writer.flush().map_err(csv::Error::from))
        .expect("writing CSV to memory cannot fail");
    writer.into_inner().unwrap_or_default()
}

/// The newest listed cases as an Atom feed.
fn atom(site: &Site) -> String {
    let newest_first = |&a: &usize, &b: &usize| {
        let (x, y) = (&site.cases[a], &site.cases[b]);
        // Newest first, then by title; then as listings order them.
        (published(y), &x.title, y.year, x.kind, &x.slug).cmp(&(
            published(x),
            &y.title,
            x.year,
            y.kind,
            &y.slug,
        ))
    };
    // The newest entries only: partitioned out in linear time, then sorted.
    let mut newest: Vec<usize> = (0..site.cases.len())
        .filter(|&i| site.is_listed(&site.cases[i]))
        .collect();
    if newest.len() > FEED_ENTRIES {
        newest.select_nth_unstable_by(FEED_ENTRIES - 1, newest_first);
        newest.truncate(FEED_ENTRIES);
    }
    newest.sort_by(newest_first);
    let stamp = |d: NaiveDate| format!("{d}T00:00:00Z");
    let feed_updated = newest
        .iter()
        .map(|&i| updated(&site.cases[i]))
        .max()
        .unwrap_or_default();
    let home = site.config.absolute_url("");
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"",
    );
    xml.push_str(&xml_escape(&site.config.language));
    xml.push_str("\">\n");
    xml.push_str(&format!(
        "  <title>{}</title>\n  <id>{}</id>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n  <updated>{}</updated>\n",
        xml_escape(&site.config.title),
        xml_escape(&home),
        xml_escape(&home),
        xml_escape(&site.config.absolute_url("atom.xml")),
        stamp(feed_updated)
    ));
    for &i in &newest {
        let case = &site.cases[i];
        let url = site.config.absolute_url(&case_path(case));
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <published>{}</published>\n    <updated>{}</updated>\n    <author><name>{}</name></author>\n    <summary>{}</summary>\n  </entry>\n",
            xml_escape(&case.title),
            xml_escape(&url),
            xml_escape(&url),
            stamp(published(case)),
            stamp(updated(case)),
            xml_escape(&case.unit),
            xml_escape(case.summary.as_deref().unwrap_or(""))
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

/// Every page's absolute URL, in the order of their paths.
fn sitemap(site: &Site, html_pages: &[&str]) -> String {
    let mut html_pages = html_pages.to_vec();
    html_pages.sort_unstable();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let lastmod: HashMap<String, NaiveDate> = site
        .cases
        .iter()
        .filter_map(|c| c.history.map(|h| (case_path(c), h.last)))
        .collect();
    for page in html_pages.into_iter().filter(|p| *p != "404.html") {
        let path = page.strip_suffix("index.html").unwrap_or(page);
        let url = xml_escape(&site.config.absolute_url(path));
        match lastmod.get(path) {
            Some(date) => xml.push_str(&format!(
                "  <url><loc>{url}</loc><lastmod>{date}</lastmod></url>\n"
            )),
            None => xml.push_str(&format!("  <url><loc>{url}</loc></url>\n")),
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_join_into_what_serde_writes_for_the_whole_array() {
        let records: Vec<Map<String, Value>> = [
            serde_json::json!({"id": "a", "cities": [], "metrics": ["x：1", "y：2"], "city": null}),
            serde_json::json!({"id": "b\n\"c\"", "year": 2024}),
        ]
        .into_iter()
        .map(|v| v.as_object().unwrap().clone())
        .collect();
        let rows: Vec<Row> = records
            .iter()
            .map(|r| Row {
                json: array_item(r),
                csv: Vec::new(),
            })
            .collect();
        assert_eq!(json(&rows), serde_json::to_vec_pretty(&records).unwrap());
        assert_eq!(
            json(&[]),
            serde_json::to_vec_pretty(&Vec::<Value>::new()).unwrap()
        );
    }
}
