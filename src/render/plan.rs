//! The plan: every page of the site, each with what it shows — the cases whose whole
//! content it prints, the cases whose cards it lists, the free pages it holds and the
//! counts it states. Making the plan is cheap (no template, no context); rendering a
//! planned page is [`super::Renderer::render`]. An incremental rebuild compares the
//! plans before and after an edit and renders only the pages whose inputs changed.

use rayon::prelude::*;

use crate::base::kind::CaseKind;
use crate::input::taxonomy::{Kind, TermId};
use crate::model::{Index, Site};
use crate::site::urls::{self, VOCABULARIES};

/// Cases related to a case page, at most.
pub const RELATED_LIMIT: usize = 6;

/// Number of newest cases on the home page.
pub const LATEST: usize = 8;

/// A paginated list of cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listing {
    Kind(CaseKind),
    Term(Kind, TermId),
    Year(i32),
    /// Every listed case: the case library's pages for a browser without JavaScript.
    All,
}

impl Listing {
    pub fn url(self, site: &Site) -> String {
        match self {
            Listing::Kind(kind) => urls::kind_url(kind),
            Listing::Term(kind, id) => urls::term_url(site, kind, id),
            Listing::Year(year) => urls::year_url(year),
            Listing::All => urls::LIBRARY_URL.to_string(),
        }
    }

    /// Its cards, in listing order.
    pub fn cases(self, index: &Index) -> &[usize] {
        match self {
            Listing::Kind(kind) => index.of_kind(kind),
            Listing::Term(kind, id) => index.with_term(kind, id),
            Listing::Year(year) => index.of_year(year),
            Listing::All => index.listed(),
        }
    }
}

/// Which page a planned page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spec {
    Home,
    /// Page `page` (from 0) of a listing.
    Listing {
        of: Listing,
        page: usize,
    },
    /// The index of a vocabulary's terms.
    Vocabulary(Kind),
    /// The index of the batch years.
    Years,
    Case(usize),
    /// A free page, by its index in `site.pages`.
    Page(usize),
    /// A compendium's print page, by its index in `site.compendia`.
    Print(usize),
    /// The case library `/cases/`.
    Library,
    NotFound,
}

/// What a page shows besides what every page shows (the `site` context).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Shows {
    /// Cases whose whole content is on the page: a case's own page, a print page's cases.
    pub cases: Vec<usize>,
    /// Cases shown as cards, in the order shown.
    pub cards: Vec<usize>,
    /// Free pages whose content is on the page.
    pub pages: Vec<usize>,
    /// The counts the page states, in the order it states them.
    pub counts: Vec<usize>,
    /// Whether it states the counts of every term, kind and year (home, indexes, library).
    pub all_counts: bool,
}

/// One page of the site.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Output file, e.g. `regions/jiangsu/index.html`.
    pub path: String,
    pub spec: Spec,
    pub shows: Shows,
}

/// Every page of the site, in a stable order.
pub fn plan(site: &Site, index: &Index) -> Vec<Planned> {
    let mut pages = vec![home(site, index)];
    for kind in CaseKind::ALL {
        pages.extend(listing(site, index, Listing::Kind(kind), Vec::new()));
    }
    for vocabulary in &VOCABULARIES {
        let kind = vocabulary.kind;
        pages.push(overview(
            format!("{}/index.html", vocabulary.segment),
            Spec::Vocabulary(kind),
        ));
        let taxonomy = site.taxonomies.get(kind);
        for id in 0..taxonomy.terms.len() {
            let children = taxonomy.term(id).children.iter();
            let counts = children.map(|&c| index.with_term(kind, c).len()).collect();
            pages.extend(listing(site, index, Listing::Term(kind, id), counts));
        }
    }
    pages.push(overview("years/index.html".into(), Spec::Years));
    for year in year_range(site) {
        pages.extend(listing(site, index, Listing::Year(year), Vec::new()));
    }
    let cases: Vec<Planned> = (0..site.cases.len())
        .into_par_iter()
        .map(|i| case_page(site, index, i))
        .collect();
    pages.extend(cases);
    pages.extend(site.pages.iter().enumerate().map(|(j, page)| Planned {
        path: urls::page_file_of(&page.slug),
        spec: Spec::Page(j),
        shows: Shows {
            pages: vec![j],
            ..Shows::default()
        },
    }));
    pages.extend(site.compendia.iter().enumerate().map(|(c, book)| {
        Planned {
            path: format!("{}/index.html", urls::compendium_folder(&book.slug)),
            spec: Spec::Print(c),
            shows: Shows {
                cases: book
                    .chapters
                    .iter()
                    .flat_map(|ch| ch.cases.clone())
                    .collect(),
                pages: book.preface.into_iter().collect(),
                ..Shows::default()
            },
        }
    }));
    if site.config.search {
        // The library's first page is its search; it and the pages after it list every
        // case for a browser without JavaScript.
        let mut library = listing(site, index, Listing::All, Vec::new());
        library[0].spec = Spec::Library;
        library[0].shows.all_counts = true;
        pages.extend(library);
    }
    pages.push(Planned {
        path: "404.html".into(),
        spec: Spec::NotFound,
        shows: Shows::default(),
    });
    pages
}

/// A page that states every count.
fn overview(path: String, spec: Spec) -> Planned {
    Planned {
        path,
        spec,
        shows: Shows {
            all_counts: true,
            ..Shows::default()
        },
    }
}

/// Home: every count, and the newest cards.
fn home(site: &Site, index: &Index) -> Planned {
    let mut page = overview("index.html".into(), Spec::Home);
    page.shows.cards = latest(site, index);
    page
}

/// The newest listed cases, by batch year and approval date.
pub fn latest(site: &Site, index: &Index) -> Vec<usize> {
    let mut latest = index.listed().to_vec();
    latest.sort_by_key(|&i| std::cmp::Reverse((site.cases[i].year, site.cases[i].approved)));
    latest.truncate(LATEST);
    latest
}

/// The pages of a listing: each shows its cards, the listing's length (its count and
/// pager), `more` counts (a term's sub-terms) and those of the compendia it links.
fn listing(site: &Site, index: &Index, of: Listing, more: Vec<usize>) -> Vec<Planned> {
    let items = of.cases(index);
    let size = urls::page_size(site);
    let chunks: Vec<&[usize]> = if items.is_empty() {
        vec![&[]]
    } else {
        items.chunks(size).collect()
    };
    let url = of.url(site);
    let mut counts = vec![items.len()];
    counts.extend(more);
    counts.extend(
        site.compendia
            .iter()
            .filter(|c| match of {
                Listing::Kind(kind) => c.selects_kind(kind),
                Listing::Term(kind, id) => c.selects_term(kind, id),
                Listing::Year(year) => c.selects_year(year),
                Listing::All => false,
            })
            .map(|c| c.case_count()),
    );
    chunks
        .into_iter()
        .enumerate()
        .map(|(page, chunk)| Planned {
            path: urls::listing_page_file(&url, page + 1),
            spec: Spec::Listing { of, page },
            shows: Shows {
                cards: chunk.to_vec(),
                counts: counts.clone(),
                ..Shows::default()
            },
        })
        .collect()
}

/// A case's page: the case, its card, its related cases and, for a zone, a page's worth
/// of its members with their number.
fn case_page(site: &Site, index: &Index, i: usize) -> Planned {
    let around = Around::of(site, index, i);
    let mut cards = vec![i];
    cards.extend(&around.related);
    cards.extend(&around.members);
    let counts = around.members_total.into_iter().collect();
    Planned {
        path: urls::case_file(&site.cases[i]),
        spec: Spec::Case(i),
        shows: Shows {
            cases: vec![i],
            cards,
            counts,
            ..Shows::default()
        },
    }
}

/// The cases a case page shows around its own.
pub struct Around {
    pub related: Vec<usize>,
    /// For a zone: a page's worth of its factories and scenarios, and how many it has.
    pub members: Vec<usize>,
    pub members_total: Option<usize>,
}

impl Around {
    pub fn of(site: &Site, index: &Index, i: usize) -> Around {
        let related = index.related(site, i, RELATED_LIMIT);
        if site.cases[i].kind != CaseKind::Zone {
            return Around {
                related,
                members: Vec::new(),
                members_total: None,
            };
        }
        // A zone in a large region could list thousands: a page's worth, and the count.
        let mut members = index.zone_members(site, i);
        let total = members.len();
        members.truncate(site.config.page_size);
        Around {
            related,
            members,
            members_total: Some(total),
        }
    }
}

/// Every year from the first batch to the last, so a year without cases shows as a gap.
pub fn year_range(site: &Site) -> std::ops::RangeInclusive<i32> {
    let first = site.cases.iter().map(|c| c.year).min().unwrap_or(0);
    let last = site.cases.iter().map(|c| c.year).max().unwrap_or(-1);
    first..=last
}
