//! `stackgen replay`: the lab's trades into the student's Kinesis stream,
//! in PutRecords batches, paced, retried and counted.
//!
//! - `trades` reads the CSV and builds each record's bytes once (the course
//!   generator's `json.dumps(event) + "\n"`, see `pyjson`);
//! - `pacing` decides when each record is due (`--rate`, `--speed`, `--max`);
//! - `send` is the only user of the AWS SDK: one PutRecords call;
//! - `Replayer` (here) cuts batches within the API's limits, retries only
//!   what failed, with exponential backoff and jitter, a bounded number of
//!   times, and stops on Ctrl-C/SIGTERM with the counts so far.
//!
//! Invariant: every record read is, at the end, counted exactly once as
//! sent or failed (or not yet attempted, when the run was stopped), so
//! nothing is dropped in silence.

pub mod pacing;
pub mod pyjson;
mod send;
pub mod trades;

use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::base::model::StudentSpec;
pub use pacing::Pacing;
pub use trades::Trade;

/// Where and how a student's stack expects its trades: the one place that
/// reads the spec and its plan (so a change there is a change here only).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayTarget {
    pub stream: String,
    pub region: String,
    /// What `generator.json` says: `generator.speedup` (or its first name,
    /// `messages_per_second`) is the course generator's `-s`, an event-time
    /// speed-up, so `--speed` with it; unset, the generator never sleeps:
    /// `--max`.
    pub default_pacing: Pacing,
    /// `generator.single_run` (the course generator's `-r`).
    pub single_run: bool,
}

impl ReplayTarget {
    pub fn from_spec(spec: &StudentSpec) -> Self {
        let g = crate::stack::Stack::new(spec, &spec.edition()).generator;
        Self {
            stream: g.stream_name,
            region: g.region,
            default_pacing: g.speedup.map_or(Pacing::Max, Pacing::Speed),
            single_run: g.single_run,
        }
    }
}

/// How a run goes (the command line's flags, resolved).
#[derive(Debug, Clone)]
pub struct Options {
    pub pacing: Pacing,
    /// One pass over the file; otherwise it loops until stopped.
    pub single_run: bool,
    /// Stop after this many records (sent or failed).
    pub limit: Option<u64>,
}

/// Why a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// `--single-run`: the file was sent once.
    Finished,
    /// `--limit` records were sent.
    Limit,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// An error no retry can fix (no such stream, no access...).
    Aborted(String),
}

/// The counts of a run, also what progress reports carry.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Records Kinesis stored.
    pub sent: u64,
    /// Records sent again (one count per record per retry).
    pub retried: u64,
    /// Records given up on after the last retry (or when the run aborted).
    pub failed: u64,
    /// PutRecords calls, retries included.
    pub requests: u64,
    /// Whole requests that failed and were retried (throttling, 5xx...).
    pub failed_requests: u64,
    /// Full passes over the file.
    pub passes: u64,
    pub elapsed: Duration,
    /// Records a single run or `--limit` will attempt in all, when known.
    pub total: Option<u64>,
    pub stop: Option<Stop>,
}

impl Summary {
    /// Records per second over the run.
    pub fn rate(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        if s > 0.0 {
            self.sent as f64 / s
        } else {
            0.0
        }
    }

    /// Everything read was stored and nothing went wrong on the way out.
    pub fn all_sent(&self) -> bool {
        self.failed == 0 && !matches!(self.stop, Some(Stop::Aborted(_)))
    }
}

/// Something a progress display may show.
pub enum Event<'a> {
    /// A batch is done; the counts so far.
    Batch(&'a Summary),
    /// Records are about to be sent again.
    Retry {
        records: usize,
        attempt: u32,
        delay: Duration,
        reason: &'a str,
    },
    /// Records were given up on.
    GaveUp { records: usize, reason: &'a str },
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{0}")]
    Trades(#[from] trades::TradesError),
    #[error(
        "trade on data line {line} is {bytes} bytes with its partition key, over the 1 MiB PutRecords limit"
    )]
    TooLarge { line: usize, bytes: usize },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Retries after the first attempt; the course generator also retries a
/// failed put up to 4 times.
pub const MAX_RETRIES: u32 = 4;
/// Backoff before retry k (from 1): BACKOFF_BASE · 2^(k-1), capped, of which
/// half is fixed and half random ("equal jitter"): producers throttled at
/// the same moment do not all come back at the same moment.
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// With `--rate`, the shortest wait between batches: at 200 records/s,
/// batches of about 10 instead of 200 one-record requests a second.
const RATE_TICK: Duration = Duration::from_millis(50);

fn backoff(retry: u32) -> Duration {
    let full = BACKOFF_BASE
        .saturating_mul(1 << (retry.saturating_sub(1)).min(16))
        .min(BACKOFF_CAP);
    full / 2 + full.mul_f64(fastrand::f64() / 2.0)
}

/// Replays `trades` into the target's stream until done, the limit or a
/// signal; `progress` sees every batch. Blocks the calling thread.
pub fn run(
    target: &ReplayTarget,
    trades: &[Trade],
    options: &Options,
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<Summary, ReplayError> {
    if let Some((line, t)) = trades
        .iter()
        .enumerate()
        .find(|(_, t)| send::record_bytes(t) > send::MAX_RECORD_BYTES)
    {
        return Err(ReplayError::TooLarge {
            line: line + 1,
            bytes: send::record_bytes(t),
        });
    }
    // One thread: the work is waiting on the network, and the machine's
    // cores belong to Kinesis (or moto) on the other end.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ReplayError::Runtime)?;
    Ok(runtime.block_on(async {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            if wait_for_signal().await {
                let _ = stop_tx.send(true);
            }
        });
        let client = send::client(&target.region).await;
        let mut replayer = Replayer {
            client,
            stream: &target.stream,
            trades,
            options,
            stop: stop_rx,
            summary: Summary {
                sent: 0,
                retried: 0,
                failed: 0,
                requests: 0,
                failed_requests: 0,
                passes: 0,
                elapsed: Duration::ZERO,
                total: total(trades.len(), options),
                stop: None,
            },
            started: Instant::now(),
        };
        let stop = replayer.replay(progress).await;
        replayer.summary.elapsed = replayer.started.elapsed();
        replayer.summary.stop = Some(stop);
        replayer.summary
    }))
}

fn total(n: usize, options: &Options) -> Option<u64> {
    let n = n as u64;
    match (options.single_run, options.limit) {
        (true, Some(l)) => Some(l.min(n)),
        (true, None) => Some(n),
        (false, limit) => limit,
    }
}

/// Ctrl-C or SIGTERM; false if neither can be listened for (then the run
/// ends only by itself, and a signal ends the process as usual).
async fn wait_for_signal() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            return tokio::signal::ctrl_c().await.is_ok();
        };
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.is_ok(),
            _ = term.recv() => true,
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

struct Replayer<'a> {
    client: aws_sdk_kinesis::Client,
    stream: &'a str,
    trades: &'a [Trade],
    options: &'a Options,
    stop: watch::Receiver<bool>,
    summary: Summary,
    started: Instant,
}

impl Replayer<'_> {
    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Sleeps `d`, or less if a signal comes; true if it came.
    async fn sleep(&mut self, d: Duration) -> bool {
        if self.stopped() {
            return true;
        }
        let mut stop = self.stop.clone();
        tokio::select! {
            () = tokio::time::sleep(d) => self.stopped(),
            _ = stop.changed() => true,
        }
    }

    async fn replay(&mut self, progress: &mut dyn FnMut(Event<'_>)) -> Stop {
        let n = self.trades.len();
        let mut bucket = match self.options.pacing {
            Pacing::Rate(r) => Some(pacing::TokenBucket::new(r, Instant::now())),
            _ => None,
        };
        let arrivals = pacing::arrivals(self.trades, self.options.pacing);
        loop {
            let pass_start = Instant::now();
            let mut cursor = 0;
            while cursor < n {
                if self.stopped() {
                    return Stop::Interrupted;
                }
                let attempted = self.summary.sent + self.summary.failed;
                let left = self.options.limit.map_or(u64::MAX, |l| l - attempted);
                if left == 0 {
                    return Stop::Limit;
                }
                let mut take = self.fit(cursor, usize::try_from(left).unwrap_or(usize::MAX));
                let now = Instant::now();
                match (self.options.pacing, &mut bucket, &arrivals) {
                    (Pacing::Rate(_), Some(bucket), _) => {
                        take = bucket.take(take, now);
                        if take == 0 {
                            if self.sleep(bucket.wait().max(RATE_TICK)).await {
                                return Stop::Interrupted;
                            }
                            continue;
                        }
                    }
                    (Pacing::Speed(_), _, Some(times)) => {
                        let due = |i: usize| pass_start + Duration::from_secs_f64(times[i]);
                        if due(cursor) > now {
                            if self.sleep(due(cursor) - now).await {
                                return Stop::Interrupted;
                            }
                            continue;
                        }
                        take = (0..take).take_while(|&k| due(cursor + k) <= now).count();
                    }
                    _ => {}
                }
                let batch: Vec<usize> = (cursor..cursor + take).collect();
                cursor += take;
                if let Err(reason) = self.deliver(batch, progress).await {
                    return Stop::Aborted(reason);
                }
                self.summary.elapsed = self.started.elapsed();
                progress(Event::Batch(&self.summary));
            }
            self.summary.passes += 1;
            if self.options.single_run {
                return Stop::Finished;
            }
        }
    }

    /// How many records from `cursor` go in one request: at most 500, at
    /// most 5 MiB with partition keys, at most `left`, never past the end.
    fn fit(&self, cursor: usize, left: usize) -> usize {
        let mut bytes = 0;
        let mut count = 0;
        for t in &self.trades[cursor..] {
            let size = send::record_bytes(t);
            if count == send::MAX_RECORDS.min(left) || bytes + size > send::MAX_REQUEST_BYTES {
                break;
            }
            bytes += size;
            count += 1;
        }
        count
    }

    /// Sends one batch, retrying what fails. Err when a request cannot
    /// succeed (the batch's records are then counted as failed).
    async fn deliver(
        &mut self,
        mut pending: Vec<usize>,
        progress: &mut dyn FnMut(Event<'_>),
    ) -> Result<(), String> {
        let mut retry = 0;
        loop {
            self.summary.requests += 1;
            let mut whole_request = false;
            let reason = match send::put(&self.client, self.stream, self.trades, &pending).await {
                send::Outcome::Answered { refused, code } => {
                    self.summary.sent += (pending.len() - refused.len()) as u64;
                    if refused.is_empty() {
                        return Ok(());
                    }
                    pending = refused.into_iter().map(|k| pending[k]).collect();
                    format!(
                        "{} record(s) refused: {}",
                        pending.len(),
                        code.as_deref().unwrap_or("no error code")
                    )
                }
                send::Outcome::Retry(reason) => {
                    self.summary.failed_requests += 1;
                    whole_request = true;
                    reason
                }
                send::Outcome::Fatal(reason) => {
                    self.summary.failed += pending.len() as u64;
                    progress(Event::GaveUp {
                        records: pending.len(),
                        reason: &reason,
                    });
                    return Err(reason);
                }
            };
            if retry == MAX_RETRIES {
                self.summary.failed += pending.len() as u64;
                progress(Event::GaveUp {
                    records: pending.len(),
                    reason: &reason,
                });
                // Records the shard kept refusing are counted and the run
                // goes on; a stream that cannot be reached five times in a
                // row would only fail every batch after this one as well.
                return if whole_request { Err(reason) } else { Ok(()) };
            }
            retry += 1;
            let delay = backoff(retry);
            progress(Event::Retry {
                records: pending.len(),
                attempt: retry,
                delay,
                reason: &reason,
            });
            if self.sleep(delay).await {
                // Stopped while waiting: these were not stored.
                self.summary.failed += pending.len() as u64;
                progress(Event::GaveUp {
                    records: pending.len(),
                    reason: "interrupted before the retry",
                });
                return Ok(());
            }
            self.summary.retried += pending.len() as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        for retry in 1..=8 {
            let d = backoff(retry);
            let full = (BACKOFF_BASE * (1 << (retry - 1))).min(BACKOFF_CAP);
            assert!(d >= full / 2 && d <= full, "retry {retry}: {d:?}");
        }
    }

    #[test]
    fn totals_for_the_progress_bar() {
        let o = |single_run, limit| Options {
            pacing: Pacing::Max,
            single_run,
            limit,
        };
        assert_eq!(total(10, &o(true, None)), Some(10));
        assert_eq!(total(10, &o(true, Some(3))), Some(3));
        assert_eq!(total(10, &o(true, Some(30))), Some(10));
        assert_eq!(total(10, &o(false, Some(30))), Some(30));
        assert_eq!(total(10, &o(false, None)), None);
    }
}
