//! The `stackgen` command line: clap's top level, the dispatch to one file
//! per command (`cli/`), the exit codes and the pipe-safe printing. The
//! binary is the only place that knows clap, stdout and stderr, and exit
//! codes: 0 success, 1 I/O failure (or a bug; for `render --check`, a tree
//! that differs), 2 invalid input (including a refused output directory),
//! 3 `review --fail-on` findings or a `grade --fail-under` score below the
//! bar, 4 a tree written with conflicts or retired stacks left, 5 `sweep`
//! left something billing, 141 a closed pipe.

// A print macro panics on a closed pipe; everything goes through `put`.
// At the crate root, the lint covers every file of `cli/` too.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

const EXIT_IO: u8 = 1;
const EXIT_DIFFERS: u8 = 1;
const EXIT_INVALID: u8 = 2;
/// `review --fail-on` found something, or `grade --fail-under` a lower
/// score.
const EXIT_FINDINGS: u8 = 3;
/// `render` wrote the tree, but it still contradicts the input somewhere
/// a person must act: an edited file the input now generates differently
/// (a conflict), or a retired student's stack waiting for `terraform
/// destroy`. Not 0 (the tree is not what the input says), not 2 (the
/// input was fine and the rest was written), not 1 (nothing broke).
const EXIT_CONFLICT: u8 = 4;
/// `sweep`: something old enough still bills by the hour (a dry run found
/// it, or a deletion failed). Not 1: nothing broke, and a cron job can
/// alert on 5 alone.
const EXIT_BILLING: u8 = 5;
/// What a shell reports for a process killed by SIGPIPE (128 + 13): the
/// status of `stackgen plan | head -1` when `head` has gone away.
const EXIT_PIPE: i32 = 141;

/// Rust ignores SIGPIPE, so a closed pipe makes `println!` panic. Every
/// print goes through `put` instead: a reader that went away ends the
/// program quietly with `EXIT_PIPE`, like any Unix filter. The macros are
/// defined before `mod cli` so that every command file can use them.
macro_rules! out {
    ($($arg:tt)*) => { $crate::put(&mut std::io::stdout().lock(), &format!($($arg)*)) };
}
macro_rules! outln {
    () => { $crate::put(&mut std::io::stdout().lock(), "\n") };
    ($($arg:tt)*) => { $crate::put(&mut std::io::stdout().lock(), &format!("{}\n", format_args!($($arg)*))) };
}
macro_rules! errln {
    ($($arg:tt)*) => { $crate::put(&mut std::io::stderr().lock(), &format!("{}\n", format_args!($($arg)*))) };
}

mod cli;

use cli::{
    completions, grade, grader_policy, init, man, plan, render, replay, review, schema, simulate,
    status, sweep, validate, Global, Verbosity,
};

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

/// The commands, in the order `--help` lists them. Each one's help text is
/// the doc comment of its `Args`.
#[derive(Subcommand)]
enum Command {
    Render(render::Args),
    Validate(validate::Args),
    Review(review::Args),
    Grade(grade::Args),
    GraderPolicy(grader_policy::Args),
    Plan(plan::Args),
    Replay(replay::Args),
    Simulate(simulate::Args),
    Status(status::Args),
    Sweep(sweep::Args),
    Schema(schema::Args),
    Init(init::Args),
    Completions(completions::Args),
    Man(man::Args),
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
    let mut v = Verbosity::new(cli.global);
    let result = match &cli.command {
        Command::Render(args) => render::run(args, &mut v),
        Command::Validate(args) => validate::run(args, &mut v),
        Command::Review(args) => review::run(args, &v),
        Command::Grade(args) => grade::run(args, &v),
        Command::GraderPolicy(args) => grader_policy::run(args, &v),
        Command::Plan(args) => plan::run(args, &v),
        Command::Init(args) => init::run(args, &v),
        Command::Completions(args) => Ok(completions::run(args, Cli::command())),
        Command::Man(args) => man::run(args, Cli::command()),
        Command::Replay(args) => replay::run(args, &mut v),
        Command::Simulate(args) => simulate::run(args, &v),
        Command::Status(args) => status::run(args, &v),
        Command::Sweep(args) => sweep::run(args, &v),
        Command::Schema(args) => Ok(schema::run(args)),
    };
    // Whatever is still buffered must reach the reader, or fail like any
    // other print.
    if let Err(e) = std::io::stdout().flush() {
        closed(&e);
    }
    result.unwrap_or_else(|code| code)
}
