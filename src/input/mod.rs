//! Reading a site: `site.yaml`, `content/` (front matter, bodies, the files beside
//! cases), the vocabularies and git history.

pub mod assets;
pub mod config;
pub mod content;
pub mod git;
pub mod sheet;
pub mod taxonomy;
