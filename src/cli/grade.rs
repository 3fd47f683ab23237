//! `stackgen grade`: marks one student's work, exercise by exercise,
//! against the stack stackgen renders for them, from their Terraform state
//! or plan. Exit 0 graded (whatever the score), 3 under `--fail-under`, 2
//! for an input or a file that is not what it claims, 1 for I/O.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use stackgen::grade::source::{self, ReadError, Source};

use super::common::{exercise, fail, load, pick_student};
use super::Verbosity;
use crate::{EXIT_FINDINGS, EXIT_INVALID, EXIT_IO};

/// Mark one student's work, exercise by exercise, from their Terraform
/// state, plan or code.
///
/// Every check compares what the student's state, plan or code holds with
/// the stack stackgen renders for them (a checkpoint with --through). Exit
/// codes: 0 graded, whatever the score; 3 under --fail-under; 2 invalid
/// input, or a file that is not a state, plan or Terraform code; 1 a file
/// that cannot be read.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["state", "plan", "code"])))]
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
    /// Grade exercises 1 to N (default: all of the edition's).
    #[arg(long, value_name = "N", value_parser = exercise)]
    through: Option<u8>,
    /// For a class: the student's index number (or directory).
    #[arg(long, value_name = "INDEX")]
    student: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with code 3 when the score is below PERCENT (0 to 100).
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    fail_under: Option<f64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(x) if (0.0..=100.0).contains(&x) => Ok(x),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(&args.spec, v)?;
    let mut spec = pick_student(&loaded, args.student.as_deref(), "whose work")?.clone();
    if let Some(n) = args.through {
        let edition = spec.edition();
        if n > edition.last_exercise() {
            errln!(
                "error: --through {n}: the edition `{}` of {} has exercises 1 to {}",
                edition.name,
                loaded.name,
                edition.last_exercise()
            );
            return Err(ExitCode::from(EXIT_INVALID));
        }
        spec.through = Some(n);
    }
    let (kind, path) = match (&args.state, &args.plan, &args.code) {
        (Some(path), _, _) => (Source::State, path.as_path()),
        (None, Some(path), _) => (Source::Plan, path.as_path()),
        (None, None, Some(path)) => (Source::Code, path.as_path()),
        (None, None, None) => unreachable!("clap requires --state, --plan or --code"),
    };
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
    let observed = read.map_err(|e| match e {
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
    })?;
    let report =
        stackgen::grade(&spec, &observed, kind).map_err(|e| fail(&loaded.sources, &e, v))?;
    match args.format {
        Format::Json => out!("{}", report.json()),
        Format::Text => out!("{}", report.text(&spec.edition().name, &display(path))),
    }
    if let Some(minimum) = args.fail_under {
        if report.percent() < minimum {
            if !v.quiet {
                errln!(
                    "score {:.1}% is under --fail-under {minimum}%",
                    report.percent()
                );
            }
            return Ok(ExitCode::from(EXIT_FINDINGS));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
