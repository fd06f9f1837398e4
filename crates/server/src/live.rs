//! Live updates: what the registry broadcasts and pages subscribe to.
//!
//! Each message is serialised once, when it is sent, and shared by every
//! subscriber, so a hundred open pages cost one `serde_json` call.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Messages a slow subscriber may fall behind by before it is resynced
/// with a snapshot; a few seconds of a busy cluster.
const CAPACITY: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveKind {
    /// A spawn appeared; pages listing all spawns add its card.
    Created,
    /// Everything needed to draw a spawn; sent first and after a lag.
    Snapshot,
    /// One second of one spawner, and the merged second.
    Points,
    /// State, time, sessions, pools and headline totals.
    Status,
    /// The cluster's membership changed; not about any one spawn.
    Nodes,
}

impl LiveKind {
    /// The SSE event name.
    pub fn as_str(self) -> &'static str {
        match self {
            LiveKind::Created => "created",
            LiveKind::Snapshot => "snapshot",
            LiveKind::Points => "points",
            LiveKind::Status => "status",
            LiveKind::Nodes => "nodes",
        }
    }
}

/// One live update about one spawn, already serialised.
#[derive(Debug, Clone)]
pub struct LiveMessage {
    pub spawn: Uuid,
    pub kind: LiveKind,
    pub json: Arc<str>,
}

impl LiveMessage {
    pub fn new(spawn: Uuid, kind: LiveKind, payload: &impl Serialize) -> LiveMessage {
        // Views are plain structs of strings and numbers: they serialise.
        let json = serde_json::to_string(payload).unwrap_or_else(|_| "{}".to_owned());
        LiveMessage {
            spawn,
            kind,
            json: json.into(),
        }
    }
}

/// The fan-out point: one sender, any number of page subscriptions.
#[derive(Debug, Clone)]
pub struct Live {
    tx: broadcast::Sender<LiveMessage>,
}

impl Default for Live {
    fn default() -> Live {
        Live {
            tx: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Live {
    pub fn send(&self, message: LiveMessage) {
        // No page open is the normal case, not an error.
        let _ = self.tx.send(message);
    }

    /// Whether any page listens; building a message is skipped otherwise.
    pub fn is_watched(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.tx.subscribe()
    }
}
