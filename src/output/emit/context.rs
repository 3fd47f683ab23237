//! The values templates see. Every template gets the same stack-level
//! context; a part's templates also get `part`, that part's own names,
//! addresses and role. Other parts are reached by their place in the lake
//! (`zones.raw_bucket`) or by kind (`p.stream`); an optional part that is
//! absent is `none`, so a template asks `{% if p.alerts_firehose %}`
//! instead of probing what is defined.

use std::collections::BTreeMap;

use minijinja::Value;
use serde::Serialize;

use crate::base::part::{main_name, PartId};
use crate::stack::address::{Address, Reference};
use crate::stack::part::Part;
use crate::stack::{parts, Stack};

/// One part as a template sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PartCtx {
    /// Names by key: `part.n.stream`.
    pub n: BTreeMap<&'static str, String>,
    /// The part's main name (a bucket's, a database's).
    pub name: String,
    /// Addresses by key: `part.a.stream.arn`.
    pub a: BTreeMap<&'static str, Address>,
    /// The ARN the part's service assumes: its own role's or the Learner
    /// Lab's.
    pub role_arn: Option<Reference>,
    /// The inline policy to wait for, when the stack creates one.
    pub wait_for: Option<Address>,
    pub role: Option<RoleCtx>,
    /// The role's comment in iam.tf.
    pub purpose: &'static str,
    pub title: &'static str,
    /// Buckets: whether Athena's results expire in this bucket.
    pub expire: bool,
    /// Buckets: whether the ETL function is notified of its new objects.
    pub notified: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleCtx {
    pub name: String,
    pub policy_name: String,
    pub trust: crate::stack::iam::Document,
    pub policy: crate::stack::iam::Document,
    pub address: Address,
    pub policy_address: Address,
    pub managed: Vec<Managed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Managed {
    pub address: Address,
    pub arn: String,
}

/// Where each zone lives; a checkpoint (`render --through`) may not have
/// the part yet (`none`). A part's template only names the zones its part
/// needs (`base::part::needs`), which an edition puts in the same or an
/// earlier exercise.
#[derive(Debug, Clone, Serialize)]
pub struct ZonesCtx {
    pub raw_bucket: Option<PartCtx>,
    pub processed_bucket: Option<PartCtx>,
    pub results_bucket: Option<PartCtx>,
    pub raw_database: Option<PartCtx>,
    pub processed_database: Option<PartCtx>,
    pub one_bucket: bool,
    pub one_database: bool,
}

/// The parts by kind; any may be absent: exercise 5's by the switches,
/// every part after a checkpoint's last exercise (`render --through`).
#[derive(Debug, Clone, Serialize)]
pub struct PartsCtx {
    pub stream: Option<PartCtx>,
    pub firehose: Option<PartCtx>,
    pub crawler: Option<PartCtx>,
    pub etl: Option<PartCtx>,
    pub athena: Option<PartCtx>,
    pub etl_parameter: Option<PartCtx>,
    pub sql_analytics: Option<PartCtx>,
    pub detector: Option<PartCtx>,
    pub alert_function: Option<PartCtx>,
    pub alerts_firehose: Option<PartCtx>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryCtx {
    pub address: Address,
    pub name: &'static str,
    pub description: &'static str,
    pub sql: String,
}

/// The stack-level context.
#[derive(Serialize)]
pub struct Context<'a> {
    version: &'static str,
    source_name: &'a str,
    spec: &'a crate::base::model::StudentSpec,
    features: &'a crate::stack::features::Features,
    prefixes: &'a crate::stack::Prefixes,
    generator: &'a crate::stack::Generator,
    /// `stackgen replay`'s command line for this stack.
    replay_command: &'a str,
    queries: Vec<QueryCtx>,
    analytics_sql: &'a str,
    analytics_threshold: &'a str,
    processed_table_parameters: &'a BTreeMap<String, String>,
    zones: ZonesCtx,
    p: PartsCtx,
    lab_role: Address,
    /// Where the state lives (None: a local file).
    backend: Option<&'a crate::stack::backend::StateBackend>,
    terraform_version: &'static str,
    /// The lines of `common_tags` (`stack::tags`).
    tags: Vec<crate::stack::tags::TagLine>,
    /// The reaper's EventBridge schedule expression.
    reaper_schedule: String,
    #[serde(skip)]
    by_id: BTreeMap<PartId, PartCtx>,
}

fn part_ctx(part: &Part) -> PartCtx {
    let first = main_name(part.id);
    PartCtx {
        n: part
            .names
            .iter()
            .map(|(k, v)| (*k, v.value.clone()))
            .collect(),
        name: part
            .names
            .get(first)
            .map(|n| n.value.clone())
            .unwrap_or_default(),
        a: part.addresses.clone(),
        role_arn: part.role_arn,
        wait_for: part.role.as_ref().map(|r| r.policy_address),
        role: part.role.as_ref().map(|r| RoleCtx {
            name: r.name.clone(),
            policy_name: r.policy_name.clone(),
            trust: r.trust.clone(),
            policy: r.policy.clone(),
            address: r.address,
            policy_address: r.policy_address,
            managed: r
                .managed
                .iter()
                .map(|(address, arn)| Managed {
                    address: *address,
                    arn: arn.clone(),
                })
                .collect(),
        }),
        purpose: parts::role_purpose(part.id).unwrap_or_default(),
        title: part.title,
        expire: false,
        notified: false,
    }
}

impl<'a> Context<'a> {
    pub fn new(stack: &'a Stack, source_name: &'a str, replay_command: &'a str) -> Self {
        let zones = stack.zones();
        let mut by_id: BTreeMap<PartId, PartCtx> =
            stack.parts.iter().map(|p| (p.id, part_ctx(p))).collect();
        // Athena's results expire where Athena writes them, and the ETL
        // function is notified of the raw zone's objects: once the stack
        // has those parts.
        if stack.has(PartId::Athena) {
            if let Some(results) = by_id.get_mut(&zones.results_bucket) {
                results.expire = true;
            }
        }
        if stack.has(PartId::Etl) {
            if let Some(raw) = by_id.get_mut(&zones.raw_bucket) {
                raw.notified = true;
            }
        }
        let opt = |id: PartId| by_id.get(&id).cloned();
        let ctx_zones = ZonesCtx {
            raw_bucket: opt(zones.raw_bucket),
            processed_bucket: opt(zones.processed_bucket),
            results_bucket: opt(zones.results_bucket),
            raw_database: opt(zones.raw_database),
            processed_database: opt(zones.processed_database),
            one_bucket: zones.raw_bucket == zones.processed_bucket,
            one_database: zones.raw_database == zones.processed_database,
        };
        let p = PartsCtx {
            stream: opt(PartId::Stream),
            firehose: opt(PartId::Firehose),
            crawler: opt(PartId::Crawler),
            etl: opt(PartId::Etl),
            athena: opt(PartId::Athena),
            etl_parameter: opt(PartId::EtlParameter),
            sql_analytics: opt(PartId::SqlAnalytics),
            detector: opt(PartId::Detector),
            alert_function: opt(PartId::AlertFunction),
            alerts_firehose: opt(PartId::AlertsFirehose),
        };
        Self {
            version: env!("CARGO_PKG_VERSION"),
            source_name,
            spec: &stack.spec,
            features: &stack.features,
            prefixes: &stack.prefixes,
            generator: &stack.generator,
            replay_command,
            queries: stack
                .queries
                .iter()
                .map(|q| QueryCtx {
                    address: Address::resource("aws_athena_named_query", q.key),
                    name: q.name,
                    description: q.description,
                    sql: q.sql.clone(),
                })
                .collect(),
            analytics_sql: &stack.analytics_sql,
            analytics_threshold: &stack.analytics_threshold,
            processed_table_parameters: &stack.processed_table_parameters,
            zones: ctx_zones,
            p,
            lab_role: parts::LAB_ROLE,
            backend: stack.backend.as_ref(),
            terraform_version: stack.terraform_version,
            tags: crate::stack::tags::lines(),
            reaper_schedule: parts::reaper_schedule(),
            by_id,
        }
    }

    /// The rendered values: the stack-level context, and each part's
    /// (the stack-level one with `part` added), computed once per stack.
    pub fn values(&self) -> (Value, BTreeMap<PartId, Value>) {
        let base = Value::from_serialize(self);
        let parts = self
            .by_id
            .iter()
            .map(|(id, ctx)| {
                let part = Value::from_serialize(ctx);
                (*id, minijinja::context! { part => part, ..base.clone() })
            })
            .collect();
        (base, parts)
    }
}
