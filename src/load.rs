//! Reading a student file: the only module that knows serde_yaml.
//!
//! serde stops at the first problem, but instructors fix files in one pass,
//! so before handing the text to serde we walk it against the published JSON
//! Schema and report every unknown key at once (with "did you mean"). Type
//! errors then come from serde, one at a time, with its location.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Location};
use crate::keys;
use crate::locate::Locations;
use crate::model::{ClassSpec, StudentSpec};

/// The input text with what is needed to point into it.
#[derive(Debug)]
pub struct Source {
    /// The name shown in diagnostics: the path as the user gave it.
    pub name: String,
    pub text: String,
    pub locations: Locations,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let locations = Locations::index(&text);
        Self {
            name: name.into(),
            text,
            locations,
        }
    }

    /// Reads an input file of at most `MAX_INPUT_BYTES`, which must be
    /// UTF-8 text.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        use std::io::Read as _;
        let file = std::fs::File::open(path).map_err(ReadError::Io)?;
        // Read one byte past the limit, never the whole of a huge file (or
        // of /dev/zero).
        let mut bytes = Vec::new();
        file.take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(ReadError::Io)?;
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            return Err(ReadError::TooLarge);
        }
        let text = String::from_utf8(bytes)
            .map_err(|e| not_text(e.as_bytes(), e.utf8_error().valid_up_to()))?;
        if let Some(nul) = text.find('\0') {
            return Err(not_text(text.as_bytes(), nul));
        }
        Ok(Self::new(path.display().to_string(), text))
    }

    /// Fills in the file location of diagnostics that have none yet.
    pub fn locate(&self, diagnostics: &mut [Diagnostic]) {
        for d in diagnostics.iter_mut().filter(|d| d.location.is_none()) {
            d.location = self.locations.value(&d.field);
        }
    }

    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        render_in(std::slice::from_ref(self), diagnostic)
    }
}

/// The largest input file (student, class or roster) stackgen reads: far
/// above a 10,000-student class (about 0.6 MB inline, 0.4 MB as a roster),
/// far below what would take noticeable time or memory.
pub const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// Why an input file could not be read. Everything but `Io` is a problem
/// of the input (exit 2), not of the machine.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(std::io::Error),
    #[error("the file is larger than {} MiB, the limit for an input file; a 10,000-student class is well under 1 MiB, so this is not a student, class or roster file", MAX_INPUT_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("the file is not UTF-8 text: {what} at line {line}, column {column}{hint}; save it as UTF-8 text")]
    NotText {
        what: String,
        line: usize,
        column: usize,
        hint: &'static str,
    },
}

impl ReadError {
    /// The file was read and is not a valid input (exit 2), as opposed to
    /// a missing or unreadable file.
    pub fn is_invalid_input(&self) -> bool {
        !matches!(self, ReadError::Io(_))
    }
}

/// Where the first byte that is not text is, as line and column (in
/// characters) of the valid text before it.
fn not_text(bytes: &[u8], at: usize) -> ReadError {
    let before = String::from_utf8_lossy(&bytes[..at]);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let byte = bytes[at];
    let hint = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        " (it starts like UTF-16)"
    } else if bytes.contains(&0) {
        " (it holds NUL bytes, so it looks like a binary file)"
    } else {
        ""
    };
    ReadError::NotText {
        what: if byte == 0 {
            "a NUL byte".to_owned()
        } else {
            format!("the byte 0x{byte:02X}")
        },
        line,
        column,
        hint,
    }
}

/// Renders a diagnostic against whichever of `sources` it points into (the
/// first one unless the diagnostic names another file).
pub fn render_in(sources: &[Source], diagnostic: &Diagnostic) -> String {
    let source = match &diagnostic.file {
        Some(file) => sources.iter().find(|s| &s.name == file),
        None => sources.first(),
    };
    match source {
        Some(s) => diagnostic.render(&s.name, Some(&s.text)),
        None => diagnostic.render(diagnostic.file.as_deref().unwrap_or("input"), None),
    }
}

/// What kind of input a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Student,
    Class,
}

/// The document as untyped data, for the checks that run before serde.
fn untyped(source: &Source) -> Result<serde_json::Value, Vec<Diagnostic>> {
    serde_yaml::from_str(&source.text).map_err(|e| vec![serde_error(&e)])
}

/// The document as `T`, once no key is unknown (`unknown` is what the
/// schema walk found). Parsed again from the text, not from the untyped
/// value: only errors found while reading text carry a location.
fn typed<T: serde::de::DeserializeOwned>(
    source: &Source,
    unknown: Vec<Diagnostic>,
) -> Result<T, Vec<Diagnostic>> {
    if !unknown.is_empty() {
        return Err(unknown);
    }
    serde_yaml::from_str(&source.text).map_err(|e| {
        let mut d = serde_error(&e);
        if d.location.is_none() {
            d.location = source.locations.value(&d.field);
        }
        vec![d]
    })
}

/// A file with `students`, `roster` or `course` at the top is a class.
pub fn kind(source: &Source) -> Result<Kind, Vec<Diagnostic>> {
    let value = untyped(source)?;
    let is_class = ["students", "roster", "course"]
        .iter()
        .any(|k| value.get(k).is_some());
    Ok(if is_class { Kind::Class } else { Kind::Student })
}

/// Parses a class file into the typed model (`defaults` stays untyped
/// until it is merged into each student).
pub fn class(source: &Source) -> Result<ClassSpec, Vec<Diagnostic>> {
    let value = untyped(source)?;
    let mut unknown = keys::unknown(&value, &crate::schema::class(), "", &source.locations);
    if let Some(defaults) = value.get("defaults") {
        unknown.extend(keys::unknown(
            defaults,
            &crate::schema::student(),
            "defaults",
            &source.locations,
        ));
    }
    typed(source, unknown)
}

/// Parses a student file into the typed model.
pub fn student(source: &Source) -> Result<StudentSpec, Vec<Diagnostic>> {
    let value = untyped(source)?;
    let unknown = keys::unknown(&value, &crate::schema::student(), "", &source.locations);
    typed(source, unknown)
}

/// Turns a serde_yaml error into a diagnostic, keeping its path and place.
fn serde_error(error: &serde_yaml::Error) -> Diagnostic {
    let text = error.to_string();
    // serde_yaml appends " at line L column C"; the location is kept apart.
    let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
    let (field, message) = match text.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (path.to_owned(), rest.to_owned()),
        _ => (String::new(), text.clone()),
    };
    let location = error.location().map(|l| Location {
        line: l.line(),
        column: l.column(),
    });
    let (code, rule, fix) = if message.contains("missing field") {
        (
            "SG002",
            "every required field must be present",
            "add the field; `stackgen schema` lists all fields".to_owned(),
        )
    } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let quote = message.contains("integer")
            && (field.ends_with("account_id") || field.ends_with("index_no"));
        let fix = if quote {
            "write the digits in quotes, e.g. `\"012345678901\"`: as a number, leading zeros are lost"
                .to_owned()
        } else {
            "give a value of the expected type; `stackgen schema` describes every field".to_owned()
        };
        ("SG003", "each field has a fixed type", fix)
    } else {
        (
            "SG001",
            "the input must be well-formed YAML",
            "fix the YAML syntax at the place shown".to_owned(),
        )
    };
    let field = if field.is_empty() {
        "document".to_owned()
    } else {
        field
    };
    // serde names Rust types; say what they mean in a YAML file.
    let message = message
        .replace("expected u32", "expected a whole number")
        .replace("expected f64", "expected a number");
    Diagnostic::error(code, field, message)
        .rule(rule)
        .fix(fix)
        .at(location)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<StudentSpec, Vec<Diagnostic>> {
        student(&Source::new("student.yaml", text))
    }

    const MINIMAL: &str = "student:\n  name: Jan Kowalski\n  initials: jk\n  index_no: \"12345\"\naccount_id: \"100603781557\"\n";

    #[test]
    fn minimal_file_gets_handout_defaults() {
        let spec = parse(MINIMAL).unwrap();
        assert_eq!(spec.region, "us-east-1");
        assert_eq!(spec.environment, "dev");
        assert_eq!(spec.stream.shard_count, 1);
        assert_eq!(spec.lambda.timeout_s, 300);
    }

    #[test]
    fn all_unknown_keys_are_reported_at_once_with_suggestions() {
        let text = format!("{MINIMAL}regoin: us-east-1\nstream:\n  shards: 2\n");
        let errors = parse(&text).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert_eq!(errors[0].field, "regoin");
        assert_eq!(errors[0].fix, "did you mean `region`?");
        assert_eq!(errors[0].location, Some(Location { line: 6, column: 1 }));
        assert_eq!(errors[1].field, "stream.shards");
        assert!(errors[1].fix.contains("shard_count"), "{}", errors[1].fix);
    }

    #[test]
    fn unquoted_digits_keep_their_leading_zeros() {
        // serde_yaml hands a plain scalar to a string field as written, so
        // an unquoted account id is read digit for digit.
        let text = MINIMAL.replace("\"100603781557\"", "012345678901");
        assert_eq!(parse(&text).unwrap().account_id, "012345678901");
    }

    #[test]
    fn wrong_type_is_reported_with_its_field() {
        let text = MINIMAL.replace("\"100603781557\"", "[1, 2]");
        let errors = parse(&text).unwrap_err();
        assert_eq!(errors[0].code, "SG003");
        assert_eq!(errors[0].field, "account_id");
        assert_eq!(errors[0].location.map(|l| l.line), Some(5));
    }

    #[test]
    fn syntax_error_has_a_location() {
        let errors = parse("student: [\n").unwrap_err();
        assert_eq!(errors[0].code, "SG001");
        assert!(errors[0].location.is_some());
    }
}
