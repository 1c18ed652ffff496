//! Controlled vocabularies (`content/_taxonomies/*.yaml`): loading, resolving a value by
//! name or alias to a term, the category/group hierarchy, and did-you-mean suggestions.

use std::collections::HashMap;
use std::path::Path;

use crate::base::diagnostics::{Diagnostic, did_you_mean};
use crate::base::source::{FieldReader, FieldSpec, Node, SourceFile, YamlDoc};

/// Index of a term within its taxonomy.
pub type TermId = usize;

/// The vocabularies a case is classified by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Region,
    Industry,
    Scenario,
    Technology,
    /// A factory's title: 示范工厂, 卓越级, 领航级.
    Level,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Region,
        Kind::Industry,
        Kind::Scenario,
        Kind::Technology,
        Kind::Level,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Region => "regions.yaml",
            Kind::Industry => "industries.yaml",
            Kind::Scenario => "scenarios.yaml",
            Kind::Technology => "technologies.yaml",
            Kind::Level => "levels.yaml",
        }
    }

    /// Chinese name used in messages and pages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Region => "地区",
            Kind::Industry => "行业",
            Kind::Scenario => "典型场景",
            Kind::Technology => "技术",
            Kind::Level => "级别",
        }
    }

    /// The starter vocabulary built into anli, used when a site has no file of its own.
    fn builtin(self) -> &'static str {
        match self {
            Kind::Region => include_str!("../../content/_taxonomies/regions.yaml"),
            Kind::Industry => include_str!("../../content/_taxonomies/industries.yaml"),
            Kind::Scenario => include_str!("../../content/_taxonomies/scenarios.yaml"),
            Kind::Technology => include_str!("../../content/_taxonomies/technologies.yaml"),
            Kind::Level => include_str!("../../content/_taxonomies/levels.yaml"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub aliases: Vec<String>,
    pub parent: Option<TermId>,
    pub children: Vec<TermId>,
}

/// A unit that recommends cases on its own (计划单列市 and others), with its region.
#[derive(Debug, Clone)]
pub struct Recommender {
    pub name: String,
    pub region: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub kind: Kind,
    /// Terms in file order; a parent comes before its children.
    pub terms: Vec<Term>,
    pub recommenders: Vec<Recommender>,
    /// Normalised name or alias → term.
    lookup: HashMap<String, TermId>,
    /// Whether its file could not be read or parsed (that is reported): values of this
    /// kind are then not reported as unknown one by one.
    pub unusable: bool,
}

/// Why a value did not resolve.
pub struct Unresolved {
    pub suggestion: Option<String>,
    /// The region a recommending unit belongs to, when the value names one (`深圳市`).
    pub recommender_region: Option<String>,
}

impl Taxonomy {
    /// Resolves a front-matter value by name or alias (ASCII case and full-width forms ignored).
    pub fn resolve(&self, value: &str) -> Result<TermId, Unresolved> {
        if let Some(&id) = self.lookup.get(&normalise(value)) {
            return Ok(id);
        }
        let recommender_region = self
            .recommenders
            .iter()
            .find(|r| r.name == value.trim() || r.name.trim_end_matches('市') == value.trim())
            .and_then(|r| r.region.clone());
        let names = self
            .terms
            .iter()
            .flat_map(|t| std::iter::once(&t.name).chain(&t.aliases));
        let suggestion = did_you_mean(value.trim(), names.map(String::as_str))
            .and_then(|s| self.lookup.get(&normalise(s)))
            .map(|&id| self.terms[id].name.clone());
        Err(Unresolved {
            suggestion,
            recommender_region,
        })
    }

    pub fn term(&self, id: TermId) -> &Term {
        &self.terms[id]
    }

    /// The top-level term a term belongs to (a sub-industry's category), or itself.
    pub fn root_of(&self, id: TermId) -> TermId {
        let mut id = id;
        while let Some(parent) = self.terms[id].parent {
            id = parent;
        }
        id
    }

    /// `id` and every term above it.
    pub fn ancestors(&self, id: TermId) -> Vec<TermId> {
        let mut found = vec![id];
        while let Some(parent) = self.terms[*found.last().expect("not empty")].parent {
            found.push(parent);
        }
        found
    }

    /// A few names an editor can pick from, for help texts.
    pub fn examples(&self) -> String {
        let leaves: Vec<&str> = self
            .terms
            .iter()
            .filter(|t| t.children.is_empty())
            .take(5)
            .map(|t| t.name.as_str())
            .collect();
        leaves.join("、")
    }
}

/// Folds the forms an editor may type for the same term: surrounding space, ASCII case,
/// full-width letters and digits (`５Ｇ`).
fn normalise(value: &str) -> String {
    value
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// All five vocabularies.
#[derive(Debug, Clone)]
pub struct Taxonomies {
    pub regions: Taxonomy,
    pub industries: Taxonomy,
    pub scenarios: Taxonomy,
    pub technologies: Taxonomy,
    pub levels: Taxonomy,
}

impl Taxonomies {
    pub fn get(&self, kind: Kind) -> &Taxonomy {
        match kind {
            Kind::Region => &self.regions,
            Kind::Industry => &self.industries,
            Kind::Scenario => &self.scenarios,
            Kind::Technology => &self.technologies,
            Kind::Level => &self.levels,
        }
    }

    /// Loads `<content>/_taxonomies/*.yaml`, read as content is (no links, at most
    /// `max_size` bytes); a missing file falls back to the starter vocabulary built into anli.
    pub fn load(root: &Path, max_size: u64, diagnostics: &mut Vec<Diagnostic>) -> Taxonomies {
        let mut load = |kind: Kind| {
            let rel = format!("content/_taxonomies/{}", kind.file_name());
            let file = match crate::input::content::read_source(root, &rel, max_size) {
                Ok(Some(file)) => Ok(file),
                Ok(None) => Ok(SourceFile {
                    path: format!("<内置>/{}", kind.file_name()),
                    text: kind.builtin().to_string(),
                }),
                Err(d) => Err(*d),
            };
            match file {
                Ok(file) => parse(kind, &file, diagnostics),
                Err(d) => {
                    diagnostics.push(d);
                    Taxonomy {
                        unusable: true,
                        ..empty(kind)
                    }
                }
            }
        };
        Taxonomies {
            regions: load(Kind::Region),
            industries: load(Kind::Industry),
            scenarios: load(Kind::Scenario),
            technologies: load(Kind::Technology),
            levels: load(Kind::Level),
        }
    }
}

/// The starter vocabularies built into anli, loaded once, for tests.
#[cfg(test)]
pub fn builtin() -> &'static Taxonomies {
    static BUILTIN: std::sync::OnceLock<Taxonomies> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(|| {
        let mut diagnostics = Vec::new();
        let t = Taxonomies::load(Path::new("/nonexistent"), 1 << 20, &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        t
    })
}

fn empty(kind: Kind) -> Taxonomy {
    Taxonomy {
        kind,
        terms: Vec::new(),
        recommenders: Vec::new(),
        lookup: HashMap::new(),
        unusable: false,
    }
}

const FILE_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "name",
        label: "词表名称",
    },
    FieldSpec {
        key: "key",
        label: "字段名",
    },
    FieldSpec {
        key: "terms",
        label: "词条",
    },
    FieldSpec {
        key: "recommenders",
        label: "推荐单位",
    },
];

const TERM_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "name",
        label: "名称",
    },
    FieldSpec {
        key: "slug",
        label: "网址名",
    },
    FieldSpec {
        key: "aliases",
        label: "别名",
    },
    FieldSpec {
        key: "children",
        label: "下级词条",
    },
    FieldSpec {
        key: "code",
        label: "行政区划代码",
    },
    FieldSpec {
        key: "gb4754",
        label: "国民经济行业分类",
    },
];

const RECOMMENDER_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "name",
        label: "名称",
    },
    FieldSpec {
        key: "region",
        label: "所属地区",
    },
    FieldSpec {
        key: "code",
        label: "行政区划代码",
    },
];

/// Parses one vocabulary file, reporting every problem with its position.
pub fn parse(kind: Kind, file: &SourceFile, diagnostics: &mut Vec<Diagnostic>) -> Taxonomy {
    let mut taxonomy = empty(kind);
    let doc = match YamlDoc::parse(file, &file.text, 1) {
        Ok(doc) => doc,
        Err(d) => {
            diagnostics.push(d);
            taxonomy.unusable = true;
            return taxonomy;
        }
    };
    let mut reader = FieldReader::new(file);
    let root = doc.root();
    reader.reject_unknown_keys(root, FILE_FIELDS, "词表文件中");
    for node in reader.records(root, "terms", "{name: 名称, slug: 网址名}") {
        add_term(&mut taxonomy, &mut reader, node, None);
    }
    for node in reader.records(root, "recommenders", "{name: 名称, region: 所属地区}") {
        reader.reject_unknown_keys(node, RECOMMENDER_FIELDS, "推荐单位中");
        if let Some(name) = reader.get::<String>(node, "name", "文本") {
            let region = reader
                .get::<String>(node, "region", "文本")
                .map(|r| r.value);
            taxonomy.recommenders.push(Recommender {
                name: name.value,
                region,
            });
        }
    }
    diagnostics.extend(reader.diagnostics);
    taxonomy
}

fn add_term(taxonomy: &mut Taxonomy, reader: &mut FieldReader, node: Node, parent: Option<TermId>) {
    reader.reject_unknown_keys(node, TERM_FIELDS, "词条中");
    let Some(name) = reader.get::<String>(node, "name", "文本") else {
        reader.error(
            "missing-field",
            node.pos(),
            1,
            "词条缺少 `name`".to_string(),
            "每个词条都要有中文名称，如 {name: 钢铁, slug: steel}".to_string(),
        );
        return;
    };
    let slug = reader
        .get::<String>(node, "slug", "文本")
        .map(|s| s.value)
        .unwrap_or_default();
    if !crate::input::content::is_valid_slug(&slug) {
        reader.error(
            "invalid-slug",
            node.get("slug").map_or(name.pos, |(_, n)| n.pos()),
            slug.chars().count(),
            format!("词条“{}”的 slug “{slug}”无效", name.value),
            "slug 只能由小写字母、数字和连字符组成（如 power-equipment），它决定该词条页面的网址"
                .to_string(),
        );
    }
    if let Some(other) = taxonomy
        .terms
        .iter()
        .find(|t| !slug.is_empty() && t.slug == slug)
    {
        reader.error(
            "duplicate-term",
            node.get("slug").map_or(name.pos, |(_, n)| n.pos()),
            slug.chars().count(),
            format!(
                "词条“{}”的 slug “{slug}”与词条“{}”相同",
                name.value, other.name
            ),
            "每个词条的 slug 决定它的页面网址，必须互不相同".to_string(),
        );
    }
    let aliases = reader.list::<String>(node, "aliases", "文本列表");
    let id = taxonomy.terms.len();
    for value in std::iter::once(&name).chain(&aliases) {
        if let Some(&other) = taxonomy.lookup.get(&normalise(&value.value)) {
            reader.error(
                "duplicate-term",
                value.pos,
                value.len,
                format!(
                    "“{}”在词表中重复：已是词条“{}”的名称或别名",
                    value.value, taxonomy.terms[other].name
                ),
                "一个名称或别名只能指向一个词条：删除或改写其中一个".to_string(),
            );
        } else {
            taxonomy.lookup.insert(normalise(&value.value), id);
        }
    }
    taxonomy.terms.push(Term {
        name: name.value,
        slug,
        aliases: aliases.into_iter().map(|a| a.value).collect(),
        parent,
        children: Vec::new(),
    });
    if let Some(parent) = parent {
        taxonomy.terms[parent].children.push(id);
    }
    for child in reader.records(node, "children", "{name: 名称, slug: 网址名}") {
        add_term(taxonomy, reader, child, Some(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(kind: Kind) -> Taxonomy {
        let file = SourceFile {
            path: "t.yaml".into(),
            text: kind.builtin().into(),
        };
        let mut diagnostics = Vec::new();
        let taxonomy = parse(kind, &file, &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        taxonomy
    }

    #[test]
    fn resolves_names_aliases_and_hierarchy() {
        let regions = builtin(Kind::Region);
        let gd = regions.resolve("广东").ok().unwrap();
        assert_eq!(regions.term(gd).name, "广东省");
        let err = regions.resolve("广冬省").err().unwrap();
        assert_eq!(err.suggestion.as_deref(), Some("广东省"));
        assert_eq!(
            regions
                .resolve("深圳市")
                .err()
                .unwrap()
                .recommender_region
                .as_deref(),
            Some("广东省")
        );

        let industries = builtin(Kind::Industry);
        let power = industries.resolve("电力装备").ok().unwrap();
        assert_eq!(industries.term(industries.root_of(power)).name, "装备制造");
        let equipment = industries.resolve("装备制造").ok().unwrap();
        assert!(industries.term(equipment).children.contains(&power));

        let tech = builtin(Kind::Technology);
        assert_eq!(tech.term(tech.resolve("５ｇ").ok().unwrap()).name, "5G");
        let err = tech.resolve("工业互连网").err().unwrap();
        assert_eq!(err.suggestion.as_deref(), Some("工业互联网"));
    }
}
