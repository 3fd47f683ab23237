//! Validation: every rule over the typed input and every derived name,
//! before anything is planned or written.
//!
//! Rules never stop at the first finding; `student` returns all of them.
//! Field rules live one per file with what they check, why, and an
//! example; naming rules are a table (`names.rs`), S3 with its extras in
//! `s3_bucket.rs`. The names checked are the stack's own: `stack::Stack`
//! derives them from the edition for exactly the parts the stack has.

mod account;
mod environment;
pub mod name_rule;
pub mod names;
mod options;
mod region;
mod s3_bucket;
mod student;
mod target;
mod text;

use crate::base::diagnostic::Diagnostic;
use crate::base::model::StudentSpec;
use crate::stack::Stack;

pub use names::rule_for;

/// All findings for one student file, errors and warnings, in input order
/// (fields first, then derived names), each finding once.
pub fn student(spec: &StudentSpec) -> Vec<Diagnostic> {
    student_in(spec, &Stack::new(spec, &spec.edition()))
}

/// `student`, with the spec's stack already built (a class builds it once
/// per student for the names too).
pub fn student_in(spec: &StudentSpec, stack: &Stack) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    found.extend(account::check(&spec.account_id));
    found.extend(region::check(&spec.region));
    found.extend(environment::check(&spec.environment));
    found.extend(student::check(&spec.student));
    found.extend(text::check(spec));
    found.extend(options::check(spec));
    found.extend(target::check(spec));

    // Derived names are only worth checking once the fields they embed can
    // be printed at all; a bad field makes many names bad in the same
    // way, and each (code, field, value) is reported once.
    for part in &stack.parts {
        for name in part.names.values() {
            let Some(rule) = rule_for(name.kind) else {
                continue;
            };
            let who = identity(spec, &name.fields);
            for d in rule.check(name, &who) {
                push_once(&mut found, d);
            }
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
