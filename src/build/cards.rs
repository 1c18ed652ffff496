//! Cards made once: a page shows each card of a list as a marker
//! ([`crate::render::card_marker`], the card's `html` in the templates), which the
//! card's own HTML replaces after the page's rewrite. That HTML is rendered by
//! `partials/card.html` and rewritten on its own, once per emit rather than on each of
//! the dozen listing pages that show the card, and kept for the incremental emits after
//! while the card and the `site` context stay the same: a new case shifts the cards of
//! a thousand listing pages, which are then mostly copied.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use super::Loaded;
use super::emit::References;
use crate::base::diagnostics::Diagnostic;
use crate::markup::rewrite::{self, Reference};
use crate::render::{CARD_MARKER, Renderer};
use crate::site::urls;

/// A card's HTML, rewritten, with the links it makes.
pub struct CardHtml {
    html: String,
    references: Vec<Reference>,
}

/// The cards' HTML an emit made, by key (the card's fingerprint and the `site`
/// context's), for the next incremental emit.
pub type CardsMade = rustc_hash::FxHashMap<u64, Arc<CardHtml>>;

/// The cards' HTML of one emit, each made when a page first shows it.
pub(super) struct Cards<'a> {
    renderer: &'a Renderer<'a>,
    /// What the rewrite knows of the site's images, for a page on screen.
    images: rewrite::Images<'a>,
    base_path: String,
    /// The fingerprint of each card, by case, which its marker names.
    prints: &'a [u64],
    /// The key of each card, by case.
    keys: Vec<u64>,
    previous: &'a CardsMade,
    made: Vec<OnceLock<Result<Arc<CardHtml>, Diagnostic>>>,
}

impl<'a> Cards<'a> {
    /// The cards of `loaded` as `renderer` renders them, with the images' pixel
    /// `sizes`; `site_print` is the fingerprint of the `site` context, `previous` what
    /// the last emit made.
    pub(super) fn new(
        loaded: &'a Loaded,
        renderer: &'a Renderer<'a>,
        sizes: &'a HashMap<String, (u32, u32)>,
        site_print: u64,
        previous: &'a CardsMade,
    ) -> Cards<'a> {
        let key = |print: &u64| super::incremental::hash_of((site_print, print));
        let prints = &loaded.card_prints;
        Cards {
            renderer,
            images: rewrite::Images {
                sizes,
                photos: &loaded.photos.by_output,
                print: false,
            },
            base_path: loaded.site.config.base_path(),
            prints,
            keys: prints.iter().map(key).collect(),
            previous,
            made: prints.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// What the rewrite knows of the site's images, for a page on screen.
    pub(super) fn images(&self) -> &rewrite::Images<'a> {
        &self.images
    }

    /// Card `i`, made now or found among the previous emit's.
    fn get(&self, i: usize) -> Result<Arc<CardHtml>, Diagnostic> {
        let made = self.made[i].get_or_init(|| match self.previous.get(&self.keys[i]) {
            Some(card) => Ok(Arc::clone(card)),
            None => self.make(i),
        });
        made.clone()
    }

    /// Renders card `i` and rewrites it as the case library page would, where its links
    /// are written like on any listing page.
    fn make(&self, i: usize) -> Result<Arc<CardHtml>, Diagnostic> {
        let html = self.renderer.card(i)?;
        let library = urls::page_file(urls::LIBRARY_URL);
        let done = super::emit::rewrite_page(&library, &html, &self.base_path, &self.images)?;
        Ok(Arc::new(CardHtml {
            html: done.html,
            references: done.references,
        }))
    }

    /// Replaces the markers of the cards `shown` in the rewritten page `html` with
    /// their HTML; returns the page and the cards it shows by marker.
    pub(super) fn splice(
        &self,
        html: String,
        shown: &[usize],
    ) -> Result<(String, Vec<usize>), Diagnostic> {
        if !html.contains(CARD_MARKER) {
            return Ok((html, Vec::new()));
        }
        // The cards by fingerprint: cards alike show alike.
        let mut listed: Vec<(u64, usize)> = shown.iter().map(|&i| (self.prints[i], i)).collect();
        listed.sort_unstable();
        let find = |print: u64| {
            let at = listed.partition_point(|&(p, _)| p < print);
            let found = listed.get(at).filter(|&&(p, _)| p == print);
            found.map(|&(_, i)| i)
        };
        let markers = markers(&html, find);
        let cards = (markers.iter())
            .map(|(_, i)| self.get(*i))
            .collect::<Result<Vec<_>, _>>()?;
        let parts = markers
            .iter()
            .zip(&cards)
            .map(|((at, _), card)| (at.clone(), card.html.as_str()));
        let page = replaced(&html, parts.collect());
        Ok((page, markers.into_iter().map(|(_, i)| i).collect()))
    }

    /// The links of the cards `shown` by pages (`(page, cards)`), each card's once, at
    /// the first page that shows it.
    pub(super) fn references(&self, shown: &[(String, Vec<usize>)]) -> References {
        let mut seen = vec![false; self.made.len()];
        let mut references = Vec::new();
        for (page, cards) in shown {
            for &i in cards {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                if let Some(Ok(card)) = self.made[i].get() {
                    references.push((page.clone(), card.references.clone()));
                }
            }
        }
        references
    }

    /// What the next incremental emit can keep: every card of the site made now or
    /// before, while its key stays the same.
    pub(super) fn into_made(self) -> CardsMade {
        let previous = self.previous;
        (self.keys.into_iter().zip(self.made))
            .filter_map(|(key, made)| {
                let card = match made.into_inner() {
                    Some(Ok(card)) => card,
                    _ => Arc::clone(previous.get(&key)?),
                };
                Some((key, card))
            })
            .collect()
    }
}

/// The card markers in `html` that `find` knows (by the fingerprint they name), with
/// the card of each; any other marker is left as written.
fn markers(html: &str, find: impl Fn(u64) -> Option<usize>) -> Vec<(Range<usize>, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find(CARD_MARKER).map(|at| from + at) {
        from = at + CARD_MARKER.len();
        let hex = html[from..].split_once("-->").map_or("", |(hex, _)| hex);
        let print = u64::from_str_radix(hex, 16)
            .ok()
            .filter(|_| hex.len() == 16);
        if let Some(card) = print.and_then(&find) {
            from += hex.len() + "-->".len();
            found.push((at..from, card));
        }
    }
    found
}

/// `html` with each range of `parts` replaced by its text, in one allocation.
fn replaced(html: &str, parts: Vec<(Range<usize>, &str)>) -> String {
    let removed: usize = parts.iter().map(|(range, _)| range.len()).sum();
    let added: usize = parts.iter().map(|(_, text)| text.len()).sum();
    let mut out = String::with_capacity(html.len() - removed + added);
    let mut copied = 0;
    for (range, text) in parts {
        out.push_str(&html[copied..range.start]);
        out.push_str(text);
        copied = range.end;
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::card_marker;

    #[test]
    fn the_markers_of_known_cards_are_replaced_and_others_left() {
        let (a, b) = (0x0123_4567_89ab_cdef_u64, 0xfedc_ba98_7654_3210_u64);
        let html = format!(
            "<ul>{}{}{}<!--anli:card:12-->{}</ul>",
            card_marker(a),
            card_marker(0x1111),
            card_marker(b),
            card_marker(a),
        );
        let find = |print: u64| {
            [(a, 7), (b, 9)]
                .iter()
                .find(|(p, _)| *p == print)
                .map(|&(_, i)| i)
        };
        let found = markers(&html, find);
        let cards: Vec<usize> = found.iter().map(|(_, i)| *i).collect();
        assert_eq!(cards, [7, 9, 7]);
        let parts = (found.into_iter())
            .map(|(range, i)| (range, if i == 7 { "<li>A</li>" } else { "<li>B</li>" }))
            .collect();
        assert_eq!(
            replaced(&html, parts),
            "<ul><li>A</li><!--anli:card:0000000000001111--><li>B</li><!--anli:card:12--><li>A</li></ul>"
        );
    }
}
