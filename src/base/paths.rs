//! Paths as anli writes them: relative, `/`-separated, and the files a build makes.

use std::path::{Path, PathBuf};

/// `root`-relative path with `/` separators, as diagnostics print it.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A relative path as its plain parts joined by `/`: `./a//b.png` is `a/b.png`, and
/// `.//tmp/x.png` is `tmp/x.png` inside the folder, never the absolute `/tmp/x.png`.
pub fn normal_path(rel: &str) -> String {
    Path::new(rel)
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(part.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// One file of the built site, by its path relative to the output folder (`/`-separated).
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// A file of the built site copied from a file on disk (a photo's version in the
/// cache), so that a build does not hold it in memory.
#[derive(Debug, Clone)]
pub struct CopiedFile {
    pub path: String,
    pub from: PathBuf,
}

impl CopiedFile {
    /// The file with its contents, for a build kept in memory.
    pub fn read(self) -> std::io::Result<OutputFile> {
        Ok(OutputFile {
            contents: std::fs::read(&self.from)?,
            path: self.path,
        })
    }
}

/// Reads every file under `dir` as output files relative to it, in a stable order.
pub fn read_tree(dir: &Path) -> Vec<OutputFile> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let contents = std::fs::read(e.path()).ok()?;
            Some(OutputFile {
                path: relative(dir, e.path()),
                contents,
            })
        })
        .collect()
}
