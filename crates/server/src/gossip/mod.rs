//! The [`Cluster`] seam over the gossip cluster of `onslaught-cluster`.
//!
//! Outbound calls from the registry are encoded ([`messages`]) and queued;
//! the [`link::Link`] task, on the server's runtime, owns the gossip node,
//! sends the queue, applies what other nodes say ([`inbound`]), re-announces
//! spawns every two seconds and marks the spawners of down nodes.
//!
//! Announcements and metrics go by `send_to_all` (one datagram per up node,
//! up to 60 KiB); a stop also goes by gossip broadcast, which retransmits.
//! What a lost datagram costs is repaired: announcements are repeated, and
//! an ended spawner's whole series follows its last second, twice.

mod chunks;
mod inbound;
mod link;
mod messages;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;
use onslaught_cluster::{ClusterConfig, ClusterError, MAX_DATA_LEN};
use onslaught_engine::SpawnerStatus;
use onslaught_metrics::{encode_slice, Slice, Timeline};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use crate::config::ClusterSettings;
use crate::node::{Cluster, NodeInfo, NodeStatus, SpawnAnnouncement};
pub use link::Link;
use messages::Message;

/// Messages waiting for the link task. A second of a busy cluster is a few
/// per spawner; a full queue means the task is stuck, and data is dropped.
const OUTBOX_LEN: usize = 4096;

/// Gap between the two copies of an ended spawner's series, so that one
/// burst of loss does not take both.
const SECOND_COPY_AFTER: Duration = Duration::from_secs(1);

/// What the link task sends.
#[derive(Debug)]
enum Outgoing {
    /// One datagram to every up node.
    Data(Bytes),
    /// Gossip, retransmitted until every node likely has it (≤ 1 KiB).
    Broadcast(Bytes),
}

/// This node's side of the gossip cluster, as the registry sees it.
pub struct Gossip {
    local: onslaught_cluster::NodeInfo,
    nodes_rx: watch::Receiver<Vec<onslaught_cluster::NodeInfo>>,
    outbox_tx: mpsc::Sender<Outgoing>,
    traffic: onslaught_cluster::TrafficMeter,
    /// The server's runtime, for the delayed second copy of a series.
    control: Handle,
}

impl Gossip {
    /// Starts the gossip node; the returned [`Link`] must be run once the
    /// registry exists.
    pub async fn start(
        settings: &ClusterSettings,
        bind: IpAddr,
        http_addr: SocketAddr,
    ) -> Result<(Gossip, Link), ClusterError> {
        let config = ClusterConfig {
            cluster_port: settings.port,
            cookie: settings.cookie.clone(),
            dns_query: settings.dns_query.clone(),
            dns_server: settings.dns_server,
            peers: settings.peers.clone(),
            ..ClusterConfig::new(bind, http_addr)
        };
        let cluster = onslaught_cluster::Cluster::start(config).await?;
        let (outbox_tx, outbox_rx) = mpsc::channel(OUTBOX_LEN);
        let gossip = Gossip {
            local: cluster.local(),
            nodes_rx: cluster.subscribe_nodes(),
            outbox_tx,
            traffic: cluster.traffic_meter(),
            control: Handle::current(),
        };
        Ok((gossip, Link::new(cluster, outbox_rx)))
    }

    /// This node's name in the cluster; spawners and cards use it.
    pub fn local_name(&self) -> &str {
        &self.local.name
    }

    fn queue(&self, message: &Message, data: &[u8]) {
        match messages::encode(message, data) {
            Ok(bytes) => self.push(Outgoing::Data(bytes)),
            Err(error) => tracing::warn!(%error, "cluster message not encoded"),
        }
    }

    fn push(&self, outgoing: Outgoing) {
        if let Err(error) = self.outbox_tx.try_send(outgoing) {
            tracing::warn!(%error, "cluster message dropped: the send queue is full or closed");
        }
    }
}

impl Cluster for Gossip {
    fn nodes(&self) -> Vec<NodeInfo> {
        self.nodes_rx
            .borrow()
            .iter()
            .map(|node| NodeInfo {
                name: node.name.clone(),
                address: node.address.clone(),
                status: match node.status {
                    onslaught_cluster::NodeStatus::Up => NodeStatus::Up,
                    onslaught_cluster::NodeStatus::Down => NodeStatus::Down,
                },
                is_self: node.name == self.local.name,
            })
            .collect()
    }

    fn traffic(&self) -> Option<onslaught_cluster::Traffic> {
        Some(self.traffic.snapshot())
    }

    fn broadcast_spawn(&self, spawn: &SpawnAnnouncement) {
        let message = Message::Spawn {
            spawn: spawn.clone(),
            stopped: false,
        };
        self.queue(&message, &[]);
    }

    fn broadcast_stop(&self, spawn_id: Uuid) {
        match messages::encode(&Message::Stop { spawn_id }, &[]) {
            Ok(bytes) => {
                self.push(Outgoing::Broadcast(bytes.clone()));
                self.push(Outgoing::Data(bytes));
            }
            Err(error) => tracing::warn!(%error, "stop not encoded"),
        }
    }

    fn share_slice(&self, spawn_id: Uuid, status: &SpawnerStatus, second: u32, slice: &Slice) {
        let data = match encode_slice(slice) {
            Ok(data) => data,
            Err(error) => {
                tracing::warn!(spawn.id = %spawn_id, second, %error, "slice not encoded");
                return;
            }
        };
        let message = Message::Slice {
            spawn_id,
            status: status.clone(),
            second,
        };
        self.queue(&message, &data);
    }

    fn share_status(&self, spawn_id: Uuid, status: &SpawnerStatus) {
        let message = Message::Status {
            spawn_id,
            status: status.clone(),
        };
        self.queue(&message, &[]);
    }

    fn share_timeline(&self, spawn_id: Uuid, status: &SpawnerStatus, timeline: &Timeline) {
        let chunks = chunks::encode_chunks(timeline);
        let num_chunks = u16::try_from(chunks.len()).unwrap_or(u16::MAX);
        let mut copies: [Vec<Bytes>; 2] = Default::default();
        for (copy, out) in copies.iter_mut().enumerate() {
            for (chunk, data) in chunks.iter().enumerate().take(usize::from(num_chunks)) {
                let message = Message::Timeline {
                    spawn_id,
                    status: status.clone(),
                    copy: copy as u8,
                    chunk: chunk as u16,
                    chunks: num_chunks,
                };
                match messages::encode(&message, data) {
                    Ok(bytes) => out.push(bytes),
                    Err(error) => tracing::warn!(%error, "timeline not encoded"),
                }
            }
        }
        let [first, second] = copies;
        for bytes in first {
            self.push(Outgoing::Data(bytes));
        }
        let outbox_tx = self.outbox_tx.clone();
        self.control.spawn(async move {
            tokio::time::sleep(SECOND_COPY_AFTER).await;
            for bytes in second {
                let _ = outbox_tx.send(Outgoing::Data(bytes)).await;
            }
        });
    }

    fn check_spawn(&self, spawn: &SpawnAnnouncement) -> Result<(), String> {
        let message = Message::Spawn {
            spawn: spawn.clone(),
            stopped: false,
        };
        let len = messages::encode(&message, &[]).map_or(usize::MAX, |bytes| bytes.len());
        if len <= MAX_DATA_LEN {
            return Ok(());
        }
        Err(format!(
            "in a cluster a spawn travels to every node in one {MAX_DATA_LEN}-byte datagram; \
             with this body it takes {len} bytes: send a smaller body"
        ))
    }
}
