//! `stackgen simulate`: the stack's alert rule applied offline to the trade
//! file, at the arrival times a pacing gives: an answer key for exercise 5.
//!
//! The rule is the detector Lambda's (`templates/lambda/detector/
//! anomaly_detector.py`), step for step, including its floating-point
//! arithmetic, so that both flag exactly the same trades (a test runs the
//! Python code on the same arrival times and compares):
//! - only trades of the rule's symbol are analysed; each (symbol, type) has
//!   its own windows;
//! - a trade's time is its arrival, never earlier than the previous arrival
//!   of its partition; trades of equal time keep file order;
//! - the time window holds the partition's trades that arrived at most
//!   `window_seconds` before the current one, bounds included, and the
//!   current trade itself; its sum is kept running and added up afresh
//!   (exactly rounded, as Python's `math.fsum`) when a trade leaves that is
//!   larger than what remains;
//! - the 30-row window is the current trade and up to 30 before it;
//! - a trade is flagged when dollar_amount > threshold × the time window's
//!   average, strictly.
//!
//! The detector forgets the least recently used partition beyond 64; one
//! symbol has two types in the lab's data, so that never happens here and
//! is not modelled.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;

use serde::Serialize;

use crate::base::model::StudentSpec;
use crate::lab::replay::{pyjson, Pacing, Trade};

/// The handout's planted trade: 123,456,789 USD of BTC on line 888.
pub const PLANTED_TRANS_ID: i64 = 124_292_345;
/// ROWS 30 PRECEDING: the current row and up to 30 before it.
const ROWS_PRECEDING: usize = 30;

/// The stack's alert rule: the one place that reads it from the spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRule {
    pub symbol: String,
    pub threshold: f64,
    pub window_seconds: u32,
}

impl AlertRule {
    /// `None` when the stack has no exercise 5 (`analytics.enabled: false`).
    pub fn from_spec(spec: &StudentSpec) -> Option<Self> {
        let a = &spec.analytics;
        a.enabled.then(|| Self {
            symbol: a.symbol.clone(),
            threshold: a.threshold,
            window_seconds: a.window_seconds,
        })
    }

    fn avg_key(&self) -> String {
        format!("AvgLast{}seconds", self.window_seconds)
    }

    fn cnt_key(&self) -> String {
        format!("CntLast{}seconds", self.window_seconds)
    }
}

/// One flagged trade: the detector's nine output columns (and the trade's
/// own time, for the per-hour counts).
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub symbol: String,
    pub kind: String,
    pub trans_id: i64,
    pub dollar_amount: f64,
    pub avg_window: f64,
    pub cnt_window: usize,
    pub sum_rows: f64,
    pub cnt_rows: usize,
    pub max_trans_id: i64,
    pub transaction_ts: i64,
    /// Seconds after the first record, as the pacing gives it.
    pub arrival: f64,
}

#[derive(Default)]
struct Partition {
    timed: VecDeque<(f64, f64)>,
    timed_sum: f64,
    rows: VecDeque<(f64, i64)>,
    clock: f64,
}

/// Every trade `rule` flags when `trades[i]` arrives at `arrivals[i]`.
pub fn flagged(rule: &AlertRule, trades: &[Trade], arrivals: &[f64]) -> Vec<Alert> {
    let mut partitions: HashMap<&str, Partition> = HashMap::new();
    let mut alerts = Vec::new();
    let window = f64::from(rule.window_seconds);
    for (trade, &arrival) in trades.iter().zip(arrivals) {
        if trade.symbol != rule.symbol {
            continue;
        }
        let part = partitions
            .entry(trade.kind.as_str())
            .or_insert_with(|| Partition {
                clock: f64::NEG_INFINITY,
                ..Partition::default()
            });
        let amount = trade.dollar_amount;
        let now = arrival.max(part.clock);
        part.clock = now;
        part.timed.push_back((now, amount));
        part.timed_sum += amount;
        let oldest_kept = now - window;
        let mut resum = false;
        while part.timed.front().is_some_and(|&(t, _)| t < oldest_kept) {
            let (_, old) = part.timed.pop_front().expect("checked by the loop");
            part.timed_sum -= old;
            resum = resum || old.abs() > part.timed_sum.abs();
        }
        if resum {
            part.timed_sum = fsum(part.timed.iter().map(|&(_, a)| a));
        }
        if part.rows.len() == ROWS_PRECEDING + 1 {
            part.rows.pop_front();
        }
        part.rows.push_back((amount, trade.trans_id));
        #[allow(clippy::cast_precision_loss)]
        let avg = part.timed_sum / part.timed.len() as f64;
        if amount > rule.threshold * avg {
            alerts.push(Alert {
                symbol: trade.symbol.clone(),
                kind: trade.kind.clone(),
                trans_id: trade.trans_id,
                dollar_amount: amount,
                avg_window: avg,
                cnt_window: part.timed.len(),
                sum_rows: fsum(part.rows.iter().map(|&(a, _)| a)),
                cnt_rows: part.rows.len(),
                max_trans_id: part.rows.iter().map(|&(_, t)| t).max().unwrap_or(0),
                transaction_ts: trade.transaction_ts,
                arrival,
            });
        }
    }
    alerts
}

/// The exactly rounded sum of finite floats, as Python's `math.fsum`
/// computes it (Shewchuk's partials, then the same half-even correction),
/// so that sums agree with the detector's to the last bit.
pub fn fsum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut partials: Vec<f64> = Vec::new();
    for mut x in values {
        let mut kept = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        partials.truncate(kept);
        partials.push(x);
    }
    let Some(mut n) = partials.len().checked_sub(1) else {
        return 0.0;
    };
    let mut hi = partials[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = partials[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    // Round half to even across the partials left below `hi`.
    if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        let yr = x - hi;
        #[allow(clippy::float_cmp)] // exactness is the point
        if y == yr {
            hi = x;
        }
    }
    hi
}

/// Why a spec cannot be simulated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupError {
    /// No pacing given and the student's default is `--max` (the directory,
    /// empty for a single student).
    NoArrivalTimes(String),
    /// No student has exercise 5.
    NoRule,
}

impl GroupError {
    /// The message, naming `input` (the spec file) where no student is named.
    pub fn message(&self, input: &str) -> String {
        match self {
            GroupError::NoArrivalTimes(dir) => format!(
                "{}'s generator settings mean --max, whose arrival times depend on the stream; give --rate R or --speed X",
                if dir.is_empty() { input } else { dir }
            ),
            GroupError::NoRule => {
                format!("{input} has no alert rule (analytics.enabled is false)")
            }
        }
    }
}

/// The distinct (rule, pacing) pairs of a student or class, each with the
/// class directories it covers (none for a single student): what
/// `simulate` prints one result for. `pacing` is the command line's; without
/// it each student's default pacing is used.
pub fn group<'a>(
    members: impl IntoIterator<Item = (String, &'a StudentSpec)>,
    pacing: Option<Pacing>,
) -> Result<Vec<(AlertRule, Pacing, Vec<String>)>, GroupError> {
    let mut groups: Vec<(AlertRule, Pacing, Vec<String>)> = Vec::new();
    for (dir, spec) in members {
        let Some(rule) = AlertRule::from_spec(spec) else {
            continue;
        };
        let pacing = pacing
            .unwrap_or_else(|| crate::lab::replay::ReplayTarget::from_spec(spec).default_pacing);
        if pacing == Pacing::Max {
            return Err(GroupError::NoArrivalTimes(dir));
        }
        match groups
            .iter_mut()
            .find(|(r, p, _)| *r == rule && *p == pacing)
        {
            Some((_, _, dirs)) => dirs.push(dir),
            None => groups.push((rule, pacing, vec![dir])),
        }
    }
    for (_, _, dirs) in &mut groups {
        dirs.retain(|d| !d.is_empty());
    }
    if groups.is_empty() {
        return Err(GroupError::NoRule);
    }
    Ok(groups)
}

/// A simulation's result: what `simulate` prints.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub rule: AlertRule,
    pub pacing: Pacing,
    /// The students (class directories) whose stacks use this rule; empty
    /// for a single student.
    pub students: Vec<String>,
    pub trades: usize,
    /// Trades of the rule's symbol.
    pub analysed: usize,
    pub alerts: Vec<Alert>,
    /// Records per second the pacing gives over the file, on average.
    pub average_rate: Option<f64>,
}

impl Outcome {
    pub fn new(
        rule: AlertRule,
        pacing: Pacing,
        trades: &[Trade],
        arrivals: &[f64],
        students: Vec<String>,
    ) -> Self {
        let alerts = flagged(&rule, trades, arrivals);
        Self {
            average_rate: crate::lab::replay::pacing::average_rate(trades, pacing),
            analysed: trades.iter().filter(|t| t.symbol == rule.symbol).count(),
            trades: trades.len(),
            rule,
            pacing,
            students,
            alerts,
        }
    }

    pub fn planted_flagged(&self) -> bool {
        self.alerts.iter().any(|a| a.trans_id == PLANTED_TRANS_ID)
    }

    /// Alerts per hour of the trades' own time (UTC) and type.
    pub fn per_hour(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for a in &self.alerts {
            *counts
                .entry(hour(a.transaction_ts))
                .or_default()
                .entry(a.kind.clone())
                .or_default() += 1;
        }
        counts
    }

    fn pacing_words(&self) -> String {
        match self.pacing {
            Pacing::Rate(r) => format!("--rate {r}: the i-th record arrives at i/{r} s"),
            Pacing::Speed(x) => format!("--speed {x}: a trade arrives at (ts - ts0)/{x} s"),
            Pacing::Max => "--max".to_owned(),
        }
    }
}

/// `YYYY-MM-DD HH:00` of a Unix time, UTC.
fn hour(ts: i64) -> String {
    let (y, m, d, h) = crate::base::calendar::civil(ts);
    format!("{y:04}-{m:02}-{d:02} {h:02}:00")
}

const COLUMNS: usize = 9;

fn header(rule: &AlertRule) -> [String; COLUMNS] {
    [
        "symbol".into(),
        "type".into(),
        "trans_id".into(),
        "dollar_amount".into(),
        rule.avg_key(),
        rule.cnt_key(),
        "SumLast30rows".into(),
        "CntLast30rows".into(),
        "max_tran_id".into(),
    ]
}

/// The nine columns of an alert, numbers written as the detector's JSON
/// writes them.
fn cells(a: &Alert) -> [String; COLUMNS] {
    [
        a.symbol.clone(),
        a.kind.clone(),
        a.trans_id.to_string(),
        pyjson::float(a.dollar_amount),
        pyjson::float(a.avg_window),
        a.cnt_window.to_string(),
        pyjson::float(a.sum_rows),
        a.cnt_rows.to_string(),
        a.max_trans_id.to_string(),
    ]
}

/// Plain text: the rule, the counts, every alert, the per-hour table.
pub fn text(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for (i, o) in outcomes.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !o.students.is_empty() {
            let _ = writeln!(out, "students: {}", o.students.join(", "));
        }
        let _ = writeln!(
            out,
            "rule: {} trades with dollar_amount > {} x the average of the same symbol and type over the last {} s of arrivals",
            o.rule.symbol,
            pyjson::float(o.rule.threshold),
            o.rule.window_seconds
        );
        let _ = write!(out, "pacing: {}", o.pacing_words());
        if let Some(rate) = o.average_rate {
            let _ = write!(out, "; {rate:.2} records/s on average over the file");
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "{} trades, {} of {} analysed, {} flagged; the planted trade {PLANTED_TRANS_ID} is {}",
            o.trades,
            o.analysed,
            o.rule.symbol,
            o.alerts.len(),
            if o.planted_flagged() {
                "flagged"
            } else {
                "NOT flagged"
            }
        );
        if o.alerts.is_empty() {
            continue;
        }
        let mut rows = vec![header(&o.rule)];
        rows.extend(o.alerts.iter().map(cells));
        let widths: Vec<usize> = (0..COLUMNS)
            .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
            .collect();
        out.push('\n');
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (cell, w))| {
                    if c < 2 {
                        format!("{cell:<w$}")
                    } else {
                        format!("{cell:>w$}")
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
        }
        let per_hour = o.per_hour();
        let kinds: Vec<String> = per_hour
            .values()
            .flat_map(|m| m.keys().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let _ = write!(out, "\nalerts per hour (transaction_ts, UTC)");
        for k in &kinds {
            let _ = write!(out, "  {k:>5}");
        }
        out.push('\n');
        for (h, counts) in &per_hour {
            let _ = write!(out, "{h:<37}");
            for k in &kinds {
                let _ = write!(out, "  {:>5}", counts.get(k).copied().unwrap_or(0));
            }
            out.push('\n');
        }
    }
    out
}

/// JSON: one object per rule (an array for a class).
pub fn json(outcomes: &[Outcome]) -> String {
    let values: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            let alerts: Vec<serde_json::Value> = o
                .alerts
                .iter()
                .map(|a| {
                    let mut m = serde_json::Map::new();
                    m.insert("symbol".into(), a.symbol.clone().into());
                    m.insert("type".into(), a.kind.clone().into());
                    m.insert("trans_id".into(), a.trans_id.into());
                    m.insert("dollar_amount".into(), a.dollar_amount.into());
                    m.insert(o.rule.avg_key(), a.avg_window.into());
                    m.insert(o.rule.cnt_key(), a.cnt_window.into());
                    m.insert("SumLast30rows".into(), a.sum_rows.into());
                    m.insert("CntLast30rows".into(), a.cnt_rows.into());
                    m.insert("max_tran_id".into(), a.max_trans_id.into());
                    m.insert("transaction_ts".into(), a.transaction_ts.into());
                    m.insert("arrival_s".into(), a.arrival.into());
                    serde_json::Value::Object(m)
                })
                .collect();
            let mut m = serde_json::Map::new();
            if !o.students.is_empty() {
                m.insert("students".into(), o.students.clone().into());
            }
            m.insert(
                "rule".into(),
                serde_json::to_value(&o.rule).unwrap_or_default(),
            );
            m.insert("pacing".into(), o.pacing.to_string().into());
            m.insert("average_rate".into(), o.average_rate.into());
            m.insert("trades".into(), o.trades.into());
            m.insert("analysed".into(), o.analysed.into());
            m.insert("flagged".into(), o.alerts.len().into());
            m.insert("planted_trade_flagged".into(), o.planted_flagged().into());
            m.insert(
                "per_hour".into(),
                serde_json::to_value(o.per_hour()).unwrap_or_default(),
            );
            m.insert("alerts".into(), alerts.into());
            serde_json::Value::Object(m)
        })
        .collect();
    let value = if values.len() == 1 {
        values.into_iter().next().unwrap_or_default()
    } else {
        values.into()
    };
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

/// CSV: one row per alert, the nine columns after the rule's threshold and
/// window (so a class's rules share one table).
pub fn csv(outcomes: &[Outcome]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let window = outcomes.first().map_or(30, |o| o.rule.window_seconds);
    let mut head = vec!["threshold".to_owned(), "window_seconds".to_owned()];
    let mut columns = header(&AlertRule {
        symbol: String::new(),
        threshold: 0.0,
        window_seconds: window,
    })
    .to_vec();
    if outcomes.iter().any(|o| o.rule.window_seconds != window) {
        // Mixed windows: one generic name for the window's two columns.
        columns[4] = "AvgLastWindow".into();
        columns[5] = "CntLastWindow".into();
    }
    head.extend(columns);
    let _ = w.write_record(&head);
    for o in outcomes {
        for a in &o.alerts {
            let mut row = vec![
                pyjson::float(o.rule.threshold),
                o.rule.window_seconds.to_string(),
            ];
            row.extend(cells(a));
            let _ = w.write_record(&row);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::float_cmp, clippy::cast_precision_loss)] // exact results
mod tests {
    use super::*;

    #[test]
    fn fsum_is_exactly_rounded() {
        assert_eq!(fsum([0.1; 10]), 1.0);
        assert_eq!(
            fsum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]),
            1e-100
        );
        assert_eq!(fsum([123_456_789.0, 0.1, -123_456_789.0]), 0.1);
        assert_eq!(fsum([]), 0.0);
    }

    #[test]
    fn hours_are_utc() {
        assert_eq!(hour(1_601_517_611), "2020-10-01 02:00");
        assert_eq!(hour(0), "1970-01-01 00:00");
        assert_eq!(hour(951_782_400), "2000-02-29 00:00");
    }

    fn trade(ts: i64, kind: &str, amount: f64, id: i64) -> Trade {
        Trade {
            transaction_ts: ts,
            symbol: "BTC_USD".into(),
            price: 1.0,
            amount: 1.0,
            dollar_amount: amount,
            kind: kind.into(),
            trans_id: id,
            payload: Vec::new(),
        }
    }

    #[test]
    fn rule_counts_itself_and_is_strict() {
        let rule = AlertRule {
            symbol: "BTC_USD".into(),
            threshold: 4.0,
            window_seconds: 30,
        };
        // Four trades of 1 and one of 8: avg 12/5 = 2.4, 8 > 9.6 is false.
        // Four of 1 and one of 20: avg 24/5 = 4.8, 20 > 19.2: flagged.
        let mut t: Vec<Trade> = (0..4).map(|i| trade(i, "buy", 1.0, i)).collect();
        t.push(trade(4, "buy", 20.0, 99));
        // A sell in between is its own partition; alone it is its own average.
        t.insert(2, trade(2, "sell", 1000.0, 50));
        let arrivals: Vec<f64> = (0..t.len()).map(|i| i as f64).collect();
        let got = flagged(&rule, &t, &arrivals);
        assert_eq!(got.iter().map(|a| a.trans_id).collect::<Vec<_>>(), [99]);
        assert_eq!(got[0].cnt_window, 5);
        assert_eq!(got[0].avg_window, 4.8);
        // Spread out beyond the window, the same trades flag nothing: the
        // big one is alone in its window.
        let spread: Vec<f64> = (0..t.len()).map(|i| i as f64 * 31.0).collect();
        assert!(flagged(&rule, &t, &spread).is_empty());
    }
}
