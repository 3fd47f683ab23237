//! Terraform's wire values (cty in MessagePack) as `rmpv` values.
//!
//! Terraform sends and expects an object as a map from attribute name to
//! value, a list or set as an array, null as nil, and an unknown value as
//! MessagePack extension type 0 (cty's encoding; the extension's payload is
//! not looked at when decoding, so one zero byte is written).
//!
//! tf-provider hands values over through serde (rmp-serde); `rmpv::Value`
//! with its `with-serde` feature keeps every value as sent, unknowns
//! included (rmp-serde carries extensions as the `_ExtStruct` newtype).

use rmpv::Value;
use tf_provider::{AttributePath, Diagnostics};

use crate::schema::{computes, BlockSpec};

/// cty's extension type for "unknown".
const UNKNOWN_EXT: i8 = 0;

pub fn unknown() -> Value {
    Value::Ext(UNKNOWN_EXT, vec![0])
}

pub fn is_unknown(v: &Value) -> bool {
    matches!(v, Value::Ext(UNKNOWN_EXT, _))
}

/// The value of attribute `name` of an object value, if it is one.
pub fn get<'a>(obj: &'a Value, name: &str) -> Option<&'a Value> {
    match obj {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(name))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Sets attribute `name` of an object value (it is always present: Terraform
/// sends every attribute of the schema, null when unset).
pub fn set(obj: &mut Value, name: &str, value: Value) {
    if let Value::Map(entries) = obj {
        if let Some(slot) = entries.iter_mut().find(|(k, _)| k.as_str() == Some(name)) {
            slot.1 = value;
        } else {
            entries.push((Value::from(name), value));
        }
    }
}

pub fn get_str<'a>(obj: &'a Value, name: &str) -> Option<&'a str> {
    get(obj, name).and_then(Value::as_str)
}

/// The elements of a list or set value, or none for null or unknown.
pub fn items(v: Option<&Value>) -> &[Value] {
    match v {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// A resource's planned new state on create: the proposed state (Terraform
/// core has already merged config and prior state) with every computed-only
/// attribute unknown, at every depth. Optional attributes keep the
/// configuration's value: the file marks optional+computed attributes as
/// optional, so Terraform holds the plan to the configuration there (the
/// top-level `id` excepted, see `schema::computes`).
pub fn plan_create(spec: &BlockSpec, proposed: &mut Value) {
    plan_block(spec, proposed, true);
}

fn plan_block(spec: &BlockSpec, proposed: &mut Value, top_level: bool) {
    let Value::Map(entries) = proposed else {
        return; // null or unknown: nothing inside to plan
    };
    for (key, value) in entries.iter_mut() {
        let Some(name) = key.as_str() else { continue };
        if let Some(attr) = spec.attributes.get(name) {
            if computes(name, attr, top_level) && value.is_nil() {
                *value = unknown();
            }
        } else if let Some(nested) = spec.blocks.get(name) {
            match value {
                Value::Array(blocks) => {
                    for b in blocks {
                        plan_block(&nested.block, b, false);
                    }
                }
                Value::Map(_) => plan_block(&nested.block, value, false),
                _ => {}
            }
        }
    }
}

/// Warnings for deprecated arguments and blocks that the configuration sets
/// (Terraform core leaves deprecation to the provider).
pub fn deprecations(
    spec: &BlockSpec,
    config: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    for (name, attr) in &spec.attributes {
        if let (Some(message), Some(v)) = (&attr.deprecated, get(config, name)) {
            if !v.is_nil() {
                diags.warning(
                    "Argument is deprecated",
                    message.clone(),
                    path.clone().attribute(name.clone()),
                );
            }
        }
    }
    for (name, nested) in &spec.blocks {
        let value = get(config, name);
        let blocks: Vec<&Value> = match value {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(v @ Value::Map(_)) => vec![v],
            _ => vec![],
        };
        if let (Some(message), false) = (&nested.deprecated, blocks.is_empty()) {
            diags.warning(
                "Block is deprecated",
                message.clone(),
                path.clone().attribute(name.clone()),
            );
        }
        for (i, b) in blocks.into_iter().enumerate() {
            let at = path
                .clone()
                .attribute(name.clone())
                .index(i64::try_from(i).unwrap_or(i64::MAX));
            deprecations(&nested.block, b, &at, diags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaFile;

    fn spec() -> BlockSpec {
        let file = SchemaFile::parse(
            r#"{"format": "stackgen provider schema 1",
                "source": {"provider": "hashicorp/aws", "provider_version": "0"},
                "provider": {}, "data_sources": {},
                "resources": {"r": {
                  "attributes": {
                    "id": {"mode": "optional", "type": "string"},
                    "arn": {"mode": "computed", "type": "string"},
                    "name": {"mode": "required", "type": "string"},
                    "tags": {"mode": "optional", "type": "map(string)"},
                    "old": {"mode": "optional", "type": "string", "deprecated": "use name"}},
                  "blocks": {"b": {"nesting": "list",
                    "attributes": {"arn": {"mode": "computed", "type": "string"},
                                   "x": {"mode": "optional", "type": "string"}}}}}}}"#,
        )
        .expect("test schema parses");
        file.resources.into_iter().next().expect("one resource").1
    }

    fn obj(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Value::from(k), v))
                .collect(),
        )
    }

    #[test]
    fn create_plans_computed_attributes_unknown_at_every_depth() {
        let mut v = obj(vec![
            ("id", Value::Nil),
            ("arn", Value::Nil),
            ("name", Value::from("n")),
            ("tags", Value::Nil),
            ("old", Value::Nil),
            (
                "b",
                Value::Array(vec![obj(vec![
                    ("arn", Value::Nil),
                    ("x", Value::from("y")),
                ])]),
            ),
        ]);
        plan_create(&spec(), &mut v);
        assert!(is_unknown(get(&v, "id").unwrap()));
        assert!(is_unknown(get(&v, "arn").unwrap()));
        assert_eq!(get_str(&v, "name"), Some("n"));
        // Optional and unset stays null: Terraform rejects a plan that
        // changes a non-computed attribute.
        assert!(get(&v, "tags").unwrap().is_nil());
        let inner = &items(get(&v, "b"))[0];
        assert!(is_unknown(get(inner, "arn").unwrap()));
        assert_eq!(get_str(inner, "x"), Some("y"));
    }

    #[test]
    fn unknown_round_trips_through_rmp_serde_as_tf_provider_uses_it() {
        let bytes = rmp_serde::to_vec_named(&obj(vec![("id", unknown())])).unwrap();
        // fixmap(1) "id" fixext1(type 0, 0x00): cty's unknown.
        assert_eq!(
            bytes.as_slice(),
            &[0x81, 0xa2, b'i', b'd', 0xd4, 0x00, 0x00]
        );
        let back: Value = rmp_serde::from_slice(&bytes).unwrap();
        assert!(is_unknown(get(&back, "id").unwrap()));
    }

    #[test]
    fn deprecated_argument_warns_only_when_set() {
        let s = spec();
        let mut diags = Diagnostics::default();
        deprecations(
            &s,
            &obj(vec![("old", Value::Nil)]),
            &AttributePath::root(),
            &mut diags,
        );
        assert!(diags.warnings.is_empty());
        deprecations(
            &s,
            &obj(vec![("old", Value::from("v"))]),
            &AttributePath::root(),
            &mut diags,
        );
        assert_eq!(diags.warnings.len(), 1);
    }
}
