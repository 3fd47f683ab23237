//! `stackgen schema`: the JSON Schema of the student file, the class
//! file or an edition file.

use std::process::ExitCode;

/// Print the JSON Schema of the student file (or of the class file, or
/// of an edition file).
#[derive(clap::Args)]
pub struct Args {
    /// The class file's schema instead.
    #[arg(long, conflicts_with = "edition")]
    class: bool,
    /// The schema of edition files (`edition: my-course.yaml`).
    #[arg(long)]
    edition: bool,
}

pub fn run(args: &Args) -> ExitCode {
    out!(
        "{}",
        if args.class {
            stackgen::input::schema::class_json()
        } else if args.edition {
            stackgen::base::edition::schema_json()
        } else {
            stackgen::input::schema::student_json()
        }
    );
    ExitCode::SUCCESS
}
