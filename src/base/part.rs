//! The kinds of part an edition lists, and the names each kind creates.
//!
//! This is the contract between three stages: an edition must give a
//! pattern for every name of every part it lists (`edition`), validation
//! checks each name by its kind's rule (`validate::names`), and the stack
//! derives the names from the patterns (`stack::parts`). What a part
//! builds besides its names (addresses, role, templates, zip) is the
//! stack's own table, `stack::parts`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The kinds of part. An edition lists the ones it has; the optional ones
/// (exercise 5) are further switched by the spec.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PartId {
    /// One bucket for the whole lake; the zones are prefixes (2021).
    Bucket,
    /// The raw zone's own bucket (2025).
    RawBucket,
    /// The processed zone's own bucket (2025).
    ProcessedBucket,
    /// Athena's query results in a bucket of their own (2025).
    ResultsBucket,
    Stream,
    /// The Firehose that loads the stream into the raw zone.
    Firehose,
    /// One Glue database for both zones (2021).
    GlueDatabase,
    RawDatabase,
    ProcessedDatabase,
    Crawler,
    ProcessedTable,
    /// The ETL function with its layer, permission and notification.
    Etl,
    /// The SSM parameter holding the processed bucket's name (2025).
    EtlParameter,
    /// The workgroup and the named queries.
    Athena,
    /// Exercise 5 as the handout's Kinesis Analytics SQL application.
    SqlAnalytics,
    /// Exercise 5 as a Lambda function on the stream.
    Detector,
    /// The SQL application's alert function (5g).
    AlertFunction,
    /// The Firehose that loads alerts into the lake (5h).
    AlertsFirehose,
    /// The stack's expiry (`expire_after_hours`): a scheduled function that
    /// deletes the stream once it is that many hours old.
    Reaper,
}

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
    SsmParameter,
    /// An EventBridge rule (the reaper's schedule).
    EventRule,
    /// A table-name prefix: not a resource of its own, checked as part of
    /// the table names it makes.
    Prefix,
}

/// One AWS name a part creates, as derived from the edition's pattern.
#[derive(Debug, Clone, Serialize)]
pub struct Name {
    pub kind: NameKind,
    /// What the name is for, in words: "ETL Lambda function".
    pub purpose: &'static str,
    pub value: String,
    /// The input fields the name embeds, in pattern order: which field to
    /// blame for a bad character or a name that is too long.
    pub fields: Vec<&'static str>,
}

/// A name a kind of part creates: its key in the edition's `names`, its
/// kind, and what it is for.
#[derive(Debug, Clone, Copy)]
pub struct NameSpec {
    pub key: &'static str,
    pub kind: NameKind,
    pub purpose: &'static str,
}

/// The names of one kind of part.
#[derive(Debug)]
pub struct PartNames {
    pub id: PartId,
    pub names: &'static [NameSpec],
    /// The role's name and its inline policy's name, for a part whose
    /// service assumes a role; a stack has them only when it creates IAM.
    pub role: Option<[NameSpec; 2]>,
}

const fn n(key: &'static str, kind: NameKind, purpose: &'static str) -> NameSpec {
    NameSpec { key, kind, purpose }
}

const fn role(name: &'static str, policy: &'static str, words: [&'static str; 2]) -> [NameSpec; 2] {
    [
        n(name, NameKind::IamRole, words[0]),
        n(policy, NameKind::IamPolicy, words[1]),
    ]
}

use NameKind as K;

/// One row per kind of part.
static TABLE: &[PartNames] = &[
    PartNames {
        id: PartId::Bucket,
        names: &[n("bucket", K::S3Bucket, "S3 bucket")],
        role: None,
    },
    PartNames {
        id: PartId::RawBucket,
        names: &[n("raw_bucket", K::S3Bucket, "raw-zone S3 bucket")],
        role: None,
    },
    PartNames {
        id: PartId::ProcessedBucket,
        names: &[n(
            "processed_bucket",
            K::S3Bucket,
            "processed-zone S3 bucket",
        )],
        role: None,
    },
    PartNames {
        id: PartId::ResultsBucket,
        names: &[n("results_bucket", K::S3Bucket, "Athena results S3 bucket")],
        role: None,
    },
    PartNames {
        id: PartId::Stream,
        names: &[n("stream", K::KinesisStream, "Kinesis Data Stream")],
        role: None,
    },
    PartNames {
        id: PartId::Firehose,
        names: &[
            n("firehose", K::Firehose, "Firehose delivery stream"),
            n("firehose_log_group", K::LogGroup, "Firehose log group"),
        ],
        role: Some(role(
            "firehose_role",
            "firehose_policy",
            ["Firehose role", "Firehose policy"],
        )),
    },
    PartNames {
        id: PartId::GlueDatabase,
        names: &[n("glue_database", K::GlueDatabase, "Glue database")],
        role: None,
    },
    PartNames {
        id: PartId::RawDatabase,
        names: &[n("raw_database", K::GlueDatabase, "raw-zone Glue database")],
        role: None,
    },
    PartNames {
        id: PartId::ProcessedDatabase,
        names: &[n(
            "processed_database",
            K::GlueDatabase,
            "processed-zone Glue database",
        )],
        role: None,
    },
    PartNames {
        id: PartId::Crawler,
        names: &[
            n("crawler", K::GlueCrawler, "Glue crawler"),
            n("crawler_table_prefix", K::Prefix, "crawler table prefix"),
            n("raw_table", K::GlueTable, "crawler table"),
        ],
        role: Some(role(
            "crawler_role",
            "crawler_policy",
            ["crawler role", "crawler policy"],
        )),
    },
    PartNames {
        id: PartId::ProcessedTable,
        names: &[n("processed_table", K::GlueTable, "processed table")],
        role: None,
    },
    PartNames {
        id: PartId::Etl,
        names: &[
            n("layer", K::LambdaLayer, "awswrangler layer"),
            n("etl_function", K::LambdaFunction, "ETL Lambda function"),
            n("etl_log_group", K::LogGroup, "ETL Lambda log group"),
        ],
        role: Some(role(
            "lambda_role",
            "lambda_policy",
            ["ETL Lambda role", "ETL Lambda policy"],
        )),
    },
    PartNames {
        id: PartId::EtlParameter,
        names: &[n("etl_parameter", K::SsmParameter, "SSM parameter")],
        role: None,
    },
    PartNames {
        id: PartId::Athena,
        names: &[n("workgroup", K::AthenaWorkgroup, "Athena workgroup")],
        role: None,
    },
    PartNames {
        id: PartId::SqlAnalytics,
        names: &[n(
            "analytics_app",
            K::AnalyticsApplication,
            "Kinesis Analytics application",
        )],
        role: Some(role(
            "analytics_role",
            "analytics_policy",
            ["analytics role", "analytics policy"],
        )),
    },
    PartNames {
        id: PartId::AlertsFirehose,
        names: &[
            n("alerts_firehose", K::Firehose, "alerts Firehose"),
            n(
                "alerts_firehose_log_group",
                K::LogGroup,
                "alerts Firehose log group",
            ),
        ],
        role: Some(role(
            "alerts_firehose_role",
            "alerts_firehose_policy",
            ["alerts Firehose role", "alerts Firehose policy"],
        )),
    },
    PartNames {
        id: PartId::AlertFunction,
        names: &[
            n("alert_function", K::LambdaFunction, "alert Lambda function"),
            n("alert_log_group", K::LogGroup, "alert Lambda log group"),
        ],
        role: Some(role(
            "alert_role",
            "alert_policy",
            ["alert Lambda role", "alert Lambda policy"],
        )),
    },
    PartNames {
        id: PartId::Detector,
        names: &[
            n(
                "detector_function",
                K::LambdaFunction,
                "anomaly detector function",
            ),
            n(
                "detector_log_group",
                K::LogGroup,
                "anomaly detector log group",
            ),
        ],
        role: Some(role(
            "detector_role",
            "detector_policy",
            ["anomaly detector role", "anomaly detector policy"],
        )),
    },
    PartNames {
        id: PartId::Reaper,
        names: &[
            n(
                "reaper_function",
                K::LambdaFunction,
                "stack reaper function",
            ),
            n("reaper_log_group", K::LogGroup, "stack reaper log group"),
            n("reaper_rule", K::EventRule, "stack reaper schedule rule"),
        ],
        role: Some(role(
            "reaper_role",
            "reaper_policy",
            ["stack reaper role", "stack reaper policy"],
        )),
    },
];

/// The names of a kind of part.
pub fn names_of(id: PartId) -> &'static PartNames {
    TABLE
        .iter()
        .find(|p| p.id == id)
        .expect("every PartId has a row in TABLE (unit test in stack::parts)")
}

/// Every name key a part may need a pattern for (role names included).
pub fn name_keys(id: PartId) -> Vec<&'static str> {
    let part = names_of(id);
    part.names
        .iter()
        .chain(part.role.iter().flatten())
        .map(|n| n.key)
        .collect()
}

/// The key of a part's main name (a bucket's, a database's).
pub fn main_name(id: PartId) -> &'static str {
    names_of(id).names.first().map_or("", |n| n.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_key_belongs_to_one_kind_of_part() {
        let mut seen = std::collections::BTreeSet::new();
        let mut ids = std::collections::BTreeSet::new();
        for part in TABLE {
            assert!(ids.insert(part.id), "{:?} has two rows", part.id);
            for key in name_keys(part.id) {
                assert!(seen.insert(key), "`{key}` twice");
            }
        }
    }
}
