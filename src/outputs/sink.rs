//! Writing the built site: every file goes into a staging folder beside the output folder,
//! which replaces the old output only once everything was written. A failed build leaves
//! the previous output as it was, and nothing is ever written outside the output folder.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::base::paths::{CopiedFile, OutputFile};

/// Written into every output folder, so a later build knows it may replace the folder.
pub const MARKER: &str = ".anli-output";
const MARKER_TEXT: &[u8] = b"Built by anli. This folder is replaced on every build.\n";

/// Refuses output folders that a build would damage: `/`, the site root, anything that
/// contains the site's `content/`, or anything inside `content/`.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), String> {
    let root = absolute(root);
    let output = absolute(output);
    let refuse = |why: &str| Err(format!("拒绝把站点输出到 {}：{why}", output.display()));
    if output.parent().is_none() {
        return refuse("这是文件系统的根目录");
    }
    if root.starts_with(&output) {
        return refuse("它是站点根目录或其上级，构建会覆盖源文件");
    }
    // Inside a folder the build reads, each build would publish the last one again.
    for source in ["content", "static", "templates", "themes", "fonts"] {
        if output.starts_with(root.join(source)) {
            return refuse(&format!("它在 {source}/ 里面，构建会读到自己上一次的输出"));
        }
    }
    if output.join("content").is_dir() {
        return refuse("其中有 content/ 文件夹，看起来是一个站点的源文件");
    }
    if output.exists() && !output.is_dir() {
        return refuse("它是一个文件");
    }
    if !is_empty_dir(&output) && !output.join(MARKER).is_file() {
        return refuse(&format!(
            "这个文件夹不是空的，也不是 anli 生成的（没有 {MARKER}），构建会删除其中的文件；请换一个空文件夹，或先自行清空"
        ));
    }
    Ok(())
}

/// Whether `dir` holds nothing (or cannot be listed, as a missing folder cannot).
fn is_empty_dir(dir: &Path) -> bool {
    dir.read_dir()
        .map(|mut d| d.next().is_none())
        .unwrap_or(true)
}

/// An absolute, lexically normalised path (without touching the disk for missing parts).
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let joined = joined.canonicalize().unwrap_or(joined);
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A path of the built site that stays inside the output folder.
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Where the files of a build go.
pub enum Sink<'a> {
    /// Kept, for `serve` and `anli compendium`.
    Memory(Mutex<Vec<OutputFile>>),
    /// Written at once into a staging folder, so a build never holds its finished pages.
    Staging(&'a Staging),
    /// Dropped: `check` renders only to find problems.
    Discard,
}

impl Sink<'_> {
    pub fn memory() -> Self {
        Sink::Memory(Mutex::new(Vec::new()))
    }

    /// Takes one file. A later file with the same path replaces an earlier one.
    pub fn put(&self, file: OutputFile) -> io::Result<()> {
        match self {
            Sink::Memory(files) => {
                files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
                Ok(())
            }
            Sink::Staging(staging) => staging.write(&file),
            Sink::Discard => Ok(()),
        }
    }

    /// Takes one file copied from disk: read into memory, copied into the staging
    /// folder (by the kernel, without passing through the build), or dropped.
    pub fn copy(&self, file: CopiedFile) -> io::Result<()> {
        match self {
            Sink::Memory(_) => self.put(file.read()?),
            Sink::Staging(staging) => staging.copy(&file),
            Sink::Discard => Ok(()),
        }
    }

    /// The files kept, in the order they came (none unless in memory).
    pub fn into_files(self) -> Vec<OutputFile> {
        match self {
            Sink::Memory(files) => files.into_inner().unwrap_or_else(|e| e.into_inner()),
            _ => Vec::new(),
        }
    }
}

/// A staging folder beside the output folder, which replaces the old output only once
/// everything was written ([`Staging::commit`]); dropped uncommitted, it is removed, and
/// the previous output stays as it was.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    old: PathBuf,
    committed: bool,
}

impl Staging {
    pub fn new(output: &Path) -> io::Result<Self> {
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_string());
        let parent = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        let staging = Staging {
            dir: parent.join(format!(".{name}.staging")),
            output: output.to_path_buf(),
            old: parent.join(format!(".{name}.old")),
            committed: false,
        };
        remove_ours(&staging.dir)?;
        fs::create_dir_all(&staging.dir)?;
        write_file(&staging.dir.join(MARKER), MARKER_TEXT)?;
        Ok(staging)
    }

    fn write(&self, file: &OutputFile) -> io::Result<()> {
        write_file(&self.target(&file.path)?, &file.contents)
    }

    fn copy(&self, file: &CopiedFile) -> io::Result<()> {
        let target = self.target(&file.path)?;
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::copy(&file.from, target).map(|_| ())
    }

    /// Where a file of the site goes in the staging folder; never outside it.
    fn target(&self, path: &str) -> io::Result<PathBuf> {
        if !is_safe(path) {
            return Err(io::Error::other(format!(
                "拒绝写出输出目录之外的路径：{path}"
            )));
        }
        Ok(self.dir.join(path))
    }

    /// Makes the staging folder the output.
    pub fn commit(mut self) -> io::Result<()> {
        remove_ours(&self.old)?;
        swap_in(&self.dir, &self.output, &self.old)?;
        self.committed = true;
        remove_ours(&self.dir)?;
        remove_ours(&self.old)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_ours(&self.dir);
        }
    }
}

/// Adds `files` to `output` (created if missing), leaving its other files alone: for
/// `anli compendium`, which rebuilds a few files of a built site. Each file is written
/// beside its place and renamed over it, so a reader never sees half a file.
pub fn add_files(output: &Path, files: Vec<OutputFile>) -> io::Result<usize> {
    if let Some(bad) = files.iter().find(|f| !is_safe(&f.path)) {
        return Err(io::Error::other(format!(
            "拒绝写出输出目录之外的路径：{}",
            bad.path
        )));
    }
    fs::create_dir_all(output)?;
    write_file(&output.join(MARKER), MARKER_TEXT)?;
    for file in &files {
        let target = output.join(&file.path);
        let partial = output.join(format!("{}.anli-partial", file.path));
        write_file(&partial, &file.contents)?;
        fs::rename(&partial, &target)?;
    }
    Ok(files.len())
}

/// Makes the complete `staging` folder the output. On Linux the two folders are exchanged
/// in one atomic step, so a build killed at any moment leaves the old or the new site,
/// never a mix and never nothing; elsewhere the old output is moved aside first.
fn swap_in(staging: &Path, output: &Path, old: &Path) -> io::Result<()> {
    if !output.exists() {
        return fs::rename(staging, output);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, output, RenameFlags::EXCHANGE).is_ok() {
            return Ok(());
        }
    }
    fs::rename(output, old)?;
    fs::rename(staging, output)
}

fn write_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, contents)
}

/// Removes a folder anli made beside the output (`.<name>.staging`, `.<name>.old`): one
/// holding anli's marker, or nothing. Anything else of that name is left alone and
/// reported, so a build never deletes files it did not write.
fn remove_ours(path: &Path) -> io::Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        other => other?,
    };
    if !meta.is_dir() || !(path.join(MARKER).is_file() || is_empty_dir(path)) {
        return Err(io::Error::other(format!(
            "{} 不是 anli 生成的文件夹（其中没有 {MARKER}），拒绝删除；请把它移走或改名后再构建",
            path.display()
        )));
    }
    fs::remove_dir_all(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_output_folders() {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir(site.path().join("content")).unwrap();
        assert!(check_output_dir(site.path(), Path::new("/")).is_err());
        assert!(check_output_dir(site.path(), site.path()).is_err());
        assert!(check_output_dir(site.path(), &site.path().join("content/out")).is_err());
        assert!(check_output_dir(site.path(), &site.path().join("output/..")).is_err());
        assert!(check_output_dir(&site.path().join("sub"), site.path()).is_err());
        assert!(check_output_dir(site.path(), &site.path().join("output")).is_ok());
        let other = site.path().join("precious");
        fs::create_dir(&other).unwrap();
        assert!(
            check_output_dir(site.path(), &other).is_ok(),
            "an empty folder is fine"
        );
        fs::write(other.join("thesis.docx"), "x").unwrap();
        assert!(
            check_output_dir(site.path(), &other).is_err(),
            "a folder of other files is not"
        );
        fs::write(other.join(MARKER), "").unwrap();
        assert!(
            check_output_dir(site.path(), &other).is_ok(),
            "a folder anli built is"
        );
    }

    #[test]
    fn paths_outside_the_output_are_refused() {
        assert!(is_safe("a/b.html"));
        assert!(!is_safe("../a"));
        assert!(!is_safe("/etc/passwd"));
        assert!(!is_safe(""));
    }
}
