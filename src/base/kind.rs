//! The three kinds of cases: a name every layer uses.

/// The three collections of the programme; the folder a case is in decides its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    Scenario,
    Factory,
    Zone,
}

impl CaseKind {
    pub const ALL: [CaseKind; 3] = [CaseKind::Scenario, CaseKind::Factory, CaseKind::Zone];

    pub fn from_folder(folder: &str) -> Option<CaseKind> {
        CaseKind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    /// The folder under `content/`, which is also the URL segment.
    pub fn folder(self) -> &'static str {
        match self {
            CaseKind::Scenario => "scenarios",
            CaseKind::Factory => "factories",
            CaseKind::Zone => "zones",
        }
    }

    /// The singular English name, as `site.yaml` and the command line write it.
    pub fn key(self) -> &'static str {
        match self {
            CaseKind::Scenario => "scenario",
            CaseKind::Factory => "factory",
            CaseKind::Zone => "zone",
        }
    }

    /// The programme's name for the collection.
    pub fn label(self) -> &'static str {
        match self {
            CaseKind::Scenario => "智能制造优秀场景",
            CaseKind::Factory => "智能制造示范工厂",
            CaseKind::Zone => "智能制造先行区",
        }
    }

    pub fn short_label(self) -> &'static str {
        match self {
            CaseKind::Scenario => "优秀场景",
            CaseKind::Factory => "示范工厂",
            CaseKind::Zone => "先行区",
        }
    }
}
