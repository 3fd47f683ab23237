//! The settings a spec resolves to once the target's defaults are applied:
//! the Lambda runtime, where the awswrangler layer comes from, whether the
//! stack creates IAM, and exercise 5's switches. Which parts a stack has
//! is decided in `stack::parts`, from the edition and these switches.

use serde::Serialize;

use crate::aws;
use crate::model::{Engine, StudentSpec, Target};

/// The classic target's runtime: provider 3.x knows no newer Python than
/// 3.9 and rejects newer ones at validate, and the handout's awswrangler
/// layer is built for 3.8.
pub const CLASSIC_RUNTIME: &str = "python3.8";
/// Runtimes the modern target accepts: those AWS supports for new
/// functions (late 2026) with an AWS-managed AWSSDKPandas layer.
pub const MODERN_RUNTIMES: [&str; 3] = ["python3.11", "python3.12", "python3.13"];
pub const MODERN_RUNTIME: &str = "python3.12";
/// Version of `AWSSDKPandas-Python312` used when none is given; published
/// in us-east-1 and us-west-2, the Learner Lab regions.
pub const DEFAULT_PANDAS_LAYER_VERSION: u32 = 16;
/// The account AWS publishes the AWSSDKPandas layers from.
const PANDAS_LAYER_ACCOUNT: &str = "336392948345";
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
            let version = spec
                .lambda
                .layer_version
                .unwrap_or(DEFAULT_PANDAS_LAYER_VERSION);
            format!(
                "arn:{}:lambda:{}:{PANDAS_LAYER_ACCOUNT}:layer:AWSSDKPandas-Python{}:{version}",
                aws::partition(&spec.region),
                spec.region,
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
