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
/// core has already merged config and prior state) with every attribute the
/// provider may compute (`schema::computes`) unknown where the
/// configuration left it out, at every depth. What the configuration sets
/// is planned as set.
pub fn plan_create(spec: &BlockSpec, proposed: &mut Value) {
    let Value::Map(entries) = proposed else {
        return; // null or unknown: nothing inside to plan
    };
    for (key, value) in entries.iter_mut() {
        let Some(name) = key.as_str() else { continue };
        if let Some(attr) = spec.attributes.get(name) {
            if computes(attr) && value.is_nil() {
                *value = unknown();
            }
        } else if let Some(nested) = spec.blocks.get(name) {
            match value {
                Value::Array(blocks) => {
                    for b in blocks {
                        plan_create(&nested.block, b);
                    }
                }
                Value::Map(_) => plan_create(&nested.block, value),
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

/// Errors for what the configuration leaves out although the schema
/// requires it, at every depth:
/// - a required block (`min_items` 1), worded as Terraform core words it when
///   a schema carries the minimum itself (tf-provider 0.2.2 cannot serve
///   it); a block list that is still unknown (a `dynamic` block over an
///   unknown collection) is not counted;
/// - a required argument set to null (`bucket = null`, or a variable that is
///   null): core only checks that the argument is written, and hashicorp/aws
///   (its plugin SDK) reports this one itself;
/// - a computed-only attribute that the configuration sets (`arn = ...`):
///   core accepts it too, the plugin SDK does not.
///
/// Worded as Terraform core and hashicorp/aws 3.39.0 word them.
pub fn missing_required(
    spec: &BlockSpec,
    config: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    if !matches!(config, Value::Map(_)) {
        return; // a null or unknown block: nothing inside to check
    }
    for (name, attr) in &spec.attributes {
        if attr.mode == crate::schema::Mode::Computed
            && get(config, name).is_some_and(|v| !v.is_nil())
        {
            diags.error(
                "Computed attributes cannot be set",
                format!("Computed attributes cannot be set, but a value was set for \"{name}\"."),
                path.clone().attribute(name.clone()),
            );
        }
        if attr.mode == crate::schema::Mode::Required && get(config, name).is_none_or(Value::is_nil)
        {
            diags.error(
                "Missing required argument",
                format!("The argument \"{name}\" is required, but no definition was found."),
                path.clone().attribute(name.clone()),
            );
        }
    }
    for (name, nested) in &spec.blocks {
        let blocks: Vec<&Value> = match get(config, name) {
            Some(v) if is_unknown(v) => continue,
            Some(Value::Array(items)) => items.iter().collect(),
            Some(v @ Value::Map(_)) => vec![v],
            _ => vec![],
        };
        if (blocks.len() as u64) < nested.min_items {
            diags.error(
                format!("Insufficient {name} blocks"),
                format!(
                    "At least {} \"{name}\" blocks are required.",
                    nested.min_items
                ),
                path.clone(),
            );
        }
        for (i, b) in blocks.into_iter().enumerate() {
            let at = path
                .clone()
                .attribute(name.clone())
                .index(i64::try_from(i).unwrap_or(i64::MAX));
            missing_required(&nested.block, b, &at, diags);
        }
    }
}

/// A map with string keys, the shape of a Terraform object (for the
/// tests of every module that builds or reads values).
#[cfg(test)]
pub(crate) fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect(),
    )
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
                  "blocks": {"rule": {"nesting": "list", "min_items": 1,
                    "attributes": {"days": {"mode": "optional", "type": "number"}},
                    "blocks": {"inner": {"nesting": "list", "min_items": 1}}},
                    "b": {"nesting": "list",
                    "attributes": {"arn": {"mode": "computed", "type": "string"},
                                   "x": {"mode": "optional", "type": "string"}}}}}}}"#,
        )
        .expect("test schema parses");
        file.resources.into_iter().next().expect("one resource").1
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
        // Optional and unset: unknown, as optional+computed (see computes).
        assert!(is_unknown(get(&v, "tags").unwrap()));
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
    fn missing_required_or_unconfigurable_is_an_error_at_every_depth() {
        let s = spec();
        let root = AttributePath::root();
        let named = |rule| obj(vec![("name", Value::from("n")), ("rule", rule)]);
        let errors = |config: &Value| {
            let mut diags = Diagnostics::default();
            missing_required(&s, config, &root, &mut diags);
            diags
                .errors
                .iter()
                .map(|d| d.summary.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            errors(&named(Value::Array(vec![]))),
            ["Insufficient rule blocks"]
        );
        let rule = obj(vec![("inner", Value::Array(vec![]))]);
        assert_eq!(
            errors(&named(Value::Array(vec![rule]))),
            ["Insufficient inner blocks"]
        );
        // A dynamic block over a collection not known yet: not counted.
        assert!(errors(&named(unknown())).is_empty());
        // `name = null` is written, so core lets it through; the provider not.
        let rule = obj(vec![("inner", Value::Array(vec![obj(vec![])]))]);
        let config = obj(vec![
            ("name", Value::Nil),
            ("rule", Value::Array(vec![rule])),
        ]);
        assert_eq!(errors(&config), ["Missing required argument"]);
        let rule = obj(vec![("inner", Value::Array(vec![obj(vec![])]))]);
        assert!(errors(&named(Value::Array(vec![rule.clone()]))).is_empty());
        // A computed-only attribute set in the configuration.
        let config = obj(vec![
            ("name", Value::from("n")),
            ("arn", Value::from("arn:aws:s3:::x")),
            ("rule", Value::Array(vec![rule])),
        ]);
        assert_eq!(errors(&config), ["Computed attributes cannot be set"]);
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
