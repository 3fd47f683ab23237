//! The tags every resource of a stack carries, as one table.
//!
//! `main.tf` writes them as `local.common_tags`, each value a Terraform
//! expression over the stack's variables (`upper(var.environment)`), and
//! the templates tag every resource with that local. `stackgen status` and
//! `sweep` need the values those expressions take in AWS, to touch only
//! what carries them. Both come from this table: a tag's value is a list
//! of pieces, which `expression` writes as HCL and `value` evaluates for a
//! spec, so the two cannot say different things. (The variables get their
//! values from `terraform.tfvars`, which prints the same spec fields that
//! `Var::of` reads; the deploy tests compare the tags AWS reports with the
//! plan's `tags`.)

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Value};
use serde::Serialize;

use crate::base::model::StudentSpec;

/// A variable of the stack (`variables.tf`) that a tag reads.
#[derive(Debug, Clone, Copy)]
pub enum Var {
    Environment,
    StudentFullName,
    StudentInitials,
    StudentIndexNo,
}

impl Var {
    fn name(self) -> &'static str {
        match self {
            Var::Environment => "environment",
            Var::StudentFullName => "student_full_name",
            Var::StudentInitials => "student_initials",
            Var::StudentIndexNo => "student_index_no",
        }
    }

    /// The spec field `terraform.tfvars` sets the variable to.
    fn of(self, spec: &StudentSpec) -> &str {
        match self {
            Var::Environment => &spec.environment,
            Var::StudentFullName => &spec.student.name,
            Var::StudentInitials => &spec.student.initials,
            Var::StudentIndexNo => &spec.student.index_no,
        }
    }
}

/// One piece of a tag's value.
#[derive(Debug, Clone, Copy)]
pub enum Piece {
    Text(&'static str),
    Var(Var),
    /// Terraform's `upper()` of a variable. Only `environment` is
    /// upper-cased, and validation keeps it to `[a-z0-9]`, where
    /// Terraform's Unicode upper-casing and Rust's agree.
    Upper(Var),
}

/// A tag: its key and the pieces of its value, in order.
#[derive(Debug, Clone, Copy)]
pub struct Tag {
    pub key: &'static str,
    pub pieces: &'static [Piece],
}

/// The tags of every stack, in the order `main.tf` writes them.
pub const TAGS: &[Tag] = &[
    Tag {
        key: "Purpose",
        pieces: &[Piece::Text("UAM Cloud Data Processing")],
    },
    Tag {
        key: "Environment",
        pieces: &[Piece::Upper(Var::Environment)],
    },
    Tag {
        key: "Owner",
        pieces: &[Piece::Var(Var::StudentFullName)],
    },
    Tag {
        key: "Student",
        pieces: &[
            Piece::Var(Var::StudentInitials),
            Piece::Text("-"),
            Piece::Var(Var::StudentIndexNo),
        ],
    },
];

impl Tag {
    /// The value as a Terraform expression: a lone variable as itself, a
    /// lone `upper()` as the call, anything else as a string template.
    /// Text pieces are stackgen's own constants (no `"`, `\`, `${`).
    pub fn expression(&self) -> String {
        match self.pieces {
            [Piece::Var(v)] => format!("var.{}", v.name()),
            [Piece::Upper(v)] => format!("upper(var.{})", v.name()),
            pieces => {
                let mut out = String::from("\"");
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => out.push_str(t),
                        Piece::Var(v) => {
                            let _ = write!(out, "${{var.{}}}", v.name());
                        }
                        Piece::Upper(v) => {
                            let _ = write!(out, "${{upper(var.{})}}", v.name());
                        }
                    }
                }
                out.push('"');
                out
            }
        }
    }

    /// The value AWS shows for a stack rendered from `spec`.
    pub fn value(&self, spec: &StudentSpec) -> String {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(t) => (*t).to_owned(),
                Piece::Var(v) => v.of(spec).to_owned(),
                Piece::Upper(v) => v.of(spec).to_uppercase(),
            })
            .collect()
    }
}

/// Every tag's value for one spec, by key.
pub fn values(spec: &StudentSpec) -> BTreeMap<&'static str, String> {
    TAGS.iter().map(|t| (t.key, t.value(spec))).collect()
}

/// A tag as `main.tf` writes it inside `common_tags`: `Key = expression`.
/// Printed unquoted by the emit formatter, like an address: both its parts
/// are built from this module's constants, never from input.
#[derive(Debug, Clone, Copy)]
pub struct TagLine(pub &'static Tag);

impl fmt::Display for TagLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.0.key, self.0.expression())
    }
}

impl Serialize for TagLine {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            Value::from_object(*self).serialize(s)
        } else {
            s.collect_str(self)
        }
    }
}

impl Object for TagLine {
    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::NonEnumerable
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// The lines of `common_tags`, for the template context.
pub fn lines() -> Vec<TagLine> {
    TAGS.iter().map(TagLine).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_the_handouts() {
        let lines: Vec<String> = lines().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                r#"Purpose = "UAM Cloud Data Processing""#,
                "Environment = upper(var.environment)",
                "Owner = var.student_full_name",
                r#"Student = "${var.student_initials}-${var.student_index_no}""#,
            ]
        );
    }

    #[test]
    fn values_evaluate_the_same_pieces() {
        let source = crate::input::load::Source::new(
            "s.yaml",
            "student: {name: Łukasz Żak, initials: lz, index_no: \"12345\"}\naccount_id: \"100603781557\"\nenvironment: dev2\n",
        );
        let spec = crate::input::load::student(&source).unwrap();
        let v = values(&spec);
        assert_eq!(v["Purpose"], "UAM Cloud Data Processing");
        assert_eq!(v["Environment"], "DEV2");
        assert_eq!(v["Owner"], "Łukasz Żak");
        assert_eq!(v["Student"], "lz-12345");
    }
}
