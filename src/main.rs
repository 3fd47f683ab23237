//! The `stackgen` command line. The only place that knows clap, stdout and
//! stderr, and exit codes: 0 success, 1 I/O failure (or a bug; for
//! `render --check`, a tree that differs), 2 invalid input (including a
//! refused output directory), 3 `review --fail-on` findings.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use stackgen::class::Class;
use stackgen::diagnostic::{summary, Diagnostic};
use stackgen::emit::Files;
use stackgen::load::{self, Kind, Source};
use stackgen::replay::{self as replay_lib, Event, Pacing, ReplayTarget, Stop};
use stackgen::write::{self, WriteError};
use stackgen::RenderError;

#[derive(Parser)]
#[command(
    name = "stackgen",
    version,
    about = "Per-student Terraform stacks for the cloud data processing lab, validated before anything is written"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    verbosity: Verbosity,
}

#[derive(Args, Clone, Copy)]
struct Verbosity {
    /// Print errors only: no warnings, progress or summary.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also list every file written, kept or removed (replay: every retry).
    #[arg(short, long, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a student or class file and write the Terraform stack(s).
    Render {
        /// The student or class file (YAML).
        spec: PathBuf,
        /// Output directory; created if missing.
        #[arg(short, long)]
        output: PathBuf,
        /// Write into a non-empty directory that stackgen did not generate,
        /// and replace generated files that someone edited.
        #[arg(long)]
        force: bool,
        /// Write nothing; exit 1 and list the files that differ from what
        /// would be rendered, 0 if the tree is up to date.
        #[arg(long, conflicts_with = "force")]
        check: bool,
    },
    /// Check a student or class file without writing anything.
    Validate {
        /// The student or class file (YAML).
        spec: PathBuf,
    },
    /// Explain what every IAM role of the stack(s) may do, with findings.
    Review {
        /// The student or class file (YAML).
        spec: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with code 3 if there is a finding of this severity or worse.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
    },
    /// Print the resource plan as JSON: every name, ARN, IAM document and
    /// setting a stack is rendered from (for a class, one per directory).
    Plan {
        /// The student or class file (YAML).
        spec: PathBuf,
    },
    /// Send the lab's trades to the stack's Kinesis stream (the course
    /// generator's records, in PutRecords batches), looping until Ctrl-C
    /// unless --single-run.
    Replay {
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
    },
    /// Apply the stack's alert rule to the trade CSV offline, at the
    /// arrival times a pacing gives, and list what the detector flags.
    Simulate {
        /// The student or class file (YAML).
        spec: PathBuf,
        /// The trade CSV (the course's crypto_trades_20201001.csv).
        #[arg(long, value_name = "CSV")]
        data: PathBuf,
        #[command(flatten)]
        pacing: PacingArgs,
        #[arg(long, value_enum, default_value_t = SimFormat::Text)]
        format: SimFormat,
    },
    /// Print the JSON Schema of the student file (or of the class file).
    Schema {
        /// The class file's schema instead.
        #[arg(long)]
        class: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

/// `--rate` or `--speed`; neither: what the spec's generator settings say.
#[derive(Args, Clone, Copy)]
struct PacingArgs {
    /// Records per second (the i-th record is due at i/R s).
    #[arg(long, value_name = "R", value_parser = positive, conflicts_with = "speed")]
    rate: Option<f64>,
    /// Event time divided by X (the course generator's -s X): a trade is
    /// due at (ts - ts0)/X s.
    #[arg(long, value_name = "X", value_parser = positive)]
    speed: Option<f64>,
}

impl PacingArgs {
    fn pacing(self) -> Option<Pacing> {
        self.rate
            .map(Pacing::Rate)
            .or(self.speed.map(Pacing::Speed))
    }
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum SimFormat {
    Text,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Warning,
    Error,
}

const EXIT_IO: u8 = 1;
const EXIT_DIFFERS: u8 = 1;
const EXIT_INVALID: u8 = 2;
const EXIT_FINDINGS: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let v = cli.verbosity;
    let result = match cli.command {
        Command::Render {
            spec,
            output,
            force,
            check,
        } => render(&spec, &output, force, check, v),
        Command::Validate { spec } => validate(&spec, v),
        Command::Review {
            spec,
            format,
            fail_on,
        } => review(&spec, format, fail_on, v),
        Command::Plan { spec } => plan(&spec, v),
        Command::Replay {
            spec,
            data,
            pacing,
            max,
            single_run,
            limit,
            student,
        } => {
            let pacing = if max {
                Some(Pacing::Max)
            } else {
                pacing.pacing()
            };
            replay(
                &spec,
                &data,
                pacing,
                single_run,
                limit,
                student.as_deref(),
                v,
            )
        }
        Command::Simulate {
            spec,
            data,
            pacing,
            format,
        } => simulate(&spec, &data, pacing.pacing(), format, v),
        Command::Schema { class } => {
            print!(
                "{}",
                if class {
                    stackgen::schema::class_json()
                } else {
                    stackgen::schema::student_json()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|code| code)
}

/// A loaded input: one student, or a class with its roster.
enum Input {
    Student(Box<stackgen::Checked>),
    Class(Class),
}

/// Everything needed to report on an input: its sources and its name.
struct Loaded {
    sources: Vec<Source>,
    name: String,
    input: Input,
}

impl Loaded {
    fn warnings(&self) -> &[Diagnostic] {
        match &self.input {
            Input::Student(c) => &c.warnings,
            Input::Class(c) => &c.warnings,
        }
    }
}

/// Reads, parses and validates a student or class file, printing the
/// diagnostics and choosing the exit code when it is invalid.
fn load(spec: &Path, v: Verbosity) -> Result<Loaded, ExitCode> {
    let source = Source::read(spec).map_err(|e| {
        eprintln!("error: cannot read `{}`: {e}", spec.display());
        ExitCode::from(EXIT_IO)
    })?;
    let name = file_name(spec);
    let kind = match load::kind(&source) {
        Ok(k) => k,
        Err(found) => return Err(fail(&[source], &RenderError::Invalid(found), v)),
    };
    let (result, roster) = match kind {
        Kind::Student => (
            stackgen::check(&source).map(|c| Input::Student(Box::new(c))),
            None,
        ),
        Kind::Class => {
            let base = spec.parent().unwrap_or(Path::new("."));
            let (result, roster) = stackgen::check_class(&source, base);
            (result.map(Input::Class), roster)
        }
    };
    let mut sources = vec![source];
    sources.extend(roster);
    match result {
        Ok(input) => {
            let loaded = Loaded {
                sources,
                name,
                input,
            };
            if !v.quiet {
                report(&loaded.sources, loaded.warnings());
            }
            Ok(loaded)
        }
        Err(e) => Err(fail(&sources, &e, v)),
    }
}

fn report(sources: &[Source], diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{}", load::render_in(sources, d));
    }
}

/// Prints what went wrong and picks the exit code.
fn fail(sources: &[Source], error: &RenderError, v: Verbosity) -> ExitCode {
    match error {
        RenderError::Invalid(found) => {
            let shown: Vec<Diagnostic> = found
                .iter()
                .filter(|d| d.is_error() || !v.quiet)
                .cloned()
                .collect();
            report(sources, &shown);
            eprintln!(
                "{}: {} is invalid; nothing was written",
                summary(found),
                sources[0].name
            );
            ExitCode::from(EXIT_INVALID)
        }
        RenderError::Internal(message) => {
            eprintln!("error: {message}\nThis is a bug in stackgen; please report it with the input file.");
            ExitCode::from(EXIT_IO)
        }
    }
}

/// Renders a loaded input in memory (link check included).
fn render_files(loaded: &Loaded, v: Verbosity) -> Result<Files, ExitCode> {
    let result = match &loaded.input {
        Input::Student(checked) => stackgen::render(&checked.spec, &loaded.name),
        Input::Class(class) => {
            let bar = progress_bar(class.members.len(), v);
            let result = stackgen::render_class(class, &loaded.name, &|| bar.inc(1));
            bar.finish_and_clear();
            result
        }
    };
    result.map_err(|e| fail(&loaded.sources, &e, v))
}

/// A progress bar on a terminal for classes big enough to wait for;
/// hidden otherwise.
fn progress_bar(len: usize, v: Verbosity) -> ProgressBar {
    if v.quiet || len < 50 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("rendering {bar:40} {pos}/{len} students ({eta})")
            .expect("the template is valid"),
    );
    bar
}

fn validate(spec: &Path, v: Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(spec, v)?;
    // Rendering in memory also runs the link check, so `validate` passing
    // means `render` will too. A class renders one stack per template
    // shape, which covers every student (see `emit::shape`).
    match &loaded.input {
        Input::Student(_) => {
            render_files(&loaded, v)?;
        }
        Input::Class(class) => {
            stackgen::check_class_shapes(class).map_err(|e| fail(&loaded.sources, &e, v))?;
        }
    }
    if !v.quiet {
        let what = match &loaded.input {
            Input::Student(_) => "valid".to_owned(),
            Input::Class(c) => format!("valid, {} students", c.members.len()),
        };
        println!(
            "{}: {what} ({})",
            loaded.sources[0].name,
            summary(loaded.warnings())
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn render(
    spec: &Path,
    output: &Path,
    force: bool,
    check: bool,
    v: Verbosity,
) -> Result<ExitCode, ExitCode> {
    let loaded = load(spec, v)?;
    let files = render_files(&loaded, v)?;
    let io_fail = |e: WriteError| {
        eprintln!("error: {e}");
        ExitCode::from(match e {
            WriteError::Foreign(_) => EXIT_INVALID,
            WriteError::Io { .. } => EXIT_IO,
        })
    };
    if check {
        let differ = write::differences(output, &files).map_err(io_fail)?;
        if differ.is_empty() {
            if !v.quiet {
                println!("{} is up to date ({} files)", output.display(), files.len());
            }
            return Ok(ExitCode::SUCCESS);
        }
        for path in &differ {
            println!("differs: {path}");
        }
        eprintln!(
            "{} of {} files differ from what {} renders",
            differ.len(),
            files.len(),
            loaded.name
        );
        return Ok(ExitCode::from(EXIT_DIFFERS));
    }
    let report = write::write(output, &loaded.name, &files, force).map_err(io_fail)?;
    for path in &report.kept_edited {
        eprintln!(
            "kept: {path} was edited after stackgen wrote it; left as it is (--force replaces it)"
        );
    }
    if v.verbose {
        for path in &report.written {
            println!("wrote: {path}");
        }
        for path in &report.removed {
            println!("removed: {path}");
        }
    }
    if !v.quiet {
        println!(
            "{}: {} files written, {} unchanged, {} kept, {} removed",
            output.display(),
            report.written.len(),
            report.unchanged,
            report.kept_edited.len(),
            report.removed.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn review(
    spec: &Path,
    format: Format,
    fail_on: Option<FailOn>,
    v: Verbosity,
) -> Result<ExitCode, ExitCode> {
    use stackgen::review::{report, Review, Severity};
    let loaded = load(spec, v)?;
    let members: Vec<(String, &stackgen::model::StudentSpec)> = match &loaded.input {
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
        Format::Json if reviews.len() == 1 => print!("{}", report::json(&reviews[0].1)),
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = reviews
                .iter()
                .map(|(d, r)| (d.clone(), serde_json::to_value(r).expect("plain data")))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&map).expect("plain data")
            );
        }
        Format::Text | Format::Markdown => {
            for (i, (_, r)) in reviews.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                print!(
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
                println!(
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

fn plan(spec: &Path, v: Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(spec, v)?;
    let json = match &loaded.input {
        Input::Student(c) => serde_json::to_value(stackgen::plan::Plan::new(&c.spec)),
        Input::Class(c) => serde_json::to_value(
            c.members
                .iter()
                .map(|m| (m.dir.clone(), stackgen::plan::Plan::new(&m.spec)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
    .expect("the plan is plain data");
    println!(
        "{}",
        serde_json::to_string_pretty(&json).expect("plain data")
    );
    Ok(ExitCode::SUCCESS)
}

/// The input's file name, used in generated headers so the output does not
/// depend on where the input or the output lives.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The student of a class that `--student` names (index number or
/// directory), or the single student.
fn pick_student<'a>(
    loaded: &'a Loaded,
    student: Option<&str>,
) -> Result<&'a stackgen::model::StudentSpec, ExitCode> {
    match (&loaded.input, student) {
        (Input::Student(c), None) => Ok(&c.spec),
        (Input::Student(_), Some(_)) => {
            eprintln!(
                "error: --student picks a student of a class, and {} is one student's file",
                loaded.name
            );
            Err(ExitCode::from(EXIT_INVALID))
        }
        (Input::Class(c), wanted) => {
            let found = wanted.and_then(|w| {
                c.members
                    .iter()
                    .find(|m| m.spec.student.index_no == w || m.dir == w)
            });
            found.map(|m| &m.spec).ok_or_else(|| {
                let known: Vec<&str> = c
                    .members
                    .iter()
                    .map(|m| m.spec.student.index_no.as_str())
                    .collect();
                match wanted {
                    None => eprintln!(
                        "error: {} is a class: say whose stream with --student INDEX (one of {})",
                        loaded.name,
                        known.join(", ")
                    ),
                    Some(w) => eprintln!(
                        "error: no student `{w}` in {} (index numbers: {})",
                        loaded.name,
                        known.join(", ")
                    ),
                }
                ExitCode::from(EXIT_INVALID)
            })
        }
    }
}

fn read_trades(data: &Path) -> Result<Vec<replay_lib::Trade>, ExitCode> {
    replay_lib::trades::read(data).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(match e {
            replay_lib::trades::TradesError::Io { .. } => EXIT_IO,
            _ => EXIT_INVALID,
        })
    })
}

fn replay(
    spec: &Path,
    data: &Path,
    pacing: Option<Pacing>,
    single_run: bool,
    limit: Option<u64>,
    student: Option<&str>,
    v: Verbosity,
) -> Result<ExitCode, ExitCode> {
    let loaded = load(spec, v)?;
    let target = ReplayTarget::from_spec(pick_student(&loaded, student)?);
    let trades = read_trades(data)?;
    let options = replay_lib::Options {
        pacing: pacing.unwrap_or(target.default_pacing),
        single_run: single_run || target.single_run,
        limit,
    };
    if !v.quiet {
        eprintln!(
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
    let mut display = ReplayDisplay::new(&options, trades.len(), v);
    let summary =
        replay_lib::run(&target, &trades, &options, &mut |e| display.show(&e)).map_err(|e| {
            eprintln!("error: {e}");
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
            println!("{line} ({why})");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{line} ({why})");
        if let Some(Stop::Aborted(reason)) = &summary.stop {
            eprintln!(
                "error: {} records were not sent and the run stopped: {reason}\n\
                 (is the stack applied, and are AWS credentials and the region right?)",
                summary.failed
            );
        } else {
            eprintln!(
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
                    eprintln!(
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
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn simulate(
    spec: &Path,
    data: &Path,
    pacing: Option<Pacing>,
    format: SimFormat,
    v: Verbosity,
) -> Result<ExitCode, ExitCode> {
    use stackgen::simulate::Outcome;
    let loaded = load(spec, v)?;
    let members: Vec<(String, &stackgen::model::StudentSpec)> = match &loaded.input {
        Input::Student(c) => vec![(String::new(), &c.spec)],
        Input::Class(c) => c.members.iter().map(|m| (m.dir.clone(), &m.spec)).collect(),
    };
    let groups = stackgen::simulate::group(members, pacing).map_err(|e| {
        eprintln!("error: {}", e.message(&loaded.name));
        ExitCode::from(EXIT_INVALID)
    })?;
    let trades = read_trades(data)?;
    let outcomes: Vec<Outcome> = groups
        .into_iter()
        .map(|(rule, pacing, dirs)| {
            let arrivals =
                replay_lib::pacing::arrivals(&trades, pacing).expect("not --max, checked above");
            Outcome::new(rule, pacing, &trades, &arrivals, dirs)
        })
        .collect();
    let text = match format {
        SimFormat::Text => stackgen::simulate::text(&outcomes),
        SimFormat::Json => stackgen::simulate::json(&outcomes),
        SimFormat::Csv => stackgen::simulate::csv(&outcomes),
    };
    // A closed pipe (`simulate ... | head`) is the reader's choice, not an
    // error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    Ok(ExitCode::SUCCESS)
}
