//! The typed input: what an instructor writes in `student.yaml`.
//!
//! These types are the input contract. The keys `target`, `student.name`,
//! `student.initials`, `student.index_no`, `account_id`, `region` and
//! `environment` are fixed: checks outside this project write them. Every
//! other section is optional and defaults to the handout's values, so the
//! smallest valid file is the handout's own student.
//!
//! Types here only describe shape. Whether a value is acceptable to AWS is
//! the job of `validate`; serde only rejects what cannot be read at all
//! (wrong type, unknown key).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One student's lab stack.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "stackgen student file")]
pub struct StudentSpec {
    /// The course layout: `uam-2021` (the handout's, the default),
    /// `uam-2025` (the 2025-26 cohorts'), or the path of an edition file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::base::field_schema::edition")]
    pub edition: Option<String>,
    /// The edition `edition` resolved to, set by `load`; the built-in
    /// default when None.
    #[serde(skip)]
    #[schemars(skip)]
    pub resolved_edition: Option<std::sync::Arc<crate::base::edition::Edition>>,
    /// A checkpoint: only the parts of exercises 1 to N (`render
    /// --through N`, `grade --through N`); None for the whole stack. Not
    /// a key of the file: the command line sets it.
    #[serde(skip)]
    #[schemars(skip)]
    pub through: Option<u8>,
    /// Which Terraform and AWS provider generation to emit for.
    #[serde(default)]
    pub target: Target,
    /// Who the stack belongs to; every AWS name embeds the initials and index.
    pub student: Student,
    /// The AWS account the stack is applied in: exactly 12 digits, quoted.
    #[schemars(regex(pattern = r"^[0-9]{12}$"))]
    pub account_id: String,
    /// AWS region code.
    #[serde(default = "default_region")]
    #[schemars(schema_with = "crate::base::field_schema::region")]
    pub region: String,
    /// Environment name embedded in every resource name: lowercase
    /// letters and digits, starting with a letter.
    #[serde(default = "default_environment")]
    #[schemars(regex(pattern = r"^[a-z][a-z0-9]*$"))]
    pub environment: String,
    /// How broad the generated IAM policies are.
    #[serde(default)]
    pub policy_style: PolicyStyle,
    #[serde(default)]
    pub iam: IamOptions,
    /// Days CloudWatch keeps the logs of the Lambda functions and Firehose
    /// deliveries (the stack creates those log groups itself).
    #[serde(default = "default_log_retention_days")]
    #[schemars(schema_with = "crate::base::field_schema::log_retention_days")]
    pub log_retention_days: u32,
    #[serde(default)]
    pub stream: StreamOptions,
    #[serde(default)]
    pub firehose: FirehoseOptions,
    #[serde(default)]
    pub lambda: LambdaOptions,
    #[serde(default)]
    pub analytics: AnalyticsOptions,
    #[serde(default)]
    pub athena: AthenaOptions,
    #[serde(default)]
    pub generator: GeneratorOptions,
    /// Where Terraform keeps the stack's state: omitted, a local
    /// `terraform.tfstate` in the stack's directory (the default); `s3`, a
    /// bucket shared by the class, one key per student, with locking;
    /// `http`, GitLab-managed Terraform state, addressed by the CI job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::base::field_schema::backend")]
    pub backend: Option<Backend>,
    /// Hours after which the stack's stream deletes itself, 1 to 720:
    /// the stack gets a scheduled function (the reaper) that deletes the
    /// stream once it is that old, so a forgotten stack stops billing.
    /// Unset: no reaper, the stream stays until `terraform destroy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 720))]
    pub expire_after_hours: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Terraform >= 0.14 with hashicorp/aws ~> 3.27, as in the handout.
    Classic,
    /// Terraform >= 1.5 with hashicorp/aws ~> 6.0: deploys on AWS today.
    /// The default since it passes its checks (provider 6.25.0 schema,
    /// `terraform fmt`), as the input contract foresaw.
    #[default]
    Modern,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyStyle {
    /// Each role may do only what its service needs, on this student's resources.
    #[default]
    LeastPrivilege,
    /// The handout's broad policies (`kinesis:*`, `s3:*`), for courses that teach from them.
    Lab,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamOptions {
    /// AWS Academy Learner Lab: create no IAM roles or policies; every
    /// service uses this existing role (usually `LabRole`).
    #[serde(default)]
    #[schemars(regex(pattern = r"^[A-Za-z0-9+=,.@_-]{1,64}$"))]
    pub existing_role: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Student {
    /// Full name, used in the `Owner` tag: letters of any script, digits,
    /// spaces and `+ - = . _ : / @`, at most 256 characters.
    #[schemars(schema_with = "crate::base::field_schema::full_name")]
    pub name: String,
    /// Lowercase ASCII letters, e.g. `jk`.
    #[schemars(regex(pattern = r"^[a-z]+$"))]
    pub initials: String,
    /// Student index number: digits (or `s` and digits, the university
    /// login), quoted.
    #[schemars(regex(pattern = r"^s?[0-9]+$"))]
    pub index_no: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StreamOptions {
    /// Number of shards of the Kinesis Data Stream, 1 to 500 (handout: 1).
    #[schemars(range(min = 1, max = 500))]
    pub shard_count: u32,
    /// Retention in hours, 24 to 8760 (handout: the default, 24).
    #[schemars(range(min = 24, max = 8760))]
    pub retention_hours: u32,
}

impl StudentSpec {
    /// The spec's edition (the built-in default when none was resolved).
    pub fn edition(&self) -> std::sync::Arc<crate::base::edition::Edition> {
        if let Some(edition) = &self.resolved_edition {
            return edition.clone();
        }
        // A built-in edition named but not yet resolved (a spec built in
        // code rather than loaded) is found by its name.
        if let Some(edition) = self
            .edition
            .as_deref()
            .and_then(crate::base::edition::Edition::built_in)
        {
            return std::sync::Arc::new(edition);
        }
        {
            static DEFAULT: std::sync::OnceLock<std::sync::Arc<crate::base::edition::Edition>> =
                std::sync::OnceLock::new();
            DEFAULT
                .get_or_init(|| {
                    std::sync::Arc::new(
                        crate::base::edition::Edition::built_in(crate::base::edition::DEFAULT)
                            .expect("the default edition is built in"),
                    )
                })
                .clone()
        }
    }
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            shard_count: 1,
            retention_hours: 24,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FirehoseOptions {
    /// Buffer size in MiB before Firehose writes an object, 1 to 128 (handout: 1).
    #[schemars(range(min = 1, max = 128))]
    pub buffer_size_mb: u32,
    /// Buffer interval in seconds, 60 to 900 (handout: 60).
    #[schemars(range(min = 60, max = 900))]
    pub buffer_interval_s: u32,
}

impl Default for FirehoseOptions {
    fn default() -> Self {
        Self {
            buffer_size_mb: 1,
            buffer_interval_s: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LambdaOptions {
    /// Python runtime of the Lambda functions. Default: `python3.8` for
    /// classic (the newest provider 3.x accepts with the handout's layer),
    /// `python3.12` for modern.
    #[schemars(schema_with = "crate::base::field_schema::runtime")]
    pub runtime: Option<String>,
    /// ETL function timeout in seconds, 1 to 900 (handout: 300).
    #[schemars(range(min = 1, max = 900))]
    pub timeout_s: u32,
    /// ETL function memory in MB, 128 to 10240 (handout: 512).
    #[schemars(range(min = 128, max = 10240))]
    pub memory_mb: u32,
    /// Classic only: path of the awswrangler layer zip, relative to the
    /// rendered stack. Default: `lambda/awswrangler-layer-2.7.0-py3.8.zip`
    /// (the course repository's file).
    #[schemars(schema_with = "crate::base::field_schema::layer_zip")]
    pub layer_zip: Option<String>,
    // The table is `aws::PANDAS_LAYERS` now. The doc comment below is
    // published in the JSON Schema, so it keeps the old name until the
    // schema is changed on purpose (this move changes no output).
    /// Modern only: version of the AWS-managed layer
    /// `AWSSDKPandas-Python3xx` to use. Default: the version AWS published
    /// for the region and runtime with awswrangler 3.17.0 (`features::PANDAS_LAYERS`).
    #[schemars(schema_with = "crate::base::field_schema::layer_version")]
    pub layer_version: Option<u32>,
}

impl Default for LambdaOptions {
    fn default() -> Self {
        Self {
            runtime: None,
            timeout_s: 300,
            memory_mb: 512,
            layer_zip: None,
            layer_version: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyticsOptions {
    /// Emit exercise 5 (streaming anomaly detection) at all.
    pub enabled: bool,
    /// What runs the detection: `sql` (the handout's Kinesis Analytics
    /// application; classic's default) or `lambda` (a function reading the
    /// stream; modern's default and only choice).
    pub engine: Option<Engine>,
    /// Symbol whose trades are watched (handout: `BTC_USD`).
    #[schemars(regex(pattern = r"^[A-Z0-9_]{1,8}$"))]
    pub symbol: String,
    /// A trade is flagged when its dollar amount exceeds this many times
    /// the window average, above 0 and at most 1000 (handout: 4).
    #[schemars(schema_with = "crate::base::field_schema::threshold")]
    pub threshold: f64,
    /// Length of the averaging window in seconds, 1 to 3600 (handout: 30).
    #[schemars(range(min = 1, max = 3600))]
    pub window_seconds: u32,
    /// SQL engine: start the application when it is created (it costs
    /// about $0.11 per hour while running).
    pub start: bool,
    /// SQL engine: emit the alert Lambda that logs each flagged trade
    /// (handout exercise 5g; the `lambda` engine logs alerts itself).
    pub alert_lambda: bool,
    /// Emit the Firehose that loads alerts into the lake (handout exercise 5h).
    pub alerts_firehose: bool,
}

impl Default for AnalyticsOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            engine: None,
            symbol: "BTC_USD".to_owned(),
            threshold: 4.0,
            window_seconds: 30,
            start: true,
            alert_lambda: true,
            alerts_firehose: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Kinesis Data Analytics for SQL, as in the handout.
    Sql,
    /// A Lambda function on the stream applying the same rule.
    Lambda,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AthenaOptions {
    /// Symbols the processed table's partition projection enumerates.
    #[schemars(schema_with = "crate::base::field_schema::symbols")]
    pub symbols: Vec<String>,
    /// First year of the partition projection, from 1970 (and at most
    /// `last_year`, which validation checks).
    #[schemars(range(min = 1970))]
    pub first_year: u32,
    /// Last year of the partition projection.
    pub last_year: u32,
    /// Days before Athena query results under `athena_output/` expire, 1 to 3650.
    #[schemars(range(min = 1, max = 3650))]
    pub results_expire_days: u32,
}

impl Default for AthenaOptions {
    fn default() -> Self {
        Self {
            symbols: vec!["BTC_USD".into(), "ETH_USD".into(), "LTC_USD".into()],
            first_year: 2020,
            last_year: 2030,
            results_expire_days: 7,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GeneratorOptions {
    /// Input CSV for the generator (`-i`); omitted: the generator's own default.
    pub input_csv: Option<String>,
    /// The course generator's `-s`, kept under its first name. Despite the
    /// name it is not a rate: the generator sleeps (Δ transaction_ts) / N
    /// between trades, replaying event time N times faster. Prefer
    /// `speedup`, which means the same.
    #[schemars(range(min = 1, max = 1000))]
    pub messages_per_second: Option<u32>,
    /// How many times faster than event time the generator replays the
    /// trades (the course generator's `-s`, `stackgen replay --speed`);
    /// omitted: no pacing, trades are sent back to back.
    pub speedup: Option<f64>,
    /// Replay the file once and stop (`-r`).
    pub single_run: bool,
}

/// Remote state. The spelling is a fixed contract: `backend: { s3: { ... } }`
/// or `backend: { http: {} }`. Exactly one of the two is given, which
/// validation checks (SG406): a struct rather than an enum, because
/// serde_yaml reads an enum from a YAML tag (`!s3`) instead of a key, and
/// so that a file giving both or neither gets a diagnostic at its place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    /// Terraform's S3 backend: every student's state in one bucket, under
    /// `<key_prefix>/<index_no>-<initials>/terraform.tfstate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Backend>,
    /// Terraform's HTTP backend as GitLab serves it: the address, the lock
    /// address and the credentials come from the CI job (`-backend-config`
    /// or `TF_HTTP_*` variables); the state's name is the student's
    /// directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpBackend>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Backend {
    /// The state bucket, which `render` of a class creates in `bootstrap/`:
    /// an S3 bucket name (3-63 lowercase letters, digits, `-` and `.`).
    #[schemars(schema_with = "crate::base::field_schema::bucket")]
    pub bucket: String,
    /// The bucket's region code.
    #[schemars(schema_with = "crate::base::field_schema::region")]
    pub region: String,
    /// What every student's key starts with: 1-200 letters, digits and
    /// `_ . - /`, segments separated by single `/`, no segment `.` or `..`.
    #[schemars(schema_with = "crate::base::field_schema::key_prefix")]
    pub key_prefix: String,
    /// The DynamoDB table that locks the state. Required by the classic
    /// target (Terraform 0.14 locks only through DynamoDB); the modern
    /// target locks with a lock file beside the state (`use_lockfile`) and
    /// does not use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::base::field_schema::lock_table")]
    pub lock_table: Option<String>,
}

/// GitLab-managed state takes no settings in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpBackend {}

impl Student {
    /// The student's directory in a class's output, and the part of the
    /// state key that names them: `<index_no>-<initials>`.
    pub fn dir(&self) -> String {
        format!("{}-{}", self.index_no, self.initials)
    }
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

fn default_log_retention_days() -> u32 {
    14
}

fn default_environment() -> String {
    "dev".to_owned()
}

/// A whole class: shared settings and a list of students (inline or from a
/// roster CSV). Every student gets the stack a student file with the
/// defaults and their own fields would give.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "stackgen class file")]
pub struct ClassSpec {
    /// The course, e.g. `uam-cloud-2026`; shown in the class summary.
    pub course: String,
    /// Target for every student (the same as `defaults.target`).
    #[serde(default)]
    pub target: Option<Target>,
    /// Any key of the student file except `student`, applied to every
    /// student. Kept untyped until it is merged into each student; its
    /// schema is the student file's with every key optional.
    #[serde(default)]
    #[schemars(schema_with = "crate::base::field_schema::class_defaults")]
    pub defaults: serde_json::Map<String, serde_json::Value>,
    /// The students, inline. Exactly one of `students` and `roster` is given.
    #[serde(default)]
    pub students: Option<Vec<ClassStudent>>,
    /// A CSV with a header row (`,`, `;` or tab separated; UTF-8 or
    /// Windows-1250): the name (one column or two), the index number, and
    /// optionally `initials`, `account_id`, `region` and `environment`;
    /// relative to the class file.
    #[serde(default)]
    pub roster: Option<String>,
    // What `quotas` holds is said on `Quotas` (a doc comment here would
    // wrap the schema's reference in an `allOf`).
    #[serde(default)]
    pub quotas: Quotas,
    /// The CI pipeline `render` writes into the class's output root:
    /// `github` or `gitlab`, or `{ kind, role_arn, max_parallel }`. Absent:
    /// none (unless `render --ci` asks for one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<Ci>,
}

/// `ci:` in a class file. The spelling is a fixed contract: `ci: github`,
/// `ci: gitlab`, or `ci: { kind: github|gitlab, role_arn: ARN, max_parallel: N }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Ci {
    Kind(CiKind),
    Settings(CiSettings),
}

// By hand rather than `untagged`: serde's untagged enums report any
// mistake as "data did not match any variant"; this gives the string's or
// the mapping's own error (an unknown kind, an unknown key).
impl<'de> Deserialize<'de> for Ci {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Ci;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`github`, `gitlab` or `{ kind, role_arn, max_parallel }`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Ci, E> {
                CiKind::deserialize(serde::de::value::StrDeserializer::<E>::new(v)).map(Ci::Kind)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Ci, A::Error> {
                CiSettings::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(Ci::Settings)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Which CI system's pipeline is written.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CiKind {
    /// GitHub Actions: `.github/workflows/stackgen-class.yml`.
    Github,
    /// GitLab CI: `.gitlab-ci.yml`.
    Gitlab,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CiSettings {
    pub kind: CiKind,
    /// The IAM role the CI jobs assume through OIDC
    /// (`arn:aws:iam::123456789012:role/NAME`). Absent: the pipeline reads
    /// it from the CI variable `STACKGEN_ROLE_ARN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = r"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$"
    ))]
    pub role_arn: Option<String>,
    /// How many students' jobs run at once, class-wide (1-256). Default: 5
    /// when students share an account (AWS creates at most 5 Kinesis
    /// streams at a time per account), 20 with one account per student.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 256))]
    pub max_parallel: Option<u32>,
}

impl Ci {
    pub fn kind(&self) -> CiKind {
        match self {
            Self::Kind(kind) => *kind,
            Self::Settings(s) => s.kind,
        }
    }
}

/// AWS quotas raised above their defaults, in every account of the class
/// (`quotas: { iam_roles: 5000 }`): the class is checked against these
/// instead of the defaults. Each is a whole number from 1, in the quota's
/// unit (Lambda storage in GB).
// Each key is the `key` of one row of `aws::QUOTAS` (a unit test checks
// that the two list the same keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Quotas {
    /// IAM roles per account (default 1,000).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub iam_roles: Option<u64>,
    /// S3 general purpose buckets per account (default 10,000).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub s3_buckets: Option<u64>,
    /// Kinesis Data Streams shards per region (default 500 in us-east-1,
    /// us-west-2 and eu-west-1, 200 elsewhere).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub kinesis_shards: Option<u64>,
    /// Firehose streams per region (default 5,000).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub firehose_streams: Option<u64>,
    /// Glue databases per account and region (default 10,000).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub glue_databases: Option<u64>,
    /// Glue crawlers per account and region (default 1,000).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub glue_crawlers: Option<u64>,
    /// Athena workgroups per region (default 1,000).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub athena_workgroups: Option<u64>,
    /// Lambda function and layer storage per region, in GB (default 75).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub lambda_storage_gb: Option<u64>,
    /// Standard SSM parameters per region (default 10,000).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub ssm_parameters: Option<u64>,
    /// EventBridge rules per event bus (default 300; 100 in af-south-1
    /// and eu-south-1).
    #[schemars(schema_with = "crate::base::field_schema::quota")]
    pub eventbridge_rules: Option<u64>,
}

impl Quotas {
    /// The raised value of the quota whose `aws::QUOTAS` key is `key`.
    pub fn raised(&self, key: &str) -> Option<u64> {
        match key {
            "iam_roles" => self.iam_roles,
            "s3_buckets" => self.s3_buckets,
            "kinesis_shards" => self.kinesis_shards,
            "firehose_streams" => self.firehose_streams,
            "glue_databases" => self.glue_databases,
            "glue_crawlers" => self.glue_crawlers,
            "athena_workgroups" => self.athena_workgroups,
            "lambda_storage_gb" => self.lambda_storage_gb,
            "ssm_parameters" => self.ssm_parameters,
            "eventbridge_rules" => self.eventbridge_rules,
            _ => None,
        }
    }
}

/// One student of a class; what is not given comes from `defaults`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassStudent {
    #[schemars(schema_with = "crate::base::field_schema::full_name")]
    pub name: String,
    #[schemars(regex(pattern = r"^s?[0-9]+$"))]
    pub index_no: String,
    /// Derived from the name when omitted (`Łukasz Żak` -> `lz`).
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z]+$"))]
    pub initials: Option<String>,
    #[serde(default)]
    #[schemars(regex(pattern = r"^[0-9]{12}$"))]
    pub account_id: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "crate::base::field_schema::optional_region")]
    pub region: Option<String>,
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z][a-z0-9]*$"))]
    pub environment: Option<String>,
}
