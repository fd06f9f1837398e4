//! Server-sent events: a snapshot of each spawn in view, then every
//! update as the registry publishes it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::sync::watch;
use uuid::Uuid;

use super::error::ApiError;
use super::SpawnId;
use crate::app::App;
use crate::live::{LiveKind, LiveMessage};
use crate::registry::Registry;
use crate::view::SnapshotView;

/// Comment lines keep idle streams open through proxies and let a
/// browser notice a dead node.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// `GET /api/spawns/{id}/events`: one spawn.
pub async fn spawn_events(
    State(app): State<App>,
    SpawnId(id): SpawnId,
) -> Result<Response, ApiError> {
    if app.registry.get(id).is_none() {
        return Err(ApiError::NoSuchSpawn(id.to_string()));
    }
    Ok(stream(app, Some(id)))
}

/// `GET /api/events`: every spawn, including ones created later.
pub async fn all_events(State(app): State<App>) -> Response {
    stream(app, None)
}

fn stream(app: App, only: Option<Uuid>) -> Response {
    // Subscribe before taking snapshots: an update in between is then
    // delivered twice rather than lost, and updates replace, not add.
    let rx = app.registry.subscribe();
    let feed = Feed {
        pending: snapshots(&app.registry, only),
        rx,
        only,
        registry: app.registry.clone(),
        shutdown: app.shutdown.clone(),
    };
    Sse::new(feed.into_stream())
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// One subscriber's position in the live feed.
struct Feed {
    pending: VecDeque<LiveMessage>,
    rx: Receiver<LiveMessage>,
    only: Option<Uuid>,
    registry: Arc<Registry>,
    shutdown: watch::Receiver<bool>,
}

impl Feed {
    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> {
        futures_util::stream::unfold(self, |mut feed| async move {
            let message = feed.next().await?;
            let event = Event::default()
                .event(message.kind.as_str())
                .data(&*message.json);
            Some((Ok(event), feed))
        })
    }

    /// The next message for this subscriber; `None` ends the stream.
    async fn next(&mut self) -> Option<LiveMessage> {
        loop {
            if let Some(message) = self.pending.pop_front() {
                return Some(message);
            }
            if *self.shutdown.borrow() {
                return None;
            }
            tokio::select! {
                _ = self.shutdown.changed() => return None,
                received = self.rx.recv() => match received {
                    Ok(message) if self.wants(&message) => return Some(message),
                    Ok(_) => {}
                    Err(RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "live subscriber lagged; resending snapshots");
                        self.pending = snapshots(&self.registry, self.only);
                    }
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }

    fn wants(&self, message: &LiveMessage) -> bool {
        message.kind == LiveKind::Nodes || self.only.is_none_or(|id| id == message.spawn)
    }
}

fn snapshots(registry: &Registry, only: Option<Uuid>) -> VecDeque<LiveMessage> {
    let node_count = registry.node_count();
    registry
        .list()
        .iter()
        .filter(|record| only.is_none_or(|id| id == record.id))
        .map(|record| {
            LiveMessage::new(
                record.id,
                LiveKind::Snapshot,
                &SnapshotView::of(record, node_count),
            )
        })
        .collect()
}
