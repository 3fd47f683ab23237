//! How fast trades are replayed, and when each one arrives.
//!
//! Three pacings (the flags of `stackgen replay`):
//! - `--rate R`: R records per second, from a token bucket; the i-th record
//!   of a pass is due at i/R s.
//! - `--speed X`: event time divided by X, what the course generator's
//!   `-s X` does (it sleeps Δtransaction_ts / X between trades); a trade is
//!   due at (ts − ts₀)/X s after the pass started.
//! - `--max`: no pacing, as fast as the stream takes the batches (the course
//!   generator's default `-s -1`).

use std::fmt;
use std::time::{Duration, Instant};

use super::trades::Trade;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pacing {
    /// Records per second (positive, finite).
    Rate(f64),
    /// Event-time speed-up factor (positive, finite).
    Speed(f64),
    Max,
}

impl fmt::Display for Pacing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pacing::Rate(r) => write!(f, "--rate {r}"),
            Pacing::Speed(x) => write!(f, "--speed {x}"),
            Pacing::Max => f.write_str("--max"),
        }
    }
}

/// Seconds from the start of a pass at which each trade is due, in file
/// order; `None` for `--max`, whose times depend on the stream.
///
/// These are also the arrival times `stackgen simulate` assumes; its
/// agreement test feeds the same numbers to the detector's Python code, so
/// the arithmetic here is what Python's `i / R` and `(ts - ts0) / X` give.
pub fn arrivals(trades: &[Trade], pacing: Pacing) -> Option<Vec<f64>> {
    let ts0 = trades.first()?.transaction_ts;
    match pacing {
        #[allow(clippy::cast_precision_loss)] // counts and seconds far below 2^53
        Pacing::Rate(r) => Some((0..trades.len()).map(|i| i as f64 / r).collect()),
        #[allow(clippy::cast_precision_loss)]
        Pacing::Speed(x) => Some(
            trades
                .iter()
                .map(|t| (t.transaction_ts - ts0) as f64 / x)
                .collect(),
        ),
        Pacing::Max => None,
    }
}

/// The average record rate (records per second) a pacing produces over one
/// pass of the file; `None` for `--max`, or when every trade has the same
/// time (`--speed` then sends the pass at once).
///
/// For `--speed X` a pass of n trades lasts (latest ts − first ts)/X, so
/// the rate is n·X/span: on the lab's day of trades about 0.18·X records/s.
/// This is what a cost estimate of the stream's consumers should use.
pub fn average_rate(trades: &[Trade], pacing: Pacing) -> Option<f64> {
    match pacing {
        Pacing::Rate(r) => Some(r),
        Pacing::Speed(x) => {
            let ts0 = trades.first()?.transaction_ts;
            let span = trades.iter().map(|t| t.transaction_ts - ts0).max()?;
            #[allow(clippy::cast_precision_loss)]
            (span > 0).then(|| trades.len() as f64 * x / span as f64)
        }
        Pacing::Max => None,
    }
}

/// A token bucket: `rate` tokens a second, at most `capacity` saved up.
/// It starts with one token, so the first record goes at once and the i-th
/// at about i/rate, as `arrivals` assumes.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// One second's worth of tokens at most: enough that a slow request
    /// does not cost the rate (the next batch catches up), small enough
    /// that a stall never turns into a long burst.
    pub fn new(rate: f64, now: Instant) -> Self {
        Self {
            rate,
            capacity: rate.max(1.0),
            tokens: 1.0,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.last = now;
    }

    /// Takes up to `want` whole tokens; returns how many it took.
    pub fn take(&mut self, want: usize, now: Instant) -> usize {
        self.refill(now);
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let n = (self.tokens.floor() as usize).min(want);
        #[allow(clippy::cast_precision_loss)]
        {
            self.tokens -= n as f64;
        }
        n
    }

    /// How long until one whole token is there.
    pub fn wait(&self) -> Duration {
        Duration::from_secs_f64(((1.0 - self.tokens) / self.rate).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trades(ts: &[i64]) -> Vec<Trade> {
        ts.iter()
            .map(|&t| Trade {
                transaction_ts: t,
                symbol: "BTC_USD".into(),
                price: 1.0,
                amount: 1.0,
                dollar_amount: 1.0,
                kind: "buy".into(),
                trans_id: t,
                payload: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn arrivals_follow_the_pacing() {
        let t = trades(&[100, 100, 104, 110]);
        assert_eq!(
            arrivals(&t, Pacing::Rate(2.0)).unwrap(),
            [0.0, 0.5, 1.0, 1.5]
        );
        assert_eq!(
            arrivals(&t, Pacing::Speed(2.0)).unwrap(),
            [0.0, 0.0, 2.0, 5.0]
        );
        assert!(arrivals(&t, Pacing::Max).is_none());
    }

    #[test]
    fn average_rate_is_records_over_the_pass() {
        let t = trades(&[100, 100, 104, 110]);
        // 4 records over (110 - 100) / 5 = 2 s.
        assert_eq!(average_rate(&t, Pacing::Speed(5.0)), Some(2.0));
        assert_eq!(average_rate(&t, Pacing::Rate(7.0)), Some(7.0));
        assert_eq!(average_rate(&t, Pacing::Max), None);
        assert_eq!(average_rate(&trades(&[5, 5]), Pacing::Speed(1.0)), None);
    }

    #[test]
    fn bucket_holds_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(100.0, start);
        assert_eq!(bucket.take(500, start), 1);
        assert_eq!(bucket.take(500, start), 0);
        assert_eq!(bucket.take(500, start + Duration::from_millis(250)), 25);
        // Never more than a second's worth, however long it waited.
        assert_eq!(bucket.take(500, start + Duration::from_mins(1)), 100);
    }
}
