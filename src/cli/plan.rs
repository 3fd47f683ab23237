//! `stackgen plan`: the resource plan as JSON, one stack per directory
//! for a class.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use stackgen::stack::Stack;

use super::common::{load, Input};
use super::Verbosity;

/// Print the resource plan as JSON: every name, ARN, IAM document and
/// setting a stack is rendered from (for a class, one per directory).
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(&args.spec, v)?;
    let json = match &loaded.input {
        Input::Student(c) => serde_json::to_value(Stack::new(&c.spec, &c.spec.edition())),
        Input::Class(c) => serde_json::to_value(
            c.members
                .iter()
                .map(|m| (m.dir.clone(), Stack::new(&m.spec, &m.spec.edition())))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
    .expect("the plan is plain data");
    outln!(
        "{}",
        serde_json::to_string_pretty(&json).expect("plain data")
    );
    Ok(ExitCode::SUCCESS)
}
