//! Every AWS name a student's stack creates, derived in one place.
//!
//! Naming convention (the handout's, STACK.md): each name embeds the
//! student as `{environment}-{account_id}-{initials}-{index_no}`, called the
//! suffix. Glue, Athena and Lambda-layer names use `_` instead of `-`,
//! because Athena accepts only lowercase letters, digits and `_`.
//!
//! Templates never build names: they receive them from here, so what
//! `validate` checked is exactly what Terraform creates.

use serde::Serialize;

use crate::features::Features;
use crate::model::StudentSpec;

/// The kind of AWS name, which decides the rule it must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum NameKind {
    S3Bucket,
    KinesisStream,
    Firehose,
    IamRole,
    IamPolicy,
    LambdaFunction,
    LambdaLayer,
    GlueDatabase,
    GlueTable,
    GlueCrawler,
    AnalyticsApplication,
    AthenaWorkgroup,
    LogGroup,
}

/// The parts a suffix is made of, kept to explain which input field a bad
/// derived name comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Parts {
    pub environment: String,
    pub account_id: String,
    pub initials: String,
    pub index_no: String,
}

impl Parts {
    pub fn from_spec(spec: &StudentSpec) -> Self {
        Self {
            environment: spec.environment.clone(),
            account_id: spec.account_id.clone(),
            initials: spec.student.initials.clone(),
            index_no: spec.student.index_no.clone(),
        }
    }

    fn joined(&self, sep: &str) -> String {
        [
            self.environment.as_str(),
            &self.account_id,
            &self.initials,
            &self.index_no,
        ]
        .join(sep)
    }

    /// `(field path, value)` for each part, in suffix order.
    pub fn fields(&self) -> [(&'static str, &str); 4] {
        [
            ("environment", &self.environment),
            ("account_id", &self.account_id),
            ("student.initials", &self.initials),
            ("student.index_no", &self.index_no),
        ]
    }
}

/// One derived name with what it names.
#[derive(Debug, Clone, Serialize)]
pub struct Derived {
    pub kind: NameKind,
    /// What the name is for, in words: "ETL Lambda function".
    pub purpose: &'static str,
    pub name: String,
}

/// All names of one student's stack.
#[derive(Debug, Clone, Serialize)]
pub struct Names {
    pub suffix: String,
    pub bucket: String,
    pub stream: String,
    pub firehose: String,
    pub firehose_role: String,
    pub firehose_policy: String,
    pub firehose_log_group: String,
    pub glue_database: String,
    pub crawler: String,
    pub crawler_table_prefix: String,
    pub raw_table: String,
    pub processed_table: String,
    pub crawler_role: String,
    pub crawler_policy: String,
    pub layer: String,
    pub etl_function: String,
    pub etl_log_group: String,
    pub lambda_role: String,
    pub lambda_policy: String,
    pub workgroup: String,
    pub analytics_app: String,
    pub analytics_role: String,
    pub analytics_policy: String,
    pub alerts_firehose: String,
    pub alerts_firehose_role: String,
    pub alerts_firehose_policy: String,
    pub alerts_firehose_log_group: String,
    pub alert_function: String,
    pub alert_log_group: String,
    pub alert_role: String,
    pub alert_policy: String,
    pub detector_function: String,
    pub detector_log_group: String,
    pub detector_role: String,
    pub detector_policy: String,
}

impl Names {
    pub fn derive(parts: &Parts) -> Self {
        let sfx = parts.joined("-");
        let usfx = parts.joined("_");
        let d = |prefix: &str| format!("{prefix}-{sfx}");
        let firehose = d("firehose");
        let alerts_firehose = d("firehose-alerts");
        let etl_function = d("etl-post-processing");
        let alert_function = d("anomaly-alert");
        let detector_function = d("anomaly-detector");
        Self {
            bucket: d("datalake"),
            stream: d("cryptostock"),
            firehose_role: d("firehose-role"),
            firehose_policy: d("firehose-stream-policy"),
            firehose_log_group: format!("/aws/kinesisfirehose/{firehose}"),
            firehose,
            glue_database: format!("datalake_{usfx}"),
            crawler: d("gc-raw"),
            crawler_table_prefix: "crawler_".to_owned(),
            raw_table: "crawler_stockdata".to_owned(),
            processed_table: "processed_stockdata".to_owned(),
            crawler_role: d("crawler-role"),
            crawler_policy: d("user-bucket-policy"),
            layer: format!("aws_wrangler_{usfx}"),
            etl_log_group: format!("/aws/lambda/{etl_function}"),
            etl_function,
            lambda_role: d("lambda-basic-role"),
            lambda_policy: d("lambda-basic-policy"),
            workgroup: d("workgroup"),
            analytics_app: d("anomaly-detection"),
            analytics_role: d("analytics-role"),
            analytics_policy: d("analytics-policy"),
            alerts_firehose_role: d("firehose-alerts-role"),
            alerts_firehose_policy: d("firehose-alerts-policy"),
            alerts_firehose_log_group: format!("/aws/kinesisfirehose/{alerts_firehose}"),
            alerts_firehose,
            alert_log_group: format!("/aws/lambda/{alert_function}"),
            alert_function,
            alert_role: d("alert-lambda-role"),
            alert_policy: d("alert-lambda-policy"),
            detector_log_group: format!("/aws/lambda/{detector_function}"),
            detector_function,
            detector_role: d("detector-role"),
            detector_policy: d("detector-policy"),
            suffix: sfx,
        }
    }

    /// Every name the stack creates, with its kind, in a fixed order, for
    /// validation and collision checks.
    #[allow(clippy::too_many_lines)] // a table: one row per name
    pub fn all(&self, features: &Features) -> Vec<Derived> {
        use NameKind::{
            AnalyticsApplication, AthenaWorkgroup, Firehose, GlueCrawler, GlueDatabase, GlueTable,
            IamPolicy, IamRole, KinesisStream, LambdaFunction, LambdaLayer, LogGroup, S3Bucket,
        };
        // (kind, purpose, name, whether it exists in this stack)
        let f = features;
        let iam = f.create_iam;
        let candidates = [
            (S3Bucket, "S3 bucket", &self.bucket, true),
            (KinesisStream, "Kinesis Data Stream", &self.stream, true),
            (Firehose, "Firehose delivery stream", &self.firehose, true),
            (IamRole, "Firehose role", &self.firehose_role, iam),
            (IamPolicy, "Firehose policy", &self.firehose_policy, iam),
            (
                LogGroup,
                "Firehose log group",
                &self.firehose_log_group,
                true,
            ),
            (GlueDatabase, "Glue database", &self.glue_database, true),
            (GlueCrawler, "Glue crawler", &self.crawler, true),
            (GlueTable, "crawler table", &self.raw_table, true),
            (GlueTable, "processed table", &self.processed_table, true),
            (IamRole, "crawler role", &self.crawler_role, iam),
            (IamPolicy, "crawler policy", &self.crawler_policy, iam),
            (
                LambdaLayer,
                "awswrangler layer",
                &self.layer,
                f.layer_zip.is_some(),
            ),
            (
                LambdaFunction,
                "ETL Lambda function",
                &self.etl_function,
                true,
            ),
            (LogGroup, "ETL Lambda log group", &self.etl_log_group, true),
            (IamRole, "ETL Lambda role", &self.lambda_role, iam),
            (IamPolicy, "ETL Lambda policy", &self.lambda_policy, iam),
            (AthenaWorkgroup, "Athena workgroup", &self.workgroup, true),
            (
                AnalyticsApplication,
                "Kinesis Analytics application",
                &self.analytics_app,
                f.sql_analytics,
            ),
            (
                IamRole,
                "analytics role",
                &self.analytics_role,
                iam && f.sql_analytics,
            ),
            (
                IamPolicy,
                "analytics policy",
                &self.analytics_policy,
                iam && f.sql_analytics,
            ),
            (
                Firehose,
                "alerts Firehose",
                &self.alerts_firehose,
                f.alerts_firehose,
            ),
            (
                IamRole,
                "alerts Firehose role",
                &self.alerts_firehose_role,
                iam && f.alerts_firehose,
            ),
            (
                IamPolicy,
                "alerts Firehose policy",
                &self.alerts_firehose_policy,
                iam && f.alerts_firehose,
            ),
            (
                LogGroup,
                "alerts Firehose log group",
                &self.alerts_firehose_log_group,
                f.alerts_firehose,
            ),
            (
                LambdaFunction,
                "alert Lambda function",
                &self.alert_function,
                f.alert_lambda,
            ),
            (
                LogGroup,
                "alert Lambda log group",
                &self.alert_log_group,
                f.alert_lambda,
            ),
            (
                IamRole,
                "alert Lambda role",
                &self.alert_role,
                iam && f.alert_lambda,
            ),
            (
                IamPolicy,
                "alert Lambda policy",
                &self.alert_policy,
                iam && f.alert_lambda,
            ),
            (
                LambdaFunction,
                "anomaly detector function",
                &self.detector_function,
                f.detector,
            ),
            (
                LogGroup,
                "anomaly detector log group",
                &self.detector_log_group,
                f.detector,
            ),
            (
                IamRole,
                "anomaly detector role",
                &self.detector_role,
                iam && f.detector,
            ),
            (
                IamPolicy,
                "anomaly detector policy",
                &self.detector_policy,
                iam && f.detector,
            ),
        ];
        candidates
            .into_iter()
            .filter(|(.., exists)| *exists)
            .map(|(kind, purpose, name, _)| Derived {
                kind,
                purpose,
                name: name.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handout() -> Names {
        Names::derive(&Parts {
            environment: "dev".into(),
            account_id: "100603781557".into(),
            initials: "jk".into(),
            index_no: "12345".into(),
        })
    }

    #[test]
    fn handout_names() {
        let n = handout();
        assert_eq!(n.bucket, "datalake-dev-100603781557-jk-12345");
        assert_eq!(n.stream, "cryptostock-dev-100603781557-jk-12345");
        assert_eq!(n.firehose, "firehose-dev-100603781557-jk-12345");
        assert_eq!(n.glue_database, "datalake_dev_100603781557_jk_12345");
        assert_eq!(n.layer, "aws_wrangler_dev_100603781557_jk_12345");
        assert_eq!(n.crawler, "gc-raw-dev-100603781557-jk-12345");
        assert_eq!(
            n.etl_function,
            "etl-post-processing-dev-100603781557-jk-12345"
        );
        assert_eq!(
            n.crawler_policy,
            "user-bucket-policy-dev-100603781557-jk-12345"
        );
    }

    #[test]
    fn names_follow_the_features() {
        let source = crate::load::Source::new(
            "s.yaml",
            "student: {name: J, initials: jk, index_no: \"12345\"}\naccount_id: \"100603781557\"\n",
        );
        let mut spec = crate::load::student(&source).unwrap();
        let n = handout();
        spec.target = crate::model::Target::Classic;
        assert_eq!(n.all(&Features::of(&spec)).len(), 29);
        spec.analytics.enabled = false;
        assert_eq!(n.all(&Features::of(&spec)).len(), 18);
        spec.target = crate::model::Target::Modern;
        spec.analytics.enabled = true;
        // No uploaded layer, no SQL application or alert Lambda; a detector.
        assert_eq!(n.all(&Features::of(&spec)).len(), 17 + 4 + 4);
        spec.iam.existing_role = Some("LabRole".into());
        let learner_lab = n.all(&Features::of(&spec));
        assert!(learner_lab
            .iter()
            .all(|d| !matches!(d.kind, NameKind::IamRole | NameKind::IamPolicy)));
    }
}
