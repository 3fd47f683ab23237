//! The expected stack: what stackgen renders for the student, read back
//! into the same model the sources produce.
//!
//! The link stage has parsed every rendered `.tf` file once; here each
//! resource's attributes are evaluated as far as the rendered Terraform
//! allows without AWS: literals, `var.*` (from the rendered
//! `terraform.tfvars`, then the variables' defaults), `local.*`, string
//! templates and heredocs, `upper`/`lower`, `jsonencode`. A reference to
//! another resource or data source is `Unknown`, and recorded as the
//! attribute's reference, exactly as a plan records it. So a check's
//! expected value is whatever the rendered stack says at the attribute the
//! grading table names, and a connection is a reference the rendered stack
//! makes: nothing is typed twice.
//!
//! The evaluator covers what stackgen's templates write and stops there;
//! anything else is `Unknown` (the test that grades every example's own
//! state with 0 unknown shows nothing a check reads is left unknown).

use std::collections::BTreeMap;

use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::structure::Body;
use hcl::template::{Element, Template};

use super::observed::{Mode, Observed, Resource, Val};

/// Evaluates the rendered files: `bodies` from the link stage, `tfvars`
/// the rendered `terraform.tfvars`.
pub fn evaluate(bodies: &[(String, Body)], tfvars: &str) -> Observed {
    let mut vars = BTreeMap::new();
    let mut locals: BTreeMap<String, &Expression> = BTreeMap::new();
    for (_, body) in bodies {
        for block in body.blocks() {
            match (block.identifier.as_str(), block.labels.as_slice()) {
                ("variable", [name]) => {
                    if let Some(default) = block
                        .body
                        .attributes()
                        .find(|a| a.key.as_str() == "default")
                    {
                        vars.insert(name.as_str().to_owned(), literal(&default.expr));
                    }
                }
                ("locals", []) => {
                    for a in block.body.attributes() {
                        locals.insert(a.key.to_string(), &a.expr);
                    }
                }
                _ => {}
            }
        }
    }
    if let Ok(body) = hcl::parse(tfvars) {
        for a in body.attributes() {
            vars.insert(a.key.to_string(), literal(&a.expr));
        }
    }
    let eval = Eval { vars, locals };
    let mut observed = Observed::default();
    for (_, body) in bodies {
        for block in body.blocks() {
            let (mode, kind, name) = match (block.identifier.as_str(), block.labels.as_slice()) {
                ("resource", [kind, name]) => (Mode::Managed, kind.as_str(), name.as_str()),
                ("data", [kind, name]) => (Mode::Data, kind.as_str(), name.as_str()),
                _ => continue,
            };
            let mut references = BTreeMap::new();
            let values = eval.body(&block.body, "", &mut references, 0);
            observed.resources.push(Resource {
                address: match mode {
                    Mode::Managed => format!("{kind}.{name}"),
                    Mode::Data => format!("data.{kind}.{name}"),
                },
                mode,
                kind: kind.to_owned(),
                values,
                references,
            });
        }
    }
    observed
}

/// A literal (a tfvars value, a default), without references.
fn literal(expr: &Expression) -> Val {
    let eval = Eval {
        vars: BTreeMap::new(),
        locals: BTreeMap::new(),
    };
    eval.expr(expr, &mut Vec::new(), 0)
}

struct Eval<'a> {
    vars: BTreeMap<String, Val>,
    locals: BTreeMap<String, &'a Expression>,
}

/// Locals referring to locals, templates within templates: far deeper
/// than anything rendered, and it ends a cycle.
const MAX_DEPTH: usize = 32;

impl Eval<'_> {
    /// A block body as a map: attributes by name, nested blocks as lists of
    /// maps by type (as Terraform's JSON shows them).
    fn body(
        &self,
        body: &Body,
        path: &str,
        references: &mut BTreeMap<String, Vec<String>>,
        depth: usize,
    ) -> Val {
        let mut map = BTreeMap::new();
        for a in body.attributes() {
            let here = join(path, a.key.as_str());
            let mut refs = Vec::new();
            let value = self.expr(&a.expr, &mut refs, depth);
            if !refs.is_empty() {
                references.insert(here, refs);
            }
            map.insert(a.key.to_string(), value);
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for b in body.blocks() {
            let kind = b.identifier.to_string();
            let index = counts.entry(kind.clone()).or_insert(0);
            let here = join(path, &format!("{kind}.{index}"));
            *index += 1;
            let value = self.body(&b.body, &here, references, depth + 1);
            match map.entry(kind).or_insert_with(|| Val::List(Vec::new())) {
                Val::List(items) => items.push(value),
                // An attribute and a block of one name: not stackgen's.
                other => *other = Val::Unknown,
            }
        }
        Val::Map(map)
    }

    fn expr(&self, expr: &Expression, refs: &mut Vec<String>, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown;
        }
        match expr {
            Expression::Null => Val::Null,
            Expression::Bool(b) => Val::Bool(*b),
            Expression::Number(n) => number(n),
            Expression::String(s) => Val::String(s.clone()),
            Expression::Array(items) => Val::List(
                items
                    .iter()
                    .map(|e| self.expr(e, refs, depth + 1))
                    .collect(),
            ),
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                let mut unknown_key = false;
                for (key, value) in object {
                    let key = match key {
                        ObjectKey::Identifier(id) => Some(id.to_string()),
                        ObjectKey::Expression(e) => match self.expr(e, refs, depth + 1) {
                            Val::String(s) => Some(s),
                            _ => None,
                        },
                        _ => None,
                    };
                    let value = self.expr(value, refs, depth + 1);
                    match key {
                        Some(k) => {
                            map.insert(k, value);
                        }
                        None => unknown_key = true,
                    }
                }
                if unknown_key {
                    Val::Unknown
                } else {
                    Val::Map(map)
                }
            }
            Expression::TemplateExpr(t) => match Template::from_expr(t) {
                Ok(template) => self.template(&template, refs, depth + 1),
                Err(_) => Val::Unknown,
            },
            Expression::Variable(_) => Val::Unknown,
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return Val::Unknown;
                };
                let attrs: Vec<&str> = t
                    .operators
                    .iter()
                    .map_while(|op| match op {
                        TraversalOperator::GetAttr(id) => Some(id.as_str()),
                        _ => None,
                    })
                    .collect();
                self.traversal(root.as_str(), &attrs, t.operators.len(), refs, depth)
            }
            Expression::FuncCall(call) => {
                let args: Vec<Val> = call
                    .args
                    .iter()
                    .map(|a| self.expr(a, refs, depth + 1))
                    .collect();
                function(call.name.to_string().as_str(), &args)
            }
            Expression::Parenthesis(inner) => self.expr(inner, refs, depth + 1),
            other => {
                // Conditionals, operations, `for`: not in stackgen's
                // resources; their references still count.
                collect_refs(other, refs);
                Val::Unknown
            }
        }
    }

    fn traversal(
        &self,
        root: &str,
        attrs: &[&str],
        operators: usize,
        refs: &mut Vec<String>,
        depth: usize,
    ) -> Val {
        match (root, attrs) {
            ("var", [name]) if operators == 1 => {
                self.vars.get(*name).cloned().unwrap_or(Val::Unknown)
            }
            ("local", [name]) if operators == 1 => match self.locals.get(*name) {
                Some(e) => self.expr(e, refs, depth + 1),
                None => Val::Unknown,
            },
            ("path", ["module"]) => Val::String(".".to_owned()),
            ("data", [kind, name, rest @ ..]) => {
                refs.push(reference(&format!("data.{kind}.{name}"), rest));
                Val::Unknown
            }
            (kind, [name, rest @ ..]) if kind.starts_with("aws_") => {
                refs.push(reference(&format!("{kind}.{name}"), rest));
                Val::Unknown
            }
            _ => Val::Unknown,
        }
    }

    fn template(&self, template: &Template, refs: &mut Vec<String>, depth: usize) -> Val {
        let mut out = String::new();
        let mut known = true;
        for element in template.elements() {
            match element {
                Element::Literal(text) => out.push_str(text),
                Element::Interpolation(i) => match self.expr(&i.expr, refs, depth + 1) {
                    Val::String(s) => out.push_str(&s),
                    Val::Number(n) => out.push_str(&n.to_string()),
                    Val::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                    _ => known = false,
                },
                Element::Directive(_) => known = false,
            }
        }
        if known {
            Val::String(out)
        } else {
            Val::Unknown
        }
    }
}

/// A reference as plans write it: the address, then the first attribute.
fn reference(address: &str, attrs: &[&str]) -> String {
    match attrs.first() {
        Some(attr) => format!("{address}.{attr}"),
        None => address.to_owned(),
    }
}

/// The resources an expression refers to, by the link stage's walk (which
/// knows every expression form).
fn collect_refs(expr: &Expression, refs: &mut Vec<String>) {
    for r in crate::output::link::references_in(expr) {
        if r.starts_with("aws_") || r.starts_with("data.") {
            refs.push(r);
        }
    }
}

fn number(n: &hcl::Number) -> Val {
    if let Some(i) = n.as_i64() {
        Val::Number(i.into())
    } else if let Some(u) = n.as_u64() {
        Val::Number(u.into())
    } else {
        n.as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Val::Unknown, Val::Number)
    }
}

/// The functions stackgen's templates call.
fn function(name: &str, args: &[Val]) -> Val {
    match (name, args) {
        ("upper", [Val::String(s)]) => Val::String(s.to_uppercase()),
        ("lower", [Val::String(s)]) => Val::String(s.to_lowercase()),
        ("jsonencode", [v]) if !v.has_unknown() => Val::String(v.to_json().to_string()),
        _ => Val::Unknown,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(files: &[(&str, &str)], tfvars: &str) -> Observed {
        let bodies: Vec<(String, Body)> = files
            .iter()
            .map(|(n, t)| ((*n).to_owned(), hcl::parse(t).unwrap()))
            .collect();
        evaluate(&bodies, tfvars)
    }

    #[test]
    fn literals_variables_locals_and_templates() {
        let observed = eval(
            &[(
                "main.tf",
                r#"
variable "environment" {
  default = "dev"
}
variable "name" {
  type = string
}
locals {
  tags = { Environment = upper(var.environment), Owner = var.name, Student = "${var.name}-1" }
}
resource "aws_s3_bucket" "b" {
  bucket        = "datalake-${var.environment}"
  force_destroy = true
  tags          = local.tags
  n             = 1.5
  template      = "s3://x/$${symbol}/"
  rule {
    days = 7
  }
  rule {
    days = 1
  }
}
"#,
            )],
            "name = \"Jan Kowalski\"\n",
        );
        let b = &observed.resources[0];
        assert_eq!(b.address, "aws_s3_bucket.b");
        assert_eq!(b.values.at("bucket"), [&Val::String("datalake-dev".into())]);
        assert_eq!(
            b.values.at("tags.Environment"),
            [&Val::String("DEV".into())]
        );
        assert_eq!(
            b.values.at("tags.Student"),
            [&Val::String("Jan Kowalski-1".into())]
        );
        assert_eq!(
            b.values.at("template"),
            [&Val::String("s3://x/${symbol}/".into())]
        );
        assert_eq!(b.values.at("rule.*.days").len(), 2);
        assert_eq!(b.values.at("rule.1.days"), [&Val::Number(1.into())]);
        assert!(b.references.is_empty());
    }

    #[test]
    fn references_are_unknown_and_recorded_by_path() {
        let observed = eval(
            &[(
                "f.tf",
                r#"
resource "aws_kinesis_firehose_delivery_stream" "f" {
  kinesis_source_configuration {
    kinesis_stream_arn = aws_kinesis_stream.s.arn
    role_arn           = data.aws_iam_role.lab.arn
  }
  layers = [aws_lambda_layer_version.l.arn]
  policy = jsonencode({ Resource = ["arn:aws:s3:::b"] })
  other  = "${aws_s3_bucket.b.arn}/*"
  environment {
    variables = {
      STREAM = aws_kinesis_stream.s.name
      HOURS  = "8"
    }
  }
}
"#,
            )],
            "",
        );
        let f = &observed.resources[0];
        assert_eq!(
            f.values
                .at("kinesis_source_configuration.0.kinesis_stream_arn"),
            [&Val::Unknown]
        );
        assert_eq!(
            f.references_at("kinesis_source_configuration.0.kinesis_stream_arn"),
            ["aws_kinesis_stream.s.arn"]
        );
        assert_eq!(
            f.references_at("kinesis_source_configuration.0.role_arn"),
            ["data.aws_iam_role.lab.arn"]
        );
        assert_eq!(
            f.references_at("layers"),
            ["aws_lambda_layer_version.l.arn"]
        );
        assert_eq!(f.references_at("other"), ["aws_s3_bucket.b.arn"]);
        // A map's references are the map's (as Terraform records them):
        // its unknown values take them, its known ones do not.
        assert_eq!(
            f.references_at("environment.0.variables.STREAM"),
            ["aws_kinesis_stream.s.name"]
        );
        assert!(f.references_at("environment.0.variables.HOURS").is_empty());
        assert_eq!(
            f.values.at("policy"),
            [&Val::String(r#"{"Resource":["arn:aws:s3:::b"]}"#.into())]
        );
    }

    #[test]
    fn a_cycle_of_locals_ends() {
        let observed = eval(
            &[(
                "m.tf",
                "locals {\n  a = local.b\n  b = local.a\n}\nresource \"aws_x\" \"y\" {\n  v = local.a\n}\n",
            )],
            "",
        );
        assert_eq!(observed.resources[0].values.at("v"), [&Val::Unknown]);
    }
}
