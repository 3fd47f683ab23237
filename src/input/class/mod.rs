//! A whole class: one file (`course`, `defaults`, `students` or `roster`)
//! expands into one student spec per student, each validated exactly as a
//! student file would be, plus checks across students (collisions).
//!
//! Diagnostics name the student and point into the class file
//! (`students[3].initials`) or the roster (`students.csv:5`). A problem in
//! `defaults` would repeat for every student; it is reported once.

pub mod collide;
pub mod roster;

use std::collections::BTreeSet;

use crate::base::codes::Code;

use serde_json::{Map, Value};

use crate::base::diagnostic::{Diagnostic, Location};
use crate::base::model::{ClassSpec, StudentSpec};
use crate::base::translit;
use crate::input::load::Source;
use crate::stack::part::Name;
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
    /// The stack's template shape (`emit::shape`), kept so `validate` need
    /// not build every student's stack a second time to find the shapes.
    pub shape: String,
}

#[derive(Debug, Clone)]
pub struct Class {
    pub course: String,
    pub members: Vec<Member>,
    pub warnings: Vec<Diagnostic>,
}

/// Where a roster row is: its file, its CSV line (the header is line 1)
/// and, for each field it gives, the column's header text and the
/// 1-based character column of the cell on that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub cells: std::collections::BTreeMap<String, (String, usize)>,
}

/// A student entry before merging, from the list or the roster.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `students[3]`, or `roster.csv line 5`.
    pub label: String,
    /// For roster rows: where the row and its cells are.
    pub origin: Option<Origin>,
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
/// the caller already found (a roster it could not read, or a note on its
/// encoding).
///
/// Every finding comes in one round: row errors, field errors and
/// collisions between the students that could be read, each problem once.
pub fn expand(
    spec: &ClassSpec,
    source: &Source,
    roster: Option<(&str, &str)>,
    found: Vec<Diagnostic>,
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
    check_defaults(spec, source).into_iter().for_each(&mut file);

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
            let (entries, found) = roster::parse(name, text);
            found.into_iter().for_each(&mut file);
            entries
        }
        (None, Some(_), None) => Vec::new(),
        _ => {
            file(
                Diagnostic::new(Code::SG501, "students", "a class needs exactly one of `students` and `roster`")
                    .rule("students are listed inline under `students:` or read from a CSV named by `roster:`, not both")
                    .fix("keep one of the two keys"),
            );
            Vec::new()
        }
    };

    // No account id anywhere is one problem, not one per student.
    let nobody_has_account = !spec.defaults.contains_key("account_id")
        && !entries.is_empty()
        && entries.iter().all(|e| e.account_id.is_none());
    if nobody_has_account {
        file(no_account(spec, source));
    }

    let mut members: Vec<Option<Member>> = Vec::new();
    for entry in &entries {
        let (member, mut diagnostics) = match member(spec, entry, source) {
            Ok((member, diagnostics)) => (Some(member), diagnostics),
            Err(diagnostics) => (None, diagnostics),
        };
        if nobody_has_account {
            diagnostics.retain(|d| !(d.code == Code::SG002 && d.field == "account_id"));
        }
        relabel(&mut diagnostics, spec, entry, source);
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
    for d in collide::check(&students, source) {
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
                validate::student(&student)
                    .into_iter()
                    .filter(|d| d.field != "account_id"),
            );
            return Err(found);
        }
    }
    let doc = Value::Object(doc);
    let _: StudentSpec = serde_path_to_error::deserialize(doc.clone()).map_err(|e| {
            let field = e.path().to_string();
            let message = e.inner().to_string();
            if message.starts_with("unknown variant") {
                return vec![crate::input::load::not_a_choice(&field, &message)];
            }
            let (code, fix) = if message.starts_with("missing field") {
                (Code::SG002, "add it to `defaults` or to the student")
            } else {
                (Code::SG003, "give a value of the expected type (digits in quotes for ids); `stackgen schema` describes every field")
            };
            vec![Diagnostic::new(code, if field == "." { String::new() } else { field }, message)
                .rule("each field has a fixed type, and required fields must be present")
                .fix(fix)]
        })?;
    // The edition's defaults go under the class's and the student's own.
    let base = std::path::Path::new(&source.name)
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."));
    let student = crate::input::load::with_edition(&doc, base, |d| {
        d.field = format!("defaults.{}", d.field);
        d.location = source.locations.value(&d.field);
    })?;
    let stack = crate::stack::Stack::new(&student, &student.edition());
    let diagnostics = validate::student_in(&student, &stack);
    let dir = format!("{}-{}", student.student.index_no, student.student.initials);
    let shape = crate::output::emit::shape(&stack);
    Ok((
        Member {
            label: entry.label.clone(),
            dir,
            names: stack
                .parts
                .into_iter()
                .flat_map(|p| p.names.into_values())
                .collect(),
            shape,
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
            let rest = rest.trim_start_matches('.').to_owned();
            d.field = if rest.is_empty() {
                entry.label.clone()
            } else {
                format!("{}.{rest}", entry.label)
            };
            d.message = format!("{} ({}): {}", entry.name, entry.index_no, d.message);
            match &entry.origin {
                Some(origin) => {
                    point_at_cell(d, origin, &entry.label, &rest);
                    d.fix = csv_advice(d.code, &d.fix);
                    d.rule = d.rule.replace(", written as a quoted string", "");
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

/// Points a diagnostic about field `rest` of a roster row (`initials`,
/// `index_no`, `account_id`, ...) at the cell that holds it. Derived
/// initials are explained at the name they come from.
pub(crate) fn point_at_cell(d: &mut Diagnostic, origin: &Origin, label: &str, rest: &str) {
    let key = rest.split(['.', '[']).next().unwrap_or_default();
    let candidates: &[&str] = match key {
        "name" => &["name", "first_name"],
        "initials" => &["initials", "name", "first_name"],
        "" => &[],
        other => match other {
            "index_no" => &["index_no"],
            "account_id" => &["account_id"],
            "region" => &["region"],
            "environment" => &["environment"],
            _ => &[],
        },
    };
    let cell = candidates.iter().find_map(|k| origin.cells.get(*k));
    d.file = Some(origin.file.clone());
    let column = if let Some((header, column)) = cell {
        d.field = format!("column `{header}`");
        *column
    } else {
        label.clone_into(&mut d.field);
        1
    };
    d.location = Some(Location {
        line: origin.line,
        column,
    });
}

/// A fix written for a YAML file, said for a spreadsheet: cells are not
/// quoted, but a spreadsheet drops leading zeros unless the column is text.
fn csv_advice(code: Code, fix: &str) -> String {
    let fix = fix.replace(", in quotes", "").replace(" in quotes", "");
    match code {
        Code::SG101 | Code::SG104 => {
            format!("{fix}; in a spreadsheet, format the column as Text so leading zeros stay")
        }
        Code::SG505 => {
            "fill in the student's `initials` cell (add an `initials` column if there is none)"
                .to_owned()
        }
        _ => fix,
    }
}

/// SG002 for a class where no student has an account id and `defaults`
/// gives none: one problem with one fix, not one per student.
fn no_account(spec: &ClassSpec, source: &Source) -> Diagnostic {
    let roster_advice = if spec.roster.is_some() {
        "add an `account_id` column to the roster, or "
    } else {
        "give each student an `account_id`, or "
    };
    Diagnostic::new(
        Code::SG002,
        "defaults.account_id",
        "no student has an `account_id`, and `defaults` gives none",
    )
    .rule("every stack is applied in one AWS account: `account_id` is required")
    .fix(format!(
        "{roster_advice}set it once under `defaults:` (`account_id: \"100603781557\"`, in quotes)"
    ))
    .at(["defaults", "roster", "students"]
        .iter()
        .find_map(|k| source.locations.key(k)))
}
