//! stackgen compiles a typed description of a student into a validated,
//! per-student Terraform stack for the cloud data processing lab.
//!
//! The pipeline, one module per stage:
//! `load` (YAML -> `model`) -> `validate` (all findings at once) -> `plan`
//! (names, ARNs, IAM, SQL) -> `emit` (templates) -> `link` (parse-back and
//! reference check) -> `write`. Nothing is written unless the whole input is
//! valid and the emitted files link.

pub mod aws;
pub mod diagnostic;
pub mod emit;
pub mod iam;
pub mod link;
pub mod load;
pub mod locate;
pub mod model;
pub mod names;
pub mod package;
pub mod plan;
pub mod review;
pub mod schema;
pub mod sql;
pub mod suggest;
pub mod translit;
pub mod validate;
pub mod write;

use diagnostic::Diagnostic;
use emit::Files;
use load::Source;
use model::StudentSpec;

/// Why a stack could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The input is invalid; every finding is listed (exit code 2).
    #[error("the input is invalid")]
    Invalid(Vec<Diagnostic>),
    /// stackgen produced something broken: a bug, not the user's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A valid spec with the warnings found on the way.
pub struct Checked {
    pub spec: StudentSpec,
    pub warnings: Vec<Diagnostic>,
}

/// Loads and validates a student file.
pub fn check(source: &Source) -> Result<Checked, RenderError> {
    let spec = load::student(source).map_err(RenderError::Invalid)?;
    let mut found = validate::student(&spec);
    source.locate(&mut found);
    // Errors first: they are what stops the render.
    found.sort_by_key(|d| std::cmp::Reverse(d.severity));
    if found.iter().any(Diagnostic::is_error) {
        return Err(RenderError::Invalid(found));
    }
    Ok(Checked {
        spec,
        warnings: found,
    })
}

/// Renders a checked spec into the stack's files and link-checks them.
/// `source_name` is what the generated headers call the input.
pub fn render(spec: &StudentSpec, source_name: &str) -> Result<Files, RenderError> {
    render_plan(&plan::Plan::new(spec), source_name)
}

/// Reviews the IAM of a checked spec's stack.
pub fn review_iam(spec: &StudentSpec, source_name: &str) -> Result<review::Review, RenderError> {
    let plan = plan::Plan::new(spec);
    let files = render_plan(&plan, source_name)?;
    Ok(review::review(&plan, &files))
}

fn render_plan(plan: &plan::Plan, source_name: &str) -> Result<Files, RenderError> {
    let files =
        emit::render(plan, source_name).map_err(|e| RenderError::Internal(e.to_string()))?;
    let broken = link::check(&files);
    if !broken.is_empty() {
        let list: Vec<String> = broken.iter().map(ToString::to_string).collect();
        return Err(RenderError::Internal(format!(
            "the generated Terraform does not link:\n  {}",
            list.join("\n  ")
        )));
    }
    Ok(files)
}
