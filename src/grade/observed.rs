//! What a source saw: the one model every source of `stackgen grade`
//! produces and every check reads.
//!
//! A Terraform state, a plan, a student's code (part 2) or the AWS account
//! (`--live`) all come down to resources: a type, a full address (module
//! path included), attribute values as JSON in which a value may be
//! `Unknown`, and, where the source knows them, what each attribute refers
//! to. A state has resolved values and no references; a plan has both,
//! with the values computed at apply `Unknown`. The checks never know which
//! source it was.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// An attribute value: JSON, plus `Unknown` (known only after apply, or not
/// seen by the source).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
    Unknown,
}

impl Val {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown)
    }

    /// Whether the value or anything inside it is unknown.
    pub fn has_unknown(&self) -> bool {
        match self {
            Val::Unknown => true,
            Val::List(items) => items.iter().any(Val::has_unknown),
            Val::Map(map) => map.values().any(Val::has_unknown),
            _ => false,
        }
    }

    /// The value of key `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(map) => map.get(key),
            _ => None,
        }
    }

    /// The values at a dotted path: `a.0.b` (a list index), `a.*.b` (every
    /// element). Absent keys and `null` yield nothing; an `Unknown` on the
    /// way yields `Unknown` (the rest of the path is unknown too).
    pub fn at(&self, path: &str) -> Vec<&Val> {
        let steps: Vec<&str> = if path.is_empty() {
            Vec::new()
        } else {
            path.split('.').collect()
        };
        let mut found = Vec::new();
        walk(self, &steps, &mut found);
        found
    }

    /// The value as JSON, for a report: `Unknown` is `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Val::Null | Val::Unknown => serde_json::Value::Null,
            Val::Bool(b) => serde_json::Value::Bool(*b),
            Val::Number(n) => serde_json::Value::Number(n.clone()),
            Val::String(s) => serde_json::Value::String(s.clone()),
            Val::List(items) => serde_json::Value::Array(items.iter().map(Val::to_json).collect()),
            Val::Map(map) => serde_json::Value::Object(
                map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
            ),
        }
    }

    /// A JSON value as a `Val` (nothing unknown).
    pub fn from_json(value: &serde_json::Value) -> Val {
        match value {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(b) => Val::Bool(*b),
            serde_json::Value::Number(n) => Val::Number(n.clone()),
            serde_json::Value::String(s) => Val::String(s.clone()),
            serde_json::Value::Array(items) => {
                Val::List(items.iter().map(Val::from_json).collect())
            }
            serde_json::Value::Object(map) => Val::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Val::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Every string inside the value, depth first.
    pub fn strings(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            match v {
                Val::String(s) => out.push(s.as_str()),
                Val::List(items) => stack.extend(items.iter().rev()),
                Val::Map(map) => stack.extend(map.values().rev()),
                _ => {}
            }
        }
        out
    }

    /// Marks as unknown what a plan's `after_unknown` marks `true`, at the
    /// same place (a key `after` lacks is added as unknown).
    pub fn mark_unknown(&mut self, unknown: &serde_json::Value) {
        match unknown {
            serde_json::Value::Bool(true) => *self = Val::Unknown,
            serde_json::Value::Object(marks) => {
                if matches!(self, Val::Null) && !marks.is_empty() {
                    *self = Val::Map(BTreeMap::new());
                }
                if let Val::Map(map) = self {
                    for (key, mark) in marks {
                        map.entry(key.clone())
                            .or_insert(Val::Null)
                            .mark_unknown(mark);
                    }
                }
            }
            serde_json::Value::Array(marks) => {
                if let Val::List(items) = self {
                    for (item, mark) in items.iter_mut().zip(marks) {
                        item.mark_unknown(mark);
                    }
                    // A list longer after apply than planned: unknown tail.
                    for mark in marks.iter().skip(items.len()) {
                        let mut extra = Val::Null;
                        extra.mark_unknown(mark);
                        items.push(extra);
                    }
                }
            }
            _ => {}
        }
    }
}

fn walk<'a>(value: &'a Val, steps: &[&str], found: &mut Vec<&'a Val>) {
    let Some((step, rest)) = steps.split_first() else {
        if !matches!(value, Val::Null) {
            found.push(value);
        }
        return;
    };
    match value {
        Val::Unknown => found.push(value),
        Val::Map(map) => {
            if let Some(next) = map.get(*step) {
                walk(next, rest, found);
            }
        }
        Val::List(items) if *step == "*" => {
            for item in items {
                walk(item, rest, found);
            }
        }
        Val::List(items) => {
            if let Some(item) = step.parse::<usize>().ok().and_then(|i| items.get(i)) {
                walk(item, rest, found);
            }
        }
        _ => {}
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Unknown => f.write_str("(known after apply)"),
            other => write!(f, "{}", other.to_json()),
        }
    }
}

impl<'de> Deserialize<'de> for Val {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Val, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Val, E> {
        Ok(Val::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Val, E> {
        Ok(Val::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Val, E> {
        Ok(Val::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Val, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Val::Null, Val::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Val, E> {
        Ok(Val::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Val, E> {
        Ok(Val::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Val::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Val, A::Error> {
        let mut map = BTreeMap::new();
        while let Some((key, value)) = access.next_entry::<String, Val>()? {
            map.insert(key, value);
        }
        Ok(Val::Map(map))
    }
}

/// A managed resource or a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Managed,
    Data,
}

/// One resource (one instance of a `count`/`for_each` block) as a source
/// saw it.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The full address: `module.lab.aws_s3_bucket.b["x"]`,
    /// `data.aws_iam_role.lab`.
    pub address: String,
    pub mode: Mode,
    /// The resource type: `aws_s3_bucket`.
    pub kind: String,
    /// The attributes, a `Val::Map`.
    pub values: Val,
    /// Attribute path (`extended_s3_configuration.0.bucket_arn`) -> what
    /// its expression refers to, as full addresses with the attribute
    /// (`aws_s3_bucket.b.arn`). Empty where the source knows no
    /// expressions (a state).
    pub references: BTreeMap<String, Vec<String>>,
}

impl Resource {
    /// The address of the block the resource comes from: without the
    /// instance keys (`module.m[0].aws_x.y["k"]` -> `module.m.aws_x.y`),
    /// the form references take.
    pub fn block_address(&self) -> String {
        block_address(&self.address)
    }

    /// The references of the expression at `path` and of everything
    /// nested under it (`a.*.b` matches any index).
    ///
    /// Terraform records the references of a map's expression for the map
    /// as a whole (`environment.0.variables`), not per key: an unknown
    /// value inside it takes the map's references.
    pub fn references_at(&self, path: &str) -> Vec<&str> {
        let pattern: Vec<&str> = path.split('.').collect();
        let matches = |at: &[&str]| {
            pattern
                .iter()
                .zip(at)
                .all(|(p, a)| p == a || (*p == "*" && a.parse::<usize>().is_ok()))
        };
        let found: Vec<&str> = self
            .references
            .iter()
            .filter(|(at, _)| {
                let at: Vec<&str> = at.split('.').collect();
                at.len() >= pattern.len() && matches(&at)
            })
            .flat_map(|(_, refs)| refs.iter().map(String::as_str))
            .collect();
        if !found.is_empty() || !self.values.at(path).iter().any(|v| v.has_unknown()) {
            return found;
        }
        self.references
            .iter()
            .filter(|(at, _)| {
                let at: Vec<&str> = at.split('.').collect();
                at.len() < pattern.len() && matches(&at)
            })
            .flat_map(|(_, refs)| refs.iter().map(String::as_str))
            .collect()
    }

    /// Whether the reference `reference` (`aws_s3_bucket.b.arn`) names this
    /// resource's block.
    pub fn is_referenced_by(&self, reference: &str) -> bool {
        let block = self.block_address();
        let reference = block_address(reference);
        reference == block
            || reference
                .strip_prefix(block.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

/// An address without its instance keys.
pub fn block_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '[' if !in_string => depth += 1,
                ']' if !in_string => depth -= 1,
                _ => {}
            }
            continue;
        }
        if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

/// Everything a source saw.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub resources: Vec<Resource>,
    /// What the source could not look into: modules of the student's code
    /// from a registry or Git (`module.lake` with its `source`).
    /// A resource not seen may be made there, so a check that finds its
    /// resource missing is `unknown`, not `missing`.
    pub opaque: Vec<String>,
    /// What a live account would not show: (the AWS name looked up, the
    /// call and AWS's answer). A part with one of those names has its
    /// checks that do not pass `unknown`, not failed.
    pub refused: Vec<(String, String)>,
    /// What the source cannot see at all: those settings and members are
    /// listed under `not_graded`, not checked.
    pub blind: Vec<Blind>,
    /// The data flow, which only a live account shows (`grade --live`).
    pub flow: Option<super::flow::Flow>,
}

/// A setting (`path` of resources of type `kind`) or a whole type (`*`)
/// that a source cannot see, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blind {
    pub kind: &'static str,
    pub path: &'static str,
    pub why: &'static str,
}

impl Observed {
    /// The managed resources of a type.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (usize, &'a Resource)> {
        self.resources
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.mode == Mode::Managed && r.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(json: &str) -> Val {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn paths_reach_into_blocks_and_lists() {
        let v = val(r#"{"a": [{"b": 1}, {"b": 2}, {"c": 3}], "n": null}"#);
        assert_eq!(v.at("a.0.b"), [&val("1")]);
        assert_eq!(v.at("a.*.b"), [&val("1"), &val("2")]);
        assert!(v.at("a.5.b").is_empty());
        assert!(v.at("n").is_empty());
        assert!(v.at("x.y").is_empty());
    }

    #[test]
    fn after_unknown_marks_values_unknown() {
        let mut v = val(r#"{"arn": null, "tags": {"a": "b"}, "list": [{"x": 1}]}"#);
        v.mark_unknown(&serde_json::json!({"arn": true, "id": true, "list": [{"y": true}]}));
        assert_eq!(v.at("arn"), [&Val::Unknown]);
        assert_eq!(v.at("id"), [&Val::Unknown]);
        assert_eq!(v.at("list.0.y"), [&Val::Unknown]);
        assert_eq!(v.at("list.0.x"), [&val("1")]);
        // An unknown on the way makes the rest of the path unknown.
        assert_eq!(v.at("arn.anything"), [&Val::Unknown]);
    }

    #[test]
    fn block_addresses_drop_instance_keys() {
        assert_eq!(
            block_address(r#"module.m[0].aws_x.y["a]b"]"#),
            "module.m.aws_x.y"
        );
        let r = Resource {
            address: "aws_s3_bucket.b[1]".into(),
            mode: Mode::Managed,
            kind: "aws_s3_bucket".into(),
            values: Val::Null,
            references: BTreeMap::new(),
        };
        assert!(r.is_referenced_by("aws_s3_bucket.b.arn"));
        assert!(r.is_referenced_by("aws_s3_bucket.b[0].arn"));
        assert!(!r.is_referenced_by("aws_s3_bucket.bb.arn"));
    }
}
