//! A whole class: one file (`course`, `defaults`, `students` or `roster`)
//! expands into one student spec per student, each validated exactly as a
//! student file would be, plus checks across students (collisions).
//!
//! Diagnostics name the student and point into the class file
//! (`students[3].initials`) or the roster (`students.csv:5`). A problem in
//! `defaults` would repeat for every student; it is reported once.

pub mod collide;
pub mod roster;
pub mod summary;

use crate::codes::Code;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Location};
use crate::load::Source;
use crate::model::{ClassSpec, StudentSpec};
use crate::stack::part::Name;
use crate::translit;
use crate::validate;

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
}

#[derive(Debug, Clone)]
pub struct Class {
    pub course: String,
    pub members: Vec<Member>,
    pub warnings: Vec<Diagnostic>,
}

/// A student entry before merging, from the list or the roster.
#[derive(Debug, Clone)]
pub struct Entry {
    pub label: String,
    /// For roster rows: the CSV file and line.
    pub origin: Option<(String, usize)>,
    pub name: String,
    pub index_no: String,
    pub initials: Option<String>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub environment: Option<String>,
}

/// Keys a student entry may set itself, overriding `defaults`.
const PER_STUDENT: [&str; 3] = ["account_id", "region", "environment"];

/// Expands and validates a class. `roster` is the roster file's name and
/// text, read by the caller when the class names one; `found` holds what
/// the caller already found (a roster it could not read).
pub fn expand(
    spec: &ClassSpec,
    source: &Source,
    roster: Option<(&str, &str)>,
    mut found: Vec<Diagnostic>,
) -> Result<Class, Vec<Diagnostic>> {
    found.extend(check_defaults(spec, source));

    let entries = match (&spec.students, &spec.roster, roster) {
        (Some(list), None, _) => list
            .iter()
            .enumerate()
            .map(|(i, s)| Entry {
                label: format!("students[{i}]"),
                origin: None,
                name: s.name.clone(),
                index_no: s.index_no.clone(),
                initials: s.initials.clone(),
                account_id: s.account_id.clone(),
                region: s.region.clone(),
                environment: s.environment.clone(),
            })
            .collect(),
        (None, Some(_), Some((name, text))) => {
            let (entries, errors) = roster::parse(name, text);
            found.extend(errors);
            entries
        }
        (None, Some(_), None) => Vec::new(),
        _ => {
            found.push(
                Diagnostic::new(Code::SG501, "students", "a class needs exactly one of `students` and `roster`")
                    .rule("students are listed inline under `students:` or read from a CSV named by `roster:`, not both")
                    .fix("keep one of the two keys"),
            );
            Vec::new()
        }
    };
    if entries.is_empty() && found.is_empty() {
        found.push(
            Diagnostic::new(Code::SG501, "students", "the class has no students")
                .rule("a class lists at least one student")
                .fix("add students under `students:` or rows to the roster"),
        );
    }

    let mut members = Vec::new();
    let mut warnings = Vec::new();
    for entry in &entries {
        match member(spec, entry, source) {
            Ok((member, mut diagnostics)) => {
                relabel(&mut diagnostics, spec, entry, source);
                for d in diagnostics {
                    push_once(
                        if d.is_error() {
                            &mut found
                        } else {
                            &mut warnings
                        },
                        d,
                    );
                }
                members.push(member);
            }
            Err(mut diagnostics) => {
                relabel(&mut diagnostics, spec, entry, source);
                for d in diagnostics {
                    push_once(&mut found, d);
                }
            }
        }
    }
    if found.is_empty() {
        found.extend(collide::check(&members, &entries, source));
    }
    if found.iter().any(Diagnostic::is_error) {
        found.extend(warnings);
        return Err(found);
    }
    Ok(Class {
        course: spec.course.clone(),
        members,
        warnings,
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

fn check_defaults(spec: &ClassSpec, source: &Source) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    if spec.defaults.contains_key("student") {
        found.push(
            Diagnostic::new(Code::SG502, "defaults.student", "`defaults` cannot hold `student`")
                .rule("`defaults` applies to every student; who a student is comes from `students` or the roster")
                .fix("move the student into `students:`")
                .at(source.locations.key("defaults.student")),
        );
    }
    if let (Some(top), Some(inner)) = (spec.target, spec.defaults.get("target")) {
        let top = serde_json::to_value(top).expect("a target serializes");
        if &top != inner {
            found.push(
                Diagnostic::new(
                    Code::SG503,
                    "defaults.target",
                    format!("`defaults.target` is {inner} but `target` is {top}"),
                )
                .rule("a class has one target")
                .fix("give the target once, at the top level"),
            );
        }
    }
    found
}

/// The student file this entry amounts to, and its findings. `Err` when
/// the merged document does not even deserialize.
fn member(
    spec: &ClassSpec,
    entry: &Entry,
    source: &Source,
) -> Result<(Member, Vec<Diagnostic>), Vec<Diagnostic>> {
    let initials = match &entry.initials {
        Some(i) => i.clone(),
        None => translit::initials(&entry.name).ok_or_else(|| {
            vec![Diagnostic::new(
                Code::SG505,
                "student.initials",
                format!(
                    "no initials given and none can be derived from `{}`",
                    entry.name
                ),
            )
            .rule("missing initials are the ASCII first letters of the name's words")
            .fix("give `initials` for this student")]
        })?,
    };
    let mut doc: Map<String, Value> = spec.defaults.clone();
    if let Some(target) = spec.target {
        doc.entry("target")
            .or_insert_with(|| serde_json::to_value(target).expect("a target serializes"));
    }
    doc.insert(
        "student".into(),
        serde_json::json!({
            "name": entry.name,
            "initials": initials,
            "index_no": entry.index_no,
        }),
    );
    for (key, value) in [
        ("account_id", &entry.account_id),
        ("region", &entry.region),
        ("environment", &entry.environment),
    ] {
        if let Some(v) = value {
            doc.insert(key.into(), Value::String(v.clone()));
        }
    }
    let doc = Value::Object(doc);
    let _: StudentSpec =
        serde_path_to_error::deserialize(doc.clone()).map_err(|e| {
            let field = e.path().to_string();
            let message = e.inner().to_string();
            let (code, fix) = if message.starts_with("missing field") {
                (Code::SG002, "add it to `defaults` or to the student")
            } else {
                (Code::SG003, "give a value of the expected type (digits in quotes for ids); `stackgen schema` describes every field")
            };
            vec![Diagnostic::new(code, if field == "." { String::new() } else { field }, message)
                .rule("each field has a fixed type, and required fields must be present")
                .fix(fix)]
        })?;
    let base = std::path::Path::new(&source.name)
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."));
    let student = crate::load::with_edition(&doc, base, |d| {
        d.field = format!("defaults.{}", d.field);
    })?;
    let diagnostics = validate::student(&student);
    let dir = format!("{}-{}", student.student.index_no, student.student.initials);
    Ok((
        Member {
            label: entry.label.clone(),
            dir,
            names: crate::stack::Stack::new(&student, &student.edition())
                .parts
                .into_iter()
                .flat_map(|p| p.names.into_values())
                .collect(),
            spec: student,
        },
        diagnostics,
    ))
}

/// Points a student-file diagnostic at the class file (or roster): fields
/// of the student go to the entry, shared settings to `defaults`.
fn relabel(diagnostics: &mut [Diagnostic], spec: &ClassSpec, entry: &Entry, source: &Source) {
    let given: BTreeSet<&str> = PER_STUDENT
        .into_iter()
        .filter(|k| match *k {
            "account_id" => entry.account_id.is_some(),
            "region" => entry.region.is_some(),
            _ => entry.environment.is_some(),
        })
        .collect();
    for d in diagnostics.iter_mut() {
        let top = d
            .field
            .split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_owned();
        let per_student = top == "student"
            || top.is_empty()
            || given.contains(top.as_str())
            || (PER_STUDENT.contains(&top.as_str()) && !spec.defaults.contains_key(&top));
        if per_student {
            let rest = d.field.strip_prefix("student").unwrap_or(&d.field);
            let rest = rest.trim_start_matches('.');
            d.field = if rest.is_empty() {
                entry.label.clone()
            } else {
                format!("{}.{rest}", entry.label)
            };
            d.message = format!("{} ({}): {}", entry.name, entry.index_no, d.message);
            match &entry.origin {
                Some((file, line)) => {
                    d.file = Some(file.clone());
                    d.location = Some(Location {
                        line: *line,
                        column: 1,
                    });
                }
                None => d.location = source.locations.value(&d.field),
            }
        } else if top == "target" && !spec.defaults.contains_key("target") {
            d.location = source.locations.exact("target");
        } else {
            // A setting from `defaults`, or a default of stackgen's own when
            // the field is not written at all (then there is no place).
            d.field = format!("defaults.{}", d.field);
            d.location = source.locations.exact(&d.field);
        }
    }
}
