//! The `stackgen` command line. The only place that knows clap, stdout and
//! stderr, and exit codes: 0 success, 1 I/O failure (or a bug; for
//! `render --check`, a tree that differs), 2 invalid input (including a
//! refused output directory), 3 `review --fail-on` findings, 4 a tree
//! written with conflicts or retired stacks left, 141 a closed pipe.

// A print macro panics on a closed pipe; everything goes through `put`.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use stackgen::base::codes::Code;
use stackgen::base::diagnostic::{summary, Diagnostic};
use stackgen::input::load::{self, Kind, Source};
use stackgen::lab::replay::{self as replay_lib, Event, Pacing, ReplayTarget, Stop};
use stackgen::output::emit::Files;
use stackgen::output::summary::CsvStyle;
use stackgen::output::write::{self, WriteError};
use stackgen::validate::class::Class;
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
    global: Global,
}

/// Options every command takes. `-v` is not one of them: what it adds
/// differs by command, so each command that has it says what it does.
#[derive(Args)]
struct Global {
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
struct Verbosity {
    quiet: bool,
    verbose: bool,
    allow: Vec<Code>,
}

impl Verbosity {
    /// Whether a diagnostic is printed: errors always; warnings and notes
    /// unless `-q` or `--allow` with their code.
    fn shows(&self, d: &Diagnostic) -> bool {
        d.is_error() || !(self.quiet || self.allow.contains(&d.code))
    }
}

/// `--allow` takes a code of the registry, as docs/rules.md lists them
/// (`SG901`), in any case; only warnings and notes can be allowed.
fn diagnostic_code(text: &str) -> Result<Code, String> {
    match Code::parse(text) {
        Some(code) if code.severity() != stackgen::base::codes::Severity::Error => Ok(code),
        Some(code) => Err(format!(
            "`{code}` is an error; only warnings and notes can be allowed"
        )),
        None => Err(format!(
            "`{text}` is not a diagnostic code; codes look like `SG901` (see docs/rules.md)"
        )),
    }
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
        /// How a class's `class-summary.csv` is written: `standard` (`,`
        /// and `0.1300`) or `excel` (`;`, `0,1300` and a UTF-8 byte order
        /// mark, so Excel under a Polish locale opens it by double-click).
        #[arg(long, value_enum, default_value_t = SummaryCsv::Standard)]
        summary_csv: SummaryCsv,
    },
    /// Check a student or class file without writing anything.
    Validate {
        /// The student or class file (YAML).
        spec: PathBuf,
        /// Also list every student checked and the directory it renders to.
        #[arg(short, long)]
        verbose: bool,
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
        /// Also print every retry.
        #[arg(short, long)]
        verbose: bool,
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
    /// Print the JSON Schema of the student file (or of the class file, or
    /// of an edition file).
    Schema {
        /// The class file's schema instead.
        #[arg(long, conflicts_with = "edition")]
        class: bool,
        /// The schema of edition files (`edition: my-course.yaml`).
        #[arg(long)]
        edition: bool,
    },
    /// Write a commented student file (or class file) to start from.
    ///
    /// The file validates as written. Its first line names the JSON Schema
    /// for editors (`student.schema.json` or `class.schema.json`), which is
    /// written beside it unless a file of that name exists.
    Init {
        /// A class file instead of a student file.
        #[arg(long)]
        class: bool,
        /// The course edition, written as `edition:` (commented out until
        /// the model reads it).
        #[arg(long, value_enum, default_value_t = EditionArg::Uam2021)]
        edition: EditionArg,
        /// Where to write; `-` prints the file instead. Default:
        /// `student.yaml`, or `class.yaml` with --class. An existing file
        /// is never overwritten.
        file: Option<PathBuf>,
    },
    /// Print the shell completion script for SHELL.
    ///
    /// For example:
    /// `stackgen completions bash > ~/.local/share/bash-completion/completions/stackgen`,
    /// `stackgen completions zsh > ~/.zfunc/_stackgen`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write every page into DIR.
    ///
    /// `stackgen man > ~/.local/share/man/man1/stackgen.1` installs the
    /// overview; with DIR, stackgen.1 and one page per command
    /// (stackgen-render.1, ...) are written there. `man -l stackgen.1`
    /// reads one without installing it.
    Man {
        /// Directory to write every page into (created if missing).
        dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum EditionArg {
    #[value(name = "uam-2021")]
    Uam2021,
    #[value(name = "uam-2025")]
    Uam2025,
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
enum SummaryCsv {
    Standard,
    Excel,
}

impl From<SummaryCsv> for stackgen::output::summary::CsvStyle {
    fn from(style: SummaryCsv) -> Self {
        match style {
            SummaryCsv::Standard => Self::Standard,
            SummaryCsv::Excel => Self::Excel,
        }
    }
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
/// `render` wrote the tree, but it still contradicts the input somewhere
/// a person must act: an edited file the input now generates differently
/// (a conflict), or a retired student's stack waiting for `terraform
/// destroy`. Not 0 (the tree is not what the input says), not 2 (the
/// input was fine and the rest was written), not 1 (nothing broke).
const EXIT_CONFLICT: u8 = 4;
/// What a shell reports for a process killed by SIGPIPE (128 + 13): the
/// status of `stackgen plan | head -1` when `head` has gone away.
const EXIT_PIPE: i32 = 141;

/// Rust ignores SIGPIPE, so a closed pipe makes `println!` panic. Every
/// print goes through `put` instead: a reader that went away ends the
/// program quietly with `EXIT_PIPE`, like any Unix filter.
macro_rules! out {
    ($($arg:tt)*) => { put(&mut std::io::stdout().lock(), &format!($($arg)*)) };
}
macro_rules! outln {
    () => { put(&mut std::io::stdout().lock(), "\n") };
    ($($arg:tt)*) => { put(&mut std::io::stdout().lock(), &format!("{}\n", format_args!($($arg)*))) };
}
macro_rules! errln {
    ($($arg:tt)*) => { put(&mut std::io::stderr().lock(), &format!("{}\n", format_args!($($arg)*))) };
}

fn put(stream: &mut dyn std::io::Write, text: &str) {
    put_bytes(stream, text.as_bytes());
}

fn put_bytes(stream: &mut dyn std::io::Write, bytes: &[u8]) {
    if let Err(e) = stream.write_all(bytes) {
        closed(&e);
    }
}

fn closed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(EXIT_PIPE);
    }
    // Another failure (a full disk behind `>`): say so while stderr works.
    let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
    std::process::exit(i32::from(EXIT_IO));
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut v = Verbosity {
        quiet: cli.global.quiet,
        verbose: false,
        allow: cli.global.allow,
    };
    let result = match cli.command {
        Command::Render {
            spec,
            output,
            force,
            check,
            verbose,
            summary_csv,
        } => with_verbose(&mut v, verbose)
            .and_then(|v| render(&spec, &output, force, check, summary_csv.into(), v)),
        Command::Validate { spec, verbose } => {
            with_verbose(&mut v, verbose).and_then(|v| validate(&spec, v))
        }
        Command::Review {
            spec,
            format,
            fail_on,
        } => review(&spec, format, fail_on, &v),
        Command::Plan { spec } => plan(&spec, &v),
        Command::Init {
            class,
            edition,
            file,
        } => init(class, edition, file.as_deref(), &v),
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics when its writer fails
            // (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "stackgen", &mut script);
            put_bytes(&mut std::io::stdout().lock(), &script);
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => man(dir.as_deref()),
        Command::Replay {
            spec,
            data,
            pacing,
            max,
            single_run,
            limit,
            student,
            verbose,
        } => {
            let v = match with_verbose(&mut v, verbose) {
                Ok(v) => v.clone(),
                Err(code) => return code,
            };
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
                &v,
            )
        }
        Command::Simulate {
            spec,
            data,
            pacing,
            format,
        } => simulate(&spec, &data, pacing.pacing(), format, &v),
        Command::Schema { class, edition } => {
            out!(
                "{}",
                if class {
                    stackgen::input::schema::class_json()
                } else if edition {
                    stackgen::base::edition::schema_json()
                } else {
                    stackgen::input::schema::student_json()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    // Whatever is still buffered must reach the reader, or fail like any
    // other print.
    if let Err(e) = std::io::stdout().flush() {
        closed(&e);
    }
    result.unwrap_or_else(|code| code)
}

/// Adds a command's `-v` to the global options; `-q -v` says two things.
fn with_verbose(v: &mut Verbosity, verbose: bool) -> Result<&Verbosity, ExitCode> {
    if verbose && v.quiet {
        errln!("error: `-q` and `-v` ask for less and more output; give one of them");
        return Err(ExitCode::from(EXIT_INVALID));
    }
    v.verbose = verbose;
    Ok(v)
}

fn init(
    class: bool,
    edition: EditionArg,
    file: Option<&Path>,
    v: &Verbosity,
) -> Result<ExitCode, ExitCode> {
    use stackgen::input::init::{self, Edition};
    let edition = match edition {
        EditionArg::Uam2021 => Edition::Uam2021,
        EditionArg::Uam2025 => Edition::Uam2025,
    };
    let (text, schema_name, schema) = if class {
        (
            init::class(edition),
            init::CLASS_SCHEMA,
            stackgen::input::schema::class_json(),
        )
    } else {
        (
            init::student(edition),
            init::STUDENT_SCHEMA,
            stackgen::input::schema::student_json(),
        )
    };
    let default_name = if class { "class.yaml" } else { "student.yaml" };
    let path = file.unwrap_or(Path::new(default_name));
    if path == Path::new("-") {
        out!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let io_error = |what: &Path, e: std::io::Error| {
        errln!("error: cannot write `{}`: {e}", what.display());
        ExitCode::from(EXIT_IO)
    };
    // `create_new`: an instructor's edited file is never replaced.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            errln!(
                "error: `{}` exists; init never overwrites a file (name another FILE, or `-` to print)",
                path.display()
            );
            return Err(ExitCode::from(EXIT_INVALID));
        }
        Err(e) => return Err(io_error(path, e)),
    }
    let schema_path = path.with_file_name(schema_name);
    let schema_note = match std::fs::read_to_string(&schema_path) {
        Ok(existing) if existing == schema => "up to date",
        // Someone else's file, or an older stackgen's schema: left alone.
        Ok(_) => "kept as it is; refresh it with `stackgen schema > ...`",
        Err(_) => {
            std::fs::write(&schema_path, &schema).map_err(|e| io_error(&schema_path, e))?;
            "written"
        }
    };
    if !v.quiet {
        outln!("wrote {}", path.display());
        outln!("schema {}: {schema_note}", schema_path.display());
        let out = if class { "out/" } else { "out/jk-12345" };
        outln!(
            "next: stackgen validate {0} && stackgen render {0} -o {out}",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn man(dir: Option<&Path>) -> Result<ExitCode, ExitCode> {
    let command = Cli::command();
    let Some(dir) = dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut out)
            .map_err(|e| write_failed(Path::new("stdout"), &e))?;
        put_bytes(&mut std::io::stdout().lock(), &out);
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(dir).map_err(|e| write_failed(dir, &e))?;
    let mut pages = vec![("stackgen".to_owned(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("stackgen-{}", sub.get_name());
        // The synopsis shows `bin_name`: `stackgen render`, as typed.
        let page = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("stackgen {}", sub.get_name()));
        pages.push((name, page));
    }
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut out = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut out)
            .and_then(|()| std::fs::write(&path, out))
            .map_err(|e| write_failed(&path, &e))?;
        outln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn write_failed(path: &Path, e: &std::io::Error) -> ExitCode {
    errln!("error: cannot write `{}`: {e}", path.display());
    ExitCode::from(EXIT_IO)
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
fn load(spec: &Path, v: &Verbosity) -> Result<Loaded, ExitCode> {
    let source = Source::read(spec).map_err(|e| {
        errln!("error: cannot read `{}`: {e}", spec.display());
        ExitCode::from(if e.is_invalid_input() {
            EXIT_INVALID
        } else {
            EXIT_IO
        })
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
            report(&loaded.sources, loaded.warnings(), v);
            Ok(loaded)
        }
        Err(e) => Err(fail(&sources, &e, v)),
    }
}

/// `2 errors, 1 warning` of what is printed, and how many `--allow` hid.
fn shown_summary(diagnostics: &[Diagnostic], v: &Verbosity) -> String {
    let allowed = diagnostics
        .iter()
        .filter(|d| !d.is_error() && v.allow.contains(&d.code))
        .count();
    let shown: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error() || !v.allow.contains(&d.code))
        .cloned()
        .collect();
    if allowed == 0 {
        summary(&shown)
    } else {
        format!("{}, {allowed} allowed", summary(&shown))
    }
}

/// Prints the diagnostics `v` lets through.
fn report(sources: &[Source], diagnostics: &[Diagnostic], v: &Verbosity) {
    for d in diagnostics.iter().filter(|d| v.shows(d)) {
        errln!("{}", load::render_in(sources, d));
    }
}

/// Prints what went wrong and picks the exit code.
fn fail(sources: &[Source], error: &RenderError, v: &Verbosity) -> ExitCode {
    match error {
        RenderError::Invalid(found) => {
            report(sources, found, v);
            errln!(
                "{}: {} is invalid; nothing was written",
                shown_summary(found, v),
                sources[0].name
            );
            ExitCode::from(EXIT_INVALID)
        }
        RenderError::Internal(message) => {
            errln!("error: {message}\nThis is a bug in stackgen; please report it with the input file.");
            ExitCode::from(EXIT_IO)
        }
    }
}

/// Renders a loaded input in memory (link check included).
fn render_files(loaded: &Loaded, csv: CsvStyle, v: &Verbosity) -> Result<Files, ExitCode> {
    let result = match &loaded.input {
        Input::Student(checked) => stackgen::render(&checked.spec, &loaded.name),
        Input::Class(class) => {
            let bar = progress_bar(class.members.len(), v);
            let result = stackgen::render_class_in(class, &loaded.name, csv, &|| bar.inc(1));
            bar.finish_and_clear();
            result
        }
    };
    result.map_err(|e| fail(&loaded.sources, &e, v))
}

/// A progress bar on a terminal for classes big enough to wait for;
/// hidden otherwise.
fn progress_bar(len: usize, v: &Verbosity) -> ProgressBar {
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

fn validate(spec: &Path, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(spec, v)?;
    // Rendering in memory also runs the link check, so `validate` passing
    // means `render` will too. A class renders one stack per template
    // shape, which covers every student (see `emit::shape`).
    match &loaded.input {
        Input::Student(_) => {
            render_files(&loaded, CsvStyle::Standard, v)?;
        }
        Input::Class(class) => {
            stackgen::check_class_shapes(class).map_err(|e| fail(&loaded.sources, &e, v))?;
        }
    }
    if v.verbose {
        match &loaded.input {
            Input::Student(c) => outln!(
                "checked: {}, bucket {}",
                c.spec.student.name,
                stackgen::stack::Stack::new(&c.spec, &c.spec.edition())
                    .zones()
                    .raw_bucket_name
            ),
            Input::Class(c) => {
                for m in &c.members {
                    outln!("checked: {} -> {}/", m.spec.student.name, m.dir);
                }
            }
        }
    }
    if !v.quiet {
        let what = match &loaded.input {
            Input::Student(_) => "valid".to_owned(),
            Input::Class(c) => format!("valid, {} students", c.members.len()),
        };
        outln!(
            "{}: {what} ({})",
            loaded.sources[0].name,
            shown_summary(loaded.warnings(), v)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn render(
    spec: &Path,
    output: &Path,
    force: bool,
    check: bool,
    csv: CsvStyle,
    v: &Verbosity,
) -> Result<ExitCode, ExitCode> {
    let loaded = load(spec, v)?;
    let files = render_files(&loaded, csv, v)?;
    let io_fail = |e: WriteError| {
        errln!("error: {e}");
        ExitCode::from(match e {
            WriteError::Foreign(_) | WriteError::Refused(_) => EXIT_INVALID,
            WriteError::Io { .. } => EXIT_IO,
        })
    };
    if check {
        return check_tree(&loaded, output, &files, v).map_err(io_fail);
    }
    let origin = origin(&loaded);
    let report = write::write(output, &origin, &files, force).map_err(io_fail)?;
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
        },
        Input::Class(class) => write::Origin {
            source: loaded.name.clone(),
            kind: write::TreeKind::Class,
            stacks: class
                .members
                .iter()
                .map(|m| stackgen::identity(&m.spec, &m.dir))
                .collect(),
        },
    }
}

fn review(
    spec: &Path,
    format: Format,
    fail_on: Option<FailOn>,
    v: &Verbosity,
) -> Result<ExitCode, ExitCode> {
    use stackgen::review::{report, Review, Severity};
    let loaded = load(spec, v)?;
    let members: Vec<(String, &stackgen::base::model::StudentSpec)> = match &loaded.input {
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

fn plan(spec: &Path, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(spec, v)?;
    let json = match &loaded.input {
        Input::Student(c) => {
            serde_json::to_value(stackgen::stack::Stack::new(&c.spec, &c.spec.edition()))
        }
        Input::Class(c) => serde_json::to_value(
            c.members
                .iter()
                .map(|m| {
                    (
                        m.dir.clone(),
                        stackgen::stack::Stack::new(&m.spec, &m.spec.edition()),
                    )
                })
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
    .expect("the plan is plain data");
    outln!(
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
) -> Result<&'a stackgen::base::model::StudentSpec, ExitCode> {
    match (&loaded.input, student) {
        (Input::Student(c), None) => Ok(&c.spec),
        (Input::Student(_), Some(_)) => {
            errln!(
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
                    None => errln!(
                        "error: {} is a class: say whose stream with --student INDEX (one of {})",
                        loaded.name,
                        known.join(", ")
                    ),
                    Some(w) => errln!(
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
        errln!("error: {e}");
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
    v: &Verbosity,
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

fn simulate(
    spec: &Path,
    data: &Path,
    pacing: Option<Pacing>,
    format: SimFormat,
    v: &Verbosity,
) -> Result<ExitCode, ExitCode> {
    use stackgen::lab::simulate::Outcome;
    let loaded = load(spec, v)?;
    let members: Vec<(String, &stackgen::base::model::StudentSpec)> = match &loaded.input {
        Input::Student(c) => vec![(String::new(), &c.spec)],
        Input::Class(c) => c.members.iter().map(|m| (m.dir.clone(), &m.spec)).collect(),
    };
    let groups = stackgen::lab::simulate::group(members, pacing).map_err(|e| {
        errln!("error: {}", e.message(&loaded.name));
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
        SimFormat::Text => stackgen::lab::simulate::text(&outcomes),
        SimFormat::Json => stackgen::lab::simulate::json(&outcomes),
        SimFormat::Csv => stackgen::lab::simulate::csv(&outcomes),
    };
    // A closed pipe (`simulate ... | head`) is the reader's choice, not an
    // error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    Ok(ExitCode::SUCCESS)
}
