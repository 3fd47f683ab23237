//! The AWS calls of `status` and `sweep`, and nothing else: which account
//! the credentials reach (STS `GetCallerIdentity`), and for each kind of
//! billed resource (`billed::Api`) how to read one by its exact name, read
//! its tags, and delete it.
//!
//! Every call names one resource by its full name; nothing is listed, so
//! nothing is ever matched by a prefix. Each was checked against moto
//! server 5.2.5 (tests/live): the Rust SDK's Kinesis and STS protocols are
//! the ones moto answers.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_kinesis::error::ProvideErrorMetadata;
use aws_smithy_types::DateTime;

use super::billed::Api;
use super::sdk::error_text;

/// One billed resource as AWS reports it.
#[derive(Debug, Clone)]
pub struct Summary {
    pub name: String,
    pub arn: String,
    /// AWS's word for its state: `ACTIVE`, `CREATING`, `UPDATING`, `DELETING`.
    pub status: String,
    pub created: DateTime,
    /// How many of what it bills for it has now (a stream's open shards).
    pub units: u32,
}

impl Summary {
    /// Whether AWS is deleting it already (it stops billing).
    pub fn deleting(&self) -> bool {
        self.status == "DELETING"
    }
}

/// The calls, each with the rate AWS allows it per account (the Amazon
/// Kinesis Data Streams API Reference, each action's page: "a limit of
/// five transactions per second per account", twenty for
/// DescribeStreamSummary). A class-sized look paces itself under them
/// rather than being throttled and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    DescribeStreamSummary,
    ListTagsForStream,
    DeleteStream,
}

impl Call {
    fn per_second(self) -> u32 {
        match self {
            Call::DescribeStreamSummary => 20,
            Call::ListTagsForStream | Call::DeleteStream => 5,
        }
    }
}

/// The clients of one region.
pub struct Clients {
    kinesis: aws_sdk_kinesis::Client,
    /// When each call may next be made.
    next: Mutex<BTreeMap<Call, Instant>>,
}

impl Clients {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            kinesis: aws_sdk_kinesis::Client::new(config),
            next: Mutex::new(BTreeMap::new()),
        }
    }

    /// Waits for `call`'s next slot.
    async fn pace(&self, call: Call) {
        let now = Instant::now();
        let at = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let at = next.get(&call).copied().unwrap_or(now).max(now);
            next.insert(call, at + Duration::from_secs(1) / call.per_second());
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }

    /// The resource named `name`, or None when there is none by that name.
    pub async fn find(&self, api: Api, name: &str) -> Result<Option<Summary>, String> {
        match api {
            Api::KinesisStream => {
                self.pace(Call::DescribeStreamSummary).await;
                let answer = self
                    .kinesis
                    .describe_stream_summary()
                    .stream_name(name)
                    .send()
                    .await;
                match answer {
                    Ok(out) => Ok(out.stream_description_summary().map(|s| Summary {
                        name: s.stream_name().to_owned(),
                        arn: s.stream_arn().to_owned(),
                        status: s.stream_status().as_str().to_owned(),
                        created: *s.stream_creation_timestamp(),
                        units: u32::try_from(s.open_shard_count()).unwrap_or(0),
                    })),
                    Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(None),
                    Err(e) => Err(error_text(&e)),
                }
            }
        }
    }

    /// The resource's tags, every page of them.
    pub async fn tags(&self, api: Api, name: &str) -> Result<BTreeMap<String, String>, String> {
        match api {
            Api::KinesisStream => {
                let mut tags = BTreeMap::new();
                let mut start: Option<String> = None;
                loop {
                    self.pace(Call::ListTagsForStream).await;
                    let out = self
                        .kinesis
                        .list_tags_for_stream()
                        .stream_name(name)
                        .set_exclusive_start_tag_key(start.take())
                        .send()
                        .await
                        .map_err(|e| error_text(&e))?;
                    for tag in out.tags() {
                        tags.insert(
                            tag.key().to_owned(),
                            tag.value().unwrap_or_default().to_owned(),
                        );
                    }
                    match (out.has_more_tags(), out.tags().last()) {
                        (true, Some(last)) => start = Some(last.key().to_owned()),
                        _ => return Ok(tags),
                    }
                }
            }
        }
    }

    /// Deletes the resource. A stream's registered consumers are deleted
    /// with it (they would otherwise keep it from being deleted).
    pub async fn delete(&self, api: Api, name: &str) -> Result<(), String> {
        match api {
            Api::KinesisStream => {
                self.pace(Call::DeleteStream).await;
                self.kinesis
                    .delete_stream()
                    .stream_name(name)
                    .enforce_consumer_deletion(true)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| error_text(&e))
            }
        }
    }
}

/// The account the credentials belong to.
pub async fn caller_account(config: &aws_config::SdkConfig) -> Result<String, String> {
    let out = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| error_text(&e))?;
    out.account()
        .map(str::to_owned)
        .ok_or_else(|| "GetCallerIdentity answered without an account".to_owned())
}
