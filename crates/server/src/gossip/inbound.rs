//! What another node said, applied to this node's registry.

use std::sync::Arc;

use onslaught_metrics::{decode_slice, decode_timeline};

use super::messages::{self, Message};
use crate::registry::Registry;

/// Applies one message from node `from`. Anything malformed is logged and
/// dropped: a peer with the cookie but another version must not crash us.
pub fn apply(registry: &Arc<Registry>, from: &str, bytes: &[u8]) {
    let (message, data) = match messages::decode(bytes) {
        Ok(decoded) => decoded,
        Err(error) => {
            tracing::debug!(node = from, %error, "cluster message ignored");
            return;
        }
    };
    match message {
        Message::Spawn { spawn, stopped } => {
            if stopped {
                stop(registry, spawn.id);
            } else if let Err(error) = registry.join(&spawn) {
                tracing::warn!(spawn.id = %spawn.id, node = from, %error, "cannot run a spawn another node announced");
            }
        }
        Message::Stop { spawn_id } => stop(registry, spawn_id),
        Message::Slice {
            spawn_id,
            status,
            second,
        } => match decode_slice(data) {
            Ok(slice) => registry.ingest_remote(spawn_id, &status, second, &slice),
            Err(error) => tracing::debug!(node = from, %error, "slice ignored"),
        },
        Message::Status { spawn_id, status } => registry.remote_status(spawn_id, &status),
        Message::Timeline {
            spawn_id,
            status,
            copy,
            chunk,
            chunks,
        } => match decode_timeline(data) {
            Ok(timeline) => {
                let last = copy >= 1 && chunk.saturating_add(1) >= chunks;
                registry.final_timeline(spawn_id, &status, &timeline, last);
            }
            Err(error) => tracing::debug!(node = from, %error, "timeline ignored"),
        },
    }
}

/// Stops a spawn here if it still runs; unknown or ended ones need
/// nothing (a finished spawn must not turn into a stopped one).
fn stop(registry: &Registry, spawn_id: uuid::Uuid) {
    let running = registry.get(spawn_id).is_some_and(|record| {
        !record.stop_requested() && record.state() == onslaught_engine::SpawnerState::Running
    });
    if running {
        let _ = registry.stop_local(spawn_id);
    }
}
