//! Foca's view of the outside world: a sealed UDP send, the timer heap and a flag
//! raised when membership changed.

use std::sync::Arc;
use std::time::Duration;

use foca::{Notification, Runtime, Timer};
use tokio::net::UdpSocket;
use tracing::{debug, info, warn};

use crate::identity::NodeId;
use crate::seal::{Kind, Sealer};
use crate::timers::TimerQueue;
use crate::traffic::TrafficCounters;

/// Carries out what foca asks for, synchronously, without waiting on the network.
pub(crate) struct NodeRuntime {
    pub socket: Arc<UdpSocket>,
    pub sealer: Sealer,
    pub timers: TimerQueue,
    pub traffic: Arc<TrafficCounters>,
    send_buf: Vec<u8>,
    membership_changed: bool,
}

impl NodeRuntime {
    pub fn new(socket: Arc<UdpSocket>, sealer: Sealer, traffic: Arc<TrafficCounters>) -> Self {
        Self {
            socket,
            sealer,
            timers: TimerQueue::default(),
            traffic,
            send_buf: Vec::new(),
            membership_changed: false,
        }
    }

    /// Notes a change foca does not announce (a down member being forgotten).
    pub fn mark_membership_changed(&mut self) {
        self.membership_changed = true;
    }

    /// Whether membership changed since the last call.
    pub fn take_membership_changed(&mut self) -> bool {
        std::mem::take(&mut self.membership_changed)
    }
}

impl Runtime<NodeId> for NodeRuntime {
    fn notify(&mut self, notification: Notification<'_, NodeId>) {
        self.membership_changed = true;
        match notification {
            Notification::MemberUp(id) => {
                info!(node.name = %id.name, node.gossip = %id.gossip, "node up");
            }
            Notification::MemberDown(id) => {
                info!(node.name = %id.name, node.gossip = %id.gossip, "node down");
            }
            Notification::Rename(old, new) => info!(
                node.old_name = %old.name,
                node.name = %new.name,
                node.gossip = %new.gossip,
                "node came back with a new identity"
            ),
            Notification::Active => info!("joined the cluster"),
            Notification::Idle => info!("no other node is reachable"),
            Notification::Rejoin(id) => warn!(
                renewals = id.renewals,
                "the cluster declared this node down; rejoined"
            ),
            Notification::Defunct => warn!("the cluster declared this node down"),
        }
    }

    // UDP may drop datagrams anyway and SWIM is built for it, so a full socket
    // buffer drops the datagram rather than stalling the node's loop.
    fn send_to(&mut self, to: NodeId, data: &[u8]) {
        self.sealer
            .seal_into(Kind::Gossip, data, &mut self.send_buf);
        match self.socket.try_send_to(&self.send_buf, to.gossip) {
            Ok(len) => self.traffic.gossip_sent(len),
            Err(error) => debug!(peer = %to.gossip, %error, "gossip datagram not sent"),
        }
    }

    fn submit_after(&mut self, event: Timer<NodeId>, after: Duration) {
        self.timers.schedule(event, after);
    }
}
