//! IAM documents as typed values, built from the resource plan.
//!
//! Every trust and permission policy of a stack is constructed here and
//! reaches the `.tf` files through one path (`emit::hcl` prints it inside
//! `jsonencode(...)`); templates contain no policy text. Resources are full
//! ARNs computed from the derived names, so what a role may touch can be read
//! (and reviewed) without evaluating Terraform.
//!
//! Two styles: `LeastPrivilege` (default) grants each service exactly the
//! actions it uses on this student's resources; `Lab` reproduces the
//! handout's broad policies for courses that teach from them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::base::model::PolicyStyle;

/// A policy document; field order is the order AWS shows them in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    #[serde(rename = "Version")]
    pub version: &'static str,
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

impl Document {
    fn new(statements: Vec<Statement>) -> Self {
        Self {
            version: "2012-10-17",
            statements,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: &'static str,
    #[serde(rename = "Principal", skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    #[serde(rename = "Action")]
    pub actions: Vec<String>,
    #[serde(rename = "Resource", skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// operator -> condition key -> values, e.g. `StringLike` ->
    /// `s3:prefix` -> [`raw-zone/*`].
    #[serde(rename = "Condition", skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principal {
    #[serde(rename = "Service")]
    pub service: String,
}

fn allow(sid: &str, actions: &[&str], resources: &[String]) -> Statement {
    Statement {
        sid: sid.to_owned(),
        effect: "Allow",
        principal: None,
        actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        resources: resources.to_vec(),
        condition: BTreeMap::new(),
    }
}

fn with_condition(
    mut statement: Statement,
    operator: &str,
    key: &str,
    values: &[String],
) -> Statement {
    statement
        .condition
        .entry(operator.to_owned())
        .or_default()
        .insert(key.to_owned(), values.to_vec());
    statement
}

/// The trust policy letting one AWS service assume a role.
pub fn trust(service: &str) -> Document {
    Document::new(vec![Statement {
        sid: "AssumedByService".to_owned(),
        effect: "Allow",
        principal: Some(Principal {
            service: service.to_owned(),
        }),
        actions: vec!["sts:AssumeRole".to_owned()],
        resources: Vec::new(),
        condition: BTreeMap::new(),
    }])
}

/// ARNs of the student's resources that policies refer to.
#[derive(Debug, Clone, Serialize)]
pub struct Arns {
    /// The bucket of the raw zone (the lake's one bucket in a one-bucket
    /// edition): Firehose, the crawler and the alerts write or read it.
    pub bucket: String,
    /// The bucket of the processed zone; the same as `bucket` in a
    /// one-bucket edition.
    pub processed_bucket: String,
    pub stream: String,
    pub alerts_firehose: String,
    pub alert_function: String,
    pub firehose_log_group: String,
    pub alerts_firehose_log_group: String,
    pub etl_log_group: String,
    pub alert_log_group: String,
    pub detector_log_group: String,
    /// The reaper's log group; empty in a stack without expiry.
    pub reaper_log_group: String,
    /// Account-wide pattern the handout's Firehose policy used for logs.
    pub any_firehose_log_group: String,
    /// The SSM parameter naming the processed bucket, in editions that
    /// have one.
    pub etl_parameter: Option<String>,
}

/// What each least-privilege statement is for, by its Sid: the need a
/// grade checks a student's role for (`firehose.iam.s3_write`). Statements
/// for one need (a split edition lists two buckets) are one check.
const NEEDS: &[(&str, &str)] = &[
    ("ReadSourceStream", "stream_read"),
    ("LocateBucket", "s3_bucket"),
    ("WriteRawZone", "s3_write"),
    ("WriteProcessedZone", "s3_write"),
    ("WriteAlerts", "s3_write"),
    ("WriteDeliveryLogs", "logs"),
    ("WriteOwnLogs", "logs"),
    ("ListZones", "s3_list"),
    ("ListRawZone", "s3_list"),
    ("ListProcessedZone", "s3_list"),
    ("ReadRawZone", "s3_read"),
    ("ReadBucketParameter", "ssm_read"),
    ("DeliverAlerts", "firehose_write"),
    ("InvokeAlertFunction", "lambda_invoke"),
    ("ExpireOwnStream", "stream_expire"),
];

/// The need a least-privilege statement meets (its grade key), by Sid.
pub fn need(sid: &str) -> Option<&'static str> {
    NEEDS.iter().find(|(s, _)| *s == sid).map(|(_, n)| *n)
}

/// Every need key a grade can check (an edition's `grading` names them).
pub fn need_keys() -> impl Iterator<Item = &'static str> {
    let mut keys: Vec<&str> = NEEDS.iter().map(|(_, n)| *n).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
}

/// The AWS managed policy a Glue crawler's role needs beside its own.
pub fn glue_service_role_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/service-role/AWSGlueServiceRole")
}

/// Prefixes inside the bucket, shared with the templates.
pub const RAW_PREFIX: &str = "raw-zone/";
pub const PROCESSED_PREFIX: &str = "processed-zone/";
pub const ALERTS_PREFIX: &str = "alerts/";

const STREAM_READ: [&str; 4] = [
    "kinesis:DescribeStream",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
];

const FIREHOSE_BUCKET_LEVEL: [&str; 3] = [
    "s3:GetBucketLocation",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
];

const FIREHOSE_OBJECT_LEVEL: [&str; 3] =
    ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"];

fn objects(bucket: &str, prefix: &str) -> String {
    format!("{bucket}/{prefix}*")
}

/// The delivery stream that reads the Kinesis stream into `raw-zone/`.
pub fn firehose(style: PolicyStyle, arns: &Arns) -> Document {
    match style {
        PolicyStyle::LeastPrivilege => Document::new(vec![
            allow(
                "ReadSourceStream",
                &STREAM_READ,
                std::slice::from_ref(&arns.stream),
            ),
            allow(
                "LocateBucket",
                &FIREHOSE_BUCKET_LEVEL,
                std::slice::from_ref(&arns.bucket),
            ),
            allow(
                "WriteRawZone",
                &FIREHOSE_OBJECT_LEVEL,
                &[objects(&arns.bucket, RAW_PREFIX)],
            ),
            allow(
                "WriteDeliveryLogs",
                &["logs:PutLogEvents"],
                &[format!("{}:log-stream:*", arns.firehose_log_group)],
            ),
        ]),
        PolicyStyle::Lab => Document::new(vec![
            allow("ReadAnyStream", &["kinesis:*"], &["*".to_owned()]),
            allow(
                "UseBucket",
                &[
                    "s3:AbortMultipartUpload",
                    "s3:GetBucketLocation",
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:PutObject",
                ],
                &[arns.bucket.clone(), format!("{}/*", arns.bucket)],
            ),
            allow(
                "WriteLogs",
                &["logs:PutLogEvents"],
                std::slice::from_ref(&arns.any_firehose_log_group),
            ),
        ]),
    }
}

/// The Glue crawler over `raw-zone/` (the AWS managed AWSGlueServiceRole is
/// attached beside this inline policy).
pub fn crawler(style: PolicyStyle, arns: &Arns) -> Document {
    match style {
        PolicyStyle::LeastPrivilege => Document::new(vec![
            with_condition(
                allow(
                    "ListRawZone",
                    &["s3:ListBucket"],
                    std::slice::from_ref(&arns.bucket),
                ),
                "StringLike",
                "s3:prefix",
                &[format!("{RAW_PREFIX}*")],
            ),
            allow(
                "ReadRawZone",
                &["s3:GetObject"],
                &[objects(&arns.bucket, RAW_PREFIX)],
            ),
        ]),
        // The handout's `${bucket_arn}*` also matches every bucket whose
        // name starts with this one's (index 12345 reaches 123456).
        PolicyStyle::Lab => Document::new(vec![allow(
            "UseBucket",
            &["s3:GetObject", "s3:PutObject"],
            &[format!("{}*", arns.bucket)],
        )]),
    }
}

/// The ETL function: reads `raw-zone/`, writes `processed-zone/` (in the
/// same bucket, or in the processed bucket it finds through the SSM
/// parameter).
pub fn etl_lambda(style: PolicyStyle, arns: &Arns) -> Document {
    let (raw, processed) = (&arns.bucket, &arns.processed_bucket);
    let one_bucket = raw == processed;
    match style {
        PolicyStyle::LeastPrivilege => {
            let mut statements = if one_bucket {
                vec![with_condition(
                    allow("ListZones", &["s3:ListBucket"], std::slice::from_ref(raw)),
                    "StringLike",
                    "s3:prefix",
                    &[format!("{RAW_PREFIX}*"), format!("{PROCESSED_PREFIX}*")],
                )]
            } else {
                vec![
                    with_condition(
                        allow("ListRawZone", &["s3:ListBucket"], std::slice::from_ref(raw)),
                        "StringLike",
                        "s3:prefix",
                        &[format!("{RAW_PREFIX}*")],
                    ),
                    with_condition(
                        allow(
                            "ListProcessedZone",
                            &["s3:ListBucket"],
                            std::slice::from_ref(processed),
                        ),
                        "StringLike",
                        "s3:prefix",
                        &[format!("{PROCESSED_PREFIX}*")],
                    ),
                ]
            };
            statements.push(allow(
                "ReadRawZone",
                &["s3:GetObject"],
                &[objects(raw, RAW_PREFIX)],
            ));
            statements.push(allow(
                "WriteProcessedZone",
                &["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                &[objects(processed, PROCESSED_PREFIX)],
            ));
            if let Some(parameter) = &arns.etl_parameter {
                statements.push(allow(
                    "ReadBucketParameter",
                    &["ssm:GetParameter"],
                    std::slice::from_ref(parameter),
                ));
            }
            statements.push(own_logs(&arns.etl_log_group));
            Document::new(statements)
        }
        PolicyStyle::Lab => {
            let mut buckets = vec![raw.clone(), format!("{raw}/*")];
            if !one_bucket {
                buckets.extend([processed.clone(), format!("{processed}/*")]);
            }
            let mut statements = vec![
                allow(
                    "WriteLogs",
                    &[
                        "logs:CreateLogGroup",
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                    ],
                    &["*".to_owned()],
                ),
                allow("UseBucket", &["s3:*"], &buckets),
            ];
            if let Some(parameter) = &arns.etl_parameter {
                statements.push(allow(
                    "ReadBucketParameter",
                    &["ssm:GetParameter"],
                    std::slice::from_ref(parameter),
                ));
            }
            Document::new(statements)
        }
    }
}

/// Writing to a log group the stack created (so no `CreateLogGroup`).
fn own_logs(log_group_arn: &str) -> Statement {
    allow(
        "WriteOwnLogs",
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        &[format!("{log_group_arn}:*")],
    )
}

/// The alert function only logs.
pub fn alert_lambda(arns: &Arns) -> Document {
    Document::new(vec![own_logs(&arns.alert_log_group)])
}

/// The analytics application: reads the stream, writes both outputs.
pub fn analytics(arns: &Arns, alerts_firehose: bool, alert_lambda: bool) -> Document {
    let mut statements = vec![allow(
        "ReadSourceStream",
        &STREAM_READ,
        std::slice::from_ref(&arns.stream),
    )];
    if alerts_firehose {
        statements.push(allow(
            "DeliverAlerts",
            &[
                "firehose:DescribeDeliveryStream",
                "firehose:PutRecord",
                "firehose:PutRecordBatch",
            ],
            std::slice::from_ref(&arns.alerts_firehose),
        ));
    }
    if alert_lambda {
        statements.push(allow(
            "InvokeAlertFunction",
            &["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
            &[
                arns.alert_function.clone(),
                format!("{}:*", arns.alert_function),
            ],
        ));
    }
    Document::new(statements)
}

/// The anomaly detector (modern): reads the stream through an event source
/// mapping, writes flagged trades to the alerts Firehose, logs.
pub fn detector(arns: &Arns, alerts_firehose: bool) -> Document {
    let mut statements = vec![allow(
        "ReadSourceStream",
        &[
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
        ],
        std::slice::from_ref(&arns.stream),
    )];
    if alerts_firehose {
        statements.push(allow(
            "DeliverAlerts",
            &["firehose:PutRecordBatch"],
            std::slice::from_ref(&arns.alerts_firehose),
        ));
    }
    statements.push(own_logs(&arns.detector_log_group));
    Document::new(statements)
}

/// The reaper (`expire_after_hours`): reads its stream's creation time and
/// deletes that stream, nothing else; logs.
pub fn reaper(arns: &Arns) -> Document {
    Document::new(vec![
        allow(
            "ExpireOwnStream",
            &REAPER_STREAM_ACTIONS,
            std::slice::from_ref(&arns.stream),
        ),
        own_logs(&arns.reaper_log_group),
    ])
}

/// What the reaper calls on its stream: `DescribeStreamSummary` for the
/// creation time and status, `DeleteStream` when it has expired.
pub const REAPER_STREAM_ACTIONS: [&str; 2] =
    ["kinesis:DeleteStream", "kinesis:DescribeStreamSummary"];

/// The alerts delivery stream writes under `alerts/`.
pub fn alerts_firehose(arns: &Arns) -> Document {
    Document::new(vec![
        allow(
            "LocateBucket",
            &FIREHOSE_BUCKET_LEVEL,
            std::slice::from_ref(&arns.bucket),
        ),
        allow(
            "WriteAlerts",
            &FIREHOSE_OBJECT_LEVEL,
            &[objects(&arns.bucket, ALERTS_PREFIX)],
        ),
        allow(
            "WriteDeliveryLogs",
            &["logs:PutLogEvents"],
            &[format!("{}:log-stream:*", arns.alerts_firehose_log_group)],
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arns() -> Arns {
        let b = "arn:aws:s3:::datalake-dev-100603781557-jk-12345".to_owned();
        Arns {
            processed_bucket: b.clone(),
            bucket: b,
            etl_parameter: None,
            stream: "arn:aws:kinesis:us-east-1:100603781557:stream/cryptostock".into(),
            alerts_firehose: "arn:aws:firehose:us-east-1:100603781557:deliverystream/a".into(),
            alert_function: "arn:aws:lambda:us-east-1:100603781557:function:f".into(),
            firehose_log_group:
                "arn:aws:logs:us-east-1:100603781557:log-group:/aws/kinesisfirehose/f".into(),
            alerts_firehose_log_group:
                "arn:aws:logs:us-east-1:100603781557:log-group:/aws/kinesisfirehose/a".into(),
            etl_log_group: "arn:aws:logs:us-east-1:100603781557:log-group:/aws/lambda/e".into(),
            alert_log_group: "arn:aws:logs:us-east-1:100603781557:log-group:/aws/lambda/a".into(),
            detector_log_group: "arn:aws:logs:us-east-1:100603781557:log-group:/aws/lambda/d"
                .into(),
            reaper_log_group: "arn:aws:logs:us-east-1:100603781557:log-group:/aws/lambda/r".into(),
            any_firehose_log_group:
                "arn:aws:logs:us-east-1:100603781557:log-group:/aws/kinesisfirehose/*".into(),
        }
    }

    fn all_least_privilege() -> Vec<Document> {
        let a = arns();
        vec![
            firehose(PolicyStyle::LeastPrivilege, &a),
            crawler(PolicyStyle::LeastPrivilege, &a),
            etl_lambda(PolicyStyle::LeastPrivilege, &a),
            alert_lambda(&a),
            analytics(&a, true, true),
            alerts_firehose(&a),
            detector(&a, true),
            reaper(&a),
        ]
    }

    #[test]
    fn least_privilege_has_no_wildcard_actions_or_resources() {
        for doc in all_least_privilege() {
            for s in &doc.statements {
                assert!(s.actions.iter().all(|a| !a.contains('*')), "{s:?}");
                assert!(s.resources.iter().all(|r| r != "*"), "{s:?}");
            }
        }
    }

    #[test]
    fn least_privilege_s3_objects_stay_inside_prefixes() {
        let bucket = arns().bucket;
        for doc in all_least_privilege() {
            for r in doc.statements.iter().flat_map(|s| &s.resources) {
                if let Some(rest) = r.strip_prefix(&bucket) {
                    assert!(
                        rest.is_empty()
                            || [RAW_PREFIX, PROCESSED_PREFIX, ALERTS_PREFIX]
                                .iter()
                                .any(|p| rest == format!("/{p}*")),
                        "{r} reaches beyond the zones"
                    );
                }
            }
        }
    }

    #[test]
    fn every_least_privilege_statement_meets_a_need() {
        for doc in all_least_privilege() {
            for s in &doc.statements {
                assert!(need(&s.sid).is_some(), "{} has no need in NEEDS", s.sid);
            }
        }
    }

    #[test]
    fn lab_style_is_the_handouts() {
        let doc = firehose(PolicyStyle::Lab, &arns());
        assert_eq!(doc.statements[0].actions, ["kinesis:*"]);
        assert_eq!(doc.statements[0].resources, ["*"]);
    }

    #[test]
    fn serializes_in_aws_key_order() {
        let json = serde_json::to_string(&trust("firehose.amazonaws.com")).unwrap();
        assert_eq!(
            json,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"AssumedByService","Effect":"Allow","Principal":{"Service":"firehose.amazonaws.com"},"Action":["sts:AssumeRole"]}]}"#
        );
    }
}
