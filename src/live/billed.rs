//! The parts of a stack that bill by the hour whether or not anyone uses
//! them, as a table: what `status` reports and `sweep` stops.
//!
//! Today that is one row, the Kinesis Data Stream (provisioned: per open
//! shard, per hour). A new hourly-billed part joins by a row here, with
//! the price it takes from the region's list prices (`aws::PRICES`) and
//! the AWS calls that find and delete it (`Api`, in `aws.rs`). The SQL
//! application of exercise 5 bills by the hour too, but AWS accepts no
//! new ones since 2025-10-15 and deleted the old ones from 2026-01-27, so
//! no stack of today has one to find.

use crate::base::aws::{self, RegionPrices};
use crate::base::part::PartId;
use crate::stack::Stack;

/// How `live::aws` finds and deletes a part's resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    KinesisStream,
}

/// One kind of hourly-billed resource.
#[derive(Debug)]
pub struct Billed {
    /// The part that creates it.
    pub part: PartId,
    /// The key of its name among the part's names.
    pub name_key: &'static str,
    /// What it is, in words.
    pub what: &'static str,
    /// What it bills per hour for (one of them), and the plural.
    pub unit: (&'static str, &'static str),
    /// Its list price per unit-hour in a region.
    pub price: fn(&RegionPrices) -> f64,
    /// The ARN the stack gives it.
    pub arn: fn(&Stack) -> String,
    pub api: Api,
}

pub const BILLED: &[Billed] = &[Billed {
    part: PartId::Stream,
    name_key: "stream",
    what: "Kinesis Data Stream",
    unit: ("shard", "shards"),
    price: |p| p.shard_hour_usd,
    arn: |s| s.arns.stream.clone(),
    api: Api::KinesisStream,
}];

/// What one resource costs: per hour now, and since it was created.
/// Money is counted in whole units (micro-dollars, cents) so that a cost
/// so far is the same to the cent on every machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cost {
    /// Micro-dollars per hour; None when the region's prices are unknown.
    pub per_hour_micro: Option<i64>,
    /// Cents since creation at today's unit count, rounded half up; None
    /// likewise.
    pub so_far_cents: Option<i64>,
    /// How: "1 shard × $0.015 per shard-hour (us-east-1 list price of 2026-11)".
    pub basis: String,
}

impl Billed {
    /// The cost of `units` units in `region`, running for `seconds`
    /// (nothing for a creation time after the clock's).
    pub fn cost(&self, region: &str, units: u32, seconds: i64) -> Cost {
        let noun = if units == 1 { self.unit.0 } else { self.unit.1 };
        match aws::prices(region) {
            Some(p) => {
                let price = (self.price)(p);
                let per_hour_micro = i64::from(units) * micro(price);
                // micro-dollars × seconds / (3600 s × 10,000 micro-dollars per cent)
                let scaled = i128::from(per_hour_micro) * i128::from(seconds.max(0));
                let divisor = 3600 * 10_000;
                let so_far = (scaled + divisor / 2) / divisor;
                Cost {
                    per_hour_micro: Some(per_hour_micro),
                    so_far_cents: Some(i64::try_from(so_far).unwrap_or(i64::MAX)),
                    basis: format!(
                        "{units} {noun} × ${price} per {}-hour ({} list price of {})",
                        self.unit.0, p.region, p.date
                    ),
                }
            }
            None => Cost {
                per_hour_micro: None,
                so_far_cents: None,
                basis: format!("{units} {noun}; no list prices are known for {region}"),
            },
        }
    }
}

/// A list price in micro-dollars (AWS publishes at most six decimals).
fn micro(usd: f64) -> i64 {
    // Prices are cents or less; far inside i64.
    #[allow(clippy::cast_possible_truncation)]
    let m = (usd * 1_000_000.0).round() as i64;
    m
}

/// `12.34` from cents.
pub fn usd_cents(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// `0.0150` from micro-dollars, to four decimals (rounded half up).
pub fn usd_rate(micro: i64) -> String {
    let units = (micro + 50) / 100;
    format!("{}.{:04}", units / 10_000, units % 10_000)
}

/// A dollar figure for JSON, from a count of `per_dollar` units.
#[allow(clippy::cast_precision_loss)]
pub fn dollars(amount: i64, per_dollar: i64) -> f64 {
    amount as f64 / per_dollar as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_a_part_that_bills_in_the_stack_table() {
        for row in BILLED {
            assert!(
                crate::base::part::name_keys(row.part).contains(&row.name_key),
                "{:?} has no name `{}`",
                row.part,
                row.name_key
            );
        }
    }

    #[test]
    fn costs_are_units_times_price_times_hours() {
        let stream = &BILLED[0];
        // 2 shards for 37 h 45 min: 2 × 0.015 × 37.75 = $1.1325.
        let c = stream.cost("us-east-1", 2, 37 * 3600 + 45 * 60);
        assert_eq!(c.per_hour_micro, Some(30_000));
        assert_eq!(c.so_far_cents, Some(113));
        assert_eq!(
            c.basis,
            "2 shards × $0.015 per shard-hour (us-east-1 list price of 2026-11)"
        );
        // Half a cent rounds up: 1 shard for 20 min is $0.005.
        assert_eq!(stream.cost("us-east-1", 1, 20 * 60).so_far_cents, Some(1));
        assert_eq!(
            stream.cost("us-east-1", 1, 20 * 60 - 1).so_far_cents,
            Some(0)
        );
        let unknown = stream.cost("eu-central-1", 1, 36_000);
        assert_eq!(unknown.per_hour_micro, None);
        assert_eq!(unknown.so_far_cents, None);
        // A creation time after the clock's (a clock set back) costs nothing yet.
        assert_eq!(stream.cost("us-east-1", 1, -3).so_far_cents, Some(0));
        assert_eq!(usd_cents(113), "1.13");
        assert_eq!(usd_rate(15_000), "0.0150");
    }
}
