//! The one place the site's URLs and output paths are spelled: a case's page, the
//! listings of kinds, years and terms with their numbered pages, the compendia's print
//! pages and PDFs. A URL starts and ends with `/`; an output file has neither.

use crate::base::kind::CaseKind;
use crate::input::taxonomy::{Kind, TermId};
use crate::model::compendium::Compendium;
use crate::model::{Case, Site};

/// A case's page: `/factories/slug/`.
pub fn case_url(case: &Case) -> String {
    format!("/{}/", case.id())
}

/// A case's page relative to the site's root, as feeds and the sitemap join it to
/// `base_url`: `factories/slug/`.
pub fn case_path(case: &Case) -> String {
    format!("{}/", case.id())
}

/// The output folder of a case's page, where its images go too: `factories/slug`.
pub fn case_dir(case: &Case) -> String {
    case.id()
}

/// The output file of a case's page.
pub fn case_file(case: &Case) -> String {
    format!("{}/index.html", case.id())
}

/// A free page: `/about/`.
pub fn page_url(slug: &str) -> String {
    format!("/{slug}/")
}

/// The index of a vocabulary: `/regions/`.
pub fn vocabulary_url(kind: Kind) -> String {
    format!("/{}/", segment(kind))
}

/// The output file of a free page.
pub fn page_file_of(slug: &str) -> String {
    format!("{slug}/index.html")
}

/// The index of the years: `/years/`.
pub const YEARS_URL: &str = "/years/";

/// A vocabulary with term pages, and the URL segment of those pages.
pub struct Vocabulary {
    pub kind: Kind,
    pub segment: &'static str,
    /// Whether the default navigation links its overview.
    pub in_nav: bool,
}

pub const VOCABULARIES: [Vocabulary; 5] = [
    Vocabulary {
        kind: Kind::Region,
        segment: "regions",
        in_nav: true,
    },
    Vocabulary {
        kind: Kind::Industry,
        segment: "industries",
        in_nav: true,
    },
    Vocabulary {
        kind: Kind::Scenario,
        segment: "scenario-types",
        in_nav: true,
    },
    Vocabulary {
        kind: Kind::Technology,
        segment: "technologies",
        in_nav: true,
    },
    // Only factories have a level: its pages are reached from their badges.
    Vocabulary {
        kind: Kind::Level,
        segment: "levels",
        in_nav: false,
    },
];

pub fn segment(kind: Kind) -> &'static str {
    VOCABULARIES
        .iter()
        .find(|v| v.kind == kind)
        .map_or("", |v| v.segment)
}

/// Cards per listing page.
pub fn page_size(site: &Site) -> usize {
    site.config.page_size.max(1)
}

/// How many pages a listing of `len` cards has: one at least, empty if need be.
pub fn page_count(len: usize, page_size: usize) -> usize {
    len.div_ceil(page_size).max(1)
}

/// The URL of page `n` (from 1) of the listing at `url`.
pub fn listing_page_url(url: &str, n: usize) -> String {
    if n == 1 {
        url.to_string()
    } else {
        format!("{url}page/{n}/")
    }
}

/// The output file of the page at `url` (`/regions/` → `regions/index.html`).
pub fn page_file(url: &str) -> String {
    format!("{}index.html", url.trim_start_matches('/'))
}

/// The output file of page `n` (from 1) of the listing at `url`.
pub fn listing_page_file(url: &str, n: usize) -> String {
    page_file(&listing_page_url(url, n))
}

/// The case library: search and filters over every listed case.
pub const LIBRARY_URL: &str = "/cases/";

/// The case library with filters set (`/cases/?region=%E6%B1%9F…`), as its script reads
/// them from the address.
pub fn library_url(filters: &[(&str, &str)]) -> String {
    let query: Vec<String> = filters
        .iter()
        .map(|(key, value)| {
            let value =
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
            format!("{key}={value}")
        })
        .collect();
    if query.is_empty() {
        LIBRARY_URL.to_string()
    } else {
        format!("{LIBRARY_URL}?{}", query.join("&"))
    }
}

pub fn kind_url(kind: CaseKind) -> String {
    format!("/{}/", kind.folder())
}

pub fn year_url(year: i32) -> String {
    format!("/years/{year}/")
}

pub fn term_url(site: &Site, kind: Kind, id: TermId) -> String {
    format!(
        "/{}/{}/",
        segment(kind),
        site.taxonomies.get(kind).term(id).slug
    )
}

/// Where a compendium's cover image goes in the output.
pub fn cover_path(book: &Compendium) -> Option<String> {
    let ext = book
        .cover_image
        .as_ref()?
        .extension()?
        .to_string_lossy()
        .to_ascii_lowercase();
    Some(format!("{}/cover.{ext}", compendium_folder(&book.slug)))
}

/// The output folder of a compendium's print page and its files.
pub fn compendium_folder(slug: &str) -> String {
    format!("compendium/{slug}")
}

/// Output path of a compendium's PDF.
pub fn compendium_pdf(slug: &str) -> String {
    format!("compendium/{slug}.pdf")
}
