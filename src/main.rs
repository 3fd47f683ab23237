//! The `stackgen` command line. The only place that knows clap, stdout and
//! stderr, and exit codes: 0 success, 1 I/O failure (or a bug; for
//! `render --check`, a tree that differs), 2 invalid input (including a
//! refused output directory), 3 `review --fail-on` findings.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use stackgen::class::Class;
use stackgen::codes::Code;
use stackgen::diagnostic::{summary, Diagnostic};
use stackgen::emit::Files;
use stackgen::load::{self, Kind, Source};
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
        Some(code) if code.severity() != stackgen::codes::Severity::Error => Ok(code),
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
        /// and replace generated files that someone edited.
        #[arg(long)]
        force: bool,
        /// Write nothing; exit 1 and list the files that differ from what
        /// would be rendered, 0 if the tree is up to date.
        #[arg(long, conflicts_with = "force")]
        check: bool,
        /// Also list every file written or removed, one per line on stdout.
        #[arg(short, long)]
        verbose: bool,
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
        } => with_verbose(&mut v, verbose).and_then(|v| render(&spec, &output, force, check, v)),
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
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "stackgen",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => man(dir.as_deref()),
        Command::Schema { class, edition } => {
            print!(
                "{}",
                if class {
                    stackgen::schema::class_json()
                } else if edition {
                    stackgen::stack::edition::schema_json()
                } else {
                    stackgen::schema::student_json()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|code| code)
}

/// Adds a command's `-v` to the global options; `-q -v` says two things.
fn with_verbose(v: &mut Verbosity, verbose: bool) -> Result<&Verbosity, ExitCode> {
    if verbose && v.quiet {
        eprintln!("error: `-q` and `-v` ask for less and more output; give one of them");
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
    use stackgen::init::{self, Edition};
    let edition = match edition {
        EditionArg::Uam2021 => Edition::Uam2021,
        EditionArg::Uam2025 => Edition::Uam2025,
    };
    let (text, schema_name, schema) = if class {
        (
            init::class(edition),
            init::CLASS_SCHEMA,
            stackgen::schema::class_json(),
        )
    } else {
        (
            init::student(edition),
            init::STUDENT_SCHEMA,
            stackgen::schema::student_json(),
        )
    };
    let default_name = if class { "class.yaml" } else { "student.yaml" };
    let path = file.unwrap_or(Path::new(default_name));
    if path == Path::new("-") {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let io_error = |what: &Path, e: std::io::Error| {
        eprintln!("error: cannot write `{}`: {e}", what.display());
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
            eprintln!(
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
        println!("wrote {}", path.display());
        println!("schema {}: {schema_note}", schema_path.display());
        let out = if class { "out/" } else { "out/jk-12345" };
        println!(
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
        std::io::Write::write_all(&mut std::io::stdout(), &out)
            .map_err(|e| write_failed(Path::new("stdout"), &e))?;
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
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn write_failed(path: &Path, e: &std::io::Error) -> ExitCode {
    eprintln!("error: cannot write `{}`: {e}", path.display());
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
        eprintln!("{}", load::render_in(sources, d));
    }
}

/// Prints what went wrong and picks the exit code.
fn fail(sources: &[Source], error: &RenderError, v: &Verbosity) -> ExitCode {
    match error {
        RenderError::Invalid(found) => {
            report(sources, found, v);
            eprintln!(
                "{}: {} is invalid; nothing was written",
                shown_summary(found, v),
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
fn render_files(loaded: &Loaded, v: &Verbosity) -> Result<Files, ExitCode> {
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
            render_files(&loaded, v)?;
        }
        Input::Class(class) => {
            stackgen::check_class_shapes(class).map_err(|e| fail(&loaded.sources, &e, v))?;
        }
    }
    if v.verbose {
        match &loaded.input {
            Input::Student(c) => println!(
                "checked: {}, bucket {}",
                c.spec.student.name,
                stackgen::stack::Stack::new(&c.spec, &c.spec.edition())
                    .zones()
                    .raw_bucket_name
            ),
            Input::Class(c) => {
                for m in &c.members {
                    println!("checked: {} -> {}/", m.spec.student.name, m.dir);
                }
            }
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
    v: &Verbosity,
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
    v: &Verbosity,
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
