//! Validation: every rule over the typed input and every derived name,
//! before anything is planned or written.
//!
//! Rules never stop at the first finding; `student` returns all of them.
//! Field rules live one per file with what they check, why, and an
//! example; naming rules are a table (`names.rs`), S3 with its extras in
//! `s3_bucket.rs`. The names checked are the stack's own, which the caller
//! passes in: `stack::Stack` derives them from the edition for exactly the
//! parts the stack has. A class is validated student by student, plus
//! collisions between students (`class.rs`, `collide.rs`).

mod account;
mod backend;
pub mod ci;
pub mod class;
pub mod collide;
mod environment;
pub mod name_rule;
pub mod names;
mod options;
pub mod quotas;
mod region;
mod s3_bucket;
mod student;
mod target;
mod text;

use crate::base::diagnostic::Diagnostic;
use crate::base::model::StudentSpec;
use crate::base::part::Name;

pub use names::rule_for;

/// All findings for one student file, errors and warnings, in input order
/// (fields first, then derived names), each finding once. `names` are the
/// names the spec's stack creates, part by part: the stack derives them
/// from the edition for exactly the parts it has, a stage above this one,
/// so the caller builds it and passes them.
pub fn student<'a>(
    spec: &StudentSpec,
    names: impl IntoIterator<Item = &'a Name>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    found.extend(account::check(&spec.account_id));
    found.extend(region::check(&spec.region));
    found.extend(environment::check(&spec.environment));
    found.extend(student::check(&spec.student));
    found.extend(text::check(spec));
    found.extend(options::check(spec));
    found.extend(target::check(spec));
    found.extend(backend::check(spec));

    // Derived names are only worth checking once the fields they embed can
    // be printed at all; a bad field makes many names bad in the same
    // way, and each (code, field, value) is reported once.
    for name in names {
        let Some(rule) = rule_for(name.kind) else {
            continue;
        };
        let who = identity(spec, &name.fields);
        for d in rule.check(name, &who) {
            push_once(&mut found, d);
        }
    }
    found
}

/// The (field path, value) pairs a name embeds.
fn identity<'a>(spec: &'a StudentSpec, fields: &[&'static str]) -> Vec<(&'static str, &'a str)> {
    fields
        .iter()
        .map(|f| {
            let value = match *f {
                "environment" => spec.environment.as_str(),
                "account_id" => spec.account_id.as_str(),
                "student.initials" => spec.student.initials.as_str(),
                _ => spec.student.index_no.as_str(),
            };
            (*f, value)
        })
        .collect()
}

/// Adds `d` unless the same finding is there, or a field rule (SG1xx)
/// already reported a bad character in the field it blames.
pub fn push_once(found: &mut Vec<Diagnostic>, d: Diagnostic) {
    let repeated = found.iter().any(|f| f.same_finding(&d))
        || (d.message.contains(", which is not allowed")
            && found
                .iter()
                .any(|f| f.field == d.field && f.code.id().starts_with("SG1")));
    if !repeated {
        found.push(d);
    }
}
