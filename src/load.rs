//! Reading a student file: the only module that knows serde_yaml.
//!
//! serde stops at the first problem, but instructors fix files in one pass,
//! so before handing the text to serde we walk it against the published JSON
//! Schema and report every unknown key at once (with "did you mean"). Type
//! errors then come from serde, one at a time, with its location.

use std::path::Path;

use schemars::schema::{RootSchema, Schema, SchemaObject};
use serde_yaml::Value;

use crate::diagnostic::{Diagnostic, Location};
use crate::locate::Locations;
use crate::model::StudentSpec;
use crate::suggest;

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

    pub fn read(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        Ok(Self::new(path.display().to_string(), text))
    }

    /// Fills in the file location of diagnostics that have none yet.
    pub fn locate(&self, diagnostics: &mut [Diagnostic]) {
        for d in diagnostics.iter_mut().filter(|d| d.location.is_none()) {
            d.location = self.locations.value(&d.field);
        }
    }

    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        diagnostic.render(&self.name, Some(&self.text))
    }
}

/// Parses a student file into the typed model.
pub fn student(source: &Source) -> Result<StudentSpec, Vec<Diagnostic>> {
    let value: Value = serde_yaml::from_str(&source.text).map_err(|e| vec![serde_error(&e)])?;
    let unknown = unknown_keys(&value, &crate::schema::student(), source);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    // Parsed again from the text, not from `value`: only errors found
    // while reading text carry a location.
    serde_yaml::from_str(&source.text).map_err(|e| {
        let mut d = serde_error(&e);
        if d.location.is_none() {
            d.location = source.locations.value(&d.field);
        }
        vec![d]
    })
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

/// Every key in `value` that the schema does not declare.
fn unknown_keys(value: &Value, root: &RootSchema, source: &Source) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    walk(value, &root.schema, root, "", source, &mut found);
    found
}

fn walk(
    value: &Value,
    schema: &SchemaObject,
    root: &RootSchema,
    path: &str,
    source: &Source,
    found: &mut Vec<Diagnostic>,
) {
    let schema = resolve(schema, root);
    match value {
        Value::Mapping(map) => {
            let Some(object) = schema.object.as_ref() else {
                return;
            };
            let known: Vec<&str> = object.properties.keys().map(String::as_str).collect();
            for (key, child) in map {
                let Some(key) = key.as_str() else { continue };
                let child_path = if path.is_empty() {
                    key.to_owned()
                } else {
                    format!("{path}.{key}")
                };
                match object.properties.get(key) {
                    Some(Schema::Object(child_schema)) => {
                        walk(child, child_schema, root, &child_path, source, found);
                    }
                    Some(Schema::Bool(_)) => {}
                    None => {
                        let fix = match suggest::closest(key, known.iter().copied()) {
                            Some(near) => format!("did you mean `{near}`?"),
                            None => format!("remove it; known keys here: {}", known.join(", ")),
                        };
                        found.push(
                            Diagnostic::error(
                                "SG004",
                                child_path.clone(),
                                format!("unknown key `{key}`"),
                            )
                            .rule("only documented keys are accepted, so a typo cannot silently fall back to a default")
                            .fix(fix)
                            .at(source.locations.key(&child_path)),
                        );
                    }
                }
            }
        }
        Value::Sequence(items) => {
            let Some(Schema::Object(item_schema)) = schema
                .array
                .as_ref()
                .and_then(|a| a.items.as_ref())
                .and_then(|i| match i {
                    schemars::schema::SingleOrVec::Single(s) => Some(s.as_ref()),
                    schemars::schema::SingleOrVec::Vec(_) => None,
                })
            else {
                return;
            };
            for (i, item) in items.iter().enumerate() {
                walk(
                    item,
                    item_schema,
                    root,
                    &format!("{path}[{i}]"),
                    source,
                    found,
                );
            }
        }
        _ => {}
    }
}

/// Follows `$ref` and single-element `allOf` (how schemars wraps a
/// referenced type that has a description) to the schema that has the
/// properties.
fn resolve<'a>(schema: &'a SchemaObject, root: &'a RootSchema) -> &'a SchemaObject {
    if let Some(reference) = &schema.reference {
        let name = reference.trim_start_matches("#/definitions/");
        if let Some(Schema::Object(target)) = root.definitions.get(name) {
            return resolve(target, root);
        }
    }
    if let Some(all) = schema.subschemas.as_ref().and_then(|s| s.all_of.as_ref()) {
        if let [Schema::Object(only)] = all.as_slice() {
            return resolve(only, root);
        }
    }
    schema
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
