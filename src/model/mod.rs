//! The validated site: cases, terms, lifecycle, the index of listings, and the
//! compendia's selections.

pub mod compendium;
mod site;

pub use site::*;
