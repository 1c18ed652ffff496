//! Labels the site prints the same way on pages and in PDFs.

use crate::input::taxonomy::Kind;
use crate::model::{Case, Site, TitleState};

/// The lifecycle in one line, as the programme writes it.
pub fn badge(case: &Case) -> String {
    let month = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
    let l = &case.lifecycle;
    match (l.state, l.build_end, l.valid_until) {
        (TitleState::Revoked, _, _) => "已撤销".to_string(),
        (TitleState::Expired, Some(end), _) => format!("建设期已于 {} 结束", month(end)),
        (TitleState::Expired, _, Some(end)) => format!("有效期已于 {} 结束", month(end)),
        (_, Some(end), _) => format!("揭榜 · 建设期至 {}", month(end)),
        (_, _, Some(end)) => match l.last_review_passed {
            Some(r) => format!("复评通过 {} · 有效期至 {}", r.format("%Y"), month(end)),
            None => format!("有效期至 {}", month(end)),
        },
        _ => format!("{}年入选", case.year),
    }
}

/// 一 … 九十九, for chapter numbers.
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n > 10 { DIGITS[n % 10] } else { "" }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

/// The metadata block of a case in print (the compendium's PDF and print page): label
/// and value per line.
pub fn case_facts(site: &Site, index: usize) -> Vec<(&'static str, String)> {
    let case = &site.cases[index];
    let t = &site.taxonomies;
    let names = |kind: Kind, ids: &[usize]| {
        ids.iter()
            .map(|&id| t.get(kind).term(id).name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut region = t.get(Kind::Region).term(case.region).name.clone();
    if let Some(city) = &case.city {
        region = format!("{region}{city}");
    }
    let mut facts = vec![
        ("类别", case.kind.label().to_string()),
        ("单位", case.unit.clone()),
        ("地区", region),
    ];
    if let Some(industry) = case.industry {
        let category = site.category(case).filter(|&c| c != industry);
        let mut text = t.get(Kind::Industry).term(industry).name.clone();
        if let Some(c) = category {
            text = format!("{} · {text}", t.get(Kind::Industry).term(c).name);
        }
        facts.push(("行业", text));
    }
    if !case.scenarios.is_empty() {
        facts.push(("典型场景", names(Kind::Scenario, &case.scenarios)));
    }
    if !case.technologies.is_empty() {
        facts.push(("关键技术", names(Kind::Technology, &case.technologies)));
    }
    if let Some(level) = case.level {
        facts.push(("级别", t.levels.term(level).name.clone()));
    }
    facts.push(("批次年度", format!("{}年", case.year)));
    facts.push(("状态", badge(case)));
    // On paper, the way back to the live case: only a full address can be typed in.
    if site.config.base_url.starts_with("http") {
        let path = crate::site::urls::case_url(case);
        facts.push(("网址", site.config.absolute_url(&path)));
    }
    facts
}

/// The filter groups, in the order the case library shows them.
pub const FILTER_KEYS: [&str; 10] = [
    "kind",
    "level",
    "category",
    "industry",
    "region",
    "scenario_group",
    "scenario",
    "technology",
    "year",
    "status",
];

/// The case-library filter a listing page stands for: its key and value (a region's
/// name; a category's under `category`, a sub-industry's under `industry`, …).
pub fn term_filter(site: &Site, kind: Kind, id: usize) -> (&'static str, String) {
    let term = site.taxonomies.get(kind).term(id);
    let top = term.parent.is_none();
    let key = match kind {
        Kind::Region => "region",
        Kind::Industry if top => "category",
        Kind::Industry => "industry",
        Kind::Scenario if top => "scenario_group",
        Kind::Scenario => "scenario",
        Kind::Technology => "technology",
        Kind::Level => "level",
    };
    (key, term.name.clone())
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
        case.level
            .map(|l| name(Kind::Level, l))
            .into_iter()
            .collect(),
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
