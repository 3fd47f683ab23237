//! Collisions between students, found before anything exists in AWS.
//!
//! - Two students with one index number would share an output directory and,
//!   with the same initials, every name.
//! - S3 bucket names are global across all of AWS: no two students may get
//!   the same bucket, whatever their accounts.
//! - Within one account every other name must be unique too (IAM names are
//!   account-wide; the rest are per region, and being stricter costs
//!   nothing, since the names embed the student anyway).
//!
//! Each pair of students is reported once, by the first clash found in
//! that order: a shared index number explains the shared bucket too.
//! Students with the same initials but different index numbers do not
//! collide; each group of them gets one note (SG604), since an instructor
//! looking for `jk`'s stack must then go by the index number.
//!
//! This runs together with the row checks: a student whose row has an
//! error still counts for index numbers; one whose file could not be built
//! has no names to compare.

use std::collections::hash_map::Entry as Slot;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::class::Member;
use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;
use crate::base::part::NameKind;
use crate::input::class::{point_at_cell, Entry};
use crate::input::load::Source;

/// `students` pairs each entry with its member, if it could be built.
pub fn check(students: &[(&Entry, Option<&Member>)], source: &Source) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let describe = |i: usize| format!("{}'s ({})", students[i].0.name, students[i].0.label);
    let point = |mut d: Diagnostic, i: usize, field: &str| {
        let entry = students[i].0;
        d.message = format!("{} ({}): {}", entry.name, entry.index_no, d.message);
        if let Some(origin) = &entry.origin {
            point_at_cell(&mut d, origin, &entry.label, field);
        } else {
            d.field = format!("{}.{field}", entry.label);
            d.location = source.locations.value(&d.field);
        }
        d
    };
    // Pairs (later, earlier) already reported.
    let mut reported: HashSet<(usize, usize)> = HashSet::new();

    let mut by_index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (entry, _)) in students.iter().enumerate() {
        let index = entry.index_no.as_str();
        if let Some(&first) = by_index.get(index) {
            found.push(point(
                Diagnostic::new(
                    Code::SG601,
                    "",
                    format!("index number `{index}` is also {}", describe(first)),
                )
                .rule("index numbers identify students: each appears once in a class")
                .fix("correct the index number, or remove the duplicate student"),
                i,
                "index_no",
            ));
            reported.insert((i, first));
        } else {
            by_index.insert(index, i);
        }
    }

    // (scope, kind, name) -> first student; the scope is empty for global
    // names. Keys borrow from `all`, so a class of 1,000 costs no copies.
    // Sized up front: growing it rehashed every name several times, which
    // was half of `validate`'s time for a 10,000-student class.
    let capacity = students
        .iter()
        .filter_map(|(_, m)| *m)
        .map(|m| m.names.len())
        .sum();
    let mut seen: HashMap<(&str, &str, NameKind, &str), usize> = HashMap::with_capacity(capacity);
    for (i, (_, m)) in students.iter().enumerate() {
        let Some(m) = m else {
            continue;
        };
        // Tables live in the student's own database(s), whose names embed
        // the student: the first database scopes them.
        let own = m
            .names
            .iter()
            .find(|n| n.kind == NameKind::GlueDatabase)
            .map_or("", |n| n.value.as_str());
        for d in m.names.iter().filter(|n| n.kind != NameKind::Prefix) {
            let scope = match d.kind {
                NameKind::S3Bucket => ("", ""),
                NameKind::GlueTable => (m.spec.account_id.as_str(), own),
                _ => (m.spec.account_id.as_str(), ""),
            };
            let key = (scope.0, scope.1, d.kind, d.value.as_str());
            // One lookup per name: hashing dominates for a large class.
            let first = match seen.entry(key) {
                Slot::Occupied(slot) => *slot.get(),
                Slot::Vacant(slot) => {
                    slot.insert(i);
                    continue;
                }
            };
            // The first clash of a pair is enough to act on, and a
            // shared index number (SG601) already is one.
            if !reported.contains(&(i, first)) {
                let (code, rule) = if d.kind == NameKind::S3Bucket {
                    (Code::SG602, "S3 bucket names are unique across all of AWS")
                } else {
                    (
                        Code::SG603,
                        "names of one kind are unique within an AWS account",
                    )
                };
                found.push(point(
                    Diagnostic::new(
                        code,
                        "",
                        format!(
                            "{} name `{}` is also {}",
                            d.purpose,
                            d.value,
                            describe(first)
                        ),
                    )
                    .rule(rule)
                    .fix("give the students different initials or index numbers"),
                    i,
                    "initials",
                ));
                reported.insert((i, first));
            }
        }
    }

    found.extend(homonyms(students, &reported, &point));
    found
}

/// How many students a note on shared initials names before "and N more":
/// a real class has groups of two or three, and a generated one can have a
/// thousand, whose note must still fit on a screen.
const LISTED: usize = 10;

/// Same initials, different index numbers: legal, but worth a word. One
/// note per group of students sharing initials, pointing at its second
/// student and naming them all (a student whose clash with the group's
/// first was already reported as a collision is left out).
fn homonyms(
    students: &[(&Entry, Option<&Member>)],
    reported: &HashSet<(usize, usize)>,
    point: &dyn Fn(Diagnostic, usize, &str) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut by_initials: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, m)) in students.iter().enumerate() {
        if let Some(m) = m {
            by_initials
                .entry(m.spec.student.initials.as_str())
                .or_default()
                .push(i);
        }
    }
    let mut found = Vec::new();
    for (initials, group) in by_initials {
        let Some(&first) = group.first() else {
            continue;
        };
        let members: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&i| i == first || !reported.contains(&(i, first)))
            .collect();
        if members.len() < 2 {
            continue;
        }
        let names: Vec<String> = members
            .iter()
            .take(LISTED)
            .map(|&i| {
                let entry = students[i].0;
                format!("{} ({}, {})", entry.name, entry.index_no, entry.label)
            })
            .collect();
        let list = match members.len() - names.len() {
            0 => {
                let (last, rest) = names.split_last().expect("two or more");
                format!("{} and {last}", rest.join(", "))
            }
            more => format!("{} and {more} more", names.join(", ")),
        };
        let mut note = point(
            Diagnostic::new(Code::SG604, "", String::new())
                .rule("initials need not be unique in a class; the index number keeps students apart")
                .fix("nothing to change; to tell them apart at a glance, give all but one of them other initials (e.g. a middle-name letter)"),
            members[1],
            "initials",
        );
        note.message = format!(
            "initials `{initials}` are shared by {} students: {list}; their directories and names differ only by index number",
            members.len()
        );
        found.push(note);
    }
    found
}
