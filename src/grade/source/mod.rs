//! The sources `stackgen grade` reads, each turned into `Observed`.
//!
//! - `state`: `terraform show -json` of a state, or a raw
//!   `terraform.tfstate` (format 4);
//! - `plan`: `terraform show -json PLANFILE`;
//! - `code`: the student's Terraform directory, evaluated without
//!   Terraform.
//!
//! - `live`: the student's AWS account itself (`grade --live`), which adds
//!   the data flow (`grade::flow`).
//!
//! Each source is a file (or folder) here, and the checks do not change.
//!
//! A file that is not what it claims (not JSON, truncated, nested beyond
//! reason, the wrong shape, an unknown format version) is a `ReadError::Invalid`
//! with a code (SG801 to SG803) and the place in the file; one that cannot
//! be read at all is `ReadError::Io`. Nothing here panics on any input: the
//! JSON parser stops at 128 levels of nesting, the file at `MAX_BYTES`, and
//! only the resource types a check reads are parsed into values.

pub mod code;
pub mod live;
pub mod plan;
pub mod state;

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::observed::Observed;
use crate::base::codes::Code;
use crate::base::diagnostic::{Diagnostic, Location};

/// Where a grade's observations come from (the JSON contract's `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    State,
    Plan,
    /// The student's Terraform code (`code::read`).
    Code,
    /// The student's AWS account (`live::read`).
    Live,
}

impl Source {
    pub fn flag(self) -> &'static str {
        match self {
            Source::State => "--state",
            Source::Plan => "--plan",
            Source::Code => "--code",
            Source::Live => "--live",
        }
    }

    /// What the source is, as the subject of a sentence.
    pub fn holder(self) -> &'static str {
        match self {
            Source::State => "a Terraform state",
            Source::Plan => "a Terraform plan",
            Source::Code => "the student's Terraform code",
            Source::Live => "the AWS account",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Source::State => "state",
            Source::Plan => "plan",
            Source::Code => "code",
            Source::Live => "live",
        }
    }
}

/// The largest file read: a lab's state is a few hundred kilobytes; a
/// file past this is not one.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be read (exit 1).
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not what the flag says it is (exit 2).
    #[error("{}", .0.message)]
    Invalid(Box<Diagnostic>),
}

/// Reads a source file into what it observed. `wanted` says which
/// resource types to parse the values of (the others are skipped unread).
pub fn read(
    source: Source,
    path: &Path,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Observed, ReadError> {
    let text = read_text(source, path)?;
    parse(source, &path.display().to_string(), &text, wanted).map_err(ReadError::Invalid)
}

/// Reads a source's text (`name` is the file's, for the diagnostics).
pub fn parse(
    source: Source,
    name: &str,
    text: &str,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Observed, Box<Diagnostic>> {
    let file = Problem::new(source, Path::new(name), text);
    match source {
        Source::State => state::parse(text, &file, wanted),
        Source::Plan => plan::parse(text, &file, wanted),
        Source::Code => {
            // One file as the whole root module, in a placeholder account:
            // `code::read` and `code::parse_text` take the student's.
            let account = code::Account {
                account_id: "123456789012".to_owned(),
                region: "us-east-1".to_owned(),
            };
            code::parse_text(&[(name, text)], "", &account)
        }
        Source::Live => Err(file.diagnostic(
            Code::SG802,
            format!(
                "{} is a file; a live grade reads the AWS account",
                file.shown
            ),
            None,
        )),
    }
}

fn read_text(source: Source, path: &Path) -> Result<String, ReadError> {
    use std::io::Read as _;
    let io = |e| ReadError::Io {
        path: path.to_owned(),
        source: e,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // A regular file's size is known before reading it; a pipe's is not,
    // and reading stops one byte past the limit.
    let size = file.metadata().map_err(io)?.len();
    let mut bytes = Vec::new();
    if size <= MAX_BYTES {
        file.take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    let file = Problem::new(source, path, "");
    if size > MAX_BYTES || bytes.len() as u64 > MAX_BYTES {
        return Err(ReadError::Invalid(file.diagnostic(
            Code::SG801,
            format!(
                "{} is larger than {} MiB: not a lab's Terraform {}",
                file.shown,
                MAX_BYTES / 1024 / 1024,
                source.word()
            ),
            None,
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Invalid(file.diagnostic(
            Code::SG801,
            format!(
                "{} is not UTF-8 text (byte {}): not the JSON `terraform show -json` writes",
                file.shown,
                e.utf8_error().valid_up_to()
            ),
            None,
        ))
    })
}

/// What a reader needs to explain a problem with the file.
pub struct Problem<'a> {
    pub source: Source,
    /// The path in backticks, as the user gave it.
    pub shown: String,
    path: String,
    text: &'a str,
}

impl<'a> Problem<'a> {
    fn new(source: Source, path: &Path, text: &'a str) -> Self {
        let path = path.display().to_string();
        Self {
            source,
            shown: crate::base::diagnostic::quote(&path),
            path,
            text,
        }
    }

    /// A diagnostic about the file: `field` is the flag, the value the
    /// path; `at` a byte place or serde_json's line and column.
    pub fn diagnostic(&self, code: Code, message: String, at: Option<Location>) -> Box<Diagnostic> {
        let (rule, fix) = match (code, self.source) {
            (Code::SG801, _) => (
                "a grade reads the JSON that `terraform show -json` prints (or a `terraform.tfstate`)",
                "write it again, whole: `terraform show -json > state.json` (for a plan: `terraform plan -out=plan.tfplan` then `terraform show -json plan.tfplan > plan.json`)",
            ),
            (Code::SG803, _) => (
                "stackgen reads `terraform show -json` format 0.x and 1.x and raw states of format 4 (Terraform 0.12 and later)",
                "print it with Terraform 0.12 or later: `terraform show -json`",
            ),
            (_, Source::State) => (
                "`--state` reads `terraform show -json` of a state, or a `terraform.tfstate`",
                "for a state: `terraform show -json > state.json`; for a plan use `--plan`",
            ),
            (_, Source::Code) => (
                "`--code` reads a directory of Terraform `.tf` files",
                "fix the file as `terraform validate` says",
            ),
            (_, Source::Live) => (
                "`--live` reads the student's AWS account, not a file",
                "grade with `--live` and the credentials of the student's account",
            ),
            (_, Source::Plan) => (
                "`--plan` reads `terraform show -json PLANFILE`",
                "`terraform plan -out=plan.tfplan`, then `terraform show -json plan.tfplan > plan.json`; for a state use `--state`",
            ),
        };
        Box::new(
            Diagnostic::new(code, self.source.flag(), message)
                .value(self.path.clone())
                .rule(rule)
                .fix(fix)
                .at(at),
        )
    }

    /// A serde_json error as a diagnostic: syntax and truncation are
    /// SG801, a value of the wrong type SG802.
    pub fn json_error(&self, e: &serde_json::Error, what: &str) -> Box<Diagnostic> {
        self.json_error_in(e, what, self.text)
    }

    /// `json_error` for an error in `part`, a slice of the file's text
    /// (a raw value parsed on its own): the place is given in the file.
    pub fn json_error_in(&self, e: &serde_json::Error, what: &str, part: &str) -> Box<Diagnostic> {
        use serde_json::error::Category;
        // `part` borrows from the file's text: its offset places the
        // error's line and column in the file.
        let offset = (part.as_ptr() as usize)
            .checked_sub(self.text.as_ptr() as usize)
            .filter(|o| *o <= self.text.len())
            .unwrap_or(0);
        let before = &self.text[..offset];
        let base_line = before.matches('\n').count() + 1;
        let base_column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        let at = (e.line() > 0).then(|| Location {
            line: base_line + e.line() - 1,
            column: if e.line() == 1 {
                base_column + e.column().max(1) - 1
            } else {
                e.column().max(1)
            },
        });
        let (code, message) = match e.classify() {
            Category::Eof => (
                Code::SG801,
                format!(
                    "{} ends in the middle of its JSON: the file is cut short",
                    self.shown
                ),
            ),
            Category::Syntax | Category::Io => (
                Code::SG801,
                format!("{} is not valid JSON: {}", self.shown, strip_place(e)),
            ),
            Category::Data => (
                Code::SG802,
                format!("{} is not {what}: {}", self.shown, strip_place(e)),
            ),
        };
        self.diagnostic(code, message, at)
    }

    /// The file's text, for showing the line of a problem.
    pub fn text(&self) -> &str {
        self.text
    }
}

/// serde_json's message without its " at line 1 column 5" (the diagnostic
/// gives the place).
fn strip_place(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// The major version of a `format_version` ("1.2" -> 1), if it is one
/// stackgen reads: 0.x and 1.x.
pub fn known_format(version: &str) -> bool {
    matches!(version.split('.').next(), Some("0" | "1"))
        && version
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
