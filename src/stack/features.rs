//! The settings a spec resolves to once the target's defaults are applied:
//! the Lambda runtime, where the awswrangler layer comes from, whether the
//! stack creates IAM, and exercise 5's switches. Which parts a stack has
//! is decided in `stack::parts`, from the edition and these switches.

use serde::Serialize;

use crate::base::aws;
use crate::base::model::{Engine, StudentSpec, Target};

/// The classic target's runtime: provider 3.x knows no newer Python than
/// 3.9 and rejects newer ones at validate, and the handout's awswrangler
/// layer is built for 3.8.
pub const CLASSIC_RUNTIME: &str = "python3.8";
/// Runtimes the modern target accepts: those AWS supports for new
/// functions (late 2026) with an AWS-managed AWSSDKPandas layer.
pub const MODERN_RUNTIMES: [&str; 3] = ["python3.11", "python3.12", "python3.13"];
pub const MODERN_RUNTIME: &str = "python3.12";
/// The AWS-managed AWSSDKPandas layers (x86_64) AWS publishes, per
/// region: the account that publishes them there, and the newest version
/// of `AWSSDKPandas-Python311`, `-Python312` and `-Python313` (the order of
/// `MODERN_RUNTIMES`).
///
/// Source: the aws-sdk-pandas documentation, "AWS Lambda Managed Layers"
/// (`docs/source/layers.rst` in aws/aws-sdk-pandas, as updated on
/// 2026-06-25 for awswrangler 3.17.0, the newest release in the copy of
/// the repository read on 2026-12-01, whose last commit is of 2026-07-24).
/// A layer's versions are numbered from 1 and every earlier version stays
/// published (the page's history lists them in turn), so the published
/// versions are 1 to the newest. The newest is the default: every region
/// then gets the same awswrangler release. Regions absent here (newer
/// ones such as ap-southeast-7, and GovCloud) have no published layer on
/// that page; there `lambda.layer_version` must be given.
pub const PANDAS_LAYERS: &[(&str, &str, [u32; 3])] = &[
    ("af-south-1", "336392948345", [32, 28, 13]),
    ("ap-east-1", "839552336658", [32, 26, 11]),
    ("ap-northeast-1", "336392948345", [33, 29, 14]),
    ("ap-northeast-2", "336392948345", [33, 29, 14]),
    ("ap-northeast-3", "336392948345", [33, 29, 14]),
    ("ap-south-1", "336392948345", [33, 29, 14]),
    ("ap-south-2", "246107603503", [31, 26, 11]),
    ("ap-southeast-1", "336392948345", [33, 29, 14]),
    ("ap-southeast-2", "336392948345", [33, 29, 14]),
    ("ap-southeast-3", "258944054355", [32, 26, 11]),
    ("ap-southeast-4", "945386623051", [31, 26, 11]),
    ("ca-central-1", "336392948345", [33, 29, 14]),
    ("ca-west-1", "941713567376", [3, 3, 3]),
    ("cn-north-1", "406640652441", [26, 10, 10]),
    ("cn-northwest-1", "406640652441", [25, 10, 10]),
    ("eu-central-1", "336392948345", [33, 29, 14]),
    ("eu-central-2", "956415814219", [31, 26, 11]),
    ("eu-north-1", "336392948345", [33, 29, 14]),
    ("eu-south-1", "774444163449", [32, 26, 11]),
    ("eu-south-2", "982086096842", [31, 26, 11]),
    ("eu-west-1", "336392948345", [33, 29, 14]),
    ("eu-west-2", "336392948345", [33, 29, 14]),
    ("eu-west-3", "336392948345", [33, 29, 14]),
    ("il-central-1", "263840725265", [30, 26, 11]),
    ("me-central-1", "593833071574", [30, 26, 11]),
    ("sa-east-1", "336392948345", [33, 29, 14]),
    ("us-east-1", "336392948345", [33, 29, 14]),
    ("us-east-2", "336392948345", [33, 29, 14]),
    ("us-west-1", "336392948345", [33, 29, 14]),
    ("us-west-2", "336392948345", [33, 29, 14]),
];
/// When and from where `PANDAS_LAYERS` was read (said in SG321's rule).
pub const PANDAS_LAYERS_SOURCE: &str =
    "the aws-sdk-pandas \"AWS Lambda Managed Layers\" page for awswrangler 3.17.0 (2026-06-25)";
/// The account AWS publishes the AWSSDKPandas layers from in most regions,
/// used where `PANDAS_LAYERS` has no entry.
const PANDAS_LAYER_ACCOUNT: &str = "336392948345";

/// A published AWSSDKPandas layer for one region and runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PandasLayer {
    pub account: &'static str,
    /// The newest published version; versions 1 to this one exist.
    pub newest: u32,
}

/// The AWSSDKPandas layer AWS publishes for `runtime` in `region`, if any.
pub fn pandas_layer(region: &str, runtime: &str) -> Option<PandasLayer> {
    let column = MODERN_RUNTIMES.iter().position(|r| *r == runtime)?;
    PANDAS_LAYERS
        .iter()
        .find(|(r, _, _)| *r == region)
        .map(|(_, account, versions)| PandasLayer {
            account,
            newest: versions[column],
        })
}
pub const DEFAULT_LAYER_ZIP: &str = "lambda/awswrangler-layer-2.7.0-py3.8.zip";
/// Regions an AWS Academy Learner Lab account can use.
pub const LEARNER_LAB_REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

/// What the spec asks of exercise 5, with the target's engine resolved.
/// Only `stack::parts::selected` reads it: it is one input to the choice
/// of parts, never a second place that makes it.
#[derive(Debug, Clone, Copy)]
pub struct Switches {
    pub sql_analytics: bool,
    pub detector: bool,
    pub alert_lambda: bool,
    pub alerts_firehose: bool,
}

impl Switches {
    pub fn of(spec: &StudentSpec) -> Self {
        let a = &spec.analytics;
        let engine = a.engine.unwrap_or(match spec.target {
            Target::Classic => Engine::Sql,
            Target::Modern => Engine::Lambda,
        });
        let sql_analytics = a.enabled && engine == Engine::Sql;
        Self {
            sql_analytics,
            detector: a.enabled && engine == Engine::Lambda,
            alert_lambda: sql_analytics && a.alert_lambda,
            alerts_firehose: a.enabled && a.alerts_firehose,
        }
    }
}

/// The resolved settings of a stack, and (for the plan's readers) which
/// optional parts it has, as read off the parts list.
#[derive(Debug, Clone, Serialize)]
pub struct Features {
    pub target: Target,
    pub runtime: String,
    /// Classic: the layer zip the stack uploads (relative to the stack).
    pub layer_zip: Option<String>,
    /// Modern: the AWS-managed layer's ARN.
    pub layer_arn: Option<String>,
    pub analytics: bool,
    pub sql_analytics: bool,
    pub detector: bool,
    pub alert_lambda: bool,
    pub alerts_firehose: bool,
    /// Learner Lab: the role every service uses; no IAM is created.
    pub existing_role: Option<String>,
    pub create_iam: bool,
}

impl Features {
    /// `has` tells which optional parts the stack has.
    pub fn of(spec: &StudentSpec, has: impl Fn(crate::stack::part::PartId) -> bool) -> Self {
        use crate::stack::part::PartId;
        let classic = spec.target == Target::Classic;
        let runtime = spec.lambda.runtime.clone().unwrap_or_else(|| {
            if classic {
                CLASSIC_RUNTIME
            } else {
                MODERN_RUNTIME
            }
            .to_owned()
        });
        let layer_arn = (!classic).then(|| {
            let published = pandas_layer(&spec.region, &runtime);
            // Validation (SG321) has made sure a version is known: given,
            // or published for this region and runtime.
            let version = spec
                .lambda
                .layer_version
                .or(published.map(|l| l.newest))
                .unwrap_or_default();
            format!(
                "arn:{}:lambda:{}:{}:layer:AWSSDKPandas-Python{}:{version}",
                aws::partition(&spec.region),
                spec.region,
                published.map_or(PANDAS_LAYER_ACCOUNT, |l| l.account),
                runtime.trim_start_matches("python").replace('.', "")
            )
        });
        Self {
            target: spec.target,
            layer_zip: classic.then(|| {
                spec.lambda
                    .layer_zip
                    .clone()
                    .unwrap_or_else(|| DEFAULT_LAYER_ZIP.to_owned())
            }),
            layer_arn,
            runtime,
            analytics: spec.analytics.enabled,
            sql_analytics: has(PartId::SqlAnalytics),
            detector: has(PartId::Detector),
            alert_lambda: has(PartId::AlertFunction),
            alerts_firehose: has(PartId::AlertsFirehose),
            existing_role: spec.iam.existing_role.clone(),
            create_iam: spec.iam.existing_role.is_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layer_table_covers_known_regions_and_runtimes() {
        for (region, _, versions) in PANDAS_LAYERS {
            assert!(aws::is_region(region), "{region}");
            assert!(versions.iter().all(|v| *v >= 1), "{region}");
        }
        let layer = pandas_layer("ap-east-1", "python3.12").unwrap();
        // Opt-in regions publish from accounts of their own.
        assert_eq!(layer.account, "839552336658");
        assert_eq!(pandas_layer("us-east-1", "python3.12").unwrap().newest, 29);
        assert!(pandas_layer("ap-southeast-7", "python3.12").is_none());
        assert!(pandas_layer("us-east-1", "python3.8").is_none());
    }

    #[test]
    fn the_arn_names_the_region_s_publisher_and_newest_version() {
        let text = "student: {name: J, initials: jk, index_no: \"1\"}\naccount_id: \"100603781557\"\nregion: ap-east-1\n";
        let spec =
            crate::input::load::student(&crate::input::load::Source::new("s.yaml", text)).unwrap();
        let features = Features::of(&spec, |_| false);
        assert_eq!(
            features.layer_arn.as_deref(),
            Some("arn:aws:lambda:ap-east-1:839552336658:layer:AWSSDKPandas-Python312:26")
        );
    }
}
