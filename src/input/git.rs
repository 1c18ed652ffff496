//! What git knows about a site: the files changed since a ref (for `check
//! --changed-since`) and when each content file was first and last committed (for
//! `git_info: true`). Uses the `git` command line, one call per question.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use chrono::{DateTime, NaiveDate};

/// Runs git in `root` and returns its standard output, or a message for the editor.
fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "core.quotepath=off"])
        .args(args)
        .output()
        .map_err(|e| format!("无法运行 git（{e}）：请先安装 git 并确认它在 PATH 中"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// Fails clearly outside a git repository.
fn require_repository(root: &Path) -> Result<(), String> {
    git(root, &["rev-parse", "--is-inside-work-tree"])
        .map(|_| ())
        .map_err(|_| {
            format!(
                "{} 不在 git 仓库中：--changed-since 和 git_info 需要 git 历史",
                root.display()
            )
        })
}

/// NUL-separated paths, as `git … -z` prints them.
fn paths(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|&b| b == 0)
        .map(|p| {
            String::from_utf8_lossy(p)
                .trim_start_matches('\n')
                .to_string()
        })
        .filter(|p| !p.is_empty())
}

/// Files (relative to `root`, `/`-separated) that differ from `reference`: committed
/// since, changed in the working tree, or new and untracked.
pub fn changed_since(root: &Path, reference: &str) -> Result<BTreeSet<String>, String> {
    require_repository(root)?;
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .map_err(|_| format!("git 中找不到“{reference}”：请写分支名、标签或提交号，如 origin/main"))?;
    let changed = git(
        root,
        &[
            "diff",
            "--name-only",
            "--no-renames",
            "--relative",
            "-z",
            reference,
            "--",
            ".",
        ],
    )?;
    let untracked = git(
        root,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            ".",
        ],
    )?;
    Ok(paths(&changed).chain(paths(&untracked)).collect())
}

/// When a file was first and last committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDates {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// The first and last commit date (UTC) of every file under `content/`, from one pass over
/// the history. Files that were never committed are absent.
pub fn content_dates(root: &Path) -> Result<HashMap<String, FileDates>, String> {
    require_repository(root)?;
    let log = git(
        root,
        &[
            "log",
            "--name-only",
            "--no-renames",
            "--relative",
            "--format=%x1e%ct",
            "-z",
            "--",
            "content",
        ],
    )?;
    let mut dates: HashMap<String, FileDates> = HashMap::new();
    for record in log.split(|&b| b == 0x1e).filter(|r| !r.is_empty()) {
        let (stamp, files) =
            record.split_at(record.iter().position(|&b| b == 0).unwrap_or(record.len()));
        let Some(date) = std::str::from_utf8(stamp)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map(|t| t.date_naive())
        else {
            continue;
        };
        for file in paths(files) {
            let entry = dates.entry(file).or_insert(FileDates {
                first: date,
                last: date,
            });
            entry.first = entry.first.min(date);
            entry.last = entry.last.max(date);
        }
    }
    Ok(dates)
}
