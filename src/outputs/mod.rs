//! What a build makes besides the HTML pages: feeds and data exports, the search
//! index, the compendium PDFs, and the sink every file goes into.

pub mod feeds;
pub mod images;
pub mod pdf;
pub mod search;
pub mod sink;
