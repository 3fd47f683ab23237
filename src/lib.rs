//! stackgen compiles a typed description of a student into a validated,
//! per-student Terraform stack for the cloud data processing lab.
//!
//! The pipeline, one module per stage:
//! `load` (YAML -> `model`) -> `validate` (all findings at once) -> `plan`
//! (names, ARNs, IAM, SQL) -> `emit` (templates) -> `link` (parse-back and
//! reference check) -> `write`. Nothing is written unless the whole input is
//! valid and the emitted files link.

pub mod aws;
pub mod class;
pub mod diagnostic;
pub mod emit;
pub mod features;
pub mod iam;
pub mod keys;
pub mod link;
pub mod load;
pub mod locate;
pub mod model;
pub mod names;
pub mod package;
pub mod plan;
pub mod replay;
pub mod review;
pub mod schema;
pub mod simulate;
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

/// Loads and validates a class file. `base` is the directory the class file
/// is in (a roster path is relative to it). Returns the roster's source
/// too, so diagnostics that point into it can be shown with its lines.
pub fn check_class(
    source: &Source,
    base: &std::path::Path,
) -> (Result<class::Class, RenderError>, Option<Source>) {
    let spec = match load::class(source) {
        Ok(spec) => spec,
        Err(found) => return (Err(RenderError::Invalid(found)), None),
    };
    let mut found = Vec::new();
    // A roster beside an inline list is an error `expand` reports; only a
    // roster that is the class's one source of students is read.
    let roster = match (&spec.roster, &spec.students) {
        (Some(path), None) => match Source::read(&base.join(path)) {
            Ok(mut roster) => {
                roster.name.clone_from(path);
                Some(roster)
            }
            Err(e) => {
                found.push(
                    Diagnostic::error(
                        "SG504",
                        "roster",
                        format!("cannot read the roster `{path}`: {e}"),
                    )
                    .rule("`roster` names a CSV file relative to the class file")
                    .fix("check the path"),
                );
                source.locate(&mut found);
                None
            }
        },
        _ => None,
    };
    let result = class::expand(
        &spec,
        source,
        roster.as_ref().map(|r| (r.name.as_str(), r.text.as_str())),
        found,
    )
    .map_err(|mut found| {
        found.sort_by_key(|d| std::cmp::Reverse(d.severity));
        RenderError::Invalid(found)
    });
    (result, roster)
}

/// Renders every student of a class into `<index_no>-<initials>/`, in
/// parallel, plus the class summary. `progress` is called once per student.
pub fn render_class(
    class: &class::Class,
    source_name: &str,
    progress: &(dyn Fn() + Sync),
) -> Result<Files, RenderError> {
    use rayon::prelude::*;
    let stacks: Vec<Files> = class
        .members
        .par_iter()
        .map(|m| {
            let files = render(&m.spec, source_name);
            progress();
            files
        })
        .collect::<Result<_, _>>()?;
    let mut all = Files::new();
    for (member, files) in class.members.iter().zip(stacks) {
        for (path, bytes) in files {
            all.insert(format!("{}/{path}", member.dir), bytes);
        }
    }
    all.insert(
        "class-summary.md".into(),
        class::summary::markdown(class, source_name).into_bytes(),
    );
    all.insert(
        "class-summary.csv".into(),
        class::summary::csv(class).into_bytes(),
    );
    Ok(all)
}

/// Renders and link-checks one stack per template shape of the class
/// (see `emit::shape`): what `validate` does instead of rendering every
/// student, so a 1,000-student class validates in well under a second.
pub fn check_class_shapes(class: &class::Class) -> Result<usize, RenderError> {
    let mut seen = std::collections::BTreeSet::new();
    for member in &class.members {
        if seen.insert(emit::shape(&member.spec)) {
            render(&member.spec, "class")?;
        }
    }
    Ok(seen.len())
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
