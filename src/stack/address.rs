//! Terraform addresses, owned by the parts that declare them.
//!
//! A template never spells a resource type or label: it prints an
//! `Address` it was given. In a template an address is a minijinja object:
//! `{{ a.declare }}` prints the block header (`resource "aws_s3_bucket"
//! "main_dl_bucket"`), `{{ a }}` the reference (`aws_s3_bucket.main_dl_bucket`)
//! and `{{ a.arn }}` an attribute reference. These objects are the only
//! values the emit formatter prints without HCL quoting, and they can only
//! be built here, from `&'static str` parts stackgen itself chose.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Value};
use serde::Serialize;

/// `resource` or `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Resource,
    Data,
}

/// One block's address: `aws_s3_bucket.main_dl_bucket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    pub mode: Mode,
    /// The resource type, `aws_s3_bucket`.
    pub kind: &'static str,
    /// The block label, `main_dl_bucket`.
    pub label: &'static str,
}

impl Address {
    pub const fn resource(kind: &'static str, label: &'static str) -> Self {
        Self {
            mode: Mode::Resource,
            kind,
            label,
        }
    }

    pub const fn data(kind: &'static str, label: &'static str) -> Self {
        Self {
            mode: Mode::Data,
            kind,
            label,
        }
    }

    /// A reference to one of the block's attributes: `aws_iam_role.x.arn`.
    pub fn attr(self, attribute: &'static str) -> Reference {
        Reference {
            address: self,
            attribute: Some(attribute),
        }
    }

    /// The block header: `resource "aws_s3_bucket" "main_dl_bucket"`.
    pub fn declaration(&self) -> String {
        let mode = match self.mode {
            Mode::Resource => "resource",
            Mode::Data => "data",
        };
        format!("{mode} \"{}\" \"{}\"", self.kind, self.label)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.kind, self.label)
    }
}

/// In the plan's JSON an address is its reference string; inside a
/// template context it stays an object, so it keeps printing unquoted.
impl Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            Value::from_object(*self).serialize(s)
        } else {
            s.collect_str(self)
        }
    }
}

impl Object for Address {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        if key == "declare" {
            return Some(Value::from_object(Declaration(**self)));
        }
        // An attribute name is a Terraform identifier; anything else is a
        // template mistake and stays undefined (strict mode reports it).
        let attribute = ATTRIBUTES.iter().find(|a| **a == key)?;
        Some(Value::from_object(self.attr(attribute)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::NonEnumerable
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// The attributes templates refer to. A closed list, so an attribute is
/// always a plain identifier.
const ATTRIBUTES: &[&str] = &["arn", "id", "name", "bucket", "function_name", "invoke_arn"];

/// `aws_iam_role.x.arn`, or the address itself when `attribute` is None.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub address: Address,
    pub attribute: Option<&'static str>,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.address)?;
        if let Some(a) = self.attribute {
            write!(f, ".{a}")?;
        }
        Ok(())
    }
}

impl Serialize for Reference {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            Value::from_object(*self).serialize(s)
        } else {
            s.collect_str(self)
        }
    }
}

impl Object for Reference {
    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::NonEnumerable
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// A block header, printed by `{{ a.declare }}`.
#[derive(Debug, Clone, Copy)]
pub struct Declaration(pub Address);

impl Object for Declaration {
    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::NonEnumerable
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.declaration())
    }
}

/// Prints `value` raw if it is one of this module's objects (or a tag
/// line of `stack::tags`, built the same way from constants); the emit
/// formatter's one exception to HCL quoting.
pub fn as_terraform(value: &Value) -> Option<String> {
    if let Some(a) = value.downcast_object_ref::<Address>() {
        return Some(a.to_string());
    }
    if let Some(r) = value.downcast_object_ref::<Reference>() {
        return Some(r.to_string());
    }
    if let Some(d) = value.downcast_object_ref::<Declaration>() {
        return Some(d.0.declaration());
    }
    // The one other object: a line of `common_tags`, made of the tag
    // table's constants (`stack::tags`).
    if let Some(t) = value.downcast_object_ref::<super::tags::TagLine>() {
        return Some(t.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_references_and_declarations() {
        let a = Address::resource("aws_s3_bucket", "main");
        assert_eq!(a.to_string(), "aws_s3_bucket.main");
        assert_eq!(a.attr("arn").to_string(), "aws_s3_bucket.main.arn");
        assert_eq!(a.declaration(), r#"resource "aws_s3_bucket" "main""#);
        let d = Address::data("aws_iam_role", "lab");
        assert_eq!(d.attr("arn").to_string(), "data.aws_iam_role.lab.arn");
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#""aws_s3_bucket.main""#
        );
    }
}
