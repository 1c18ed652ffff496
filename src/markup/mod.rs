//! Markdown to HTML (CJK-friendly emphasis), and the HTML rewrite and sanitising stage.

pub mod markdown;
pub mod rewrite;
