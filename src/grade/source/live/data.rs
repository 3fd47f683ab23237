//! The data flow of one student's account, read into `flow::Flow`: what
//! the stream holds, the raw zone's objects and lines, the crawler's runs
//! and table, the processed zone's Parquet rows, the alerts, and each
//! function's recent log. `grade::flow` decides what it means.
//!
//! Reading is bounded so that a large lake costs a bounded grade: at most
//! `MAX_RAW_OBJECTS` raw objects and `MAX_RAW_BYTES` of them (past that the
//! count is partial and the reconciliation `unknown`), `MAX_RECORDS` records
//! a shard, `MAX_LOG_EVENTS` log events a function.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_types::DateTime;

use super::{fault, parquet, Clients, Fault};
use crate::base::diagnostic::quote;
use crate::base::part::PartId;
use crate::grade::flow::{
    self, generator_record, hour_of, static_prefix, Crawl, Flow, Logs, Processed, Raw, Records,
    Seen,
};
use crate::stack::Stack;

const MAX_RECORDS: i32 = 100;
const MAX_RAW_OBJECTS: usize = 2_000;
const MAX_RAW_BYTES: usize = 256 * 1024 * 1024;
const MAX_LOG_EVENTS: usize = 10_000;
/// Parquet objects whose footer is read beyond the reconciled partition's:
/// enough to say the zone is Parquet.
const SAMPLE_PARQUET: usize = 3;

/// `retention_hours`: the stream's, as `fetch` read it (None when it could
/// not), for the message of an empty stream.
pub async fn read(c: &Clients, stack: &Stack, retention_hours: Option<i32>) -> Flow {
    let records = records(c, &stack.generator.stream_name).await;
    let raw_bucket = &stack.zones.raw_bucket_name;
    let raw = raw(c, raw_bucket, static_prefix(&stack.prefixes.raw_data)).await;
    let crawl = match stack.part(PartId::Crawler) {
        Some(_) => Some(crawl(c, stack).await),
        None => None,
    };
    let processed = match stack.part(PartId::Etl) {
        Some(_) => {
            let wanted = match &raw {
                Seen::Got(r) => flow::reconciled_partition(r, &stack.spec.analytics.symbol),
                _ => None,
            };
            Some(
                processed(
                    c,
                    &stack.zones.processed_bucket_name,
                    static_prefix(&stack.prefixes.processed_data),
                    wanted,
                )
                .await,
            )
        }
        None => None,
    };
    let alerts = match stack.part(PartId::AlertsFirehose) {
        Some(_) => Some(alerts(c, raw_bucket, static_prefix(&stack.prefixes.alerts_data)).await),
        None => None,
    };
    let mut logs = Vec::new();
    for &(part, key) in flow::LOGGED_FUNCTIONS {
        if let (Some(_), Some(function)) = (stack.part(part), stack.name(key)) {
            let seen = function_logs(c, function).await;
            logs.push((part, function.to_owned(), seen));
        }
    }
    Flow {
        records,
        raw,
        crawl,
        processed,
        alerts,
        logs,
        retention_hours,
    }
}

/// Refused or failed, from a fault (a missing resource is the caller's).
fn unseen<T>(f: Fault, call: &str) -> Seen<T> {
    match f {
        Fault::Refused(why) => Seen::Refused(format!("{call}: {why}")),
        Fault::Missing => Seen::Failed(format!("{call}: no such resource")),
        Fault::Other(why) => Seen::Failed(format!("{call}: {why}")),
    }
}

/// The oldest records of each shard.
async fn records(c: &Clients, stream: &str) -> Seen<Records> {
    let k = &c.kinesis;
    let shards = match k.list_shards().stream_name(stream).send().await {
        Ok(out) => out.shards().to_vec(),
        Err(e) => {
            return match fault(&e) {
                // No stream: its own check says so; nothing was sent.
                Fault::Missing => Seen::Got(Records::default()),
                f => unseen(f, "kinesis:ListShards"),
            };
        }
    };
    let mut out = Records::default();
    for shard in shards {
        let iterator = k
            .get_shard_iterator()
            .stream_name(stream)
            .shard_id(shard.shard_id())
            .shard_iterator_type(aws_sdk_kinesis::types::ShardIteratorType::TrimHorizon)
            .send()
            .await;
        let mut iterator = match iterator {
            Ok(o) => o.shard_iterator().map(str::to_owned),
            Err(e) => return unseen(fault(&e), "kinesis:GetShardIterator"),
        };
        // Records may sit past empty stretches of the shard: follow the
        // iterator a few times while AWS says there is more behind.
        for _ in 0..5 {
            let Some(it) = iterator.take() else { break };
            let got = match k
                .get_records()
                .shard_iterator(it)
                .limit(MAX_RECORDS)
                .send()
                .await
            {
                Ok(o) => o,
                Err(e) => return unseen(fault(&e), "kinesis:GetRecords"),
            };
            for r in got.records() {
                out.count += 1;
                if out.bad.is_none() {
                    let data = String::from_utf8_lossy(r.data().as_ref());
                    let line = data.trim_end_matches('\n');
                    if line.contains('\n') {
                        out.bad = Some("a record holds several lines".to_owned());
                    } else if let Err(why) = generator_record(line) {
                        out.bad = Some(format!("{why}: {}", quote(line)));
                    }
                }
            }
            if !got.records().is_empty() || got.millis_behind_latest().unwrap_or(0) == 0 {
                break;
            }
            iterator = got.next_shard_iterator().map(str::to_owned);
        }
    }
    Seen::Got(out)
}

/// Every key under `prefix` (with its size), up to `limit`; whether more
/// were left.
async fn list(
    c: &Clients,
    bucket: &str,
    prefix: &str,
    limit: usize,
) -> Result<(Vec<(String, i64)>, bool), Fault> {
    let mut pages =
        c.s3.list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| fault(&e))?;
        for o in page.contents() {
            if keys.len() == limit {
                return Ok((keys, true));
            }
            keys.push((
                o.key().unwrap_or_default().to_owned(),
                o.size().unwrap_or(0),
            ));
        }
    }
    Ok((keys, false))
}

async fn get(
    c: &Clients,
    bucket: &str,
    key: &str,
    range: Option<String>,
) -> Result<Vec<u8>, Fault> {
    let out =
        c.s3.get_object()
            .bucket(bucket)
            .key(key)
            .set_range(range)
            .send()
            .await
            .map_err(|e| fault(&e))?;
    out.body
        .collect()
        .await
        .map(|b| b.into_bytes().to_vec())
        .map_err(|e| Fault::Other(crate::live::sdk::describe(&e)))
}

/// `year=2021/month=04/day=17/hour=17/` right after the prefix, as
/// Firehose's `!{timestamp:...}` writes it.
fn raw_layout(rest: &str) -> bool {
    let parts: Vec<&str> = rest.split('/').collect();
    let [y, m, d, h, name, ..] = parts.as_slice() else {
        return false;
    };
    let field = |part: &str, key: &str, width: usize| {
        part.strip_prefix(key)
            .and_then(|v| v.strip_prefix('='))
            .is_some_and(|v| v.len() == width && v.bytes().all(|b| b.is_ascii_digit()))
    };
    field(y, "year", 4)
        && field(m, "month", 2)
        && field(d, "day", 2)
        && field(h, "hour", 2)
        && !name.is_empty()
}

async fn raw(c: &Clients, bucket: &str, prefix: &str) -> Seen<Raw> {
    let (keys, more) = match list(c, bucket, prefix, MAX_RAW_OBJECTS).await {
        Ok(k) => k,
        Err(Fault::Missing) => (Vec::new(), false),
        Err(f) => return unseen(f, "s3:ListBucket"),
    };
    let mut raw = Raw {
        prefix: prefix.to_owned(),
        partial: more,
        ..Raw::default()
    };
    let mut bytes = 0_usize;
    for (key, size) in keys {
        let rest = &key[prefix.len().min(key.len())..];
        if !raw_layout(rest) {
            raw.misplaced_count += 1;
            if raw.misplaced.len() < 3 {
                raw.misplaced.push(key);
            }
            continue;
        }
        raw.objects += 1;
        bytes += usize::try_from(size).unwrap_or(0);
        if bytes > MAX_RAW_BYTES {
            raw.partial = true;
            continue;
        }
        let body = match get(c, bucket, &key, None).await {
            Ok(b) => b,
            Err(f) => return unseen(f, "s3:GetObject"),
        };
        let text = String::from_utf8_lossy(&body);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            raw.lines += 1;
            match generator_record(line) {
                Ok((symbol, ts)) => *raw.trades.entry((symbol, hour_of(ts))).or_default() += 1,
                Err(why) => {
                    if raw.bad.is_none() {
                        raw.bad = Some(format!("`{key}`: {why}: {}", quote(line)));
                    }
                }
            }
        }
    }
    Seen::Got(raw)
}

async fn crawl(c: &Clients, stack: &Stack) -> Crawl {
    let name = stack.name("crawler").unwrap_or_default().to_owned();
    // The table the crawler makes: its prefix, then the last folder of its
    // path (`crawler_` + `stockdata`).
    let database = stack.zones.raw_database_name.clone();
    let folder = stack
        .prefixes
        .raw_location
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let table = format!(
        "{}{folder}",
        stack.name("crawler_table_prefix").unwrap_or_default()
    );
    Crawl {
        crawls: crawls(c, &name).await,
        partitions: partitions(c, &database, &table).await,
        crawler: name,
        table: format!("{database}.{table}"),
    }
}

/// The states of the crawler's crawls, newest first. `ListCrawls` rather
/// than `GetCrawler`'s `LastCrawl`: its states are the same words on AWS
/// and on moto.
async fn crawls(c: &Clients, crawler: &str) -> Seen<Vec<String>> {
    match c.glue.list_crawls().crawler_name(crawler).send().await {
        Ok(out) => {
            let mut crawls: Vec<_> = out.crawls().to_vec();
            crawls.sort_by_key(|c| std::cmp::Reverse(c.start_time().map(DateTime::secs)));
            Seen::Got(
                crawls
                    .iter()
                    .map(|c| c.state().map_or("UNKNOWN", |s| s.as_str()).to_owned())
                    .collect(),
            )
        }
        Err(e) => match fault(&e) {
            Fault::Missing => Seen::Got(Vec::new()),
            f => unseen(f, "glue:ListCrawls"),
        },
    }
}

/// How many partitions the table has; None: there is no such table.
async fn partitions(c: &Clients, database: &str, table: &str) -> Seen<Option<usize>> {
    let g = &c.glue;
    if let Err(e) = g
        .get_table()
        .database_name(database)
        .name(table)
        .send()
        .await
    {
        return match fault(&e) {
            Fault::Missing => Seen::Got(None),
            f => unseen(f, "glue:GetTable"),
        };
    }
    let mut pages = g
        .get_partitions()
        .database_name(database)
        .table_name(table)
        .into_paginator()
        .send();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => count += p.partitions().len(),
            Err(e) => return unseen(fault(&e), "glue:GetPartitions"),
        }
        if count >= 10_000 {
            break;
        }
    }
    Seen::Got(Some(count))
}

/// `symbol=BTC_USD/year=2020/month=10/day=1/hour=0/` after the prefix, as
/// the ETL function writes it: the symbol and the hour.
fn processed_layout(rest: &str) -> Option<(String, i64)> {
    let parts: Vec<&str> = rest.split('/').collect();
    let [symbol, year, month, day, hour, name, ..] = parts.as_slice() else {
        return None;
    };
    let value = |part: &str, key: &str| {
        part.strip_prefix(key)
            .and_then(|v| v.strip_prefix('='))
            .map(str::to_owned)
    };
    let number = |part: &str, key: &str| value(part, key).and_then(|v| v.parse::<i64>().ok());
    let symbol = value(symbol, "symbol").filter(|s| !s.is_empty())?;
    let small = |part: &str, key: &str| number(part, key).and_then(|n| u32::try_from(n).ok());
    let hour = crate::base::calendar::epoch_hour(
        number(year, "year")?,
        small(month, "month")?,
        small(day, "day")?,
        small(hour, "hour")?,
    )?;
    (!name.is_empty()).then_some((symbol, hour))
}

async fn processed(
    c: &Clients,
    bucket: &str,
    prefix: &str,
    wanted: Option<(String, i64)>,
) -> Seen<Processed> {
    let (keys, _) = match list(c, bucket, prefix, MAX_RAW_OBJECTS).await {
        Ok(k) => k,
        Err(Fault::Missing) => (Vec::new(), false),
        Err(f) => return unseen(f, "s3:ListBucket"),
    };
    let mut p = Processed {
        prefix: prefix.to_owned(),
        ..Processed::default()
    };
    let mut sampled = 0;
    for (key, _) in keys {
        let rest = &key[prefix.len().min(key.len())..];
        let Some(at) = processed_layout(rest) else {
            p.misplaced_count += 1;
            if p.misplaced.len() < 3 {
                p.misplaced.push(key);
            }
            continue;
        };
        *p.objects.entry(at.clone()).or_default() += 1;
        let in_wanted = wanted.as_ref() == Some(&at);
        if !in_wanted && sampled >= SAMPLE_PARQUET {
            continue;
        }
        sampled += usize::from(!in_wanted);
        let rows = match parquet_rows(c, bucket, &key).await {
            Ok(rows) => Ok(rows),
            Err(Fault::Other(why)) => Err(why),
            Err(f) => return unseen(f, "s3:GetObject"),
        };
        if let Err(why) = &rows {
            if p.not_parquet.is_none() {
                p.not_parquet = Some(format!("`{key}`: {why}"));
            }
        }
        if in_wanted {
            let entry = p.rows.entry(at).or_insert(Ok(0));
            match (entry.as_mut(), rows) {
                (Ok(sum), Ok(n)) => *sum += n,
                (Ok(_), Err(why)) => *entry = Err(why),
                (Err(_), _) => {}
            }
        }
    }
    Seen::Got(p)
}

/// A Parquet object's rows, from two ranged reads of its end.
async fn parquet_rows(c: &Clients, bucket: &str, key: &str) -> Result<u64, Fault> {
    let tail = get(c, bucket, key, Some("bytes=-8".to_owned())).await?;
    let len = parquet::footer_len(&tail).map_err(Fault::Other)?;
    let footer = get(
        c,
        bucket,
        key,
        Some(format!("bytes=-{}", u64::from(len) + 8)),
    )
    .await?;
    let body = footer
        .len()
        .checked_sub(8)
        .map(|end| &footer[..end])
        .ok_or_else(|| Fault::Other("the footer is cut short".to_owned()))?;
    parquet::num_rows(body).map_err(Fault::Other)
}

async fn alerts(c: &Clients, bucket: &str, prefix: &str) -> Seen<usize> {
    match list(c, bucket, prefix, 10).await {
        Ok((keys, _)) => Seen::Got(keys.iter().filter(|(k, _)| !k.ends_with('/')).count()),
        Err(Fault::Missing) => Seen::Got(0),
        Err(f) => unseen(f, "s3:ListBucket"),
    }
}

async fn function_logs(c: &Clients, function: &str) -> Seen<Logs> {
    let group = format!("/aws/lambda/{function}");
    let since = SystemTime::now()
        .checked_sub(Duration::from_secs(
            3600 * u64::try_from(flow::LOG_HOURS).unwrap_or(24),
        ))
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
    let mut logs = Logs {
        group: group.clone(),
        ..Logs::default()
    };
    let mut token: Option<String> = None;
    loop {
        let out = c
            .logs
            .filter_log_events()
            .log_group_name(&group)
            .start_time(since)
            .set_next_token(token.take())
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e) => match fault(&e) {
                // No log group: the function never logged.
                Fault::Missing => return Seen::Got(logs),
                f => return unseen(f, "logs:FilterLogEvents"),
            },
        };
        for event in out.events() {
            logs.events += 1;
            let message = event.message().unwrap_or_default();
            if flow::is_error(message) && logs.errors.len() < 5 {
                logs.errors.push(message.trim().to_owned());
            }
        }
        match out.next_token() {
            Some(t) if !out.events().is_empty() && logs.events < MAX_LOG_EVENTS => {
                token = Some(t.to_owned());
            }
            _ => return Seen::Got(logs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_of_the_two_zones() {
        assert!(raw_layout(
            "year=2021/month=04/day=17/hour=17/firehose-1-2021-04-17-17-00-00-x"
        ));
        assert!(!raw_layout("year=2021/month=4/day=17/hour=17/x"));
        assert!(!raw_layout("2021/04/17/17/x"));
        assert!(!raw_layout("year=2021/month=04/day=17/hour=17/"));
        assert_eq!(
            processed_layout("symbol=BTC_USD/year=2020/month=10/day=1/hour=0/a.snappy.parquet"),
            Some(("BTC_USD".to_owned(), 1_601_510_400))
        );
        assert_eq!(
            processed_layout("symbol=BTC_USD/year=2020/month=13/day=1/hour=0/a"),
            None
        );
        assert_eq!(processed_layout("year=2020/month=10/day=1/hour=0/a"), None);
    }
}
