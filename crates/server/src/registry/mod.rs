//! Every spawn this node knows, newest first: the one place spawns are
//! created, stopped, fed with data and read by pages and the API.

mod pump;
mod received;
mod record;
mod series;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use onslaught_engine::{
    Epoch, FieldErrors, SpawnRequest, Spawner, SpawnerConfig, SpawnerError, SpawnerState,
    SpawnerStatus,
};
use onslaught_metrics::{Slice, Timeline};
use tokio::runtime::Handle;
use uuid::Uuid;

use crate::live::{Live, LiveKind, LiveMessage};
use crate::node::{count_up, Cluster, NodeInfo, SpawnAnnouncement};
use crate::view::{PointsView, StatusView};

pub use record::{Ingested, SpawnRecord, SpawnerInfo, SpawnerSeries, Summary};

/// Ended spawns kept in memory for the list page and the API; running
/// ones are always kept.
pub const KEEP_ENDED: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("invalid spawn: {0}")]
    Invalid(FieldErrors),
    #[error("cannot start the spawn: {0}")]
    Start(#[from] SpawnerError),
}

impl CreateError {
    /// The problem keyed by field, as the form and the API show it.
    pub fn into_field_errors(self) -> FieldErrors {
        match self {
            CreateError::Invalid(errors) => errors,
            // Validation passed but the HTTP client refused the target
            // (e.g. a host that is no TLS server name): still the input.
            CreateError::Start(error) => {
                let mut errors = FieldErrors::default();
                errors.add("url", error.to_string());
                errors
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no spawn with id {0}")]
pub struct NotFound(pub Uuid);

/// The spawns of this node and the cluster it belongs to.
pub struct Registry {
    node: String,
    cluster: Arc<dyn Cluster>,
    /// Where spawners run: the process's main runtime.
    engine: Handle,
    /// Where bookkeeping runs: the server's own runtime, which load on the
    /// engine cannot starve.
    control: Handle,
    /// Newest first.
    spawns: Mutex<VecDeque<Arc<SpawnRecord>>>,
    live: Live,
}

impl Registry {
    pub fn new(node: &str, cluster: Arc<dyn Cluster>, engine: Handle, control: Handle) -> Registry {
        Registry {
            node: node.to_owned(),
            cluster,
            engine,
            control,
            spawns: Mutex::new(VecDeque::new()),
            live: Live::default(),
        }
    }

    /// Validates a request, starts the spawn here and announces it to the
    /// cluster. The form, the API and tests all come through here.
    pub fn create(self: &Arc<Self>, request: &SpawnRequest) -> Result<Uuid, CreateError> {
        let options = request.validate().map_err(CreateError::Invalid)?;
        let epoch = Epoch::now();
        let announcement = SpawnAnnouncement {
            id: Uuid::new_v4(),
            options,
            started_at_ms: epoch.unix_ms(),
            origin: self.node.clone(),
        };
        if let Err(reason) = self.cluster.check_spawn(&announcement) {
            let mut errors = FieldErrors::default();
            errors.add("body", reason);
            return Err(CreateError::Invalid(errors));
        }
        self.start(&announcement, epoch)?;
        self.cluster.broadcast_spawn(&announcement);
        Ok(announcement.id)
    }

    /// Starts this node's share of a spawn another node announced, for the
    /// time it has left; a known spawn or one whose time is up is skipped.
    pub fn join(self: &Arc<Self>, announcement: &SpawnAnnouncement) -> Result<(), SpawnerError> {
        if self.get(announcement.id).is_some() {
            return Ok(());
        }
        let epoch = Epoch::from_unix_ms(announcement.started_at_ms);
        if epoch.elapsed() >= announcement.options.total_duration() {
            return Ok(());
        }
        self.start(announcement, epoch)
    }

    fn start(
        self: &Arc<Self>,
        spawn: &SpawnAnnouncement,
        epoch: Epoch,
    ) -> Result<(), SpawnerError> {
        let config = SpawnerConfig {
            spawn_id: spawn.id.to_string(),
            options: spawn.options.clone(),
            node: self.node.clone(),
            epoch,
        };
        let spawner = {
            let _engine = self.engine.enter();
            Spawner::start(config)?
        };
        let events = spawner.subscribe();
        let record = Arc::new(SpawnRecord::new(
            spawn.id,
            spawn.options.clone(),
            &spawn.origin,
            epoch,
        ));
        record.add_local(spawner.clone());
        self.lock().push_front(record.clone());
        self.live.send(LiveMessage::new(
            spawn.id,
            LiveKind::Created,
            &serde_json::json!({ "spawn": spawn.id }),
        ));
        tracing::info!(spawn.id = %spawn.id, spawn.origin = %spawn.origin, url = %spawn.options.url, "spawn started");
        self.control
            .spawn(pump::run(self.clone(), record, spawner, events));
        Ok(())
    }

    /// Stops a spawn on every node.
    pub fn stop(&self, id: Uuid) -> Result<(), NotFound> {
        self.stop_local(id)?;
        self.cluster.broadcast_stop(id);
        Ok(())
    }

    /// Stops this node's share of a spawn, as another node asked.
    pub fn stop_local(&self, id: Uuid) -> Result<(), NotFound> {
        let record = self.get(id).ok_or(NotFound(id))?;
        let spawners = record.request_stop();
        let _engine = self.engine.enter();
        for spawner in spawners {
            spawner.stop();
        }
        tracing::info!(spawn.id = %id, "spawn stop requested");
        self.publish_status(&record);
        Ok(())
    }

    /// Stops every spawner of this node; for shutdown.
    pub fn stop_all_local(&self) {
        let running: Vec<Uuid> = self
            .list()
            .iter()
            .filter(|r| r.state() == SpawnerState::Running)
            .map(|r| r.id)
            .collect();
        for id in running {
            let _ = self.stop_local(id);
        }
    }

    pub fn get(&self, id: Uuid) -> Option<Arc<SpawnRecord>> {
        self.lock().iter().find(|r| r.id == id).cloned()
    }

    /// Every spawn, newest first.
    pub fn list(&self) -> Vec<Arc<SpawnRecord>> {
        self.lock().iter().cloned().collect()
    }

    /// One second of a spawner on another node.
    pub fn ingest_remote(
        &self,
        spawn_id: Uuid,
        status: &SpawnerStatus,
        second: u32,
        slice: &Slice,
    ) {
        match self.get(spawn_id) {
            Some(record) => {
                if record.note_received(status, second, slice) {
                    self.ingest(&record, status, second, slice);
                }
            }
            None => {
                tracing::debug!(spawn.id = %spawn_id, node = %status.node, "slice for an unknown spawn dropped")
            }
        }
    }

    /// The status of a spawner on another node.
    pub fn remote_status(&self, spawn_id: Uuid, status: &SpawnerStatus) {
        if let Some(record) = self.get(spawn_id) {
            self.apply_status(&record, status);
        }
    }

    /// The whole series of a spawner on another node that ended: whatever
    /// of it never arrived here is added, so the spawn's series are
    /// complete. `last` marks the sender's final copy.
    pub fn final_timeline(
        &self,
        spawn_id: Uuid,
        status: &SpawnerStatus,
        timeline: &Timeline,
        last: bool,
    ) {
        let Some(record) = self.get(spawn_id) else {
            tracing::debug!(spawn.id = %spawn_id, node = %status.node, "timeline for an unknown spawn dropped");
            return;
        };
        let missing = record.reconcile(status, timeline, last);
        if !missing.is_empty() {
            tracing::debug!(spawn.id = %spawn_id, node = %status.node, seconds = missing.len(), "seconds recovered from a final timeline");
        }
        for (second, slice) in &missing {
            self.ingest(&record, status, *second, slice);
        }
        self.apply_status(&record, status);
    }

    /// A node left the cluster: its spawners are marked down and no spawn
    /// waits for them.
    pub fn node_down(&self, node: &str) {
        for record in self.list() {
            if record.mark_node_down(node) {
                tracing::info!(spawn.id = %record.id, node, "spawn ended without a node that went down");
                self.prune();
            }
            self.publish_status(&record);
        }
    }

    /// What this node re-announces so that every node converges: spawns
    /// still running, and stopped ones whose planned time is not over
    /// (so a node that missed the stop does not keep or restart them).
    pub fn announcements(&self) -> Vec<(SpawnAnnouncement, bool)> {
        self.list()
            .iter()
            .filter_map(|record| {
                let stopped = record.stop_requested();
                let running = record.state() == SpawnerState::Running;
                let in_plan = record.epoch.elapsed() < record.options.total_duration();
                let announce = (running && !stopped) || (stopped && in_plan);
                announce.then(|| (record.announcement(), stopped))
            })
            .collect()
    }

    /// Traffic exchanged with other nodes, if this node is clustered.
    pub fn cluster_traffic(&self) -> Option<onslaught_cluster::Traffic> {
        self.cluster.traffic()
    }

    /// Tells live pages the cluster's membership changed.
    pub fn publish_nodes(&self) {
        let view = serde_json::json!({ "node_count": self.node_count() });
        self.live
            .send(LiveMessage::new(Uuid::nil(), LiveKind::Nodes, &view));
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<LiveMessage> {
        self.live.subscribe()
    }

    pub fn node_name(&self) -> &str {
        &self.node
    }

    pub fn nodes(&self) -> Vec<NodeInfo> {
        self.cluster.nodes()
    }

    /// Nodes up, this one included.
    pub fn node_count(&self) -> usize {
        count_up(&self.cluster.nodes()).max(1)
    }

    fn local_slice(
        &self,
        record: &SpawnRecord,
        status: &SpawnerStatus,
        second: u32,
        slice: &Slice,
    ) {
        self.cluster.share_slice(record.id, status, second, slice);
        self.ingest(record, status, second, slice);
    }

    /// A local spawner ended: its whole series goes to the other nodes.
    fn local_ended(&self, record: &SpawnRecord, spawner: &Spawner) {
        self.cluster
            .share_timeline(record.id, &spawner.status(), &spawner.timeline());
    }

    fn local_status(&self, record: &SpawnRecord, status: &SpawnerStatus) {
        self.cluster.share_status(record.id, status);
        self.apply_status(record, status);
    }

    fn ingest(&self, record: &SpawnRecord, status: &SpawnerStatus, second: u32, slice: &Slice) {
        let ingested = record.ingest(status, second, slice);
        if !self.live.is_watched() {
            return;
        }
        let view = PointsView {
            spawn: record.id,
            t: ingested.second,
            merged: &ingested.merged,
            node: &ingested.node,
            spawner: &ingested.spawner,
            points: &ingested.points,
        };
        self.live
            .send(LiveMessage::new(record.id, LiveKind::Points, &view));
    }

    fn apply_status(&self, record: &SpawnRecord, status: &SpawnerStatus) {
        let ended = record.set_status(status);
        self.publish_status(record);
        if ended {
            tracing::info!(spawn.id = %record.id, state = ?record.state(), "spawn ended");
            self.prune();
        }
    }

    fn publish_status(&self, record: &SpawnRecord) {
        if !self.live.is_watched() {
            return;
        }
        let view = StatusView::of(record, self.node_count());
        self.live
            .send(LiveMessage::new(record.id, LiveKind::Status, &view));
    }

    /// Forgets the oldest ended spawns beyond [`KEEP_ENDED`].
    fn prune(&self) {
        let mut spawns = self.lock();
        let mut ended_seen = 0;
        spawns.retain(|record| {
            if record.state() == SpawnerState::Running {
                return true;
            }
            ended_seen += 1;
            ended_seen <= KEEP_ENDED
        });
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Arc<SpawnRecord>>> {
        // The list only ever holds whole records; a panic elsewhere while
        // it was locked cannot have left it half-changed.
        self.spawns.lock().unwrap_or_else(|p| p.into_inner())
    }
}
