//! The member list as the rest of the product sees it, rebuilt from foca's state.

use std::net::SocketAddr;

use foca::{Member, State};
use serde::Serialize;
use tokio::sync::watch;

use crate::identity::NodeId;

/// Whether a node is taking part in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeStatus {
    Up,
    Down,
}

/// One node as `GET /api/nodes` lists it: name, HTTP address and status.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct NodeInfo {
    pub name: String,
    /// `host:port` of the node's web UI and API.
    pub address: String,
    pub status: NodeStatus,
}

/// Publishes the member list and the gossip addresses of the up members.
#[derive(Debug)]
pub(crate) struct MembershipView {
    local: NodeInfo,
    nodes_tx: watch::Sender<Vec<NodeInfo>>,
    peers_tx: watch::Sender<Vec<SocketAddr>>,
}

impl MembershipView {
    /// A view that lists only the local node until gossip says otherwise.
    pub fn new(local: NodeInfo) -> Self {
        let (nodes_tx, _) = watch::channel(vec![local.clone()]);
        let (peers_tx, _) = watch::channel(Vec::new());
        Self {
            local,
            nodes_tx,
            peers_tx,
        }
    }

    pub fn subscribe_nodes(&self) -> watch::Receiver<Vec<NodeInfo>> {
        self.nodes_tx.subscribe()
    }

    pub fn subscribe_peers(&self) -> watch::Receiver<Vec<SocketAddr>> {
        self.peers_tx.subscribe()
    }

    /// Replaces the published lists; watchers wake only if something changed.
    ///
    /// Suspected members still count as up: suspicion is foca's grace period for a
    /// slow node to prove it is alive.
    pub fn publish<'a>(&self, members: impl Iterator<Item = &'a Member<NodeId>>) {
        let mut nodes = vec![self.local.clone()];
        let mut peers = Vec::new();
        for member in members {
            let status = match member.state() {
                State::Alive | State::Suspect => NodeStatus::Up,
                State::Down => NodeStatus::Down,
            };
            if status == NodeStatus::Up {
                peers.push(member.id().gossip);
            }
            nodes.push(member.id().info(status));
        }
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        peers.sort();

        self.nodes_tx
            .send_if_modified(|current| replace_if_changed(current, nodes));
        self.peers_tx
            .send_if_modified(|current| replace_if_changed(current, peers));
    }
}

fn replace_if_changed<T: PartialEq>(current: &mut T, next: T) -> bool {
    if *current == next {
        return false;
    }
    *current = next;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str, port: u16) -> NodeId {
        NodeId::new(
            name.to_owned(),
            SocketAddr::from(([127, 0, 0, 1], port)),
            SocketAddr::from(([127, 0, 0, 1], port + 1000)),
        )
    }

    #[test]
    fn lists_local_node_and_members_with_their_status() {
        let local = id("a", 1).info(NodeStatus::Up);
        let view = MembershipView::new(local.clone());
        let nodes_rx = view.subscribe_nodes();
        let peers_rx = view.subscribe_peers();
        assert_eq!(*nodes_rx.borrow(), vec![local.clone()]);

        let members = [
            Member::new(id("c", 3), 0, State::Down),
            Member::new(id("b", 2), 4, State::Suspect),
        ];
        view.publish(members.iter());

        let nodes = nodes_rx.borrow().clone();
        let statuses: Vec<_> = nodes.iter().map(|n| (n.name.as_str(), n.status)).collect();
        assert_eq!(
            statuses,
            [
                ("a", NodeStatus::Up),
                ("b", NodeStatus::Up),
                ("c", NodeStatus::Down)
            ]
        );
        assert_eq!(nodes[1].address, "127.0.0.1:1002");
        assert_eq!(
            *peers_rx.borrow(),
            vec![SocketAddr::from(([127, 0, 0, 1], 2))]
        );
    }

    #[test]
    fn unchanged_list_does_not_wake_watchers() {
        let view = MembershipView::new(id("a", 1).info(NodeStatus::Up));
        let mut nodes_rx = view.subscribe_nodes();
        nodes_rx.mark_unchanged();
        view.publish([].iter());
        assert!(!nodes_rx.has_changed().unwrap());
    }

    #[test]
    fn status_serializes_lowercase() {
        let node = id("a", 1).info(NodeStatus::Down);
        let json = serde_json::to_value(&node).unwrap();
        assert_eq!(json["status"], "down");
        assert_eq!(json["address"], "127.0.0.1:1001");
    }
}
