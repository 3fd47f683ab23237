//! `stackgen status`: what each student of a file has left billing by the
//! hour in AWS, since when and at what cost; exit 1 if some student could
//! not be checked (the report is printed all the same).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use stackgen::live::status::Report;

use super::common::live_survey;
use super::Verbosity;
use crate::EXIT_IO;

/// Show what each student has left billing by the hour in AWS, since
/// when, and what it has cost so far
///
/// For each student of the file: the stack's Kinesis stream, looked up by
/// its exact name in the student's region, with its creation time, its
/// rate at the region's list prices and its cost so far; then the total.
/// Reads only. A stream by that name without the stack's tags is listed
/// as not the stack's and not counted. Exit 1 if some student could not
/// be checked (another account than the credentials', or an error).
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The AWS profile whose credentials to use (default: the standard
    /// chain: environment, AWS_PROFILE, then the default profile).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let (members, _, survey) = live_survey(&args.spec, args.profile.as_deref(), v)?;
    let report = Report::new(&members, &survey);
    match args.format {
        Format::Text => out!("{}", report.text()),
        Format::Json => out!("{}", report.json()),
        Format::Markdown => out!("{}", report.markdown()),
    }
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_IO)
    })
}
