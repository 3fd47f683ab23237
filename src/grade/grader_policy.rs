//! `stackgen grader-policy`: the least privilege `grade --live` needs, as
//! one IAM policy document to attach to an instructor's or a TA's role.
//!
//! Every action is one call `source::live` makes (a Describe, Get or List),
//! and every resource a name pattern of the edition: the student fields
//! that differ across the class become `*`, the ones all students share
//! (environment, account, region) stay as they are. So the document's size
//! depends on the editions and the parts the class has, never on how many
//! students it has, and a single student's document names that student's
//! resources only.
//!
//! Three calls have no resource to scope: `sts:GetCallerIdentity` needs no
//! permission at all, and `lambda:ListEventSourceMappings` and
//! `lambda:ListLayerVersions` support no resource type in IAM; they get
//! `*`, alone in their statement.

use std::collections::{BTreeMap, BTreeSet};

use crate::base::model::StudentSpec;
use crate::base::part::PartId;
use crate::stack::iam::{Document, Statement};
use crate::stack::Stack;

/// IAM's limit on a managed policy's size, in characters without white
/// space (the IAM User Guide, "IAM and AWS STS quotas").
pub const MANAGED_POLICY_LIMIT: usize = 6_144;

/// The statements, in the document's order: a Sid, the actions, and what
/// each resource list is built from.
const STATEMENTS: &[(&str, &[&str], Scope)] = &[
    (
        "ReadLakeBuckets",
        &[
            "s3:GetBucketNotification",
            "s3:GetBucketTagging",
            "s3:GetLifecycleConfiguration",
            "s3:ListBucket",
        ],
        Scope::Buckets,
    ),
    ("ReadLakeObjects", &["s3:GetObject"], Scope::Objects),
    (
        "ReadStream",
        &[
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
            "kinesis:ListTagsForStream",
        ],
        Scope::Streams,
    ),
    (
        "ReadDeliveryStreams",
        &["firehose:DescribeDeliveryStream"],
        Scope::DeliveryStreams,
    ),
    (
        "ReadCatalog",
        &["glue:GetDatabase", "glue:GetPartitions", "glue:GetTable"],
        Scope::Catalog,
    ),
    (
        "ReadCrawler",
        &["glue:GetCrawler", "glue:ListCrawls"],
        Scope::Crawlers,
    ),
    (
        "ReadFunctions",
        &["lambda:GetFunctionConfiguration", "lambda:GetPolicy"],
        Scope::Functions,
    ),
    (
        "ListFunctionLinks",
        &["lambda:ListEventSourceMappings", "lambda:ListLayerVersions"],
        Scope::Any,
    ),
    (
        "ReadRoles",
        &[
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListRolePolicies",
        ],
        Scope::Roles,
    ),
    (
        "ReadCustomerPolicies",
        &["iam:GetPolicy", "iam:GetPolicyVersion"],
        Scope::Policies,
    ),
    (
        "ReadFunctionLogs",
        &["logs:FilterLogEvents"],
        Scope::LogGroups,
    ),
    ("ReadWorkgroup", &["athena:GetWorkGroup"], Scope::Workgroups),
];

/// What a statement's resources are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Buckets,
    Objects,
    Streams,
    DeliveryStreams,
    Catalog,
    Crawlers,
    Functions,
    Any,
    Roles,
    Policies,
    LogGroups,
    Workgroups,
}

/// The document for a student or a class (every student of it).
pub fn document(specs: &[StudentSpec]) -> Document {
    let mut resources: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for stack in pattern_stacks(specs) {
        for (sid, _, scope) in STATEMENTS {
            resources
                .entry(sid)
                .or_default()
                .extend(scoped(&stack, *scope));
        }
    }
    let statements = STATEMENTS
        .iter()
        .filter_map(|(sid, actions, _)| {
            let list = resources.remove(sid).unwrap_or_default();
            (!list.is_empty()).then(|| Statement {
                sid: (*sid).to_owned(),
                effect: "Allow",
                principal: None,
                actions: actions.iter().map(|a| (*a).to_owned()).collect(),
                resources: list.into_iter().collect(),
                condition: BTreeMap::new(),
            })
        })
        .collect();
    Document {
        version: "2012-10-17",
        statements,
    }
}

/// The document's size as IAM counts it: without white space.
pub fn size(document: &Document) -> usize {
    serde_json::to_string(document)
        .expect("a policy is plain data")
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// One stack per edition and set of parts, built for a student whose
/// differing fields are `*`.
fn pattern_stacks(specs: &[StudentSpec]) -> Vec<Stack> {
    let mut groups: BTreeMap<(String, Vec<PartId>), Vec<&StudentSpec>> = BTreeMap::new();
    for spec in specs {
        let edition = spec.edition();
        let parts = crate::stack::parts::selected(&edition, spec);
        groups
            .entry((edition.name.clone(), parts))
            .or_default()
            .push(spec);
    }
    groups
        .into_values()
        .map(|members| {
            let mut pattern = members[0].clone();
            let same = |f: &dyn Fn(&StudentSpec) -> &str| {
                let first = f(members[0]);
                members.iter().all(|m| f(m) == first)
            };
            if !same(&|s| &s.environment) {
                "*".clone_into(&mut pattern.environment);
            }
            if !same(&|s| &s.account_id) {
                "*".clone_into(&mut pattern.account_id);
            }
            if !same(&|s| &s.region) {
                "*".clone_into(&mut pattern.region);
            }
            if !same(&|s| &s.student.initials) {
                "*".clone_into(&mut pattern.student.initials);
            }
            if !same(&|s| &s.student.index_no) {
                "*".clone_into(&mut pattern.student.index_no);
            }
            Stack::new(&pattern, &pattern.edition())
        })
        .collect()
}

/// `a-*-*` -> `a-*`: one wildcard covers a run of them and their
/// separators, and the document stays short.
fn squeeze(pattern: &str) -> String {
    let mut out = pattern.to_owned();
    for run in ["*-*", "*_*", "**"] {
        while out.contains(run) {
            out = out.replace(run, "*");
        }
    }
    out
}

fn scoped(stack: &Stack, scope: Scope) -> Vec<String> {
    let p = stack.partition;
    let region = &stack.spec.region;
    let account = &stack.spec.account_id;
    let arn = |service: &str, resource: String| {
        squeeze(&format!("arn:{p}:{service}:{region}:{account}:{resource}"))
    };
    let names = |keys: &[&str]| -> Vec<String> {
        keys.iter()
            .filter_map(|k| stack.name(k))
            .map(str::to_owned)
            .collect()
    };
    let buckets = {
        let z = &stack.zones;
        let mut b = vec![z.raw_bucket_name.clone(), z.processed_bucket_name.clone()];
        b.dedup();
        b
    };
    let keys: Vec<&str> = crate::grade::flow::LOGGED_FUNCTIONS
        .iter()
        .map(|(_, key)| *key)
        .collect();
    let functions = names(&keys);
    match scope {
        Scope::Buckets => buckets
            .iter()
            .map(|b| squeeze(&format!("arn:{p}:s3:::{b}")))
            .collect(),
        Scope::Objects => {
            let prefix = |t: &str| crate::grade::flow::static_prefix(t).to_owned();
            let x = &stack.prefixes;
            let mut out = vec![squeeze(&format!(
                "arn:{p}:s3:::{}/{}*",
                stack.zones.raw_bucket_name,
                prefix(&x.raw_data)
            ))];
            if stack.has(PartId::Etl) {
                out.push(squeeze(&format!(
                    "arn:{p}:s3:::{}/{}*",
                    stack.zones.processed_bucket_name,
                    prefix(&x.processed_data)
                )));
            }
            if stack.has(PartId::AlertsFirehose) {
                out.push(squeeze(&format!(
                    "arn:{p}:s3:::{}/{}*",
                    stack.zones.raw_bucket_name,
                    prefix(&x.alerts_data)
                )));
            }
            out
        }
        Scope::Streams => names(&["stream"])
            .into_iter()
            .map(|n| arn("kinesis", format!("stream/{n}")))
            .collect(),
        Scope::DeliveryStreams => names(&["firehose", "alerts_firehose"])
            .into_iter()
            .map(|n| arn("firehose", format!("deliverystream/{n}")))
            .collect(),
        Scope::Catalog => {
            let mut out = vec![arn("glue", "catalog".to_owned())];
            let z = &stack.zones;
            let mut dbs = vec![
                z.raw_database_name.clone(),
                z.processed_database_name.clone(),
            ];
            dbs.dedup();
            for db in dbs {
                out.push(arn("glue", format!("database/{db}")));
                out.push(arn("glue", format!("table/{db}/*")));
            }
            out
        }
        Scope::Crawlers => names(&["crawler"])
            .into_iter()
            .map(|n| arn("glue", format!("crawler/{n}")))
            .collect(),
        Scope::Functions => functions
            .iter()
            .map(|f| arn("lambda", format!("function:{f}")))
            .collect(),
        Scope::Any => {
            if functions.is_empty() {
                Vec::new()
            } else {
                vec!["*".to_owned()]
            }
        }
        Scope::Roles => {
            let mut roles: Vec<String> = stack
                .parts
                .iter()
                .filter_map(|part| part.role.as_ref().map(|r| r.name.clone()))
                .collect();
            roles.extend(stack.spec.iam.existing_role.clone());
            roles
                .into_iter()
                .map(|r| squeeze(&format!("arn:{p}:iam::{account}:role/{r}")))
                .collect()
        }
        Scope::Policies => stack
            .parts
            .iter()
            .filter_map(|part| part.role.as_ref())
            .map(|r| squeeze(&format!("arn:{p}:iam::{account}:policy/{}", r.policy_name)))
            .collect(),
        Scope::LogGroups => functions
            .iter()
            .map(|f| arn("logs", format!("log-group:/aws/lambda/{f}:*")))
            .collect(),
        Scope::Workgroups => names(&["workgroup"])
            .into_iter()
            .map(|n| arn("athena", format!("workgroup/{n}")))
            .collect(),
    }
}

/// The actions of the document: every one a read.
pub fn actions() -> impl Iterator<Item = &'static str> {
    STATEMENTS
        .iter()
        .flat_map(|(_, actions, _)| actions.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_squeezed() {
        assert_eq!(squeeze("datalake-dev-1-*-*"), "datalake-dev-1-*");
        assert_eq!(squeeze("datalake_dev_1_*_*"), "datalake_dev_1_*");
        assert_eq!(squeeze("a/*-*-*/b"), "a/*/b");
    }

    #[test]
    fn only_reads() {
        for a in actions() {
            let (_, verb) = a.split_once(':').unwrap();
            assert!(
                ["Get", "List", "Describe", "Filter"]
                    .iter()
                    .any(|v| verb.starts_with(v)),
                "{a} is not a read"
            );
        }
    }
}
