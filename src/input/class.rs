//! A class file read: its students as entries (inline under `students`,
//! or the rows of its roster), each merged with the class's `defaults`
//! into a student document, and the way back from a student's field to the
//! class file's line or the roster's cell. Validating the students, each
//! as a student file would be, is `validate::class`'s.
//!
//! Diagnostics name the student and point into the class file
//! (`students[3].initials`) or the roster (`students.csv:5`).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::load::Source;
use super::roster;
use crate::base::codes::Code;
use crate::base::diagnostic::{Diagnostic, Location};
use crate::base::model::{ClassSpec, StudentSpec};
use crate::base::translit;

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

/// The students a class file lists, inline under `students` or as the
/// rows of its roster (`roster` is the roster file's name and text, when
/// the caller could read it), with what reading them found.
pub fn entries(spec: &ClassSpec, roster: Option<(&str, &str)>) -> (Vec<Entry>, Vec<Diagnostic>) {
    let mut found = Vec::new();
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
            let (entries, notes) = roster::parse(name, text);
            found.extend(notes);
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
    (entries, found)
}

/// The class's `defaults` and `target` checked on their own (SG502, SG503).
pub fn check_defaults(spec: &ClassSpec, source: &Source) -> Vec<Diagnostic> {
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

/// The student file an entry amounts to, before its edition: the class's
/// `defaults` and `target` under the student's own keys. `Err` when the
/// entry gives no initials and none can be derived from the name.
pub fn document(spec: &ClassSpec, entry: &Entry) -> Result<Map<String, Value>, Vec<Diagnostic>> {
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
    Ok(doc)
}

/// Whether a merged student document has the student file's types; the
/// serde errors as diagnostics, one at a time like serde gives them.
pub fn check_types(doc: &Value) -> Result<(), Vec<Diagnostic>> {
    let _: StudentSpec = serde_path_to_error::deserialize(doc.clone()).map_err(|e| {
            let field = e.path().to_string();
            let message = e.inner().to_string();
            if message.starts_with("unknown variant") {
                return vec![super::load::not_a_choice(&field, &message)];
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
    Ok(())
}

/// Points a student-file diagnostic at the class file (or roster): fields
/// of the student go to the entry, shared settings to `defaults`.
pub fn relabel(diagnostics: &mut [Diagnostic], spec: &ClassSpec, entry: &Entry, source: &Source) {
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
pub fn point_at_cell(d: &mut Diagnostic, origin: &Origin, label: &str, rest: &str) {
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
pub fn no_account(spec: &ClassSpec, source: &Source) -> Diagnostic {
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
