//! The graded resources of one student's account, each looked up by the
//! exact name the edition gives it, as the Terraform resource it would be:
//! its type, and the attributes `stack::grading` reads, from what AWS
//! answers. Nothing is listed and matched by a prefix.
//!
//! Each resource's address is `<type>.<its AWS name>`. A lookup the
//! credentials may not make is kept in `Observed::refused` under the name
//! looked up; one that fails otherwise too (its checks cannot be decided).
//!
//! What the account cannot show is declared in `BLIND`, so its checks are
//! listed under `not_graded` rather than failed.

use std::collections::BTreeSet;

use aws_sdk_s3::error::ProvideErrorMetadata;
use serde_json::{json, Map, Value};

use super::{fault, Clients, Fault};
use crate::grade::managed;
use crate::grade::observed::{Blind, Mode, Observed, Resource, Val};
use crate::stack::Stack;
use crate::stack::{address, grading};

/// What the account cannot show, by resource type and attribute (`*`: the
/// whole type), and why.
pub const BLIND: &[Blind] = &[
    Blind {
        kind: "aws_s3_bucket",
        path: "force_destroy",
        why: "a Terraform setting (whether `terraform destroy` empties the bucket): AWS keeps no trace of it",
    },
    Blind {
        kind: "aws_kinesis_stream",
        path: "enforce_consumer_deletion",
        why: "a Terraform setting (whether `terraform destroy` deletes the stream's consumers): AWS keeps no trace of it",
    },
    Blind {
        kind: "aws_ssm_parameter",
        path: "*",
        why: "stackgen does not read SSM parameters from the account (the ETL function's own check: `etl.data.processed`)",
    },
    Blind {
        kind: "aws_cloudwatch_event_rule",
        path: "*",
        why: "stackgen does not read EventBridge from the account (the reaper's log is read: `reaper.logs.errors`)",
    },
    Blind {
        kind: "aws_cloudwatch_event_target",
        path: "*",
        why: "stackgen does not read EventBridge from the account (the reaper's log is read: `reaper.logs.errors`)",
    },
];

/// The types `Reader::resources` looks up by name (its `match`'s arms);
/// the others are read through them (a function's permissions, a bucket's
/// notification) or are `BLIND`.
const READ_BY_NAME: &[&str] = &[
    "aws_s3_bucket",
    "aws_kinesis_stream",
    "aws_kinesis_firehose_delivery_stream",
    "aws_glue_catalog_database",
    "aws_glue_crawler",
    "aws_glue_catalog_table",
    "aws_lambda_function",
    "aws_lambda_layer_version",
    "aws_athena_workgroup",
];

pub struct Reader<'a> {
    c: &'a Clients,
    stack: &'a Stack,
    region: &'a str,
    resources: Vec<Resource>,
    refused: Vec<(String, String)>,
    /// Role names the resources read name.
    roles: BTreeSet<String>,
}

impl<'a> Reader<'a> {
    pub fn new(c: &'a Clients, stack: &'a Stack, region: &'a str) -> Self {
        Self {
            c,
            stack,
            region,
            resources: Vec::new(),
            refused: Vec::new(),
            roles: BTreeSet::new(),
        }
    }

    pub fn finish(self) -> Observed {
        Observed {
            resources: self.resources,
            refused: self.refused,
            blind: BLIND.to_vec(),
            ..Observed::default()
        }
    }

    fn add(&mut self, kind: &str, name: &str, values: &Value) {
        self.resources.push(Resource {
            address: format!("{kind}.{name}"),
            mode: Mode::Managed,
            kind: kind.to_owned(),
            values: Val::from_json(values),
            references: std::collections::BTreeMap::new(),
        });
    }

    /// Records a failed lookup: a refusal or an error under `name`
    /// (a missing resource is simply not there).
    fn failed(&mut self, name: &str, call: &str, f: Fault) {
        match f {
            Fault::Missing => {}
            Fault::Refused(why) | Fault::Other(why) => {
                self.refused
                    .push((name.to_owned(), format!("{call}: {why}")));
            }
        }
    }

    fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.stack.partition, self.region, self.stack.spec.account_id
        )
    }

    /// Every graded member's resource, then the roles they name.
    pub async fn resources(&mut self) {
        let mut wanted: Vec<(&'static str, String)> = Vec::new();
        for part in &self.stack.parts {
            for member in grading::graded(part.id).members {
                let (Some(address), Some((_, key))) =
                    (part.addresses.get(member.address), member.name)
                else {
                    continue;
                };
                // The rest: not read (`BLIND`), or not graded live (the
                // SQL application: `grade::grade`).
                if address.mode != address::Mode::Resource || !READ_BY_NAME.contains(&address.kind)
                {
                    continue;
                }
                if let Some(name) = part.names.get(key) {
                    wanted.push((address.kind, name.value.clone()));
                }
            }
            if let Some(role) = &part.role {
                self.roles.insert(role.name.clone());
            }
        }
        if let Some(role) = &self.stack.spec.iam.existing_role {
            self.roles.insert(role.clone());
        }
        for (kind, name) in wanted {
            match kind {
                "aws_s3_bucket" => self.bucket(&name).await,
                "aws_kinesis_stream" => self.stream(&name).await,
                "aws_kinesis_firehose_delivery_stream" => self.firehose(&name).await,
                "aws_glue_catalog_database" => self.database(&name).await,
                "aws_glue_crawler" => self.crawler(&name).await,
                "aws_glue_catalog_table" => {
                    let database = self.stack.zones.processed_database_name.clone();
                    self.table(&database, &name).await;
                }
                "aws_lambda_function" => self.function(&name).await,
                "aws_lambda_layer_version" => self.layer(&name).await,
                "aws_athena_workgroup" => self.workgroup(&name).await,
                // READ_BY_NAME lists the arms above.
                _ => {}
            }
        }
        let roles = std::mem::take(&mut self.roles);
        for role in roles {
            self.role(&role).await;
        }
    }

    /// A role named by a resource's ARN attribute, to read later.
    fn names_role(&mut self, arn_or_name: &str) {
        let name = arn_or_name.rsplit('/').next().unwrap_or(arn_or_name);
        if !name.is_empty() {
            self.roles.insert(name.to_owned());
        }
    }

    async fn bucket(&mut self, name: &str) {
        let s3 = &self.c.s3;
        let tags = match s3.get_bucket_tagging().bucket(name).send().await {
            Ok(out) => Some(
                out.tag_set()
                    .iter()
                    .map(|t| (t.key().to_owned(), Value::from(t.value())))
                    .collect::<Map<String, Value>>(),
            ),
            Err(e) => match fault(&e) {
                // No tags at all: AWS's answer for a bucket without them.
                Fault::Missing if e.code() != Some("NoSuchBucket") => Some(Map::new()),
                f => {
                    self.failed(name, "s3:GetBucketTagging", f);
                    None
                }
            },
        };
        let Some(tags) = tags else { return };
        let arn = format!("arn:{}:s3:::{name}", self.stack.partition);
        self.add(
            "aws_s3_bucket",
            name,
            &json!({"bucket": name, "id": name, "arn": arn, "tags": tags}),
        );
        match s3
            .get_bucket_lifecycle_configuration()
            .bucket(name)
            .send()
            .await
        {
            Ok(out) => {
                let rules: Vec<Value> = out
                    .rules()
                    .iter()
                    .map(|r| {
                        json!({
                            "id": r.id(),
                            "status": r.status().as_str(),
                            "expiration": r.expiration().map(|x| vec![json!({"days": x.days()})]).unwrap_or_default(),
                        })
                    })
                    .collect();
                self.add(
                    "aws_s3_bucket_lifecycle_configuration",
                    name,
                    &json!({"bucket": name, "id": name, "rule": rules}),
                );
            }
            Err(e) => self.failed(name, "s3:GetLifecycleConfiguration", fault(&e)),
        }
        match s3
            .get_bucket_notification_configuration()
            .bucket(name)
            .send()
            .await
        {
            Ok(out) if !out.lambda_function_configurations().is_empty() => {
                let functions: Vec<Value> = out
                    .lambda_function_configurations()
                    .iter()
                    .map(|l| {
                        let rule = |which: &str| {
                            l.filter()
                                .and_then(|f| f.key())
                                .map(aws_sdk_s3::types::S3KeyFilter::filter_rules)
                                .unwrap_or_default()
                                .iter()
                                .find(|r| {
                                    r.name()
                                        .is_some_and(|n| n.as_str().eq_ignore_ascii_case(which))
                                })
                                .and_then(|r| r.value())
                                .map(str::to_owned)
                        };
                        json!({
                            "id": l.id(),
                            "lambda_function_arn": l.lambda_function_arn(),
                            "events": l.events().iter().map(|e| e.as_str().to_owned()).collect::<Vec<_>>(),
                            "filter_prefix": rule("prefix"),
                            "filter_suffix": rule("suffix"),
                        })
                    })
                    .collect();
                self.add(
                    "aws_s3_bucket_notification",
                    name,
                    &json!({"bucket": name, "id": name, "lambda_function": functions}),
                );
            }
            Ok(_) => {}
            Err(e) => self.failed(name, "s3:GetBucketNotification", fault(&e)),
        }
    }

    async fn stream(&mut self, name: &str) {
        let k = &self.c.kinesis;
        let summary = match k.describe_stream_summary().stream_name(name).send().await {
            Ok(out) => out.stream_description_summary().cloned(),
            Err(e) => {
                self.failed(name, "kinesis:DescribeStreamSummary", fault(&e));
                return;
            }
        };
        let Some(s) = summary else { return };
        let mut tags = Map::new();
        let mut start: Option<String> = None;
        loop {
            match k
                .list_tags_for_stream()
                .stream_name(name)
                .set_exclusive_start_tag_key(start.take())
                .send()
                .await
            {
                Ok(out) => {
                    for t in out.tags() {
                        tags.insert(
                            t.key().to_owned(),
                            Value::from(t.value().unwrap_or_default()),
                        );
                    }
                    match (out.has_more_tags(), out.tags().last()) {
                        (true, Some(last)) => start = Some(last.key().to_owned()),
                        _ => break,
                    }
                }
                Err(e) => {
                    self.failed(name, "kinesis:ListTagsForStream", fault(&e));
                    break;
                }
            }
        }
        let metrics: Vec<String> = s
            .enhanced_monitoring()
            .iter()
            .flat_map(aws_sdk_kinesis::types::EnhancedMetrics::shard_level_metrics)
            .map(|m| m.as_str().to_owned())
            .collect();
        self.add(
            "aws_kinesis_stream",
            name,
            &json!({
                "name": s.stream_name(),
                "arn": s.stream_arn(),
                "id": s.stream_arn(),
                "shard_count": s.open_shard_count(),
                "retention_period": s.retention_period_hours(),
                "shard_level_metrics": metrics,
                "tags": tags,
            }),
        );
    }

    async fn firehose(&mut self, name: &str) {
        let out = match self
            .c
            .firehose
            .describe_delivery_stream()
            .delivery_stream_name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                self.failed(name, "firehose:DescribeDeliveryStream", fault(&e));
                return;
            }
        };
        let Some(d) = out.delivery_stream_description() else {
            return;
        };
        let kinesis = d
            .source()
            .and_then(|s| s.kinesis_stream_source_description());
        let source: Vec<Value> = kinesis
            .map(|k| {
                json!({
                    "kinesis_stream_arn": k.kinesis_stream_arn(),
                    "role_arn": k.role_arn(),
                })
            })
            .into_iter()
            .collect();
        let mut roles: Vec<String> = kinesis
            .and_then(|k| k.role_arn())
            .map(str::to_owned)
            .into_iter()
            .collect();
        let s3: Vec<Value> = d
            .destinations()
            .iter()
            .filter_map(|x| x.extended_s3_destination_description())
            .map(|x| {
                roles.push(x.role_arn().to_owned());
                let hints = x.buffering_hints();
                json!({
                    "bucket_arn": x.bucket_arn(),
                    "role_arn": x.role_arn(),
                    "prefix": x.prefix(),
                    "error_output_prefix": x.error_output_prefix(),
                    "buffer_size": hints.and_then(aws_sdk_firehose::types::BufferingHints::size_in_mbs),
                    "buffer_interval": hints.and_then(aws_sdk_firehose::types::BufferingHints::interval_in_seconds),
                    "compression_format": x.compression_format().as_str(),
                })
            })
            .collect();
        for role in roles {
            self.names_role(&role);
        }
        self.add(
            "aws_kinesis_firehose_delivery_stream",
            name,
            &json!({
                "name": d.delivery_stream_name(),
                "arn": d.delivery_stream_arn(),
                "id": d.delivery_stream_arn(),
                "destination": if s3.is_empty() { Value::Null } else { Value::from("extended_s3") },
                "kinesis_source_configuration": source,
                "extended_s3_configuration": s3,
            }),
        );
    }

    async fn database(&mut self, name: &str) {
        match self.c.glue.get_database().name(name).send().await {
            Ok(out) => {
                if let Some(db) = out.database() {
                    let arn = self.arn("glue", &format!("database/{}", db.name()));
                    let id = format!("{}:{}", self.stack.spec.account_id, db.name());
                    self.add(
                        "aws_glue_catalog_database",
                        name,
                        &json!({"name": db.name(), "arn": arn, "id": id}),
                    );
                }
            }
            Err(e) => self.failed(name, "glue:GetDatabase", fault(&e)),
        }
    }

    async fn crawler(&mut self, name: &str) {
        let crawler = match self.c.glue.get_crawler().name(name).send().await {
            Ok(out) => out.crawler().cloned(),
            Err(e) => {
                self.failed(name, "glue:GetCrawler", fault(&e));
                return;
            }
        };
        let Some(c) = crawler else { return };
        if let Some(role) = c.role() {
            self.names_role(role);
        }
        let targets: Vec<Value> = c
            .targets()
            .map(aws_sdk_glue::types::CrawlerTargets::s3_targets)
            .unwrap_or_default()
            .iter()
            .map(|t| json!({"path": t.path()}))
            .collect();
        let arn = self.arn("glue", &format!("crawler/{name}"));
        self.add(
            "aws_glue_crawler",
            name,
            &json!({
                "name": c.name(),
                "arn": arn,
                "id": c.name(),
                "role": c.role(),
                "database_name": c.database_name(),
                "table_prefix": c.table_prefix(),
                "s3_target": targets,
            }),
        );
    }

    async fn table(&mut self, database: &str, name: &str) {
        match self
            .c
            .glue
            .get_table()
            .database_name(database)
            .name(name)
            .send()
            .await
        {
            Ok(out) => {
                if let Some(t) = out.table() {
                    let arn = self.arn("glue", &format!("table/{database}/{}", t.name()));
                    let location = t.storage_descriptor().and_then(|s| s.location());
                    self.add(
                        "aws_glue_catalog_table",
                        name,
                        &json!({
                            "name": t.name(),
                            "arn": arn,
                            "id": format!("{}:{database}:{}", self.stack.spec.account_id, t.name()),
                            "database_name": t.database_name().unwrap_or(database),
                            "storage_descriptor": [{"location": location}],
                        }),
                    );
                }
            }
            Err(e) => self.failed(name, "glue:GetTable", fault(&e)),
        }
    }

    async fn function(&mut self, name: &str) {
        let l = &self.c.lambda;
        let config = match l
            .get_function_configuration()
            .function_name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                self.failed(name, "lambda:GetFunctionConfiguration", fault(&e));
                return;
            }
        };
        if let Some(role) = config.role() {
            self.names_role(role);
        }
        let variables: Map<String, Value> = config
            .environment()
            .and_then(|e| e.variables())
            .map(|v| {
                v.iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect()
            })
            .unwrap_or_default();
        let arn = config.function_arn().unwrap_or_default().to_owned();
        self.add(
            "aws_lambda_function",
            name,
            &json!({
                "function_name": config.function_name(),
                "arn": arn,
                "id": config.function_name(),
                "runtime": config.runtime().map(|r| r.as_str().to_owned()),
                "handler": config.handler(),
                "memory_size": config.memory_size(),
                "timeout": config.timeout(),
                "role": config.role(),
                "layers": config.layers().iter().filter_map(|l| l.arn()).collect::<Vec<_>>(),
                "environment": if variables.is_empty() { json!([]) } else { json!([{"variables": variables}]) },
            }),
        );
        self.permissions(name).await;
        self.mappings(name).await;
    }

    /// Who may invoke the function: each statement of its resource policy,
    /// as the `aws_lambda_permission` it would be.
    async fn permissions(&mut self, name: &str) {
        match self.c.lambda.get_policy().function_name(name).send().await {
            Ok(out) => {
                let policy: Value = out
                    .policy()
                    .and_then(|p| serde_json::from_str(p).ok())
                    .unwrap_or(Value::Null);
                let statements = match &policy["Statement"] {
                    Value::Array(list) => list.clone(),
                    Value::Object(_) => vec![policy["Statement"].clone()],
                    _ => Vec::new(),
                };
                for (i, s) in statements.iter().enumerate() {
                    let principal = match &s["Principal"] {
                        Value::String(p) => p.clone(),
                        Value::Object(p) => p
                            .values()
                            .find_map(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        _ => String::new(),
                    };
                    let condition = |key: &str| {
                        s["Condition"].as_object().and_then(|c| {
                            c.values()
                                .filter_map(Value::as_object)
                                .find_map(|m| {
                                    m.iter()
                                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                                        .and_then(|(_, v)| v.as_str())
                                })
                                .map(str::to_owned)
                        })
                    };
                    let sid = s["Sid"]
                        .as_str()
                        .map_or_else(|| i.to_string(), str::to_owned);
                    self.add(
                        "aws_lambda_permission",
                        &format!("{name}/{sid}"),
                        &json!({
                            "statement_id": sid,
                            "action": s["Action"],
                            "function_name": name,
                            "principal": principal,
                            "source_arn": condition("AWS:SourceArn"),
                            "source_account": condition("AWS:SourceAccount"),
                        }),
                    );
                }
            }
            Err(e) => self.failed(name, "lambda:GetPolicy", fault(&e)),
        }
    }

    /// The function's event source mappings (the detector's stream).
    async fn mappings(&mut self, name: &str) {
        match self
            .c
            .lambda
            .list_event_source_mappings()
            .function_name(name)
            .send()
            .await
        {
            Ok(out) => {
                for m in out.event_source_mappings() {
                    let uuid = m.uuid().unwrap_or_default();
                    self.add(
                        "aws_lambda_event_source_mapping",
                        uuid,
                        &json!({
                            "uuid": uuid,
                            "id": uuid,
                            "event_source_arn": m.event_source_arn(),
                            "function_name": m.function_arn(),
                            "function_arn": m.function_arn(),
                        }),
                    );
                }
            }
            Err(e) => self.failed(name, "lambda:ListEventSourceMappings", fault(&e)),
        }
    }

    async fn layer(&mut self, name: &str) {
        match self
            .c
            .lambda
            .list_layer_versions()
            .layer_name(name)
            .send()
            .await
        {
            Ok(out) => {
                // The version a function uses when one does, else the newest.
                let used: Vec<String> = self
                    .resources
                    .iter()
                    .filter(|r| r.kind == "aws_lambda_function")
                    .flat_map(|r| r.values.at("layers.*"))
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                let versions = out.layer_versions();
                let pick = versions
                    .iter()
                    .find(|v| {
                        v.layer_version_arn()
                            .is_some_and(|a| used.iter().any(|u| u == a))
                    })
                    .or_else(|| versions.iter().max_by_key(|v| v.version()));
                if let Some(v) = pick {
                    let arn = v.layer_version_arn().unwrap_or_default();
                    let layer_arn = arn.rsplit_once(':').map_or(arn, |(a, _)| a);
                    self.add(
                        "aws_lambda_layer_version",
                        name,
                        &json!({
                            "layer_name": name,
                            "arn": arn,
                            "id": arn,
                            "layer_arn": layer_arn,
                            "version": v.version().to_string(),
                        }),
                    );
                }
            }
            Err(e) => self.failed(name, "lambda:ListLayerVersions", fault(&e)),
        }
    }

    async fn workgroup(&mut self, name: &str) {
        match self.c.athena.get_work_group().work_group(name).send().await {
            Ok(out) => {
                if let Some(w) = out.work_group() {
                    let arn = self.arn("athena", &format!("workgroup/{}", w.name()));
                    self.add(
                        "aws_athena_workgroup",
                        name,
                        &json!({"name": w.name(), "arn": arn, "id": w.name()}),
                    );
                }
            }
            Err(e) => self.failed(name, "athena:GetWorkGroup", fault(&e)),
        }
    }

    /// A role with its trust policy, its inline policies (as
    /// `inline_policy`) and the managed ones attached (as
    /// `managed_policy_arns`, with each customer policy's document as an
    /// `aws_iam_policy`).
    async fn role(&mut self, name: &str) {
        let iam = self.c.iam.clone();
        let role = match iam.get_role().role_name(name).send().await {
            Ok(out) => out.role().cloned(),
            Err(e) => {
                self.failed(name, "iam:GetRole", fault(&e));
                return;
            }
        };
        let Some(role) = role else { return };
        let mut inline = Vec::new();
        match iam.list_role_policies().role_name(name).send().await {
            Ok(out) => {
                for policy in out.policy_names() {
                    match iam
                        .get_role_policy()
                        .role_name(name)
                        .policy_name(policy)
                        .send()
                        .await
                    {
                        Ok(doc) => inline.push(json!({
                            "name": policy,
                            "policy": decoded(doc.policy_document()),
                        })),
                        Err(e) => self.failed(name, "iam:GetRolePolicy", fault(&e)),
                    }
                }
            }
            Err(e) => self.failed(name, "iam:ListRolePolicies", fault(&e)),
        }
        let mut attached = Vec::new();
        match iam
            .list_attached_role_policies()
            .role_name(name)
            .send()
            .await
        {
            Ok(out) => {
                for p in out.attached_policies() {
                    if let Some(arn) = p.policy_arn() {
                        attached.push(arn.to_owned());
                    }
                }
            }
            Err(e) => self.failed(name, "iam:ListAttachedRolePolicies", fault(&e)),
        }
        for arn in &attached {
            // AWS's own policies are known to the grade (`grade::managed`).
            if managed::is_aws_managed(arn) {
                continue;
            }
            self.customer_policy(name, arn).await;
        }
        self.add(
            "aws_iam_role",
            name,
            &json!({
                "name": role.role_name(),
                "arn": role.arn(),
                "id": role.role_name(),
                "assume_role_policy": role.assume_role_policy_document().map(decoded),
                "inline_policy": inline,
                "managed_policy_arns": attached,
            }),
        );
    }

    async fn customer_policy(&mut self, role: &str, arn: &str) {
        let iam = self.c.iam.clone();
        let version = match iam.get_policy().policy_arn(arn).send().await {
            Ok(out) => out
                .policy()
                .and_then(|p| p.default_version_id())
                .map(str::to_owned),
            Err(e) => {
                self.failed(role, "iam:GetPolicy", fault(&e));
                return;
            }
        };
        let Some(version) = version else { return };
        match iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(&version)
            .send()
            .await
        {
            Ok(out) => {
                let document = out.policy_version().and_then(|v| v.document()).map(decoded);
                let name = arn.rsplit('/').next().unwrap_or(arn);
                self.add(
                    "aws_iam_policy",
                    name,
                    &json!({"name": name, "arn": arn, "id": arn, "policy": document}),
                );
            }
            Err(e) => self.failed(role, "iam:GetPolicyVersion", fault(&e)),
        }
    }
}

/// IAM answers policy documents URL-encoded (RFC 3986); moto sometimes
/// does not. A document is JSON, so one that starts with `{` is plain.
fn decoded(document: &str) -> String {
    if document.trim_start().starts_with('{') {
        return document.to_owned();
    }
    percent_encoding::percent_decode_str(document)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_decoded_once() {
        assert_eq!(decoded("%7B%22a%22%3A%201%7D"), r#"{"a": 1}"#);
        assert_eq!(decoded(r#"{"a": "50%25"}"#), r#"{"a": "50%25"}"#);
    }

    #[test]
    fn every_graded_type_is_read_or_blind() {
        // A rendered member type neither read nor declared blind would be
        // reported missing by every live grade.
        for id in crate::stack::parts::ORDER {
            for member in grading::graded(*id).members {
                for kind in crate::stack::parts::kinds_of(*id, member.address) {
                    let read = READ_BY_NAME.contains(&kind)
                        || matches!(
                            kind,
                            "aws_lambda_permission"
                                | "aws_s3_bucket_notification"
                                | "aws_lambda_event_source_mapping"
                                | "aws_kinesis_analytics_application"
                        );
                    let blind = BLIND.iter().any(|b| b.kind == kind && b.path == "*");
                    assert!(
                        read || blind,
                        "{id:?}.{}: `{kind}` is neither read nor blind",
                        member.address
                    );
                }
            }
        }
    }
}
