//! The JSON Schema of single fields, named by `#[schemars(schema_with)]`
//! in `model`. Each takes its values from the table validation uses
//! (`aws`, the editions), so the schema and validation cannot drift; the
//! rules across fields are `input::schema`'s.

use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde_json::{json, Value};

use super::aws::{self, CLASSIC_RUNTIME, MODERN_RUNTIMES};
use super::model::{HttpBackend, S3Backend, StudentSpec};

/// A schema from its JSON.
pub(crate) fn from(value: Value) -> Schema {
    serde_json::from_value(value).expect("the literal is a JSON Schema")
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
/// `input::edition::resolve` tells them apart (SG701).
pub fn edition(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = super::edition::built_in_names().collect();
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

/// `backend.s3.bucket`: an S3 bucket name (SG401); the extra conditions
/// (no `..`, not an IP address, reserved prefixes) are validation's.
pub fn bucket(_: &mut SchemaGenerator) -> Schema {
    from(json!({
        "type": "string",
        "minLength": 3,
        "maxLength": 63,
        "pattern": "^[a-z0-9][a-z0-9.-]*[a-z0-9]$"
    }))
}

/// `backend.s3.key_prefix` (SG403): segments of `[A-Za-z0-9_.-]` joined by
/// single `/`; that no segment is `.` or `..` is validation's.
pub fn key_prefix(_: &mut SchemaGenerator) -> Schema {
    from(json!({
        "type": "string",
        "minLength": 1,
        "maxLength": super::aws::KEY_PREFIX_MAX,
        "pattern": "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"
    }))
}

/// `backend.s3.lock_table`: a DynamoDB table name (SG404).
pub fn lock_table(_: &mut SchemaGenerator) -> Schema {
    from(json!({
        "type": ["string", "null"],
        "pattern": "^[A-Za-z0-9_.-]{3,255}$"
    }))
}

/// A raised quota under `quotas:` (SG411): a whole number from 1.
pub fn quota(_: &mut SchemaGenerator) -> Schema {
    from(json!({ "type": ["integer", "null"], "minimum": 1 }))
}

/// `backend`: exactly one of `s3` and `http` (SG406); its description is
/// the field's doc comment.
pub fn backend(gen: &mut SchemaGenerator) -> Schema {
    let s3 = serde_json::to_value(gen.subschema_for::<S3Backend>()).expect("a schema serializes");
    let http =
        serde_json::to_value(gen.subschema_for::<HttpBackend>()).expect("a schema serializes");
    from(json!({
        "type": ["object", "null"],
        "properties": { "s3": s3, "http": http },
        "additionalProperties": false,
        "minProperties": 1,
        "maxProperties": 1
    }))
}
