//! Parse-back and link check of the emitted Terraform.
//!
//! Every `.tf` file is parsed again with hcl-rs, then every reference
//! (`var.x`, `local.x`, `aws_s3_bucket.x`, `data.t.x`, also inside `"${...}"`
//! and heredocs) must name something declared in the stack. A template that
//! mistypes a resource label therefore fails inside stackgen, with the file
//! and the reference, instead of at `terraform plan` on a student's laptop.

use std::collections::BTreeSet;
use std::path::Path;

use hcl::expr::{Expression, ObjectKey, TemplateExpr, TraversalOperator};
use hcl::structure::{Body, Structure};
use hcl::template::{Directive, Element, Template};

use crate::output::emit::Files;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("{file}: does not parse as HCL: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: `{reference}` refers to nothing declared in the stack")]
    Unresolved { file: String, reference: String },
    #[error("{file}: `{name}` is declared twice")]
    Duplicate { file: String, name: String },
}

/// Roots that are not declarations: Terraform's own objects.
const BUILTIN_ROOTS: [&str; 5] = ["path", "terraform", "count", "each", "self"];

/// What the one parse-back of a stack found: every problem, every
/// resource with what it refers to (the review's "used by"), and the parsed
/// files themselves (what `grade` reads the expected values from).
#[derive(Debug, Clone, Default)]
pub struct Linked {
    pub errors: Vec<LinkError>,
    pub resources: Vec<Resource>,
    /// Each `.tf` file that parsed, by name.
    pub bodies: Vec<(String, Body)>,
}

/// Checks all `.tf` files of a stack; returns every problem found.
pub fn check(files: &Files) -> Vec<LinkError> {
    link(files).errors
}

/// Parses every `.tf` file of a stack once, checks its references, and
/// lists its resources.
pub fn link(files: &Files) -> Linked {
    let mut errors = Vec::new();
    let mut bodies = Vec::new();
    for (name, bytes) in files.iter().filter(|(n, _)| is_tf(n)) {
        let text = String::from_utf8_lossy(bytes);
        match hcl::parse(&text) {
            Ok(body) => bodies.push((name.clone(), body)),
            Err(e) => errors.push(LinkError::Parse {
                file: name.clone(),
                message: e.to_string(),
            }),
        }
    }

    let mut declared = BTreeSet::new();
    for (file, body) in &bodies {
        for name in declarations(body) {
            if !declared.insert(name.clone()) {
                errors.push(LinkError::Duplicate {
                    file: file.clone(),
                    name,
                });
            }
        }
    }

    for (file, body) in &bodies {
        let mut refs = BTreeSet::new();
        collect_body(body, &mut Vec::new(), &mut refs);
        for reference in refs {
            if !declared.contains(&reference) {
                errors.push(LinkError::Unresolved {
                    file: file.clone(),
                    reference,
                });
            }
        }
    }
    let resources = bodies
        .iter()
        .flat_map(|(_, body)| resources_of(body))
        .collect();
    Linked {
        errors,
        resources,
        bodies,
    }
}

/// A resource block of the stack: its address, its literal `name`
/// attribute if it has one, and what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub address: String,
    pub name: Option<String>,
    pub refs: BTreeSet<String>,
}

fn resources_of(body: &Body) -> Vec<Resource> {
    let mut found = Vec::new();
    for block in body
        .blocks()
        .filter(|b| b.identifier.as_str() == "resource")
    {
        let [kind, label] = block.labels.as_slice() else {
            continue;
        };
        let name = block
            .body
            .attributes()
            .find(|a| a.key.as_str() == "name")
            .and_then(|a| match &a.expr {
                Expression::String(s) => Some(s.clone()),
                _ => None,
            });
        let mut refs = BTreeSet::new();
        collect_body(&block.body, &mut Vec::new(), &mut refs);
        found.push(Resource {
            address: format!("{}.{}", kind.as_str(), label.as_str()),
            name,
            refs,
        });
    }
    found
}

fn is_tf(name: &str) -> bool {
    Path::new(name).extension().is_some_and(|e| e == "tf")
}

/// Names a body declares, in the form references use them.
fn declarations(body: &Body) -> Vec<String> {
    let mut names = Vec::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block
            .labels
            .iter()
            .map(hcl::structure::BlockLabel::as_str)
            .collect();
        match (block.identifier.as_str(), labels.as_slice()) {
            ("variable", [name]) => names.push(format!("var.{name}")),
            ("resource", [kind, name]) => names.push(format!("{kind}.{name}")),
            ("data", [kind, name]) => names.push(format!("data.{kind}.{name}")),
            ("module", [name]) => names.push(format!("module.{name}")),
            ("locals", []) => {
                names.extend(block.body.attributes().map(|a| format!("local.{}", a.key)));
            }
            _ => {}
        }
    }
    names
}

/// The declarations one expression refers to (`aws_s3_bucket.b`,
/// `var.x`, `data.t.n`).
pub fn references_in(expr: &Expression) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    collect_expr(expr, &mut Vec::new(), &mut refs);
    refs
}

fn collect_body(body: &Body, scope: &mut Vec<String>, refs: &mut BTreeSet<String>) {
    for structure in body {
        match structure {
            Structure::Attribute(attr) => collect_expr(&attr.expr, scope, refs),
            Structure::Block(block) if block.identifier.as_str() == "variable" => {
                // A variable's `type` is a type constraint (`string`,
                // `list(string)`), not an expression with references.
                for structure in &block.body {
                    match structure {
                        Structure::Attribute(attr) if attr.key.as_str() == "type" => {}
                        Structure::Attribute(attr) => collect_expr(&attr.expr, scope, refs),
                        Structure::Block(inner) => collect_body(&inner.body, scope, refs),
                    }
                }
            }
            Structure::Block(block) => collect_body(&block.body, scope, refs),
        }
    }
}

fn collect_expr(expr: &Expression, scope: &mut Vec<String>, refs: &mut BTreeSet<String>) {
    match expr {
        Expression::Variable(var) => reference(var.as_str(), &[], scope, refs),
        Expression::Traversal(t) => {
            if let Expression::Variable(var) = &t.expr {
                let attrs: Vec<&str> = t
                    .operators
                    .iter()
                    .map_while(|op| match op {
                        TraversalOperator::GetAttr(id) => Some(id.as_str()),
                        _ => None,
                    })
                    .collect();
                reference(var.as_str(), &attrs, scope, refs);
            } else {
                collect_expr(&t.expr, scope, refs);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(index) = op {
                    collect_expr(index, scope, refs);
                }
            }
        }
        Expression::Array(items) => items.iter().for_each(|e| collect_expr(e, scope, refs)),
        Expression::Object(object) => {
            for (key, value) in object {
                if let ObjectKey::Expression(k) = key {
                    collect_expr(k, scope, refs);
                }
                collect_expr(value, scope, refs);
            }
        }
        Expression::TemplateExpr(template) => collect_template_expr(template, scope, refs),
        Expression::FuncCall(call) => call.args.iter().for_each(|e| collect_expr(e, scope, refs)),
        Expression::Parenthesis(inner) => collect_expr(inner, scope, refs),
        Expression::Conditional(c) => {
            for e in [&c.cond_expr, &c.true_expr, &c.false_expr] {
                collect_expr(e, scope, refs);
            }
        }
        Expression::Operation(op) => match op.as_ref() {
            hcl::expr::Operation::Unary(u) => collect_expr(&u.expr, scope, refs),
            hcl::expr::Operation::Binary(b) => {
                collect_expr(&b.lhs_expr, scope, refs);
                collect_expr(&b.rhs_expr, scope, refs);
            }
        },
        Expression::ForExpr(f) => {
            collect_expr(&f.collection_expr, scope, refs);
            let bound = 1 + usize::from(f.key_var.is_some());
            scope.push(f.value_var.to_string());
            if let Some(k) = &f.key_var {
                scope.push(k.to_string());
            }
            for e in [
                f.key_expr.as_ref(),
                Some(&f.value_expr),
                f.cond_expr.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                collect_expr(e, scope, refs);
            }
            scope.truncate(scope.len() - bound);
        }
        _ => {}
    }
}

fn collect_template_expr(
    expr: &TemplateExpr,
    scope: &mut Vec<String>,
    refs: &mut BTreeSet<String>,
) {
    // A template that does not parse is reported by terraform validate;
    // hcl::parse has already accepted the surrounding file.
    if let Ok(template) = Template::from_expr(expr) {
        collect_template(&template, scope, refs);
    }
}

fn collect_template(template: &Template, scope: &mut Vec<String>, refs: &mut BTreeSet<String>) {
    for element in template.elements() {
        match element {
            Element::Literal(_) => {}
            Element::Interpolation(i) => collect_expr(&i.expr, scope, refs),
            Element::Directive(Directive::If(d)) => {
                collect_expr(&d.cond_expr, scope, refs);
                collect_template(&d.true_template, scope, refs);
                if let Some(f) = &d.false_template {
                    collect_template(f, scope, refs);
                }
            }
            Element::Directive(Directive::For(d)) => {
                collect_expr(&d.collection_expr, scope, refs);
                scope.push(d.value_var.to_string());
                collect_template(&d.template, scope, refs);
                scope.pop();
            }
        }
    }
}

/// Records the declaration a reference needs: `var.x`, `local.x`,
/// `data.t.x`, `module.x` or `type.name`.
fn reference(root: &str, attrs: &[&str], scope: &[String], refs: &mut BTreeSet<String>) {
    if BUILTIN_ROOTS.contains(&root) || scope.iter().any(|s| s == root) {
        return;
    }
    let needed = match (root, attrs) {
        ("data", [kind, name, ..]) => format!("data.{kind}.{name}"),
        // `var.x`, `local.x`, `module.x` and `type.name` alike.
        (_, [name, ..]) => format!("{root}.{name}"),
        (_, []) => root.to_owned(),
    };
    refs.insert(needed);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(n, t)| ((*n).to_owned(), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn resolved_references_pass() {
        let stack = files(&[
            ("variables.tf", "variable \"region\" {\n  type = string\n}\nlocals {\n  tags = {}\n}\n"),
            (
                "main.tf",
                "resource \"aws_s3_bucket\" \"b\" {\n  tags = local.tags\n  bucket = \"x-${var.region}\"\n}\nresource \"aws_x\" \"y\" {\n  arn = \"${aws_s3_bucket.b.arn}/*\"\n  path = \"${path.module}/f.zip\"\n  depends_on = [aws_s3_bucket.b]\n  list = [for s in [1] : s]\n}\n",
            ),
        ]);
        assert_eq!(check(&stack), vec![]);
    }

    #[test]
    fn every_unresolved_reference_is_reported() {
        let stack = files(&[(
            "main.tf",
            "resource \"aws_x\" \"y\" {\n  a = var.missing\n  b = \"${aws_s3_bucket.nope.arn}\"\n  c = local.gone\n  d = data.aws_iam_role.r.arn\n  q = <<-EOT\n    ${var.in_heredoc}\n  EOT\n}\n",
        )]);
        let refs: Vec<String> = check(&stack)
            .into_iter()
            .map(|e| match e {
                LinkError::Unresolved { reference, .. } => reference,
                other => panic!("unexpected {other}"),
            })
            .collect();
        assert_eq!(
            refs,
            [
                "aws_s3_bucket.nope",
                "data.aws_iam_role.r",
                "local.gone",
                "var.in_heredoc",
                "var.missing"
            ]
        );
    }

    #[test]
    fn duplicates_and_parse_errors_are_reported() {
        let stack = files(&[
            ("a.tf", "resource \"t\" \"n\" {}\n"),
            ("b.tf", "resource \"t\" \"n\" {}\n"),
            ("c.tf", "resource \"t\" {\n"),
        ]);
        let errors = check(&stack);
        assert!(matches!(errors[0], LinkError::Parse { .. }), "{errors:?}");
        assert!(
            matches!(errors[1], LinkError::Duplicate { .. }),
            "{errors:?}"
        );
    }
}
