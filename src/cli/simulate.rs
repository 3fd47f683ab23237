//! `stackgen simulate`: the detector's rule over the trade CSV, offline,
//! at the arrival times a pacing gives.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use stackgen::base::model::StudentSpec;
use stackgen::lab::replay as replay_lib;
use stackgen::lab::simulate::{self, Outcome};

use super::common::{load, read_trades, Input, PacingArgs};
use super::Verbosity;
use crate::EXIT_INVALID;

/// Apply the stack's alert rule to the trade CSV offline, at the
/// arrival times a pacing gives, and list what the detector flags.
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
    /// The trade CSV (the course's crypto_trades_20201001.csv).
    #[arg(long, value_name = "CSV")]
    data: PathBuf,
    #[command(flatten)]
    pacing: PacingArgs,
    #[arg(long, value_enum, default_value_t = SimFormat::Text)]
    format: SimFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum SimFormat {
    Text,
    Json,
    Csv,
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(&args.spec, v)?;
    let members: Vec<(String, &StudentSpec)> = match &loaded.input {
        Input::Student(c) => vec![(String::new(), &c.spec)],
        Input::Class(c) => c.members.iter().map(|m| (m.dir.clone(), &m.spec)).collect(),
    };
    let groups = simulate::group(members, args.pacing.pacing()).map_err(|e| {
        errln!("error: {}", e.message(&loaded.name));
        ExitCode::from(EXIT_INVALID)
    })?;
    let trades = read_trades(&args.data)?;
    let outcomes: Vec<Outcome> = groups
        .into_iter()
        .map(|(rule, pacing, dirs)| {
            let arrivals =
                replay_lib::pacing::arrivals(&trades, pacing).expect("not --max, checked above");
            Outcome::new(rule, pacing, &trades, &arrivals, dirs)
        })
        .collect();
    let text = match args.format {
        SimFormat::Text => simulate::text(&outcomes),
        SimFormat::Json => simulate::json(&outcomes),
        SimFormat::Csv => simulate::csv(&outcomes),
    };
    // A closed pipe (`simulate ... | head`) is the reader's choice, not an
    // error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    Ok(ExitCode::SUCCESS)
}
