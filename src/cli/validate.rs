//! `stackgen validate`: check a student or class file without writing
//! anything. Passing means `render` will pass too.

use std::path::PathBuf;
use std::process::ExitCode;

use stackgen::output::summary::CsvStyle;
use stackgen::stack::Stack;

use super::common::{fail, load, render_files, shown_summary, Input};
use super::Verbosity;

/// Check a student or class file without writing anything.
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
    /// Also list every student checked and the directory it renders to.
    #[arg(short, long)]
    verbose: bool,
}

pub fn run(args: &Args, v: &mut Verbosity) -> Result<ExitCode, ExitCode> {
    let v = v.with_verbose(args.verbose)?;
    let loaded = load(&args.spec, v)?;
    // Rendering in memory also runs the link check, so `validate` passing
    // means `render` will too. A class renders one stack per template
    // shape, which covers every student (see `stack::names_and_shape`).
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
                Stack::new(&c.spec, &c.spec.edition())
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
