//! `stackgen completions`: the shell completion script, generated from
//! the clap definition so it cannot drift from the commands.

use std::process::ExitCode;

/// Print the shell completion script for SHELL.
///
/// For example:
/// `stackgen completions bash > ~/.local/share/bash-completion/completions/stackgen`,
/// `stackgen completions zsh > ~/.zfunc/_stackgen`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// `command` is the whole command line's definition (`Cli::command()`).
pub fn run(args: &Args, mut command: clap::Command) -> ExitCode {
    // Into memory first: clap_complete panics when its writer fails
    // (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "stackgen", &mut script);
    crate::put_bytes(&mut std::io::stdout().lock(), &script);
    ExitCode::SUCCESS
}
