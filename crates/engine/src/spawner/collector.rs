//! Once a second, off the request path: take what the sessions recorded,
//! fold it into the spawner's timeline and tell subscribers.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use onslaught_metrics::Slice;
use tokio::sync::{broadcast, oneshot, watch};
use tokio::time::sleep_until;

use super::shared::Shared;
use super::{lock, SpawnerEvent, SpawnerState};

/// How long after a second ends its harvest waits, so that responses that
/// completed just before the boundary have been recorded.
const HARVEST_GRACE: Duration = Duration::from_millis(30);

pub(crate) async fn run(
    shared: Arc<Shared>,
    mut sessions_done: oneshot::Receiver<()>,
    events: broadcast::Sender<SpawnerEvent>,
    ended: watch::Sender<bool>,
) {
    let epoch = shared.epoch.instant();
    let mut next_second = shared.epoch.second_of(tokio::time::Instant::now()) + 1;
    loop {
        let boundary = epoch + Duration::from_secs(u64::from(next_second)) + HARVEST_GRACE;
        tokio::select! {
            _ = sleep_until(boundary) => {}
            _ = &mut sessions_done => break,
        }
        publish(&shared, &events, shared.recorder.harvest(next_second));
        next_second += 1;
    }

    publish(&shared, &events, shared.recorder.harvest_all());
    let state = if shared.stop.is_cancelled() {
        SpawnerState::Stopped
    } else {
        SpawnerState::Finished
    };
    shared.state.store(state.as_u8(), Ordering::Release);
    let _ = events.send(SpawnerEvent::Ended(state));
    let _ = ended.send(true);
    tracing::info!(
        spawn.id = %shared.spawn_id,
        spawner.id = %shared.id,
        state = ?state,
        "spawner ended"
    );
}

fn publish(shared: &Shared, events: &broadcast::Sender<SpawnerEvent>, slices: Vec<(u32, Slice)>) {
    if slices.is_empty() {
        return;
    }
    let mut timeline = lock(&shared.timeline);
    for (second, slice) in slices {
        timeline.add(second, &slice);
        // Nobody listening is fine: the timeline keeps everything.
        let _ = events.send(SpawnerEvent::Slice {
            second,
            slice: Arc::new(slice),
        });
    }
}
