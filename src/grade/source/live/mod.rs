//! `grade --live`: what the student's AWS account holds, read with
//! Describe, Get and List calls only, into the model every check reads.
//!
//! - `fetch.rs`: each graded resource, looked up by the exact name the
//!   edition gives it, as the Terraform resource it would be (its type and
//!   attributes), with the IAM roles the resources name;
//! - `data.rs`: the data flow (records, objects, crawls, Parquet rows,
//!   alerts, logs) into `flow::Flow`;
//! - `parquet.rs`: a Parquet file's row count from its footer.
//!
//! Credentials, the profile and `AWS_ENDPOINT_URL` come from the standard
//! chain (`live::sdk`). Students run side by side, at most `jobs` at once,
//! on one thread (every call waits on the network); the SDK retries
//! throttled calls with backoff.
//!
//! A call the credentials may not make is recorded, never a failure: the
//! checks that needed it are `unknown` with "access denied".

mod data;
mod fetch;
pub mod parquet;

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_s3::error::ProvideErrorMetadata;

use super::super::observed::Observed;
use crate::live::aws::caller_account;
use crate::live::sdk::{self, Retries};
use crate::stack::Stack;

/// How many students are read at once unless `--jobs` says otherwise:
/// behind 50 ms of latency, 8 graded a 30-student class 7.4 times faster
/// than one at a time (docs/src/internals/benchmarks.md), and stay under
/// AWS's per-account rates for the control-plane reads (the SDK's retries
/// absorb the rest).
pub const DEFAULT_JOBS: usize = 8;

/// How many attempts a call gets (the SDK's standard retries, with backoff
/// on throttling).
const ATTEMPTS: u32 = 5;

/// Where to read from.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub profile: Option<String>,
    /// Overrides each student's region.
    pub region: Option<String>,
    pub jobs: usize,
}

/// One student's account as read, or why it was not.
pub type Reading = Result<Observed, Unreachable>;

/// A student whose account the credentials do not reach.
#[derive(Debug, Clone)]
pub struct Unreachable {
    pub why: String,
}

/// The clients of one region.
#[derive(Clone)]
pub(crate) struct Clients {
    pub s3: aws_sdk_s3::Client,
    pub kinesis: aws_sdk_kinesis::Client,
    pub firehose: aws_sdk_firehose::Client,
    pub glue: aws_sdk_glue::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub iam: aws_sdk_iam::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub athena: aws_sdk_athena::Client,
}

impl Clients {
    fn new(config: &aws_config::SdkConfig) -> Self {
        // With an endpoint of its own (moto, LocalStack) S3 is addressed by
        // path: a bucket's name is not a host name there.
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        Self {
            s3: aws_sdk_s3::Client::from_conf(s3),
            kinesis: aws_sdk_kinesis::Client::new(config),
            firehose: aws_sdk_firehose::Client::new(config),
            glue: aws_sdk_glue::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            athena: aws_sdk_athena::Client::new(config),
        }
    }
}

/// Reads every student's account, `options.jobs` at once; the readings
/// come back in the order of `stacks`.
pub fn read(stacks: Vec<Stack>, options: &Options) -> Result<Vec<Reading>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(read_all(stacks, options))
}

async fn read_all(stacks: Vec<Stack>, options: &Options) -> Result<Vec<Reading>, String> {
    let region_of = |stack: &Stack| {
        options
            .region
            .clone()
            .unwrap_or_else(|| stack.spec.region.clone())
    };
    // One set of clients per region, and the account they reach.
    let mut regions: BTreeMap<String, (Clients, Result<String, String>)> = BTreeMap::new();
    for stack in &stacks {
        let region = region_of(stack);
        if regions.contains_key(&region) {
            continue;
        }
        let config = sdk::config(
            &region,
            options.profile.as_deref(),
            Retries::Standard(ATTEMPTS),
        )
        .await;
        let account = caller_account(&config).await;
        regions.insert(region, (Clients::new(&config), account));
    }
    let permits = Arc::new(tokio::sync::Semaphore::new(options.jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, stack) in stacks.into_iter().enumerate() {
        let region = region_of(&stack);
        let (clients, account) = &regions[&region];
        let reach = match account {
            Err(e) => Err(format!("the credentials reach no account ({e})")),
            Ok(a) if *a != stack.spec.account_id => Err(format!(
                "the credentials reach account {a}, not the student's {}",
                stack.spec.account_id
            )),
            Ok(_) => Ok(clients.clone()),
        };
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let reading = match reach {
                Err(why) => Err(Unreachable { why }),
                Ok(clients) => {
                    let _permit = permits.acquire_owned().await;
                    Ok(read_student(&clients, &stack, &region).await)
                }
            };
            (i, reading)
        });
    }
    let mut readings: Vec<Option<Reading>> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (i, reading) = done.map_err(|e| format!("a student's reading stopped: {e}"))?;
        if readings.len() <= i {
            readings.resize(i + 1, None);
        }
        readings[i] = Some(reading);
    }
    Ok(readings.into_iter().flatten().collect())
}

/// One student's account: the graded resources, then the data flow.
async fn read_student(clients: &Clients, stack: &Stack, region: &str) -> Observed {
    let mut reader = fetch::Reader::new(clients, stack, region);
    reader.resources().await;
    let mut observed = reader.finish();
    // DescribeStreamSummary was made by `fetch`: not again for the flow.
    let retention = observed
        .resources
        .iter()
        .find(|r| r.kind == "aws_kinesis_stream")
        .and_then(|r| r.values.get("retention_period"))
        .and_then(|v| v.to_json().as_i64())
        .and_then(|h| i32::try_from(h).ok());
    observed.flow = Some(data::read(clients, stack, retention).await);
    observed
}

/// What went wrong with a call, as far as grading cares.
#[derive(Debug, Clone)]
pub(crate) enum Fault {
    /// There is no such resource.
    Missing,
    /// The credentials may not make the call.
    Refused(String),
    Other(String),
}

/// Error codes that say "no such resource", across the services read.
const NOT_FOUND: &[&str] = &[
    "NoSuchBucket",
    "NoSuchKey",
    "NotFound",
    "NoSuchEntity",
    "NoSuchLifecycleConfiguration",
    "NoSuchTagSet",
    "NoSuchTagSetError",
    "ResourceNotFoundException",
    "EntityNotFoundException",
    "CrawlerNotFoundException",
];

/// Sorts an SDK error. Denials differ by service and by server: AWS answers
/// 403 `AccessDenied` (S3, IAM) or 400 `AccessDeniedException` (the JSON
/// services); moto answers 403 with a body some SDK parsers cannot read.
pub(crate) fn fault<E>(e: &aws_sdk_s3::error::SdkError<E>) -> Fault
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = e.raw_response().map(|r| r.status().as_u16());
    let code = e.code().unwrap_or_default();
    let denied = status == Some(403)
        || code.starts_with("AccessDenied")
        || matches!(code, "UnauthorizedOperation" | "AuthorizationError");
    if denied {
        Fault::Refused(sdk::error_text(e))
    } else if NOT_FOUND.contains(&code)
        || (status == Some(404) && code.is_empty())
        // Athena's word for a workgroup that does not exist.
        || (code == "InvalidRequestException"
            && e.message().is_some_and(|m| m.contains("not found")))
    {
        Fault::Missing
    } else {
        Fault::Other(sdk::error_text(e))
    }
}
