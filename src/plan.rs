//! The resource plan: everything the templates need, derived from a valid
//! spec. Names come from `names`, IAM documents from `iam`, SQL from `sql`;
//! the templates only arrange these values into Terraform syntax.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::aws;
use crate::features::Features;
use crate::iam::{self, Arns, Document};
use crate::model::{PolicyStyle, StudentSpec};
use crate::names::{Names, Parts};
use crate::sql;

/// Everything one student's stack is made of.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub spec: StudentSpec,
    /// What the spec turns on, with target-dependent defaults resolved.
    pub features: Features,
    pub partition: &'static str,
    pub names: Names,
    pub arns: Arns,
    pub prefixes: Prefixes,
    /// Roles by the key templates use (`firehose`, `crawler`, ...).
    pub roles: BTreeMap<&'static str, Role>,
    /// `parameters` of the processed table: Parquet plus partition projection.
    pub processed_table_parameters: BTreeMap<String, String>,
    pub queries: Vec<sql::NamedQuery>,
    pub analytics_sql: String,
    /// The threshold factor as the SQL writes it (`4`, not `4.0`).
    pub analytics_threshold: String,
    pub generator: Generator,
    /// The AWS managed policy the crawler role gets beside its own.
    pub managed_glue_policy_arn: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Role {
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
    pub single_run: bool,
    pub command: String,
}

/// Firehose's time partitioning, shared by the raw and the alerts prefixes.
const HOURLY: &str =
    "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/";

impl Plan {
    /// Builds the plan. The spec must have passed validation.
    pub fn new(spec: &StudentSpec) -> Self {
        let parts = Parts::from_spec(spec);
        let names = Names::derive(&parts);
        let partition = aws::partition(&spec.region);
        let arns = arns(spec, &names, partition);
        let bucket = &names.bucket;
        let prefixes = Prefixes {
            raw: iam::RAW_PREFIX,
            raw_data: format!("{}stockdata/{HOURLY}", iam::RAW_PREFIX),
            raw_errors: format!(
                "{}stockdata_errors/!{{firehose:error-output-type}}/{HOURLY}",
                iam::RAW_PREFIX
            ),
            raw_location: format!("s3://{bucket}/{}stockdata/", iam::RAW_PREFIX),
            processed: iam::PROCESSED_PREFIX,
            processed_data: format!("{}stockdata/", iam::PROCESSED_PREFIX),
            processed_location: format!("s3://{bucket}/{}stockdata/", iam::PROCESSED_PREFIX),
            alerts_data: format!("{}anomalies/{HOURLY}", iam::ALERTS_PREFIX),
            alerts_errors: format!(
                "{}errors/!{{firehose:error-output-type}}/{HOURLY}",
                iam::ALERTS_PREFIX
            ),
            athena_output: "athena_output/",
            athena_output_location: format!("s3://{bucket}/athena_output/"),
        };
        let features = Features::of(spec);
        let roles = roles(spec, &features, &names, &arns);
        let processed_table_parameters = projection(spec, &prefixes);
        Self {
            queries: sql::named_queries(&names, &spec.analytics.symbol),
            analytics_sql: sql::anomaly_detection(&spec.analytics),
            analytics_threshold: sql::number(spec.analytics.threshold),
            generator: generator(spec, &names),
            managed_glue_policy_arn: format!(
                "arn:{partition}:iam::aws:policy/service-role/AWSGlueServiceRole"
            ),
            spec: spec.clone(),
            features,
            partition,
            names,
            arns,
            prefixes,
            roles,
            processed_table_parameters,
        }
    }
}

fn arns(spec: &StudentSpec, names: &Names, partition: &str) -> Arns {
    let regional = |service: &str, resource: &str| {
        format!(
            "arn:{partition}:{service}:{}:{}:{resource}",
            spec.region, spec.account_id
        )
    };
    let log_group = |name: &str| regional("logs", &format!("log-group:{name}"));
    Arns {
        bucket: format!("arn:{partition}:s3:::{}", names.bucket),
        stream: regional("kinesis", &format!("stream/{}", names.stream)),
        alerts_firehose: regional(
            "firehose",
            &format!("deliverystream/{}", names.alerts_firehose),
        ),
        alert_function: regional("lambda", &format!("function:{}", names.alert_function)),
        firehose_log_group: log_group(&names.firehose_log_group),
        alerts_firehose_log_group: log_group(&names.alerts_firehose_log_group),
        etl_log_group: log_group(&names.etl_log_group),
        alert_log_group: log_group(&names.alert_log_group),
        detector_log_group: log_group(&names.detector_log_group),
        any_firehose_log_group: log_group("/aws/kinesisfirehose/*"),
    }
}

/// The roles the stack creates, by the key templates use. None in a
/// Learner Lab, where every service uses the existing role.
fn roles(
    spec: &StudentSpec,
    features: &Features,
    names: &Names,
    arns: &Arns,
) -> BTreeMap<&'static str, Role> {
    let mut roles = BTreeMap::new();
    if !features.create_iam {
        return roles;
    }
    let style: PolicyStyle = spec.policy_style;
    let mut add = |key, name: &str, policy_name: &str, service: &str, policy: Document| {
        roles.insert(
            key,
            Role {
                name: name.to_owned(),
                policy_name: policy_name.to_owned(),
                trust: iam::trust(service),
                policy,
            },
        );
    };
    let n = names;
    add(
        "firehose",
        &n.firehose_role,
        &n.firehose_policy,
        "firehose.amazonaws.com",
        iam::firehose(style, arns),
    );
    add(
        "crawler",
        &n.crawler_role,
        &n.crawler_policy,
        "glue.amazonaws.com",
        iam::crawler(style, arns),
    );
    add(
        "etl_lambda",
        &n.lambda_role,
        &n.lambda_policy,
        "lambda.amazonaws.com",
        iam::etl_lambda(style, arns),
    );
    if features.sql_analytics {
        let policy = iam::analytics(arns, features.alerts_firehose, features.alert_lambda);
        add(
            "analytics",
            &n.analytics_role,
            &n.analytics_policy,
            "kinesisanalytics.amazonaws.com",
            policy,
        );
    }
    if features.alerts_firehose {
        add(
            "alerts_firehose",
            &n.alerts_firehose_role,
            &n.alerts_firehose_policy,
            "firehose.amazonaws.com",
            iam::alerts_firehose(arns),
        );
    }
    if features.alert_lambda {
        add(
            "alert_lambda",
            &n.alert_role,
            &n.alert_policy,
            "lambda.amazonaws.com",
            iam::alert_lambda(arns),
        );
    }
    if features.detector {
        let policy = iam::detector(arns, features.alerts_firehose);
        add(
            "detector",
            &n.detector_role,
            &n.detector_policy,
            "lambda.amazonaws.com",
            policy,
        );
    }
    roles
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

fn generator(spec: &StudentSpec, names: &Names) -> Generator {
    let g = &spec.generator;
    let mut command = format!(
        "AWS_DEFAULT_REGION={} python ./labs/data_generator/generator.py -k {}",
        spec.region, names.stream
    );
    if let Some(csv) = &g.input_csv {
        command.push_str(" -i ");
        command.push_str(&shell_quote(csv));
    }
    if let Some(rate) = g.messages_per_second {
        let _ = write!(command, " -s {rate}");
    }
    if g.single_run {
        command.push_str(" -r");
    }
    Generator {
        stream_name: names.stream.clone(),
        region: spec.region.clone(),
        input_csv: g.input_csv.clone(),
        messages_per_second: g.messages_per_second,
        single_run: g.single_run,
        command,
    }
}

/// Quotes for POSIX shells when the word has anything but safe characters.
fn shell_quote(word: &str) -> String {
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
