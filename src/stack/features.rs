//! The settings a spec resolves to once the target's defaults are applied:
//! the Lambda runtime, where the awswrangler layer comes from, whether the
//! stack creates IAM, and exercise 5's switches. Which parts a stack has
//! is decided in `stack::parts`, from the edition and these switches. The
//! tables they are resolved from (runtimes, AWS's published layers) are
//! `base::aws`'s, which validation and the schema read too.

use serde::Serialize;

use crate::base::aws::{
    self, pandas_layer, CLASSIC_RUNTIME, DEFAULT_LAYER_ZIP, MODERN_RUNTIME, PANDAS_LAYER_ACCOUNT,
};
use crate::base::model::{Engine, StudentSpec, Target};
use crate::base::part::PartId;

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
    pub fn of(spec: &StudentSpec, has: impl Fn(PartId) -> bool) -> Self {
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
