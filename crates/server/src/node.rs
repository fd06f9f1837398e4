//! The seam between a node's registry and the rest of the cluster.
//!
//! Outbound, the registry tells a [`Cluster`] what happened here: a spawn
//! was created or stopped, a local spawner harvested a second or changed
//! status. Inbound, the cluster calls the registry's `join`, `stop_local`,
//! `ingest_remote`, `remote_status`, `final_timeline` and `node_down` when
//! other nodes report the same. `crate::gossip` is the implementation over
//! the gossip cluster.
//! [`SingleNode`] is the cluster of one, used when no `COOKIE` is set.

use std::net::SocketAddr;

use onslaught_engine::{SpawnOptions, SpawnerStatus};
use onslaught_metrics::{Slice, Timeline};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How the registry reaches the other nodes.
pub trait Cluster: Send + Sync + 'static {
    /// Every node known, this one included.
    fn nodes(&self) -> Vec<NodeInfo>;
    /// A spawn was created on this node; every other node should join it.
    fn broadcast_spawn(&self, spawn: &SpawnAnnouncement);
    /// A spawn was stopped on this node; every other node should stop too.
    fn broadcast_stop(&self, spawn_id: Uuid);
    /// A local spawner harvested one second.
    fn share_slice(&self, spawn_id: Uuid, status: &SpawnerStatus, second: u32, slice: &Slice);
    /// A local spawner's sessions or pools changed, or it ended.
    fn share_status(&self, spawn_id: Uuid, status: &SpawnerStatus);

    /// A local spawner ended: its whole series, so that every node ends up
    /// with all of it even if a per-second message was lost.
    fn share_timeline(&self, _spawn_id: Uuid, _status: &SpawnerStatus, _timeline: &Timeline) {}

    /// Refuses a spawn the cluster cannot carry to every node, saying why.
    fn check_spawn(&self, _spawn: &SpawnAnnouncement) -> Result<(), String> {
        Ok(())
    }

    /// Bytes this node has exchanged with the others; none for a lone node.
    fn traffic(&self) -> Option<onslaught_cluster::Traffic> {
        None
    }
}

/// What travels to other nodes when a spawn is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpawnAnnouncement {
    pub id: Uuid,
    pub options: SpawnOptions,
    /// When the spawn began, in milliseconds since the Unix epoch; a node
    /// that joins late starts mid-schedule.
    pub started_at_ms: u64,
    /// The node where it was created.
    pub origin: String,
}

/// One node as `/api/nodes` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    pub name: String,
    pub address: String,
    pub status: NodeStatus,
    /// This is the node answering the request.
    #[serde(rename = "self")]
    pub is_self: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeStatus {
    Up,
    Down,
}

/// A cluster of one: nothing to tell, nobody to hear from.
pub struct SingleNode {
    name: String,
    address: SocketAddr,
}

impl SingleNode {
    pub fn new(name: &str, address: SocketAddr) -> SingleNode {
        SingleNode {
            name: name.to_owned(),
            address,
        }
    }
}

impl Cluster for SingleNode {
    fn nodes(&self) -> Vec<NodeInfo> {
        vec![NodeInfo {
            name: self.name.clone(),
            address: self.address.to_string(),
            status: NodeStatus::Up,
            is_self: true,
        }]
    }

    fn broadcast_spawn(&self, _spawn: &SpawnAnnouncement) {}

    fn broadcast_stop(&self, _spawn_id: Uuid) {}

    fn share_slice(&self, _: Uuid, _: &SpawnerStatus, _: u32, _: &Slice) {}

    fn share_status(&self, _: Uuid, _: &SpawnerStatus) {}
}

/// Nodes that are up; what the page header shows.
pub fn count_up(nodes: &[NodeInfo]) -> usize {
    nodes.iter().filter(|n| n.status == NodeStatus::Up).count()
}
