//! A spawner: one node's share of a spawn.
//!
//! It owns the HTTP pools and the recorder, ramps its sessions up one by
//! one, harvests their samples once a second into a timeline, and tells
//! subscribers about every new second and about the end.

mod arrival;
mod collector;
mod session;
mod shared;

use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use onslaught_client::Client;
use onslaught_metrics::{Recorder, Slice, Timeline};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

use crate::clock::Epoch;
use crate::{client_config, SpawnOptions};

use shared::Shared;

/// How long requests still in flight may finish after a Stop before they
/// are dropped; the spec promises traffic halts within a second.
const STOP_GRACE: Duration = Duration::from_millis(900);

/// What a spawner needs to start.
#[derive(Debug, Clone)]
pub struct SpawnerConfig {
    pub spawn_id: String,
    pub options: SpawnOptions,
    /// The node this spawner runs on, as shown on cards and in reports.
    pub node: String,
    /// When the spawn began; a node that joins later starts mid-schedule.
    pub epoch: Epoch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpawnerState {
    Running,
    Finished,
    Stopped,
}

impl SpawnerState {
    fn from_u8(value: u8) -> SpawnerState {
        match value {
            0 => SpawnerState::Running,
            1 => SpawnerState::Finished,
            _ => SpawnerState::Stopped,
        }
    }

    fn as_u8(self) -> u8 {
        self as u8
    }
}

/// Connections of one HTTP pool, as the cards show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolUsage {
    pub index: usize,
    pub in_use: usize,
    pub size: usize,
}

/// A spawner as the pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpawnerStatus {
    pub node: String,
    pub id: String,
    pub state: SpawnerState,
    pub sessions_active: u32,
    pub sessions_target: u32,
    pub pools: Vec<PoolUsage>,
}

/// What subscribers hear from a running spawner.
#[derive(Debug, Clone)]
pub enum SpawnerEvent {
    /// Samples harvested for one second. A second can arrive more than
    /// once when a slow response lands after its second was harvested;
    /// subscribers merge, they do not replace.
    Slice { second: u32, slice: Arc<Slice> },
    /// The spawner is done; no more slices follow.
    Ended(SpawnerState),
}

#[derive(Debug, thiserror::Error)]
pub enum SpawnerError {
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// A handle to a running (or ended) spawner. Cheap to clone.
#[derive(Clone)]
pub struct Spawner {
    shared: Arc<Shared>,
    events: broadcast::Sender<SpawnerEvent>,
    ended: watch::Receiver<bool>,
}

impl Spawner {
    /// Starts the spawner's tasks on the current Tokio runtime.
    pub fn start(config: SpawnerConfig) -> Result<Spawner, SpawnerError> {
        let client = Client::new(client_config(&config.options).map_err(SpawnerError::Client)?)
            .map_err(|e| SpawnerError::Client(e.to_string()))?;
        let deadline = config.epoch.instant() + config.options.total_duration();
        let shared = Arc::new(Shared {
            spawn_id: config.spawn_id,
            id: uuid::Uuid::new_v4().to_string(),
            node: config.node,
            epoch: config.epoch,
            deadline,
            client,
            recorder: Recorder::new(recorder_shards(config.options.session_count)),
            stop: CancellationToken::new(),
            abort: CancellationToken::new(),
            sessions_active: AtomicU32::new(0),
            state: AtomicU8::new(SpawnerState::Running.as_u8()),
            timeline: Mutex::new(Timeline::default()),
            options: config.options,
        });
        let (events, _) = broadcast::channel(256);
        let (ended_tx, ended) = watch::channel(false);

        let (sessions_done_tx, sessions_done) = oneshot::channel();
        tokio::spawn(supervise(shared.clone(), sessions_done_tx));
        tokio::spawn(collector::run(
            shared.clone(),
            sessions_done,
            events.clone(),
            ended_tx,
        ));
        tracing::info!(
            spawn.id = %shared.spawn_id,
            spawner.id = %shared.id,
            sessions = shared.options.session_count,
            url = %shared.options.url,
            "spawner started"
        );
        Ok(Spawner {
            shared,
            events,
            ended,
        })
    }

    /// Stops sending at once; requests in flight get a moment to finish.
    pub fn stop(&self) {
        if self.shared.stop.is_cancelled() {
            return;
        }
        self.shared.stop.cancel();
        let abort = self.shared.abort.clone();
        tokio::spawn(async move {
            tokio::time::sleep(STOP_GRACE).await;
            abort.cancel();
        });
        tracing::info!(spawn.id = %self.shared.spawn_id, spawner.id = %self.shared.id, "spawner stopping");
    }

    /// Resolves when every session has ended and the last second is harvested.
    pub async fn ended(&self) -> SpawnerState {
        let mut ended = self.ended.clone();
        // The sender lives in the collector, which sets it before it exits,
        // so an error here still means the spawner is over.
        let _ = ended.wait_for(|done| *done).await;
        self.shared.state()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SpawnerEvent> {
        self.events.subscribe()
    }

    /// Everything harvested so far.
    pub fn timeline(&self) -> Timeline {
        lock(&self.shared.timeline).clone()
    }

    pub fn status(&self) -> SpawnerStatus {
        let shared = &self.shared;
        SpawnerStatus {
            node: shared.node.clone(),
            id: shared.id.clone(),
            state: shared.state(),
            sessions_active: shared.sessions_active.load(Ordering::Acquire),
            sessions_target: shared.options.session_count,
            pools: shared
                .client
                .pools()
                .into_iter()
                .map(|p| PoolUsage {
                    index: p.index,
                    in_use: p.in_use,
                    size: p.size,
                })
                .collect(),
        }
    }

    pub fn id(&self) -> &str {
        &self.shared.id
    }

    pub fn spawn_id(&self) -> &str {
        &self.shared.spawn_id
    }

    pub fn options(&self) -> &SpawnOptions {
        &self.shared.options
    }

    pub fn epoch(&self) -> Epoch {
        self.shared.epoch
    }
}

/// Owns the session tasks: starts them, reaps them, and aborts whatever is
/// left when the abort token fires, then reports that all are gone.
async fn supervise(shared: Arc<Shared>, done: oneshot::Sender<()>) {
    let mut sessions = JoinSet::new();
    ramp(&shared, &mut sessions).await;
    loop {
        tokio::select! {
            next = sessions.join_next() => if next.is_none() { break },
            _ = shared.abort.cancelled() => {
                sessions.abort_all();
                while sessions.join_next().await.is_some() {}
                break;
            }
        }
    }
    let _ = done.send(());
}

/// Starts sessions one by one, `delay_between_spawns_ms` apart.
///
/// Session i is scheduled at `epoch + i × delay` and runs `seconds` from
/// then, so a node that joins late starts only the sessions whose time is
/// not over, each for what is left of it.
async fn ramp(shared: &Arc<Shared>, sessions: &mut JoinSet<()>) {
    let options = &shared.options;
    let delay = Duration::from_millis(options.delay_between_spawns_ms);
    let run_for = Duration::from_secs(options.seconds);
    let epoch = shared.epoch.instant();
    let schedule = options
        .rate
        .map(|rate| Arc::new(arrival::Schedule::new(rate, shared.epoch.elapsed())));

    for index in 0..options.session_count {
        let scheduled = epoch + delay * index;
        if scheduled > Instant::now() {
            tokio::select! {
                _ = sleep_until(scheduled) => {}
                _ = shared.stop.cancelled() => break,
            }
        }
        if shared.is_stopping() {
            break;
        }
        // Reap sessions that already ended so a long ramp does not pile
        // up finished tasks.
        while sessions.try_join_next().is_some() {}
        match &schedule {
            Some(schedule) => {
                sessions.spawn(arrival::run(
                    shared.clone(),
                    schedule.clone(),
                    index,
                    shared.deadline,
                ));
            }
            None => {
                let end = (scheduled + run_for).min(shared.deadline);
                if end > Instant::now() {
                    sessions.spawn(session::run(shared.clone(), index, end));
                }
            }
        }
    }
}

/// Enough shards that sessions on different worker threads rarely meet on
/// one lock, without a spawner of a few sessions paying for many.
fn recorder_shards(sessions: u32) -> usize {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    (threads * 4).min(sessions.max(1) as usize)
}

/// Locks a mutex, carrying on with the data if a panicking holder poisoned
/// it: the timeline is append-only, so whatever is there is still valid.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
