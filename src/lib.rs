//! stackgen compiles a typed description of a student into a validated,
//! per-student Terraform stack for the cloud data processing lab.
//!
//! The pipeline, one folder per stage: `input` (YAML -> `base::model`) ->
//! `validate` (all findings at once) -> `stack` (names, ARNs, IAM, SQL) ->
//! `output` (`emit`'s templates, `link`'s parse-back and reference check,
//! `write`). `review`, `lab` and `live` use a checked stack without writing it;
//! `base` is what every stage may use. A stage imports only the ones below
//! it (ARCHITECTURE.md, "Layers"); the functions here are the entry points
//! that run them in order. Nothing is written unless the whole input is
//! valid and the emitted files link.

// The library never prints: only the binary does, through its pipe-safe
// `put` (a print macro panics on a closed pipe).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod base;
pub mod ci;
pub mod grade;
pub mod input;
pub mod lab;
pub mod live;
pub mod output;
pub mod review;
pub mod stack;
pub mod validate;

use base::codes::Code;
use base::diagnostic::Diagnostic;
use base::model::{self, StudentSpec};
use input::load::{self, Source};
use input::roster;
use output::emit::{self, Files};
use output::{link, summary, write};
use stack::Stack;
use validate::class::{self, Derived};

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
    let stack = Stack::new(&spec, &spec.edition());
    let mut found = validate::student(&spec, stack.parts.iter().flat_map(|p| p.names.values()));
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
    render_stack(
        &Stack::new(spec, &spec.edition()),
        emit::Origin::file(source_name),
    )
    .map(|(files, _)| files)
}

/// Loads and validates a class file. `base` is the directory the class file
/// is in (a roster path is relative to it). Returns the roster's source
/// too, so diagnostics that point into it can be shown with its lines.
pub fn check_class(
    source: &Source,
    base: &std::path::Path,
) -> (Result<class::Class, RenderError>, Option<Source>) {
    check_class_ci(source, base, None)
}

/// `check_class`, with the CI pipeline `render --ci` asks for (it chooses
/// the kind over the class file's `ci:`).
pub fn check_class_ci(
    source: &Source,
    base: &std::path::Path,
    ci: Option<model::CiKind>,
) -> (Result<class::Class, RenderError>, Option<Source>) {
    let spec = match load::class(source) {
        Ok(spec) => spec,
        Err(found) => return (Err(RenderError::Invalid(found)), None),
    };
    let mut found = Vec::new();
    // A roster beside an inline list is an error `expand` reports; only a
    // roster that is the class's one source of students is read.
    let roster = match (&spec.roster, &spec.students) {
        // Read as bytes: a roster from Polish Excel is Windows-1250, which
        // `roster::decode` recognises and converts (with a note).
        (Some(path), None) => match load::read_bytes(&base.join(path)) {
            Ok(bytes) => {
                let (text, notes) = roster::decode(path, &bytes);
                found.extend(notes);
                Some(Source::new(path.clone(), text))
            }
            Err(e) => {
                found.push(
                    Diagnostic::new(
                        Code::SG504,
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
    // A roster in an unknown encoding is not parsed: its names would be
    // garbled. It is still returned, so the error can show its line.
    let readable = !found.iter().any(Diagnostic::is_error);
    let result = class::expand(
        &spec,
        source,
        roster
            .as_ref()
            .filter(|_| readable)
            .map(|r| (r.name.as_str(), r.text.as_str())),
        found,
        &derive,
        ci,
    )
    .map_err(|mut found| {
        found.sort_by_key(|d| std::cmp::Reverse(d.severity));
        RenderError::Invalid(found)
    });
    (result, roster)
}

/// What validating a class member needs from the stages above it: the
/// names its stack creates, part by part, and its template shape (see
/// `stack::names_and_shape`), kept so `check_class_shapes` need not build every
/// student's stack again.
fn derive(spec: &StudentSpec) -> Derived {
    let (names, shape) = stack::names_and_shape(spec, &spec.edition());
    Derived { names, shape }
}

/// Renders every student of a class into `<index_no>-<initials>/`, in
/// parallel, plus the class summary. `progress` is called once per student.
pub fn render_class(
    class: &class::Class,
    source_name: &str,
    progress: &(dyn Fn() + Sync),
) -> Result<Files, RenderError> {
    render_class_in(class, source_name, summary::CsvStyle::Standard, progress)
}

/// `render_class`, with the summary CSV in the given style.
pub fn render_class_in(
    class: &class::Class,
    source_name: &str,
    csv: summary::CsvStyle,
    progress: &(dyn Fn() + Sync),
) -> Result<Files, RenderError> {
    use rayon::prelude::*;
    let stacks: Vec<Files> = class
        .members
        .par_iter()
        .map(|m| {
            let stack = Stack::new(&m.spec, &m.spec.edition());
            // `stackgen replay` of a class file is told whose stream.
            let origin = emit::Origin {
                source_name,
                class_member: Some(m.spec.student.index_no.as_str()),
            };
            let files = render_stack(&stack, origin).map(|(files, _)| files);
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
    if let Some(boot) = bootstrap(class) {
        for (path, bytes) in render_bootstrap(&boot, source_name)? {
            all.insert(format!("{}/{path}", emit::bootstrap::DIR), bytes);
        }
    }
    let mut readme = emit::readme::class(class, source_name);
    if let Some(pipeline) = &class.ci {
        all.extend(ci::render(pipeline, class.members.len(), source_name));
        readme.push_str(&ci::readme(pipeline));
    }
    all.insert("README.md".into(), readme.into_bytes());
    all.insert(
        "class-summary.md".into(),
        summary::markdown(class, source_name).into_bytes(),
    );
    all.insert(
        "class-summary.csv".into(),
        summary::csv_in(class, csv).into_bytes(),
    );
    Ok(all)
}

/// The class's bootstrap stack, when its students keep their state in S3.
pub fn bootstrap(class: &class::Class) -> Option<stack::backend::Bootstrap> {
    stack::backend::Bootstrap::of(&class.course, class.members.iter().map(|m| &m.spec))
}

/// Emits the bootstrap stack and link-checks it, as `render_stack` does a
/// student's.
pub fn render_bootstrap(
    boot: &stack::backend::Bootstrap,
    source_name: &str,
) -> Result<Files, RenderError> {
    let files = emit::bootstrap::render(boot, source_name)
        .map_err(|e| RenderError::Internal(e.to_string()))?;
    let errors = link::check(&files);
    if !errors.is_empty() {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(RenderError::Internal(format!(
            "the generated bootstrap stack does not link:\n  {}",
            list.join("\n  ")
        )));
    }
    Ok(files)
}

/// Renders and link-checks one stack per template shape of the class
/// (see `stack::names_and_shape`): what `validate` does instead of rendering every
/// student, so a 1,000-student class validates in well under a second.
pub fn check_class_shapes(class: &class::Class) -> Result<usize, RenderError> {
    let mut seen = std::collections::BTreeSet::new();
    for member in &class.members {
        if seen.insert(member.shape.as_str()) {
            let stack = Stack::new(&member.spec, &member.spec.edition());
            render_stack(&stack, emit::Origin::file("class"))?;
        }
    }
    if let Some(boot) = bootstrap(class) {
        render_bootstrap(&boot, "class")?;
    }
    Ok(seen.len())
}

/// Whose stack `spec` renders, as the manifest records it for the stack
/// in `dir` of the tree (`""` for a student's own tree).
pub fn identity(spec: &StudentSpec, dir: &str) -> write::Identity {
    write::Identity {
        dir: dir.to_owned(),
        index_no: spec.student.index_no.clone(),
        initials: spec.student.initials.clone(),
        account_id: spec.account_id.clone(),
        region: spec.region.clone(),
        target: target_name(spec.target).to_owned(),
        through: spec.through,
        bucket: String::new(),
    }
}

fn target_name(target: model::Target) -> &'static str {
    match target {
        model::Target::Classic => "classic",
        model::Target::Modern => "modern",
    }
}

/// What the manifest records for a class's `bootstrap/` stack: the bucket
/// it creates, where, and for which target.
pub fn bootstrap_identity(boot: &stack::backend::Bootstrap) -> write::Identity {
    write::Identity {
        dir: emit::bootstrap::DIR.to_owned(),
        index_no: String::new(),
        initials: String::new(),
        account_id: boot.account_id.clone().unwrap_or_default(),
        region: boot.region.clone(),
        target: target_name(boot.target).to_owned(),
        through: None,
        bucket: boot.bucket.clone(),
    }
}

/// Reviews the IAM of a checked spec's stack.
pub fn review_iam(spec: &StudentSpec, source_name: &str) -> Result<review::Review, RenderError> {
    let stack = Stack::new(spec, &spec.edition());
    let (_, linked) = render_stack(&stack, emit::Origin::file(source_name))?;
    Ok(review::review(&stack, &linked.resources))
}

/// Grades what a source observed against the stack of a checked spec (a
/// checkpoint when `spec.through` is set): the stack is rendered and read
/// back, so every expected value is what `render` writes.
pub fn grade(
    spec: &StudentSpec,
    observed: &grade::observed::Observed,
    source: grade::source::Source,
) -> Result<grade::report::Report, RenderError> {
    let problems = grade::grading_problems(&spec.edition());
    if !problems.is_empty() {
        return Err(RenderError::Invalid(problems));
    }
    let stack = Stack::new(spec, &spec.edition());
    let (files, linked) = render_stack(&stack, emit::Origin::file("grade"))?;
    let tfvars = files
        .get("terraform.tfvars")
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let expected = grade::expected::evaluate(&linked.bodies, &tfvars);
    Ok(grade::grade(&stack, &expected, observed, source))
}

/// Emits a stack and link-checks it: the one parse-back of its files.
pub fn render_stack(
    stack: &Stack,
    origin: emit::Origin,
) -> Result<(Files, link::Linked), RenderError> {
    let files = emit::render(stack, origin).map_err(|e| RenderError::Internal(e.to_string()))?;
    let linked = link::link(&files);
    if !linked.errors.is_empty() {
        let list: Vec<String> = linked.errors.iter().map(ToString::to_string).collect();
        return Err(RenderError::Internal(format!(
            "the generated Terraform does not link:\n  {}",
            list.join("\n  ")
        )));
    }
    Ok((files, linked))
}
