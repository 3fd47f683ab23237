//! Reading a student file: the only module that knows serde_yaml.
//!
//! serde stops at the first problem, but instructors fix files in one pass,
//! so before handing the text to serde we walk it against the published JSON
//! Schema and report every unknown key at once (with "did you mean"). Type
//! errors then come from serde, one at a time, with its location.

use std::path::Path;

use crate::base::codes::Code;
use crate::base::diagnostic::{Diagnostic, Location};
use crate::base::model::{ClassSpec, StudentSpec};
use crate::input::keys;
use crate::input::locate::Locations;

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
        let mut text: String = text.into();
        // Windows editors (Notepad, Excel) start UTF-8 files with a byte
        // order mark; serde_yaml reads one as the start of a second
        // document. It carries no content, so it goes, however many there
        // are. Only line 1 shifts, and carets are drawn from this text.
        let content = text.trim_start_matches('\u{feff}').len();
        if content != text.len() {
            text.drain(..text.len() - content);
        }
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
        let bytes = read_bytes(path)?;
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

/// The bytes of an input file of at most `MAX_INPUT_BYTES` (a roster is
/// read this way and decoded by `input::roster`).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // Read one byte past the limit, never the whole of a huge file (or of
    // /dev/zero).
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

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
///
/// The YAML parser's own messages describe its state, not the typing
/// mistake behind it ("found character that cannot start any token" for a
/// tab, a line too late for `initials:jk`, line 1 for a key written
/// twice), so the common mistakes are looked for first, each on its own
/// line, and the parser's message is the fallback.
fn untyped(source: &Source) -> Result<serde_json::Value, Vec<Diagnostic>> {
    let duplicates = duplicate_keys(source);
    if !duplicates.is_empty() {
        return Err(duplicates);
    }
    serde_yaml::from_str(&source.text).map_err(|e| {
        let tabs = tab_indents(&source.text);
        if !tabs.is_empty() {
            return tabs;
        }
        let glued = glued_colons(&source.text);
        if !glued.is_empty() {
            return glued;
        }
        vec![serde_error(&e)]
    })
}

/// SG011: a key written twice in one mapping, at its second place.
fn duplicate_keys(source: &Source) -> Vec<Diagnostic> {
    source
        .locations
        .duplicates()
        .iter()
        .map(|d| {
            let key = d.path.rsplit('.').next().unwrap_or(&d.path);
            Diagnostic::new(
                Code::SG011,
                d.path.clone(),
                format!(
                    "key `{key}` is written twice; it is first on line {}",
                    d.first.line
                ),
            )
            .rule("a key appears once in its mapping; YAML readers disagree on which value wins")
            .fix(format!(
                "remove one of the two `{key}` lines, keeping the value you mean"
            ))
            .at(Some(d.again))
        })
        .collect()
}

/// SG010: lines indented with a tab. YAML allows only spaces there.
fn tab_indents(text: &str) -> Vec<Diagnostic> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
            let tab = indent.find('\t')?;
            Some(
                Diagnostic::new(Code::SG010, "document", format!("line {} is indented with a tab", i + 1))
                    .rule("YAML indents with spaces only; a tab there is a syntax error")
                    .fix("replace the tab with spaces (two per level, as in `stackgen init`'s file); most editors can convert tabs to spaces")
                    .at(Some(Location {
                        line: i + 1,
                        column: indent[..tab].chars().count() + 1,
                    })),
            )
        })
        .collect()
}

/// SG012: `initials:jk`, a key glued to its value. YAML reads it as one
/// piece of text, then fails on the line after it; the mistake is here.
fn glued_colons(text: &str) -> Vec<Diagnostic> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let body = line.trim_start();
            let body = body.strip_prefix("- ").map_or(body, str::trim_start);
            let start = line.len() - body.len();
            let (key, value) = body.split_once(':')?;
            let is_key = !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && key.starts_with(|c: char| c.is_ascii_alphabetic());
            // `http://...` is a value, not a glued key.
            let glued = value.chars().next().is_some_and(|c| !c.is_whitespace() && c != '#')
                && !value.starts_with("//");
            (is_key && glued).then(|| {
                let value = value.trim_end();
                Diagnostic::new(Code::SG012,
                    "document",
                    format!("no space after the colon in `{key}:{value}`"),
                )
                .rule("in YAML a key and its value are separated by a colon and a space; without the space the line is one piece of text")
                .fix(format!("write `{key}: {value}`"))
                .at(Some(Location {
                    line: i + 1,
                    column: line[..start + key.len()].chars().count() + 1,
                }))
            })
        })
        .collect()
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
        // `student:\n  initials:jk` parses, as the text "initials:jk"
        // where a mapping belongs: the type error is the symptom.
        let glued = glued_colons(&source.text);
        if !glued.is_empty() {
            return glued;
        }
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
/// until it is merged into each student; the class schema types it, so
/// its unknown keys are found with the others).
pub fn class(source: &Source) -> Result<ClassSpec, Vec<Diagnostic>> {
    let value = untyped(source)?;
    let unknown = keys::unknown(
        &value,
        &crate::input::schema::class(),
        "",
        &source.locations,
    );
    typed(source, unknown)
}

/// Parses a student file into the typed model.
pub fn student(source: &Source) -> Result<StudentSpec, Vec<Diagnostic>> {
    let value = untyped(source)?;
    let unknown = keys::unknown(
        &value,
        &crate::input::schema::student(),
        "",
        &source.locations,
    );
    // Read from the text first: its errors carry a place in the file.
    let _: StudentSpec = typed(source, unknown)?;
    let base = std::path::Path::new(&source.name)
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."));
    with_edition(&value, base, |d| {
        d.location = source.locations.value(&d.field);
    })
}

/// The spec a document gives once its edition's defaults are laid under
/// it; `place` attaches a location to the edition's diagnostics.
pub fn with_edition(
    document: &serde_json::Value,
    base: &std::path::Path,
    place: impl Fn(&mut Diagnostic),
) -> Result<StudentSpec, Vec<Diagnostic>> {
    let (edition, merged) = super::edition::apply(document, base).map_err(|mut found| {
        found.iter_mut().for_each(&place);
        found
    })?;
    let mut spec: StudentSpec = serde_json::from_value(merged).map_err(|e| {
        let mut d = Diagnostic::new(
            Code::SG702,
            "edition",
            format!(
                "the defaults of edition `{}` do not fit the student file: {e}",
                edition.name
            ),
        )
        .rule("an edition's `defaults` hold student-file keys with their types")
        .fix("correct the edition file's `defaults`");
        place(&mut d);
        vec![d]
    })?;
    spec.resolved_edition = Some(std::sync::Arc::new(edition));
    Ok(spec)
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
    if message.starts_with("unknown variant") {
        return not_a_choice(&field, &message).at(location);
    }
    let (code, rule, fix) = if message.contains("missing field") {
        (
            Code::SG002,
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
        (Code::SG003, "each field has a fixed type", fix)
    } else {
        (
            Code::SG001,
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
    Diagnostic::new(code, field, message)
        .rule(rule)
        .fix(fix)
        .at(location)
}

/// SG013: a field with a fixed set of values (`target`, `policy_style`,
/// `analytics.engine`) given another one. `message` is serde's
/// "unknown variant `Modern`, expected `classic` or `modern`". Values are
/// matched exactly, so `Modern` is the likeliest mistake: the suggestion
/// is looked up ignoring case first.
pub fn not_a_choice(field: &str, message: &str) -> Diagnostic {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (value, choices) = quoted.split_first().map_or(("", &[][..]), |(v, c)| (*v, c));
    let list = choices
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let fix = match choices.iter().find(|c| c.eq_ignore_ascii_case(value)) {
        Some(same) => format!("did you mean `{same}`? The values are written in lowercase"),
        None => match crate::base::suggest::closest(
            &value.to_ascii_lowercase(),
            choices.iter().copied(),
        ) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("use one of {list}"),
        },
    };
    let field = if field.is_empty() { "document" } else { field };
    Diagnostic::new(
        Code::SG013,
        field,
        format!("`{value}` is not one of the values of `{field}`"),
    )
    .rule(format!("`{field}` is one of {list}, written exactly so"))
    .fix(fix)
}

/// The handout's student (Jan Kowalski, jk, 12345, in account 100603781557)
/// with every default, as the unit tests of other modules share it.
#[cfg(test)]
pub fn handout_student() -> StudentSpec {
    student(&Source::new(
        "student.yaml",
        "student: {name: Jan Kowalski, initials: jk, index_no: \"12345\"}\naccount_id: \"100603781557\"\n",
    ))
    .expect("the handout's student is valid")
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
        assert_eq!(errors[0].code, Code::SG003);
        assert_eq!(errors[0].field, "account_id");
        assert_eq!(errors[0].location.map(|l| l.line), Some(5));
    }

    #[test]
    fn a_byte_order_mark_is_not_a_second_document() {
        let spec = parse(&format!("\u{feff}{MINIMAL}")).unwrap();
        assert_eq!(spec.student.initials, "jk");
    }

    #[test]
    fn tabs_are_named_at_every_line_they_indent() {
        let text = MINIMAL
            .replace("  name", "\tname")
            .replace("  initials", " \tinitials");
        let errors = parse(&text).unwrap_err();
        let places: Vec<_> = errors.iter().map(|d| (d.code, d.location)).collect();
        assert_eq!(
            places,
            [
                (Code::SG010, Some(Location { line: 2, column: 1 })),
                (Code::SG010, Some(Location { line: 3, column: 2 })),
            ]
        );
    }

    #[test]
    fn a_glued_colon_is_reported_on_its_own_line() {
        let errors = parse(&MINIMAL.replace("initials: jk", "initials:jk")).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].code, Code::SG012);
        assert_eq!(
            errors[0].location,
            Some(Location {
                line: 3,
                column: 11
            })
        );
        assert_eq!(errors[0].fix, "write `initials: jk`");
        // The same mistake where YAML reads it as text, not as a syntax error.
        let errors = parse("student:\n  initials:jk\naccount_id: \"1\"\n").unwrap_err();
        assert_eq!(errors[0].code, Code::SG012);
        assert_eq!(errors[0].location.map(|l| l.line), Some(2));
    }

    #[test]
    fn a_duplicate_key_points_at_its_second_place() {
        let errors =
            parse(&format!("{MINIMAL}region: us-east-1\nregion: eu-west-1\n")).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].code, Code::SG011);
        assert_eq!(errors[0].location, Some(Location { line: 7, column: 1 }));
        assert!(
            errors[0].message.contains("first on line 6"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_choice_suggests_its_value_ignoring_case() {
        let errors = parse(&format!("target: Modern\n{MINIMAL}")).unwrap_err();
        assert_eq!(errors[0].code, Code::SG013);
        assert_eq!(errors[0].field, "target");
        assert!(
            errors[0].fix.starts_with("did you mean `modern`?"),
            "{}",
            errors[0].fix
        );
        let errors = parse(&format!("policy_style: least-privilege\n{MINIMAL}")).unwrap_err();
        assert_eq!(errors[0].fix, "did you mean `least_privilege`?");
        let errors = parse(&format!("target: newest\n{MINIMAL}")).unwrap_err();
        assert_eq!(errors[0].fix, "use one of `classic`, `modern`");
    }

    #[test]
    fn syntax_error_has_a_location() {
        let errors = parse("student: [\n").unwrap_err();
        assert_eq!(errors[0].code, Code::SG001);
        assert!(errors[0].location.is_some());
    }
}
