//! The command line: argument parsing, running a command, printing, and exit codes
//! (0 success, 1 content errors, 2 usage or I/O errors).

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::base::diagnostics::{Diagnostic, Diagnostics, Format};
use crate::build::BuildOptions;
use crate::model::CaseKind;
use crate::model::compendium::Pdfs;
use crate::outputs::sink as output;

#[derive(Parser)]
#[command(
    name = "anli",
    version,
    about = "案例：把智能制造案例文件生成可检索的网站"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 构建站点到输出目录（默认 output/）
    Build {
        /// 站点根目录（含 site.yaml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出目录，默认为站点根目录下的 output/
        #[arg(long)]
        output: Option<PathBuf>,
        /// 发布地址，覆盖 site.yaml 中的 base_url（如 https://example.org/cases/）
        #[arg(long)]
        base_url: Option<String>,
        /// 同时构建草稿（draft: true）
        #[arg(long)]
        drafts: bool,
        /// 不排版案例集 PDF（印刷版网页照常生成）
        #[arg(long)]
        no_pdf: bool,
        /// 不生成搜索索引和案例库页面 /cases/（覆盖 site.yaml 中的 search）
        #[arg(long)]
        no_search: bool,
    },
    /// 只排版指定的案例集（PDF 和印刷版网页），写入输出目录，其余文件不动
    Compendium {
        /// 案例集的 slug（site.yaml 中 compendia 下），可写多个
        #[arg(required = true)]
        slugs: Vec<String>,
        /// 站点根目录（含 site.yaml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出目录，默认为站点根目录下的 output/
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// 在本机预览站点：修改文件后自动重新构建并刷新浏览器
    Serve {
        /// 站点根目录（含 site.yaml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 端口；被占用时自动改用下一个
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// 监听地址；默认只对本机开放
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// 启动后打开浏览器
        #[arg(long)]
        open: bool,
        /// 同时预览草稿（draft: true）
        #[arg(long)]
        drafts: bool,
    },
    /// 按模板新建一个案例文件
    New {
        /// 案例类别
        #[arg(value_enum)]
        kind: NewKind,
        /// 网址名（文件名），小写字母、数字和连字符，如 huadong-dianqi-paichan
        slug: String,
        /// 案例标题
        #[arg(long)]
        title: Option<String>,
        /// 站点根目录（含 site.yaml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// 把公示名单（xlsx、xls、ods 或 csv）导入为案例文件，每行一个；不覆盖已有文件
    Import(crate::app::import::ImportOptions),
    /// 检查全部内容并报告所有问题，不写任何文件
    Check {
        /// 站点根目录（含 site.yaml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出格式：human（默认）、json（每行一个对象）、github（GitHub Actions 注释）或 gitlab（GitLab 代码质量报告）
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// 有警告时也以失败退出
        #[arg(long)]
        strict: bool,
        /// 只报告自这个 git 引用（分支、标签或提交）以来改动的文件中的问题，如 origin/main
        #[arg(long, value_name = "GIT_REF")]
        changed_since: Option<String>,
        /// 不排版案例集（更快；排版中的问题要到 build 时才会发现）
        #[arg(long)]
        no_pdf: bool,
    },
}

/// The kinds `anli new` can create.
#[derive(Clone, Copy, clap::ValueEnum)]
enum NewKind {
    Scenario,
    Factory,
    Zone,
}

impl From<NewKind> for CaseKind {
    fn from(kind: NewKind) -> CaseKind {
        match kind {
            NewKind::Scenario => CaseKind::Scenario,
            NewKind::Factory => CaseKind::Factory,
            NewKind::Zone => CaseKind::Zone,
        }
    }
}

/// Parses the arguments, runs the command and returns its exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check {
            root,
            format,
            strict,
            changed_since,
            no_pdf,
        } => {
            let pdfs = if no_pdf { Pdfs::None } else { Pdfs::All };
            check(root, format, strict, changed_since.as_deref(), pdfs)
        }
        Command::New {
            kind,
            slug,
            title,
            root,
        } => new(&root, kind.into(), &slug, title.as_deref()),
        Command::Import(options) => import(&options),
        Command::Serve {
            root,
            port,
            bind,
            open,
            drafts,
        } => crate::serve::run(crate::serve::ServeOptions {
            root,
            port,
            bind,
            open,
            drafts,
        }),
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            no_pdf,
            no_search,
        } => {
            let output = output.unwrap_or_else(|| root.join("output"));
            let pdfs = if no_pdf { Pdfs::None } else { Pdfs::All };
            build(
                BuildOptions {
                    root,
                    drafts,
                    base_url,
                    pdfs,
                },
                output,
                no_search,
            )
        }
        Command::Compendium {
            slugs,
            root,
            output,
        } => {
            let output = output.unwrap_or_else(|| root.join("output"));
            compendium(&root, slugs, &output)
        }
    };
    ExitCode::from(code)
}

/// Every problem `build` would report for the site loaded with `options`, rendering in
/// memory, and the drafts it left out.
fn problems(options: &BuildOptions) -> Result<(Vec<Diagnostic>, Vec<crate::model::Draft>), String> {
    let mut found = Vec::new();
    let loaded = crate::build::load(options, &mut found)?;
    match crate::build::site_files(&loaded, &output::Sink::Discard) {
        Ok(written) => found.extend(written.warnings),
        Err(errors) => found.extend(errors),
    }
    Ok((found, loaded.site.drafts_left_out.clone()))
}

fn check(
    root: PathBuf,
    format: Format,
    strict: bool,
    changed_since: Option<&str>,
    pdfs: Pdfs,
) -> u8 {
    let changed = match changed_since
        .map(|r| crate::input::git::changed_since(&root, r))
        .transpose()
    {
        Ok(changed) => changed,
        Err(message) => return usage_error(&message),
    };
    // The compendia are typeset too, so what `build` would refuse in them fails here.
    let options = BuildOptions {
        root,
        drafts: false,
        base_url: None,
        pdfs,
    };
    let (mut found, drafts) = match problems(&options) {
        Ok(found) => found,
        Err(message) => return usage_error(&message),
    };
    // Drafts are checked as `build --drafts` would build them; of that run only the
    // problems in the drafts' own files count: the site as published is the one above,
    // where a link to a draft or a draft preface fails as it fails `build`.
    if !drafts.is_empty() {
        let with_drafts = BuildOptions {
            drafts: true,
            pdfs: Pdfs::None,
            ..options
        };
        let (in_drafts, _) = problems(&with_drafts).unwrap_or_default();
        let seen: BTreeSet<String> = found.iter().map(Diagnostic::key).collect();
        found.extend(in_drafts.into_iter().filter(|d| {
            drafts.iter().any(|draft| draft.holds(&d.file)) && !seen.contains(&d.key())
        }));
    }
    if let Some(changed) = &changed {
        found = crate::build::only_changed(found, changed);
    }
    let diagnostics = collect(found);
    let color = format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(diagnostics.render(format, color).as_bytes());
    if format == Format::Human {
        let _ = writeln!(stdout, "{}", diagnostics.summary());
    }
    if let (Some(changed), Format::Human) = (&changed, format) {
        let _ = writeln!(
            stdout,
            "（只检查了自 {} 以来改动的 {} 个文件）",
            changed_since.unwrap_or(""),
            changed.len()
        );
    }
    if diagnostics.has_errors() || (strict && diagnostics.warnings() > 0) {
        1
    } else {
        0
    }
}

fn build(options: BuildOptions, output_dir: PathBuf, no_search: bool) -> u8 {
    let started = Instant::now();
    if let Err(message) = output::check_output_dir(&options.root, &output_dir) {
        return usage_error(&message);
    }
    let mut found = Vec::new();
    let mut loaded = match crate::build::load(&options, &mut found) {
        Ok(loaded) => loaded,
        Err(message) => return usage_error(&message),
    };
    if no_search {
        loaded.site.config.search = false;
    }
    let staging = match output::Staging::new(&output_dir) {
        Ok(staging) => staging,
        Err(err) => {
            return usage_error(&format!(
                "无法在 {} 旁建立暂存目录：{err}",
                output_dir.display()
            ));
        }
    };
    let sink = output::Sink::Staging(&staging);
    let Some(written) = crate::build::files_unless_errors(&loaded, &mut found, &sink) else {
        report(found, &output_dir, false);
        return 1;
    };
    report(found, &output_dir, true);
    match staging.commit() {
        Ok(()) => {
            report_pdf_fonts(&written);
            eprintln!(
                "已构建 {} 个案例、{} 个文件到 {}（用时 {:.2} 秒）",
                loaded.site.cases.len(),
                written.paths.len(),
                output_dir.display(),
                started.elapsed().as_secs_f64()
            );
            0
        }
        Err(err) => usage_error(&format!("写出 {} 失败：{err}", output_dir.display())),
    }
}

/// `anli compendium`: loads the site and makes only the chosen compendia's PDF and print
/// page, into the output folder.
fn compendium(root: &Path, slugs: Vec<String>, output_dir: &Path) -> u8 {
    let started = Instant::now();
    if let Err(message) = output::check_output_dir(root, output_dir) {
        return usage_error(&message);
    }
    let options = BuildOptions {
        root: root.to_path_buf(),
        drafts: false,
        base_url: None,
        pdfs: Pdfs::Only(slugs.clone()),
    };
    let mut found = Vec::new();
    let loaded = match crate::build::load(&options, &mut found) {
        Ok(loaded) => loaded,
        Err(message) => return usage_error(&message),
    };
    let known: Vec<&str> = loaded
        .site
        .config
        .compendia
        .iter()
        .map(|c| c.slug.as_str())
        .collect();
    if let Some(unknown) = slugs.iter().find(|s| !known.contains(&s.as_str())) {
        return usage_error(&format!(
            "site.yaml 中没有案例集“{unknown}”；已定义的有：{}",
            if known.is_empty() {
                "（无）".to_string()
            } else {
                known.join("、")
            }
        ));
    }
    let sink = output::Sink::memory();
    let made = if found.iter().any(Diagnostic::is_error) {
        None
    } else {
        crate::build::compendium_files(&loaded, &sink)
            .map_err(|problems| found.extend(problems))
            .ok()
    };
    let Some(mut written) = made else {
        report(found, output_dir, false);
        return 1;
    };
    found.append(&mut written.warnings);
    report(found, output_dir, true);
    report_pdf_fonts(&written);
    let files = sink.into_files();
    match output::add_files(output_dir, files) {
        Ok(count) => {
            eprintln!(
                "已排版 {} 个案例集、写出 {count} 个文件到 {}（用时 {:.2} 秒）",
                slugs.len(),
                output_dir.display(),
                started.elapsed().as_secs_f64()
            );
            0
        }
        Err(err) => usage_error(&format!("写出 {} 失败：{err}", output_dir.display())),
    }
}

/// Says once which fonts the PDFs are set in.
fn report_pdf_fonts(written: &crate::build::Written) {
    if let Some(fonts) = &written.pdf_fonts {
        eprintln!("案例集 PDF 字体：{fonts}");
    }
}

/// Prints the diagnostics, and that the build stopped unless it `built`.
fn report(found: Vec<Diagnostic>, output_dir: &Path, built: bool) {
    let diagnostics = collect(found);
    eprint!(
        "{}",
        diagnostics.render(
            Format::Human,
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        )
    );
    if !built {
        eprintln!(
            "{}；构建已停止，{} 保持原样",
            diagnostics.summary(),
            output_dir.display()
        );
    }
}

fn new(root: &Path, kind: CaseKind, slug: &str, title: Option<&str>) -> u8 {
    // Only the theme matters here: `site.yaml`'s problems are for `check` to report.
    let theme = match crate::build::read_config(root, &mut Vec::new()) {
        Ok((_, config)) => config.theme,
        Err(message) => return usage_error(&message),
    };
    match crate::app::archetype::create(root, &theme, kind, slug, title, crate::model::today()) {
        Ok(rel) => {
            eprintln!("已创建 {rel}：请填写其中带“请填写”的内容，然后运行 anli check");
            0
        }
        Err(message) => usage_error(&message),
    }
}

fn import(options: &crate::app::import::ImportOptions) -> u8 {
    match crate::app::import::run(options) {
        Ok(imported) => {
            let diagnostics = collect(imported.diagnostics);
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", diagnostics.render(Format::Human, color));
            print!("{}", imported.report);
            u8::from(diagnostics.has_errors())
        }
        Err(message) => usage_error(&message),
    }
}

fn collect(found: Vec<Diagnostic>) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(found);
    diagnostics
}

fn usage_error(message: &str) -> u8 {
    eprintln!("错误：{message}");
    2
}
