//! Validation: every rule over the typed input and every derived name,
//! before anything is planned or written.
//!
//! Rules never stop at the first finding; `student` returns all of them.
//! Each rule lives in its own file with what it checks, why, and an
//! example; naming rules share `name_rule::NameRule`.

mod account;
mod analytics_application;
mod athena_workgroup;
mod environment;
mod firehose;
mod glue_crawler;
mod glue_name;
mod iam_policy;
mod iam_role;
mod kinesis_stream;
mod lambda_function;
mod lambda_layer;
mod log_group;
pub mod name_rule;
mod options;
mod region;
mod s3_bucket;
mod student;
mod target;

use crate::diagnostic::Diagnostic;
use crate::model::StudentSpec;
use crate::names::{NameKind, Names, Parts};
use name_rule::NameRule;

/// The rule a derived name of this kind must satisfy.
pub fn rule_for(kind: NameKind) -> &'static NameRule {
    match kind {
        NameKind::S3Bucket => &s3_bucket::RULE,
        NameKind::KinesisStream => &kinesis_stream::RULE,
        NameKind::Firehose => &firehose::RULE,
        NameKind::IamRole => &iam_role::RULE,
        NameKind::IamPolicy => &iam_policy::RULE,
        NameKind::LambdaFunction => &lambda_function::RULE,
        NameKind::LambdaLayer => &lambda_layer::RULE,
        NameKind::GlueDatabase | NameKind::GlueTable => &glue_name::RULE,
        NameKind::GlueCrawler => &glue_crawler::RULE,
        NameKind::AnalyticsApplication => &analytics_application::RULE,
        NameKind::AthenaWorkgroup => &athena_workgroup::RULE,
        NameKind::LogGroup => &log_group::RULE,
    }
}

/// All findings for one student file, errors and warnings, in input order
/// (fields first, then derived names).
pub fn student(spec: &StudentSpec) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    found.extend(account::check(&spec.account_id));
    found.extend(region::check(&spec.region));
    found.extend(environment::check(&spec.environment));
    found.extend(student::check(&spec.student));
    found.extend(options::check(spec));
    found.extend(target::check(spec));

    // A bad input field makes many derived names bad in the same way;
    // report each (rule, field, problem) once, with the first name it
    // shows up in, instead of once per resource.
    let parts = Parts::from_spec(spec);
    let names = Names::derive(&parts);
    for derived in names.all(&crate::features::Features::of(spec)) {
        for d in rule_for(derived.kind).check(&derived, &parts) {
            let repeated = found.iter().any(|f| {
                f.field == d.field && f.code == d.code && same_problem(&f.message, &d.message)
            }) || input_already_blamed(&found, &d);
            if !repeated {
                found.push(d);
            }
        }
    }
    found
}

/// Two derived-name messages describe the same problem when they differ
/// only in the name quoted.
fn same_problem(a: &str, b: &str) -> bool {
    let tail = |s: &str| s.rsplit_once('`').map(|(_, t)| t.to_owned());
    tail(a) == tail(b)
}

/// A derived-name finding about a character that a field rule already
/// reported adds nothing.
fn input_already_blamed(found: &[Diagnostic], d: &Diagnostic) -> bool {
    d.message.contains(", which is not allowed")
        && found
            .iter()
            .any(|f| f.field == d.field && f.code.starts_with("SG1"))
}
