//! The commands, one file each with its arguments (`Args`) and its `run`.
//! `main.rs` holds clap's top level, dispatches to them, and owns the exit
//! codes and the print macros every file here prints through (`out!`,
//! `outln!`, `errln!`: a closed pipe ends the program with 141 instead of a
//! panic). The binary is the only place that knows clap, stdout and stderr,
//! and exit codes; the library below it never prints.
//!
//! Here: the options every command takes and what to print; `common.rs`:
//! loading a student or class file and printing its diagnostics.

pub mod common;
pub mod completions;
pub mod grade;
pub mod grader_policy;
pub mod init;
pub mod man;
pub mod plan;
pub mod render;
pub mod replay;
pub mod review;
pub mod schema;
pub mod simulate;
pub mod status;
pub mod sweep;
pub mod validate;

use std::process::ExitCode;

use stackgen::base::codes::{Code, Severity};
use stackgen::base::diagnostic::Diagnostic;

use crate::EXIT_INVALID;

/// Options every command takes. `-v` is not one of them: what it adds
/// differs by command, so each command that has it says what it does.
#[derive(clap::Args)]
pub struct Global {
    /// Print errors only: no warnings, notes, progress or summary.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Do not print warnings or notes with this code (repeatable), e.g.
    /// `--allow SG901`; other warnings are still printed. Errors cannot be
    /// silenced.
    #[arg(long, global = true, value_name = "CODE", value_parser = diagnostic_code)]
    allow: Vec<Code>,
}

/// What to print, from the global options and the command's `-v`.
#[derive(Clone, Default)]
pub struct Verbosity {
    pub quiet: bool,
    pub verbose: bool,
    pub allow: Vec<Code>,
}

impl Verbosity {
    /// What the global options ask for; a command's `-v` is added by
    /// `with_verbose`.
    pub fn new(global: Global) -> Self {
        Self {
            quiet: global.quiet,
            verbose: false,
            allow: global.allow,
        }
    }

    /// Whether a diagnostic is printed: errors always; warnings and notes
    /// unless `-q` or `--allow` with their code.
    pub fn shows(&self, d: &Diagnostic) -> bool {
        d.is_error() || !(self.quiet || self.allow.contains(&d.code))
    }

    /// Adds a command's `-v` to the global options; `-q -v` says two things.
    pub fn with_verbose(&mut self, verbose: bool) -> Result<&Verbosity, ExitCode> {
        if verbose && self.quiet {
            errln!("error: `-q` and `-v` ask for less and more output; give one of them");
            return Err(ExitCode::from(EXIT_INVALID));
        }
        self.verbose = verbose;
        Ok(self)
    }
}

/// `--allow` takes a code of the registry, as docs/src/reference/rules.md lists them
/// (`SG901`), in any case; only warnings and notes can be allowed.
fn diagnostic_code(text: &str) -> Result<Code, String> {
    match Code::parse(text) {
        Some(code) if code.severity() != Severity::Error => Ok(code),
        Some(code) => Err(format!(
            "`{code}` is an error; only warnings and notes can be allowed"
        )),
        None => Err(format!(
            "`{text}` is not a diagnostic code; codes look like `SG901` (see docs/src/reference/rules.md)"
        )),
    }
}
