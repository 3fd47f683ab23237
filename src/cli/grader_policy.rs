//! `stackgen grader-policy SPEC|CLASS`: prints the IAM policy `grade
//! --live` needs, read-only and scoped to the class's names, to attach to
//! an instructor's or a TA's role. Exit 0; 2 for invalid input.

use std::path::PathBuf;
use std::process::ExitCode;

use stackgen::grade::grader_policy::{self, MANAGED_POLICY_LIMIT};

use super::common::{load, Input};
use super::Verbosity;

/// Print the IAM policy `grade --live` needs, to attach to an instructor's
/// or a TA's role.
///
/// One policy document (JSON) with read actions only (Describe, Get, List),
/// each on the resources a live grade reads, scoped by the edition's name
/// patterns: the fields that differ across a class become `*`, so its size
/// does not grow with the class. For a student file it names that
/// student's resources only.
#[derive(clap::Args)]
pub struct Args {
    /// The student or class file (YAML).
    spec: PathBuf,
}

pub fn run(args: &Args, v: &Verbosity) -> Result<ExitCode, ExitCode> {
    let loaded = load(&args.spec, v)?;
    let specs = match &loaded.input {
        Input::Student(checked) => vec![checked.spec.clone()],
        Input::Class(class) => class.members.iter().map(|m| m.spec.clone()).collect(),
    };
    let document = grader_policy::document(&specs);
    let text = serde_json::to_string_pretty(&document).expect("a policy is plain data");
    outln!("{text}");
    let size = grader_policy::size(&document);
    if size > MANAGED_POLICY_LIMIT && !v.quiet {
        // Editions of their own with many names could pass it; AWS would
        // refuse the policy, so say so rather than print it silently.
        errln!(
            "warning: the policy is {size} characters without white space, over IAM's {MANAGED_POLICY_LIMIT} for a managed policy: split its statements into two policies"
        );
    }
    Ok(ExitCode::SUCCESS)
}
