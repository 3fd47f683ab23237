//! The shape shared by every AWS naming rule: a length range, an allowed
//! character set, and rule-specific extras. Each rule file declares one
//! `NameRule`; `check` turns a violation into a diagnostic that names the
//! derived name, the rule, the input field it comes from, and a fix.

use crate::base::codes::Code;
use crate::base::diagnostic::{quote, Diagnostic};
use crate::base::part::Name;

pub struct NameRule {
    pub code: Code,
    /// "S3 bucket names": the subject of the rule sentence.
    pub subject: &'static str,
    pub min: usize,
    pub max: usize,
    pub charset: Charset,
    /// Further conditions; each returned string is one violated condition.
    pub extra: fn(&str) -> Vec<String>,
}

/// The character sets AWS names use.
#[derive(Debug, Clone, Copy)]
pub enum Charset {
    /// `[a-z0-9.-]` (S3; more conditions in `s3_bucket`).
    S3,
    /// `[A-Za-z0-9_.-]`: Kinesis, Firehose, Kinesis Analytics, Athena workgroups.
    AlnumDotDashUnderscore,
    /// `[A-Za-z0-9_-]`: Lambda functions and layers.
    AlnumDashUnderscore,
    /// `[\w+=,.@-]`: IAM role and policy names.
    Iam,
    /// `[a-z0-9_]`: Glue names Athena can query.
    LowerAlnumUnderscore,
    /// Anything but control characters (Glue crawlers).
    SingleLine,
    /// `[A-Za-z0-9_./#-]`: CloudWatch log groups.
    LogGroup,
    /// `[A-Za-z0-9_./-]`: SSM parameters.
    SsmParameter,
}

impl Charset {
    pub fn allows(self, c: char) -> bool {
        match self {
            Charset::S3 => is_alnum_lower(c) || c == '-' || c == '.',
            Charset::AlnumDotDashUnderscore => {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
            }
            Charset::AlnumDashUnderscore => c.is_ascii_alphanumeric() || matches!(c, '_' | '-'),
            Charset::Iam => {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-')
            }
            Charset::LowerAlnumUnderscore => is_alnum_lower(c) || c == '_',
            Charset::SingleLine => !c.is_control(),
            Charset::LogGroup => {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | '#')
            }
            Charset::SsmParameter => {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.')
            }
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Charset::S3 => "lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit, without `..`, not shaped like an IP address, and without the prefixes `xn--`, `sthree-`, `amzn-s3-demo-` or the suffixes `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`",
            Charset::AlnumDotDashUnderscore => "letters, digits, `_`, `.` and `-`",
            Charset::AlnumDashUnderscore => "letters, digits, `_` and `-`",
            Charset::Iam => "letters, digits and `+=,.@_-`",
            Charset::LowerAlnumUnderscore => "lowercase letters, digits and `_`",
            Charset::SingleLine => "any characters but control characters",
            Charset::LogGroup => "letters, digits, `_`, `-`, `/`, `.` and `#`",
            Charset::SsmParameter => "letters, digits, `_`, `-`, `/` and `.`",
        }
    }
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
            self.subject,
            self.min,
            self.max,
            self.charset.words()
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
        for c in name.chars().filter(|c| !self.charset.allows(*c)) {
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
    pub fn check(&self, derived: &Name, who: &[(&'static str, &str)]) -> Vec<Diagnostic> {
        let name = &derived.value;
        let problems = self.problems(name);
        if problems.is_empty() {
            return Vec::new();
        }
        let what = format!("{} name {}", derived.purpose, quote(name));
        problems
            .into_iter()
            .map(|problem| {
                // What makes two findings one: a bad character is the same
                // finding in every name that embeds it; a name that is too
                // long is its own (each needs its own cut).
                let value = match &problem {
                    Problem::BadChar(c) => c.to_string(),
                    _ => name.clone(),
                };
                let (field, message, fix) = match problem {
                    Problem::TooLong(over) => {
                        let field = length_blame(who);
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
                        let field = char_blame(who, c);
                        (
                            field,
                            format!("{what} contains `{c}`, which is not allowed"),
                            format!("remove or replace `{c}` in `{field}`"),
                        )
                    }
                    Problem::Other(text) => (
                        length_blame(who),
                        format!("{what} {text}"),
                        "change environment or student.initials so the derived name satisfies the rule".to_owned(),
                    ),
                };
                Diagnostic::new(self.code, field, message)
                    .value(value)
                    .rule(self.statement())
                    .fix(fix)
            })
            .collect()
    }
}

/// The input field whose value holds `c`; the fields a name embeds are
/// searched in order, so a character found in several is blamed on the
/// first.
fn char_blame(who: &[(&'static str, &str)], c: char) -> &'static str {
    who.iter()
        .find(|(_, value)| value.contains(c))
        .map_or("student", |(field, _)| field)
}

/// The field to shorten when a name is too long: the longer of the parts
/// an instructor chooses (account and index number are given).
fn length_blame(who: &[(&'static str, &str)]) -> &'static str {
    let len = |f: &str| {
        who.iter()
            .find(|(field, _)| *field == f)
            .map(|(_, v)| v.chars().count())
    };
    match (len("environment"), len("student.initials")) {
        (Some(e), Some(i)) if e > i => "environment",
        (Some(_), None) => "environment",
        _ => "student.initials",
    }
}

pub fn is_alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
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
