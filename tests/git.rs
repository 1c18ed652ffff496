//! Publishing from git: the CI recipes run as written, `check --changed-since` reports
//! only what a change introduced, and `git_info` dates come from the commits.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{anli, copy_tree, example_site, read_tree};

/// Runs git in `dir`, committing with a fixed author and `date` when given.
fn git(dir: &Path, args: &[&str], date: Option<&str>) {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=测试编辑",
            "-c",
            "user.email=editor@example.org",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args);
    if let Some(date) = date {
        command
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let output = command.output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn commit_all(dir: &Path, message: &str, date: &str) {
    git(dir, &["add", "-A"], None);
    git(dir, &["commit", "-q", "-m", message], Some(date));
}

const FRONT: &str = "---\ntitle: 测试场景\nunit: 单位（示例）\nscenarios: [车间智能排产]\nyear: 2024\nsummary: 摘要。\n";

fn case(extra: &str) -> String {
    format!("{FRONT}{extra}---\n\n正文。\n")
}

#[test]
fn changed_since_reports_only_what_the_change_introduced() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    fs::create_dir_all(root.join("content/scenarios")).unwrap();
    fs::write(root.join("site.yaml"), "title: 增量检查\n").unwrap();
    let write = |name: &str, text: &str| {
        fs::write(root.join("content/scenarios").join(name), text).unwrap()
    };
    write("old-mistake.md", &case("region: 广冬省\n"));
    write("changed.md", &case("region: 江苏省\n"));
    write("removed.md", &case("region: 江苏省\n"));
    write(
        "links-to-removed.md",
        &case("region: 江苏省\nrelated: [scenarios/removed]\n"),
    );
    git(root, &["init", "-q", "-b", "main"], None);
    commit_all(root, "基线", "2024-01-02T10:00:00Z");
    git(root, &["branch", "base"], None);
    write("changed.md", &case("region: 江苏省\nindusty: 电力装备\n"));
    fs::remove_file(root.join("content/scenarios/removed.md")).unwrap();
    commit_all(root, "改动", "2024-02-03T10:00:00Z");
    write(
        "new-file.md",
        &case("region: 江苏省\ntechnologies: [工业互连网]\n"),
    );

    let (code, found) = common::check_json_at(root, &["--changed-since", "base"]);
    assert_eq!(code, 1);
    assert_eq!(
        common::codes(&found),
        [
            ("content/scenarios/changed.md", "unknown-field"),
            ("content/scenarios/links-to-removed.md", "unknown-related"),
            ("content/scenarios/new-file.md", "unknown-term"),
        ],
        "the mistake in the unchanged old-mistake.md is not reported"
    );
    let all = anli(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        common::stdout(&all).contains("old-mistake.md"),
        "without the flag every problem is reported"
    );

    let outside = tempfile::tempdir().unwrap();
    copy_tree(&common::fixture("valid-minimal"), outside.path());
    let refused = anli(&[
        "check",
        "--root",
        outside.path().to_str().unwrap(),
        "--changed-since",
        "main",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        common::stderr(&refused).contains("不在 git 仓库中"),
        "{}",
        common::stderr(&refused)
    );
    let unknown_ref = anli(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--changed-since",
        "no-such-branch",
    ]);
    assert_eq!(unknown_ref.status.code(), Some(2));
    assert!(common::stderr(&unknown_ref).contains("找不到“no-such-branch”"));
}

#[test]
fn git_info_dates_come_from_the_commits() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    fs::create_dir_all(root.join("content/scenarios")).unwrap();
    fs::write(
        root.join("site.yaml"),
        "title: 历史日期\nbase_url: https://example.org/\ngit_info: true\n",
    )
    .unwrap();
    let file = root.join("content/scenarios/dated.md");
    fs::write(&file, case("region: 江苏省\n")).unwrap();
    git(root, &["init", "-q", "-b", "main"], None);
    commit_all(root, "首次发布", "2024-01-02T10:00:00Z");
    fs::write(&file, case("region: 江苏省\ncity: 苏州市\n")).unwrap();
    commit_all(root, "更新", "2024-03-05T10:00:00Z");

    let build = |out: &Path| {
        let output = anli(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", common::stderr(&output));
        read_tree(out)
    };
    let outputs = tempfile::tempdir().unwrap();
    let one = build(&outputs.path().join("one"));
    let page = String::from_utf8_lossy(&one["scenarios/dated/index.html"]).into_owned();
    assert!(page.contains("首次发布 <time datetime=\"2024-01-02\">2024-01-02</time> · 最近更新 <time datetime=\"2024-03-05\">2024-03-05</time>"), "{page}");
    let atom = String::from_utf8_lossy(&one["atom.xml"]).into_owned();
    assert!(
        atom.contains("<published>2024-01-02T00:00:00Z</published>")
            && atom.contains("<updated>2024-03-05T00:00:00Z</updated>")
    );
    let sitemap = String::from_utf8_lossy(&one["sitemap.xml"]).into_owned();
    assert!(
        sitemap.contains(
            "<loc>https://example.org/scenarios/dated/</loc><lastmod>2024-03-05</lastmod>"
        )
    );
    assert_eq!(
        one,
        build(&outputs.path().join("two")),
        "two builds of the same commit are byte-identical"
    );
}

/// Replaces GitHub's `${{ … }}` expressions with what the hosting service would put there.
fn github_expressions(command: &str) -> String {
    command.replace("${{ github.base_ref }}", "main").replace(
        "${{ steps.pages.outputs.base_url }}",
        "https://editors.example.org/cases",
    )
}

/// Runs a recipe's shell line in the site, with `anli` on the PATH.
fn run_step(site: &Path, line: &str) {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_anli")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", line])
        .current_dir(site)
        .env("PATH", path)
        .env("SOURCE_DATE_EPOCH", common::TODAY_EPOCH)
        .env("CARGO_HOME", site.join(".cargo"))
        .env("CI_PROJECT_DIR", site)
        .env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
        .env("CI_PAGES_URL", "https://editors.example.org/cases")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`{line}` failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The example site as a git repository whose `origin/main` is its only commit.
fn example_repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    copy_tree(&example_site(), repo.path());
    git(repo.path(), &["init", "-q", "-b", "main"], None);
    commit_all(repo.path(), "案例库", "2025-06-01T08:00:00Z");
    git(
        repo.path(),
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
        None,
    );
    repo
}

fn recipe(name: &str) -> serde_yaml::Value {
    let text = fs::read_to_string(example_site().join("docs/ci").join(name)).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
}

#[test]
fn the_github_recipe_runs_as_written() {
    let workflow = recipe("github-pages.yml");
    let repo = example_repository();
    let mut ran = Vec::new();
    for job in ["check", "publish"] {
        for step in workflow["jobs"][job]["steps"].as_sequence().unwrap() {
            // `uses:` steps are the hosting service's own actions.
            if let Some(run) = step["run"].as_str() {
                run_step(repo.path(), &github_expressions(run));
                ran.push(run.to_string());
            }
        }
    }
    assert!(
        ran.iter()
            .any(|r| r.starts_with("anli check --format github --changed-since"))
    );
    assert!(
        ran.iter()
            .any(|r| r.starts_with("anli build --output public"))
    );
    let home = fs::read_to_string(repo.path().join("public/index.html")).unwrap();
    assert!(
        home.contains("href=\"/cases/style.css\""),
        "the site is built under the repository's sub-path"
    );
    for job in ["check", "publish"] {
        let cached: Vec<&str> = workflow["jobs"][job]["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|step| step["with"]["path"].as_str())
            .collect();
        assert!(
            cached.contains(&".anli-cache"),
            "{job} caches the photos: {cached:?}"
        );
    }
    assert_photo_cache_made(repo.path());
}

/// The build the recipes ran kept its processed photos where the recipes cache them.
fn assert_photo_cache_made(repo: &std::path::Path) {
    let entries = fs::read_dir(repo.join(".anli-cache/images"))
        .unwrap()
        .count();
    assert!(entries >= 2, "the example site's photos are cached");
}

#[test]
fn the_gitlab_recipe_runs_as_written() {
    let pipeline = recipe("gitlab-ci.yml");
    let repo = example_repository();
    let before: Vec<&str> = pipeline["default"]["before_script"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    for job in ["check", "pages"] {
        let script: Vec<&str> = pipeline[job]["script"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|l| l.as_str())
            .collect();
        // `git fetch` needs the hosting service's remote; the test repository has the ref already.
        let lines: Vec<&str> = before
            .iter()
            .chain(&script)
            .copied()
            .filter(|l| !l.starts_with("git fetch"))
            .collect();
        run_step(repo.path(), &lines.join("\n"));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(repo.path().join("gl-code-quality-report.json")).unwrap())
            .unwrap();
    assert_eq!(
        report,
        serde_json::json!([]),
        "the example site has no problems"
    );
    let home = fs::read_to_string(repo.path().join("public/index.html")).unwrap();
    assert!(home.contains("href=\"/cases/style.css\""));
    let cached: Vec<&str> = pipeline["default"]["cache"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|cache| cache["paths"].as_sequence().unwrap())
        .filter_map(|path| path.as_str())
        .collect();
    assert!(cached.contains(&".anli-cache/"), "{cached:?}");
    assert_photo_cache_made(repo.path());
}
