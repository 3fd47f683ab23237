//! The optional sections: numeric ranges the AWS APIs enforce, the Lambda
//! runtime, and values that end up inside SQL or table properties.
//!
//! Why: each of these fails at `apply` (or, for the SQL values, silently
//! produces a query that matches nothing) if it is out of range.

use crate::base::aws::LOG_RETENTION_DAYS;
use crate::base::codes::Code;
use crate::base::diagnostic::Diagnostic;
use crate::base::model::StudentSpec;
use crate::base::part::PartId;

/// A numeric option and the range AWS (or the lab) allows for it.
pub struct Range {
    pub code: Code,
    pub field: &'static str,
    pub min: u32,
    pub max: u32,
    pub why: &'static str,
    pub value: fn(&StudentSpec) -> u32,
}

/// The numeric options' ranges, as a table: validation checks them here,
/// and the JSON Schema gives editors the same minimum and maximum.
pub const RANGES: &[Range] = &[
    Range { code: Code::SG301, field: "stream.shard_count", min: 1, max: 500, why: "Kinesis allows at least 1 and accounts start with a 500-shard quota; each shard costs about $0.015 per hour", value: |s| s.stream.shard_count },
    Range { code: Code::SG302, field: "stream.retention_hours", min: 24, max: 8760, why: "Kinesis keeps records 24 hours to 365 days", value: |s| s.stream.retention_hours },
    Range { code: Code::SG303, field: "firehose.buffer_size_mb", min: 1, max: 128, why: "Firehose buffers 1 to 128 MiB", value: |s| s.firehose.buffer_size_mb },
    Range { code: Code::SG304, field: "firehose.buffer_interval_s", min: 60, max: 900, why: "Firehose flushes every 60 to 900 seconds", value: |s| s.firehose.buffer_interval_s },
    Range { code: Code::SG306, field: "lambda.timeout_s", min: 1, max: 900, why: "Lambda runs at most 15 minutes", value: |s| s.lambda.timeout_s },
    Range { code: Code::SG307, field: "lambda.memory_mb", min: 128, max: 10240, why: "Lambda memory is 128 MB to 10,240 MB", value: |s| s.lambda.memory_mb },
    Range { code: Code::SG312, field: "analytics.window_seconds", min: 1, max: 3600, why: "the averaging window is a positive number of seconds, at most an hour", value: |s| s.analytics.window_seconds },
    Range { code: Code::SG315, field: "athena.results_expire_days", min: 1, max: 3650, why: "query results expire after 1 day to 10 years", value: |s| s.athena.results_expire_days },
    Range { code: Code::SG316, field: "generator.messages_per_second", min: 1, max: 1000, why: "the speed-up is 1 to 1,000 (at 1,000 the lab's day of trades takes 87 seconds)", value: |s| s.generator.messages_per_second.unwrap_or(1) },
];

/// `expire_after_hours`, an option that is off unless set: its range is
/// checked only when it is given (the schema's minimum and maximum are the
/// same, in `base::model`).
pub const EXPIRE_AFTER_HOURS: Range = Range {
    code: Code::SG323,
    field: "expire_after_hours",
    min: 1,
    max: 720,
    why: "the expiry bounds what a forgotten stack costs: at least an hour of lab, and past 30 days (one shard: about $11) it bounds little (leave the key out instead)",
    value: |s| s.expire_after_hours.unwrap_or(1),
};

/// The reaper is a part, so the edition must list it and give its names'
/// patterns; an edition without it would otherwise drop the expiry silently.
fn reaper_in_edition(spec: &StudentSpec) -> Option<Diagnostic> {
    let edition = spec.edition();
    (!edition.has(PartId::Reaper)).then(|| {
        Diagnostic::new(
            Code::SG324,
            "expire_after_hours",
            format!(
                "`expire_after_hours` is set, but edition `{}` has no `reaper` part",
                edition.name
            ),
        )
        .rule("the expiry is the stack's reaper part; an edition lists it under `parts` with patterns for `reaper_function`, `reaper_log_group`, `reaper_rule`, `reaper_role` and `reaper_policy`")
        .fix("add `reaper` and its name patterns to the edition file (see editions/uam-2025.yaml), or remove `expire_after_hours`")
    })
}

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
                .value(value.to_string())
                .rule(format!("{field} must be {min} to {max}: {why}"))
                .fix(format!("choose a value from {min} to {max}")),
            );
        }
    };
    for r in RANGES {
        range(r.code, r.field, (r.value)(spec), r.min, r.max, r.why);
    }
    if let Some(hours) = spec.expire_after_hours {
        let r = EXPIRE_AFTER_HOURS;
        range(r.code, r.field, hours, r.min, r.max, r.why);
    }
    // The one range that depends on another field.
    range(
        Code::SG314,
        "athena.first_year",
        spec.athena.first_year,
        1970,
        spec.athena.last_year.max(1970),
        "the projection starts no earlier than 1970 and no later than `athena.last_year`",
    );
    if spec.expire_after_hours.is_some() {
        found.extend(reaper_in_edition(spec));
    }
    found.extend(speedup(&spec.generator));
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

/// `generator.speedup`: the same setting as `messages_per_second` under
/// its real meaning, so the two cannot both be given.
fn speedup(g: &crate::base::model::GeneratorOptions) -> Option<Diagnostic> {
    let rule = "the speed-up is above 0 and at most 1,000 (`generator.speedup` and `generator.messages_per_second` are one setting: give one)";
    if let (Some(_), Some(_)) = (g.speedup, g.messages_per_second) {
        return Some(
            Diagnostic::new(
                Code::SG316,
                "generator.speedup",
                "`generator.speedup` and `generator.messages_per_second` are both given",
            )
            .rule(rule)
            .fix("keep `generator.speedup` and remove `generator.messages_per_second`"),
        );
    }
    let x = g.speedup?;
    (!(x > 0.0 && x <= 1000.0)).then(|| {
        Diagnostic::new(
            Code::SG316,
            "generator.speedup",
            format!("`generator.speedup` is {x}"),
        )
        .value(x.to_string())
        .rule(rule)
        .fix("give a speed-up such as 10 (ten times faster than the trades happened)")
    })
}
