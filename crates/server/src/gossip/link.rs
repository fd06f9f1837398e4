//! The task that owns the gossip node: it sends what the registry queued,
//! hands what other nodes sent to [`super::inbound`], re-announces spawns
//! and follows membership.

use std::sync::Arc;
use std::time::Duration;

use onslaught_cluster::{Cluster as GossipNode, NodeStatus};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use super::messages::{self, Message};
use super::{inbound, Outgoing};
use crate::registry::Registry;

/// How often running spawns are announced again. A node that missed the
/// first announcement, or joined later, starts its share within this.
const REANNOUNCE_EVERY: Duration = Duration::from_secs(2);

/// The gossip node and the queue of what to send through it.
pub struct Link {
    node: GossipNode,
    outbox_rx: mpsc::Receiver<Outgoing>,
}

impl Link {
    pub(super) fn new(node: GossipNode, outbox_rx: mpsc::Receiver<Outgoing>) -> Link {
        Link { node, outbox_rx }
    }

    /// Runs until `stop_rx` fires (or its sender is dropped), then sends
    /// what is still queued and leaves the cluster gracefully.
    pub async fn run(mut self, registry: Arc<Registry>, mut stop_rx: oneshot::Receiver<()>) {
        let mut inbound_rx = self.node.subscribe();
        let mut nodes_rx = self.node.subscribe_nodes();
        let mut reannounce = tokio::time::interval(REANNOUNCE_EVERY);
        reannounce.set_missed_tick_behavior(MissedTickBehavior::Delay);

        loop {
            tokio::select! {
                _ = &mut stop_rx => break,
                Some(outgoing) = self.outbox_rx.recv() => self.send(outgoing).await,
                received = inbound_rx.recv() => match received {
                    Ok((from, bytes)) => inbound::apply(&registry, &from.name, &bytes),
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "cluster messages lost: this node fell behind");
                    }
                    Err(RecvError::Closed) => break,
                },
                changed = nodes_rx.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let nodes = nodes_rx.borrow_and_update().clone();
                    on_membership(&registry, &nodes);
                }
                _ = reannounce.tick() => self.reannounce(&registry).await,
            }
        }

        while let Ok(outgoing) = self.outbox_rx.try_recv() {
            self.send(outgoing).await;
        }
        self.node.shutdown().await;
    }

    async fn send(&self, outgoing: Outgoing) {
        let result = match outgoing {
            Outgoing::Data(bytes) => self.node.send_to_all(bytes).await.map(drop),
            Outgoing::Broadcast(bytes) => self.node.broadcast(bytes),
        };
        if let Err(error) = result {
            tracing::warn!(%error, "cluster message not sent");
        }
    }

    async fn reannounce(&self, registry: &Registry) {
        for (spawn, stopped) in registry.announcements() {
            let message = Message::Spawn { spawn, stopped };
            match messages::encode(&message, &[]) {
                Ok(bytes) => self.send(Outgoing::Data(bytes)).await,
                Err(error) => tracing::warn!(%error, "announcement not encoded"),
            }
        }
    }
}

/// Spawners of down nodes stop counting as running; pages learn the count.
fn on_membership(registry: &Registry, nodes: &[onslaught_cluster::NodeInfo]) {
    let num_up = nodes.iter().filter(|n| n.status == NodeStatus::Up).count();
    tracing::info!(
        nodes.up = num_up,
        nodes.known = nodes.len(),
        "cluster membership changed"
    );
    for node in nodes.iter().filter(|n| n.status == NodeStatus::Down) {
        registry.node_down(&node.name);
    }
    registry.publish_nodes();
}
