//! Which cases each compendium of `site.yaml` holds, in what chapters and order, and
//! which compendia a command typesets.

use std::path::{Path, PathBuf};

use crate::base::diagnostics::{Diagnostic, Severity};
use crate::base::source::{FieldReader, SourceFile, Spanned};
use crate::input::config::{CompendiumSpec, GroupBy, Order, SelectKey, Selector};
use crate::input::taxonomy::{Kind, TermId};
use crate::model::{Case, CaseKind, Site, Status, TitleState};

/// A compendium with its selection resolved into chapters of cases.
#[derive(Debug, Clone)]
pub struct Compendium {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub organiser: Option<String>,
    pub date: Option<String>,
    pub cover_image: Option<PathBuf>,
    /// Index into [`Site::pages`].
    pub preface: Option<usize>,
    pub select: Vec<Condition>,
    pub chapters: Vec<Chapter>,
    /// Printed on both sides: chapters start on a right-hand page.
    pub duplex: bool,
    /// Each case carries a QR code of its web address.
    pub qr_codes: bool,
}

#[derive(Debug, Clone)]
pub struct Chapter {
    pub title: String,
    /// Indexes into [`Site::cases`], in book order.
    pub cases: Vec<usize>,
    /// Whether it opens with a page of its own (enough cases), or with its title above
    /// its first case.
    pub opener: bool,
}

/// One resolved selector: a case must match one of its values.
#[derive(Debug, Clone)]
pub enum Condition {
    Kinds(Vec<CaseKind>),
    /// Terms of one vocabulary; a case matches through a term or one of its sub-terms.
    Terms(Kind, Vec<TermId>),
    Years(Vec<i32>),
    Statuses(Vec<Status>),
}

impl Compendium {
    pub fn holds(&self, case: usize) -> bool {
        self.chapters.iter().any(|c| c.cases.contains(&case))
    }

    pub fn case_count(&self) -> usize {
        self.chapters.iter().map(|c| c.cases.len()).sum()
    }

    /// Whether a selector names the term (so its term page links the compendium).
    pub fn selects_term(&self, kind: Kind, term: TermId) -> bool {
        self.select
            .iter()
            .any(|c| matches!(c, Condition::Terms(k, ids) if *k == kind && ids.contains(&term)))
    }

    pub fn selects_kind(&self, kind: CaseKind) -> bool {
        self.select
            .iter()
            .any(|c| matches!(c, Condition::Kinds(kinds) if kinds.contains(&kind)))
    }

    pub fn selects_year(&self, year: i32) -> bool {
        self.select
            .iter()
            .any(|c| matches!(c, Condition::Years(years) if years.contains(&year)))
    }
}

/// Resolves every compendium of `site.yaml` (`file`) against the site. Unknown values,
/// a missing preface and an empty selection are reported at their place in `site.yaml`.
pub fn resolve(
    site: &Site,
    file: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Compendium> {
    let mut reader = FieldReader::new(file);
    let compendia = site
        .config
        .compendia
        .iter()
        .filter_map(|spec| resolve_one(site, spec, &mut reader))
        .collect();
    diagnostics.extend(reader.diagnostics);
    compendia
}

fn resolve_one(site: &Site, spec: &CompendiumSpec, reader: &mut FieldReader) -> Option<Compendium> {
    let before = reader.diagnostics.len();
    let select: Vec<Condition> = spec
        .select
        .iter()
        .map(|s| condition(site, s, reader))
        .collect();
    let preface = spec
        .preface
        .as_ref()
        .and_then(|p| find_preface(site, p, reader));
    let cover_image = spec.cover.image.as_ref().and_then(|image| {
        crate::model::check_asset(&site.root, Path::new("content"), &image.value)
            .map_err(|problem| {
                reader.error(
                    "missing-file",
                    image.pos,
                    image.len,
                    format!("封面图片 {problem}"),
                    "封面图片写成 content/ 下的路径，如 pages/cover-2022.jpg".to_string(),
                )
            })
            .ok()
    });
    if reader.diagnostics.len() > before {
        return None;
    }
    let selected: Vec<usize> = (0..site.cases.len())
        .filter(|&i| {
            let case = &site.cases[i];
            case.lifecycle.state != TitleState::Revoked
                && select.iter().all(|c| holds(site, c, case))
        })
        .collect();
    if selected.is_empty() {
        reader.error(
            "empty-compendium",
            spec.pos,
            spec.slug.chars().count(),
            format!("案例集“{}”（{}）没有选中任何案例", spec.title, spec.slug),
            "检查 select 中的条件是否过严；已撤销的案例和草稿不会收入案例集".to_string(),
        );
        return None;
    }
    let qr_codes = qr_codes(site, spec, reader);
    Some(Compendium {
        slug: spec.slug.clone(),
        title: spec.title.clone(),
        subtitle: spec.subtitle.clone(),
        // A cover always says who made it and when: the site's publisher and the month
        // of the build, unless the compendium says.
        organiser: spec
            .cover
            .organiser
            .clone()
            .or_else(|| site.config.publisher.clone()),
        date: spec.cover.date.clone().or_else(|| {
            let today = crate::model::today();
            Some(today.format("%Y年%-m月").to_string())
        }),
        cover_image,
        preface,
        chapters: chapters(site, spec.group_by, spec.order, selected)
            .into_iter()
            .map(|chapter| Chapter {
                opener: chapter.cases.len() >= spec.opener_min_cases,
                ..chapter
            })
            .collect(),
        select,
        duplex: spec.duplex,
        qr_codes,
    })
}

/// Whether the compendium's cases carry QR codes: when it asks for them and the site has
/// an absolute address for them to lead to (else a warning, and none).
fn qr_codes(site: &Site, spec: &CompendiumSpec, reader: &mut FieldReader) -> bool {
    let Some(asked) = spec.qr_codes.as_ref().filter(|q| q.value) else {
        return false;
    };
    if site.config.base_url.starts_with("http") {
        return true;
    }
    reader.report(
        Severity::Warning,
        "qr-without-address",
        asked.pos,
        asked.len,
        format!(
            "案例集“{}”要印二维码，但发布地址 base_url 是“{}”，不是完整网址，二维码无处可指，已略去",
            spec.title, site.config.base_url
        ),
        "在 site.yaml 写 base_url: https://…（或构建时用 --base-url https://…），或去掉 qr_codes".to_string(),
    );
    false
}

/// The preface page, written as a path under `content/` (`pages/preface-2022.md`).
fn find_preface(site: &Site, preface: &Spanned<String>, reader: &mut FieldReader) -> Option<usize> {
    let wanted = format!("content/{}", preface.value.trim().trim_start_matches("./"));
    let found = site.pages.iter().position(|p| p.source.path == wanted);
    if found.is_none() && site.drafts_left_out.iter().any(|d| d.source == wanted) {
        reader.error(
            "missing-file",
            preface.pos,
            preface.len,
            format!("前言页面 {wanted} 是草稿（draft: true），不会发布"),
            "去掉前言的 draft: true，或换一篇前言".to_string(),
        );
    } else if found.is_none() {
        let pages: Vec<String> = site
            .pages
            .iter()
            .map(|p| p.source.path.trim_start_matches("content/").to_string())
            .collect();
        reader.error(
            "missing-file",
            preface.pos,
            preface.len,
            format!("找不到前言页面 {wanted}"),
            format!(
                "前言写成 content/ 下的页面路径；现有页面：{}",
                if pages.is_empty() {
                    "（无）".to_string()
                } else {
                    pages.join("、")
                }
            ),
        );
    }
    found
}

fn condition(site: &Site, selector: &Selector, reader: &mut FieldReader) -> Condition {
    let values = &selector.values;
    let terms = |kind: Kind, top: bool, reader: &mut FieldReader| {
        Condition::Terms(
            kind,
            values
                .iter()
                .filter_map(|v| term(site, kind, top, v, reader))
                .collect(),
        )
    };
    match selector.key {
        SelectKey::Kind => {
            Condition::Kinds(values.iter().filter_map(|v| kind(v, reader)).collect())
        }
        SelectKey::Category => terms(Kind::Industry, true, reader),
        SelectKey::Industry => terms(Kind::Industry, false, reader),
        SelectKey::Region => terms(Kind::Region, false, reader),
        SelectKey::Scenario => terms(Kind::Scenario, false, reader),
        SelectKey::ScenarioGroup => terms(Kind::Scenario, true, reader),
        SelectKey::Technology => terms(Kind::Technology, false, reader),
        SelectKey::Level => terms(Kind::Level, false, reader),
        SelectKey::Year => {
            Condition::Years(values.iter().filter_map(|v| year(v, reader)).collect())
        }
        SelectKey::Status => {
            Condition::Statuses(values.iter().filter_map(|v| status(v, reader)).collect())
        }
    }
}

/// A vocabulary term; with `top`, it must be a top-level one (a category, a group).
fn term(
    site: &Site,
    kind: Kind,
    top: bool,
    value: &Spanned<String>,
    reader: &mut FieldReader,
) -> Option<TermId> {
    let id = crate::model::resolve(reader, &site.taxonomies, kind, value)?;
    let taxonomy = site.taxonomies.get(kind);
    if top && taxonomy.term(id).parent.is_some() {
        let (what, key) = match kind {
            Kind::Industry => ("行业大类", "industry"),
            _ => ("场景环节", "scenario"),
        };
        let parent = taxonomy.term(taxonomy.root_of(id)).name.clone();
        reader.error(
            "not-a-group",
            value.pos,
            value.len,
            format!("“{}”不是{what}（它属于“{parent}”）", value.value),
            format!("写成 {key}: {}，或写{what}“{parent}”", value.value),
        );
        return None;
    }
    Some(id)
}

fn kind(value: &Spanned<String>, reader: &mut FieldReader) -> Option<CaseKind> {
    let v = value.value.trim();
    let found = CaseKind::ALL
        .into_iter()
        .find(|k| v == k.folder() || v == k.key() || v == k.label() || v == k.short_label());
    if found.is_none() {
        reader.error(
            "unknown-kind",
            value.pos,
            value.len,
            format!("未知的案例类别“{v}”"),
            "kind 可以是：优秀场景（scenario）、示范工厂（factory）、先行区（zone）".to_string(),
        );
    }
    found
}

fn year(value: &Spanned<String>, reader: &mut FieldReader) -> Option<i32> {
    let year = value
        .value
        .trim()
        .trim_end_matches('年')
        .parse::<i32>()
        .ok();
    let valid = year.filter(|y| (2000..=2100).contains(y));
    if valid.is_none() {
        reader.error(
            "invalid-year",
            value.pos,
            value.len,
            format!("年度“{}”无效", value.value),
            "year 写成四位数字的批次年度，如 2022 或 [2022, 2023]".to_string(),
        );
    }
    valid
}

fn status(value: &Spanned<String>, reader: &mut FieldReader) -> Option<Status> {
    let v = value.value.trim();
    let found = Status::ALL
        .into_iter()
        .find(|s| s.label() == v || format!("{s:?}").eq_ignore_ascii_case(v));
    if found.is_none() {
        let labels: Vec<&str> = Status::ALL.iter().map(|s| s.label()).collect();
        reader.error(
            "invalid-status",
            value.pos,
            value.len,
            format!("未知的状态“{v}”"),
            format!("status 可以是：{}", labels.join("、")),
        );
    }
    found
}

fn holds(site: &Site, condition: &Condition, case: &Case) -> bool {
    match condition {
        Condition::Kinds(kinds) => kinds.contains(&case.kind),
        Condition::Years(years) => years.contains(&case.year),
        Condition::Statuses(statuses) => statuses.contains(&case.status),
        Condition::Terms(kind, ids) => site.carried(case, *kind).iter().any(|id| ids.contains(id)),
    }
}

/// Title of the chapter for cases outside every group (a zone has no industry).
const OTHER: &str = "其他";

/// The chapters in the order of their vocabulary (or kind, or year), each holding its
/// cases in `order`.
fn chapters(site: &Site, group_by: GroupBy, order: Order, selected: Vec<usize>) -> Vec<Chapter> {
    let t = &site.taxonomies;
    let term = |kind: Kind, id: Option<TermId>| match id {
        Some(id) => (id as i64, t.get(kind).term(id).name.clone()),
        None => (i64::MAX, OTHER.to_string()),
    };
    let group = |case: &Case| -> (i64, String) {
        match group_by {
            GroupBy::Kind => (case.kind as i64, case.kind.label().to_string()),
            GroupBy::Category => term(Kind::Industry, site.category(case)),
            GroupBy::Industry => term(Kind::Industry, case.industry),
            GroupBy::Region => term(Kind::Region, Some(case.region)),
            GroupBy::Level => term(Kind::Level, case.level),
            GroupBy::Year => (case.year as i64, format!("{}年", case.year)),
            GroupBy::ScenarioGroup => term(
                Kind::Scenario,
                case.scenarios.first().map(|&s| t.scenarios.root_of(s)),
            ),
        }
    };
    let mut groups: std::collections::BTreeMap<(i64, String), Vec<usize>> = Default::default();
    for i in selected {
        groups.entry(group(&site.cases[i])).or_default().push(i);
    }
    groups
        .into_iter()
        .map(|((_, title), mut cases)| {
            cases.sort_by(|&a, &b| order_key(site, order, a).cmp(&order_key(site, order, b)));
            Chapter {
                title,
                cases,
                opener: true,
            }
        })
        .collect()
}

fn order_key(site: &Site, order: Order, index: usize) -> (i64, i64, &str, &str) {
    let case = &site.cases[index];
    let industry = case.industry.map_or(i64::MAX, |i| i as i64);
    let (first, second) = match order {
        Order::Region => (case.region as i64, case.year as i64),
        Order::Industry => (industry, case.region as i64),
        Order::Year => (case.year as i64, case.region as i64),
        Order::Title => (0, 0),
    };
    (first, second, &case.title, &case.slug)
}

/// A region with its units, each with its cases: one section of the unit index.
pub type RegionUnits<'s> = (TermId, Vec<(&'s str, Vec<usize>)>);

/// The units of a compendium by region (in the vocabulary's order), each with its cases
/// in book order: the index at the end of the book.
pub fn units_by_region<'s>(site: &'s Site, book: &Compendium) -> Vec<RegionUnits<'s>> {
    let mut regions: Vec<RegionUnits> = Vec::new();
    for &i in book.chapters.iter().flat_map(|c| &c.cases) {
        let case = &site.cases[i];
        let at = match regions.iter().position(|(r, _)| *r == case.region) {
            Some(at) => at,
            None => {
                regions.push((case.region, Vec::new()));
                regions.len() - 1
            }
        };
        let units = &mut regions[at].1;
        match units.iter_mut().find(|(unit, _)| *unit == case.unit) {
            Some((_, cases)) => cases.push(i),
            None => units.push((&case.unit, vec![i])),
        }
    }
    regions.sort_by_key(|(region, _)| *region);
    regions
}

/// Which compendia a command typesets as PDF.
#[derive(Debug, Clone, Default)]
pub enum Pdfs {
    #[default]
    None,
    All,
    Only(Vec<String>),
}

impl Pdfs {
    pub fn wants(&self, slug: &str) -> bool {
        match self {
            Pdfs::None => false,
            Pdfs::All => true,
            Pdfs::Only(slugs) => slugs.iter().any(|s| s == slug),
        }
    }
}
