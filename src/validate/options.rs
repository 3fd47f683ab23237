//! The optional sections: numeric ranges the AWS APIs enforce, the Lambda
//! runtime, and values that end up inside SQL or table properties.
//!
//! Why: each of these fails at `apply` (or, for the SQL values, silently
//! produces a query that matches nothing) if it is out of range.

use crate::aws::LOG_RETENTION_DAYS;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::model::StudentSpec;

#[allow(clippy::too_many_lines)] // one line per range rule reads best as a table
pub fn check(spec: &StudentSpec) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut range = |code, field: &str, value: u32, min: u32, max: u32, why: &str| {
        if !(min..=max).contains(&value) {
            found.push(
                Diagnostic::new(
                    code,
                    field,
                    format!("`{field}` is {value}, outside {min}-{max}"),
                )
                .rule(format!("{field} must be {min} to {max}: {why}"))
                .fix(format!("choose a value from {min} to {max}")),
            );
        }
    };
    range(Code::SG301, "stream.shard_count", spec.stream.shard_count, 1, 500, "Kinesis allows at least 1 and accounts start with a 500-shard quota; each shard costs about $0.015 per hour");
    range(
        Code::SG302,
        "stream.retention_hours",
        spec.stream.retention_hours,
        24,
        8760,
        "Kinesis keeps records 24 hours to 365 days",
    );
    range(
        Code::SG303,
        "firehose.buffer_size_mb",
        spec.firehose.buffer_size_mb,
        1,
        128,
        "Firehose buffers 1 to 128 MiB",
    );
    range(
        Code::SG304,
        "firehose.buffer_interval_s",
        spec.firehose.buffer_interval_s,
        60,
        900,
        "Firehose flushes every 60 to 900 seconds",
    );
    range(
        Code::SG306,
        "lambda.timeout_s",
        spec.lambda.timeout_s,
        1,
        900,
        "Lambda runs at most 15 minutes",
    );
    range(
        Code::SG307,
        "lambda.memory_mb",
        spec.lambda.memory_mb,
        128,
        10240,
        "Lambda memory is 128 MB to 10,240 MB",
    );
    range(
        Code::SG312,
        "analytics.window_seconds",
        spec.analytics.window_seconds,
        1,
        3600,
        "the averaging window is a positive number of seconds, at most an hour",
    );
    range(
        Code::SG314,
        "athena.first_year",
        spec.athena.first_year,
        1970,
        spec.athena.last_year.max(1970),
        "the projection starts no earlier than 1970 and no later than `athena.last_year`",
    );
    range(
        Code::SG315,
        "athena.results_expire_days",
        spec.athena.results_expire_days,
        1,
        3650,
        "query results expire after 1 day to 10 years",
    );
    if let Some(rate) = spec.generator.messages_per_second {
        range(
            Code::SG316,
            "generator.messages_per_second",
            rate,
            1,
            1000,
            "one shard accepts at most 1,000 records per second",
        );
    }
    found.extend(log_retention(spec.log_retention_days));
    found.extend(symbol(
        Code::SG310,
        "analytics.symbol",
        &spec.analytics.symbol,
    ));
    for (i, s) in spec.athena.symbols.iter().enumerate() {
        found.extend(symbol(Code::SG313, &format!("athena.symbols[{i}]"), s));
    }
    if spec.athena.symbols.is_empty() {
        found.push(
            Diagnostic::new(Code::SG313, "athena.symbols", "`athena.symbols` is empty")
                .rule("partition projection needs the list of symbols the ETL function writes")
                .fix("list the symbols of the data set, e.g. [BTC_USD, ETH_USD, LTC_USD]"),
        );
    }
    let threshold = spec.analytics.threshold;
    if !(threshold.is_finite() && threshold > 0.0 && threshold <= 1000.0) {
        found.push(
            Diagnostic::new(Code::SG311, "analytics.threshold", format!("threshold `{threshold}` is not a positive factor up to 1000"))
                .rule("a trade is flagged when its dollar amount exceeds threshold x the window average; the factor must be above 0 and at most 1000")
                .fix("use the handout's 4, or another positive factor"),
        );
    }
    found
}

fn log_retention(days: u32) -> Option<Diagnostic> {
    (!LOG_RETENTION_DAYS.contains(&days)).then(|| {
        let allowed: Vec<String> = LOG_RETENTION_DAYS.iter().map(u32::to_string).collect();
        Diagnostic::new(
            Code::SG309,
            "log_retention_days",
            format!("`{days}` is not a retention CloudWatch Logs offers"),
        )
        .rule(format!(
            "CloudWatch Logs keeps logs for one of: {}",
            allowed.join(", ")
        ))
        .fix("pick one of those values, e.g. 14")
    })
}

pub(super) fn layer_zip(path: &str) -> Option<Diagnostic> {
    let ok = std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e == "zip")
        && !path.contains(['"', '\\', '$', '%'])
        && !path.starts_with('/')
        && !path.chars().any(char::is_control);
    (!ok).then(|| {
        Diagnostic::new(Code::SG308, "lambda.layer_zip", format!("layer path `{path}` is not a relative path to a .zip file"))
            .rule("the awswrangler layer zip is given relative to the rendered stack, with `/` separators, ending in `.zip`, without quotes, `$` or `%`")
            .fix("write e.g. `lambda/awswrangler-layer-2.7.0-py3.8.zip` and put the course's layer zip there")
    })
}

/// Symbols appear in SQL string literals and in a comma-separated
/// projection list, so they are restricted to what the data set uses.
fn symbol(code: Code, field: &str, value: &str) -> Option<Diagnostic> {
    let ok = !value.is_empty()
        && value.len() <= 8
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    (!ok).then(|| {
        Diagnostic::new(code, field, format!("symbol `{value}` is not 1-8 uppercase letters, digits or `_`"))
            .rule("symbols are written like the data set's `BTC_USD`: the analytics input column is VARCHAR(8)")
            .fix(format!("write it as in the data, e.g. `{}`", value.to_ascii_uppercase().replace('-', "_")))
    })
}
