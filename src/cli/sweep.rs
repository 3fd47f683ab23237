//! `stackgen sweep SPEC|CLASS --older-than DURATION [--yes]`: deletes the
//! students' hourly-billed resources (their Kinesis streams) that are at
//! least DURATION old. A dry run unless `--yes`. Exit 0 when nothing that
//! old is left billing, 5 when something still bills (a dry run found it,
//! or a deletion failed), 1 when some student could not be checked.

use std::path::PathBuf;
use std::process::ExitCode;

use stackgen::live::clock::Span;
use stackgen::live::sweep::{Outcome, Sweep};

use super::common::live_survey;
use super::Verbosity;
use crate::{EXIT_BILLING, EXIT_IO};

/// Delete the students' Kinesis streams that are at least DURATION old
/// (a dry run unless --yes)
///
/// Touches only resources with exactly the names stackgen derives for the
/// students in the file, in their region, that carry the stack's tags;
/// never the S3 data. Without --yes it prints what it would delete and
/// deletes nothing. Exit 0 when nothing that old is left billing, 5 while
/// something still bills (a dry run found it, or a deletion failed: a
/// cron job can alert on 5), 1 if some student could not be checked.
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
    /// How old a stream must be to be deleted: a whole number and s, m, h
    /// or d (90m, 8h, 2d; 0s: every stream).
    #[arg(long, value_name = "DURATION", value_parser = Span::parse)]
    older_than: Span,
    /// Delete; without it, only say what would be deleted.
    #[arg(long)]
    yes: bool,
    /// The AWS profile whose credentials to use (default: the standard
    /// chain: environment, AWS_PROFILE, then the default profile).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let (members, mut session, survey) = live_survey(&args.spec, args.profile.as_deref(), v)?;
    let sweep = Sweep::run(&mut session, &members, survey, args.older_than, !args.yes);
    out!("{}", sweep.text(&members));
    Ok(match sweep.outcome() {
        Outcome::Clear => ExitCode::SUCCESS,
        Outcome::StillBilling => ExitCode::from(EXIT_BILLING),
        Outcome::Unchecked => ExitCode::from(EXIT_IO),
    })
}
