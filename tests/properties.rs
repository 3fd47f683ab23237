//! Properties that hold for every input, not just the examples:
//!
//! - **no input changes a stack's structure**: every string field the JSON
//!   Schema reaches, with each hostile payload, is either rejected by
//!   `validate` naming that field, or renders a stack whose structure
//!   (file, block type, labels, attribute names) is the benign value's,
//!   with the payload round-tripping into the Terraform strings exactly;
//! - **every valid input renders**: across the cross product of the
//!   switches (and the three backends, in turn), `validate` passing
//!   implies `render` and the link check passing, for a student and for a
//!   class (whose S3 backend adds the bootstrap stack);
//! - **templates name no resource**: no template spells a resource type,
//!   label or reference; each comes from a part's addresses.

use std::collections::BTreeSet;

use hcl::expr::{Expression, TemplateExpr};
use hcl::structure::Body;
use serde_json::{json, Value};
use stackgen::input::load::Source;

fn baseline() -> Value {
    json!({
        "student": { "name": "Jan Kowalski", "initials": "jk", "index_no": "12345" },
        "account_id": "100603781557",
    })
}

/// Sets `path` (`a.b`, `a.b[0]`) in `doc` to `value`.
fn set(doc: &mut Value, path: &str, value: Value) {
    let mut here = doc;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (
                k,
                Some(rest.trim_end_matches(']').parse::<usize>().unwrap()),
            ),
            None => (*part, None),
        };
        let obj = here.as_object_mut().unwrap();
        if let Some(index) = index {
            let items = obj
                .entry(key)
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .unwrap();
            while items.len() <= index {
                items.push(json!("BTC_USD"));
            }
            if last {
                items[index] = value;
                return;
            }
            here = &mut items[index];
        } else if last {
            obj.insert(key.to_owned(), value);
            return;
        } else {
            here = obj.entry(key).or_insert_with(|| json!({}));
        }
    }
}

/// Every string-valued field path of the student file's schema, with a
/// benign value that validates.
fn string_fields() -> Vec<(String, Value)> {
    let schema = serde_json::to_value(stackgen::input::schema::student()).unwrap();
    let mut out = Vec::new();
    walk(&schema, &schema["definitions"], "", &mut out);
    out.into_iter()
        .map(|path| {
            let benign = match path.as_str() {
                "student.name" => "Jan Kowalski",
                "student.initials" => "jk",
                "student.index_no" => "12345",
                "account_id" => "100603781557",
                "region" => "us-east-1",
                "environment" => "dev",
                "iam.existing_role" => "LabRole",
                "lambda.runtime" => "python3.12",
                "analytics.symbol" | "athena.symbols[0]" => "BTC_USD",
                "generator.input_csv" => "data/btc.csv",
                "edition" => "uam-2021",
                // Classic only; checked with target classic below.
                "lambda.layer_zip" => "lambda/layer.zip",
                // Probed inside a whole S3 backend (see `base_for`).
                "backend.s3.bucket" => "uam-tfstate",
                "backend.s3.region" => "eu-central-1",
                "backend.s3.key_prefix" => "uam/2026",
                "backend.s3.lock_table" => "uam-tflock",
                other => panic!("no benign value for string field `{other}`: add one"),
            };
            (path, json!(benign))
        })
        .collect()
}

fn walk(schema: &Value, defs: &Value, prefix: &str, out: &mut Vec<String>) {
    let resolved = |s: &Value| -> Value {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            defs[r.trim_start_matches("#/definitions/")].clone()
        } else if let Some(r) = s
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|all| all[0].get("$ref"))
            .and_then(Value::as_str)
        {
            defs[r.trim_start_matches("#/definitions/")].clone()
        } else {
            s.clone()
        }
    };
    let schema = resolved(schema);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, sub) in props {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        // A Rust enum (`target`) is a referenced definition; a string
        // field whose schema lists its values inline (`region`) is still
        // free text to serde, so it is probed like any other.
        let referenced = sub.get("$ref").is_some() || sub.get("allOf").is_some();
        let sub = resolved(sub);
        let type_of = |s: &Value| -> Vec<String> {
            match s.get("type") {
                Some(Value::String(t)) => vec![t.clone()],
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut types = type_of(&sub);
        // `edition`: a built-in name or a path.
        if let Some(any) = sub.get("anyOf").and_then(Value::as_array) {
            types.extend(any.iter().flat_map(type_of));
        }
        if types.iter().any(|t| t == "string") && (sub.get("enum").is_none() || !referenced) {
            out.push(path);
        } else if types.iter().any(|t| t == "array") {
            if sub["items"]["type"] == "string" {
                out.push(format!("{path}[0]"));
            }
        } else if sub.get("properties").is_some() || sub.get("$ref").is_some() {
            walk(&sub, defs, &path, out);
        }
    }
}

const PAYLOADS: &[&str] = &[
    "\n",
    "\r",
    "\u{2028}",
    "\"",
    "\\",
    "${path.cwd}",
    "%{ if true }x%{ endif }",
    "*/",
    "\nEOT\n",
    "#",
    "\0",
    "\"\noutput \"pwned\" {\n value = \"x\"\n}\n#",
];

/// (file, block path, labels, attribute names): what a stack is made of.
type Structure = BTreeSet<(String, String)>;

fn structure(files: &stackgen::output::emit::Files) -> (Structure, Vec<String>) {
    let mut shape = Structure::new();
    let mut strings = Vec::new();
    for (name, bytes) in files.iter().filter(|(n, _)| {
        std::path::Path::new(n)
            .extension()
            .is_some_and(|e| e == "tf" || e == "tfvars")
    }) {
        let body: Body = hcl::from_str(std::str::from_utf8(bytes).unwrap())
            .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        walk_body(&body, name, &mut shape, &mut strings);
    }
    (shape, strings)
}

fn walk_body(body: &Body, at: &str, shape: &mut Structure, strings: &mut Vec<String>) {
    for attr in body.attributes() {
        shape.insert((at.to_owned(), format!("= {}", attr.key)));
        collect_strings(&attr.expr, strings);
    }
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(hcl::BlockLabel::as_str).collect();
        let here = format!("{at} > {} {}", block.identifier, labels.join(" "));
        shape.insert((at.to_owned(), here.clone()));
        walk_body(&block.body, &here, shape, strings);
    }
}

fn collect_strings(expr: &Expression, out: &mut Vec<String>) {
    match expr {
        Expression::String(s) => out.push(s.clone()),
        Expression::TemplateExpr(t) => {
            let text = match t.as_ref() {
                TemplateExpr::QuotedString(s) => s.clone(),
                TemplateExpr::Heredoc(h) => h.template.clone(),
            };
            // The literal text with HCL's escapes undone, as Terraform reads it.
            out.push(text.replace("$${", "${").replace("%%{", "%{"));
        }
        Expression::Array(items) => items.iter().for_each(|e| collect_strings(e, out)),
        Expression::Object(obj) => obj.values().for_each(|e| collect_strings(e, out)),
        Expression::FuncCall(f) => f.args.iter().for_each(|e| collect_strings(e, out)),
        _ => {}
    }
}

fn render(
    doc: &Value,
) -> Result<stackgen::output::emit::Files, Vec<stackgen::base::diagnostic::Diagnostic>> {
    let text = serde_json::to_string_pretty(doc).unwrap();
    let source = Source::new("s.yaml", text);
    match stackgen::check(&source) {
        Ok(checked) => Ok(stackgen::render(&checked.spec, "s.yaml")
            .unwrap_or_else(|e| panic!("a valid input failed to render: {e:?}\n{doc:#}"))),
        Err(stackgen::RenderError::Invalid(found)) => Err(found),
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn no_input_changes_the_structure_of_a_stack() {
    let fields = string_fields();
    assert!(fields.len() >= 12, "{fields:?}");
    let mut rejected = 0;
    let mut rendered = 0;
    for (field, benign) in &fields {
        let base = base_for(field);
        let mut good = base.clone();
        set(&mut good, field, benign.clone());
        let (good_shape, _) =
            structure(&render(&good).unwrap_or_else(|e| panic!("benign {field}: {e:?}")));
        let long = "x".repeat(10_000);
        for payload in PAYLOADS.iter().copied().chain([long.as_str()]) {
            let value = format!("{}{payload}", benign.as_str().unwrap());
            let mut doc = base.clone();
            set(&mut doc, field, json!(value));
            match render(&doc) {
                Err(found) => {
                    let field_root = field.trim_end_matches("[0]");
                    assert!(
                        found.iter().any(|d| d.field.starts_with(field_root)),
                        "{field} = {value:?} was rejected, but no finding names the field: {found:#?}"
                    );
                    rejected += 1;
                }
                Ok(files) => {
                    let (shape, strings) = structure(&files);
                    assert_eq!(
                        shape, good_shape,
                        "{field} = {value:?} changed the stack's structure"
                    );
                    let (_, good_strings) = structure(&render(&good).unwrap());
                    let reaches = good_strings
                        .iter()
                        .any(|s| s.contains(benign.as_str().unwrap()));
                    if reaches {
                        assert!(
                            strings.iter().any(|s| s.contains(&value)),
                            "{field} = {value:?} did not round-trip into the stack's strings"
                        );
                    }
                    rendered += 1;
                }
            }
        }
    }
    // Both outcomes occur: the property is not vacuous either way.
    assert!(
        rejected > 0 && rendered > 0,
        "rejected {rejected}, rendered {rendered}"
    );
}

/// The document a field is probed in: classic for the fields only classic
/// reads; a whole S3 backend (classic, so the lock table is rendered) for
/// each of its fields.
fn base_for(field: &str) -> Value {
    let mut base = baseline();
    if field == "lambda.layer_zip" || field.starts_with("backend.") {
        set(&mut base, "target", json!("classic"));
    }
    if field.starts_with("backend.s3.") {
        set(&mut base, "backend", s3_backend());
    }
    base
}

fn s3_backend() -> Value {
    json!({ "s3": {
        "bucket": "uam-tfstate",
        "region": "eu-central-1",
        "key_prefix": "uam/2026",
        "lock_table": "uam-tflock",
    } })
}

#[test]
fn every_valid_combination_of_switches_renders() {
    let mut valid = 0;
    let mut invalid = 0;
    // Where the state lives, in turn: each combination gets one backend,
    // and every backend meets both targets and editions many times.
    let backends = [Value::Null, s3_backend(), json!({ "http": {} })];
    let mut turn = 0;
    for edition in ["uam-2021", "uam-2025"] {
        for target in ["classic", "modern"] {
            for enabled in [true, false] {
                for engine in [None, Some("sql"), Some("lambda")] {
                    for alert_lambda in [true, false] {
                        for alerts_firehose in [true, false] {
                            for role in [None, Some("LabRole")] {
                                for style in ["least_privilege", "lab"] {
                                    let mut doc = baseline();
                                    set(&mut doc, "edition", json!(edition));
                                    set(&mut doc, "target", json!(target));
                                    set(&mut doc, "policy_style", json!(style));
                                    set(&mut doc, "analytics.enabled", json!(enabled));
                                    if let Some(e) = engine {
                                        set(&mut doc, "analytics.engine", json!(e));
                                    }
                                    set(&mut doc, "analytics.alert_lambda", json!(alert_lambda));
                                    set(
                                        &mut doc,
                                        "analytics.alerts_firehose",
                                        json!(alerts_firehose),
                                    );
                                    set(&mut doc, "iam.existing_role", json!(role));
                                    set(&mut doc, "backend", backends[turn % 3].clone());
                                    turn += 1;
                                    // The expiry rides on `alert_lambda` rather than
                                    // doubling the loops: every other combination
                                    // still renders with and without a reaper.
                                    if alert_lambda {
                                        set(&mut doc, "expire_after_hours", json!(8));
                                    }
                                    match render(&doc) {
                                        Ok(_) => valid += 1,
                                        Err(found) => {
                                            assert!(found.iter().any(
                                                stackgen::base::diagnostic::Diagnostic::is_error
                                            ));
                                            invalid += 1;
                                        }
                                    }
                                    class_renders(&doc);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        valid > 100 && invalid > 0,
        "valid {valid}, invalid {invalid}"
    );
}

/// The same settings as a class's defaults, for two students: validate
/// passing implies render passing here too.
fn class_renders(student: &Value) {
    let mut defaults = student.clone();
    let obj = defaults.as_object_mut().unwrap();
    obj.remove("student");
    obj.remove("account_id");
    let class = json!({
        "course": "c",
        "defaults": defaults,
        "students": [
            { "name": "Jan Kowalski", "index_no": "12345", "account_id": "100603781557" },
            { "name": "Anna Nowak", "index_no": "s1203137", "account_id": "100603781557" },
        ],
    });
    let source = Source::new("class.yaml", serde_json::to_string(&class).unwrap());
    let (checked, _) = stackgen::check_class(&source, std::path::Path::new("."));
    if let Ok(class) = checked {
        stackgen::render_class(&class, "class.yaml", &|| {})
            .unwrap_or_else(|e| panic!("a valid class failed to render: {e:?}"));
    }
}

#[test]
fn templates_name_no_resource_and_print_nothing_raw() {
    let reference = regex_lite(r"aws_[a-z0-9_]+\.[a-z0-9_]+");
    for (name, text) in stackgen::output::emit::TEMPLATES {
        // Outside `{{ }}` and `{% %}`: what the template writes literally.
        let literal = strip_tags(text);
        for (i, line) in literal.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with('#') {
                continue;
            }
            assert!(
                !code.starts_with("resource \"") && !code.starts_with("data \""),
                "{name}:{}: declares a block by hand; use a part's address (`{{{{ part.a.x.declare }}}}`)",
                i + 1
            );
            assert!(
                !reference(code),
                "{name}:{}: `{code}` spells a resource reference; take it from a part's addresses",
                i + 1
            );
        }
        for raw in ["| safe", "|safe", "| escape", "autoescape"] {
            assert!(!text.contains(raw), "{name} uses `{raw}`");
        }
    }
}

/// Removes `{{ ... }}`, `{% ... %}` and `{# ... #}` from a template.
fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let close = match rest[start..].chars().nth(1) {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                out.push_str(&rest[..=start]);
                rest = &rest[start + 1..];
                continue;
            }
        };
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find(close)
            .map_or(rest.len(), |e| start + e + 2);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A tiny matcher for `aws_<ident>.<ident>` (no regex dependency).
fn regex_lite(_: &str) -> impl Fn(&str) -> bool {
    |line: &str| {
        let bytes = line.as_bytes();
        let ident = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        let mut i = 0;
        while let Some(found) = line[i..].find("aws_") {
            let start = i + found;
            let before_ok = start == 0 || !ident(bytes[start - 1]);
            let mut j = start + 4;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            if before_ok
                && j < bytes.len()
                && bytes[j] == b'.'
                && j + 1 < bytes.len()
                && ident(bytes[j + 1])
            {
                return true;
            }
            i = start + 4;
        }
        false
    }
}

/// Every checkpoint of every built-in edition renders and links, on both
/// targets, with and without a Learner Lab role and in both policy styles:
/// a template that named a part of a later exercise would fail here. A
/// checkpoint has exactly the parts of its exercises, and the last one is
/// the whole stack, file for file (the README says it is a checkpoint).
#[test]
fn every_checkpoint_renders_and_links() {
    let mut rendered = 0;
    for edition in stackgen::base::edition::built_in_names() {
        let last = stackgen::base::edition::Edition::built_in(edition)
            .unwrap()
            .last_exercise();
        for target in ["classic", "modern"] {
            for role in [None, Some("LabRole")] {
                for style in ["least_privilege", "lab"] {
                    let mut doc = baseline();
                    set(&mut doc, "edition", json!(edition));
                    set(&mut doc, "target", json!(target));
                    set(&mut doc, "iam.existing_role", json!(role));
                    if role.is_none() {
                        set(&mut doc, "policy_style", json!(style));
                    }
                    let text = serde_json::to_string_pretty(&doc).unwrap();
                    let Ok(checked) = stackgen::check(&Source::new("s.yaml", text)) else {
                        continue;
                    };
                    let whole = stackgen::render(&checked.spec, "s.yaml").unwrap();
                    let full = stackgen::stack::Stack::new(&checked.spec, &checked.spec.edition());
                    for n in 1..=last {
                        let mut spec = checked.spec.clone();
                        spec.through = Some(n);
                        let files = stackgen::render(&spec, "s.yaml").unwrap_or_else(|e| {
                            panic!("{edition} {target} {role:?} {style} --through {n}: {e:?}")
                        });
                        let stack = stackgen::stack::Stack::new(&spec, &spec.edition());
                        let ids: Vec<_> = stack.parts.iter().map(|p| p.id).collect();
                        let want: Vec<_> = full
                            .parts
                            .iter()
                            .map(|p| p.id)
                            .filter(|id| spec.edition().exercise(*id).is_some_and(|e| e <= n))
                            .collect();
                        assert_eq!(ids, want, "{edition} --through {n}");
                        if n == last {
                            let tf = |f: &stackgen::output::emit::Files| {
                                f.iter()
                                    .filter(|(p, _)| p.as_str() != "README.md")
                                    .map(|(p, b)| (p.clone(), b.clone()))
                                    .collect::<Vec<_>>()
                            };
                            assert_eq!(tf(&files), tf(&whole), "{edition} --through {last}");
                        }
                        rendered += 1;
                    }
                }
            }
        }
    }
    assert!(rendered >= 60, "{rendered}");
}
