//! The open model: requests arrive at a fixed rate, whatever the target does.
//!
//! The schedule is one shared counter: each worker claims the next arrival,
//! sleeps until it is due, and sends it. The number of workers caps how many
//! requests can be in flight; when all are busy, arrivals queue up and go
//! out late, and their latency counts from when they were due.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::shared::Shared;

/// How far in the past an arrival may be and still be sent at start.
const JOIN_TOLERANCE: Duration = Duration::from_millis(100);

/// The arrival schedule of one spawner.
pub(crate) struct Schedule {
    next: AtomicU64,
    period_ns: f64,
}

impl Schedule {
    /// A schedule of `rate` arrivals per second from the epoch.
    ///
    /// A node that joins a running spawn skips arrivals that were due long
    /// ago; the few due in the last moment (which includes everything at a
    /// normal start, where the epoch is microseconds old) are still sent.
    pub fn new(rate: u32, already_elapsed: Duration) -> Schedule {
        let period_ns = 1e9 / f64::from(rate.max(1));
        let skipped = already_elapsed.saturating_sub(JOIN_TOLERANCE);
        let first = (skipped.as_nanos() as f64 / period_ns).ceil() as u64;
        Schedule {
            next: AtomicU64::new(first),
            period_ns,
        }
    }

    fn claim(&self, epoch: Instant) -> Instant {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        epoch + Duration::from_nanos((index as f64 * self.period_ns) as u64)
    }
}

/// Runs one arrival worker until the schedule passes `end` or a stop.
pub(crate) async fn run(shared: Arc<Shared>, schedule: Arc<Schedule>, index: u32, end: Instant) {
    let _active = shared.session_guard();
    let shard = index as usize;
    let epoch = shared.epoch.instant();

    loop {
        let due = schedule.claim(epoch);
        let now = Instant::now();
        if due >= end || now >= end || shared.is_stopping() {
            break;
        }
        if !shared.fire_when_due(shard, due, now).await {
            break;
        }
    }
}
