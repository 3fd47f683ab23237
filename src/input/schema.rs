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
//! The schemas of single fields are `base::field_schema`'s, named by
//! `#[schemars(schema_with)]` in `model`; these rules across fields, like
//! them, take their values from the tables validation uses (`aws`), so the
//! two cannot drift.

use schemars::schema::{RootSchema, Schema};
use serde_json::{json, Value};

use crate::base::aws::{
    self, pandas_layer, CLASSIC_RUNTIME, LEARNER_LAB_REGIONS, MODERN_RUNTIME, MODERN_RUNTIMES,
};
use crate::base::field_schema::from;
use crate::base::model::{ClassSpec, StudentSpec};

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
    // Exactly one of `students` and `roster` (SG501), as in `validate::class::expand`.
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

/// What each target accepts (SG305, SG317, SG318, SG320, and SG405: the
/// classic target's S3 backend needs a lock table). `target` is
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
            "analytics": engine("sql"),
            "backend": { "properties": { "s3": { "required": ["lock_table"] } } }
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
