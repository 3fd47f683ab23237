//! Turns a resource plan into the files of a stack: minijinja templates for
//! the Terraform files, serde for the generator config, `package` for the
//! Lambda zips.
//!
//! Templates are compiled into the binary, so an installed `stackgen` needs
//! nothing beside it. They receive the plan and two filters: `hcl` (any
//! value as an HCL expression) and `heredoc` (multi-line SQL). After
//! rendering, `format` lays each `.tf` file out as `terraform fmt` would.

pub mod format;
pub mod hcl;

use std::collections::BTreeMap;

use minijinja::{context, AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::model::Target;
use crate::package;
use crate::plan::Plan;

/// The stack's files by relative path, in a stable order.
pub type Files = BTreeMap<String, Vec<u8>>;

#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error("template {template} failed: {source:#}")]
    Template {
        template: String,
        #[source]
        source: minijinja::Error,
    },
}

/// A target's templates: (output file, template source). The file list is
/// the handout's split; `modern` has `analytics.tf` (the detector) where
/// classic has `kinesis_analytics.tf` (the SQL application).
const CLASSIC: &[(&str, &str)] = &[
    (
        "provider.tf",
        include_str!("../../templates/classic/provider.tf.j2"),
    ),
    (
        "variables.tf",
        include_str!("../../templates/classic/variables.tf.j2"),
    ),
    (
        "terraform.tfvars",
        include_str!("../../templates/classic/terraform.tfvars.j2"),
    ),
    (
        "main.tf",
        include_str!("../../templates/classic/main.tf.j2"),
    ),
    ("s3.tf", include_str!("../../templates/classic/s3.tf.j2")),
    (
        "kinesis_ds.tf",
        include_str!("../../templates/classic/kinesis_ds.tf.j2"),
    ),
    (
        "kinesis_fh.tf",
        include_str!("../../templates/classic/kinesis_fh.tf.j2"),
    ),
    ("iam.tf", include_str!("../../templates/classic/iam.tf.j2")),
    (
        "glue.tf",
        include_str!("../../templates/classic/glue.tf.j2"),
    ),
    (
        "lambda.tf",
        include_str!("../../templates/classic/lambda.tf.j2"),
    ),
    (
        "kinesis_analytics.tf",
        include_str!("../../templates/classic/kinesis_analytics.tf.j2"),
    ),
    (
        "athena.tf",
        include_str!("../../templates/classic/athena.tf.j2"),
    ),
    (
        "outputs.tf",
        include_str!("../../templates/classic/outputs.tf.j2"),
    ),
];

const MODERN: &[(&str, &str)] = &[
    (
        "provider.tf",
        include_str!("../../templates/modern/provider.tf.j2"),
    ),
    (
        "variables.tf",
        include_str!("../../templates/modern/variables.tf.j2"),
    ),
    (
        "terraform.tfvars",
        include_str!("../../templates/modern/terraform.tfvars.j2"),
    ),
    ("main.tf", include_str!("../../templates/modern/main.tf.j2")),
    ("s3.tf", include_str!("../../templates/modern/s3.tf.j2")),
    (
        "kinesis_ds.tf",
        include_str!("../../templates/modern/kinesis_ds.tf.j2"),
    ),
    (
        "kinesis_fh.tf",
        include_str!("../../templates/modern/kinesis_fh.tf.j2"),
    ),
    ("iam.tf", include_str!("../../templates/modern/iam.tf.j2")),
    ("glue.tf", include_str!("../../templates/modern/glue.tf.j2")),
    (
        "lambda.tf",
        include_str!("../../templates/modern/lambda.tf.j2"),
    ),
    (
        "analytics.tf",
        include_str!("../../templates/modern/analytics.tf.j2"),
    ),
    (
        "athena.tf",
        include_str!("../../templates/modern/athena.tf.j2"),
    ),
    (
        "outputs.tf",
        include_str!("../../templates/modern/outputs.tf.j2"),
    ),
];

const HEADER: &str = include_str!("../../templates/classic/header.j2");
const MACROS: &str = include_str!("../../templates/modern/macros.j2");

fn templates(target: Target) -> (&'static str, &'static [(&'static str, &'static str)]) {
    match target {
        Target::Classic => ("classic", CLASSIC),
        Target::Modern => ("modern", MODERN),
    }
}

/// Whether the plan has the part a file describes.
fn wanted(plan: &Plan, file: &str) -> bool {
    match file {
        "kinesis_analytics.tf" => plan.features.sql_analytics,
        "analytics.tf" => plan.features.detector,
        _ => true,
    }
}

/// The template environment, built once: compiling the templates costs
/// more than rendering them, and a class renders them for every student.
fn environment() -> &'static Environment<'static> {
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(build_environment)
}

fn build_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_keep_trailing_newline(true);
    env.add_filter("hcl", |value: Value| -> Result<String, minijinja::Error> {
        let json = serde_json::to_value(&value).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })?;
        Ok(hcl::expression(&json))
    });
    env.add_filter("heredoc", |text: String| hcl::heredoc(&text));
    env.add_template("header.j2", HEADER)
        .expect("the header template is valid");
    env.add_template("macros.j2", MACROS)
        .expect("the macros template is valid");
    for target in [Target::Classic, Target::Modern] {
        let (dir, list) = templates(target);
        for (file, source) in list {
            env.add_template_owned(format!("{dir}/{file}"), *source)
                .expect("embedded templates are valid (checked by the snapshot tests)");
        }
    }
    env
}

/// The template branches a spec selects. Two specs of one shape give
/// stacks that differ only in values, and every value reaches the files
/// through the `hcl` filter's quoting; so rendering and link-checking one
/// stack per shape proves all of them render (`validate` of a class relies
/// on this; `render` still checks every stack it writes).
pub fn shape(spec: &crate::model::StudentSpec) -> String {
    let f = crate::features::Features::of(spec);
    format!(
        "{:?}/{:?}/sql={}/detector={}/alert_lambda={}/alerts_firehose={}/start={}/iam={}",
        f.target,
        spec.policy_style,
        f.sql_analytics,
        f.detector,
        f.alert_lambda,
        f.alerts_firehose,
        spec.analytics.start,
        f.create_iam
    )
}

/// The generator's settings as written to `generator.json`.
#[derive(Serialize)]
struct GeneratorFile<'a> {
    generated_by: String,
    #[serde(flatten)]
    generator: &'a crate::plan::Generator,
}

/// Renders every file of the stack. `source_name` is the input file's name
/// as shown in the generated headers.
pub fn render(plan: &Plan, source_name: &str) -> Result<Files, EmitError> {
    let env = environment();
    let ctx = context! {
        version => env!("CARGO_PKG_VERSION"),
        source_name => source_name,
        ..Value::from_serialize(plan)
    };
    let mut files = Files::new();
    let (dir, list) = templates(plan.features.target);
    for (file, _) in list.iter().filter(|(f, _)| wanted(plan, f)) {
        let text = env
            .get_template(&format!("{dir}/{file}"))
            .and_then(|t| t.render(&ctx))
            .map_err(|source| EmitError::Template {
                template: (*file).to_owned(),
                source,
            })?;
        files.insert((*file).to_owned(), format::format(&text).into_bytes());
    }

    let generator = GeneratorFile {
        generated_by: format!("stackgen {} from {source_name}", env!("CARGO_PKG_VERSION")),
        generator: &plan.generator,
    };
    let mut json = serde_json::to_string_pretty(&generator).expect("plain data serializes");
    json.push('\n');
    files.insert("generator.json".to_owned(), json.into_bytes());

    files.insert(
        "lambda/etl_function.zip".into(),
        package::etl_zip().to_vec(),
    );
    if plan.features.alert_lambda {
        files.insert(
            "lambda/alert_function.zip".into(),
            package::alert_zip().to_vec(),
        );
    }
    if plan.features.detector {
        files.insert(
            "lambda/detector_function.zip".into(),
            package::detector_zip().to_vec(),
        );
    }
    Ok(files)
}
