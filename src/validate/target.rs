//! Rules that depend on the target: the Lambda runtime, where the
//! awswrangler layer comes from, the analytics engine, and the Learner Lab
//! mode (`iam.existing_role`).
//!
//! Why: a classic stack must stay within what provider 3.x and the
//! handout's layer accept; a modern stack must only use what AWS still lets
//! you create (no python3.8/3.9 functions, no new Kinesis Analytics SQL
//! applications) and, in a Learner Lab, only its two regions. Example:
//! `target: modern` with `lambda.runtime: python3.9` is rejected with the
//! date AWS deprecated it.

use crate::base::aws::{
    pandas_layer, CLASSIC_RUNTIME, LEARNER_LAB_REGIONS, MODERN_RUNTIME, MODERN_RUNTIMES,
    PANDAS_LAYERS_SOURCE,
};
use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;
use crate::base::model::{Engine, StudentSpec, Target};

use super::options::layer_zip;

/// Runtimes AWS no longer lets you create functions with, and since when.
const RETIRED: [(&str, &str); 4] = [
    ("python3.6", "deprecated on 2022-07-18"),
    ("python3.7", "deprecated on 2023-12-04"),
    ("python3.8", "blocked for new functions since 2025-02-28"),
    ("python3.9", "deprecated on 2025-12-15"),
];

pub fn check(spec: &StudentSpec) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    match spec.target {
        Target::Classic => classic(spec, &mut found),
        Target::Modern => modern(spec, &mut found),
    }
    if let Some(role) = &spec.iam.existing_role {
        found.extend(learner_lab(spec, role));
    }
    found
}

fn classic(spec: &StudentSpec, found: &mut Vec<Diagnostic>) {
    let runtime = spec.lambda.runtime.as_deref().unwrap_or(CLASSIC_RUNTIME);
    if runtime == CLASSIC_RUNTIME {
        found.push(
            // Blame the key that chose the runtime: the file's own
            // `lambda.runtime`, or else `target`.
            Diagnostic::new(
                Code::SG901,
                if spec.lambda.runtime.is_some() { "lambda.runtime" } else { "target" },
                "AWS has blocked creating `python3.8` functions since 2025-02-28",
            )
                .rule("Lambda runtimes are retired on a published schedule; python3.8 is deprecated")
                .fix("nothing to change for the classic target, which needs it; its Lambda functions apply to a local AWS API but not to AWS today (`target: modern` deploys on AWS today)"),
        );
    } else {
        found.push(
            Diagnostic::new(Code::SG305, "lambda.runtime", format!("runtime `{runtime}` is not available for target `classic`"))
                .rule("the classic target (hashicorp/aws ~> 3.27, the handout's awswrangler 2.7.0 layer) runs its Lambdas on `python3.8`; provider 3.x rejects newer runtimes")
                .fix("remove `lambda.runtime`, or use `target: modern` for a current runtime"),
        );
    }
    if let Some(path) = &spec.lambda.layer_zip {
        found.extend(layer_zip(path));
    }
    if spec.lambda.layer_version.is_some() {
        found.push(
            Diagnostic::new(Code::SG317, "lambda.layer_version", "`lambda.layer_version` is for target `modern`")
                .rule("the classic target uploads the course's awswrangler layer zip (`lambda.layer_zip`); only modern uses the AWS-managed layer")
                .fix("remove `lambda.layer_version`"),
        );
    }
    if spec.analytics.enabled && spec.analytics.engine == Some(Engine::Lambda) {
        found.push(
            Diagnostic::new(
                Code::SG318,
                "analytics.engine",
                "analytics engine `lambda` is part of target `modern`",
            )
            .rule("the classic target emits the handout's Kinesis Analytics SQL application")
            .fix("remove `analytics.engine`, or use `target: modern`"),
        );
    }
}

fn modern(spec: &StudentSpec, found: &mut Vec<Diagnostic>) {
    let runtime = spec.lambda.runtime.as_deref().unwrap_or(MODERN_RUNTIME);
    if !MODERN_RUNTIMES.contains(&runtime) {
        let why = RETIRED.iter().find(|(r, _)| *r == runtime).map_or_else(
            || format!("runtime `{runtime}` is not one the modern target supports"),
            |(_, when)| format!("runtime `{runtime}` was retired by AWS: {when}"),
        );
        found.push(
            Diagnostic::new(Code::SG305, "lambda.runtime", why)
                .rule(format!(
                    "the modern target runs its Lambdas on a runtime AWS supports, with an AWS-managed AWSSDKPandas layer: {}",
                    MODERN_RUNTIMES.join(", ")
                ))
                .fix(format!("use `{MODERN_RUNTIME}` (the default)")),
        );
    }
    if spec.lambda.layer_zip.is_some() {
        found.push(
            Diagnostic::new(Code::SG320, "lambda.layer_zip", "`lambda.layer_zip` is for target `classic`")
                .rule("the modern target uses the AWS-managed AWSSDKPandas layer, so nothing large is uploaded")
                .fix("remove `lambda.layer_zip` (set `lambda.layer_version` to pick the managed layer's version)"),
        );
    }
    // With a runtime that is not supported, the layer is beside the point;
    // nor does it matter for a region that does not exist (SG102 says so).
    if MODERN_RUNTIMES.contains(&runtime) && crate::base::aws::is_region(&spec.region) {
        found.extend(layer_version(spec, runtime));
    }
    if spec.analytics.enabled && spec.analytics.engine == Some(Engine::Sql) {
        found.push(
            Diagnostic::new(Code::SG318, "analytics.engine", "analytics engine `sql` cannot be created on AWS today")
                .rule("Kinesis Data Analytics for SQL accepts no new applications since 2025-10-15 and deletes existing ones from 2026-01-27")
                .fix("remove `analytics.engine` (modern uses `lambda`, the same rule in a function on the stream)"),
        );
    }
}

/// SG321: the managed layer's version must be one AWS published for the
/// region and runtime; where AWS published none, it must be given.
fn layer_version(spec: &StudentSpec, runtime: &str) -> Option<Diagnostic> {
    let region = &spec.region;
    let given = spec.lambda.layer_version;
    match (pandas_layer(region, runtime), given) {
        (Some(layer), Some(version)) if !(1..=layer.newest).contains(&version) => Some(
            Diagnostic::new(
                Code::SG321,
                "lambda.layer_version",
                format!("AWSSDKPandas layer version {version} is not published for `{runtime}` in `{region}`"),
            )
            .rule(format!(
                "the managed layer's versions are those AWS published for each region and runtime, per {PANDAS_LAYERS_SOURCE}"
            ))
            .fix(format!(
                "use a version from 1 to {} (the newest, and the default: remove `lambda.layer_version` to get it)",
                layer.newest
            )),
        ),
        (None, Some(0)) => Some(
            Diagnostic::new(
                Code::SG321,
                "lambda.layer_version",
                "AWSSDKPandas layer version 0 does not exist",
            )
            .rule("Lambda numbers a layer's versions from 1")
            .fix("set `lambda.layer_version` to the version AWS published in this region"),
        ),
        (None, None) => Some(
            Diagnostic::new(
                Code::SG321,
                "lambda.layer_version",
                format!("AWS publishes no AWSSDKPandas layer for `{runtime}` in `{region}`"),
            )
            .rule(format!(
                "without `lambda.layer_version` the version comes from {PANDAS_LAYERS_SOURCE}, which lists no layer for this region"
            ))
            .fix(published_in(runtime)),
        ),
        _ => None,
    }
}

/// The fix for a region without a published layer: where there is one.
fn published_in(runtime: &str) -> String {
    let regions: Vec<&str> = crate::base::aws::PANDAS_LAYERS
        .iter()
        .map(|(r, _, _)| *r)
        .filter(|r| pandas_layer(r, runtime).is_some())
        .collect();
    format!(
        "use a region with a published layer ({}), or, if AWS has published one here since, set `lambda.layer_version` to its version",
        regions.join(", ")
    )
}

fn learner_lab(spec: &StudentSpec, role: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let iam_role =
        super::rule_for(crate::base::part::NameKind::IamRole).expect("IAM roles have a rule");
    if !iam_role.problems(role).is_empty() {
        found.push(
            Diagnostic::new(
                Code::SG319,
                "iam.existing_role",
                format!(
                    "{} is not a valid IAM role name",
                    crate::base::diagnostic::quote(role)
                ),
            )
            .value(role)
            .rule(iam_role.statement())
            .fix("write the role's name as the IAM console shows it, e.g. `LabRole`"),
        );
    }
    if !LEARNER_LAB_REGIONS.contains(&spec.region.as_str()) {
        found.push(
            Diagnostic::new(Code::SG322, "region", format!("region `{}` is not available in an AWS Academy Learner Lab", spec.region))
                .rule(format!(
                    "with `iam.existing_role` the stack is for a Learner Lab account, which can use only {}",
                    LEARNER_LAB_REGIONS.join(" and ")
                ))
                .fix("use `us-east-1` (or `us-west-2`), or remove `iam.existing_role` for an account where the stack may create IAM roles"),
        );
    }
    if spec.policy_style != crate::base::model::PolicyStyle::LeastPrivilege {
        found.push(
            Diagnostic::new(
                Code::SG902,
                "policy_style",
                "`policy_style` has no effect with `iam.existing_role`",
            )
            .rule("the stack creates no policies when every service uses an existing role")
            .fix("remove `policy_style`"),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::base::codes::Code;

    fn spec(region: &str, lambda: &str) -> crate::base::model::StudentSpec {
        let text = format!(
            "student: {{name: J, initials: jk, index_no: \"1\"}}\naccount_id: \"100603781557\"\nregion: {region}\n{lambda}"
        );
        crate::input::load::student(&crate::input::load::Source::new("s.yaml", &text)).unwrap()
    }

    fn sg321(region: &str, lambda: &str) -> Vec<String> {
        check(&spec(region, lambda))
            .into_iter()
            .filter(|d| d.code == Code::SG321)
            .map(|d| format!("{} / {}", d.message, d.fix))
            .collect()
    }

    #[test]
    fn published_regions_need_no_layer_version() {
        for region in ["us-east-1", "eu-central-1", "ap-east-1", "ca-west-1"] {
            assert!(sg321(region, "").is_empty(), "{region}");
        }
        assert!(sg321("eu-central-1", "lambda: {layer_version: 29}").is_empty());
        assert!(sg321("eu-central-1", "lambda: {layer_version: 1}").is_empty());
    }

    #[test]
    fn unpublished_versions_are_rejected_with_the_published_range() {
        let found = sg321("eu-central-1", "lambda: {layer_version: 30}");
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("use a version from 1 to 29"), "{found:?}");
        // Per runtime: python3.13 has fewer versions than python3.12.
        let found = sg321(
            "us-east-1",
            "lambda: {runtime: python3.13, layer_version: 15}",
        );
        assert!(found[0].contains("from 1 to 14"), "{found:?}");
        assert_eq!(sg321("eu-central-1", "lambda: {layer_version: 0}").len(), 1);
    }

    #[test]
    fn a_region_without_a_layer_needs_a_version() {
        let found = sg321("ap-southeast-7", "");
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("eu-central-1"), "{found:?}");
        assert!(sg321("ap-southeast-7", "lambda: {layer_version: 2}").is_empty());
        assert_eq!(
            sg321("ap-southeast-7", "lambda: {layer_version: 0}").len(),
            1
        );
    }
}
