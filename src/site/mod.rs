//! The one place the site's URLs and output paths are spelled, the labels cases
//! carry, and the theme's built-in files.

pub mod labels;
pub mod theme;
pub mod urls;
