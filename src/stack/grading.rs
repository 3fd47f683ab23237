//! What `stackgen grade` checks of each kind of part: the one table of it,
//! beside the part table (`parts.rs`).
//!
//! A row lists the part's members (the resources it declares that a check
//! reads: its main resource first, then, for the ETL function, its layer,
//! permission and notification), and the settings graded, each under a
//! key: a setting's key is its student-file key where it has one
//! (`shard_count`, `buffer_interval_s`), a fixed word otherwise
//! (`force_destroy`, `prefix`). The check id is `<part>.<key>`.
//!
//! The table says *where* a setting is, never what it must be: the
//! expected value is read from the stack stackgen renders for the student
//! at the same place, and when the rendered stack has a reference there
//! (the Firehose's `kinesis_stream_arn = aws_kinesis_stream.….arn`), the
//! check is a connection to whatever the student's stream is. Several
//! places for one setting are the AWS provider's shapes across major
//! versions (`buffer_size` in 3.x and 4.x, `buffering_size` from 5.x;
//! inline `lifecycle_rule` in 3.x, `aws_s3_bucket_lifecycle_configuration`
//! from 4.x): the first that the rendered stack has gives the expected
//! value, the first that the student's has gives what was found.
//!
//! Besides these, every part gets `exists` and `name` (its main resource,
//! named from the edition), every member with a name `<member>.name`, and
//! every part whose service assumes a role `role` and one `iam.<need>` per
//! need of its least-privilege policy (`iam::need`), plus `iam.managed`
//! for the AWS managed policies its role gets.

use crate::base::part::PartId;

/// A resource of a part that checks read.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    /// `""` for the part's main resource, else the word in its check ids
    /// (`notification`).
    pub key: &'static str,
    /// The key of its address in the part's `addresses`.
    pub address: &'static str,
    /// The attribute holding its AWS name, and the edition's name key, for
    /// members whose name is graded.
    pub name: Option<(&'static str, &'static str)>,
}

/// Where a setting is.
#[derive(Debug, Clone, Copy)]
pub enum At {
    /// An attribute path of the member (`a.0.b`; `a.*.b`: any element).
    Attr(&'static str),
    /// An attribute path of a resource of type `kind` whose attribute
    /// `link` refers to the member (the 4.x+ `aws_s3_bucket_*` resources).
    Beside {
        kind: &'static str,
        link: &'static str,
        path: &'static str,
    },
}

/// How found and expected are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// The same JSON value (numbers by value).
    Equal,
    /// The same number; numbers written as strings count (a Lambda
    /// environment variable).
    Number,
    /// The same elements in any order.
    Set,
    /// Every expected element is among the found ones.
    Includes,
    /// The expected tags with these keys, with the same values.
    Tags(&'static [&'static str]),
}

/// One graded setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub key: &'static str,
    /// The member it is on (`""`: the main resource).
    pub member: &'static str,
    pub at: &'static [At],
    pub compare: Compare,
}

/// What is graded of one kind of part.
#[derive(Debug)]
pub struct Graded {
    pub part: PartId,
    pub members: &'static [Member],
    pub settings: &'static [Setting],
    /// Where the main resource names the role its service assumes (first
    /// found); empty for parts without a role.
    pub role_at: &'static [&'static str],
}

/// The tags the handout asks for on exercise 1's resources ("dodaj tag
/// Environment = DEV"; every example definition also has `Purpose`). Their
/// values are the rendered stack's; other tags are the student's business.
pub const HANDOUT_TAGS: &[&str] = &["Environment", "Purpose"];

const fn m(key: &'static str, address: &'static str) -> Member {
    Member {
        key,
        address,
        name: None,
    }
}

const fn named(
    key: &'static str,
    address: &'static str,
    attr: &'static str,
    name: &'static str,
) -> Member {
    Member {
        key,
        address,
        name: Some((attr, name)),
    }
}

const fn set(key: &'static str, at: &'static [At], compare: Compare) -> Setting {
    Setting {
        key,
        member: "",
        at,
        compare,
    }
}

const fn on(
    member: &'static str,
    key: &'static str,
    at: &'static [At],
    compare: Compare,
) -> Setting {
    Setting {
        key,
        member,
        at,
        compare,
    }
}

use At::{Attr, Beside};
use Compare::{Equal, Includes, Number, Set, Tags};

const BUCKET_SETTINGS: &[Setting] = &[
    set("force_destroy", &[Attr("force_destroy")], Equal),
    set("tags", &[Attr("tags")], Tags(HANDOUT_TAGS)),
];

const FIREHOSE_ROLE: &[&str] = &[
    "extended_s3_configuration.0.role_arn",
    "kinesis_source_configuration.0.role_arn",
];

const FUNCTION_ROLE: &[&str] = &["role"];

static TABLE: &[Graded] = &[
    Graded {
        part: PartId::Bucket,
        members: &[named("", "bucket", "bucket", "bucket")],
        settings: BUCKET_SETTINGS,
        role_at: &[],
    },
    Graded {
        part: PartId::RawBucket,
        members: &[named("", "bucket", "bucket", "raw_bucket")],
        settings: BUCKET_SETTINGS,
        role_at: &[],
    },
    Graded {
        part: PartId::ProcessedBucket,
        members: &[named("", "bucket", "bucket", "processed_bucket")],
        settings: BUCKET_SETTINGS,
        role_at: &[],
    },
    // The 2025 solutions expire Athena's results after a day: the one S3
    // setting graded in both provider shapes.
    Graded {
        part: PartId::ResultsBucket,
        members: &[named("", "bucket", "bucket", "results_bucket")],
        settings: &[
            set("force_destroy", &[Attr("force_destroy")], Equal),
            set("tags", &[Attr("tags")], Tags(HANDOUT_TAGS)),
            set(
                "results_expire_days",
                &[
                    Attr("lifecycle_rule.*.expiration.*.days"),
                    Beside {
                        kind: "aws_s3_bucket_lifecycle_configuration",
                        link: "bucket",
                        path: "rule.*.expiration.*.days",
                    },
                ],
                Number,
            ),
        ],
        role_at: &[],
    },
    Graded {
        part: PartId::Stream,
        members: &[named("", "stream", "name", "stream")],
        settings: &[
            set("shard_count", &[Attr("shard_count")], Number),
            set("retention_hours", &[Attr("retention_period")], Number),
            set(
                "enforce_consumer_deletion",
                &[Attr("enforce_consumer_deletion")],
                Equal,
            ),
            set("shard_level_metrics", &[Attr("shard_level_metrics")], Set),
            set("tags", &[Attr("tags")], Tags(HANDOUT_TAGS)),
        ],
        role_at: &[],
    },
    Graded {
        part: PartId::Firehose,
        members: &[named("", "firehose", "name", "firehose")],
        settings: &[
            set(
                "connection.stream",
                &[Attr("kinesis_source_configuration.0.kinesis_stream_arn")],
                Equal,
            ),
            set(
                "connection.bucket",
                &[Attr("extended_s3_configuration.0.bucket_arn")],
                Equal,
            ),
            set(
                "prefix",
                &[Attr("extended_s3_configuration.0.prefix")],
                Equal,
            ),
            set(
                "error_prefix",
                &[Attr("extended_s3_configuration.0.error_output_prefix")],
                Equal,
            ),
            set(
                "buffer_size_mb",
                &[
                    Attr("extended_s3_configuration.0.buffer_size"),
                    Attr("extended_s3_configuration.0.buffering_size"),
                ],
                Number,
            ),
            set(
                "buffer_interval_s",
                &[
                    Attr("extended_s3_configuration.0.buffer_interval"),
                    Attr("extended_s3_configuration.0.buffering_interval"),
                ],
                Number,
            ),
        ],
        role_at: FIREHOSE_ROLE,
    },
    Graded {
        part: PartId::GlueDatabase,
        members: &[named("", "database", "name", "glue_database")],
        settings: &[],
        role_at: &[],
    },
    Graded {
        part: PartId::RawDatabase,
        members: &[named("", "database", "name", "raw_database")],
        settings: &[],
        role_at: &[],
    },
    Graded {
        part: PartId::ProcessedDatabase,
        members: &[named("", "database", "name", "processed_database")],
        settings: &[],
        role_at: &[],
    },
    Graded {
        part: PartId::Crawler,
        members: &[named("", "crawler", "name", "crawler")],
        settings: &[
            set("connection.database", &[Attr("database_name")], Equal),
            set("path", &[Attr("s3_target.*.path")], Equal),
            set("table_prefix", &[Attr("table_prefix")], Equal),
        ],
        role_at: FUNCTION_ROLE,
    },
    Graded {
        part: PartId::ProcessedTable,
        members: &[named("", "table", "name", "processed_table")],
        settings: &[
            set("connection.database", &[Attr("database_name")], Equal),
            set("location", &[Attr("storage_descriptor.0.location")], Equal),
        ],
        role_at: &[],
    },
    Graded {
        part: PartId::Etl,
        members: &[
            named("", "function", "function_name", "etl_function"),
            // Classic stacks upload the course's layer; modern ones use
            // AWS's, and have no such member.
            named("layer", "layer", "layer_name", "layer"),
            m("permission", "permission"),
            m("notification", "notification"),
        ],
        settings: &[
            set("runtime", &[Attr("runtime")], Equal),
            set("handler", &[Attr("handler")], Equal),
            set("memory_mb", &[Attr("memory_size")], Number),
            set("timeout_s", &[Attr("timeout")], Number),
            set("layer", &[Attr("layers")], Includes),
            on("permission", "permission", &[Attr("principal")], Equal),
            on(
                "notification",
                "notification.events",
                &[Attr("lambda_function.*.events")],
                Set,
            ),
            on(
                "notification",
                "notification.prefix",
                &[Attr("lambda_function.*.filter_prefix")],
                Equal,
            ),
            on(
                "notification",
                "connection.bucket",
                &[Attr("bucket")],
                Equal,
            ),
        ],
        role_at: FUNCTION_ROLE,
    },
    Graded {
        part: PartId::EtlParameter,
        members: &[named("", "parameter", "name", "etl_parameter")],
        settings: &[set("value", &[Attr("value")], Equal)],
        role_at: &[],
    },
    Graded {
        part: PartId::Athena,
        members: &[named("", "workgroup", "name", "workgroup")],
        settings: &[],
        role_at: &[],
    },
    Graded {
        part: PartId::SqlAnalytics,
        members: &[named("", "application", "name", "analytics_app")],
        settings: &[set(
            "connection.stream",
            &[Attr("inputs.0.kinesis_stream.0.resource_arn")],
            Equal,
        )],
        role_at: &["inputs.0.kinesis_stream.0.role_arn"],
    },
    Graded {
        part: PartId::AlertsFirehose,
        members: &[named("", "firehose", "name", "alerts_firehose")],
        settings: &[set(
            "connection.bucket",
            &[Attr("extended_s3_configuration.0.bucket_arn")],
            Equal,
        )],
        role_at: FIREHOSE_ROLE,
    },
    Graded {
        part: PartId::AlertFunction,
        members: &[named("", "function", "function_name", "alert_function")],
        settings: &[],
        role_at: FUNCTION_ROLE,
    },
    Graded {
        part: PartId::Detector,
        members: &[
            named("", "function", "function_name", "detector_function"),
            m("mapping", "mapping"),
        ],
        settings: &[
            set("symbol", &[Attr("environment.0.variables.SYMBOL")], Equal),
            set(
                "threshold",
                &[Attr("environment.0.variables.THRESHOLD")],
                Number,
            ),
            set(
                "window_seconds",
                &[Attr("environment.0.variables.WINDOW_SECONDS")],
                Number,
            ),
            on(
                "mapping",
                "connection.stream",
                &[Attr("event_source_arn")],
                Equal,
            ),
        ],
        role_at: FUNCTION_ROLE,
    },
    // The course's expiry (`expire_after_hours`): the function, the
    // schedule that runs it, and the permission that lets EventBridge.
    Graded {
        part: PartId::Reaper,
        members: &[
            named("", "function", "function_name", "reaper_function"),
            named("rule", "rule", "name", "reaper_rule"),
            m("target", "target"),
            m("permission", "permission"),
        ],
        settings: &[
            set("handler", &[Attr("handler")], Equal),
            set(
                "expire_after_hours",
                &[Attr("environment.0.variables.EXPIRE_AFTER_HOURS")],
                Number,
            ),
            set(
                "connection.stream",
                &[Attr("environment.0.variables.STREAM_NAME")],
                Equal,
            ),
            on("rule", "schedule", &[Attr("schedule_expression")], Equal),
            on("target", "connection.function", &[Attr("arn")], Equal),
            on("permission", "permission", &[Attr("principal")], Equal),
        ],
        role_at: FUNCTION_ROLE,
    },
];

/// What is graded of a kind of part.
pub fn graded(id: PartId) -> &'static Graded {
    TABLE
        .iter()
        .find(|g| g.part == id)
        .expect("every PartId has a grading row (unit test)")
}

/// The resource types a grade reads besides the parts' own: the
/// provider-shape companions, and what a role's permissions are made of.
pub fn companion_types() -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .flat_map(|g| g.settings)
        .flat_map(|s| s.at)
        .filter_map(|at| match at {
            At::Beside { kind, .. } => Some(*kind),
            At::Attr(_) => None,
        })
        .chain(IAM_TYPES.iter().copied())
}

/// The resources a role's permissions come from.
pub const IAM_TYPES: &[&str] = &[
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_has_one_row_whose_members_it_declares() {
        for id in super::super::parts::ORDER {
            let g = graded(*id);
            assert_eq!(TABLE.iter().filter(|g| g.part == *id).count(), 1);
            assert_eq!(g.members[0].key, "", "{id:?}: the main member first");
            for member in g.members {
                assert!(
                    super::super::parts::declares(*id, member.address),
                    "{id:?} has no address `{}`",
                    member.address
                );
                if let Some((_, name)) = member.name {
                    assert!(
                        crate::base::part::name_keys(*id).contains(&name),
                        "{id:?}: `{name}` is not one of its names"
                    );
                }
            }
            for s in g.settings {
                assert!(
                    g.members.iter().any(|m| m.key == s.member),
                    "{id:?}.{}: no member `{}`",
                    s.key,
                    s.member
                );
            }
            let mut keys: Vec<&str> = g.settings.iter().map(|s| s.key).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), g.settings.len(), "{id:?}: a key twice");
            assert_eq!(
                g.role_at.is_empty(),
                crate::base::part::names_of(*id).role.is_none(),
                "{id:?}: a role exactly where the part has one"
            );
        }
    }
}
