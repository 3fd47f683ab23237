//! A Terraform state: `terraform show -json` of it (every module, child
//! modules included), or the raw `terraform.tfstate` (format 4, Terraform
//! 0.12 and later). A state holds resolved values and no expressions, so
//! its resources have no references: the checks connect resources by value.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

#[cfg(test)]
use super::Source;
use super::{known_format, Problem};
use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;
use crate::grade::observed::{Mode, Observed, Resource, Val};

/// What any of the JSON files a grade reads has at its top: enough to tell
/// them apart before reading one for real.
#[derive(Deserialize)]
pub(super) struct Top<'a> {
    #[serde(borrow)]
    pub format_version: Option<&'a RawValue>,
    /// A raw state's format (`4`).
    #[serde(borrow)]
    pub version: Option<&'a RawValue>,
    #[serde(borrow)]
    pub lineage: Option<&'a RawValue>,
    #[serde(borrow)]
    pub values: Option<&'a RawValue>,
    #[serde(borrow)]
    pub resource_changes: Option<&'a RawValue>,
    #[serde(borrow)]
    pub planned_values: Option<&'a RawValue>,
}

impl Top<'_> {
    pub fn is_plan(&self) -> bool {
        self.format_version.is_some()
            && (self.resource_changes.is_some() || self.planned_values.is_some())
    }

    pub fn is_raw_state(&self) -> bool {
        self.version.is_some() && (self.lineage.is_some() || self.format_version.is_none())
    }
}

/// Reads a top-level JSON object's keys (nothing below them is parsed
/// into values).
pub(super) fn top<'a>(text: &'a str, file: &Problem) -> Result<Top<'a>, Box<Diagnostic>> {
    serde_json::from_str(text)
        .map_err(|e| file.json_error(&e, "a JSON object as `terraform show -json` writes"))
}

/// The `format_version` of a `show -json` document, checked.
pub(super) fn format_version(raw: &RawValue, file: &Problem) -> Result<(), Box<Diagnostic>> {
    let version: String = serde_json::from_str(raw.get())
        .map_err(|e| file.json_error_in(&e, "a `terraform show -json` document", raw.get()))?;
    if known_format(&version) {
        Ok(())
    } else {
        Err(file.diagnostic(
            Code::SG803,
            format!(
                "{} has `format_version` {}, which this stackgen does not know",
                file.shown,
                crate::base::diagnostic::quote(&version)
            ),
            None,
        ))
    }
}

pub fn parse(
    text: &str,
    file: &Problem,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Observed, Box<Diagnostic>> {
    let top = top(text, file)?;
    if top.is_plan() {
        return Err(file.diagnostic(
            Code::SG802,
            format!(
                "{} is a plan (`terraform show -json PLANFILE`), not a state",
                file.shown
            ),
            None,
        ));
    }
    if top.is_raw_state() {
        return raw_state(text, file, wanted);
    }
    let Some(version) = top.format_version else {
        return Err(file.diagnostic(
            Code::SG802,
            format!(
                "{} has neither `format_version` (`terraform show -json`) nor `version` (a `terraform.tfstate`): not a Terraform state",
                file.shown
            ),
            None,
        ));
    };
    format_version(version, file)?;
    let mut observed = Observed::default();
    // An empty state prints no `values`: nothing was applied.
    if let Some(values) = top.values {
        let values: Values = serde_json::from_str(values.get())
            .map_err(|e| file.json_error_in(&e, "a `terraform show -json` state", values.get()))?;
        if let Some(root) = values.root_module {
            module_resources(&root, wanted, &mut observed.resources, file)?;
        }
    }
    Ok(observed)
}

/// `values` of `terraform show -json` (a state, or a plan's `prior_state`).
#[derive(Deserialize)]
pub(super) struct Values<'a> {
    #[serde(borrow)]
    pub root_module: Option<Module<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Module<'a> {
    #[serde(default, borrow)]
    pub resources: Vec<ShownResource<'a>>,
    #[serde(default, borrow)]
    pub child_modules: Vec<Module<'a>>,
}

#[derive(Deserialize)]
pub(super) struct ShownResource<'a> {
    pub address: String,
    pub mode: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(borrow)]
    pub values: Option<&'a RawValue>,
}

/// Every resource of a module and its child modules, in file order. A
/// child module's resources carry their full address already.
pub(super) fn module_resources(
    root: &Module,
    wanted: &dyn Fn(&str) -> bool,
    out: &mut Vec<Resource>,
    file: &Problem,
) -> Result<(), Box<Diagnostic>> {
    // Depth first without recursion: the JSON parser has bounded the
    // nesting already, but nothing here needs the call stack.
    let mut pending = vec![root];
    while let Some(module) = pending.pop() {
        for r in &module.resources {
            let mode = mode(&r.mode, file)?;
            if !wanted(&r.kind) {
                continue;
            }
            out.push(Resource {
                address: r.address.clone(),
                mode,
                kind: r.kind.clone(),
                values: values(r.values, file)?,
                references: BTreeMap::new(),
            });
        }
        pending.extend(module.child_modules.iter().rev());
    }
    Ok(())
}

pub(super) fn mode(mode: &str, file: &Problem) -> Result<Mode, Box<Diagnostic>> {
    match mode {
        "managed" => Ok(Mode::Managed),
        "data" => Ok(Mode::Data),
        other => Err(file.diagnostic(
            Code::SG802,
            format!(
                "{} has a resource of mode {}: Terraform writes `managed` or `data`",
                file.shown,
                crate::base::diagnostic::quote(other)
            ),
            None,
        )),
    }
}

/// A resource's attributes: an object (a missing one is empty).
pub(super) fn values(raw: Option<&RawValue>, file: &Problem) -> Result<Val, Box<Diagnostic>> {
    let Some(raw) = raw else {
        return Ok(Val::Map(BTreeMap::new()));
    };
    let value: Val = serde_json::from_str(raw.get())
        .map_err(|e| file.json_error_in(&e, "a state's resource attributes", raw.get()))?;
    match value {
        Val::Map(_) => Ok(value),
        Val::Null => Ok(Val::Map(BTreeMap::new())),
        _ => Err(file.diagnostic(
            Code::SG802,
            format!(
                "{} has resource attributes that are not an object",
                file.shown
            ),
            None,
        )),
    }
}

/// `terraform.tfstate` itself.
#[derive(Deserialize)]
struct RawState<'a> {
    version: u64,
    #[serde(default, borrow)]
    resources: Vec<RawResource<'a>>,
}

#[derive(Deserialize)]
struct RawResource<'a> {
    /// `module.a.module.b`, absent at the root.
    module: Option<String>,
    mode: String,
    #[serde(rename = "type")]
    kind: String,
    name: String,
    #[serde(default, borrow)]
    instances: Vec<RawInstance<'a>>,
}

#[derive(Deserialize)]
struct RawInstance<'a> {
    /// A `count` index (number) or a `for_each` key (string).
    index_key: Option<serde_json::Value>,
    #[serde(borrow)]
    attributes: Option<&'a RawValue>,
}

fn raw_state(
    text: &str,
    file: &Problem,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Observed, Box<Diagnostic>> {
    #[derive(Deserialize)]
    struct Version {
        version: serde_json::Value,
    }
    let Version { version } =
        serde_json::from_str(text).map_err(|e| file.json_error(&e, "a `terraform.tfstate`"))?;
    if version != serde_json::json!(4) {
        return Err(file.diagnostic(
            Code::SG803,
            format!(
                "{} is a state of format `{version}`; stackgen reads format 4 (Terraform 0.12 and later)",
                file.shown
            ),
            None,
        ));
    }
    let state: RawState =
        serde_json::from_str(text).map_err(|e| file.json_error(&e, "a `terraform.tfstate`"))?;
    debug_assert_eq!(state.version, 4);
    let mut observed = Observed::default();
    for r in &state.resources {
        let mode = mode(&r.mode, file)?;
        if !wanted(&r.kind) {
            continue;
        }
        let mut block = String::new();
        if let Some(module) = r.module.as_deref().filter(|m| !m.is_empty()) {
            block.push_str(module);
            block.push('.');
        }
        if mode == Mode::Data {
            block.push_str("data.");
        }
        block.push_str(&r.kind);
        block.push('.');
        block.push_str(&r.name);
        for instance in &r.instances {
            let address = match &instance.index_key {
                None | Some(serde_json::Value::Null) => block.clone(),
                Some(key) => format!("{block}[{key}]"),
            };
            observed.resources.push(Resource {
                address,
                mode,
                kind: r.kind.clone(),
                values: values(instance.attributes, file)?,
                references: BTreeMap::new(),
            });
        }
    }
    Ok(observed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::source::ReadError;

    fn read(text: &str) -> Result<Observed, Box<Diagnostic>> {
        let path = std::path::Path::new("state.json");
        let file = Problem::new(Source::State, path, text);
        parse(text, &file, &|_| true)
    }

    fn code(text: &str) -> Code {
        read(text).map(|_| ()).unwrap_err().code
    }

    #[test]
    fn show_json_with_child_modules() {
        let text = r#"{"format_version":"1.0","terraform_version":"1.15.5","values":{"root_module":{
            "resources":[{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","values":{"bucket":"x","force_destroy":true}}],
            "child_modules":[{"address":"module.m","resources":[
                {"address":"module.m.aws_kinesis_stream.s[0]","mode":"managed","type":"aws_kinesis_stream","name":"s","index":0,"values":{"name":"y"}},
                {"address":"module.m.data.aws_iam_role.lab","mode":"data","type":"aws_iam_role","name":"lab","values":{"name":"LabRole"}}],
              "child_modules":[{"address":"module.m.module.n","resources":[{"address":"module.m.module.n.aws_glue_crawler.c","mode":"managed","type":"aws_glue_crawler","name":"c","values":{}}]}]}]}}}"#;
        let observed = read(text).unwrap();
        let addresses: Vec<&str> = observed
            .resources
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(
            addresses,
            [
                "aws_s3_bucket.b",
                "module.m.aws_kinesis_stream.s[0]",
                "module.m.data.aws_iam_role.lab",
                "module.m.module.n.aws_glue_crawler.c"
            ]
        );
        assert_eq!(observed.resources[2].mode, Mode::Data);
        assert_eq!(
            observed.resources[0].values.at("force_destroy"),
            [&Val::Bool(true)]
        );
    }

    #[test]
    fn a_raw_state_of_format_4() {
        let text = r#"{"version":4,"terraform_version":"0.14.6","serial":3,"lineage":"l","outputs":{},"resources":[
            {"mode":"managed","type":"aws_s3_bucket","name":"b","provider":"p","instances":[{"schema_version":0,"attributes":{"bucket":"x"}}]},
            {"module":"module.m","mode":"managed","type":"aws_lambda_function","name":"f","each":"map","provider":"p","instances":[{"index_key":"a","attributes":{"function_name":"f"}}]},
            {"mode":"data","type":"aws_iam_role","name":"lab","provider":"p","instances":[{"index_key":0,"attributes":{"name":"LabRole"}}]}]}"#;
        let observed = read(text).unwrap();
        let addresses: Vec<&str> = observed
            .resources
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(
            addresses,
            [
                "aws_s3_bucket.b",
                "module.m.aws_lambda_function.f[\"a\"]",
                "data.aws_iam_role.lab[0]"
            ]
        );
    }

    #[test]
    fn an_empty_state_has_no_resources() {
        assert!(read(r#"{"format_version":"1.0"}"#)
            .unwrap()
            .resources
            .is_empty());
        assert!(read(r#"{"version":4,"lineage":"x","resources":[]}"#)
            .unwrap()
            .resources
            .is_empty());
    }

    #[test]
    fn what_is_not_a_state_is_explained() {
        // Truncated, not JSON, not UTF-8-clean JSON text, wrong shapes.
        assert_eq!(
            code(r#"{"format_version":"1.0","values":{"root_mod"#),
            Code::SG801
        );
        assert_eq!(code("terraform.tfstate"), Code::SG801);
        assert_eq!(code(""), Code::SG801);
        assert_eq!(code("[1, 2]"), Code::SG802);
        assert_eq!(code("{}"), Code::SG802);
        assert_eq!(
            code(r#"{"format_version":"1.0","values":{"root_module":{"resources":"x"}}}"#),
            Code::SG802
        );
        assert_eq!(
            code(
                r#"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":1}]}}}"#
            ),
            Code::SG802
        );
        assert_eq!(
            code(
                r#"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"a","mode":"m","type":"t","values":{}}]}}}"#
            ),
            Code::SG802
        );
        assert_eq!(
            code(
                r#"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"a","mode":"managed","type":"t","values":[1]}]}}}"#
            ),
            Code::SG802
        );
        assert_eq!(code(r#"{"format_version":"2.0","values":{}}"#), Code::SG803);
        assert_eq!(code(r#"{"format_version":7}"#), Code::SG802);
        assert_eq!(
            code(r#"{"version":3,"lineage":"x","modules":[]}"#),
            Code::SG803
        );
        assert_eq!(code(r#"{"version":"4","lineage":"x"}"#), Code::SG803);
        assert_eq!(
            code(r#"{"format_version":"1.2","planned_values":{},"resource_changes":[]}"#),
            Code::SG802
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for depth in [200, 100_000] {
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            // In a value the checks read: an error.
            let text = format!(
                r#"{{"format_version":"1.0","values":{{"root_module":{{"resources":[{{"address":"a","mode":"managed","type":"t","values":{{"x":{deep}}}}}]}}}}}}"#
            );
            let d = read(&text).map(|_| ()).unwrap_err();
            assert_eq!(d.code, Code::SG801, "{}", d.message);
            assert!(d.message.contains("recursion limit"), "{}", d.message);
            // In a key no check reads: skipped unread (serde_json skips a
            // value without recursing), so valid JSON is read.
            let skipped = format!(r#"{{"format_version":"1.0","other":{deep}}}"#);
            assert!(read(&skipped).unwrap().resources.is_empty());
            // Not an object at all.
            assert_eq!(code(&deep), Code::SG802);
        }
    }

    #[test]
    fn the_place_of_a_problem_is_given() {
        let d = read("{\n  \"format_version\": \"1.0\",\n  \"values\": {\"root_module\": {\"resources\": 5}}\n}").unwrap_err();
        assert_eq!(d.location.map(|l| l.line), Some(3));
        assert!(
            d.message.contains("invalid type: integer `5`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn only_wanted_types_are_read() {
        let text = r#"{"format_version":"1.0","values":{"root_module":{"resources":[
            {"address":"aws_x.a","mode":"managed","type":"aws_x","values":{"big":[1,2,3]}},
            {"address":"aws_y.b","mode":"managed","type":"aws_y","values":{}}]}}}"#;
        let file = Problem::new(Source::State, std::path::Path::new("s"), text);
        let observed = parse(text, &file, &|t| t == "aws_y").unwrap();
        assert_eq!(observed.resources.len(), 1);
        assert_eq!(observed.resources[0].kind, "aws_y");
    }

    #[test]
    fn files_that_cannot_be_read_or_are_not_text() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.json");
        assert!(matches!(
            crate::grade::source::read(Source::State, &missing, &|_| true),
            Err(ReadError::Io { .. })
        ));
        let binary = dir.path().join("bin.json");
        std::fs::write(&binary, b"{\"a\": \"\xff\xfe\"}").unwrap();
        match crate::grade::source::read(Source::State, &binary, &|_| true) {
            Err(ReadError::Invalid(d)) => assert_eq!(d.code, Code::SG801),
            other => panic!("{other:?}"),
        }
    }
}
