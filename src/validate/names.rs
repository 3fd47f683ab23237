//! The naming rule of every kind of AWS name, as a table.
//!
//! Each rule is a length range and a character set; S3 adds conditions of
//! its own (`s3_bucket.rs`). Sources: each service's API reference for the
//! resource's `Name` parameter (CreateBucket, CreateStream,
//! CreateDeliveryStream, CreateRole, PutRolePolicy, CreateFunction,
//! PublishLayerVersion, CreateDatabase/CreateTable as Athena reads them,
//! CreateCrawler, CreateApplication, CreateWorkGroup, CreateLogGroup,
//! PutParameter, EventBridge's PutRule).
//!
//! Why: Terraform checks none of these before `apply`, and in us-east-1
//! the provider skips S3's naming rules at plan time.

use super::name_rule::{Charset, NameRule};
use crate::base::codes::Code;
use crate::base::part::NameKind;

/// The rule a derived name of this kind must satisfy; None for a kind
/// that is checked as part of other names (a table prefix).
pub fn rule_for(kind: NameKind) -> Option<&'static NameRule> {
    use NameKind as K;
    Some(match kind {
        K::S3Bucket => &super::s3_bucket::RULE,
        K::KinesisStream => &KINESIS_STREAM,
        K::Firehose => &FIREHOSE,
        K::IamRole => &IAM_ROLE,
        K::IamPolicy => &IAM_POLICY,
        K::LambdaFunction => &LAMBDA_FUNCTION,
        K::LambdaLayer => &LAMBDA_LAYER,
        K::GlueDatabase | K::GlueTable => &GLUE_NAME,
        K::GlueCrawler => &GLUE_CRAWLER,
        K::AnalyticsApplication => &ANALYTICS_APPLICATION,
        K::AthenaWorkgroup => &ATHENA_WORKGROUP,
        K::LogGroup => &LOG_GROUP,
        K::SsmParameter => &SSM_PARAMETER,
        K::EventRule => &EVENT_RULE,
        K::Prefix => return None,
    })
}

const fn rule(
    code: Code,
    subject: &'static str,
    min: usize,
    max: usize,
    charset: Charset,
) -> NameRule {
    NameRule {
        code,
        subject,
        min,
        max,
        charset,
        extra: super::name_rule::no_extra,
    }
}

const KINESIS_STREAM: NameRule = rule(
    Code::SG202,
    "Kinesis stream names",
    1,
    128,
    Charset::AlnumDotDashUnderscore,
);
const FIREHOSE: NameRule = rule(
    Code::SG203,
    "Firehose delivery stream names",
    1,
    64,
    Charset::AlnumDotDashUnderscore,
);
const IAM_ROLE: NameRule = rule(Code::SG204, "IAM role names", 1, 64, Charset::Iam);
const IAM_POLICY: NameRule = rule(Code::SG205, "IAM inline policy names", 1, 128, Charset::Iam);
const LAMBDA_FUNCTION: NameRule = rule(
    Code::SG206,
    "Lambda function names",
    1,
    64,
    Charset::AlnumDashUnderscore,
);
const LAMBDA_LAYER: NameRule = rule(
    Code::SG207,
    "Lambda layer names",
    1,
    140,
    Charset::AlnumDashUnderscore,
);
const GLUE_NAME: NameRule = rule(
    Code::SG208,
    "Glue database and table names queried by Athena",
    1,
    255,
    Charset::LowerAlnumUnderscore,
);
const GLUE_CRAWLER: NameRule = rule(
    Code::SG209,
    "Glue crawler names",
    1,
    255,
    Charset::SingleLine,
);
const ANALYTICS_APPLICATION: NameRule = rule(
    Code::SG210,
    "Kinesis Analytics application names",
    1,
    128,
    Charset::AlnumDotDashUnderscore,
);
const ATHENA_WORKGROUP: NameRule = rule(
    Code::SG211,
    "Athena workgroup names",
    1,
    128,
    Charset::AlnumDotDashUnderscore,
);
const LOG_GROUP: NameRule = rule(
    Code::SG212,
    "CloudWatch log group names",
    1,
    512,
    Charset::LogGroup,
);
const SSM_PARAMETER: NameRule = rule(
    Code::SG213,
    "SSM parameter names",
    1,
    1011,
    Charset::SsmParameter,
);
const EVENT_RULE: NameRule = rule(
    Code::SG214,
    "EventBridge rule names",
    1,
    64,
    Charset::AlnumDotDashUnderscore,
);

#[cfg(test)]
mod tests {
    use super::*;
    use NameKind as K;

    /// (kind, accepted, rejected): a row per rule.
    fn cases() -> Vec<(NameKind, Vec<String>, Vec<String>)> {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        vec![
            (
                K::KinesisStream,
                s(&[
                    "cryptostock-dev-100603781557-jk-12345",
                    "A.b_c-1",
                    &"s".repeat(128),
                ]),
                s(&["", &"s".repeat(129), "with space", "slash/name", "zaż"]),
            ),
            (
                K::Firehose,
                s(&["firehose-dev-1-jk-1", &"f".repeat(64)]),
                s(&[&"f".repeat(65), "a b"]),
            ),
            (
                K::IamRole,
                s(&["firehose-role-dev-1-jk-1", "a+=,.@_-", &"r".repeat(64)]),
                s(&[&"r".repeat(65), "a/b", "a b"]),
            ),
            (
                K::IamPolicy,
                s(&[&"p".repeat(128)]),
                s(&[&"p".repeat(129), "a:b"]),
            ),
            (
                K::LambdaFunction,
                s(&["etl-post_processing", &"l".repeat(64)]),
                s(&[&"l".repeat(65), "a.b"]),
            ),
            (
                K::LambdaLayer,
                s(&["aws_wrangler_dev", &"l".repeat(140)]),
                s(&[&"l".repeat(141), "a-b.c"]),
            ),
            (
                K::GlueDatabase,
                s(&["datalake_dev_1_jk_1"]),
                s(&["datalake-dev", "Upper", ""]),
            ),
            (
                K::GlueCrawler,
                s(&["gc-raw-dev", "any thing: ok"]),
                s(&["a\nb", &"c".repeat(256)]),
            ),
            (
                K::AnalyticsApplication,
                s(&["anomaly-detection.1_a"]),
                s(&["a b", &"a".repeat(129)]),
            ),
            (
                K::AthenaWorkgroup,
                s(&["workgroup-dev-1"]),
                s(&["a/b", &"w".repeat(129)]),
            ),
            (
                K::LogGroup,
                s(&["/aws/lambda/etl-1", "a#b.c_d-e"]),
                s(&["a b", &"g".repeat(513)]),
            ),
            (
                K::EventRule,
                s(&["reaper-dev-1-jk-1", "a.b_c-D", &"r".repeat(64)]),
                s(&["a b", "a/b", &"r".repeat(65)]),
            ),
            (
                K::SsmParameter,
                s(&["/datalake/1-jk-1/processed-bucket", "a.b_c-d"]),
                s(&["a b", "a:b", &"p".repeat(1012)]),
            ),
            (
                K::EventRule,
                s(&["reaper-schedule-dev-1-jk-1", "a.b_c-D", &"r".repeat(64)]),
                s(&["", &"r".repeat(65), "a b", "a/b", "a:b"]),
            ),
        ]
    }

    #[test]
    fn each_rule_accepts_and_rejects_its_examples() {
        for (kind, accepted, rejected) in cases() {
            let rule = rule_for(kind).unwrap();
            for name in &accepted {
                assert_eq!(rule.problems(name), vec![], "{kind:?} should accept {name}");
            }
            for name in &rejected {
                assert!(
                    !rule.problems(name).is_empty(),
                    "{kind:?} should reject {name}"
                );
            }
        }
    }
}
