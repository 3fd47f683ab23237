//! A Terraform plan: `terraform show -json PLANFILE`.
//!
//! What the stack will hold after apply is each `resource_changes` entry's
//! `after`, with what `after_unknown` marks turned into `Val::Unknown`;
//! resources the plan deletes are left out, and data sources read at plan
//! time come from `prior_state`. The `configuration` section gives each
//! attribute's references (`expressions.*.references`), with a module's
//! resources prefixed by the module's path, so a check can tell that the
//! Firehose reads `aws_kinesis_stream.s` before the stream's ARN is known.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::state::{format_version, mode, module_resources, top, values, Values};
use super::Problem;
use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;
use crate::grade::observed::{block_address, Mode, Observed, Resource};

#[derive(Deserialize)]
struct Plan<'a> {
    #[serde(default, borrow)]
    resource_changes: Vec<Change<'a>>,
    #[serde(borrow)]
    prior_state: Option<PriorState<'a>>,
    configuration: Option<Configuration>,
}

#[derive(Deserialize)]
struct PriorState<'a> {
    #[serde(borrow)]
    values: Option<Values<'a>>,
}

#[derive(Deserialize)]
struct Change<'a> {
    address: String,
    mode: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(borrow, rename = "change")]
    body: Option<ChangeBody<'a>>,
}

#[derive(Deserialize)]
struct ChangeBody<'a> {
    #[serde(default)]
    actions: Vec<String>,
    #[serde(borrow)]
    after: Option<&'a RawValue>,
    #[serde(borrow)]
    after_unknown: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Configuration {
    root_module: Option<ConfigModule>,
}

#[derive(Deserialize)]
struct ConfigModule {
    #[serde(default)]
    resources: Vec<ConfigResource>,
    #[serde(default)]
    module_calls: BTreeMap<String, ModuleCall>,
}

#[derive(Deserialize)]
struct ModuleCall {
    module: Option<ConfigModule>,
}

#[derive(Deserialize)]
struct ConfigResource {
    address: String,
    #[serde(default)]
    expressions: serde_json::Map<String, serde_json::Value>,
}

pub fn parse(
    text: &str,
    file: &Problem,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Observed, Box<Diagnostic>> {
    let top = top(text, file)?;
    if !top.is_plan() {
        let what = if top.is_raw_state() {
            "a `terraform.tfstate`"
        } else if top.values.is_some() {
            "a state (`terraform show -json` without a plan file)"
        } else {
            "not `terraform show -json` of a plan (it has no `resource_changes`)"
        };
        return Err(file.diagnostic(
            Code::SG802,
            format!("{} is {what}, not a plan", file.shown),
            None,
        ));
    }
    if let Some(version) = top.format_version {
        format_version(version, file)?;
    }
    let plan: Plan = serde_json::from_str(text)
        .map_err(|e| file.json_error(&e, "a `terraform show -json` plan"))?;
    let references = plan
        .configuration
        .as_ref()
        .and_then(|c| c.root_module.as_ref())
        .map(references)
        .unwrap_or_default();

    let mut observed = Observed::default();
    for rc in &plan.resource_changes {
        let mode = mode(&rc.mode, file)?;
        if !wanted(&rc.kind) {
            continue;
        }
        let Some(change) = &rc.body else { continue };
        // Deleted (and not replaced): gone after apply.
        if change.actions.iter().all(|a| a == "delete") && !change.actions.is_empty() {
            continue;
        }
        let mut resource_values = values(change.after, file)?;
        if let Some(unknown) = change.after_unknown {
            let marks: serde_json::Value = serde_json::from_str(unknown.get())
                .map_err(|e| file.json_error_in(&e, "a plan's `after_unknown`", unknown.get()))?;
            resource_values.mark_unknown(&marks);
        }
        observed.resources.push(Resource {
            references: references
                .get(&block_address(&rc.address))
                .cloned()
                .unwrap_or_default(),
            address: rc.address.clone(),
            mode,
            kind: rc.kind.clone(),
            values: resource_values,
        });
    }
    // Data sources read while planning are in the prior state only.
    if let Some(root) = plan
        .prior_state
        .and_then(|p| p.values)
        .and_then(|v| v.root_module)
    {
        let mut prior = Vec::new();
        module_resources(&root, wanted, &mut prior, file)?;
        for mut r in prior.into_iter().filter(|r| r.mode == Mode::Data) {
            if observed.resources.iter().any(|o| o.address == r.address) {
                continue;
            }
            r.references = references
                .get(&block_address(&r.address))
                .cloned()
                .unwrap_or_default();
            observed.resources.push(r);
        }
    }
    Ok(observed)
}

/// Block address -> attribute path -> references, for every resource of
/// the configuration and its module calls.
fn references(root: &ConfigModule) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![(String::new(), root)];
    while let Some((prefix, module)) = pending.pop() {
        for r in &module.resources {
            let mut refs = BTreeMap::new();
            expressions(&r.expressions, "", &prefix, &mut refs);
            out.insert(format!("{prefix}{}", r.address), refs);
        }
        for (name, call) in &module.module_calls {
            if let Some(child) = &call.module {
                pending.push((format!("{prefix}module.{name}."), child));
            }
        }
    }
    out
}

/// Walks an `expressions` object: an attribute's expression is an object
/// with `references` (and/or `constant_value`); a nested block is an array
/// of such objects.
fn expressions(
    body: &serde_json::Map<String, serde_json::Value>,
    path: &str,
    prefix: &str,
    out: &mut BTreeMap<String, Vec<String>>,
) {
    for (key, value) in body {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match value {
            serde_json::Value::Object(expr)
                if expr.contains_key("references") || expr.contains_key("constant_value") =>
            {
                let refs: Vec<String> = expr
                    .get("references")
                    .and_then(serde_json::Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(serde_json::Value::as_str)
                    .map(|r| qualify(r, prefix))
                    .collect();
                if !refs.is_empty() {
                    out.insert(here, refs);
                }
            }
            serde_json::Value::Object(inner) => expressions(inner, &here, prefix, out),
            serde_json::Value::Array(blocks) => {
                for (i, block) in blocks.iter().enumerate() {
                    if let serde_json::Value::Object(inner) = block {
                        expressions(inner, &format!("{here}.{i}"), prefix, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A reference made inside a module, as a full address: resources and
/// data sources get the module's path; `var.`, `local.` and the like are
/// not addresses and stay as they are.
fn qualify(reference: &str, prefix: &str) -> String {
    let root = reference.split(['.', '[']).next().unwrap_or_default();
    let not_an_address = matches!(
        root,
        "var" | "local" | "module" | "each" | "count" | "path" | "terraform" | "self"
    );
    if prefix.is_empty() || not_an_address {
        reference.to_owned()
    } else {
        format!("{prefix}{reference}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::observed::Val;
    use crate::grade::source::Source;

    fn read(text: &str) -> Result<Observed, Box<Diagnostic>> {
        let file = Problem::new(Source::Plan, std::path::Path::new("plan.json"), text);
        parse(text, &file, &|_| true)
    }

    #[test]
    fn after_unknown_and_references() {
        let text = r#"{"format_version":"1.2","planned_values":{},
          "resource_changes":[
            {"address":"aws_kinesis_firehose_delivery_stream.f","mode":"managed","type":"aws_kinesis_firehose_delivery_stream","name":"f",
             "change":{"actions":["create"],"after":{"name":"x","kinesis_source_configuration":[{"role_arn":null}]},
                       "after_unknown":{"arn":true,"kinesis_source_configuration":[{"kinesis_stream_arn":true,"role_arn":true}]}}},
            {"address":"module.m.aws_s3_bucket.b[0]","mode":"managed","type":"aws_s3_bucket","name":"b","index":0,
             "change":{"actions":["no-op"],"after":{"bucket":"y"},"after_unknown":{}}},
            {"address":"aws_s3_bucket.gone","mode":"managed","type":"aws_s3_bucket","name":"gone",
             "change":{"actions":["delete"],"after":null,"after_unknown":{}}}],
          "prior_state":{"format_version":"1.0","values":{"root_module":{"resources":[
             {"address":"data.aws_iam_role.lab","mode":"data","type":"aws_iam_role","name":"lab","values":{"name":"LabRole","arn":"arn:aws:iam::1:role/LabRole"}}]}}},
          "configuration":{"root_module":{
            "resources":[{"address":"aws_kinesis_firehose_delivery_stream.f","mode":"managed","type":"aws_kinesis_firehose_delivery_stream","name":"f",
               "expressions":{"name":{"constant_value":"x"},"kinesis_source_configuration":[{"kinesis_stream_arn":{"references":["aws_kinesis_stream.s.arn","aws_kinesis_stream.s"]},"role_arn":{"references":["data.aws_iam_role.lab.arn","data.aws_iam_role.lab"]}}]}}],
            "module_calls":{"m":{"source":"./m","module":{"resources":[{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b",
               "expressions":{"bucket":{"references":["var.name","aws_kinesis_stream.t.name"]}}}]}}}}}}"#;
        let observed = read(text).unwrap();
        let addresses: Vec<&str> = observed
            .resources
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(
            addresses,
            [
                "aws_kinesis_firehose_delivery_stream.f",
                "module.m.aws_s3_bucket.b[0]",
                "data.aws_iam_role.lab"
            ]
        );
        let f = &observed.resources[0];
        assert_eq!(f.values.at("arn"), [&Val::Unknown]);
        assert_eq!(
            f.values
                .at("kinesis_source_configuration.0.kinesis_stream_arn"),
            [&Val::Unknown]
        );
        assert_eq!(
            f.references_at("kinesis_source_configuration.0.kinesis_stream_arn"),
            ["aws_kinesis_stream.s.arn", "aws_kinesis_stream.s"]
        );
        assert_eq!(
            observed.resources[1].references_at("bucket"),
            ["var.name", "module.m.aws_kinesis_stream.t.name"]
        );
    }

    #[test]
    fn a_state_is_not_a_plan() {
        let d = read(r#"{"format_version":"1.0","values":{}}"#).unwrap_err();
        assert_eq!(d.code, Code::SG802);
        assert!(d.message.contains("a state"), "{}", d.message);
        assert_eq!(
            read(r#"{"format_version":"9.0","resource_changes":[]}"#)
                .unwrap_err()
                .code,
            Code::SG803
        );
        assert_eq!(
            read(r#"{"format_version":"1.2","resource_changes":{"a":1}}"#)
                .unwrap_err()
                .code,
            Code::SG802
        );
        assert_eq!(
            read(r#"{"format_version":"1.2","resource_changes":[{"address":"a","mode":"managed","type":"t","change":{"after":{},"after_unknown":"x"}}]"#)
                .unwrap_err()
                .code,
            Code::SG801
        );
    }
}
