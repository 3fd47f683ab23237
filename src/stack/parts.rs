//! What each kind of part builds: its addresses, role, templates and zip.
//! One table row per part kind (its names are `base::part`'s table, which
//! editions are checked against). `selected`, `names` and `assemble` turn
//! the edition's list of parts and the spec's switches into the parts of
//! one stack.

use std::collections::BTreeMap;

use super::address::{Address, Reference};
use super::iam;
use super::part::{Fragment, Part, Role, Zip};
use crate::base::edition::{Edition, Identity};
use crate::base::model::{PolicyStyle, StudentSpec, Target};
use crate::base::part::{names_of, Name, PartId};

/// The role a part's service assumes, when the stack creates IAM.
struct RoleSpec {
    /// The key of the role in the plan's `roles` (kept from the first
    /// version, which tests and instructors' scripts read).
    key: &'static str,
    service: &'static str,
    label: &'static str,
    policy_label: &'static str,
    purpose: &'static str,
}

/// One row of the table.
struct Spec {
    id: PartId,
    title: &'static str,
    role: Option<RoleSpec>,
    addresses: &'static [(&'static str, Address)],
    /// Addresses only the modern target's templates declare.
    modern_addresses: &'static [(&'static str, Address)],
    /// (output file, template) for both targets; `{target}` in a template
    /// name is the target's directory.
    fragments: &'static [(&'static str, &'static str)],
    zip: Option<Zip>,
}

const fn r(kind: &'static str, label: &'static str) -> Address {
    Address::resource(kind, label)
}

macro_rules! bucket {
    ($id:expr, $label:literal, $title:literal) => {
        Spec {
            id: $id,
            title: $title,
            role: None,
            addresses: &[
                ("bucket", r("aws_s3_bucket", $label)),
                (
                    "public_access",
                    r("aws_s3_bucket_public_access_block", $label),
                ),
            ],
            modern_addresses: &[
                (
                    "encryption",
                    r("aws_s3_bucket_server_side_encryption_configuration", $label),
                ),
                (
                    "lifecycle",
                    r("aws_s3_bucket_lifecycle_configuration", $label),
                ),
            ],
            fragments: &[("s3.tf", "{target}/bucket.tf.j2")],
            zip: None,
        }
    };
}

static TABLE: &[Spec] = &[
    bucket!(
        PartId::Bucket,
        "main_dl_bucket",
        "one bucket for the whole lake; zones are prefixes"
    ),
    bucket!(PartId::RawBucket, "raw_bucket", "the raw zone's bucket"),
    bucket!(
        PartId::ProcessedBucket,
        "processed_bucket",
        "the processed zone's bucket"
    ),
    bucket!(
        PartId::ResultsBucket,
        "athena_results_bucket",
        "the bucket of Athena's query results"
    ),
    Spec {
        id: PartId::Stream,
        title: "the Kinesis Data Stream the generator writes to",
        role: None,
        addresses: &[("stream", r("aws_kinesis_stream", "cryptostock_stream"))],
        modern_addresses: &[],
        fragments: &[("kinesis_ds.tf", "common/stream.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::Firehose,
        title: "the Firehose that copies the stream into the raw zone",
        role: Some(RoleSpec {
            key: "firehose",
            service: "firehose.amazonaws.com",
            label: "firehose_stream_role",
            policy_label: "firehose_stream_policy",
            purpose: "Exercise 2: Firehose reads the stream and writes the raw zone.",
        }),
        addresses: &[
            (
                "firehose",
                r(
                    "aws_kinesis_firehose_delivery_stream",
                    "stock_delivery_stream",
                ),
            ),
            ("log_group", r("aws_cloudwatch_log_group", "firehose")),
            ("log_stream", r("aws_cloudwatch_log_stream", "firehose")),
        ],
        modern_addresses: &[],
        fragments: &[("kinesis_fh.tf", "{target}/firehose.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::GlueDatabase,
        title: "the Glue database of both zones",
        role: None,
        addresses: &[(
            "database",
            r("aws_glue_catalog_database", "datalake_db_raw_zone"),
        )],
        modern_addresses: &[],
        fragments: &[("glue.tf", "common/database.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::RawDatabase,
        title: "the raw zone's Glue database",
        role: None,
        addresses: &[(
            "database",
            r("aws_glue_catalog_database", "datalake_db_raw_zone"),
        )],
        modern_addresses: &[],
        fragments: &[("glue.tf", "common/database.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::ProcessedDatabase,
        title: "the processed zone's Glue database",
        role: None,
        addresses: &[(
            "database",
            r("aws_glue_catalog_database", "datalake_db_processed_zone"),
        )],
        modern_addresses: &[],
        fragments: &[("glue.tf", "common/database.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::Crawler,
        title: "the Glue crawler over the raw zone",
        role: Some(RoleSpec {
            key: "crawler",
            service: "glue.amazonaws.com",
            label: "glue_crawler_role",
            policy_label: "glue_crawler_user_bucket_policy",
            purpose: "Exercise 3: the crawler reads the raw zone.",
        }),
        addresses: &[("crawler", r("aws_glue_crawler", "glue_crawler_raw_zone"))],
        modern_addresses: &[],
        fragments: &[("glue.tf", "common/crawler.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::ProcessedTable,
        title: "the processed zone's table, with partition projection",
        role: None,
        addresses: &[("table", r("aws_glue_catalog_table", "processed_stockdata"))],
        modern_addresses: &[],
        fragments: &[("glue.tf", "common/processed_table.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::Etl,
        title: "the ETL function: raw JSON lines to partitioned Parquet",
        role: Some(RoleSpec {
            key: "etl_lambda",
            service: "lambda.amazonaws.com",
            label: "lambda_basic_role",
            policy_label: "lambda_basic_policy",
            purpose:
                "Exercise 4: the ETL function reads the raw zone and writes the processed zone.",
        }),
        addresses: &[
            ("layer", r("aws_lambda_layer_version", "aws_wrangler")),
            (
                "log_group",
                r("aws_cloudwatch_log_group", "etl_post_processing"),
            ),
            ("function", r("aws_lambda_function", "etl_post_processing")),
            ("permission", r("aws_lambda_permission", "allow_bucket")),
            (
                "notification",
                r("aws_s3_bucket_notification", "trigger_etl_lambda"),
            ),
        ],
        modern_addresses: &[],
        fragments: &[("lambda.tf", "{target}/etl.tf.j2")],
        zip: Some(Zip::Etl),
    },
    Spec {
        id: PartId::EtlParameter,
        title: "the SSM parameter through which the ETL function finds the processed bucket",
        role: None,
        addresses: &[("parameter", r("aws_ssm_parameter", "processed_bucket_name"))],
        modern_addresses: &[],
        fragments: &[("lambda.tf", "common/parameter.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::Athena,
        title: "the Athena workgroup and the handout's queries",
        role: None,
        addresses: &[("workgroup", r("aws_athena_workgroup", "student"))],
        modern_addresses: &[],
        fragments: &[("athena.tf", "common/athena.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::SqlAnalytics,
        title: "the Kinesis Analytics SQL application of exercise 5",
        role: Some(RoleSpec {
            key: "analytics",
            service: "kinesisanalytics.amazonaws.com",
            label: "analytics_role",
            policy_label: "analytics_policy",
            purpose:
                "Exercise 5: the analytics application reads the stream and writes its outputs.",
        }),
        addresses: &[(
            "application",
            r("aws_kinesis_analytics_application", "anomaly_detection"),
        )],
        modern_addresses: &[],
        fragments: &[("kinesis_analytics.tf", "classic/sql_analytics.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::AlertsFirehose,
        title: "the Firehose that loads alerts into the lake",
        role: Some(RoleSpec {
            key: "alerts_firehose",
            service: "firehose.amazonaws.com",
            label: "alerts_firehose_role",
            policy_label: "alerts_firehose_policy",
            purpose: "Exercise 5h: the alerts Firehose writes under alerts/.",
        }),
        addresses: &[
            (
                "firehose",
                r(
                    "aws_kinesis_firehose_delivery_stream",
                    "alerts_delivery_stream",
                ),
            ),
            (
                "log_group",
                r("aws_cloudwatch_log_group", "alerts_firehose"),
            ),
            (
                "log_stream",
                r("aws_cloudwatch_log_stream", "alerts_firehose"),
            ),
        ],
        modern_addresses: &[],
        fragments: &[("kinesis_fh.tf", "{target}/alerts_firehose.tf.j2")],
        zip: None,
    },
    Spec {
        id: PartId::AlertFunction,
        title: "the alert function the SQL application calls with each flagged trade",
        role: Some(RoleSpec {
            key: "alert_lambda",
            service: "lambda.amazonaws.com",
            label: "alert_lambda_role",
            policy_label: "alert_lambda_policy",
            purpose: "Exercise 5g: the alert function only writes its own logs.",
        }),
        addresses: &[
            ("log_group", r("aws_cloudwatch_log_group", "alert_function")),
            ("function", r("aws_lambda_function", "alert_function")),
        ],
        modern_addresses: &[],
        fragments: &[("lambda.tf", "classic/alert_function.tf.j2")],
        zip: Some(Zip::Alert),
    },
    Spec {
        id: PartId::Detector,
        title: "the anomaly detector function on the stream (exercise 5)",
        role: Some(RoleSpec {
            key: "detector",
            service: "lambda.amazonaws.com",
            label: "detector_role",
            policy_label: "detector_policy",
            purpose: "Exercise 5: the anomaly detector reads the stream and writes alerts.",
        }),
        addresses: &[
            (
                "log_group",
                r("aws_cloudwatch_log_group", "anomaly_detector"),
            ),
            ("function", r("aws_lambda_function", "anomaly_detector")),
            (
                "mapping",
                r("aws_lambda_event_source_mapping", "anomaly_detector"),
            ),
        ],
        modern_addresses: &[],
        fragments: &[("analytics.tf", "modern/detector.tf.j2")],
        zip: Some(Zip::Detector),
    },
    Spec {
        id: PartId::Reaper,
        title: "the stack's expiry: a function, run on a schedule, that deletes the stream once it has expired",
        role: Some(RoleSpec {
            key: "reaper",
            service: "lambda.amazonaws.com",
            label: "stack_reaper_role",
            policy_label: "stack_reaper_policy",
            purpose: "expire_after_hours: the reaper reads its stream's age and deletes that stream, nothing else.",
        }),
        addresses: &[
            ("log_group", r("aws_cloudwatch_log_group", "stack_reaper")),
            ("function", r("aws_lambda_function", "stack_reaper")),
            ("rule", r("aws_cloudwatch_event_rule", "stack_reaper")),
            ("target", r("aws_cloudwatch_event_target", "stack_reaper")),
            (
                "permission",
                r("aws_lambda_permission", "allow_reaper_schedule"),
            ),
        ],
        modern_addresses: &[],
        fragments: &[("expiry.tf", "common/reaper.tf.j2")],
        zip: Some(Zip::Reaper),
    },
];

/// The order parts are written in: each output file gets its parts'
/// fragments in this order.
pub const ORDER: &[PartId] = &[
    PartId::Bucket,
    PartId::RawBucket,
    PartId::ProcessedBucket,
    PartId::ResultsBucket,
    PartId::Stream,
    PartId::Firehose,
    PartId::GlueDatabase,
    PartId::RawDatabase,
    PartId::ProcessedDatabase,
    PartId::Crawler,
    PartId::ProcessedTable,
    PartId::Etl,
    PartId::EtlParameter,
    PartId::Athena,
    PartId::SqlAnalytics,
    PartId::AlertsFirehose,
    PartId::AlertFunction,
    PartId::Detector,
    PartId::Reaper,
];

fn spec_of(id: PartId) -> &'static Spec {
    TABLE
        .iter()
        .find(|s| s.id == id)
        .expect("every PartId has a row in TABLE (unit test)")
}

/// The role's address key in the plan's `roles` map, by part.
pub fn role_key(id: PartId) -> Option<&'static str> {
    spec_of(id).role.as_ref().map(|r| r.key)
}

/// The comment a role's block carries in `iam.tf`.
pub fn role_purpose(id: PartId) -> Option<&'static str> {
    spec_of(id).role.as_ref().map(|r| r.purpose)
}

/// Which of the edition's parts this spec has: exercise 5's parts follow
/// the `analytics` switches and the target's engine, and a checkpoint
/// (`spec.through`) keeps the parts of exercises 1 to N.
pub fn selected(edition: &Edition, spec: &StudentSpec) -> Vec<PartId> {
    let f = super::features::Switches::of(spec);
    ORDER
        .iter()
        .copied()
        .filter(|id| {
            edition
                .exercise(*id)
                .is_some_and(|e| spec.through.is_none_or(|n| e <= n))
        })
        .filter(|id| match id {
            PartId::SqlAnalytics => f.sql_analytics,
            PartId::Detector => f.detector,
            PartId::AlertFunction => f.alert_lambda,
            PartId::AlertsFirehose => f.alerts_firehose,
            PartId::Reaper => spec.expire_after_hours.is_some(),
            _ => true,
        })
        .collect()
}

/// Whether a kind of part declares an address under `key` (on some
/// target).
pub fn declares(id: PartId, key: &str) -> bool {
    let s = spec_of(id);
    s.addresses
        .iter()
        .chain(s.modern_addresses)
        .any(|(k, _)| *k == key)
}

/// The resource types the block `key` of part `id` has, on either target.
pub fn kinds_of(id: PartId, key: &str) -> Vec<&'static str> {
    let s = spec_of(id);
    s.addresses
        .iter()
        .chain(s.modern_addresses)
        .filter(|(k, _)| *k == key)
        .map(|(_, a)| a.kind)
        .collect()
}

/// Every resource type a part of any stack declares, with the role's and
/// the Learner Lab's lookup.
pub fn resource_types() -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .flat_map(|s| s.addresses.iter().chain(s.modern_addresses))
        .map(|(_, a)| a.kind)
        .chain([
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_iam_role_policy_attachment",
            LAB_ROLE.kind,
        ])
}

/// How often the reaper looks at its stream, in minutes: an expired stream
/// is deleted at most this long after its time is up (at $0.015 a
/// shard-hour, under a cent), and each look is one short Lambda run.
pub const REAPER_EVERY_MINUTES: u32 = 15;

/// The reaper rule's EventBridge schedule expression.
pub fn reaper_schedule() -> String {
    format!("rate({REAPER_EVERY_MINUTES} minutes)")
}

/// The Learner Lab's role lookup, the one data source a stack may have.
pub const LAB_ROLE: Address = Address::data("aws_iam_role", "lab");

/// The names of each part, from the edition's patterns, in `ids` order.
pub fn names(
    edition: &Edition,
    spec: &StudentSpec,
    who: &Identity,
    ids: &[PartId],
) -> Vec<BTreeMap<&'static str, Name>> {
    let create_iam = spec.iam.existing_role.is_none();
    let expander = edition.expander(who);
    ids.iter()
        .map(|id| {
            let part = names_of(*id);
            let mut names = BTreeMap::new();
            let mut add = |key: &'static str, kind, purpose| {
                let (value, fields) = expander
                    .expand(key)
                    .expect("an edition's patterns are checked when it is loaded");
                names.insert(
                    key,
                    Name {
                        kind,
                        purpose,
                        value,
                        fields,
                    },
                );
            };
            for n in part.names {
                // The modern target uses the AWS-managed layer: no upload.
                if n.key == "layer" && spec.target == Target::Modern {
                    continue;
                }
                add(n.key, n.kind, n.purpose);
            }
            if let (Some(role), true) = (&part.role, create_iam) {
                for n in role {
                    add(n.key, n.kind, n.purpose);
                }
            }
            names
        })
        .collect()
}

/// Assembles the parts from their names: addresses from the table, and
/// roles with the policy `policy` builds for each.
pub fn assemble(
    spec: &StudentSpec,
    ids: &[PartId],
    names: Vec<BTreeMap<&'static str, Name>>,
    policy: &dyn Fn(PartId, PolicyStyle) -> iam::Document,
) -> Vec<Part> {
    let create_iam = spec.iam.existing_role.is_none();
    ids.iter()
        .zip(names)
        .map(|(id, names)| {
            let s = spec_of(*id);
            let mut addresses: BTreeMap<&'static str, Address> =
                s.addresses.iter().copied().collect();
            if spec.target == Target::Modern {
                addresses.extend(s.modern_addresses.iter().copied());
                if *id == PartId::Etl {
                    addresses.remove("layer");
                }
            }
            let role = match (&s.role, &names_of(*id).role, create_iam) {
                (Some(rs), Some([role_name, policy_name]), true) => Some(Role {
                    name: names[role_name.key].value.clone(),
                    policy_name: names[policy_name.key].value.clone(),
                    trust: iam::trust(rs.service),
                    policy: policy(*id, spec.policy_style),
                    needs: policy(*id, PolicyStyle::LeastPrivilege),
                    address: r("aws_iam_role", rs.label),
                    policy_address: r("aws_iam_role_policy", rs.policy_label),
                    managed: if *id == PartId::Crawler {
                        vec![(
                            r(
                                "aws_iam_role_policy_attachment",
                                "crawler_attach_managed_policy",
                            ),
                            iam::glue_service_role_arn(crate::base::aws::partition(&spec.region)),
                        )]
                    } else {
                        Vec::new()
                    },
                }),
                _ => None,
            };
            let role_arn: Option<Reference> = s.role.as_ref().map(|_| match &role {
                Some(role) => role.address.attr("arn"),
                None => LAB_ROLE.attr("arn"),
            });
            Part {
                id: *id,
                names,
                addresses,
                role,
                role_arn,
                fragments: s
                    .fragments
                    .iter()
                    .map(|(file, template)| Fragment { file, template })
                    .collect(),
                zip: s.zip,
                cost: None,
                title: s.title,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_has_a_row_and_a_place_in_the_order() {
        for id in ORDER {
            let _ = spec_of(*id);
            // A role's names are in base's table exactly for the parts
            // whose row here has a role.
            assert_eq!(
                names_of(*id).role.is_some(),
                spec_of(*id).role.is_some(),
                "{id:?}"
            );
        }
        assert_eq!(ORDER.len(), TABLE.len());
    }

    #[test]
    fn addresses_are_unique_across_parts() {
        let mut seen = std::collections::BTreeSet::new();
        for s in TABLE {
            for (_, a) in s.addresses.iter().chain(s.modern_addresses) {
                // The two database rows of one edition never meet: an
                // edition has either `glue_database` or `raw_database`.
                if s.id == PartId::RawDatabase {
                    continue;
                }
                assert!(seen.insert(*a), "{a} twice");
            }
        }
    }
}
