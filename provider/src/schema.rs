//! The extracted schema file (`tests/schema/aws-<version>.json`, written by
//! `scripts/schema/extract-aws-schema.mjs`) and its translation into the
//! plugin protocol's schema types.
//!
//! The file knows, per attribute, one of `required`, `optional`, `computed`
//! (the CDKTF bindings it comes from cannot tell optional+computed from
//! optional), its type as a Terraform type expression, and a deprecation
//! message; per block, its nesting (`list`, `set`, `single`), `min_items` and
//! `max_items` (only ever 1, when known).

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use tf_provider::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, Description, NestedBlock, Schema,
};

/// The format tag the extractor writes; anything else is another file.
pub const FORMAT: &str = "stackgen provider schema 1";

#[derive(Debug, Deserialize)]
pub struct SchemaFile {
    pub format: String,
    pub source: Source,
    pub provider: BlockSpec,
    pub resources: BTreeMap<String, BlockSpec>,
    pub data_sources: BTreeMap<String, BlockSpec>,
}

#[derive(Debug, Deserialize)]
pub struct Source {
    pub provider: String,
    pub provider_version: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BlockSpec {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSpec>,
    #[serde(default)]
    pub blocks: BTreeMap<String, NestedSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Required,
    Optional,
    Computed,
}

#[derive(Debug, Deserialize)]
pub struct AttributeSpec {
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_expr: String,
    /// The provider's deprecation message, when it has one.
    #[serde(default)]
    pub deprecated: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Nesting {
    List,
    Set,
    Single,
}

#[derive(Debug, Deserialize)]
pub struct NestedSpec {
    #[serde(flatten)]
    pub block: BlockSpec,
    pub nesting: Nesting,
    /// 1 for a required block (the file writes 0 or 1).
    #[serde(default)]
    pub min_items: u64,
    #[serde(default)]
    pub max_items: Option<u64>,
    #[serde(default)]
    pub deprecated: Option<String>,
}

/// Why the schema file cannot be served. (No `thiserror`: this crate keeps
/// to what `tf-provider` already brings, since its build time counts
/// against CI.)
#[derive(Debug)]
pub enum SchemaError {
    Json(serde_json::Error),
    Format(String),
    Type { at: String, message: String },
}

impl std::error::Error for SchemaError {}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Json(e) => write!(f, "the schema file is not valid JSON of its format: {e}"),
            Self::Format(found) => write!(
                f,
                "the schema file's `format` is `{found}`, expected `{FORMAT}`"
            ),
            Self::Type { at, message } => write!(f, "{at}: {message}"),
        }
    }
}

impl SchemaFile {
    pub fn parse(text: &str) -> Result<Self, SchemaError> {
        let file: Self = serde_json::from_str(text).map_err(SchemaError::Json)?;
        if file.format != FORMAT {
            return Err(SchemaError::Format(file.format));
        }
        Ok(file)
    }
}

/// A Terraform type expression as the extractor writes it: `string`,
/// `number`, `bool`, `list(T)`, `set(T)`, `map(T)`,
/// `object({a=T, b=T})`.
pub fn parse_type(expr: &str) -> Result<AttributeType, String> {
    let mut p = TypeParser {
        src: expr.as_bytes(),
        pos: 0,
    };
    let ty = p.parse()?;
    p.skip_ws();
    if p.pos != p.src.len() {
        return Err(format!(
            "unexpected `{}` after the type in `{expr}`",
            &expr[p.pos..]
        ));
    }
    Ok(ty)
}

struct TypeParser<'a> {
    src: &'a [u8],
    pos: usize,
}

impl TypeParser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn ident(&mut self) -> String {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.src.len()
            && (self.src[self.pos].is_ascii_alphanumeric() || self.src[self.pos] == b'_')
        {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.src[start..self.pos]).into_owned()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.skip_ws();
        if self.src.get(self.pos) == Some(&c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!(
                "expected `{}` at offset {} of `{}`",
                c as char,
                self.pos,
                String::from_utf8_lossy(self.src)
            ))
        }
    }

    fn parse(&mut self) -> Result<AttributeType, String> {
        let name = self.ident();
        Ok(match name.as_str() {
            "string" => AttributeType::String,
            "number" => AttributeType::Number,
            "bool" => AttributeType::Bool,
            "list" | "set" | "map" => {
                self.expect(b'(')?;
                let inner = Box::new(self.parse()?);
                self.expect(b')')?;
                match name.as_str() {
                    "list" => AttributeType::List(inner),
                    "set" => AttributeType::Set(inner),
                    _ => AttributeType::Map(inner),
                }
            }
            "object" => {
                self.expect(b'(')?;
                self.expect(b'{')?;
                let mut fields = HashMap::new();
                loop {
                    self.skip_ws();
                    if self.src.get(self.pos) == Some(&b'}') {
                        self.pos += 1;
                        break;
                    }
                    let field = self.ident();
                    if field.is_empty() {
                        return Err("an object field without a name".to_owned());
                    }
                    self.expect(b'=')?;
                    fields.insert(field, self.parse()?);
                    self.skip_ws();
                    if self.src.get(self.pos) == Some(&b',') {
                        self.pos += 1;
                    }
                }
                self.expect(b')')?;
                AttributeType::Object(fields)
            }
            "" => return Err(format!("no type at offset {}", self.pos)),
            other => return Err(format!("unknown type `{other}`")),
        })
    }
}

/// Whether the provider may fill in an attribute the configuration leaves
/// out. The file says `computed` for computed-only attributes; it cannot
/// tell optional+computed from optional (CDKTF exposes both as optional
/// arguments, `id` and `arn` of most types included). So every optional
/// attribute is served as optional+computed, and planned unknown when left
/// out, as the real provider plans its optional+computed ones. Planning it
/// null instead would turn `kinesis_stream_arn = aws_kinesis_stream.s.arn`
/// into a null that the real provider never produces. The price: a
/// reference to an optional argument that is really never computed is
/// unknown here where AWS would give null.
pub fn computes(attr: &AttributeSpec) -> bool {
    attr.mode != Mode::Required
}

/// The protocol schema of one block (the provider's, a resource's or a data
/// source's top level, or a nested block).
pub fn block(spec: &BlockSpec, at: &str) -> Result<Block, SchemaError> {
    let mut attributes = HashMap::new();
    for (name, attr) in &spec.attributes {
        let attr_type = parse_type(&attr.type_expr).map_err(|message| SchemaError::Type {
            at: format!("{at}.{name}"),
            message,
        })?;
        attributes.insert(
            name.clone(),
            Attribute {
                attr_type,
                description: Description::plain(""),
                constraint: match attr.mode {
                    Mode::Required => AttributeConstraint::Required,
                    Mode::Optional => AttributeConstraint::OptionalComputed,
                    Mode::Computed => AttributeConstraint::Computed,
                },
                sensitive: false,
                deprecated: attr.deprecated.is_some(),
            },
        );
    }
    let mut blocks = HashMap::new();
    for (name, nested) in &spec.blocks {
        let mut inner = block(&nested.block, &format!("{at}.{name}"))?;
        inner.deprecated = nested.deprecated.is_some();
        // tf-provider 0.2.2 fixes min/max items per nesting mode: Single is
        // min 1 max 1 (a required block), Optional is a list of at most one,
        // List and Set are unbounded, Group is at most one. So a `single`
        // block (all of them here are `timeouts`, optional) is served as
        // Group, and a list known to hold at most one item as Optional. The
        // file's min_items cannot be served; the provider's validate call
        // checks it instead (value::missing_required).
        let nested_block = match (nested.nesting, nested.max_items) {
            (Nesting::Single, _) => NestedBlock::Group(inner),
            (Nesting::List, Some(1)) => NestedBlock::Optional(inner),
            (Nesting::List, _) => NestedBlock::List(inner),
            (Nesting::Set, _) => NestedBlock::Set(inner),
        };
        blocks.insert(name.clone(), nested_block);
    }
    Ok(Block {
        version: 0,
        attributes,
        blocks,
        description: Description::plain(""),
        deprecated: false,
    })
}

/// The schema of a provider block, resource or data source.
pub fn schema(spec: &BlockSpec, at: &str) -> Result<Schema, SchemaError> {
    Ok(Schema {
        version: 0,
        block: block(spec, at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_type_form_of_the_file() {
        assert_eq!(parse_type("string"), Ok(AttributeType::String));
        assert_eq!(
            parse_type("set(string)"),
            Ok(AttributeType::Set(Box::new(AttributeType::String)))
        );
        assert_eq!(
            parse_type("map(list(number))"),
            Ok(AttributeType::Map(Box::new(AttributeType::List(Box::new(
                AttributeType::Number
            )))))
        );
        let Ok(AttributeType::List(inner)) =
            parse_type("list(object({last_used_date=string, region=string}))")
        else {
            panic!("not a list");
        };
        let AttributeType::Object(fields) = *inner else {
            panic!("not an object");
        };
        assert_eq!(fields.len(), 2);
        assert_eq!(fields["region"], AttributeType::String);
    }

    #[test]
    fn rejects_what_is_not_a_type() {
        assert!(parse_type("strin").is_err());
        assert!(parse_type("list(string").is_err());
        assert!(parse_type("string)").is_err());
        assert!(parse_type("").is_err());
    }
}
