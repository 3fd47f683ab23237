//! The AWS SDK's configuration, built in one place for every command that
//! talks to an AWS account (`replay`, `status`, `sweep`, `grade --live`).
//!
//! Credentials, the profile and `AWS_ENDPOINT_URL` come from the standard
//! chain (environment, shared files, SSO, roles), as for the AWS CLI; the
//! region is always the student's, never the environment's, since every
//! name stackgen derives lives in one region. The HTTPS client is rustls
//! on ring: the SDK's default pulls in aws-lc, a C library that doubles the
//! build time of a fresh clone.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
// Every SDK crate re-exports the same `SdkError` and `ProvideErrorMetadata`.
use aws_sdk_kinesis::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// How the SDK retries a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retries {
    /// Never: the caller retries and counts every retry (`replay`).
    Off,
    /// The SDK's standard retries with backoff, up to this many attempts
    /// per call (`status`, `sweep`).
    Standard(u32),
}

/// The SDK configuration for `region`, with credentials from `profile`
/// (the standard chain's default when None).
pub async fn config(region: &str, profile: Option<&str>, retries: Retries) -> SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let retry = match retries {
        Retries::Off => RetryConfig::disabled(),
        Retries::Standard(attempts) => RetryConfig::standard().with_max_attempts(attempts),
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .http_client(http)
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_mins(1))
                .build(),
        );
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    loader.load().await
}

/// An SDK error and its causes on one line: the SDK's top-level message
/// alone ("dispatch failure") does not say what went wrong.
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// An SDK error as one line: AWS's code and message when it answered,
/// else the error and its causes. moto answers a refused call with HTTP 403
/// and a body some SDK parsers cannot read: that is said as a denial.
pub fn error_text<E>(e: &SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = e.raw_response().map(|r| r.status().as_u16());
    match (e.code(), e.message(), status) {
        (Some(c), Some(m), _) => format!("{c}: {m}"),
        (Some(c), None, _) => c.to_owned(),
        (None, _, Some(403)) => "HTTP 403 (access denied)".to_owned(),
        _ => describe(e),
    }
}
