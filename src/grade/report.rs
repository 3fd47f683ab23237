//! A grade: the fixed JSON contract, the points, and the text a person
//! reads.
//!
//! Points: a check that passes earns its weight (1 unless the edition's
//! `grading` says otherwise), one that fails or is missing earns 0; both
//! count in `max_points`. An `unknown` check earns nothing and does not
//! count in `max_points`, and every exercise says how many it has, so a
//! grade that could see nothing never looks like full marks.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::source::Source;
use crate::base::codes::Code;
use crate::base::edition::Grading;
use crate::stack::Stack;

/// `stackgen grade --format json`: a fixed contract, read by checks
/// outside the project. Keys and their order are the issue's.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub student: Student,
    pub source: Source,
    pub through: u8,
    pub points: u32,
    pub max_points: u32,
    pub exercises: Vec<Exercise>,
    pub not_graded: Vec<NotGraded>,
    pub advice: Vec<Advice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Student {
    pub index_no: String,
    pub initials: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exercise {
    pub exercise: u8,
    pub points: u32,
    pub max_points: u32,
    /// How many of its checks are `unknown`.
    pub unknown: usize,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `<part>.<key>`: `stream.shard_count`, `firehose.iam.s3_write`.
    pub id: String,
    pub part: String,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    pub expected: Value,
    /// `null` when the resource is missing.
    pub found: Value,
    pub message: String,
    /// Empty when there is nothing to fix.
    pub fix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// No such resource.
    Missing,
    /// The source cannot tell (a value known only after apply, a policy it
    /// does not show): never a failure, never counted in `max_points`.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotGraded {
    pub part: String,
    pub why: String,
}

/// An IAM review finding on the student's roles: advice, not points.
#[derive(Debug, Clone, Serialize)]
pub struct Advice {
    pub code: Code,
    pub message: String,
}

impl Check {
    /// A check worth 1 point (weights are applied by `Report::new`).
    pub fn new(
        id: String,
        status: Status,
        expected: Value,
        found: Value,
        message: String,
        fix: String,
    ) -> Self {
        let part = id.split('.').next().unwrap_or_default().to_owned();
        Self {
            id,
            part,
            status,
            points: 0,
            max_points: 0,
            expected,
            found,
            message,
            fix,
        }
    }
}

impl Report {
    /// Counts the points of the checks, exercise by exercise, with the
    /// edition's weights and drops.
    pub fn new(
        stack: &Stack,
        source: Source,
        through: u8,
        checks: BTreeMap<u8, Vec<Check>>,
        not_graded: Vec<NotGraded>,
        advice: Vec<Advice>,
        grading: &Grading,
    ) -> Self {
        let exercises: Vec<Exercise> = checks
            .into_iter()
            .map(|(exercise, checks)| {
                let checks: Vec<Check> = checks
                    .into_iter()
                    .filter(|c| !grading.drop.contains(&c.id))
                    .map(|mut c| {
                        let weight = grading.weights.get(&c.id).map_or(1, |w| w.get());
                        (c.points, c.max_points) = match c.status {
                            Status::Pass => (weight, weight),
                            Status::Fail | Status::Missing => (0, weight),
                            Status::Unknown => (0, 0),
                        };
                        c
                    })
                    .collect();
                Exercise {
                    exercise,
                    points: checks.iter().map(|c| c.points).sum(),
                    max_points: checks.iter().map(|c| c.max_points).sum(),
                    unknown: checks
                        .iter()
                        .filter(|c| c.status == Status::Unknown)
                        .count(),
                    checks,
                }
            })
            .collect();
        let spec = &stack.spec;
        Self {
            student: Student {
                index_no: spec.student.index_no.clone(),
                initials: spec.student.initials.clone(),
                name: spec.student.name.clone(),
            },
            source,
            through,
            points: exercises.iter().map(|e| e.points).sum(),
            max_points: exercises.iter().map(|e| e.max_points).sum(),
            exercises,
            not_graded,
            advice,
        }
    }

    /// The score in percent; a grade with no known check scores 0 (it
    /// never looks like full marks).
    pub fn percent(&self) -> f64 {
        if self.max_points == 0 {
            0.0
        } else {
            f64::from(self.points) * 100.0 / f64::from(self.max_points)
        }
    }

    pub fn unknown(&self) -> usize {
        self.exercises.iter().map(|e| e.unknown).sum()
    }

    pub fn checks(&self) -> impl Iterator<Item = &Check> {
        self.exercises.iter().flat_map(|e| &e.checks)
    }

    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a report is plain data");
        text.push('\n');
        text
    }

    /// The text report: per exercise, each check with ✓, ✗ or ?, what was
    /// expected and found, and the fix, in the diagnostics' style.
    pub fn text(&self, edition: &str, source_file: &str) -> String {
        let mut out = String::new();
        let s = &self.student;
        let from = match self.source {
            Source::Live => format!("the AWS account {source_file}"),
            other => format!("the {} `{source_file}`", other.word()),
        };
        let _ = writeln!(
            out,
            "{} ({}, {}): {edition}, exercises 1 to {}, graded from {from}",
            s.name, s.initials, s.index_no, self.through,
        );
        for e in &self.exercises {
            let _ = writeln!(out);
            let mut head = format!("exercise {}: {}/{}", e.exercise, e.points, e.max_points);
            if e.unknown > 0 {
                let _ = write!(head, ", {} unknown", e.unknown);
            }
            if e.checks.is_empty() {
                head.push_str(" (nothing graded)");
            }
            let _ = writeln!(out, "{head}");
            for c in &e.checks {
                let mark = match c.status {
                    Status::Pass => "✓",
                    Status::Fail | Status::Missing => "✗",
                    Status::Unknown => "?",
                };
                let _ = writeln!(out, "  {mark} {}: {}", c.id, c.message);
                if c.status != Status::Pass {
                    let _ = writeln!(out, "      = expected: {}", short(&c.expected));
                    let _ = writeln!(out, "      = found: {}", short(&c.found));
                }
                if !c.fix.is_empty() {
                    let _ = writeln!(out, "      = fix: {}", c.fix);
                }
            }
        }
        if !self.not_graded.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "not graded:");
            for n in &self.not_graded {
                let _ = writeln!(out, "  - {}: {}", n.part, n.why);
            }
        }
        if !self.advice.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "advice (IAM review, no points):");
            for a in &self.advice {
                let level = match a.code.severity() {
                    crate::base::codes::Severity::Error => "error",
                    crate::base::codes::Severity::Warning => "warning",
                    crate::base::codes::Severity::Note => "note",
                };
                let _ = writeln!(out, "  {level}[{}]: {}", a.code, a.message);
            }
        }
        let _ = writeln!(out);
        let unknown = self.unknown();
        let _ = writeln!(
            out,
            "total: {}/{} ({:.1}%){}",
            self.points,
            self.max_points,
            self.percent(),
            if unknown > 0 {
                format!(", {unknown} unknown (not counted)")
            } else {
                String::new()
            }
        );
        out
    }
}

/// A JSON value on one line, cut to a readable length.
fn short(value: &Value) -> String {
    let text = match value {
        Value::Null => "nothing".to_owned(),
        v => v.to_string(),
    };
    crate::base::diagnostic::quote(&text)
}
