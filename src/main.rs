//! The `stackgen` command line. The only place that knows clap, stdout and
//! stderr, and exit codes: 0 success, 1 I/O failure (or a bug), 2 invalid
//! input (including a refused output directory).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use stackgen::diagnostic::{summary, Diagnostic};
use stackgen::load::Source;
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
}

#[derive(Subcommand)]
enum Command {
    /// Validate a student file and write its Terraform stack and generator config.
    Render {
        /// The student file (YAML).
        spec: PathBuf,
        /// Output directory; created if missing.
        #[arg(short, long)]
        output: PathBuf,
        /// Write into a non-empty directory that stackgen did not generate.
        #[arg(long)]
        force: bool,
    },
    /// Check a student file without writing anything.
    Validate {
        /// The student file (YAML).
        spec: PathBuf,
    },
    /// Explain what every IAM role of the stack may do, with findings.
    Review {
        /// The student file (YAML).
        spec: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with code 3 if there is a finding of this severity or worse.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
    },
    /// Print the JSON Schema of the student file.
    Schema,
    /// Print the resource plan of a student file as JSON: every name, ARN,
    /// IAM document and setting the stack is rendered from (for reviews and
    /// for checking a deployed stack against its input).
    Plan {
        /// The student file (YAML).
        spec: PathBuf,
    },
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
const EXIT_INVALID: u8 = 2;
/// `review --fail-on`: findings at or above the threshold.
const EXIT_FINDINGS: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Render {
            spec,
            output,
            force,
        } => render(&spec, &output, force),
        Command::Validate { spec } => validate(&spec),
        Command::Plan { spec } => plan(&spec),
        Command::Review {
            spec,
            format,
            fail_on,
        } => review(&spec, format, fail_on),
        Command::Schema => {
            print!("{}", stackgen::schema::student_json());
            ExitCode::SUCCESS
        }
    }
}

fn read(path: &Path) -> Result<Source, ExitCode> {
    Source::read(path).map_err(|e| {
        eprintln!("error: cannot read `{}`: {e}", path.display());
        ExitCode::from(EXIT_IO)
    })
}

fn report(source: &Source, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{}", source.render(d));
    }
}

/// Prints what went wrong and picks the exit code.
fn fail(source: &Source, error: &RenderError) -> ExitCode {
    match error {
        RenderError::Invalid(found) => {
            report(source, found);
            eprintln!(
                "{}: {} is invalid; nothing was written",
                summary(found),
                source.name
            );
            ExitCode::from(EXIT_INVALID)
        }
        RenderError::Internal(message) => {
            eprintln!("error: {message}\nThis is a bug in stackgen; please report it with the input file.");
            ExitCode::from(EXIT_IO)
        }
    }
}

fn validate(spec: &Path) -> ExitCode {
    let source = match read(spec) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let checked = match stackgen::check(&source) {
        Ok(c) => c,
        Err(e) => return fail(&source, &e),
    };
    // Rendering in memory also runs the link check, so `validate` passing
    // means `render` will too.
    if let Err(e) = stackgen::render(&checked.spec, &file_name(spec)) {
        return fail(&source, &e);
    }
    report(&source, &checked.warnings);
    println!("{}: valid ({})", source.name, summary(&checked.warnings));
    ExitCode::SUCCESS
}

fn review(spec: &Path, format: Format, fail_on: Option<FailOn>) -> ExitCode {
    use stackgen::review::{report, Severity};
    let source = match read(spec) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let review = match stackgen::check(&source)
        .and_then(|checked| stackgen::review_iam(&checked.spec, &file_name(spec)))
    {
        Ok(r) => r,
        Err(e) => return fail(&source, &e),
    };
    print!(
        "{}",
        match format {
            Format::Text => report::text(&review),
            Format::Markdown => report::markdown(&review),
            Format::Json => report::json(&review),
        }
    );
    let threshold = fail_on.map(|f| match f {
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    });
    match (threshold, review.worst()) {
        (Some(t), Some(worst)) if worst >= t => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    }
}

fn plan(spec: &Path) -> ExitCode {
    let source = match read(spec) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match stackgen::check(&source) {
        Ok(checked) => {
            let plan = stackgen::plan::Plan::new(&checked.spec);
            let json = serde_json::to_string_pretty(&plan).expect("the plan is plain data");
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&source, &e),
    }
}

fn render(spec: &Path, output: &Path, force: bool) -> ExitCode {
    let source = match read(spec) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let name = file_name(spec);
    let files = match stackgen::check(&source).and_then(|checked| {
        report(&source, &checked.warnings);
        stackgen::render(&checked.spec, &name)
    }) {
        Ok(files) => files,
        Err(e) => return fail(&source, &e),
    };
    match write::write(output, &name, &files, force) {
        Ok(()) => {
            println!("wrote {} files to {}", files.len(), output.display());
            ExitCode::SUCCESS
        }
        Err(e @ WriteError::Foreign(_)) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_INVALID)
        }
        Err(e @ WriteError::Io { .. }) => {
            eprintln!("error: cannot write the stack: {e}");
            ExitCode::from(EXIT_IO)
        }
    }
}

/// The input's file name, used in generated headers so the output does not
/// depend on where the input or the output lives.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
