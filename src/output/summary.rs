//! The class summary an instructor hands out: per student the directory,
//! account, region, the main resource names and the estimated cost per hour
//! while the stack runs, and the class total. Written as Markdown and CSV.
//!
//! Prices are the list prices of each student's region (`aws::PRICES`,
//! each with its date and source):
//! - Kinesis Data Stream: per shard-hour;
//! - Kinesis Data Analytics (SQL, classic target): per hour for the one KPU
//!   an application uses at least;
//! - Firehose: per GB ingested, each record rounded up to 5 KB.
//!
//! A student in a region whose prices are unknown gets "unknown", not
//! another region's figure, and the total says how many it leaves out.
//!
//! Firehose volume follows the record rate the generator's setting gives
//! (`stack::pacing`). Lambda, S3, Glue and Athena are billed per
//! request and per GB scanned: cents over a whole lab, not per hour, and
//! left out.

use std::fmt::Write as _;

pub use crate::base::aws::{ANALYTICS_HOUR_USD, FIREHOSE_GB_USD, PRICES_DATE, SHARD_HOUR_USD};
use crate::base::part::PartId;

/// How `class-summary.csv` is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CsvStyle {
    /// RFC 4180: `,` between cells, `.` in numbers, no byte order mark.
    #[default]
    Standard,
    /// What Excel under a Polish (or German, French...) locale opens by
    /// double-click: `;` between cells, `,` in numbers, a UTF-8 byte order
    /// mark (without it Excel reads the file as Windows-1250 and garbles
    /// `ł`), and CRLF line ends.
    Excel,
}

use crate::validate::class::Class;

/// Estimated cost per hour of one running stack, in USD: the sum of its
/// parts' cost lines.
pub fn cost_per_hour(spec: &crate::base::model::StudentSpec) -> f64 {
    crate::stack::Stack::new(spec, &spec.edition()).cost_per_hour()
}

/// A cost in ten-thousandths of a dollar, the precision the summary
/// prints: rows are rounded once, and the total is the sum of the rounded
/// rows, so the printed figures add up.
pub fn ten_thousandths(usd: f64) -> i64 {
    // Costs are cents per hour; far inside i64.
    #[allow(clippy::cast_possible_truncation)]
    let units = (usd * 10_000.0).round() as i64;
    units
}

/// Whole cents, for totals over hours.
fn usd_cents(units: i64) -> String {
    let cents = (units + 50) / 100;
    format!("{}.{:02}", cents / 100, cents % 100)
}

pub fn usd(units: i64) -> String {
    format!("{}.{:04}", units / 10_000, units % 10_000)
}

/// A cost cell: empty in CSV when the price is unknown, so a spreadsheet's
/// SUM skips it rather than failing on text.
fn usd_cell(units: Option<i64>, style: CsvStyle) -> String {
    units.map_or_else(String::new, |u| match style {
        CsvStyle::Standard => usd(u),
        CsvStyle::Excel => usd(u).replace('.', ","),
    })
}

struct Row {
    dir: String,
    name: String,
    account: String,
    region: String,
    bucket: String,
    stream: String,
    firehose: String,
    glue_database: String,
    etl_function: String,
    analytics_function: String,
    /// None when the region's prices are unknown.
    cost: Option<i64>,
}

fn rows(class: &Class) -> Vec<Row> {
    class
        .members
        .iter()
        .map(|m| {
            let stack = crate::stack::Stack::new(&m.spec, &m.spec.edition());
            let zones = stack.zones();
            let name = |k: &str| stack.name(k).unwrap_or_default().to_owned();
            // The function exercise 5 adds: the SQL application's alert
            // Lambda (classic) or the anomaly detector (modern).
            let analytics_function = if stack.has(PartId::AlertFunction) {
                name("alert_function")
            } else if stack.has(PartId::Detector) {
                name("detector_function")
            } else {
                String::new()
            };
            Row {
                dir: m.dir.clone(),
                name: m.spec.student.name.clone(),
                account: m.spec.account_id.clone(),
                region: m.spec.region.clone(),
                bucket: zones.raw_bucket_name.clone(),
                stream: name("stream"),
                firehose: name("firehose"),
                glue_database: zones.raw_database_name.clone(),
                etl_function: name("etl_function"),
                analytics_function,
                cost: crate::base::aws::prices(&m.spec.region)
                    .map(|_| ten_thousandths(stack.cost_per_hour())),
            }
        })
        .collect()
}

const COLUMNS: [&str; 11] = [
    "directory",
    "student",
    "account",
    "region",
    "bucket",
    "stream",
    "firehose",
    "glue_database",
    "etl_function",
    "analytics_function",
    "usd_per_hour",
];

fn fields(r: &Row, style: CsvStyle) -> [String; 11] {
    [
        r.dir.clone(),
        r.name.clone(),
        r.account.clone(),
        r.region.clone(),
        r.bucket.clone(),
        r.stream.clone(),
        r.firehose.clone(),
        r.glue_database.clone(),
        r.etl_function.clone(),
        r.analytics_function.clone(),
        usd_cell(r.cost, style),
    ]
}

/// The sum of the known costs, and how many rows have none.
fn total(rows: &[Row]) -> (i64, usize) {
    let known: i64 = rows.iter().filter_map(|r| r.cost).sum();
    (known, rows.iter().filter(|r| r.cost.is_none()).count())
}

/// The class total in ten-thousandths of a dollar per hour: the sum of
/// the printed rows (what the class root's README quotes), leaving out
/// the students whose region has no known prices.
pub fn class_total(class: &Class) -> i64 {
    total(&rows(class)).0
}

pub fn csv(class: &Class) -> String {
    csv_in(class, CsvStyle::Standard)
}

/// The CSV summary in the given style.
pub fn csv_in(class: &Class, style: CsvStyle) -> String {
    let rows = rows(class);
    let (delimiter, terminator, bom) = match style {
        CsvStyle::Standard => (b',', csv::Terminator::Any(b'\n'), ""),
        CsvStyle::Excel => (b';', csv::Terminator::CRLF, "\u{feff}"),
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(terminator)
        .from_writer(bom.as_bytes().to_vec());
    writer.write_record(COLUMNS).expect("writing to memory");
    for r in &rows {
        writer
            .write_record(fields(r, style))
            .expect("writing to memory");
    }
    let (total, unknown) = total(&rows);
    let mut last = vec![String::new(); COLUMNS.len()];
    last[0] = "TOTAL".into();
    last[1] = format!(
        "{} student{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    if unknown > 0 {
        last[2] = format!("{unknown} without known prices, not in the total");
    }
    last[COLUMNS.len() - 1] = usd_cell(Some(total), style);
    writer.write_record(&last).expect("writing to memory");
    String::from_utf8(writer.into_inner().expect("flushing memory")).expect("CSV of UTF-8 is UTF-8")
}

pub fn markdown(class: &Class, source_name: &str) -> String {
    let rows = rows(class);
    let (total, unknown) = total(&rows);
    let mut out = String::new();
    let _ = writeln!(out, "# {}: {} student stacks", class.course, rows.len());
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Generated by stackgen {} from `{source_name}`. Each student's stack is in the directory named in the first column.",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| {} |", COLUMNS.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(COLUMNS.len()));
    for r in &rows {
        let mut cells = fields(r, CsvStyle::Standard);
        if r.cost.is_none() {
            "unknown".clone_into(&mut cells[COLUMNS.len() - 1]);
        }
        let cells: Vec<String> = cells
            .iter()
            .map(|f| {
                if f.is_empty() {
                    "-".to_owned()
                } else {
                    f.replace('|', "\\|")
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "**Class total: ${} per hour** while every stack runs (${} for a 3-hour lab).",
        usd(total),
        usd_cents(total * 3)
    );
    if unknown > 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "The total leaves out {unknown} student{} in regions whose prices stackgen does not know: their cost shows as unknown.",
            if unknown == 1 { "" } else { "s" }
        );
    }
    expiry(&mut out, class);
    let _ = writeln!(out);
    let _ = writeln!(out, "## Prices used");
    let _ = writeln!(out);
    let mut regions: Vec<&str> = rows.iter().map(|r| r.region.as_str()).collect();
    regions.sort_unstable();
    regions.dedup();
    for region in regions {
        match crate::base::aws::prices(region) {
            Some(p) => {
                let _ = writeln!(
                    out,
                    "{region} list prices as of {}, from the {}:",
                    p.date, p.source
                );
                let _ = writeln!(out);
                let _ = writeln!(
                    out,
                    "- Kinesis Data Stream: ${} per shard-hour.",
                    p.shard_hour_usd
                );
                let _ = writeln!(out, "- Kinesis Data Analytics (SQL), when exercise 5 runs on the classic target: ${} per hour (one KPU) while the application runs.", p.analytics_hour_usd);
                let _ = writeln!(out, "- Firehose: ${} per GB ingested, each record counted as at least 5 KB, at the record rate the generator's setting gives: `generator.speedup` (the course generator's `-s`) times the lab data's own 0.18 trades per second, or about {} records per second when nothing paces it.", p.firehose_gb_usd, crate::stack::pacing::BACK_TO_BACK_RATE);
            }
            None => {
                let _ = writeln!(
                    out,
                    "{region}: no list prices known; costs there are not estimated."
                );
            }
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "- Not included: Lambda (the modern target's anomaly detector too), S3, Glue and Athena, billed per request or per GB scanned (cents over a whole lab).");
    out
}

/// A paragraph on the stacks that expire (`expire_after_hours`), read off
/// their reaper parts; nothing when no stack has one.
fn expiry(out: &mut String, class: &Class) {
    let mut hours = std::collections::BTreeSet::new();
    let (mut expiring, mut unpriced) = (0, 0);
    // What the streams of the expiring stacks bill at most before their
    // reapers delete them (one more schedule period included).
    let mut bound: i64 = 0;
    for m in &class.members {
        let stack = crate::stack::Stack::new(&m.spec, &m.spec.edition());
        let (Some(_), Some(h)) = (stack.part(PartId::Reaper), m.spec.expire_after_hours) else {
            continue;
        };
        expiring += 1;
        hours.insert(h);
        // As the rows do: no figure for a region whose prices are unknown.
        if crate::base::aws::prices(&m.spec.region).is_none() {
            unpriced += 1;
            continue;
        }
        let window = f64::from(h) + f64::from(crate::stack::parts::REAPER_EVERY_MINUTES) / 60.0;
        bound += stack
            .part(PartId::Stream)
            .and_then(|p| p.cost.as_ref())
            .map_or(0, |c| ten_thousandths(c.usd_per_hour * window));
    }
    if expiring == 0 {
        return;
    }
    let hours: Vec<String> = hours.iter().map(u32::to_string).collect();
    let unpriced = match unpriced {
        0 => String::new(),
        n => format!(" (leaving out {n} in regions whose prices stackgen does not know)"),
    };
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "**Expiry:** {expiring} of {} stacks delete their stream {} hours after it was created (`expire_after_hours`): each has a reaper function that an EventBridge rule runs every {} minutes. Left up, those streams bill at most ${} in all{unpriced} before their reapers delete them; `terraform apply` creates a stream again. Each reaper adds one EventBridge rule to the default event bus of its student's account and region, which allows 300 rules by default.",
        class.members.len(),
        hours.join(" or "),
        crate::stack::parts::REAPER_EVERY_MINUTES,
        usd_cents(bound)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_the_sum_of_the_printed_rows() {
        assert_eq!(usd(ten_thousandths(0.129_979)), "0.1300");
        assert_eq!(usd(3 * ten_thousandths(0.129_979)), "0.3900");
    }

    #[test]
    fn handout_stack_costs_thirteen_cents_an_hour_on_classic_two_on_modern() {
        let source = crate::input::load::Source::new(
            "s.yaml",
            "target: classic\nstudent: {name: J, initials: jk, index_no: \"1\"}\naccount_id: \"100603781557\"\n",
        );
        let mut spec = crate::input::load::student(&source).unwrap();
        let cost = cost_per_hour(&spec);
        // Unpaced: 0.015 (shard) + 0.11 (analytics) + 20/s * 3600 * 5 KB
        // = 0.3433 GB * 0.029.
        assert!((cost - 0.134_957).abs() < 1e-5, "{cost}");
        // The modern target's detector is a Lambda: no hourly charge.
        spec.target = crate::base::model::Target::Modern;
        assert!((cost_per_hour(&spec) - 0.024_957).abs() < 1e-5);
        // At --speed 10 the lab's trades arrive at 1.8 per second.
        spec.generator.speedup = Some(10.0);
        let paced = cost_per_hour(&spec);
        assert!((paced - (0.015 + 1.815_7 * 3600.0 * 5.0 / 1_048_576.0 * 0.029)).abs() < 1e-6);
    }
}
