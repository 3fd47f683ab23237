//! A whole class validated: each student of the class file exactly as a
//! student file would be, plus collisions between students (`collide`),
//! every finding in one round. Reading the students and pointing a finding
//! back at the class file or the roster is `input::class`'s. A problem in
//! `defaults` would repeat for every student; it is reported once.
//!
//! A student's names are derived by its stack, a stage above this one, so
//! the caller passes `derive` (lib.rs's `check_class` builds the stack).

use serde_json::Value;

use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;
use crate::base::model::{CiKind, ClassSpec, StudentSpec};
use crate::base::part::Name;
use crate::input::class::{self, Entry};
use crate::input::load::{self, Source};

/// One student of the class, ready to render.
#[derive(Debug, Clone)]
pub struct Member {
    /// Where the student is written: `students[3]` or `roster[3]`.
    pub label: String,
    /// Output directory: `<index_no>-<initials>`.
    pub dir: String,
    pub spec: StudentSpec,
    /// Every name the student's stack creates, part by part.
    pub names: Vec<Name>,
    /// The stack's template shape (`stack::names_and_shape`), kept so `validate` need
    /// not build every student's stack a second time to find the shapes.
    pub shape: String,
}

#[derive(Debug, Clone)]
pub struct Class {
    pub course: String,
    pub members: Vec<Member>,
    pub warnings: Vec<Diagnostic>,
    /// The CI pipeline to write with the class (`ci:` or `render --ci`).
    pub ci: Option<super::ci::Pipeline>,
}

/// What validation needs from the stages above about one student: the
/// names its stack creates, part by part, and its template shape.
#[derive(Debug, Clone)]
pub struct Derived {
    pub names: Vec<Name>,
    pub shape: String,
}

/// Expands and validates a class. `roster` is the roster file's name and
/// text, read by the caller when the class names one; `found` holds what
/// the caller already found (a roster it could not read, or a note on its
/// encoding); `derive` gives a student's names and template shape.
///
/// Every finding comes in one round: row errors, field errors and
/// collisions between the students that could be read, each problem once.
pub fn expand(
    spec: &ClassSpec,
    source: &Source,
    roster: Option<(&str, &str)>,
    found: Vec<Diagnostic>,
    derive: &dyn Fn(&StudentSpec) -> Derived,
    ci: Option<CiKind>,
) -> Result<Class, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut file = |d: Diagnostic| {
        push_once(
            if d.is_error() {
                &mut errors
            } else {
                &mut warnings
            },
            d,
        );
    };
    found.into_iter().for_each(&mut file);
    class::check_defaults(spec, source)
        .into_iter()
        .for_each(&mut file);

    let (entries, read) = class::entries(spec, roster);
    read.into_iter().for_each(&mut file);

    // No account id anywhere is one problem, not one per student.
    let nobody_has_account = !spec.defaults.contains_key("account_id")
        && !entries.is_empty()
        && entries.iter().all(|e| e.account_id.is_none());
    if nobody_has_account {
        file(class::no_account(spec, source));
    }

    let mut members: Vec<Option<Member>> = Vec::new();
    for entry in &entries {
        let (member, mut diagnostics) = match member(spec, entry, source, derive) {
            Ok((member, diagnostics)) => (Some(member), diagnostics),
            Err(diagnostics) => (None, diagnostics),
        };
        if nobody_has_account {
            diagnostics.retain(|d| !(d.code == Code::SG002 && d.field == "account_id"));
        }
        class::relabel(&mut diagnostics, spec, entry, source);
        diagnostics.into_iter().for_each(&mut file);
        members.push(member);
    }
    if entries.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::new(Code::SG501, "students", "the class has no students")
                .rule("a class lists at least one student")
                .fix("add students under `students:` or rows to the roster"),
        );
    }
    let students: Vec<(&Entry, Option<&Member>)> = entries
        .iter()
        .zip(members.iter().map(Option::as_ref))
        .collect();
    for d in super::collide::check(&students, source) {
        if d.is_error() {
            errors.push(d);
        } else {
            warnings.push(d);
        }
    }
    // What each account will hold, over the students that could be built.
    let locate = |field: &str| source.locations.value(field);
    let places = super::quotas::Places {
        quota: &locate,
        account: ["defaults.account_id", "students", "roster"]
            .iter()
            .find_map(|k| source.locations.key(k)),
    };
    let built = members
        .iter()
        .flatten()
        .map(|m| (&m.spec, m.names.as_slice()));
    for d in super::quotas::check(&spec.quotas, built, &places) {
        if d.is_error() {
            errors.push(d);
        } else {
            warnings.push(d);
        }
    }
    let built = members
        .iter()
        .flatten()
        .map(|m| (&m.spec, m.names.as_slice()));
    let (pipeline, mut found) = super::ci::check(spec.ci.as_ref(), ci, built);
    source.locate(&mut found);
    for d in found {
        if d.is_error() {
            errors.push(d);
        } else {
            warnings.push(d);
        }
    }
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(errors);
    }
    Ok(Class {
        course: spec.course.clone(),
        members: members.into_iter().flatten().collect(),
        warnings,
        ci: pipeline,
    })
}

/// Reports a diagnostic unless an identical one (a `defaults` problem seen
/// through another student) is already there.
fn push_once(list: &mut Vec<Diagnostic>, d: Diagnostic) {
    if !list
        .iter()
        .any(|f| f.code == d.code && f.field == d.field && f.message == d.message)
    {
        list.push(d);
    }
}

/// The student file this entry amounts to, and its findings. `Err` when
/// the merged document does not even deserialize.
fn member(
    spec: &ClassSpec,
    entry: &Entry,
    source: &Source,
    derive: &dyn Fn(&StudentSpec) -> Derived,
) -> Result<(Member, Vec<Diagnostic>), Vec<Diagnostic>> {
    let doc = class::document(spec, entry)?;
    let missing_account = !doc.contains_key("account_id");
    if missing_account {
        // Names embed the account id, and every valid one has 12 digits:
        // a placeholder lets every other rule run now instead of in a
        // second round, with the same lengths. Findings about the
        // placeholder itself are dropped; the student is not rendered.
        let mut probe = doc.clone();
        probe.insert("account_id".into(), Value::String("000000000000".into()));
        if let Ok(student) =
            serde_path_to_error::deserialize::<_, StudentSpec>(Value::Object(probe))
        {
            let mut found = vec![Diagnostic::new(Code::SG002, "account_id", "missing field `account_id`")
                .rule("every stack is applied in one AWS account: `account_id` is required")
                .fix(if entry.origin.is_some() {
                    "fill in the student's `account_id` cell, or set `account_id` under `defaults:` in the class file"
                } else {
                    "give the student an `account_id`, or set it under `defaults:`"
                })];
            found.extend(
                super::student(&student, &derive(&student).names)
                    .into_iter()
                    .filter(|d| d.field != "account_id"),
            );
            return Err(found);
        }
    }
    let doc = Value::Object(doc);
    class::check_types(&doc)?;
    // The edition's defaults go under the class's and the student's own.
    let base = std::path::Path::new(&source.name)
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."));
    let student = load::with_edition(&doc, base, |d| {
        d.field = format!("defaults.{}", d.field);
        d.location = source.locations.value(&d.field);
    })?;
    let Derived { names, shape } = derive(&student);
    let diagnostics = super::student(&student, &names);
    let dir = student.student.dir();
    Ok((
        Member {
            label: entry.label.clone(),
            dir,
            names,
            shape,
            spec: student,
        },
        diagnostics,
    ))
}
