//! The command line: parsing, the commands, progress and exit codes.

pub mod archetype;
pub mod cli;
pub mod import;
