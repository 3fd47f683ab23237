//! The stack: one student's parts, with everything the templates, the
//! review and the summary need, derived from a valid spec and its edition.
//!
//! `Stack::new` is the one place that decides which parts exist
//! (`parts::selected`), and every later stage iterates over `Stack::parts`.
//! The flat views (`names`, `roles`, `features`) are read off the parts for
//! `stackgen plan`'s readers; nothing decides anything from them.

pub mod address;
pub mod backend;
pub mod features;
pub mod grading;
pub mod iam;
pub mod pacing;
pub mod part;
pub mod parts;
pub mod sql;
pub mod tags;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::base::aws;
use crate::base::edition::{Edition, Identity};
use crate::base::model::{PolicyStyle, StudentSpec};
use crate::base::part::PartId;
use features::Features;
use iam::{Arns, Document};
use part::{Cost, Part};

/// Everything one student's stack is made of.
#[derive(Debug, Clone, Serialize)]
pub struct Stack {
    pub spec: StudentSpec,
    /// The edition's name.
    pub edition: String,
    /// The resolved settings, and which optional parts exist (a view).
    pub features: Features,
    pub partition: &'static str,
    /// Every name of every part by key, and `suffix` (a view).
    pub names: BTreeMap<&'static str, String>,
    /// Which part holds each zone, with its name (a view).
    pub zones: Zones,
    pub arns: Arns,
    pub prefixes: Prefixes,
    /// The roles the stack creates, by the key of their part (a view).
    pub roles: BTreeMap<&'static str, RoleView>,
    /// `parameters` of the processed table: Parquet plus partition projection.
    pub processed_table_parameters: BTreeMap<String, String>,
    pub queries: Vec<sql::NamedQuery>,
    pub analytics_sql: String,
    /// The threshold factor as the SQL writes it (`4`, not `4.0`).
    pub analytics_threshold: String,
    pub generator: Generator,
    /// The AWS managed policy the crawler role gets beside its own.
    pub managed_glue_policy_arn: String,
    /// Where Terraform keeps the state; None for a local state file.
    pub backend: Option<backend::StateBackend>,
    /// The `required_version` of the stack's `terraform` block.
    pub terraform_version: &'static str,
    /// The tags every resource carries, by key, as AWS shows them
    /// (`tags::TAGS` evaluated for the spec).
    pub tags: BTreeMap<&'static str, String>,
    pub parts: Vec<Part>,
}

/// A role as the plan's readers see it.
#[derive(Debug, Clone, Serialize)]
pub struct RoleView {
    pub name: String,
    pub policy_name: String,
    pub trust: Document,
    pub policy: Document,
}

#[derive(Debug, Clone, Serialize)]
pub struct Prefixes {
    pub raw: &'static str,
    pub raw_data: String,
    pub raw_errors: String,
    /// What the crawler scans (`s3://bucket/raw-zone/stockdata/`).
    pub raw_location: String,
    pub processed: &'static str,
    /// Where the ETL function writes (`processed-zone/stockdata/`).
    pub processed_data: String,
    pub processed_location: String,
    pub alerts_data: String,
    pub alerts_errors: String,
    /// The prefix Athena results go under, in `athena_output_location`'s
    /// bucket (empty when the bucket holds nothing else).
    pub athena_output: &'static str,
    pub athena_output_location: String,
}

/// The data generator's settings and the command line that uses them.
#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    pub stream_name: String,
    pub region: String,
    pub input_csv: Option<String>,
    pub messages_per_second: Option<u32>,
    /// The speed-up the generator replays event time with (`-s`), under
    /// either name it was given.
    pub speedup: Option<f64>,
    pub single_run: bool,
    pub command: String,
}

/// Firehose's time partitioning, shared by the raw and the alerts prefixes.
const HOURLY: &str =
    "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/";

/// Firehose bills each record as at least this many KB.
const FIREHOSE_RECORD_KB: f64 = 5.0;

/// Whose names a stack's patterns are filled with.
fn identity(spec: &StudentSpec) -> Identity {
    Identity {
        environment: spec.environment.clone(),
        account_id: spec.account_id.clone(),
        initials: spec.student.initials.clone(),
        index_no: spec.student.index_no.clone(),
    }
}

/// The names a spec's stack creates, part by part, and its shape, without
/// building the rest of the stack (policies, ARNs, queries, costs). This is
/// what validating a class needs of every student; building whole stacks
/// for it made `validate` of 1,000 students twice as slow.
pub fn names_and_shape(
    spec: &StudentSpec,
    edition: &Edition,
) -> (Vec<crate::base::part::Name>, String) {
    let ids = parts::selected(edition, spec);
    let names = parts::names(edition, spec, &identity(spec), &ids)
        .into_iter()
        .flat_map(BTreeMap::into_values)
        .collect();
    (names, shape(spec, &ids))
}

/// The template branches a spec selects: its target, policy style, parts,
/// analytics start, whether it creates IAM, and its backend. Two specs of one shape give
/// stacks that differ only in values, and every value reaches the files
/// through the formatter's quoting; so rendering and link-checking one
/// stack per shape proves all of them render (`validate` of a class relies
/// on this; `render` still checks every stack it writes).
fn shape(spec: &StudentSpec, ids: &[PartId]) -> String {
    let mut parts = String::new();
    for (i, id) in ids.iter().enumerate() {
        let sep = if i == 0 { "" } else { "+" };
        let _ = write!(parts, "{sep}{id:?}");
    }
    // The backend block is a branch of its own (its lock differs by target).
    format!(
        "{:?}/{:?}/{parts}/start={}/iam={}/backend={}",
        spec.target,
        spec.policy_style,
        spec.analytics.start,
        spec.iam.existing_role.is_none(),
        backend::kind_of(spec)
    )
}

impl Stack {
    /// Builds the stack of a spec that passed validation, in its edition.
    pub fn new(spec: &StudentSpec, edition: &Edition) -> Self {
        let who = identity(spec);
        let ids = parts::selected(edition, spec);
        let part_names = parts::names(edition, spec, &who, &ids);
        let mut names: BTreeMap<&'static str, String> = part_names
            .iter()
            .flat_map(|n| n.iter().map(|(k, v)| (*k, v.value.clone())))
            .collect();
        names.insert(
            "suffix",
            edition
                .expand("suffix", &who)
                .map(|(s, _)| s)
                .unwrap_or_default(),
        );
        let partition = aws::partition(&spec.region);
        let zones = Zones::of(edition, &names);
        let arns = arns(spec, &names, &zones, partition);
        let zones_view = zones.clone();
        let prefixes = prefixes(&zones);
        let has = |id: PartId| ids.contains(&id);
        let policy = |id: PartId, style: PolicyStyle| -> Document {
            match id {
                PartId::Firehose => iam::firehose(style, &arns),
                PartId::Crawler => iam::crawler(style, &arns),
                PartId::Etl => iam::etl_lambda(style, &arns),
                PartId::SqlAnalytics => iam::analytics(
                    &arns,
                    has(PartId::AlertsFirehose),
                    has(PartId::AlertFunction),
                ),
                PartId::AlertsFirehose => iam::alerts_firehose(&arns),
                PartId::AlertFunction => iam::alert_lambda(&arns),
                PartId::Reaper => iam::reaper(&arns),
                _ => iam::detector(&arns, has(PartId::AlertsFirehose)),
            }
        };
        let mut parts = parts::assemble(spec, &ids, part_names, &policy);
        for part in &mut parts {
            part.cost = cost(part.id, spec);
        }
        let roles = parts
            .iter()
            .filter_map(|p| {
                let role = p.role.as_ref()?;
                Some((
                    parts::role_key(p.id)?,
                    RoleView {
                        name: role.name.clone(),
                        policy_name: role.policy_name.clone(),
                        trust: role.trust.clone(),
                        policy: role.policy.clone(),
                    },
                ))
            })
            .collect();
        let features = Features::of(spec, has);
        let state = backend::StateBackend::of(spec);
        Self {
            terraform_version: backend::required_version(spec.target, state.as_ref()),
            backend: state,
            queries: sql::named_queries(&zones.tables(&names), &spec.analytics.symbol)
                .into_iter()
                .filter(|q| spec.through.is_none_or(|n| q.exercise <= n))
                .collect(),
            analytics_sql: sql::anomaly_detection(&spec.analytics),
            analytics_threshold: sql::number(spec.analytics.threshold),
            generator: generator(spec, &names),
            managed_glue_policy_arn: iam::glue_service_role_arn(partition),
            processed_table_parameters: projection(spec, &prefixes),
            tags: tags::values(spec),
            spec: spec.clone(),
            edition: edition.name.clone(),
            features,
            partition,
            names,
            zones: zones_view,
            arns,
            prefixes,
            roles,
            parts,
        }
    }

    pub fn part(&self, id: PartId) -> Option<&Part> {
        self.parts.iter().find(|p| p.id == id)
    }

    pub fn has(&self, id: PartId) -> bool {
        self.part(id).is_some()
    }

    /// The name `key` of whichever part has it.
    pub fn name(&self, key: &str) -> Option<&str> {
        self.names.get(key).map(String::as_str)
    }

    /// The stack's running cost per hour, summed over its parts.
    pub fn cost_per_hour(&self) -> f64 {
        self.parts
            .iter()
            .filter_map(|p| p.cost.as_ref())
            .map(|c| c.usd_per_hour)
            .sum()
    }

    /// The bucket each zone lives in, and the databases.
    pub fn zones(&self) -> Zones {
        self.zones.clone()
    }
}

/// Which part plays each role in the lake: in a one-bucket edition the
/// lake bucket is the raw, processed and results bucket at once. The
/// choice is the edition's; a checkpoint (`render --through`) may not have
/// the part yet, and then its name is empty (`Stack::has` tells).
#[derive(Debug, Clone, Serialize)]
pub struct Zones {
    pub raw_bucket: PartId,
    pub processed_bucket: PartId,
    pub results_bucket: PartId,
    pub raw_database: PartId,
    pub processed_database: PartId,
    /// The names of those, by the same keys.
    pub raw_bucket_name: String,
    pub processed_bucket_name: String,
    pub results_bucket_name: String,
    pub raw_database_name: String,
    pub processed_database_name: String,
}

impl Zones {
    fn of(edition: &Edition, names: &BTreeMap<&'static str, String>) -> Self {
        let pick = |split: PartId, single: PartId| {
            if edition.has(split) {
                split
            } else {
                single
            }
        };
        let key = |id: PartId| match id {
            PartId::Bucket => "bucket",
            PartId::RawBucket => "raw_bucket",
            PartId::ProcessedBucket => "processed_bucket",
            PartId::ResultsBucket => "results_bucket",
            PartId::GlueDatabase => "glue_database",
            PartId::RawDatabase => "raw_database",
            _ => "processed_database",
        };
        let name = |id: PartId| names.get(key(id)).cloned().unwrap_or_default();
        let raw_bucket = pick(PartId::RawBucket, PartId::Bucket);
        let processed_bucket = pick(PartId::ProcessedBucket, PartId::Bucket);
        let results_bucket = pick(PartId::ResultsBucket, PartId::Bucket);
        let raw_database = pick(PartId::RawDatabase, PartId::GlueDatabase);
        let processed_database = pick(PartId::ProcessedDatabase, PartId::GlueDatabase);
        Self {
            raw_bucket_name: name(raw_bucket),
            processed_bucket_name: name(processed_bucket),
            results_bucket_name: name(results_bucket),
            raw_database_name: name(raw_database),
            processed_database_name: name(processed_database),
            raw_bucket,
            processed_bucket,
            results_bucket,
            raw_database,
            processed_database,
        }
    }

    /// Whether Athena's results have a bucket of their own.
    pub fn results_apart(&self) -> bool {
        self.results_bucket != self.raw_bucket
    }

    fn tables(&self, names: &BTreeMap<&'static str, String>) -> sql::Tables {
        let get = |k: &str| names.get(k).cloned().unwrap_or_default();
        sql::Tables {
            raw: format!("\"{}\".\"{}\"", self.raw_database_name, get("raw_table")),
            processed: format!(
                "\"{}\".\"{}\"",
                self.processed_database_name,
                get("processed_table")
            ),
        }
    }
}

fn arns(
    spec: &StudentSpec,
    names: &BTreeMap<&'static str, String>,
    zones: &Zones,
    partition: &str,
) -> Arns {
    let get = |k: &str| names.get(k).cloned().unwrap_or_default();
    let regional = |service: &str, resource: &str| {
        format!(
            "arn:{partition}:{service}:{}:{}:{resource}",
            spec.region, spec.account_id
        )
    };
    // A part the stack does not have has no ARN: empty, never a prefix
    // that would match a whole service's resources.
    let log_group = |key: &str| match names.get(key) {
        Some(name) => regional("logs", &format!("log-group:{name}")),
        None => String::new(),
    };
    let bucket = |name: &str| format!("arn:{partition}:s3:::{name}");
    Arns {
        bucket: bucket(&zones.raw_bucket_name),
        processed_bucket: bucket(&zones.processed_bucket_name),
        stream: regional("kinesis", &format!("stream/{}", get("stream"))),
        alerts_firehose: names.get("alerts_firehose").map_or_else(String::new, |n| {
            regional("firehose", &format!("deliverystream/{n}"))
        }),
        alert_function: names.get("alert_function").map_or_else(String::new, |n| {
            regional("lambda", &format!("function:{n}"))
        }),
        firehose_log_group: log_group("firehose_log_group"),
        alerts_firehose_log_group: log_group("alerts_firehose_log_group"),
        etl_log_group: log_group("etl_log_group"),
        alert_log_group: log_group("alert_log_group"),
        detector_log_group: log_group("detector_log_group"),
        reaper_log_group: log_group("reaper_log_group"),
        any_firehose_log_group: regional("logs", "log-group:/aws/kinesisfirehose/*"),
        // SSM parameter ARNs drop the name's leading slash.
        etl_parameter: names
            .get("etl_parameter")
            .map(|n| regional("ssm", &format!("parameter/{}", n.trim_start_matches('/')))),
    }
}

fn prefixes(zones: &Zones) -> Prefixes {
    let raw_bucket = &zones.raw_bucket_name;
    let processed_bucket = &zones.processed_bucket_name;
    let athena_output = if zones.results_apart() {
        ""
    } else {
        "athena_output/"
    };
    Prefixes {
        raw: iam::RAW_PREFIX,
        raw_data: format!("{}stockdata/{HOURLY}", iam::RAW_PREFIX),
        raw_errors: format!(
            "{}stockdata_errors/!{{firehose:error-output-type}}/{HOURLY}",
            iam::RAW_PREFIX
        ),
        raw_location: format!("s3://{raw_bucket}/{}stockdata/", iam::RAW_PREFIX),
        processed: iam::PROCESSED_PREFIX,
        processed_data: format!("{}stockdata/", iam::PROCESSED_PREFIX),
        processed_location: format!(
            "s3://{processed_bucket}/{}stockdata/",
            iam::PROCESSED_PREFIX
        ),
        alerts_data: format!("{}anomalies/{HOURLY}", iam::ALERTS_PREFIX),
        alerts_errors: format!(
            "{}errors/!{{firehose:error-output-type}}/{HOURLY}",
            iam::ALERTS_PREFIX
        ),
        athena_output,
        athena_output_location: format!("s3://{}/{athena_output}", zones.results_bucket_name),
    }
}

/// A part's running cost per hour, if it bills by the hour, at the list
/// prices of the stack's region. Where those are unknown the figure is
/// us-east-1's and the basis says so, never silently.
fn cost(id: PartId, spec: &StudentSpec) -> Option<Cost> {
    let (p, whose) = match aws::prices(&spec.region) {
        Some(p) => (p, String::new()),
        None => (
            aws::FALLBACK_PRICES,
            format!(
                " ({} list price: none is known for {})",
                aws::FALLBACK_PRICES.region,
                spec.region
            ),
        ),
    };
    match id {
        PartId::Stream => {
            let shards = spec.stream.shard_count;
            Some(Cost {
                usd_per_hour: f64::from(shards) * p.shard_hour_usd,
                basis: format!(
                    "{shards} shard(s) × ${} per shard-hour{whose}",
                    p.shard_hour_usd
                ),
            })
        }
        // The SQL application bills per hour for its one KPU; the modern
        // target's detector is a Lambda, billed per request like the others.
        PartId::SqlAnalytics => Some(Cost {
            usd_per_hour: p.analytics_hour_usd,
            basis: format!("1 KPU × ${} per hour{whose}", p.analytics_hour_usd),
        }),
        PartId::Firehose => {
            let (rate, assumption) = pacing::rate(&spec.generator);
            let gb_per_hour = rate * 3600.0 * FIREHOSE_RECORD_KB / (1024.0 * 1024.0);
            Some(Cost {
                usd_per_hour: gb_per_hour * p.firehose_gb_usd,
                basis: format!(
                    "{assumption}, each billed as {FIREHOSE_RECORD_KB} KB, × ${} per GB{whose}",
                    p.firehose_gb_usd
                ),
            })
        }
        _ => None,
    }
}

/// Athena partition projection over what the ETL function writes
/// (`symbol=BTC_USD/year=2020/month=10/day=1/hour=0/`): the answer to
/// exercise 4.4, so no `MSCK REPAIR TABLE` is needed for new partitions.
fn projection(spec: &StudentSpec, prefixes: &Prefixes) -> BTreeMap<String, String> {
    let a = &spec.athena;
    let mut p = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        p.insert(k.to_owned(), v);
    };
    set("EXTERNAL", "TRUE".into());
    set("classification", "parquet".into());
    set("parquet.compression", "SNAPPY".into());
    set("projection.enabled", "true".into());
    set("projection.symbol.type", "enum".into());
    set("projection.symbol.values", a.symbols.join(","));
    for (key, range) in [
        ("year", format!("{},{}", a.first_year, a.last_year)),
        ("month", "1,12".to_owned()),
        ("day", "1,31".to_owned()),
        ("hour", "0,23".to_owned()),
    ] {
        set(&format!("projection.{key}.type"), "integer".into());
        set(&format!("projection.{key}.range"), range);
    }
    set(
        "storage.location.template",
        format!(
            "{}symbol=${{symbol}}/year=${{year}}/month=${{month}}/day=${{day}}/hour=${{hour}}/",
            prefixes.processed_location
        ),
    );
    p
}

fn generator(spec: &StudentSpec, names: &BTreeMap<&'static str, String>) -> Generator {
    let g = &spec.generator;
    let stream = names.get("stream").cloned().unwrap_or_default();
    let mut command = format!(
        "AWS_DEFAULT_REGION={} python ./labs/data_generator/generator.py -k {stream}",
        spec.region
    );
    if let Some(csv) = &g.input_csv {
        command.push_str(" -i ");
        command.push_str(&shell_quote(csv));
    }
    let speedup = pacing::speedup(g);
    if let Some(x) = speedup {
        let _ = write!(command, " -s {}", sql::number(x));
    }
    if g.single_run {
        command.push_str(" -r");
    }
    Generator {
        stream_name: stream,
        region: spec.region.clone(),
        input_csv: g.input_csv.clone(),
        messages_per_second: g.messages_per_second,
        speedup,
        single_run: g.single_run,
        command,
    }
}

/// Quotes for POSIX shells when the word has anything but safe characters.
pub fn shell_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("data/btc.csv"), "data/btc.csv");
        assert_eq!(shell_quote("my data.csv"), "'my data.csv'");
        assert_eq!(shell_quote("it's.csv"), r"'it'\''s.csv'");
    }
}
