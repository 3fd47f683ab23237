//! `stackgen grade`: marks one student's work, exercise by exercise,
//! against the stack stackgen renders for them, from their Terraform state,
//! plan or code, or from their AWS account (`--live`). Exit 0 graded
//! (whatever the score), 3 under `--fail-under`, 2 for an input or a file
//! that is not what it claims, 1 for I/O or an account the credentials do
//! not reach.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use stackgen::base::model::StudentSpec;
use stackgen::grade::class::{match_entries, ClassReport, Matching, Unreachable};
use stackgen::grade::formats;
use stackgen::grade::observed::Observed;
use stackgen::grade::report::{self, Report};
use stackgen::grade::source::live::{self, DEFAULT_JOBS};
use stackgen::grade::source::{self, ReadError, Source};
use stackgen::output::summary::CsvStyle;
use stackgen::stack::Stack;
use stackgen::validate::class::Class;

use super::common::{exercise, fail, load, pick_student, progress_bar, Input, Loaded};
use super::Verbosity;
use crate::{EXIT_FINDINGS, EXIT_INVALID, EXIT_IO};

/// Mark one student's work, exercise by exercise, from their Terraform
/// state, plan or code, or from their AWS account.
///
/// Every check compares what the student's state, plan, code or account
/// holds with the stack stackgen renders for them (a checkpoint with
/// --through). --live also checks the data flow, which only the account
/// shows. Exit codes: 0 graded, whatever the score; 3 under --fail-under;
/// 2 invalid input, or a file that is not a state, plan or Terraform code;
/// 1 a file that cannot be read, or a student's account the credentials do
/// not reach.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["state", "plan", "code", "live"])))]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
    /// The student's state: `terraform show -json` of it, or the
    /// `terraform.tfstate` file itself (format 4).
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// The student's plan: `terraform show -json PLANFILE`. Values known
    /// only after apply are `unknown`.
    #[arg(long, value_name = "PATH")]
    plan: Option<PathBuf>,
    /// The student's Terraform directory, read without Terraform or AWS:
    /// variables, locals, functions, references and local modules are
    /// evaluated; what cannot be is `unknown`.
    #[arg(long, value_name = "DIR")]
    code: Option<PathBuf>,
    /// The student's AWS account, with Describe, Get and List calls only
    /// (`stackgen grader-policy` prints the permissions): credentials and
    /// region from the standard chain (environment, profile, SSO), and
    /// `AWS_ENDPOINT_URL` for a local AWS API.
    #[arg(long)]
    live: bool,
    /// With --live: the profile of the shared AWS files to use.
    #[arg(long, value_name = "NAME", requires = "live")]
    profile: Option<String>,
    /// With --live: the region to read, instead of each student's own.
    #[arg(long, value_name = "REGION", requires = "live")]
    region: Option<String>,
    /// With --live: how many students are read at once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_JOBS, value_parser = jobs)]
    jobs: usize,
    /// Grade exercises 1 to N (default: all of the edition's).
    #[arg(long, value_name = "N", value_parser = exercise)]
    through: Option<u8>,
    /// For a class: grade only this student (index number or directory);
    /// without it a class is graded whole from the directory the source
    /// flag names.
    #[arg(long, value_name = "INDEX")]
    student: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with code 3 when the score is below PERCENT (0 to 100); for a
    /// class, when any student's is.
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    fail_under: Option<f64>,
    /// For a class: write the gradebook, one row per student (missing
    /// students with no points), to FILE.csv.
    #[arg(long, value_name = "FILE.csv")]
    gradebook: Option<PathBuf>,
    /// How the gradebook is written: `standard` (`,` and `87.50`) or
    /// `excel` (`;`, `87,50` and a byte order mark: what Excel under a
    /// Polish locale opens), as `render --summary-csv`.
    #[arg(long, value_enum, default_value_t = GradebookCsv::Standard)]
    gradebook_csv: GradebookCsv,
}

#[derive(Clone, Copy, ValueEnum)]
enum GradebookCsv {
    Standard,
    Excel,
}

impl From<GradebookCsv> for CsvStyle {
    fn from(style: GradebookCsv) -> Self {
        match style {
            GradebookCsv::Standard => Self::Standard,
            GradebookCsv::Excel => Self::Excel,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    /// JUnit XML: a testsuite per exercise (per student and exercise for a
    /// class), a testcase per check; unknown checks are skipped.
    Junit,
    /// Feedback for the student, to paste into a merge request or an
    /// e-mail.
    Markdown,
}

fn jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=64).contains(&n) => Ok(n),
        _ => Err(format!("`{text}` is not a number from 1 to 64")),
    }
}

fn percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(x) if (0.0..=100.0).contains(&x) => Ok(x),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(&args.spec, v)?;
    let (kind, path) = match (&args.state, &args.plan, &args.code) {
        (Some(path), _, _) => (Source::State, path.as_path()),
        (None, Some(path), _) => (Source::Plan, path.as_path()),
        (None, None, Some(path)) => (Source::Code, path.as_path()),
        (None, None, None) => return run_live(args, v, &loaded),
    };
    if let (Input::Class(class), None) = (&loaded.input, &args.student) {
        return run_class(args, v, &loaded, class, kind, path);
    }
    if args.gradebook.is_some() {
        errln!("error: --gradebook is written for a class graded whole (a class file, without --student)");
        return Err(ExitCode::from(EXIT_INVALID));
    }
    let mut spec = pick_student(&loaded, args.student.as_deref(), "whose work")?.clone();
    through(&mut spec, args.through, &loaded.name)?;
    let observed = read(kind, path, &spec)?;
    let report =
        stackgen::grade(&spec, &observed, kind).map_err(|e| fail(&loaded.sources, &e, v))?;
    Ok(print_one(args, v, &spec, &report, &display(path)))
}

/// Prints one student's report; exit 3 under `--fail-under`.
fn print_one(
    args: &Args,
    v: &Verbosity,
    spec: &StudentSpec,
    report: &Report,
    source: &str,
) -> ExitCode {
    match args.format {
        Format::Json => out!("{}", report.json()),
        Format::Text => out!("{}", report.text(&spec.edition().name, source)),
        Format::Junit => out!("{}", formats::junit(report)),
        Format::Markdown => out!("{}", formats::markdown(report, &spec.edition().name)),
    }
    if let Some(minimum) = args.fail_under {
        if report.percent() < minimum {
            if !v.quiet {
                errln!(
                    "score {:.1}% is under --fail-under {minimum}%",
                    report.percent()
                );
            }
            return ExitCode::from(EXIT_FINDINGS);
        }
    }
    ExitCode::SUCCESS
}

/// `--live`: one student's account, or every student's of a class.
fn run_live(args: &Args, v: &Verbosity, loaded: &Loaded) -> Result<ExitCode, ExitCode> {
    if args.gradebook.is_some()
        && !matches!((&loaded.input, &args.student), (Input::Class(_), None))
    {
        errln!("error: --gradebook is written for a class graded whole (a class file, without --student)");
        return Err(ExitCode::from(EXIT_INVALID));
    }
    let class = match (&loaded.input, &args.student) {
        (Input::Class(class), None) => Some(class),
        _ => None,
    };
    let mut specs = Vec::new();
    match class {
        Some(class) => specs.extend(class.members.iter().map(|m| m.spec.clone())),
        None => specs.push(pick_student(loaded, args.student.as_deref(), "whose account")?.clone()),
    }
    for spec in &mut specs {
        through(spec, args.through, &loaded.name)?;
    }
    let options = live::Options {
        profile: args.profile.clone(),
        region: args.region.clone(),
        jobs: args.jobs,
    };
    let stacks: Vec<Stack> = specs.iter().map(|s| Stack::new(s, &s.edition())).collect();
    let bar = progress_bar(specs.len(), v, "reading");
    let readings = live::read(stacks, &options).map_err(|e| {
        errln!("error: {e}");
        ExitCode::from(EXIT_IO)
    })?;
    bar.finish_and_clear();
    let mut reports = Vec::new();
    let mut unreachable = Vec::new();
    for (spec, reading) in specs.iter().zip(readings) {
        match reading {
            Ok(observed) => reports.push(
                stackgen::grade(spec, &observed, Source::Live)
                    .map_err(|e| fail(&loaded.sources, &e, v))?,
            ),
            Err(u) => unreachable.push(Unreachable {
                index_no: spec.student.index_no.clone(),
                why: u.why,
            }),
        }
    }
    let Some(class) = class else {
        let spec = &specs[0];
        if let Some(u) = unreachable.first() {
            errln!(
                "error: student {} ({}): not reachable with these credentials: {}; nothing was graded",
                u.index_no,
                spec.student.name,
                u.why
            );
            return Err(ExitCode::from(EXIT_IO));
        }
        let region = args.region.as_deref().unwrap_or(&spec.region);
        return Ok(print_one(
            args,
            v,
            spec,
            &reports[0],
            &format!("`{}` ({region})", spec.account_id),
        ));
    };
    let report = ClassReport {
        students: reports,
        missing: Vec::new(),
        unmatched: Vec::new(),
        unreachable,
        roster: roster(class),
        through: class_through(args, class),
    };
    if !v.quiet && !report.unreachable.is_empty() && args.format != Format::Text {
        errln!(
            "{} student(s) not reachable with these credentials: {}",
            report.unreachable.len(),
            report
                .unreachable
                .iter()
                .map(|u| u.index_no.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    print_class(args, v, class, &report, "the AWS accounts")
}

fn roster(class: &Class) -> Vec<report::Student> {
    class
        .members
        .iter()
        .map(|m| report::Student {
            index_no: m.spec.student.index_no.clone(),
            initials: m.spec.student.initials.clone(),
            name: m.spec.student.name.clone(),
        })
        .collect()
}

fn class_through(args: &Args, class: &Class) -> u8 {
    args.through.unwrap_or_else(|| {
        class
            .members
            .iter()
            .map(|m| m.spec.edition().last_exercise())
            .max()
            .unwrap_or(1)
    })
}

/// Sets the checkpoint graded, refusing one past the edition's exercises.
fn through(spec: &mut StudentSpec, n: Option<u8>, name: &str) -> Result<(), ExitCode> {
    let Some(n) = n else { return Ok(()) };
    let edition = spec.edition();
    if n > edition.last_exercise() {
        errln!(
            "error: --through {n}: the edition `{}` of {name} has exercises 1 to {}",
            edition.name,
            edition.last_exercise()
        );
        return Err(ExitCode::from(EXIT_INVALID));
    }
    spec.through = Some(n);
    Ok(())
}

/// Reads one student's source, printing what is wrong with it.
fn read(kind: Source, path: &Path, spec: &StudentSpec) -> Result<Observed, ExitCode> {
    let read = match kind {
        Source::Code => source::code::read(
            path,
            &source::code::Account {
                account_id: spec.account_id.clone(),
                region: spec.region.clone(),
            },
        ),
        _ => source::read(kind, path, &stackgen::grade::wanted),
    };
    read.map_err(|e| match e {
        ReadError::Io { .. } => {
            errln!("error: {e}");
            ExitCode::from(EXIT_IO)
        }
        ReadError::Invalid(d) => {
            // For code, the file is the diagnostic's value (a `.tf` file
            // in the directory).
            let path = match kind {
                Source::Code => Path::new(d.value.as_deref().unwrap_or_default()),
                _ => path,
            };
            let text = std::fs::read_to_string(path).ok();
            // A line of a huge minified file is shown cut (`Diagnostic`
            // windows it); a file too large to keep is not shown.
            let shown = text.filter(|t| t.len() < 64 * 1024 * 1024);
            errln!("{}", d.render(&display(path), shown.as_deref()));
            errln!(
                "error: `{}` is not a Terraform {} stackgen can read; nothing was graded",
                display(path),
                kind.word()
            );
            ExitCode::from(EXIT_INVALID)
        }
    })
}

/// The file or directory of one class entry: for `--code` the directory;
/// for a state or plan the file, or in a directory `state.json`,
/// `terraform.tfstate` (state) or `plan.json` (plan).
fn entry_source(kind: Source, entry: &Path) -> PathBuf {
    if kind == Source::Code || !entry.is_dir() {
        return entry.to_owned();
    }
    let names: &[&str] = match kind {
        Source::Plan => &["plan.json"],
        _ => &["state.json", "terraform.tfstate"],
    };
    names
        .iter()
        .map(|n| entry.join(n))
        .find(|p| p.is_file())
        .unwrap_or_else(|| entry.join(names[0]))
}

/// The entries of a class's directory (sorted, hidden ones left out) and
/// whose each is.
fn class_entries(
    kind: Source,
    dir: &Path,
    class: &Class,
) -> Result<(Vec<String>, Matching), ExitCode> {
    if !dir.is_dir() {
        errln!(
            "error: {} {}: for a class, {} names a directory with one entry per student (`<index_no>-<initials>`, or any name holding the index number)",
            kind.flag(),
            display(dir),
            kind.flag()
        );
        return Err(ExitCode::from(EXIT_INVALID));
    }
    let mut entries: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| {
            errln!("error: cannot read `{}`: {e}", display(dir));
            ExitCode::from(EXIT_IO)
        })?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    entries.sort();
    let students: Vec<(&str, &str)> = class
        .members
        .iter()
        .map(|m| (m.spec.student.index_no.as_str(), m.dir.as_str()))
        .collect();
    let matching = match_entries(&students, &entries).map_err(|twice| {
        for t in &twice {
            errln!(
                "error: two entries of `{}` are student {}'s: `{}` and `{}`; keep one (nothing was graded)",
                display(dir),
                t.index_no,
                t.first,
                t.second
            );
        }
        ExitCode::from(EXIT_INVALID)
    })?;
    Ok((entries, matching))
}

fn run_class(
    args: &Args,
    v: &Verbosity,
    loaded: &Loaded,
    class: &Class,
    kind: Source,
    dir: &Path,
) -> Result<ExitCode, ExitCode> {
    use rayon::prelude::*;
    let (entries, matching) = class_entries(kind, dir, class)?;
    let mut specs = Vec::new();
    for (m, entry) in class.members.iter().zip(&matching.entries) {
        if let Some(e) = entry {
            let mut spec = m.spec.clone();
            through(&mut spec, args.through, &loaded.name)?;
            specs.push((spec, entry_source(kind, &dir.join(&entries[*e]))));
        }
    }
    let bar = progress_bar(specs.len(), v, "grading");
    let grade_all = || -> Vec<Result<Report, ExitCode>> {
        specs
            .par_iter()
            .map(|(spec, path)| {
                let observed = read(kind, path, spec)?;
                let report = stackgen::grade(spec, &observed, kind)
                    .map_err(|e| fail(&loaded.sources, &e, v));
                bar.inc(1);
                report
            })
            .collect()
    };
    // The code parser recurses once per level of nesting (at most
    // `code::MAX_NESTING`): workers get the main thread's 8 MiB of stack,
    // not rayon's default 2 MiB.
    let graded = match rayon::ThreadPoolBuilder::new()
        .stack_size(8 * 1024 * 1024)
        .build()
    {
        Ok(pool) => pool.install(grade_all),
        Err(_) => grade_all(),
    };
    bar.finish_and_clear();
    let students = graded.into_iter().collect::<Result<Vec<_>, _>>()?;
    let report = ClassReport {
        students,
        missing: class
            .members
            .iter()
            .zip(&matching.entries)
            .filter(|(_, e)| e.is_none())
            .map(|(m, _)| m.spec.student.index_no.clone())
            .collect(),
        unmatched: matching
            .unmatched
            .iter()
            .map(|e| entries[*e].clone())
            .collect(),
        unreachable: Vec::new(),
        roster: roster(class),
        through: class_through(args, class),
    };
    print_class(args, v, class, &report, &display(dir))
}

/// Writes the gradebook and prints the class's report.
fn print_class(
    args: &Args,
    v: &Verbosity,
    class: &Class,
    report: &ClassReport,
    source: &str,
) -> Result<ExitCode, ExitCode> {
    if let Some(book) = &args.gradebook {
        let text = report.gradebook(args.gradebook_csv.into());
        std::fs::write(book, text).map_err(|e| {
            errln!("error: cannot write `{}`: {e}", display(book));
            ExitCode::from(EXIT_IO)
        })?;
    }
    match args.format {
        Format::Json => out!("{}", report.json()),
        Format::Text => out!("{}", report.text(source)),
        Format::Junit => out!("{}", formats::junit_class(report)),
        Format::Markdown => {
            let edition = |index: &str| {
                class
                    .members
                    .iter()
                    .find(|m| m.spec.student.index_no == index)
                    .map(|m| m.spec.edition().name.clone())
                    .unwrap_or_default()
            };
            out!("{}", formats::markdown_class(report, &edition));
        }
    }
    if !v.quiet && !report.missing.is_empty() && args.format != Format::Text {
        errln!(
            "{} student(s) with no entry in `{}`: {}",
            report.missing.len(),
            source,
            report.missing.join(", ")
        );
    }
    if let Some(minimum) = args.fail_under {
        let under = report
            .students
            .iter()
            .filter(|r| r.percent() < minimum)
            .count();
        if under > 0 {
            if !v.quiet {
                errln!("{under} student(s) under --fail-under {minimum}%");
            }
            return Ok(ExitCode::from(EXIT_FINDINGS));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
