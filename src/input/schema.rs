//! The JSON Schema of the input, published by `stackgen schema` so editors
//! can complete and check student files, and used by `load` to find unknown
//! keys.
//!
//! The schema says statically what validation says: patterns, enums and
//! ranges for single fields, and `if`/`then` for the rules that depend on
//! the target or on the Learner Lab mode. It may accept a file validation
//! rejects (a name that gets too long only in combination, a layer version
//! above what one region has), but never rejects a valid one: a test runs
//! a real JSON Schema validator over every example and every bad input.
//!
//! The field functions below are named by `#[schemars(schema_with)]` in
//! `model`, and take their values from the same tables validation uses
//! (`aws`, `features`, `stack::edition`), so the two cannot drift.

use schemars::gen::SchemaGenerator;
use schemars::schema::{RootSchema, Schema};
use schemars::JsonSchema;
use serde_json::{json, Value};

use crate::base::aws;
use crate::base::model::{ClassSpec, StudentSpec};
use crate::stack::features::{
    pandas_layer, CLASSIC_RUNTIME, LEARNER_LAB_REGIONS, MODERN_RUNTIME, MODERN_RUNTIMES,
};

pub fn student() -> RootSchema {
    let mut root = schemars::schema_for!(StudentSpec);
    // Rules across fields. Two entries, so `keys::resolve` (which follows
    // a one-entry `allOf`) keeps reading the root's own properties.
    let mut rules = vec![from(by_target()), from(learner_lab())];
    rules.extend(layer_versions().into_iter().map(from));
    root.schema.subschemas().all_of = Some(rules);
    root
}

pub fn class() -> RootSchema {
    let mut root = schemars::schema_for!(ClassSpec);
    // Exactly one of `students` and `roster` (SG501), as in `class::check`.
    root.schema.subschemas().one_of = Some(vec![
        from(json!({ "required": ["students"] })),
        from(json!({ "required": ["roster"] })),
    ]);
    if let Some(Schema::Object(students)) = root.schema.object().properties.get_mut("students") {
        // A class lists at least one student (SG501).
        students.array().min_items = Some(1);
    }
    root
}

/// The class file's schema as pretty JSON, ending in a newline.
pub fn class_json() -> String {
    let mut text = serde_json::to_string_pretty(&class()).expect("a schema always serializes");
    text.push('\n');
    text
}

/// The schema as pretty JSON, ending in a newline.
pub fn student_json() -> String {
    let mut text = serde_json::to_string_pretty(&student()).expect("a schema always serializes");
    text.push('\n');
    text
}

fn from(value: Value) -> Schema {
    serde_json::from_value(value).expect("the literal is a JSON Schema")
}

/// What each target accepts (SG305, SG317, SG318, SG320). `target` is
/// modern when absent, so only an explicit `classic` takes the first branch.
fn by_target() -> Value {
    let modern: Vec<Value> = MODERN_RUNTIMES
        .iter()
        .map(|r| json!(r))
        .chain([Value::Null])
        .collect();
    // An engine only matters while exercise 5 is on (`analytics.enabled`).
    let engine = |allowed: &str| {
        json!({
            "if": { "properties": { "enabled": { "const": false } }, "required": ["enabled"] },
            "else": { "properties": { "engine": { "enum": [allowed, null] } } }
        })
    };
    json!({
        "if": { "properties": { "target": { "const": "classic" } }, "required": ["target"] },
        "then": { "properties": {
            "lambda": { "properties": {
                "runtime": { "enum": [CLASSIC_RUNTIME, null] },
                "layer_version": { "type": "null" }
            } },
            "analytics": engine("sql")
        } },
        "else": { "properties": {
            "lambda": { "properties": {
                "runtime": { "enum": modern },
                "layer_zip": { "type": "null" }
            } },
            "analytics": engine("lambda")
        } }
    })
}

/// With `iam.existing_role` the stack is for a Learner Lab, which has only
/// two regions (SG322); `region` defaults to us-east-1, one of them.
fn learner_lab() -> Value {
    json!({
        "if": {
            "properties": { "iam": {
                "properties": { "existing_role": { "type": "string" } },
                "required": ["existing_role"]
            } },
            "required": ["iam"]
        },
        "then": { "properties": { "region": { "enum": LEARNER_LAB_REGIONS } } }
    })
}

/// SG321 on a modern stack: where AWS publishes no layer,
/// `lambda.layer_version` is required; where it does, the version is at
/// most the newest published for the region and runtime. Regions with the
/// same newest version share one rule, so the schema stays small.
fn layer_versions() -> Vec<Value> {
    let modern = json!({ "enum": ["modern"] });
    // The region a file means: `us-east-1` when it gives none.
    let in_regions = |regions: &[&str]| {
        let given =
            json!({ "properties": { "region": { "enum": regions } }, "required": ["region"] });
        if regions.contains(&"us-east-1") {
            json!({ "anyOf": [given, { "not": { "required": ["region"] } }] })
        } else {
            given
        }
    };
    let mut rules = Vec::new();
    let unpublished: Vec<&str> = aws::REGIONS
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| pandas_layer(r, MODERN_RUNTIME).is_none())
        .collect();
    rules.push(json!({
        "if": { "allOf": [{ "properties": { "target": modern } }, in_regions(&unpublished)] },
        "then": { "required": ["lambda"], "properties": { "lambda": { "required": ["layer_version"] } } }
    }));
    for runtime in MODERN_RUNTIMES {
        // The runtime a file means: the modern default when it gives none.
        let runtime_is = if runtime == MODERN_RUNTIME {
            json!({ "properties": { "lambda": { "properties": { "runtime": { "enum": [runtime, null] } } } } })
        } else {
            json!({
                "properties": { "lambda": { "properties": { "runtime": { "const": runtime } }, "required": ["runtime"] } },
                "required": ["lambda"]
            })
        };
        let mut by_newest = std::collections::BTreeMap::<u32, Vec<&str>>::new();
        for (region, _) in aws::REGIONS {
            if let Some(layer) = pandas_layer(region, runtime) {
                by_newest.entry(layer.newest).or_default().push(region);
            }
        }
        for (newest, regions) in by_newest {
            rules.push(json!({
                "if": { "allOf": [{ "properties": { "target": modern } }, runtime_is, in_regions(&regions)] },
                "then": { "properties": { "lambda": { "properties": { "layer_version": { "maximum": newest } } } } }
            }));
        }
    }
    rules
}

/// `region`: a region code from `aws::REGIONS` (SG102).
pub fn region(_: &mut SchemaGenerator) -> Schema {
    let codes: Vec<&str> = aws::REGIONS.iter().map(|(r, _)| *r).collect();
    from(json!({ "type": "string", "enum": codes }))
}

/// A class student's own `region`, which may be left out.
pub fn optional_region(_: &mut SchemaGenerator) -> Schema {
    let codes: Vec<Value> = aws::REGIONS
        .iter()
        .map(|(r, _)| json!(r))
        .chain([Value::Null])
        .collect();
    from(json!({ "type": ["string", "null"], "enum": codes }))
}

/// `edition`: a built-in edition, or the path of an edition file, as
/// `stack::edition::resolve` tells them apart (SG701).
pub fn edition(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = crate::base::edition::built_in_names().collect();
    from(json!({ "anyOf": [
        { "type": "string", "enum": names },
        { "type": "string", "pattern": "(/|\\.[yY][aA]?[mM][lL]$)" },
        { "type": "null" }
    ] }))
}

/// `log_retention_days`: one of CloudWatch Logs' values (SG309).
pub fn log_retention_days(_: &mut SchemaGenerator) -> Schema {
    from(json!({ "type": "integer", "enum": aws::LOG_RETENTION_DAYS }))
}

/// A full name as an AWS tag value takes it (SG105). `\p{So}` is there
/// because Rust's `char::is_alphanumeric`, which validation uses, counts a
/// few symbols (circled letters) as alphabetic: the schema must not be
/// stricter than validation.
pub fn full_name(_: &mut SchemaGenerator) -> Schema {
    from(json!({
        "type": "string",
        "minLength": 1,
        "maxLength": 256,
        "pattern": "^[\\p{L}\\p{M}\\p{N}\\p{So} +=._:/@-]+$"
    }))
}

/// `lambda.runtime`: the runtimes of both targets; which one a target
/// takes is in `by_target`.
pub fn runtime(_: &mut SchemaGenerator) -> Schema {
    let all: Vec<Value> = std::iter::once(CLASSIC_RUNTIME)
        .chain(MODERN_RUNTIMES)
        .map(|r| json!(r))
        .chain([Value::Null])
        .collect();
    from(json!({ "type": ["string", "null"], "enum": all }))
}

/// `lambda.layer_zip`: a relative path to a `.zip`, without quotes, `\`,
/// `$`, `%` or control characters (SG308, `validate::options::layer_zip`).
pub fn layer_zip(_: &mut SchemaGenerator) -> Schema {
    from(json!({
        "type": ["string", "null"],
        "pattern": "^[^/\"\\\\$%\\p{Cc}]([^\"\\\\$%\\p{Cc}]*[^/\"\\\\$%\\p{Cc}])?\\.zip$"
    }))
}

/// `lambda.layer_version`: layer versions are numbered from 1. Which ones
/// a region has is SG321's to say: the schema does not know the region a
/// class member ends up in.
pub fn layer_version(_: &mut SchemaGenerator) -> Schema {
    from(json!({ "type": ["integer", "null"], "minimum": 1 }))
}

/// `analytics.threshold`: a factor above 0, at most 1000 (SG311).
pub fn threshold(_: &mut SchemaGenerator) -> Schema {
    from(json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 1000 }))
}

/// `athena.symbols`: at least one, each as the data set writes it (SG313).
pub fn symbols(_: &mut SchemaGenerator) -> Schema {
    from(json!({
        "type": "array",
        "minItems": 1,
        "items": { "type": "string", "pattern": "^[A-Z0-9_]{1,8}$" }
    }))
}

/// A class's `defaults`: the student file's keys, every one optional, and
/// `student` refused (SG502). It is a definition of its own, without the
/// student file's cross-field rules: `target` may be given at the class's
/// top level instead, which a schema of `defaults` alone cannot see.
pub fn class_defaults(gen: &mut SchemaGenerator) -> Schema {
    let mut schema = StudentSpec::json_schema(gen).into_object();
    schema.metadata().title = None;
    let object = schema.object();
    object.required.clear();
    // `false`: any value is refused; `keys` leaves the key to SG502.
    object
        .properties
        .insert("student".to_owned(), Schema::Bool(false));
    gen.definitions_mut()
        .insert("StudentDefaults".to_owned(), Schema::Object(schema));
    Schema::new_ref("#/definitions/StudentDefaults".to_owned())
}
