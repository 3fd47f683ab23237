//! The shape shared by every AWS naming rule: a length range, an allowed
//! character set, and rule-specific extras. Each rule file declares one
//! `NameRule`; `check` turns a violation into a diagnostic that names the
//! derived name, the rule, the input field it comes from, and a fix.

use crate::diagnostic::Diagnostic;
use crate::names::{Derived, Parts};

pub struct NameRule {
    pub code: &'static str,
    /// "S3 bucket names": the subject of the rule sentence.
    pub subject: &'static str,
    pub min: usize,
    pub max: usize,
    pub allowed: fn(char) -> bool,
    /// The allowed characters (and any further condition) in words.
    pub charset: &'static str,
    /// Further conditions; each returned string is one violated condition.
    pub extra: fn(&str) -> Vec<String>,
}

/// One way a name breaks a rule.
#[derive(Debug, PartialEq)]
pub enum Problem {
    TooLong(usize),
    TooShort,
    BadChar(char),
    Other(String),
}

pub fn no_extra(_: &str) -> Vec<String> {
    Vec::new()
}

impl NameRule {
    pub fn statement(&self) -> String {
        format!(
            "{} are {}-{} characters of {}",
            self.subject, self.min, self.max, self.charset
        )
    }

    pub fn problems(&self, name: &str) -> Vec<Problem> {
        let mut found = Vec::new();
        let len = name.chars().count();
        if len > self.max {
            found.push(Problem::TooLong(len - self.max));
        }
        if len < self.min {
            found.push(Problem::TooShort);
        }
        let mut seen = Vec::new();
        for c in name.chars().filter(|c| !(self.allowed)(*c)) {
            if !seen.contains(&c) {
                seen.push(c);
                found.push(Problem::BadChar(c));
            }
        }
        found.extend((self.extra)(name).into_iter().map(Problem::Other));
        found
    }

    /// Checks one derived name; each violation becomes its own diagnostic,
    /// so a student sees everything wrong at once.
    pub fn check(&self, derived: &Derived, parts: &Parts) -> Vec<Diagnostic> {
        let name = &derived.name;
        let problems = self.problems(name);
        if problems.is_empty() {
            return Vec::new();
        }
        let what = format!("{} name `{name}`", derived.purpose);
        problems
            .into_iter()
            .map(|problem| {
                let (field, message, fix) = match problem {
                    Problem::TooLong(over) => {
                        let field = length_blame(parts);
                        (
                            field,
                            format!("{what} is {} characters long, {over} over the limit", name.chars().count()),
                            format!(
                                "shorten `{field}` by {over} character{} (names embed environment, account_id, student.initials and student.index_no)",
                                if over == 1 { "" } else { "s" }
                            ),
                        )
                    }
                    Problem::TooShort => (
                        "student",
                        format!("{what} is too short"),
                        "fill in environment, student.initials and student.index_no".to_owned(),
                    ),
                    Problem::BadChar(c) => {
                        let field = char_blame(parts, c);
                        (
                            field,
                            format!("{what} contains `{c}`, which is not allowed"),
                            format!("remove or replace `{c}` in `{field}`"),
                        )
                    }
                    Problem::Other(text) => (
                        length_blame(parts),
                        format!("{what} {text}"),
                        "change environment or student.initials so the derived name satisfies the rule".to_owned(),
                    ),
                };
                Diagnostic::error(self.code, field, message)
                    .rule(self.statement())
                    .fix(fix)
            })
            .collect()
    }
}

/// The input field whose value holds `c`; the suffix parts are searched in
/// order, so a character found in several is blamed on the first.
fn char_blame(parts: &Parts, c: char) -> &'static str {
    parts
        .fields()
        .into_iter()
        .find(|(_, value)| value.contains(c))
        .map_or("student", |(field, _)| field)
}

/// The field to shorten when a name is too long: the longer of the two
/// parts an instructor chooses (account and index number are given).
fn length_blame(parts: &Parts) -> &'static str {
    if parts.environment.chars().count() > parts.initials.chars().count() {
        "environment"
    } else {
        "student.initials"
    }
}

pub fn is_alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[A-Za-z0-9_.-]`: Kinesis, Firehose, Kinesis Analytics, Athena workgroups.
pub fn is_alnum_dot_dash_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// `[A-Za-z0-9_-]`: Lambda functions and layers.
pub fn is_alnum_dash_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

/// `[\w+=,.@-]`: IAM role and policy names.
pub fn is_iam_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-')
}

#[cfg(test)]
pub mod testing {
    use super::NameRule;

    pub fn assert_accepts(rule: &NameRule, names: &[&str]) {
        for name in names {
            assert_eq!(rule.problems(name), vec![], "{name} should be accepted");
        }
    }

    pub fn assert_rejects(rule: &NameRule, names: &[&str]) {
        for name in names {
            assert!(!rule.problems(name).is_empty(), "{name} should be rejected");
        }
    }
}
