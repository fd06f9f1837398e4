//! State every session of one spawner shares, and the one place a request
//! is sent and recorded.

use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use onslaught_client::Client;
use onslaught_metrics::{Outcome, Recorder, Sample, Timeline};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::clock::Epoch;
use crate::SpawnOptions;

use super::SpawnerState;

/// A request that starts more than this after it was due is counted late.
///
/// Only requests that were already overdue when their session got to them
/// can be late (see [`Shared::fire`]), so timer granularity never counts.
const LATE_AFTER: Duration = Duration::from_millis(1);

pub(crate) struct Shared {
    pub spawn_id: String,
    pub id: String,
    pub node: String,
    pub options: SpawnOptions,
    pub epoch: Epoch,
    /// No session sends after this; the spawn's share on this node is over.
    pub deadline: Instant,
    pub client: Client,
    pub recorder: Recorder,
    /// Cancelled by Stop: no new requests.
    pub stop: CancellationToken,
    /// Cancelled a moment after Stop: session tasks, and so the requests
    /// still in flight, are aborted.
    pub abort: CancellationToken,
    pub sessions_active: AtomicU32,
    pub state: AtomicU8,
    /// Everything harvested so far; written once a second, read by pages.
    pub timeline: Mutex<Timeline>,
}

impl Shared {
    /// Sends the request that was due at `due` and records its outcome.
    ///
    /// `waited` says whether the caller slept until `due`. If it did, the
    /// request left on time and its latency runs from the moment it was
    /// sent, so timer wake-up jitter is not charged to the target. If it did
    /// not, the session was held up by earlier responses (or every worker
    /// was busy), and latency runs from `due`: that is how a stalled server
    /// shows up in the percentiles instead of hiding behind a slowed-down
    /// client.
    pub async fn fire(&self, shard: usize, due: Instant, waited: bool) {
        let mut attempt = 0;
        loop {
            let sent = Instant::now();
            let first_try = attempt == 0;
            let measured_from = if waited || !first_try { sent } else { due };
            let late = first_try && !waited && sent.saturating_duration_since(due) > LATE_AFTER;

            // No select on the abort token here: waiting on it would register
            // with a lock every sessions shares. An abort ends the whole task.
            let result = self.client.send(shard).await;
            let done = Instant::now();
            let outcome = match result {
                Ok(response) => Outcome::Status(response.status),
                Err(kind) => Outcome::Error(kind),
            };
            self.recorder.record(
                shard,
                Sample {
                    second: self.epoch.second_of(done),
                    outcome,
                    latency_us: micros(done.saturating_duration_since(measured_from)),
                    late,
                    retry: !first_try,
                },
            );

            // Retries cover transport failures only: an HTTP status is an
            // answer, and retrying it would hide what the target said.
            let retry = outcome.is_error()
                && attempt < self.options.retries
                && !self.stop.is_cancelled()
                && done < self.deadline;
            if !retry {
                return;
            }
            attempt += 1;
        }
    }

    /// Sleeps until `due` if it is still ahead, then fires; false if a
    /// Stop came first and nothing was sent.
    ///
    /// The sleep does not listen for Stop: that would register with a lock
    /// every session shares, on every tick. A stopped session finds out
    /// when it wakes, or is aborted with the others a moment after Stop.
    pub async fn fire_when_due(&self, shard: usize, due: Instant, now: Instant) -> bool {
        let waited = now < due;
        if waited {
            tokio::time::sleep_until(due).await;
            if self.is_stopping() {
                return false;
            }
        }
        self.fire(shard, due, waited).await;
        true
    }

    pub fn state(&self) -> SpawnerState {
        SpawnerState::from_u8(self.state.load(Ordering::Acquire))
    }

    pub fn is_stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Counts a session as active until the guard drops, which also covers
    /// a session task aborted mid-request.
    pub fn session_guard(&self) -> SessionGuard<'_> {
        self.sessions_active.fetch_add(1, Ordering::AcqRel);
        SessionGuard(&self.sessions_active)
    }
}

pub(crate) struct SessionGuard<'a>(&'a AtomicU32);

impl Drop for SessionGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
