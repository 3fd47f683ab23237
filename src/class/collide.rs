//! Collisions between students, found before anything exists in AWS.
//!
//! - Two students with one index number would share an output directory and,
//!   with the same initials, every name.
//! - S3 bucket names are global across all of AWS: no two students may get
//!   the same bucket, whatever their accounts.
//! - Within one account every other name must be unique too (IAM names are
//!   account-wide; the rest are per region, and being stricter costs
//!   nothing, since the names embed the student anyway).

use std::collections::hash_map::Entry as Slot;
use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Diagnostic;
use crate::load::Source;
use crate::names::{Derived, NameKind};

use super::{Entry, Member};

pub fn check(members: &[Member], entries: &[Entry], source: &Source) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let describe = |i: usize| format!("{} ({})", members[i].label, entries[i].name);
    let mut point = |mut d: Diagnostic, i: usize, field: &str| {
        d.field = format!("{}.{field}", members[i].label);
        match &entries[i].origin {
            Some((file, line)) => {
                d.file = Some(file.clone());
                d.location = Some(crate::diagnostic::Location {
                    line: *line,
                    column: 1,
                });
            }
            None => d.location = source.locations.value(&d.field),
        }
        found.push(d);
    };

    let mut by_index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, m) in members.iter().enumerate() {
        let index = m.spec.student.index_no.as_str();
        if let Some(&first) = by_index.get(index) {
            point(
                Diagnostic::error(
                    "SG601",
                    "",
                    format!("index number `{index}` is also {}'s", describe(first)),
                )
                .rule("index numbers identify students: each appears once in a class")
                .fix("correct the index number, or remove the duplicate student"),
                i,
                "index_no",
            );
        } else {
            by_index.insert(index, i);
        }
    }

    // (scope, kind, name) -> first student; the scope is empty for global
    // names. Keys borrow from `all`, so a class of 1,000 costs no copies.
    let all: Vec<Vec<Derived>> = members
        .iter()
        .map(|m| m.names.all(&crate::features::Features::of(&m.spec)))
        .collect();
    // Sized up front: growing it rehashed every name several times, which
    // was half of `validate`'s time for a 10,000-student class.
    let mut seen: HashMap<(&str, &str, NameKind, &str), usize> =
        HashMap::with_capacity(all.iter().map(Vec::len).sum());
    for (i, (m, derived)) in members.iter().zip(&all).enumerate() {
        let names = &m.names;
        for d in derived {
            let scope = match d.kind {
                NameKind::S3Bucket => ("", ""),
                // Tables live in the student's own database.
                NameKind::GlueTable => (m.spec.account_id.as_str(), names.glue_database.as_str()),
                _ => (m.spec.account_id.as_str(), ""),
            };
            let key = (scope.0, scope.1, d.kind, d.name.as_str());
            // One lookup per name: hashing dominates for a large class.
            let first = match seen.entry(key) {
                Slot::Occupied(slot) => *slot.get(),
                Slot::Vacant(slot) => {
                    slot.insert(i);
                    continue;
                }
            };
            let (code, rule) = if d.kind == NameKind::S3Bucket {
                ("SG602", "S3 bucket names are unique across all of AWS")
            } else {
                (
                    "SG603",
                    "names of one kind are unique within an AWS account",
                )
            };
            point(
                Diagnostic::error(
                    code,
                    "",
                    format!(
                        "{} name `{}` is also {}'s",
                        d.purpose,
                        d.name,
                        describe(first)
                    ),
                )
                .rule(rule)
                .fix("give the students different initials or index numbers"),
                i,
                "initials",
            );
            // The first clash of a student is enough to act on.
            break;
        }
    }
    found
}
