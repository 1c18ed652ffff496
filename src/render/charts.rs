//! Charts drawn at build time as inline SVG: horizontal bars (cases by industry), columns
//! (cases by year) and a tile grid map of China's province-level divisions (cases by
//! region).
//!
//! Every function here is pure and deterministic: the same input gives the same bytes. The
//! output is well-formed XML meant to be inlined into an HTML page: no script, no external
//! request, and no fixed pixel size (a `viewBox` only, so the stylesheet sizes `svg.chart`).
//! Each chart is `role="group"` (its bars and tiles are links, which an image role would
//! hide), named by its `<title>`; ids start with the caller's prefix so
//! two charts on one page do not collide.
//!
//! Looks are given twice: as presentation attributes, so a chart reads without any
//! stylesheet, and as classes the stylesheet may override (`chart-label`, `chart-value`,
//! `chart-bar`, `chart-bar-sub`, `chart-tile`, `chart-tile-0` … `chart-tile-4`,
//! `chart-axis`; `chart-inverse` marks text drawn on the two darkest tile shades). Every
//! bar, column and tile carries its number as text, so a black-and-white print loses
//! nothing that colour says.

use unicode_width::UnicodeWidthChar;

use crate::base::text::xml_escape as escape;

/// One labelled quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// What is counted: an industry's name, a year.
    pub label: String,
    pub value: usize,
    /// Where the bar links to (its term's page), if anywhere.
    pub url: Option<String>,
    /// 0 for a top-level row (an industry category); 1 (or more) for a nested row (a
    /// sub-industry), which `bar_chart` indents under its category and draws lighter.
    /// `column_chart` ignores it.
    pub level: u8,
}

/// A province-level division on the tile map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    /// Its slug in the regions vocabulary (`jiangsu`): picks its cell on the map.
    pub slug: String,
    /// Its full name (`江苏省`), for the tooltip.
    pub name: String,
    pub count: usize,
    /// Where the tile links to (the region's page), if anywhere.
    pub url: Option<String>,
}

// Sizes are in viewBox units, which are CSS pixels when a chart is drawn at its natural size.

/// Blank space around every chart.
const MARGIN: usize = 8;
/// Body text: labels and values.
const FONT: usize = 14;
/// Legend text.
const SMALL_FONT: usize = 12;
/// Between a mark and its value.
const VALUE_GAP: usize = 6;

// Colours matching the default theme (themes/default/static/style.css).
const INK: &str = "#1f2328";
const MUTED: &str = "#57606a";
const AXIS: &str = "#8c959f";
const ACCENT: &str = "#0b5cad";
const ACCENT_LIGHT: &str = "#7fb0e3";
const WHITE: &str = "#ffffff";

/// What a chart without data says.
const NO_DATA: &str = "暂无数据";
const NO_DATA_WIDTH: usize = 320;
const NO_DATA_HEIGHT: usize = 48;

/// How a piece of text looks without the stylesheet.
#[derive(Clone, Copy)]
struct Font {
    size: usize,
    fill: &'static str,
    bold: bool,
    /// `start`, `middle` or `end`.
    anchor: &'static str,
}

const LABEL: Font = Font {
    size: FONT,
    fill: INK,
    bold: false,
    anchor: "start",
};
const VALUE: Font = Font {
    bold: true,
    ..LABEL
};

/// Horizontal bars, one row per bar in the given order: the label on the left (nested rows
/// indented and lighter), a bar as long as the value relative to the largest one, and the
/// value as text right of the bar. A zero value draws no bar but still shows `0`. The chart
/// grows taller with every row; a label too long for its column is cut short with `…` and
/// shown whole in the row's tooltip.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return no_data(id, "bars", title);
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let mut body = String::new();
    let mut top = MARGIN;
    for (i, bar) in bars.iter().enumerate() {
        // A little air above each category groups it with its sub-industries.
        if i > 0 && bar.level == 0 {
            top += BARS_GROUP_GAP;
        }
        body.push_str(&bar_row(bar, max, top));
        top += BARS_ROW;
    }
    let axis = MARGIN + BARS_LABEL_WIDTH;
    body.push_str(&line(axis, MARGIN, axis, top));
    svg(id, "bars", title, (BARS_WIDTH, top + MARGIN), &body)
}

/// Row pitch of the bar chart.
const BARS_ROW: usize = 24;
/// Extra space above each top-level row but the first.
const BARS_GROUP_GAP: usize = 6;
const BARS_THICKNESS: usize = 16;
const BARS_SUB_THICKNESS: usize = 12;
/// How far nested labels are indented: one character.
const BARS_INDENT: usize = FONT;
/// Label column: an indent plus seven CJK characters, then a gap before the axis.
const BARS_LABEL_GAP: usize = 8;
const BARS_LABEL_WIDTH: usize = BARS_INDENT + 7 * FONT + BARS_LABEL_GAP;
/// The longest bar.
const BARS_SPAN: usize = 180;
/// Room right of the longest bar for its value (five digits).
const BARS_VALUE_WIDTH: usize = VALUE_GAP + 5 * FONT * 3 / 5;
const BARS_WIDTH: usize = 2 * MARGIN + BARS_LABEL_WIDTH + BARS_SPAN + BARS_VALUE_WIDTH;

/// One row of the bar chart, `top` its upper edge.
fn bar_row(bar: &Bar, max: usize, top: usize) -> String {
    let nested = bar.level > 0;
    let middle = top + BARS_ROW / 2;
    let y = baseline(middle, FONT);
    let indent = if nested { BARS_INDENT } else { 0 };
    let label_cols = columns_in(BARS_LABEL_WIDTH - BARS_LABEL_GAP - indent, FONT);
    let (label_class, label_font) = if nested {
        (
            "chart-label chart-label-sub",
            Font {
                fill: MUTED,
                ..LABEL
            },
        )
    } else {
        ("chart-label", LABEL)
    };
    let mut marks = text(
        MARGIN + indent,
        y,
        label_class,
        label_font,
        &fit(&bar.label, label_cols),
    );
    let x = MARGIN + BARS_LABEL_WIDTH;
    let length = scale(bar.value, max, BARS_SPAN);
    if length > 0 {
        let (class, fill, thickness) = if nested {
            ("chart-bar chart-bar-sub", ACCENT_LIGHT, BARS_SUB_THICKNESS)
        } else {
            ("chart-bar", ACCENT, BARS_THICKNESS)
        };
        let fill = format!("fill=\"{fill}\"");
        marks.push_str(&rect(
            (x, middle - thickness / 2),
            (length, thickness),
            class,
            &fill,
        ));
    }
    let value = bar.value.to_string();
    marks.push_str(&text(
        x + length + VALUE_GAP,
        y,
        "chart-value",
        VALUE,
        &value,
    ));
    let tip = format!("{}：{}", bar.label, bar.value);
    item(bar.url.as_deref(), &tip, &marks)
}

/// Vertical columns in the given order (counts by year: labels like `2021`), the value above
/// each column, the label below, on a baseline axis. A zero value draws no column but still
/// shows `0`. A few columns are centred in a minimum width rather than stretched.
pub fn column_chart(id: &str, title: &str, columns: &[Bar]) -> String {
    if columns.is_empty() {
        return no_data(id, "columns", title);
    }
    let max = columns.iter().map(|c| c.value).max().unwrap_or(0);
    let span = columns.len() * COLUMNS_PITCH;
    let width = (2 * MARGIN + span).max(COLUMNS_MIN_WIDTH);
    let left = (width - span) / 2;
    let base = MARGIN + COLUMNS_VALUE_SPACE + COLUMNS_PLOT_HEIGHT;
    let mut body = String::new();
    for (i, column) in columns.iter().enumerate() {
        let middle = left + i * COLUMNS_PITCH + COLUMNS_PITCH / 2;
        body.push_str(&column_item(column, max, middle, base));
    }
    body.push_str(&line(left, base, left + span, base));
    let height = base + COLUMNS_LABEL_SPACE + MARGIN;
    svg(id, "columns", title, (width, height), &body)
}

const COLUMNS_PITCH: usize = 56;
const COLUMNS_WIDTH: usize = 36;
/// The tallest column.
const COLUMNS_PLOT_HEIGHT: usize = 160;
/// Room above the tallest column for its value.
const COLUMNS_VALUE_SPACE: usize = FONT + VALUE_GAP;
/// Room below the axis for the labels.
const COLUMNS_LABEL_SPACE: usize = FONT + 10;
/// So that two or three columns do not scale up into a huge chart.
const COLUMNS_MIN_WIDTH: usize = 320;

/// One column centred on `middle`, standing on the axis at `base`.
fn column_item(column: &Bar, max: usize, middle: usize, base: usize) -> String {
    let height = scale(column.value, max, COLUMNS_PLOT_HEIGHT);
    let mut marks = String::new();
    if height > 0 {
        let fill = format!("fill=\"{ACCENT}\"");
        let corner = (middle - COLUMNS_WIDTH / 2, base - height);
        marks.push_str(&rect(corner, (COLUMNS_WIDTH, height), "chart-bar", &fill));
    }
    let centred = Font {
        anchor: "middle",
        ..LABEL
    };
    let value = column.value.to_string();
    let value_y = base - height - VALUE_GAP;
    let value_font = Font {
        bold: true,
        ..centred
    };
    marks.push_str(&text(middle, value_y, "chart-value", value_font, &value));
    let label = fit(&column.label, columns_in(COLUMNS_PITCH - 4, FONT));
    let label_y = base + COLUMNS_LABEL_SPACE - 6;
    marks.push_str(&text(middle, label_y, "chart-label", centred, &label));
    let tip = format!("{}：{}", column.label, column.value);
    item(column.url.as_deref(), &tip, &marks)
}

/// Every province-level division as a square tile in its approximate geographic place,
/// showing a short name and its count, shaded in five levels by count (darker = more; 0 is
/// light grey with a dashed outline, so gaps show in print too). A tile links to its URL
/// and its tooltip gives the full name and count. Tiles whose slug has no place on the
/// map (a custom vocabulary, or a repeated slug) go in extra rows below it, in input order;
/// places without a tile stay blank. A legend of the levels with their ranges ends the map.
pub fn tile_map(id: &str, title: &str, tiles: &[Tile]) -> String {
    if tiles.is_empty() {
        return no_data(id, "map", title);
    }
    let max = tiles.iter().map(|t| t.count).max().unwrap_or(0);
    let (placed, extra) = place(tiles);
    let mut body = String::new();
    for (tile, place) in &placed {
        let corner = (cell_x(place.col), cell_y(MARGIN, place.row));
        body.push_str(&tile_cell(tile, place.short, corner, max));
    }
    // A map of custom regions only has no grid to leave room for.
    let mut top = if placed.is_empty() {
        MARGIN
    } else {
        cell_y(MARGIN, MAP_ROWS) - TILE_GAP + MAP_SECTION_GAP
    };
    if !extra.is_empty() {
        for (i, tile) in extra.iter().enumerate() {
            let corner = (cell_x(i % MAP_COLS), cell_y(top, i / MAP_COLS));
            body.push_str(&tile_cell(
                tile,
                &fit(&tile.name, TILE_NAME_COLS),
                corner,
                max,
            ));
        }
        top = cell_y(top, extra.len().div_ceil(MAP_COLS)) - TILE_GAP + MAP_SECTION_GAP;
    }
    let (legend, bottom) = legend(max, top);
    body.push_str(&legend);
    svg(id, "map", title, (MAP_WIDTH, bottom + MARGIN), &body)
}

/// A division's cell on the tile grid and the short name its tile shows.
struct Place {
    slug: &'static str,
    short: &'static str,
    col: usize,
    row: usize,
}

const fn at(slug: &'static str, short: &'static str, col: usize, row: usize) -> Place {
    Place {
        slug,
        short,
        col,
        row,
    }
}

const MAP_COLS: usize = 8;
const MAP_ROWS: usize = 8;

/// The 34 province-level divisions of the regions vocabulary on an 8 × 8 grid. Neighbours
/// on the grid are neighbours on the ground wherever a grid allows:
///
/// ```text
///      0     1     2     3     4     5     6     7
/// 0                                              黑龙江
/// 1                      内蒙古 北京  天津  辽宁  吉林
/// 2    新疆  甘肃  宁夏  山西  河北  山东
/// 3    西藏  青海  陕西  河南  安徽  江苏  上海
/// 4          四川  重庆  湖北  江西  浙江
/// 5          云南  贵州  湖南  广东  福建  台湾
/// 6                      广西  澳门  香港
/// 7                      海南
/// ```
const LAYOUT: [Place; 34] = [
    at("heilongjiang", "黑龙江", 7, 0),
    at("neimenggu", "内蒙古", 3, 1),
    at("beijing", "北京", 4, 1),
    at("tianjin", "天津", 5, 1),
    at("liaoning", "辽宁", 6, 1),
    at("jilin", "吉林", 7, 1),
    at("xinjiang", "新疆", 0, 2),
    at("gansu", "甘肃", 1, 2),
    at("ningxia", "宁夏", 2, 2),
    at("shanxi", "山西", 3, 2),
    at("hebei", "河北", 4, 2),
    at("shandong", "山东", 5, 2),
    at("xizang", "西藏", 0, 3),
    at("qinghai", "青海", 1, 3),
    at("shaanxi", "陕西", 2, 3),
    at("henan", "河南", 3, 3),
    at("anhui", "安徽", 4, 3),
    at("jiangsu", "江苏", 5, 3),
    at("shanghai", "上海", 6, 3),
    at("sichuan", "四川", 1, 4),
    at("chongqing", "重庆", 2, 4),
    at("hubei", "湖北", 3, 4),
    at("jiangxi", "江西", 4, 4),
    at("zhejiang", "浙江", 5, 4),
    at("yunnan", "云南", 1, 5),
    at("guizhou", "贵州", 2, 5),
    at("hunan", "湖南", 3, 5),
    at("guangdong", "广东", 4, 5),
    at("fujian", "福建", 5, 5),
    at("taiwan", "台湾", 6, 5),
    at("guangxi", "广西", 3, 6),
    at("macao", "澳门", 4, 6),
    at("hongkong", "香港", 5, 6),
    at("hainan", "海南", 3, 7),
];

const TILE: usize = 56;
const TILE_GAP: usize = 4;
const TILE_PITCH: usize = TILE + TILE_GAP;
/// Baselines of the name and the count, from the tile's top.
const TILE_NAME_Y: usize = 22;
const TILE_COUNT_Y: usize = 44;
/// Width of a tile's name: four CJK characters at `TILE_NAME_FONT` just fit in a tile.
const TILE_NAME_COLS: usize = 8;
const TILE_NAME_FONT: usize = 13;
const TILE_COUNT_FONT: usize = 16;
/// Between the grid, the extra rows and the legend.
const MAP_SECTION_GAP: usize = 16;
const MAP_WIDTH: usize = 2 * MARGIN + MAP_COLS * TILE_PITCH - TILE_GAP;

/// Fill of each shade level, light to dark; text on the last two is white. Chosen for
/// text contrast of at least 4.5:1 and for distinct greys when printed.
const SHADES: [&str; 5] = ["#eaeef2", "#d4e5f7", "#93bde8", "#2f6db0", "#0b3d78"];
/// The first level drawn with white text.
const FIRST_DARK_SHADE: u8 = 3;

fn cell_x(col: usize) -> usize {
    MARGIN + col * TILE_PITCH
}

fn cell_y(top: usize, row: usize) -> usize {
    top + row * TILE_PITCH
}

/// Tiles with their place on the grid, and the tiles that have none.
fn place(tiles: &[Tile]) -> (Vec<(&Tile, &'static Place)>, Vec<&Tile>) {
    let mut taken = [false; LAYOUT.len()];
    let mut placed = Vec::new();
    let mut extra = Vec::new();
    for tile in tiles {
        match LAYOUT.iter().position(|p| p.slug == tile.slug) {
            // A repeated slug must not hide the first tile under a second one.
            Some(i) if !taken[i] => {
                taken[i] = true;
                placed.push((tile, &LAYOUT[i]));
            }
            _ => extra.push(tile),
        }
    }
    (placed, extra)
}

/// One tile with `short` as its name, `corner` its top left.
fn tile_cell(tile: &Tile, short: &str, corner: (usize, usize), max: usize) -> String {
    let level = shade(tile.count, max);
    let (x, y) = corner;
    let mut marks = swatch(corner, TILE, level);
    let (class_extra, fill) = if level >= FIRST_DARK_SHADE {
        (" chart-inverse", WHITE)
    } else {
        ("", INK)
    };
    let name_font = Font {
        size: TILE_NAME_FONT,
        fill,
        bold: false,
        anchor: "middle",
    };
    let name_class = format!("chart-label{class_extra}");
    let middle = x + TILE / 2;
    marks.push_str(&text(
        middle,
        y + TILE_NAME_Y,
        &name_class,
        name_font,
        short,
    ));
    let count_font = Font {
        size: TILE_COUNT_FONT,
        bold: true,
        ..name_font
    };
    let count_class = format!("chart-value{class_extra}");
    let count = tile.count.to_string();
    marks.push_str(&text(
        middle,
        y + TILE_COUNT_Y,
        &count_class,
        count_font,
        &count,
    ));
    let tip = format!("{}：{} 个案例", tile.name, tile.count);
    item(tile.url.as_deref(), &tip, &marks)
}

/// A square of a shade level: a tile, or a legend key.
fn swatch(corner: (usize, usize), size: usize, level: u8) -> String {
    let fill = SHADES[usize::from(level)];
    // Level 0 is dashed so that an empty region shows as a gap in black and white too.
    let dash = if level == 0 {
        " stroke-dasharray=\"4 3\""
    } else {
        ""
    };
    let paint = format!("rx=\"3\" fill=\"{fill}\" stroke=\"{AXIS}\"{dash}");
    let class = format!("chart-tile chart-tile-{level}");
    rect(corner, (size, size), &class, &paint)
}

/// The shade level of a count: 0 only for zero, then which quarter of the maximum the count
/// falls in (1–4), so the largest count is always the darkest.
fn shade(count: usize, max: usize) -> u8 {
    let level = scale(count, max, 4);
    u8::try_from(level).unwrap_or(4)
}

/// The counts a level stands for, `None` when no whole number falls in it (a maximum
/// below 4 leaves some levels empty). The inverse of `shade`.
fn shade_range(level: u8, max: usize) -> Option<(usize, usize)> {
    if level == 0 {
        return Some((0, 0));
    }
    let quarter = |k: usize| (k as u128 * max as u128 / 4) as usize;
    let level = usize::from(level);
    let (low, high) = (quarter(level - 1) + 1, quarter(level));
    (low <= high).then_some((low, high))
}

const LEGEND_KEY: usize = 14;
/// Between the key and its text, and between entries.
const LEGEND_KEY_GAP: usize = 4;
const LEGEND_GAP: usize = 14;
const LEGEND_ROW: usize = LEGEND_KEY + 8;
const LEGEND_CAPTION: &str = "案例数";

/// The legend with its top at `top`, and its bottom. Entries wrap onto a new line when the
/// map is too narrow for them (only with very large counts).
fn legend(max: usize, top: usize) -> (String, usize) {
    let font = Font {
        size: SMALL_FONT,
        ..LABEL
    };
    let text_y = |row_top: usize| baseline(row_top + LEGEND_KEY / 2, SMALL_FONT);
    let mut out = text(MARGIN, text_y(top), "chart-label", font, LEGEND_CAPTION);
    let mut x = MARGIN + text_width(LEGEND_CAPTION, SMALL_FONT) + LEGEND_GAP;
    let mut y = top;
    for level in 0..=4 {
        let Some((low, high)) = shade_range(level, max) else {
            continue;
        };
        let label = if low == high {
            low.to_string()
        } else {
            format!("{low}–{high}")
        };
        let width = LEGEND_KEY + LEGEND_KEY_GAP + text_width(&label, SMALL_FONT);
        if x + width > MAP_WIDTH - MARGIN {
            x = MARGIN;
            y += LEGEND_ROW;
        }
        out.push_str(&swatch((x, y), LEGEND_KEY, level));
        let label_x = x + LEGEND_KEY + LEGEND_KEY_GAP;
        out.push_str(&text(label_x, text_y(y), "chart-label", font, &label));
        x += width + LEGEND_GAP;
    }
    (out, y + LEGEND_KEY)
}

// Drawing helpers shared by the charts.

/// The `<svg>` element around `body`, titled for screen readers by `title`.
fn svg(id: &str, kind: &str, title: &str, (width, height): (usize, usize), body: &str) -> String {
    let id = escape(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-{kind}\" \
         viewBox=\"0 0 {width} {height}\" role=\"group\" aria-labelledby=\"{id}-title\">\n\
         <title id=\"{id}-title\">{}</title>\n{body}</svg>",
        escape(title)
    )
}

/// A chart that has nothing to show says so.
fn no_data(id: &str, kind: &str, title: &str) -> String {
    let font = Font {
        fill: MUTED,
        anchor: "middle",
        ..LABEL
    };
    let y = baseline(NO_DATA_HEIGHT / 2, FONT);
    let body = text(NO_DATA_WIDTH / 2, y, "chart-label", font, NO_DATA) + "\n";
    svg(id, kind, title, (NO_DATA_WIDTH, NO_DATA_HEIGHT), &body)
}

/// One chart element with its tooltip (the `<title>`, also its accessible name), in a link
/// when it has a URL.
fn item(url: Option<&str>, tip: &str, marks: &str) -> String {
    let tip = escape(tip);
    match url {
        Some(url) => format!(
            "<a class=\"chart-item\" href=\"{}\"><title>{tip}</title>{marks}</a>\n",
            escape(url)
        ),
        None => format!("<g class=\"chart-item\"><title>{tip}</title>{marks}</g>\n"),
    }
}

fn text(x: usize, y: usize, class: &str, font: Font, content: &str) -> String {
    let Font {
        size,
        fill,
        bold,
        anchor,
    } = font;
    let anchor = if anchor == "start" {
        String::new()
    } else {
        format!(" text-anchor=\"{anchor}\"")
    };
    let weight = if bold { " font-weight=\"bold\"" } else { "" };
    format!(
        "<text x=\"{x}\" y=\"{y}\" class=\"{class}\" font-size=\"{size}\" fill=\"{fill}\"{anchor}{weight}>{}</text>",
        escape(content)
    )
}

/// A rectangle; `paint` holds its fill and stroke attributes.
fn rect(
    (x, y): (usize, usize),
    (width, height): (usize, usize),
    class: &str,
    paint: &str,
) -> String {
    format!(
        "<rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{height}\" class=\"{class}\" {paint}/>"
    )
}

fn line(x1: usize, y1: usize, x2: usize, y2: usize) -> String {
    format!(
        "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" class=\"chart-axis\" stroke=\"{AXIS}\"/>\n"
    )
}

/// The baseline that centres a line of text of `size` on `middle`: CJK glyphs and digits
/// sit about 3/8 of the size above their baseline.
fn baseline(middle: usize, size: usize) -> usize {
    middle + size * 3 / 8
}

/// `value` as a share of `span`, where `max` gets all of it; rounded up, so that any value
/// above zero stays visible. Computed in u128 so that no count can overflow.
fn scale(value: usize, max: usize, span: usize) -> usize {
    if value == 0 || max == 0 {
        return 0;
    }
    let share = (value as u128 * span as u128).div_ceil(max as u128);
    usize::try_from(share).unwrap_or(usize::MAX).min(span)
}

/// How many display columns (a CJK character is two, a Latin letter or digit one) fit in
/// `width` at `size`.
fn columns_in(width: usize, size: usize) -> usize {
    width * 2 / size
}

/// Display columns of `text`, as `unicode-width` counts them.
fn text_columns(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Estimated width of `text` at `size`: half the size per column.
fn text_width(text: &str, size: usize) -> usize {
    text_columns(text) * size / 2
}

/// `text` cut to `cols` display columns, ending in `…` when cut.
fn fit(text: &str, cols: usize) -> String {
    if text_columns(text) <= cols {
        return text.to_string();
    }
    // CJK fonts draw `…` full width: leave two columns for it.
    let mut used = 2;
    let mut out = String::new();
    for c in text.chars() {
        used += c.width().unwrap_or(0);
        if used > cols {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use roxmltree::{Document, Node};

    const SLUGS: [&str; 34] = [
        "beijing",
        "tianjin",
        "hebei",
        "shanxi",
        "neimenggu",
        "liaoning",
        "jilin",
        "heilongjiang",
        "shanghai",
        "jiangsu",
        "zhejiang",
        "anhui",
        "fujian",
        "jiangxi",
        "shandong",
        "henan",
        "hubei",
        "hunan",
        "guangdong",
        "guangxi",
        "hainan",
        "chongqing",
        "sichuan",
        "guizhou",
        "yunnan",
        "xizang",
        "shaanxi",
        "gansu",
        "qinghai",
        "ningxia",
        "xinjiang",
        "taiwan",
        "hongkong",
        "macao",
    ];

    fn bar(label: &str, value: usize, level: u8) -> Bar {
        Bar {
            label: label.to_string(),
            value,
            url: Some(format!("/industries/{value}/")),
            level,
        }
    }

    fn tile(slug: &str, name: &str, count: usize) -> Tile {
        Tile {
            slug: slug.to_string(),
            name: name.to_string(),
            count,
            url: Some(format!("/regions/{slug}/")),
        }
    }

    fn industries() -> Vec<Bar> {
        vec![
            bar("装备制造", 12, 0),
            bar("汽车", 7, 1),
            bar("船舶与海洋工程装备", 5, 1),
            bar("原材料", 4, 0),
            bar("钢铁", 0, 1),
        ]
    }

    fn years() -> Vec<Bar> {
        [("2021", 3), ("2022", 0), ("2023", 9)]
            .iter()
            .map(|&(year, value)| bar(year, value, 0))
            .collect()
    }

    /// Every layout division, with counts 0, 1, 2, … in layout order.
    fn all_tiles() -> Vec<Tile> {
        LAYOUT
            .iter()
            .enumerate()
            .map(|(i, p)| tile(p.slug, p.short, i))
            .collect()
    }

    fn parse(svg: &str) -> Document<'_> {
        Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{svg}"))
    }

    fn has_class(node: &Node, class: &str) -> bool {
        node.attribute("class")
            .is_some_and(|c| c.split(' ').any(|c| c == class))
    }

    /// Chart items (links or groups) in document order.
    fn items<'a>(doc: &'a Document) -> Vec<Node<'a, 'a>> {
        doc.descendants()
            .filter(|n| has_class(n, "chart-item"))
            .collect()
    }

    /// The text of an item's child with `class`.
    fn child_text<'a>(item: &Node<'a, 'a>, class: &str) -> Option<&'a str> {
        item.children()
            .find(|n| has_class(n, class))
            .and_then(|n| n.text())
    }

    fn tooltip<'a>(item: &Node<'a, 'a>) -> &'a str {
        let title = item.first_element_child().expect("an item has children");
        assert_eq!(title.tag_name().name(), "title");
        title.text().unwrap_or("")
    }

    fn number(node: &Node, attribute: &str) -> usize {
        node.attribute(attribute)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{attribute} of {node:?}"))
    }

    fn all_charts() -> Vec<String> {
        vec![
            bar_chart("b", "行业", &industries()),
            column_chart("c", "年度", &years()),
            tile_map("m", "地区", &all_tiles()),
            bar_chart("b", "空", &[]),
            column_chart("c", "空", &[]),
            tile_map("m", "空", &[]),
        ]
    }

    #[test]
    fn every_chart_is_an_accessible_responsive_svg() {
        for svg in all_charts() {
            let doc = parse(&svg);
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "svg");
            assert_eq!(
                root.tag_name().namespace(),
                Some("http://www.w3.org/2000/svg")
            );
            assert!(has_class(&root, "chart"), "{svg}");
            assert!(root.attribute("viewBox").is_some());
            assert_eq!(root.attribute("width"), None);
            assert_eq!(root.attribute("height"), None);
            assert_eq!(root.attribute("role"), Some("group"));
            let labelled_by = root.attribute("aria-labelledby").unwrap();
            let title = root.first_element_child().unwrap();
            assert_eq!(title.tag_name().name(), "title");
            assert_eq!(title.attribute("id"), Some(labelled_by));
            assert!(!svg.contains("font-family"));
            assert!(!svg.contains("<script"));
            assert!(!svg.contains("xlink"));
        }
    }

    #[test]
    fn kinds_and_id_prefixes() {
        let svg = bar_chart("chart-industries", "各行业案例数", &industries());
        assert!(svg.contains("class=\"chart chart-bars\""));
        assert!(svg.contains("aria-labelledby=\"chart-industries-title\""));
        assert!(svg.contains("<title id=\"chart-industries-title\">各行业案例数</title>"));
        assert!(column_chart("y", "t", &years()).contains("class=\"chart chart-columns\""));
        assert!(tile_map("m", "t", &all_tiles()).contains("class=\"chart chart-map\""));
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let nasty = "<b>&\"'</b>";
        let bars = vec![Bar {
            label: nasty.to_string(),
            value: 1,
            url: Some("/a?x=1&y=\"2\"".to_string()),
            level: 0,
        }];
        let tiles = vec![Tile {
            slug: nasty.to_string(),
            name: nasty.to_string(),
            count: 1,
            url: Some("/r?a=<1>&b='2'".to_string()),
        }];
        let charts = [
            bar_chart(nasty, nasty, &bars),
            column_chart(nasty, nasty, &bars),
            tile_map(nasty, nasty, &tiles),
        ];
        for svg in &charts {
            assert!(!svg.contains("<b>"), "{svg}");
            let doc = parse(svg);
            let root = doc.root_element();
            let title = root.first_element_child().unwrap();
            assert_eq!(title.text(), Some(nasty));
            assert_eq!(root.attribute("aria-labelledby"), title.attribute("id"));
            assert!(title.attribute("id").unwrap().starts_with(nasty));
            let link = doc.descendants().find(|n| n.has_tag_name("a")).unwrap();
            assert!(link.attribute("href").unwrap().contains('&'));
            assert!(tooltip(&link).starts_with(nasty));
        }
    }

    #[test]
    fn control_characters_cannot_break_the_xml() {
        let svg = bar_chart("b", "a\u{1}b", &[bar("x\u{0}y", 1, 0)]);
        parse(&svg);
    }

    #[test]
    fn every_bar_shows_its_value_as_text() {
        let bars = industries();
        let svg = bar_chart("b", "t", &bars);
        let doc = parse(&svg);
        let found = items(&doc);
        assert_eq!(found.len(), bars.len());
        for (item, bar) in found.iter().zip(&bars) {
            let value = bar.value.to_string();
            assert_eq!(child_text(item, "chart-value"), Some(value.as_str()));
            assert_eq!(tooltip(item), format!("{}：{}", bar.label, bar.value));
        }
    }

    #[test]
    fn bars_are_proportional_and_zero_draws_none() {
        let bars = [bar("甲", 10, 0), bar("乙", 5, 0), bar("丙", 0, 0)];
        let svg = bar_chart("b", "t", &bars);
        let doc = parse(&svg);
        let lengths: Vec<Option<usize>> = items(&doc)
            .iter()
            .map(|item| {
                item.children()
                    .find(|n| n.has_tag_name("rect"))
                    .map(|r| number(&r, "width"))
            })
            .collect();
        assert_eq!(lengths, [Some(BARS_SPAN), Some(BARS_SPAN / 2), None]);
        let zero = items(&doc)[2];
        assert_eq!(child_text(&zero, "chart-value"), Some("0"));
    }

    #[test]
    fn a_tiny_value_still_draws_a_bar() {
        let svg = bar_chart("b", "t", &[bar("甲", 100_000, 0), bar("乙", 1, 0)]);
        let doc = parse(&svg);
        let small = items(&doc)[1];
        let rect = small.children().find(|n| n.has_tag_name("rect")).unwrap();
        assert!(number(&rect, "width") >= 1);
    }

    #[test]
    fn all_zero_values_draw_no_bars_but_show_zeros() {
        let svg = bar_chart("b", "t", &[bar("甲", 0, 0), bar("乙", 0, 1)]);
        let doc = parse(&svg);
        assert!(!doc.descendants().any(|n| has_class(&n, "chart-bar")));
        for item in items(&doc) {
            assert_eq!(child_text(&item, "chart-value"), Some("0"));
        }
    }

    #[test]
    fn nested_rows_are_indented_and_lighter() {
        let svg = bar_chart("b", "t", &industries());
        let doc = parse(&svg);
        let found = items(&doc);
        let label_x = |item: &Node| {
            let label = item
                .children()
                .find(|n| has_class(n, "chart-label"))
                .unwrap();
            number(&label, "x")
        };
        let bar_class = |item: &Node| {
            let rect = item.children().find(|n| n.has_tag_name("rect")).unwrap();
            rect.attribute("class").unwrap().to_string()
        };
        assert_eq!(label_x(&found[1]), label_x(&found[0]) + BARS_INDENT);
        assert_eq!(bar_class(&found[0]), "chart-bar");
        assert_eq!(bar_class(&found[1]), "chart-bar chart-bar-sub");
    }

    #[test]
    fn the_bar_chart_grows_with_its_rows() {
        let height = |svg: &str| {
            let doc = parse(svg);
            let view_box = doc.root_element().attribute("viewBox").unwrap().to_string();
            view_box
                .split(' ')
                .nth(3)
                .unwrap()
                .parse::<usize>()
                .unwrap()
        };
        let few = bar_chart("b", "t", &industries()[..2]);
        let many = bar_chart("b", "t", &industries());
        assert!(height(&many) > height(&few));
    }

    #[test]
    fn long_labels_are_cut_with_the_whole_label_in_the_tooltip() {
        let label = "船舶与海洋工程装备制造业";
        let svg = bar_chart("b", "t", &[bar(label, 3, 1)]);
        let doc = parse(&svg);
        let item = items(&doc)[0];
        let shown = child_text(&item, "chart-label").unwrap();
        assert!(shown.ends_with('…'), "{shown}");
        assert!(text_columns(shown) <= 14, "{shown}");
        assert!(tooltip(&item).starts_with(label));
        // Seven CJK characters fit in a nested row, more in a top-level one.
        assert_eq!(fit("一二三四五六七", 14), "一二三四五六七");
        assert_eq!(fit("一二三四五六七八", 14), "一二三四五六…");
        assert_eq!(fit("2021", 6), "2021");
    }

    #[test]
    fn every_column_shows_value_and_label_as_text() {
        let columns = years();
        let svg = column_chart("c", "t", &columns);
        let doc = parse(&svg);
        let found = items(&doc);
        assert_eq!(found.len(), columns.len());
        for (item, column) in found.iter().zip(&columns) {
            let value = column.value.to_string();
            assert_eq!(child_text(item, "chart-value"), Some(value.as_str()));
            assert_eq!(child_text(item, "chart-label"), Some(column.label.as_str()));
            let has_rect = item.children().any(|n| n.has_tag_name("rect"));
            assert_eq!(has_rect, column.value > 0, "{column:?}");
        }
        assert!(doc.descendants().any(|n| has_class(&n, "chart-axis")));
    }

    #[test]
    fn columns_stand_on_the_axis_and_values_sit_above_them() {
        let svg = column_chart("c", "t", &years());
        let doc = parse(&svg);
        let axis = doc
            .descendants()
            .find(|n| has_class(n, "chart-axis"))
            .unwrap();
        let base = number(&axis, "y1");
        let tallest = items(&doc)[2];
        let rect = tallest.children().find(|n| n.has_tag_name("rect")).unwrap();
        assert_eq!(number(&rect, "y") + number(&rect, "height"), base);
        assert_eq!(number(&rect, "height"), COLUMNS_PLOT_HEIGHT);
        let value = tallest
            .children()
            .find(|n| has_class(n, "chart-value"))
            .unwrap();
        assert!(number(&value, "y") < number(&rect, "y"));
        let label = tallest
            .children()
            .find(|n| has_class(n, "chart-label"))
            .unwrap();
        assert!(number(&label, "y") > base);
    }

    #[test]
    fn the_layout_places_each_of_the_34_slugs_in_its_own_cell() {
        let mut slugs: Vec<&str> = LAYOUT.iter().map(|p| p.slug).collect();
        slugs.sort_unstable();
        let mut expected = SLUGS.to_vec();
        expected.sort_unstable();
        assert_eq!(slugs, expected);
        let mut cells: Vec<(usize, usize)> = LAYOUT.iter().map(|p| (p.col, p.row)).collect();
        cells.sort_unstable();
        cells.dedup();
        assert_eq!(cells.len(), 34);
        for p in &LAYOUT {
            assert!(p.col < MAP_COLS && p.row < MAP_ROWS, "{}", p.slug);
            assert!(text_columns(p.short) <= TILE_NAME_COLS, "{}", p.short);
        }
    }

    #[test]
    fn the_layout_keeps_neighbours_together() {
        let cell = |slug: &str| {
            let p = LAYOUT.iter().find(|p| p.slug == slug).unwrap();
            (p.col, p.row)
        };
        let touching = |a: &str, b: &str| {
            let ((ac, ar), (bc, br)) = (cell(a), cell(b));
            ac.abs_diff(bc) <= 1 && ar.abs_diff(br) <= 1
        };
        let pairs = [
            ("beijing", "tianjin"),
            ("beijing", "hebei"),
            ("jiangsu", "shanghai"),
            ("zhejiang", "shanghai"),
            ("fujian", "taiwan"),
            ("guangdong", "macao"),
            ("guangdong", "hongkong"),
            ("macao", "hongkong"),
            ("sichuan", "chongqing"),
            ("xinjiang", "xizang"),
            ("heilongjiang", "jilin"),
            ("jilin", "liaoning"),
            ("hunan", "hubei"),
            ("guangxi", "hainan"),
        ];
        for (a, b) in pairs {
            assert!(touching(a, b), "{a} and {b}");
        }
        let (hlj_col, hlj_row) = cell("heilongjiang");
        assert_eq!((hlj_col, hlj_row), (MAP_COLS - 1, 0));
        assert_eq!(cell("xinjiang").0, 0);
        assert_eq!(cell("hainan").1, MAP_ROWS - 1);
        assert_eq!(cell("taiwan"), (cell("fujian").0 + 1, cell("fujian").1));
        assert!(cell("hongkong").1 > cell("guangdong").1);
        assert!(cell("macao").0 < cell("hongkong").0);
    }

    #[test]
    fn every_tile_shows_name_and_count_and_links() {
        let tiles = all_tiles();
        let svg = tile_map("m", "t", &tiles);
        let doc = parse(&svg);
        let found = items(&doc);
        assert_eq!(found.len(), 34);
        for (item, tile) in found.iter().zip(&tiles) {
            let count = tile.count.to_string();
            assert_eq!(child_text(item, "chart-value"), Some(count.as_str()));
            assert_eq!(child_text(item, "chart-label"), Some(tile.name.as_str()));
            assert_eq!(
                tooltip(item),
                format!("{}：{} 个案例", tile.name, tile.count)
            );
            assert_eq!(item.tag_name().name(), "a");
            assert_eq!(item.attribute("href"), tile.url.as_deref());
        }
    }

    #[test]
    fn tiles_sit_in_distinct_cells_in_the_drawing() {
        let svg = tile_map("m", "t", &all_tiles());
        let doc = parse(&svg);
        let mut corners: Vec<(usize, usize)> = doc
            .descendants()
            .filter(|n| {
                has_class(n, "chart-tile")
                    && n.parent().is_some_and(|p| has_class(&p, "chart-item"))
            })
            .map(|r| (number(&r, "x"), number(&r, "y")))
            .collect();
        corners.sort_unstable();
        corners.dedup();
        assert_eq!(corners.len(), 34);
    }

    #[test]
    fn a_tile_shows_the_fixed_short_name() {
        let svg = tile_map(
            "m",
            "t",
            &[
                tile("jiangsu", "江苏省", 5),
                tile("neimenggu", "内蒙古自治区", 0),
            ],
        );
        let doc = parse(&svg);
        let found = items(&doc);
        assert_eq!(child_text(&found[0], "chart-label"), Some("江苏"));
        assert_eq!(tooltip(&found[0]), "江苏省：5 个案例");
        assert_eq!(child_text(&found[1], "chart-label"), Some("内蒙古"));
    }

    #[test]
    fn zero_counts_are_shown_dashed_with_their_zero() {
        let svg = tile_map(
            "m",
            "t",
            &[tile("beijing", "北京市", 0), tile("jiangsu", "江苏省", 4)],
        );
        let doc = parse(&svg);
        let empty = items(&doc)[0];
        assert_eq!(child_text(&empty, "chart-value"), Some("0"));
        let rect = empty.children().find(|n| n.has_tag_name("rect")).unwrap();
        assert!(has_class(&rect, "chart-tile-0"));
        assert!(rect.attribute("stroke-dasharray").is_some());
        assert_eq!(rect.attribute("fill"), Some(SHADES[0]));
    }

    #[test]
    fn shades_get_darker_with_the_count_and_text_turns_white() {
        assert_eq!(shade(0, 0), 0);
        assert_eq!(shade(0, 10), 0);
        assert_eq!(shade(1, 10), 1);
        assert_eq!(shade(5, 10), 2);
        assert_eq!(shade(6, 10), 3);
        assert_eq!(shade(10, 10), 4);
        assert_eq!(shade(1, 1), 4);
        assert_eq!(shade(usize::MAX, usize::MAX), 4);
        let svg = tile_map(
            "m",
            "t",
            &[tile("beijing", "北京市", 1), tile("jiangsu", "江苏省", 8)],
        );
        let doc = parse(&svg);
        let found = items(&doc);
        let count_fill = |item: &Node| {
            let count = item
                .children()
                .find(|n| has_class(n, "chart-value"))
                .unwrap();
            count.attribute("fill").unwrap().to_string()
        };
        assert_eq!(count_fill(&found[0]), INK);
        assert_eq!(count_fill(&found[1]), WHITE);
        assert!(has_class(
            &found[1]
                .children()
                .find(|n| has_class(n, "chart-value"))
                .unwrap(),
            "chart-inverse"
        ));
    }

    #[test]
    fn legend_ranges_match_the_shades() {
        for max in 0..=40 {
            for count in 0..=max {
                let level = shade(count, max);
                let (low, high) = shade_range(level, max).unwrap();
                assert!(
                    (low..=high).contains(&count),
                    "count {count} of {max}: level {level}"
                );
            }
        }
        assert_eq!(shade_range(1, 2), None);
        assert_eq!(shade_range(4, 2), Some((2, 2)));
        assert_eq!(shade_range(1, 12), Some((1, 3)));
    }

    #[test]
    fn the_legend_lists_the_non_empty_levels() {
        let svg = tile_map(
            "m",
            "t",
            &[tile("beijing", "北京市", 0), tile("jiangsu", "江苏省", 12)],
        );
        let doc = parse(&svg);
        let legend: Vec<&str> = doc
            .root_element()
            .children()
            .filter(|n| has_class(n, "chart-label"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(legend, ["案例数", "0", "1–3", "4–6", "7–9", "10–12"]);
        let keys = doc
            .root_element()
            .children()
            .filter(|n| has_class(n, "chart-tile"))
            .count();
        assert_eq!(keys, 5);
    }

    #[test]
    fn a_wide_legend_wraps_inside_the_map() {
        let svg = tile_map("m", "t", &[tile("beijing", "北京市", 4_000_000_000)]);
        let doc = parse(&svg);
        for key in doc
            .root_element()
            .children()
            .filter(|n| has_class(n, "chart-tile"))
        {
            assert!(number(&key, "x") + LEGEND_KEY <= MAP_WIDTH - MARGIN);
        }
    }

    #[test]
    fn unknown_and_repeated_slugs_go_in_a_row_below_the_map() {
        let mut tiles = all_tiles();
        tiles.insert(3, tile("dalian", "大连市", 2));
        tiles.push(tile("beijing", "北京（重复）", 1));
        tiles.push(tile("bingtuan", "新疆生产建设兵团", 0));
        let svg = tile_map("m", "t", &tiles);
        let doc = parse(&svg);
        let grid_bottom = cell_y(MARGIN, MAP_ROWS);
        let below: Vec<(&str, usize, usize)> = items(&doc)
            .iter()
            .filter_map(|item| {
                let rect = item.children().find(|n| n.has_tag_name("rect")).unwrap();
                let (x, y) = (number(&rect, "x"), number(&rect, "y"));
                (y >= grid_bottom).then(|| (tooltip(item), x, y))
            })
            .collect();
        let names: Vec<&str> = below
            .iter()
            .map(|b| b.0.split('：').next().unwrap())
            .collect();
        assert_eq!(names, ["大连市", "北京（重复）", "新疆生产建设兵团"]);
        assert!(
            below
                .windows(2)
                .all(|w| w[0].1 < w[1].1 && w[0].2 == w[1].2)
        );
        let long = items(&doc)
            .into_iter()
            .find(|i| tooltip(i).starts_with("新疆生产"))
            .unwrap();
        assert_eq!(child_text(&long, "chart-label"), Some("新疆生…"));
    }

    #[test]
    fn many_unknown_slugs_wrap_into_more_rows() {
        let tiles: Vec<Tile> = (0..MAP_COLS + 1)
            .map(|i| tile(&format!("x{i}"), "某地", i))
            .collect();
        let svg = tile_map("m", "t", &tiles);
        let doc = parse(&svg);
        let rows: Vec<usize> = items(&doc)
            .iter()
            .map(|item| {
                number(
                    &item.children().find(|n| n.has_tag_name("rect")).unwrap(),
                    "y",
                )
            })
            .collect();
        assert_eq!(rows[0], MARGIN);
        assert_eq!(rows[MAP_COLS], MARGIN + TILE_PITCH);
    }

    #[test]
    fn urls_become_links_and_none_does_not() {
        let mut bars = years();
        bars[1].url = None;
        for svg in [bar_chart("b", "t", &bars), column_chart("c", "t", &bars)] {
            let doc = parse(&svg);
            let found = items(&doc);
            assert_eq!(found[0].tag_name().name(), "a");
            assert_eq!(found[0].attribute("href"), Some("/industries/3/"));
            assert_eq!(found[1].tag_name().name(), "g");
            assert_eq!(found[1].attribute("href"), None);
        }
        let mut tiles = vec![tile("beijing", "北京市", 1)];
        tiles[0].url = None;
        assert!(!tile_map("m", "t", &tiles).contains("<a "));
    }

    #[test]
    fn empty_input_says_there_is_no_data() {
        for svg in [
            bar_chart("b", "t", &[]),
            column_chart("c", "t", &[]),
            tile_map("m", "t", &[]),
        ] {
            let doc = parse(&svg);
            assert!(doc.descendants().any(|n| n.text() == Some(NO_DATA)));
        }
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(all_charts(), all_charts());
        let tiles = all_tiles();
        assert_eq!(
            tile_map("m", "t", &tiles),
            tile_map("m", "t", &tiles.clone())
        );
    }

    #[test]
    fn every_mark_fits_in_the_view_box() {
        let mut wide = industries();
        wide.push(bar("2021年度特别长的标签", 99_999, 0));
        let charts = [
            bar_chart("b", "t", &wide),
            column_chart("c", "t", &wide),
            tile_map("m", "t", &all_tiles()),
        ];
        for svg in &charts {
            let doc = parse(svg);
            let view_box: Vec<usize> = doc
                .root_element()
                .attribute("viewBox")
                .unwrap()
                .split(' ')
                .map(|v| v.parse().unwrap())
                .collect();
            let (width, height) = (view_box[2], view_box[3]);
            for rect in doc.descendants().filter(|n| n.has_tag_name("rect")) {
                assert!(
                    number(&rect, "x") + number(&rect, "width") <= width,
                    "{svg}"
                );
                assert!(
                    number(&rect, "y") + number(&rect, "height") <= height,
                    "{svg}"
                );
            }
            for text in doc.descendants().filter(|n| n.has_tag_name("text")) {
                let size = number(&text, "font-size");
                let estimated = text_width(text.text().unwrap_or(""), size);
                let left = match text.attribute("text-anchor") {
                    Some("middle") => number(&text, "x") - estimated / 2,
                    _ => number(&text, "x"),
                };
                assert!(left + estimated <= width, "{:?} in {svg}", text.text());
                assert!(number(&text, "y") <= height);
            }
        }
    }
}
