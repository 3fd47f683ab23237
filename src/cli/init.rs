//! `stackgen init`: a commented student or class file to start from,
//! with the JSON Schema its first line names.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use stackgen::input::init::{self, Edition};

use super::Verbosity;
use crate::{EXIT_INVALID, EXIT_IO};

/// Write a commented student file (or class file) to start from.
///
/// The file validates as written. Its first line names the JSON Schema
/// for editors (`student.schema.json` or `class.schema.json`), which is
/// written beside it unless a file of that name exists.
#[derive(clap::Args)]
pub struct Args {
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
}

#[derive(Clone, Copy, ValueEnum)]
enum EditionArg {
    #[value(name = "uam-2021")]
    Uam2021,
    #[value(name = "uam-2025")]
    Uam2025,
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let (class, file) = (args.class, args.file.as_deref());
    let edition = match args.edition {
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
