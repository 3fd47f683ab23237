//! The Kinesis side of `replay`: the SDK client and one PutRecords call,
//! with its outcome sorted into what was stored, what to retry and what
//! cannot succeed. Retrying is the caller's (`super::Replayer`), so every
//! retry is counted in the summary: the SDK's own retries are turned off.

use aws_sdk_kinesis::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use aws_sdk_kinesis::Client;
use aws_smithy_types::retry::ErrorKind;

use super::trades::Trade;
use crate::live::sdk::{self, describe};

/// PutRecords limits, from the API reference (the PutRecords page of the
/// Amazon Kinesis Data Streams API Reference, as repeated in the AWS SDK
/// for JavaScript v3 `PutRecordsCommand` reference): "Each PutRecords
/// request can support up to 500 records. Each record in the request can
/// be as large as 1 MiB, up to a limit of 5 MiB for the entire request,
/// including partition keys."
pub const MAX_RECORDS: usize = 500;
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;
pub const MAX_REQUEST_BYTES: usize = 5 * 1024 * 1024;

/// Bytes a record counts for against the limits: data plus partition key.
pub fn record_bytes(trade: &Trade) -> usize {
    trade.payload.len() + trade.symbol.len()
}

/// A client for the stack's region. Credentials, profile and
/// `AWS_ENDPOINT_URL` come from the environment, as for any AWS tool; the
/// SDK's own retries are off (see the module's comment).
pub async fn client(region: &str) -> Client {
    Client::new(&sdk::config(region, None, sdk::Retries::Off).await)
}

/// What one PutRecords call did with a batch.
pub enum Outcome {
    /// Kinesis answered; `refused` are the positions (in the batch) of the
    /// records it did not store, with the first error code among them.
    Answered {
        refused: Vec<usize>,
        code: Option<String>,
    },
    /// The whole request failed in a way that may pass on a retry
    /// (throttling, a 5xx, a timeout, a dropped connection).
    Retry(String),
    /// The request cannot succeed as it is (no such stream, no access,
    /// no credentials): retrying would only repeat the error.
    Fatal(String),
}

/// Error codes of a whole request that a later attempt may not get.
const RETRYABLE_CODES: [&str; 6] = [
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
    "KMSThrottlingException",
    "ThrottlingException",
    "InternalFailure",
    "ServiceUnavailable",
];

/// Sends `batch` (indices into `trades`) to `stream` in one PutRecords.
pub async fn put(client: &Client, stream: &str, trades: &[Trade], batch: &[usize]) -> Outcome {
    let mut entries = Vec::with_capacity(batch.len());
    for &i in batch {
        let entry = PutRecordsRequestEntry::builder()
            .data(Blob::new(trades[i].payload.clone()))
            .partition_key(&trades[i].symbol)
            .build();
        match entry {
            Ok(e) => entries.push(e),
            Err(e) => return Outcome::Fatal(format!("cannot build a record: {e}")),
        }
    }
    match client
        .put_records()
        .stream_name(stream)
        .set_records(Some(entries))
        .send()
        .await
    {
        Ok(out) => {
            if out.failed_record_count().unwrap_or(0) == 0 {
                return Outcome::Answered {
                    refused: Vec::new(),
                    code: None,
                };
            }
            let results = out.records();
            if results.len() != batch.len() {
                // Without one result per record there is no telling which
                // were stored; resending all may duplicate a few, which is
                // better than losing them.
                return Outcome::Retry(format!(
                    "PutRecords answered {} results for {} records",
                    results.len(),
                    batch.len()
                ));
            }
            let refused: Vec<usize> = results
                .iter()
                .enumerate()
                .filter(|(_, r)| r.error_code().is_some())
                .map(|(i, _)| i)
                .collect();
            let code = results
                .iter()
                .find_map(|r| r.error_code())
                .map(str::to_owned);
            Outcome::Answered { refused, code }
        }
        Err(e) => classify(&e),
    }
}

fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(e: &SdkError<E>) -> Outcome {
    let code = e.code().map(str::to_owned);
    let message = e.message().map(str::to_owned);
    let text = match (&code, &message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.clone(),
        _ => describe(e),
    };
    match e {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => Outcome::Retry(text),
        // A dropped connection or a time-out may pass; missing credentials
        // (also a dispatch failure, "other") will not.
        SdkError::DispatchFailure(d) => {
            let transient = d.is_io()
                || d.is_timeout()
                || matches!(
                    d.as_other(),
                    Some(
                        ErrorKind::TransientError
                            | ErrorKind::ThrottlingError
                            | ErrorKind::ServerError
                    )
                );
            if transient {
                Outcome::Retry(text)
            } else {
                Outcome::Fatal(text)
            }
        }
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let retryable = code
                .as_deref()
                .is_some_and(|c| RETRYABLE_CODES.contains(&c))
                || status >= 500;
            if retryable {
                Outcome::Retry(text)
            } else {
                Outcome::Fatal(text)
            }
        }
        _ => Outcome::Fatal(text),
    }
}
