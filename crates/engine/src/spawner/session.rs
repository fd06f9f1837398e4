//! The closed model: a session sends one request per tick and waits for it.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{sleep_until, Instant};

use super::shared::Shared;

/// Runs one session until `end` or a stop.
///
/// Tick N is due at `start + N × interval`, whatever earlier ticks took, so
/// the pace does not drift. A tick that comes due while the previous
/// request is still out is sent as soon as that request returns, and its
/// latency counts from when it was due.
pub(crate) async fn run(shared: Arc<Shared>, index: u32, end: Instant) {
    let _active = shared.session_guard();
    let shard = index as usize;
    let interval = Duration::from_millis(shared.options.interval_ms);
    let start = Instant::now();

    let mut tick: u32 = 0;
    loop {
        let now = Instant::now();
        let due = if interval.is_zero() {
            now
        } else {
            start + interval * tick
        };
        if now >= end || shared.is_stopping() {
            break;
        }
        if due >= end {
            // No tick left, but the session lives out its time so that
            // "sessions active" means what it says.
            sleep_until(end).await;
            break;
        }
        if !shared.fire_when_due(shard, due, now).await {
            break;
        }
        tick = tick.saturating_add(1);
    }
}
