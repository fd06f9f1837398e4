//! Carries one local spawner's events into the registry, on the server's
//! runtime: every harvested second as it comes, and its status twice a
//! second so sessions and pools on the cards stay current.

use std::sync::Arc;
use std::time::Duration;

use onslaught_engine::{Spawner, SpawnerEvent};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::broadcast::Receiver;
use tokio::time::MissedTickBehavior;

use super::{Registry, SpawnRecord};

/// How often sessions and pool usage are refreshed between seconds.
const STATUS_EVERY: Duration = Duration::from_millis(500);

pub(super) async fn run(
    registry: Arc<Registry>,
    record: Arc<SpawnRecord>,
    spawner: Spawner,
    mut events: Receiver<SpawnerEvent>,
) {
    let mut ticks = tokio::time::interval(STATUS_EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let ended = spawner.ended();
    tokio::pin!(ended);

    loop {
        tokio::select! {
            biased;
            event = events.recv() => match event {
                Ok(SpawnerEvent::Slice { second, slice }) => {
                    registry.local_slice(&record, &spawner.status(), second, &slice);
                }
                Ok(SpawnerEvent::Ended(_)) | Err(RecvError::Closed) => break,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(spawn.id = %record.id, missed, "live series fell behind the spawner; seconds lost");
                }
            },
            // The spawner sends Ended before it signals here, so whatever
            // is still queued is taken before the final status.
            _ = &mut ended => {
                drain(&registry, &record, &spawner, &mut events);
                break;
            }
            _ = ticks.tick() => registry.local_status(&record, &spawner.status()),
        }
    }
    registry.local_ended(&record, &spawner);
    registry.local_status(&record, &spawner.status());
}

fn drain(
    registry: &Registry,
    record: &SpawnRecord,
    spawner: &Spawner,
    events: &mut Receiver<SpawnerEvent>,
) {
    loop {
        match events.try_recv() {
            Ok(SpawnerEvent::Slice { second, slice }) => {
                registry.local_slice(record, &spawner.status(), second, &slice);
            }
            Ok(SpawnerEvent::Ended(_)) => {}
            Err(TryRecvError::Lagged(_)) => {}
            Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => return,
        }
    }
}
