//! Source text and positions, diagnostics, names and paths: what every stage speaks.
//! Imports nothing of anli.

pub mod diagnostics;
pub mod kind;
pub mod paths;
pub mod progress;
pub mod source;
pub mod text;
