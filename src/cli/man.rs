//! `stackgen man`: the man pages, generated from the clap definition.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::EXIT_IO;

/// Print the man page, or write every page into DIR.
///
/// `stackgen man > ~/.local/share/man/man1/stackgen.1` installs the
/// overview; with DIR, stackgen.1 and one page per command
/// (stackgen-render.1, ...) are written there. `man -l stackgen.1`
/// reads one without installing it.
#[derive(clap::Args)]
pub struct Args {
    /// Directory to write every page into (created if missing).
    dir: Option<PathBuf>,
}

/// `command` is the whole command line's definition (`Cli::command()`).
pub fn run(args: &Args, command: clap::Command) -> Result<ExitCode, ExitCode> {
    let Some(dir) = args.dir.as_deref() else {
        let mut out = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut out)
            .map_err(|e| write_failed(Path::new("stdout"), &e))?;
        crate::put_bytes(&mut std::io::stdout().lock(), &out);
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
