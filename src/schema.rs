//! The JSON Schema of the input, published by `stackgen schema` so editors
//! can complete and check student files, and used by `load` to find unknown
//! keys.

use schemars::schema::RootSchema;

use crate::model::{ClassSpec, StudentSpec};

pub fn student() -> RootSchema {
    schemars::schema_for!(StudentSpec)
}

pub fn class() -> RootSchema {
    schemars::schema_for!(ClassSpec)
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
