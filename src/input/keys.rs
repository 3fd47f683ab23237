//! Unknown keys, all of them at once.
//!
//! serde stops at the first unknown key; instructors fix files in one pass.
//! This walks a parsed document against the published JSON Schema and
//! reports every key the schema does not declare, with "did you mean".

use crate::base::codes::Code;
use schemars::schema::{RootSchema, Schema, SchemaObject, SingleOrVec};
use serde_json::Value;

use crate::base::diagnostic::Diagnostic;
use crate::base::suggest;
use crate::input::locate::{join, Locations};

/// Every key in `value` that `root` does not declare. `prefix` is the
/// field path of `value` in its file (empty for a whole document).
pub fn unknown(value: &Value, root: &RootSchema, prefix: &str, at: &Locations) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    walk(value, &root.schema, root, prefix, at, &mut found);
    found
}

fn walk(
    value: &Value,
    schema: &SchemaObject,
    root: &RootSchema,
    path: &str,
    at: &Locations,
    found: &mut Vec<Diagnostic>,
) {
    let schema = resolve(schema, root);
    match value {
        Value::Object(map) => {
            let Some(object) = schema.object.as_ref() else {
                return;
            };
            // A map with free-form keys (such as a class's `defaults`) is
            // checked by its owner, not here.
            if object.properties.is_empty() {
                return;
            }
            let known: Vec<&str> = object.properties.keys().map(String::as_str).collect();
            for (key, child) in map {
                let child_path = join(path, key);
                match object.properties.get(key) {
                    Some(Schema::Object(child_schema)) => {
                        walk(child, child_schema, root, &child_path, at, found);
                    }
                    Some(Schema::Bool(_)) => {}
                    None => found.push(unknown_key(key, &child_path, &known, at)),
                }
            }
        }
        Value::Array(items) => {
            let Some(Schema::Object(item_schema)) = schema
                .array
                .as_ref()
                .and_then(|a| a.items.as_ref())
                .and_then(|i| match i {
                    SingleOrVec::Single(s) => Some(s.as_ref()),
                    SingleOrVec::Vec(_) => None,
                })
            else {
                return;
            };
            for (i, item) in items.iter().enumerate() {
                walk(item, item_schema, root, &format!("{path}[{i}]"), at, found);
            }
        }
        _ => {}
    }
}

/// The diagnostic for one unknown key, suggesting the nearest known one.
fn unknown_key(key: &str, path: &str, known: &[&str], at: &Locations) -> Diagnostic {
    let fix = match suggest::closest(key, known.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("remove it; known keys here: {}", known.join(", ")),
    };
    Diagnostic::new(Code::SG004, path, format!("unknown key `{key}`"))
        .rule("only documented keys are accepted, so a typo cannot silently fall back to a default")
        .fix(fix)
        .at(at.key(path))
}

/// Follows `$ref` and single-element `allOf` (how schemars wraps a
/// referenced type that has a description) to the schema that has the
/// properties.
pub fn resolve<'a>(schema: &'a SchemaObject, root: &'a RootSchema) -> &'a SchemaObject {
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
