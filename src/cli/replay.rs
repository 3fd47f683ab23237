//! `stackgen replay`: send the lab's trades to a stack's Kinesis stream,
//! with a progress bar on a terminal and a line every 10 s otherwise.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use stackgen::lab::replay::{self as replay_lib, Event, Pacing, ReplayTarget, Stop};

use super::common::{load, pick_student, read_trades, PacingArgs};
use super::Verbosity;
use crate::{EXIT_INVALID, EXIT_IO};

/// Send the lab's trades to the stack's Kinesis stream (the course
/// generator's records, in PutRecords batches), looping until Ctrl-C
/// unless --single-run.
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
    /// The trade CSV (the course's crypto_trades_20201001.csv).
    #[arg(long, value_name = "CSV")]
    data: PathBuf,
    #[command(flatten)]
    pacing: PacingArgs,
    /// As fast as the stream takes them (the course generator's
    /// default).
    #[arg(long, conflicts_with_all = ["rate", "speed"])]
    max: bool,
    /// Send the file once and stop (default: generator.single_run).
    #[arg(long)]
    single_run: bool,
    /// Stop after this many records.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    limit: Option<u64>,
    /// For a class: the student's index number (or directory).
    #[arg(long, value_name = "INDEX")]
    student: Option<String>,
    /// Also print every retry.
    #[arg(short, long)]
    verbose: bool,
}

pub fn run(args: &Args, v: &mut Verbosity) -> Result<ExitCode, ExitCode> {
    let v = v.with_verbose(args.verbose)?;
    let pacing = if args.max {
        Some(Pacing::Max)
    } else {
        args.pacing.pacing()
    };
    let data = args.data.as_path();
    let loaded = load(&args.spec, v)?;
    let target = ReplayTarget::from_spec(pick_student(
        &loaded,
        args.student.as_deref(),
        "whose stream",
    )?);
    let trades = read_trades(data)?;
    let options = replay_lib::Options {
        pacing: pacing.unwrap_or(target.default_pacing),
        single_run: args.single_run || target.single_run,
        limit: args.limit,
    };
    if !v.quiet {
        errln!(
            "replaying {} trades of {} to stream {} ({}) at {}, {}",
            trades.len(),
            data.display(),
            target.stream,
            target.region,
            options.pacing,
            if options.single_run {
                "once"
            } else {
                "looping until Ctrl-C"
            }
        );
    }
    let mut display = ReplayDisplay::new(&options, trades.len(), v.clone());
    let summary =
        replay_lib::run(&target, &trades, &options, &mut |e| display.show(&e)).map_err(|e| {
            errln!("error: {e}");
            ExitCode::from(match e {
                replay_lib::ReplayError::Runtime(_) => EXIT_IO,
                _ => EXIT_INVALID,
            })
        })?;
    display.finish();
    let passes = match summary.passes {
        1 => "1 full pass".to_owned(),
        n => format!("{n} full passes"),
    };
    let line = format!(
        "sent {} records to {} in {:.2} s ({:.0} records/s, {passes}, {} requests); retried {}, failed {}",
        summary.sent,
        target.stream,
        summary.elapsed.as_secs_f64(),
        summary.rate(),
        summary.requests,
        summary.retried,
        summary.failed
    );
    let why = match &summary.stop {
        Some(Stop::Finished) => "single run done".to_owned(),
        Some(Stop::Limit) => "--limit reached".to_owned(),
        Some(Stop::Interrupted) => "stopped by a signal".to_owned(),
        Some(Stop::Aborted(reason)) => format!("aborted: {reason}"),
        None => String::new(),
    };
    if summary.all_sent() {
        if !v.quiet {
            outln!("{line} ({why})");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        outln!("{line} ({why})");
        if let Some(Stop::Aborted(reason)) = &summary.stop {
            errln!(
                "error: {} records were not sent and the run stopped: {reason}\n\
                 (is the stack applied, and are AWS credentials and the region right?)",
                summary.failed
            );
        } else {
            errln!(
                "error: {} records were not sent (given up on after {} retries)",
                summary.failed,
                replay_lib::MAX_RETRIES
            );
        }
        Ok(ExitCode::from(EXIT_IO))
    }
}

/// Progress of a replay: a bar on a terminal, a line every 10 s otherwise.
struct ReplayDisplay {
    bar: Option<ProgressBar>,
    last_line: std::time::Instant,
    v: Verbosity,
}

impl ReplayDisplay {
    fn new(options: &replay_lib::Options, trades: usize, v: Verbosity) -> Self {
        let bar = (!v.quiet && std::io::stderr().is_terminal()).then(|| {
            let total = match (options.single_run, options.limit) {
                (true, l) => Some(l.unwrap_or(u64::MAX).min(trades as u64)),
                (false, l) => l,
            };
            let (bar, template) = match total {
                Some(n) => (
                    ProgressBar::new(n),
                    "{bar:30} {pos}/{len} sent, {per_sec}, {msg}, ETA {eta}",
                ),
                None => (
                    ProgressBar::no_length(),
                    "{spinner} {pos} sent, {per_sec}, {msg}",
                ),
            };
            bar.set_style(ProgressStyle::with_template(template).expect("the template is valid"));
            bar.set_message("0 retried");
            bar
        });
        Self {
            bar,
            last_line: std::time::Instant::now(),
            v,
        }
    }

    fn show(&mut self, event: &Event<'_>) {
        match event {
            Event::Batch(s) => {
                if let Some(bar) = &self.bar {
                    bar.set_position(s.sent + s.failed);
                    bar.set_message(format!("{} retried, {} failed", s.retried, s.failed));
                } else if !self.v.quiet && self.last_line.elapsed().as_secs() >= 10 {
                    self.last_line = std::time::Instant::now();
                    errln!(
                        "sent {} ({:.0} records/s), retried {}, failed {}",
                        s.sent,
                        s.rate(),
                        s.retried,
                        s.failed
                    );
                }
            }
            Event::Retry {
                records,
                attempt,
                delay,
                reason,
            } => {
                if self.v.verbose {
                    self.println(&format!(
                        "retry {attempt} of {} in {:.2} s for {records} record(s): {reason}",
                        replay_lib::MAX_RETRIES,
                        delay.as_secs_f64()
                    ));
                }
            }
            Event::GaveUp { records, reason } => {
                self.println(&format!("error: gave up on {records} record(s): {reason}"));
            }
        }
    }

    fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| errln!("{line}")),
            None => errln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
