//! What a generator setting means in records per second: the basis of the
//! Firehose cost line.
//!
//! The course generator's `-s N` (stackgen's `generator.speedup`, and the
//! older `generator.messages_per_second`) is not a rate. It sleeps
//! (Δ transaction_ts) / N between trades, so it replays event time N
//! times faster, and the record rate is the data's own rate times N. For
//! the lab's file that is 15,779 trades over 86,904 s of 2020-10-01: 0.18
//! records per second at N = 1, 1.8 at N = 10.
//!
//! Without `-s` the generator never sleeps: one `put_record` after the
//! other, as fast as round trips allow. That depends on the network, not
//! on the file; the estimate assumes one round trip of 50 ms, 20 records
//! per second, and says so.

/// The lab's replay data (`crypto_trades_20201001.csv`): trades and the
/// seconds between the first and the last.
pub const LAB_TRADES: u32 = 15_779;
pub const LAB_SPAN_S: u32 = 86_904;

/// Records per second assumed when nothing paces the generator.
pub const BACK_TO_BACK_RATE: f64 = 20.0;

/// The generator's speed-up as the spec sets it, under either name.
pub fn speedup(g: &crate::base::model::GeneratorOptions) -> Option<f64> {
    g.speedup.or(g.messages_per_second.map(f64::from))
}

/// The average record rate a setting gives on the lab's data, and the
/// assumption in words.
pub fn rate(g: &crate::base::model::GeneratorOptions) -> (f64, String) {
    match speedup(g) {
        Some(x) => {
            let rate = f64::from(LAB_TRADES) / f64::from(LAB_SPAN_S) * x;
            (
                rate,
                format!(
                    "at --speed {}, {rate:.1} records/s on average over the lab's day of trades",
                    crate::stack::sql::number(x)
                ),
            )
        }
        None => (
            BACK_TO_BACK_RATE,
            format!(
                "unpaced (no speed-up set), about {BACK_TO_BACK_RATE} records/s: one put_record per 50 ms round trip"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::model::GeneratorOptions;

    #[test]
    fn speedup_scales_the_datas_own_rate() {
        let g = GeneratorOptions {
            speedup: Some(10.0),
            ..GeneratorOptions::default()
        };
        let (r, words) = rate(&g);
        assert!((r - 1.8157).abs() < 1e-3, "{r}");
        assert_eq!(
            words,
            "at --speed 10, 1.8 records/s on average over the lab's day of trades"
        );
        let old = GeneratorOptions {
            messages_per_second: Some(10),
            ..GeneratorOptions::default()
        };
        assert!((rate(&old).0 - r).abs() < 1e-12);
        assert!((rate(&GeneratorOptions::default()).0 - BACK_TO_BACK_RATE).abs() < 1e-12);
    }
}
