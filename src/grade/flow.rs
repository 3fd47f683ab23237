//! The data-flow checks of `grade --live`: what only the account shows,
//! exercise by exercise, from the stream to the processed zone.
//!
//! The live source (`source::live`) reads what the account holds into a
//! `Flow`; this file decides, without any AWS call, what each reading
//! means. A check is placed in the exercise of the part it is about:
//!
//! | check | part | passes when |
//! | --- | --- | --- |
//! | `stream.data.records` | stream | the stream holds records in the generator's format |
//! | `firehose.data.raw_objects` | firehose | objects under the raw prefix's `year=/month=/day=/hour=` layout, JSON lines of that format |
//! | `crawler.data.ran` | crawler | a crawl completed |
//! | `crawler.data.partitions` | crawler | its table exists with partitions |
//! | `etl.data.processed` | etl | Parquet under `symbol=/year=/month=/day=/hour=` |
//! | `etl.data.reconciled` | etl | one symbol's hour has as many rows as the raw zone has trades |
//! | `alerts_firehose.data.alerts` | alerts_firehose | objects under the alerts prefix |
//! | `<function part>.logs.errors` | that part | no error in the function's last day of logs |
//!
//! What is a failure and what is unknown: when neither the stream nor the
//! raw zone holds anything, nothing was sent, and every check here is
//! `unknown` with "send data first". A check whose input another check
//! lacks (no raw objects to reconcile) is `unknown`, so one fault costs
//! the checks of its own exercise only. A read the credentials may not make
//! is `unknown` too, never a failure.

use std::collections::BTreeMap;

use serde_json::Value;

use super::report::{Check, Status};
use crate::base::part::PartId;
use crate::stack::Stack;

/// One reading: what AWS answered, or why there is none.
#[derive(Debug, Clone)]
pub enum Seen<T> {
    Got(T),
    /// The credentials may not make the call (AWS's words).
    Refused(String),
    /// Any other error (AWS's words).
    Failed(String),
}

/// Everything the data-flow checks read, as the live source found it.
#[derive(Debug, Clone)]
pub struct Flow {
    pub records: Seen<Records>,
    pub raw: Seen<Raw>,
    /// None: the stack has no crawler.
    pub crawl: Option<Crawl>,
    /// None: the stack has no ETL function.
    pub processed: Option<Seen<Processed>>,
    /// Objects under the alerts prefix; None: no alerts Firehose.
    pub alerts: Option<Seen<usize>>,
    /// Each function's recent log events, by its part.
    pub logs: Vec<(PartId, String, Seen<Logs>)>,
    /// The stream's retention in hours, for the message when it is empty.
    pub retention_hours: Option<i32>,
}

/// What the stream holds, read from the oldest record of each shard.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub count: usize,
    /// The first record that is not a generator record, and why.
    pub bad: Option<String>,
}

/// The raw zone as read: objects in the layout, their lines, and the
/// trades counted by symbol and event hour.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    /// The static part of the prefix read (`raw-zone/stockdata/`).
    pub prefix: String,
    /// Objects under `prefix` in the `year=/month=/day=/hour=/` layout.
    pub objects: usize,
    /// Objects under `prefix` outside that layout (a few keys).
    pub misplaced: Vec<String>,
    pub misplaced_count: usize,
    /// Lines read, and the first that is not a generator record.
    pub lines: usize,
    pub bad: Option<String>,
    /// Trades by (symbol, event hour as seconds since the epoch).
    pub trades: BTreeMap<(String, i64), u64>,
    /// Whether stackgen stopped reading before the end (too large).
    pub partial: bool,
}

/// The crawler's runs and its table, each read on its own (a refused
/// `GetPartitions` leaves the runs decided).
#[derive(Debug, Clone)]
pub struct Crawl {
    pub crawler: String,
    /// The state of each crawl AWS lists, newest first (`COMPLETED`,
    /// `RUNNING`, `FAILED`...).
    pub crawls: Seen<Vec<String>>,
    /// `database.table` looked for.
    pub table: String,
    /// Its partitions; None: no such table.
    pub partitions: Seen<Option<usize>>,
}

/// The processed zone as read.
#[derive(Debug, Clone, Default)]
pub struct Processed {
    pub prefix: String,
    /// Objects in the `symbol=/year=/month=/day=/hour=/` layout, by
    /// (symbol, event hour).
    pub objects: BTreeMap<(String, i64), usize>,
    pub misplaced: Vec<String>,
    pub misplaced_count: usize,
    /// The Parquet footers read: rows by (symbol, hour), or why one of the
    /// partition's objects is not Parquet.
    pub rows: BTreeMap<(String, i64), Result<u64, String>>,
    /// An object read that is not Parquet (its key, and why).
    pub not_parquet: Option<String>,
}

/// A function's log events of the last day.
#[derive(Debug, Clone, Default)]
pub struct Logs {
    pub group: String,
    pub events: usize,
    /// The first few events that report an error.
    pub errors: Vec<String>,
}

/// How far back the logs are read.
pub const LOG_HOURS: i64 = 24;

/// The stack's functions, by part and name key: the live source reads
/// their logs, and `grader-policy` allows reading them and their logs.
pub const LOGGED_FUNCTIONS: &[(PartId, &str)] = &[
    (PartId::Etl, "etl_function"),
    (PartId::AlertFunction, "alert_function"),
    (PartId::Detector, "detector_function"),
    (PartId::Reaper, "reaper_function"),
];

/// Whether a log line reports an error: Python's uncaught exceptions
/// (`[ERROR]`, a traceback), Lambda's timeouts and crashes.
pub fn is_error(line: &str) -> bool {
    [
        "ERROR",
        "Traceback (most recent call last)",
        "Task timed out",
        "Runtime exited",
    ]
    .iter()
    .any(|w| line.contains(w))
}

/// Whether `line` is one record of the course generator: a JSON object
/// with its seven keys, of their types. Returns the trade's symbol and
/// time, or why not.
pub fn generator_record(line: &str) -> Result<(String, i64), String> {
    /// The generator's keys, and the JSON type of each.
    const KEYS: &[(&str, &str)] = &[
        ("transaction_ts", "integer"),
        ("symbol", "string"),
        ("price", "number"),
        ("amount", "number"),
        ("dollar_amount", "number"),
        ("type", "string"),
        ("trans_id", "integer"),
    ];
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Object(map) = value else {
        return Err("not a JSON object".to_owned());
    };
    for (key, kind) in KEYS {
        let ok = match (map.get(*key), *kind) {
            (Some(Value::Number(n)), "integer") => n.is_i64() || n.is_u64(),
            (Some(Value::Number(_)), "number") | (Some(Value::String(_)), "string") => true,
            _ => false,
        };
        if !ok {
            return Err(format!(
                "`{key}` is not a{} {kind}",
                if *kind == "integer" { "n" } else { "" }
            ));
        }
    }
    let symbol = map["symbol"].as_str().unwrap_or_default().to_owned();
    let ts = map["transaction_ts"].as_i64().unwrap_or_default();
    Ok((symbol, ts))
}

/// The folder a Firehose prefix writes under, before its first expression:
/// `raw-zone/stockdata/year=!{timestamp:yyyy}/...` -> `raw-zone/stockdata/`.
pub fn static_prefix(template: &str) -> &str {
    let fixed = template.split("!{").next().unwrap_or_default();
    fixed.rfind('/').map_or("", |i| &fixed[..=i])
}

/// The hour of `ts` (seconds since the epoch), as seconds.
pub fn hour_of(ts: i64) -> i64 {
    ts.div_euclid(3600) * 3600
}

/// `year=2020/month=10/day=1/hour=0` of an hour, as the ETL writes it.
pub fn hour_path(hour: i64) -> String {
    let (y, m, d, h) = crate::base::calendar::civil(hour);
    format!("year={y}/month={m}/day={d}/hour={h}")
}

/// The part, exercise and check of each reading.
pub fn checks(stack: &Stack, flow: &Flow) -> Vec<(PartId, Check)> {
    let raw_objects = match &flow.raw {
        Seen::Got(raw) => raw.objects + raw.misplaced_count,
        _ => 0,
    };
    let nothing_sent = matches!(&flow.records, Seen::Got(r) if r.count == 0)
        && matches!(&flow.raw, Seen::Got(_))
        && raw_objects == 0;
    let send = format!(
        "send data first (`stackgen replay SPEC --data crypto_trades_20201001.csv`, with `--student {}` for a class file, puts the lab's trades on `{}`), then grade again",
        stack.spec.student.index_no, stack.generator.stream_name
    );
    let mut out = Vec::new();
    // Every check of the flow, unknown when nothing was sent.
    let mut push = |part: PartId, id: &str, check: &dyn Fn(&str) -> Check| {
        let decided = if nothing_sent {
            Check::new(
                id.to_owned(),
                Status::Unknown,
                Value::Null,
                Value::Null,
                format!("nothing was sent: the stream and the raw zone are empty; {send}"),
                String::new(),
            )
        } else {
            check(id)
        };
        out.push((part, decided));
    };
    push(PartId::Stream, "stream.data.records", &|id| {
        records_check(id, &flow.records, raw_objects, flow.retention_hours)
    });
    push(PartId::Firehose, "firehose.data.raw_objects", &|id| {
        raw_check(id, &flow.raw)
    });
    let raw = match &flow.raw {
        Seen::Got(raw) if raw.objects > 0 => Some(raw),
        _ => None,
    };
    if let Some(crawl) = &flow.crawl {
        push(PartId::Crawler, "crawler.data.ran", &|id| {
            ran_check(id, crawl)
        });
        push(PartId::Crawler, "crawler.data.partitions", &|id| {
            partitions_check(id, crawl, raw)
        });
    }
    if let Some(processed) = &flow.processed {
        let symbol = &stack.spec.analytics.symbol;
        push(PartId::Etl, "etl.data.processed", &|id| {
            processed_check(id, processed, raw)
        });
        push(PartId::Etl, "etl.data.reconciled", &|id| {
            reconciled_check(id, processed, raw, symbol)
        });
    }
    if let Some(alerts) = &flow.alerts {
        let prefix = static_prefix(&stack.prefixes.alerts_data);
        push(
            PartId::AlertsFirehose,
            "alerts_firehose.data.alerts",
            &|id| alerts_check(id, alerts, prefix),
        );
    }
    for (part, function, logs) in &flow.logs {
        let id = format!("{}.logs.errors", crate::base::edition::part_key(*part));
        push(*part, &id, &|id| logs_check(id, function, logs));
    }
    out
}

/// What was read, or the check of a reading there is none of: `unknown`,
/// refused or failed alike.
fn read<'a, T>(id: &str, seen: &'a Seen<T>, what: &str) -> Result<&'a T, Box<Check>> {
    let message = match seen {
        Seen::Got(got) => return Ok(got),
        Seen::Refused(why) => format!(
            "access denied: these credentials may not read {what} ({why}); see `stackgen grader-policy`"
        ),
        Seen::Failed(why) => format!("{what} could not be read: {why}"),
    };
    Err(Box::new(check(
        id,
        Status::Unknown,
        Value::Null,
        message,
        "",
    )))
}

fn check(id: &str, status: Status, found: Value, message: String, fix: &str) -> Check {
    Check::new(
        id.to_owned(),
        status,
        Value::Null,
        found,
        message,
        fix.to_owned(),
    )
}

fn records_check(
    id: &str,
    records: &Seen<Records>,
    raw_objects: usize,
    retention: Option<i32>,
) -> Check {
    let r = match read(id, records, "the stream's records") {
        Ok(got) => got,
        Err(unread) => return *unread,
    };
    let found = Value::from(r.count);
    if let Some(bad) = &r.bad {
        return check(
            id,
            Status::Fail,
            found,
            format!("the stream holds a record that is not the generator's: {bad}"),
            "send the course generator's records: one JSON object per record, with transaction_ts, symbol, price, amount, dollar_amount, type and trans_id, and a newline",
        );
    }
    if r.count == 0 {
        let kept = retention.map_or(String::new(), |h| format!(" (it keeps records {h} h)"));
        return check(
            id,
            Status::Unknown,
            found,
            format!(
                "the stream holds no records now{kept}; the raw zone's {raw_objects} object(s) show data arrived"
            ),
            "",
        );
    }
    check(
        id,
        Status::Pass,
        found,
        format!("the stream holds generator records ({} read)", r.count),
        "",
    )
}

fn raw_check(id: &str, raw: &Seen<Raw>) -> Check {
    let raw = match read(id, raw, "the raw zone") {
        Ok(got) => got,
        Err(unread) => return *unread,
    };
    let found = Value::from(raw.objects);
    if raw.objects == 0 && raw.misplaced_count == 0 {
        return check(
            id,
            Status::Fail,
            found,
            format!(
                "the stream holds records but nothing is under `{}`: Firehose delivered nothing",
                raw.prefix
            ),
            "check the delivery stream's source, its role's `s3:PutObject` on the bucket and its error prefix; Firehose writes after its buffer interval",
        );
    }
    if raw.objects == 0 {
        return check(
            id,
            Status::Fail,
            found,
            format!(
                "{} object(s) under `{}` but none in the `year=/month=/day=/hour=/` layout (`{}`)",
                raw.misplaced_count,
                raw.prefix,
                raw.misplaced.first().map_or("", String::as_str)
            ),
            "give the Firehose the edition's prefix, with `!{timestamp:yyyy}` and the rest",
        );
    }
    if let Some(bad) = &raw.bad {
        return check(
            id,
            Status::Fail,
            found,
            format!("the raw zone holds a line that is not a generator record: {bad}"),
            "send one JSON object per record, ending in a newline, as the course generator does",
        );
    }
    check(
        id,
        Status::Pass,
        found,
        format!(
            "{} object(s) under `{}year=/month=/day=/hour=/`, {} JSON line(s) of generator records{}",
            raw.objects,
            raw.prefix,
            raw.lines,
            if raw.partial { " (the first ones read)" } else { "" }
        ),
        "",
    )
}

fn ran_check(id: &str, c: &Crawl) -> Check {
    let crawls = match read(id, &c.crawls, "the crawler's runs") {
        Ok(got) => got,
        Err(unread) => return *unread,
    };
    let found = Value::Array(crawls.iter().map(|s| Value::from(s.as_str())).collect());
    let start = format!("run it: `aws glue start-crawler --name {}`", c.crawler);
    if crawls.iter().any(|s| s == "COMPLETED") {
        return check(
            id,
            Status::Pass,
            found,
            format!("crawler `{}` has completed a crawl", c.crawler),
            "",
        );
    }
    match crawls.first().map(String::as_str) {
        None => check(
            id,
            Status::Fail,
            found,
            format!("crawler `{}` has never run", c.crawler),
            &start,
        ),
        Some("RUNNING") => check(
            id,
            Status::Unknown,
            found,
            format!(
                "crawler `{}` is running its first crawl: grade again when it ends",
                c.crawler
            ),
            "",
        ),
        Some(state) => check(
            id,
            Status::Fail,
            found,
            format!(
                "crawler `{}` has no completed crawl (the last one: {state})",
                c.crawler
            ),
            &format!("read the crawler's log in CloudWatch, then {start}"),
        ),
    }
}

fn partitions_check(id: &str, c: &Crawl, raw: Option<&Raw>) -> Check {
    let partitions = match read(id, &c.partitions, "the crawler's table") {
        Ok(got) => *got,
        Err(unread) => return *unread,
    };
    let found = partitions.map_or(Value::Null, Value::from);
    match (partitions, raw) {
        (Some(n), _) if n > 0 => check(
            id,
            Status::Pass,
            found,
            format!("table `{}` has {n} partition(s)", c.table),
            "",
        ),
        (_, None) => check(
            id,
            Status::Unknown,
            found,
            format!(
                "the raw zone holds no objects for the crawler to find, so table `{}` cannot be judged",
                c.table
            ),
            "",
        ),
        (None, Some(_)) => check(
            id,
            Status::Fail,
            found,
            format!(
                "no table `{}` although the raw zone holds objects",
                c.table
            ),
            &format!(
                "run the crawler (`aws glue start-crawler --name {}`) and read its log if it makes no table",
                c.crawler
            ),
        ),
        (Some(_), Some(_)) => check(
            id,
            Status::Fail,
            found,
            format!(
                "table `{}` has no partitions although the raw zone holds objects",
                c.table
            ),
            &format!(
                "run the crawler again (`aws glue start-crawler --name {}`) once objects are in the raw zone",
                c.crawler
            ),
        ),
    }
}

fn processed_check(id: &str, processed: &Seen<Processed>, raw: Option<&Raw>) -> Check {
    let p = match read(id, processed, "the processed zone") {
        Ok(got) => got,
        Err(unread) => return *unread,
    };
    let objects: usize = p.objects.values().sum();
    let found = Value::from(objects);
    if let Some(bad) = &p.not_parquet {
        return check(
            id,
            Status::Fail,
            found,
            format!("an object of the processed zone is not Parquet: {bad}"),
            "write the processed zone with `wr.s3.to_parquet`, as the lab's function does",
        );
    }
    if objects == 0 {
        if raw.is_none() {
            return check(
                id,
                Status::Unknown,
                found,
                "the raw zone holds no objects for the ETL function to process".to_owned(),
                "",
            );
        }
        let message = if p.misplaced_count > 0 {
            format!(
                "{} object(s) under `{}` but none under `symbol=/year=/month=/day=/hour=/` (`{}`)",
                p.misplaced_count,
                p.prefix,
                p.misplaced.first().map_or("", String::as_str)
            )
        } else {
            format!(
                "nothing under `{}` although the raw zone holds objects: the ETL function wrote nothing",
                p.prefix
            )
        };
        return check(
            id,
            Status::Fail,
            found,
            message,
            "check the bucket notification that calls the function, and the function's log",
        );
    }
    check(
        id,
        Status::Pass,
        found,
        format!(
            "{objects} Parquet object(s) under `{}symbol=/year=/month=/day=/hour=/`, {} partition(s)",
            p.prefix,
            p.objects.len()
        ),
        "",
    )
}

/// The symbol and hour reconciled: the edition's analytics symbol when the
/// raw zone has it, else the first symbol; its earliest event hour.
pub fn reconciled_partition(raw: &Raw, symbol: &str) -> Option<(String, i64)> {
    let has = |s: &str| raw.trades.keys().any(|(t, _)| t == s);
    let symbol = if has(symbol) {
        symbol.to_owned()
    } else {
        raw.trades.keys().next()?.0.clone()
    };
    raw.trades
        .keys()
        .filter(|(s, _)| *s == symbol)
        .map(|(_, h)| *h)
        .min()
        .map(|h| (symbol, h))
}

fn reconciled_check(
    id: &str,
    processed: &Seen<Processed>,
    raw: Option<&Raw>,
    symbol: &str,
) -> Check {
    let p = match read(id, processed, "the processed zone") {
        Ok(got) => got,
        Err(unread) => return *unread,
    };
    let Some(raw) = raw else {
        return check(
            id,
            Status::Unknown,
            Value::Null,
            "the raw zone holds no objects to reconcile with".to_owned(),
            "",
        );
    };
    if raw.partial || raw.bad.is_some() {
        return check(
            id,
            Status::Unknown,
            Value::Null,
            if raw.partial {
                "the raw zone is larger than stackgen reads, so its trades cannot all be counted"
                    .to_owned()
            } else {
                "the raw zone holds lines that are not generator records, so its trades cannot be counted".to_owned()
            },
            "",
        );
    }
    let Some(key) = reconciled_partition(raw, symbol) else {
        return check(
            id,
            Status::Unknown,
            Value::Null,
            "the raw zone holds no trades to reconcile".to_owned(),
            "",
        );
    };
    let want = raw.trades.get(&key).copied().unwrap_or(0);
    let partition = format!("{}symbol={}/{}/", p.prefix, key.0, hour_path(key.1));
    let expected = Value::from(want);
    let rows = p.rows.get(&key);
    let (status, found, message, fix) = match rows {
        None => (
            Status::Fail,
            Value::from(0),
            format!(
                "the raw zone holds {want} {} trade(s) of that hour, but nothing is under `{partition}`",
                key.0
            ),
            "check that the function partitions by the trade's event time (`transaction_ts`), as the lab's does",
        ),
        Some(Err(why)) => (
            Status::Fail,
            Value::Null,
            format!("an object under `{partition}` is not Parquet: {why}"),
            "write the processed zone with `wr.s3.to_parquet`",
        ),
        Some(Ok(n)) if *n == want => (
            Status::Pass,
            Value::from(*n),
            format!(
                "`{partition}` holds {n} row(s), as many as the raw zone's {} trades of that hour",
                key.0
            ),
            "",
        ),
        Some(Ok(n)) => (
            Status::Fail,
            Value::from(*n),
            format!(
                "`{partition}` holds {n} row(s), the raw zone {want} {} trade(s) of that hour",
                key.0
            ),
            "run the function over every raw object once (a retried or failed invocation loses or repeats rows); its log says which",
        ),
    };
    Check::new(
        id.to_owned(),
        status,
        expected,
        found,
        message,
        fix.to_owned(),
    )
}

fn alerts_check(id: &str, alerts: &Seen<usize>, prefix: &str) -> Check {
    let n = match read(id, alerts, "the alerts prefix") {
        Ok(got) => got,
        Err(unread) => return *unread,
    };
    if *n == 0 {
        return check(
            id,
            Status::Fail,
            Value::from(0),
            format!("no alerts under `{prefix}`"),
            "check exercise 5's chain: the detector's output, the alert function, and the alerts Firehose's role",
        );
    }
    check(
        id,
        Status::Pass,
        Value::from(*n),
        format!("alerts under `{prefix}` ({n} object(s) or more)"),
        "",
    )
}

fn logs_check(id: &str, function: &str, logs: &Seen<Logs>) -> Check {
    let l = match read(id, logs, &format!("the log of `{function}`")) {
        Ok(got) => got,
        Err(unread) => return *unread,
    };
    if l.errors.is_empty() {
        return Check::new(
            id.to_owned(),
            Status::Pass,
            Value::Null,
            Value::from(0),
            format!(
                "no errors in `{}`'s {} event(s) of the last {LOG_HOURS} h",
                l.group, l.events
            ),
            String::new(),
        );
    }
    Check::new(
        id.to_owned(),
        Status::Fail,
        Value::Null,
        Value::Array(l.errors.iter().map(|e| Value::from(e.as_str())).collect()),
        format!(
            "`{}` reports {} error(s) in the last {LOG_HOURS} h; the first: {}",
            l.group,
            l.errors.len(),
            crate::base::diagnostic::quote(l.errors[0].trim())
        ),
        format!(
            "read the log (`aws logs tail {} --since {LOG_HOURS}h`) and fix what it says",
            l.group
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_records_are_checked_key_by_key() {
        let line = r#"{"transaction_ts": 1601510472, "symbol": "BTC_USD", "price": 10850.0, "amount": 0.1, "dollar_amount": 1085.0, "type": "buy", "trans_id": 1}"#;
        assert_eq!(
            generator_record(line),
            Ok(("BTC_USD".to_owned(), 1_601_510_472))
        );
        let no_id = line.replace(r#", "trans_id": 1"#, "");
        assert!(generator_record(&no_id).unwrap_err().contains("trans_id"));
        let text_ts = line.replace("1601510472", "\"1601510472\"");
        assert!(generator_record(&text_ts)
            .unwrap_err()
            .contains("transaction_ts"));
        assert!(generator_record("{} {}")
            .unwrap_err()
            .starts_with("not JSON"));
        assert!(generator_record("[1]").is_err());
    }

    #[test]
    fn partitions_are_written_without_padding() {
        assert_eq!(
            hour_path(hour_of(1_601_510_472)),
            "year=2020/month=10/day=1/hour=0"
        );
    }

    #[test]
    fn prefixes_stop_at_their_folder() {
        assert_eq!(
            static_prefix("raw-zone/stockdata/year=!{timestamp:yyyy}/month=!{timestamp:MM}/"),
            "raw-zone/stockdata/"
        );
        assert_eq!(
            static_prefix("processed-zone/stockdata/"),
            "processed-zone/stockdata/"
        );
        assert_eq!(static_prefix("year=!{timestamp:yyyy}/"), "");
    }

    #[test]
    fn errors_in_logs() {
        assert!(is_error("[ERROR] KeyError: 'Records'"));
        assert!(is_error("Traceback (most recent call last):"));
        assert!(is_error(
            "2026-12-06T10:00:00Z abc Task timed out after 3.00 seconds"
        ));
        assert!(!is_error("START RequestId: abc Version: $LATEST"));
    }

    fn raw(trades: &[((&str, i64), u64)]) -> Raw {
        Raw {
            prefix: "raw-zone/stockdata/".into(),
            objects: 1,
            lines: 10,
            trades: trades
                .iter()
                .map(|((s, h), n)| ((s.to_string(), *h), *n))
                .collect(),
            ..Raw::default()
        }
    }

    #[test]
    fn the_reconciled_partition_prefers_the_analytics_symbol() {
        let r = raw(&[
            (("ETH_USD", 0), 3),
            (("BTC_USD", 7200), 2),
            (("BTC_USD", 3600), 5),
        ]);
        assert_eq!(
            reconciled_partition(&r, "BTC_USD"),
            Some(("BTC_USD".into(), 3600))
        );
        assert_eq!(
            reconciled_partition(&r, "LTC_USD"),
            Some(("BTC_USD".into(), 3600))
        );
        assert_eq!(reconciled_partition(&raw(&[]), "BTC_USD"), None);
    }

    #[test]
    fn reconciliation_fails_on_fewer_rows_and_waits_for_raw_objects() {
        let r = raw(&[(("BTC_USD", 3600), 5)]);
        let mut p = Processed {
            prefix: "processed-zone/stockdata/".into(),
            ..Processed::default()
        };
        p.objects.insert(("BTC_USD".into(), 3600), 1);
        p.rows.insert(("BTC_USD".into(), 3600), Ok(5));
        let seen = Seen::Got(p.clone());
        let c = reconciled_check("etl.data.reconciled", &seen, Some(&r), "BTC_USD");
        assert_eq!(c.status, Status::Pass, "{}", c.message);
        p.rows.insert(("BTC_USD".into(), 3600), Ok(4));
        let c = reconciled_check(
            "etl.data.reconciled",
            &Seen::Got(p.clone()),
            Some(&r),
            "BTC_USD",
        );
        assert_eq!(c.status, Status::Fail, "{}", c.message);
        assert!(
            c.message
                .contains("symbol=BTC_USD/year=1970/month=1/day=1/hour=1/"),
            "{}",
            c.message
        );
        let c = reconciled_check("etl.data.reconciled", &Seen::Got(p), None, "BTC_USD");
        assert_eq!(c.status, Status::Unknown);
        let refused: Seen<Processed> = Seen::Refused("AccessDenied".into());
        let c = reconciled_check("etl.data.reconciled", &refused, Some(&r), "BTC_USD");
        assert_eq!(c.status, Status::Unknown);
        assert!(c.message.starts_with("access denied"), "{}", c.message);
    }

    #[test]
    fn a_refused_table_leaves_the_runs_decided() {
        let c = Crawl {
            crawler: "gc".into(),
            crawls: Seen::Got(vec!["COMPLETED".into()]),
            table: "db.t".into(),
            partitions: Seen::Refused("glue:GetPartitions: AccessDenied".into()),
        };
        assert_eq!(ran_check("x", &c).status, Status::Pass);
        let p = partitions_check("x", &c, Some(&raw(&[])));
        assert_eq!(p.status, Status::Unknown);
        assert!(p.message.contains("glue:GetPartitions"), "{}", p.message);
    }

    #[test]
    fn crawls_and_partitions() {
        let crawl = |crawls: &[&str], partitions| Crawl {
            crawler: "gc".into(),
            crawls: Seen::Got(
                crawls
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect(),
            ),
            table: "db.crawler_stockdata".into(),
            partitions: Seen::Got(partitions),
        };
        let r = raw(&[]);
        assert_eq!(ran_check("x", &crawl(&[], None)).status, Status::Fail);
        assert_eq!(
            ran_check("x", &crawl(&["RUNNING"], None)).status,
            Status::Unknown
        );
        assert_eq!(
            ran_check("x", &crawl(&["FAILED", "COMPLETED"], Some(1))).status,
            Status::Pass
        );
        assert_eq!(
            ran_check("x", &crawl(&["FAILED"], None)).status,
            Status::Fail
        );
        assert_eq!(
            partitions_check("x", &crawl(&["COMPLETED"], Some(0)), Some(&r)).status,
            Status::Fail
        );
        assert_eq!(
            partitions_check("x", &crawl(&["COMPLETED"], None), Some(&r)).status,
            Status::Fail
        );
        assert_eq!(
            partitions_check("x", &crawl(&["COMPLETED"], Some(0)), None).status,
            Status::Unknown
        );
        assert_eq!(
            partitions_check("x", &crawl(&["COMPLETED"], Some(3)), None).status,
            Status::Pass
        );
    }

    fn stack() -> Stack {
        let spec = crate::input::load::handout_student();
        Stack::new(&spec, &spec.edition())
    }

    fn flow(records: usize, raw: Raw) -> Flow {
        Flow {
            records: Seen::Got(Records {
                count: records,
                bad: None,
            }),
            raw: Seen::Got(raw),
            crawl: Some(Crawl {
                crawler: "gc".into(),
                crawls: Seen::Got(Vec::new()),
                table: "db.t".into(),
                partitions: Seen::Got(None),
            }),
            processed: Some(Seen::Got(Processed::default())),
            alerts: Some(Seen::Got(0)),
            logs: vec![(
                PartId::Etl,
                "etl".into(),
                Seen::Got(Logs {
                    group: "/aws/lambda/etl".into(),
                    events: 2,
                    errors: vec!["[ERROR] KeyError: 'Records'".into()],
                }),
            )],
            retention_hours: Some(24),
        }
    }

    fn statuses(checks: &[(PartId, Check)]) -> Vec<(&str, Status)> {
        checks
            .iter()
            .map(|(_, c)| (c.id.as_str(), c.status))
            .collect()
    }

    #[test]
    fn nothing_sent_makes_every_check_unknown() {
        let checks = checks(&stack(), &flow(0, Raw::default()));
        assert_eq!(checks.len(), 8);
        for (id, status) in statuses(&checks) {
            assert_eq!(status, Status::Unknown, "{id}");
        }
        assert!(checks[0].1.message.contains("stackgen replay"));
    }

    #[test]
    fn each_fault_fails_its_own_check() {
        // Records but an empty raw zone: the raw check fails; what needs
        // raw objects is unknown; the alerts and the log still decide.
        let decided = checks(&stack(), &flow(5, Raw::default()));
        let got = statuses(&decided);
        assert_eq!(
            got,
            [
                ("stream.data.records", Status::Pass),
                ("firehose.data.raw_objects", Status::Fail),
                ("crawler.data.ran", Status::Fail),
                ("crawler.data.partitions", Status::Unknown),
                ("etl.data.processed", Status::Unknown),
                ("etl.data.reconciled", Status::Unknown),
                ("alerts_firehose.data.alerts", Status::Fail),
                ("etl.logs.errors", Status::Fail),
            ]
        );
        // Records that are not the generator's, lines that are not either,
        // objects outside the layout.
        let mut f = flow(5, raw(&[(("BTC_USD", 0), 1)]));
        f.records = Seen::Got(Records {
            count: 5,
            bad: Some("not JSON".into()),
        });
        let c = &checks(&stack(), &f)[0].1;
        assert_eq!(c.status, Status::Fail);
        let mut bad = raw(&[]);
        bad.bad = Some("`k`: not JSON".into());
        assert_eq!(raw_check("x", &Seen::Got(bad)).status, Status::Fail);
        let misplaced = Raw {
            misplaced: vec!["raw-zone/stockdata/2021/04/17/x".into()],
            misplaced_count: 1,
            ..Raw::default()
        };
        let c = raw_check("x", &Seen::Got(misplaced));
        assert_eq!(c.status, Status::Fail);
        assert!(c.message.contains("layout"), "{}", c.message);
        let not_parquet = Processed {
            not_parquet: Some("`k`: it does not end with Parquet's magic `PAR1`".into()),
            objects: [(("BTC_USD".to_owned(), 0), 1)].into(),
            ..Processed::default()
        };
        let c = processed_check("x", &Seen::Got(not_parquet), Some(&raw(&[])));
        assert_eq!(c.status, Status::Fail);
        // A stream emptied by its retention, with the raw zone full: not a
        // failure.
        let r = records_check("x", &Seen::Got(Records::default()), 3, Some(24));
        assert_eq!(r.status, Status::Unknown);
        assert!(r.message.contains("24 h"), "{}", r.message);
    }
}
