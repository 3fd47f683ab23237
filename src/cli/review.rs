//! `stackgen review`: what every IAM role of the stack(s) may do, in
//! words, with findings; exit 3 with `--fail-on` when there are some.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use stackgen::base::model::StudentSpec;
use stackgen::review::{report, Review, Severity};

use super::common::{fail, load, Input};
use super::Verbosity;
use crate::EXIT_FINDINGS;

/// Explain what every IAM role of the stack(s) may do, with findings.
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with code 3 if there is a finding of this severity or worse.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Warning,
    Error,
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let (format, fail_on) = (args.format, args.fail_on);
    let loaded = load(&args.spec, v)?;
    let members: Vec<(String, &StudentSpec)> = match &loaded.input {
        Input::Student(c) => vec![(String::new(), &c.spec)],
        Input::Class(c) => c.members.iter().map(|m| (m.dir.clone(), &m.spec)).collect(),
    };
    let mut reviews: Vec<(String, Review)> = Vec::new();
    for (dir, spec) in members {
        let review =
            stackgen::review_iam(spec, &loaded.name).map_err(|e| fail(&loaded.sources, &e, v))?;
        reviews.push((dir, review));
    }
    match format {
        Format::Json if reviews.len() == 1 => out!("{}", report::json(&reviews[0].1)),
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = reviews
                .iter()
                .map(|(d, r)| (d.clone(), serde_json::to_value(r).expect("plain data")))
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&map).expect("plain data")
            );
        }
        Format::Text | Format::Markdown => {
            for (i, (_, r)) in reviews.iter().enumerate() {
                if i > 0 {
                    outln!();
                }
                out!(
                    "{}",
                    match format {
                        Format::Markdown => report::markdown(r),
                        _ => report::text(r),
                    }
                );
            }
            if reviews.len() > 1 {
                let totals = stackgen::review::totals(reviews.iter().map(|(_, r)| r));
                let with_findings = reviews.iter().filter(|(_, r)| r.worst().is_some()).count();
                outln!(
                    "\nclass: {} students, {with_findings} with findings; {} errors, {} warnings in all",
                    reviews.len(),
                    totals.get(&Severity::Error).unwrap_or(&0),
                    totals.get(&Severity::Warning).unwrap_or(&0)
                );
            }
        }
    }
    let threshold = fail_on.map(|f| match f {
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    });
    let worst = reviews.iter().filter_map(|(_, r)| r.worst()).max();
    Ok(match (threshold, worst) {
        (Some(t), Some(w)) if w >= t => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    })
}
