//! `stackgen render`: validate a student or class file and write its
//! stack(s), keeping edits, live state and Terraform's own files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use stackgen::base::model::CiKind;
use stackgen::output::emit::Files;
use stackgen::output::summary::CsvStyle;
use stackgen::output::write::{self, WriteError};

use super::common::{apply_through, load_ci, render_files, Input, Loaded};
use super::Verbosity;
use crate::{EXIT_CONFLICT, EXIT_DIFFERS, EXIT_INVALID, EXIT_IO};

/// Validate a student or class file and write the Terraform stack(s).
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
    /// Output directory; created if missing.
    #[arg(short, long)]
    output: PathBuf,
    /// Write into a non-empty directory that stackgen did not generate,
    /// replace generated files that someone edited, and remove or
    /// replace stacks that hold Terraform state.
    #[arg(long)]
    force: bool,
    /// Write nothing; exit 1 and list the files that are missing, extra
    /// or different (with a short diff), 0 if the tree is up to date.
    #[arg(long, conflicts_with = "force")]
    check: bool,
    /// Also list every file written or removed, one per line on stdout.
    #[arg(short, long)]
    verbose: bool,
    /// A checkpoint: the stack as it stands at the end of exercise N, the
    /// parts of exercises 1 to N with their IAM (for a student who fell
    /// behind). Rendering N+1 into the same directory adds the next
    /// exercise's parts; fewer exercises beside Terraform state is refused
    /// unless --force.
    #[arg(long, value_name = "N", value_parser = super::common::exercise)]
    through: Option<u8>,
    /// How a class's `class-summary.csv` is written: `standard` (`,`
    /// and `0.1300`) or `excel` (`;`, `0,1300` and a UTF-8 byte order
    /// mark, so Excel under a Polish locale opens it by double-click).
    #[arg(long, value_enum, default_value_t = SummaryCsv::Standard)]
    summary_csv: SummaryCsv,
    /// Also write a class's CI pipeline into the output root: `github`
    /// (.github/workflows/stackgen-class.yml) or `gitlab` (.gitlab-ci.yml).
    /// Chooses the kind over the class file's `ci:`, whose `role_arn` and
    /// `max_parallel` still apply.
    #[arg(long, value_enum, value_name = "KIND")]
    ci: Option<CiFlag>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CiFlag {
    Github,
    Gitlab,
}

impl From<CiFlag> for CiKind {
    fn from(kind: CiFlag) -> Self {
        match kind {
            CiFlag::Github => Self::Github,
            CiFlag::Gitlab => Self::Gitlab,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum SummaryCsv {
    Standard,
    Excel,
}

impl From<SummaryCsv> for CsvStyle {
    fn from(style: SummaryCsv) -> Self {
        match style {
            SummaryCsv::Standard => Self::Standard,
            SummaryCsv::Excel => Self::Excel,
        }
    }
}

pub fn run(args: &Args, v: &mut Verbosity) -> Result<ExitCode, ExitCode> {
    let v = v.with_verbose(args.verbose)?;
    let output = args.output.as_path();
    let mut loaded = load_ci(&args.spec, v, args.ci.map(CiKind::from))?;
    apply_through(&mut loaded, args.through)?;
    let files = render_files(&loaded, args.summary_csv.into(), v)?;
    let io_fail = |e: WriteError| {
        errln!("error: {e}");
        ExitCode::from(match e {
            WriteError::Foreign(_) | WriteError::Refused(_) => EXIT_INVALID,
            WriteError::Io { .. } => EXIT_IO,
        })
    };
    if args.check {
        return check_tree(&loaded, output, &files, v).map_err(io_fail);
    }
    let origin = origin(&loaded);
    let report = write::write(output, &origin, &files, args.force).map_err(io_fail)?;
    let name = &loaded.name;
    for path in &report.kept_edited {
        errln!(
            "kept: {path} was edited after stackgen wrote it; {name} still generates what the edit started from, so it is left as it is (--force replaces it)"
        );
    }
    for conflict in &report.conflicts {
        match &conflict.diff {
            Some(diff) => errln!(
                "conflict: {} was edited after stackgen wrote it, and {name} now generates something else; the file is left as it is. Merge this change into it, or pass --force to replace it:\n{}",
                conflict.path,
                diff.trim_end()
            ),
            None => errln!(
                "conflict: {} was edited after stackgen wrote it, and {name} no longer generates it; the file is left as it is. Delete it, or pass --force",
                conflict.path
            ),
        }
    }
    for retired in &report.retired {
        let dir = output.join(&retired.dir);
        errln!(
            "retired: {} is no longer in {name}, but it holds Terraform state ({}); it is kept whole. Run `{}`, then render again to remove it",
            dir.display(),
            retired.state,
            write::destroy_command(&dir)
        );
    }
    if v.verbose {
        for path in &report.written {
            outln!("wrote: {path}");
        }
        for path in &report.removed {
            outln!("removed: {path}");
        }
    }
    if !v.quiet {
        let mut line = format!(
            "{}: {} files written, {} unchanged, {} kept, {} removed",
            output.display(),
            report.written.len(),
            report.unchanged,
            report.kept_edited.len(),
            report.removed.len()
        );
        if !report.conflicts.is_empty() {
            let _ = write!(line, ", {} in conflict", report.conflicts.len());
        }
        if !report.retired.is_empty() {
            let _ = write!(line, ", {} retired", report.retired.len());
        }
        outln!("{line}");
    }
    Ok(
        if report.conflicts.is_empty() && report.retired.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_CONFLICT)
        },
    )
}

/// `render --check`: what differs, with a short diff per changed file.
fn check_tree(
    loaded: &Loaded,
    output: &Path,
    files: &Files,
    v: &Verbosity,
) -> Result<ExitCode, WriteError> {
    use write::Difference;
    let differ = write::differences(output, files)?;
    if differ.is_empty() {
        if !v.quiet {
            outln!("{} is up to date ({} files)", output.display(), files.len());
        }
        return Ok(ExitCode::SUCCESS);
    }
    for difference in &differ {
        match difference {
            Difference::Missing(path) => outln!("missing: {path}"),
            Difference::Extra(path) => {
                outln!("extra: {path} (generated before, no longer rendered)");
            }
            Difference::Differs { path, diff } => {
                outln!("differs: {path}");
                if !v.quiet {
                    out!("{diff}");
                }
            }
        }
    }
    errln!(
        "{} of {} files differ from what {} renders",
        differ.len(),
        files.len(),
        loaded.name
    );
    Ok(ExitCode::from(EXIT_DIFFERS))
}

/// What the manifest records about the tree being written.
fn origin(loaded: &Loaded) -> write::Origin {
    match &loaded.input {
        Input::Student(checked) => write::Origin {
            source: loaded.name.clone(),
            kind: write::TreeKind::Student,
            stacks: vec![stackgen::identity(&checked.spec, "")],
            bootstrap: None,
        },
        Input::Class(class) => write::Origin {
            source: loaded.name.clone(),
            kind: write::TreeKind::Class,
            stacks: class
                .members
                .iter()
                .map(|m| stackgen::identity(&m.spec, &m.dir))
                .collect(),
            // It holds state once applied: the guard protects it like a
            // student's stack.
            bootstrap: stackgen::bootstrap(class).map(|b| stackgen::bootstrap_identity(&b)),
        },
    }
}
