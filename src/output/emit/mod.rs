//! Turns a stack into its files: each part's templates, the target's
//! stack-level files, `generator.json` and the Lambda zips.
//!
//! **Escaping is structural.** The template environment has no built-in
//! filters or tests, and its formatter prints every `{{ value }}` as an HCL
//! expression: strings quoted with `${`/`%{` escaped, numbers and lists as
//! HCL. Three things print unquoted, each built in Rust: address objects
//! (`stack::address`, and the `common_tags` lines of `stack::tags`, made
//! of constants the same way), and the output of the `comment` and
//! `heredoc` filters, which escape for those places. So a value a user typed can
//! only ever land inside a string literal, a heredoc body or a comment
//! line, never as syntax.
//!
//! **Files from parts.** An output file is the header, the file's own
//! template if it has one, then the fragments of the parts that go into
//! it, in part order. After rendering, `format` lays each `.tf` file out as
//! `terraform fmt` would.

pub mod bootstrap;
pub mod checkov;
pub mod context;
pub mod format;
pub mod hcl;
pub mod readme;

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::base::model::Target;
use crate::output::package;
use crate::stack::part::Zip;
use crate::stack::Stack;

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

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        /// Every template, by name, compiled into the binary.
        pub const TEMPLATES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../../templates/", $name)))),*
        ];
    };
}

templates![
    "common/header.j2",
    "common/backend.j2",
    "common/wait_for_policy.j2",
    "common/log_group_skips.j2",
    "common/function_skips.j2",
    "common/main.tf.j2",
    "common/iam.tf.j2",
    "common/glue.tf.j2",
    "common/outputs.tf.j2",
    "common/role.tf.j2",
    "common/stream.tf.j2",
    "common/database.tf.j2",
    "common/crawler.tf.j2",
    "common/processed_table.tf.j2",
    "common/parameter.tf.j2",
    "common/athena.tf.j2",
    "common/reaper.tf.j2",
    "classic/provider.tf.j2",
    "classic/variables.tf.j2",
    "classic/terraform.tfvars.j2",
    "classic/bucket.tf.j2",
    "classic/firehose.tf.j2",
    "classic/etl.tf.j2",
    "classic/sql_analytics.tf.j2",
    "classic/alerts_firehose.tf.j2",
    "classic/alert_function.tf.j2",
    "modern/provider.tf.j2",
    "modern/variables.tf.j2",
    "modern/terraform.tfvars.j2",
    "modern/bucket.tf.j2",
    "modern/firehose.tf.j2",
    "modern/etl.tf.j2",
    "modern/alerts_firehose.tf.j2",
    "modern/detector.tf.j2",
    "classic/bootstrap.tf.j2",
    "modern/bootstrap.tf.j2",
    "common/bootstrap_outputs.tf.j2",
];

/// The output files, in the handout's split: (file, the file's own
/// template, `{target}` standing for the target's directory). A file whose
/// own template is not `Lead` is always written; any other file is written
/// when some part goes into it (so a stack has `kinesis_analytics.tf` for
/// the SQL application or `analytics.tf` for the detector, whichever it
/// has, and a checkpoint of exercise 1 has no `glue.tf`).
const FILES: &[(&str, Own)] = &[
    ("provider.tf", Own::Always("{target}/provider.tf.j2")),
    ("variables.tf", Own::Always("{target}/variables.tf.j2")),
    (
        "terraform.tfvars",
        Own::Always("{target}/terraform.tfvars.j2"),
    ),
    ("main.tf", Own::Always("common/main.tf.j2")),
    ("s3.tf", Own::Fragments),
    ("kinesis_ds.tf", Own::Fragments),
    ("kinesis_fh.tf", Own::Fragments),
    // Its text explains the roles (or the Learner Lab's one role) that the
    // parts use: written when some part has a role.
    ("iam.tf", Own::Lead("common/iam.tf.j2")),
    ("glue.tf", Own::Lead("common/glue.tf.j2")),
    ("lambda.tf", Own::Fragments),
    ("kinesis_analytics.tf", Own::Fragments),
    ("analytics.tf", Own::Fragments),
    ("athena.tf", Own::Fragments),
    ("expiry.tf", Own::Fragments),
    ("outputs.tf", Own::Always("common/outputs.tf.j2")),
];

/// A file's own template.
#[derive(Clone, Copy)]
enum Own {
    /// None: only the parts' fragments.
    Fragments,
    /// Always written.
    Always(&'static str),
    /// The text that leads the parts' fragments: written with them.
    Lead(&'static str),
}

fn target_dir(target: Target) -> &'static str {
    match target {
        Target::Classic => "classic",
        Target::Modern => "modern",
    }
}

/// A part template's name for a target: `{target}/x` is the target's own.
pub fn template_for(template: &str, target: Target) -> String {
    template.replacen("{target}", target_dir(target), 1)
}

/// The template environment, built once: compiling the templates costs
/// more than rendering them, and a class renders them for every student.
fn environment() -> &'static Environment<'static> {
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(build_environment)
}

fn build_environment() -> Environment<'static> {
    // No built-ins: no `safe` or `escape` that could print a value raw, no
    // `is defined` for a template to branch on what the stack has.
    let mut env = Environment::empty();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_formatter(|out, _state, value| {
        let text = if value.is_safe() {
            // Only the `comment`, `heredoc` and `skip` filters make safe strings (there are no macros: shared pieces are includes, whose text is not a value).
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned)
        } else if let Some(raw) = crate::stack::address::as_terraform(value) {
            raw
        } else {
            let json = serde_json::to_value(value).map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::BadSerialization, e.to_string())
            })?;
            hcl::expression(&json)
        };
        out.write_str(&text)
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
    });
    env.add_filter("comment", |text: Value| {
        Value::from_safe_string(hcl::comment(&text.to_string()))
    });
    env.add_filter("heredoc", |text: String| {
        Value::from_safe_string(hcl::heredoc(&text))
    });
    env.add_filter("string", |value: Value| value.to_string());
    env.add_filter("skip", |check: String| -> Result<Value, minijinja::Error> {
        checkov::skip(&check)
            .map(Value::from_safe_string)
            .ok_or_else(|| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("no reason is recorded for skipping {check} (output/emit/checkov.rs)"),
                )
            })
    });
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .expect("embedded templates are valid (checked by the snapshot tests)");
    }
    env
}

/// Where a stack's input came from: the file as the user named it, and,
/// for a class, the student (what `stackgen replay` must be told).
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub source_name: &'a str,
    /// The student's index number when the input is a class file.
    pub class_member: Option<&'a str>,
}

impl<'a> Origin<'a> {
    pub fn file(source_name: &'a str) -> Self {
        Self {
            source_name,
            class_member: None,
        }
    }
}

/// The CSV the course generator replays when `generator.input_csv` is
/// not set (the handout's replay data).
pub const COURSE_TRADES_CSV: &str = "crypto_trades_20201001.csv";

/// The `stackgen replay` command line for a stack: the one place it is
/// built (generator.json, outputs.tf and the README print it).
pub fn replay_command(stack: &Stack, origin: Origin) -> String {
    let quote = crate::stack::shell_quote;
    let data = stack
        .spec
        .generator
        .input_csv
        .as_deref()
        .unwrap_or(COURSE_TRADES_CSV);
    let mut command = format!(
        "stackgen replay {} --data {}",
        quote(origin.source_name),
        quote(data)
    );
    if let Some(index_no) = origin.class_member {
        command.push_str(" --student ");
        command.push_str(&quote(index_no));
    }
    command
}

/// The generator's settings as written to `generator.json`.
#[derive(Serialize)]
struct GeneratorFile<'a> {
    generated_by: String,
    #[serde(flatten)]
    generator: &'a crate::stack::Generator,
    /// The same trades through `stackgen replay` (PutRecords batches).
    replay_command: String,
}

/// Renders every file of the stack. `source_name` is the input file's name
/// as shown in the generated headers.
pub fn render(stack: &Stack, origin: Origin) -> Result<Files, EmitError> {
    let source_name = origin.source_name;
    let env = environment();
    let replay = replay_command(stack, origin);
    let (base, part_values) = context::Context::new(stack, source_name, &replay).values();
    let render_one = |template: &str, part: Option<&crate::stack::part::Part>| {
        let value = part.and_then(|p| part_values.get(&p.id)).unwrap_or(&base);
        env.get_template(template)
            .and_then(|t| t.render(value))
            .map_err(|source| EmitError::Template {
                template: template.to_owned(),
                source,
            })
    };
    let header = render_one("common/header.j2", None)?;
    let mut files = Files::new();
    for (file, own) in FILES {
        let mut text = header.clone();
        let mut written = false;
        if let Own::Always(template) | Own::Lead(template) = own {
            text.push('\n');
            text.push_str(&render_one(
                &template_for(template, stack.spec.target),
                None,
            )?);
            written = matches!(own, Own::Always(_));
        }
        // Roles live in iam.tf, after the file's own text; a Learner Lab
        // stack's parts use the lab role its own text looks up.
        if *file == "iam.tf" {
            written = stack.parts.iter().any(|p| p.role_arn.is_some());
            for part in stack.parts.iter().filter(|p| p.role.is_some()) {
                text.push('\n');
                text.push_str(&render_one("common/role.tf.j2", Some(part))?);
            }
        }
        for part in &stack.parts {
            for fragment in part.fragments.iter().filter(|f| f.file == *file) {
                text.push('\n');
                text.push_str(&render_one(
                    &template_for(fragment.template, stack.spec.target),
                    Some(part),
                )?);
                written = true;
            }
        }
        if written {
            files.insert((*file).to_owned(), format::format(&text).into_bytes());
        }
    }

    let generator = GeneratorFile {
        generated_by: format!("stackgen {} from {source_name}", env!("CARGO_PKG_VERSION")),
        generator: &stack.generator,
        replay_command: replay.clone(),
    };
    let mut json = serde_json::to_string_pretty(&generator).expect("plain data serializes");
    json.push('\n');
    files.insert("generator.json".to_owned(), json.into_bytes());

    files.insert(
        "README.md".to_owned(),
        readme::stack(stack, origin).into_bytes(),
    );

    for zip in stack.parts.iter().filter_map(|p| p.zip) {
        let bytes = match zip {
            Zip::Etl => package::etl_zip(),
            Zip::Alert => package::alert_zip(),
            Zip::Detector => package::detector_zip(),
            Zip::Reaper => package::reaper_zip(),
        };
        files.insert(zip.path().to_owned(), bytes.to_vec());
    }
    Ok(files)
}
