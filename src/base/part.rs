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

/// Whether the handout builds a part in Terraform or in the AWS console.
/// `stackgen grade` lists console parts as not graded: a Terraform state
/// or plan holds no trace of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MadeIn {
    Terraform,
    Console,
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
    /// An EventBridge rule on the default bus (the reaper's schedule),
    /// counted against the rules-per-bus quota (`aws::QUOTAS`).
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

/// The exercise of the 2021 handout that builds a kind of part, and
/// whether it builds it in Terraform or in the console (STACK.md, "Built in
/// Terraform or in the console"). An edition file that lists a part by its
/// bare name gets these; the built-in editions spell theirs out. Parts the
/// 2021 handout does not have come in the exercise that first needs them:
/// the processed zone's bucket and database with the ETL function (4),
/// Athena's results bucket with Athena (3), the detector and the alert
/// parts with exercise 5.
pub fn handout(id: PartId) -> (u8, MadeIn) {
    use MadeIn::{Console, Terraform};
    match id {
        // The reaper is not in the handout: the course's expiry
        // (`expire_after_hours`) comes with the stream it deletes, which
        // bills from exercise 1.
        PartId::Bucket | PartId::RawBucket | PartId::Stream | PartId::Reaper => (1, Terraform),
        PartId::Firehose => (2, Terraform),
        PartId::GlueDatabase | PartId::RawDatabase | PartId::Crawler | PartId::ResultsBucket => {
            (3, Terraform)
        }
        // Exercise 3 sets up Athena's workgroup `primary` by hand.
        PartId::Athena => (3, Console),
        PartId::ProcessedBucket
        | PartId::ProcessedDatabase
        | PartId::Etl
        | PartId::EtlParameter => (4, Terraform),
        // Exercise 4.2 registers it with CREATE EXTERNAL TABLE in Athena.
        PartId::ProcessedTable => (4, Console),
        // Exercise 5.1: "Utwórz nową aplikację Kinesis Analytics
        // wykorzystując konsolę AWS".
        PartId::SqlAnalytics => (5, Console),
        // 5g offers the console or Terraform and 5h leaves it open; a stack
        // stackgen renders builds both in Terraform.
        PartId::Detector | PartId::AlertFunction | PartId::AlertsFirehose => (5, Terraform),
    }
}

/// What a kind of part refers to in its templates: each entry is one need,
/// met by the first of its kinds the edition has (the raw zone's own bucket,
/// else the lake's one bucket). A part cannot come in an earlier exercise
/// than what it needs, or a checkpoint (`render --through`) would refer to
/// something it does not have; `Edition::problems` checks it.
pub fn needs(id: PartId) -> &'static [&'static [PartId]] {
    use PartId as P;
    const RAW_BUCKET: &[PartId] = &[P::RawBucket, P::Bucket];
    const PROCESSED_BUCKET: &[PartId] = &[P::ProcessedBucket, P::Bucket];
    const RESULTS_BUCKET: &[PartId] = &[P::ResultsBucket, P::Bucket];
    const RAW_DATABASE: &[PartId] = &[P::RawDatabase, P::GlueDatabase];
    const PROCESSED_DATABASE: &[PartId] = &[P::ProcessedDatabase, P::GlueDatabase];
    match id {
        P::Firehose => &[&[P::Stream], RAW_BUCKET],
        P::Crawler => &[RAW_DATABASE, RAW_BUCKET],
        P::ProcessedTable => &[PROCESSED_DATABASE, PROCESSED_BUCKET],
        P::Etl => &[RAW_BUCKET, PROCESSED_BUCKET, &[P::EtlParameter]],
        P::EtlParameter => &[&[P::ProcessedBucket]],
        P::Athena => &[RESULTS_BUCKET, RAW_DATABASE],
        P::SqlAnalytics | P::Detector | P::Reaper => &[&[P::Stream]],
        P::AlertsFirehose => &[RAW_BUCKET],
        P::Bucket
        | P::RawBucket
        | P::ProcessedBucket
        | P::ResultsBucket
        | P::Stream
        | P::GlueDatabase
        | P::RawDatabase
        | P::ProcessedDatabase
        | P::AlertFunction => &[],
    }
}

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
