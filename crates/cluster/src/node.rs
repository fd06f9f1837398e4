//! The node's loop: the one task that owns foca and reacts to datagrams, timers and
//! commands from the [`crate::Cluster`] handle and discovery.

use std::net::SocketAddr;
use std::num::{NonZeroU8, NonZeroUsize};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use foca::{Config, Foca, PeriodicParams, PostcardCodec, Timer};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use tokio::net::UdpSocket;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::{sleep, sleep_until, Instant};
use tracing::{debug, warn};

use crate::broadcasts::AppBroadcasts;
use crate::frame::Frame;
use crate::identity::NodeId;
use crate::membership::{MembershipView, NodeInfo, NodeStatus};
use crate::refusals::RefusalLog;
use crate::runtime::NodeRuntime;
use crate::seal::{Kind, Sealer};
use crate::traffic::TrafficCounters;

/// Largest foca message. Below a 1500-byte Ethernet MTU once sealed, so gossip is
/// never fragmented; a 1 KiB broadcast plus two identities still fits.
pub(crate) const MAX_GOSSIP_LEN: usize = 1400;

/// Room for any UDP datagram.
const RECV_BUF_LEN: usize = 65_536;

/// Pause after a failed receive so a broken socket cannot spin the loop.
const RECV_ERROR_PAUSE: Duration = Duration::from_millis(10);

type Gossip = Foca<NodeId, PostcardCodec, SmallRng, AppBroadcasts>;

/// What the loop is asked to do from outside.
#[derive(Debug)]
pub(crate) enum Command {
    /// Ask these addresses to let us join, unless they are members already.
    Announce(Vec<SocketAddr>),
    /// Spread a small application message through gossip.
    Broadcast(Bytes),
    /// Tell the cluster we are leaving, then stop.
    Leave(oneshot::Sender<()>),
}

/// SWIM tuned for a LAN so that a dead node is down within about 6 s: it is probed
/// within ~2 probe periods, suspected after one more, and declared down 3 s later.
fn gossip_config() -> Config {
    let every = |frequency, num_members| {
        Some(PeriodicParams {
            frequency,
            num_members: NonZeroUsize::new(num_members).unwrap_or(NonZeroUsize::MIN),
        })
    };
    Config {
        probe_period: Duration::from_secs(1),
        probe_rtt: Duration::from_millis(400),
        num_indirect_probes: NonZeroUsize::new(3).unwrap_or(NonZeroUsize::MIN),
        // Higher than foca's LAN default for small clusters, so broadcasts arrive.
        max_transmissions: NonZeroU8::new(10).unwrap_or(NonZeroU8::MIN),
        suspect_to_down_after: Duration::from_secs(3),
        // Down nodes stay listed (as down) this long unless they come back.
        remove_down_after: Some(Duration::from_secs(15 * 60)),
        max_packet_size: NonZeroUsize::new(MAX_GOSSIP_LEN).unwrap_or(NonZeroUsize::MIN),
        notify_down_members: true,
        periodic_announce: every(Duration::from_secs(10), 1),
        periodic_announce_to_down_members: every(Duration::from_secs(30), 2),
        periodic_gossip: every(Duration::from_millis(200), 3),
    }
}

/// Owns the gossip state; runs until told to leave or until its handle is dropped.
pub(crate) struct Node {
    foca: Gossip,
    runtime: NodeRuntime,
    view: MembershipView,
    local: NodeInfo,
    deliver_tx: broadcast::Sender<(NodeInfo, Bytes)>,
    refusals: RefusalLog,
    traffic: Arc<TrafficCounters>,
    recv_buf: Vec<u8>,
    next_seq: u64,
}

impl Node {
    pub fn new(
        identity: NodeId,
        socket: Arc<UdpSocket>,
        sealer: Sealer,
        traffic: Arc<TrafficCounters>,
        view: MembershipView,
        deliver_tx: broadcast::Sender<(NodeInfo, Bytes)>,
    ) -> Self {
        let local = identity.info(NodeStatus::Up);
        let rng = SmallRng::seed_from_u64(fastrand::u64(..));
        let handler = AppBroadcasts::new(deliver_tx.clone());
        let foca =
            Foca::with_custom_broadcast(identity, gossip_config(), rng, PostcardCodec, handler);
        Self {
            foca,
            runtime: NodeRuntime::new(socket, sealer, Arc::clone(&traffic)),
            view,
            local,
            deliver_tx,
            refusals: RefusalLog::default(),
            traffic,
            recv_buf: vec![0; RECV_BUF_LEN],
            // A random start keeps our sequence numbers apart from any earlier run's.
            next_seq: fastrand::u64(..),
        }
    }

    pub async fn run(mut self, mut commands_rx: mpsc::Receiver<Command>) {
        let socket = Arc::clone(&self.runtime.socket);
        loop {
            let next_due = self.runtime.timers.next_due();
            tokio::select! {
                received = socket.recv_from(&mut self.recv_buf) => match received {
                    Ok((len, from)) => self.on_datagram(len, from),
                    Err(error) => {
                        debug!(%error, "gossip socket receive failed");
                        sleep(RECV_ERROR_PAUSE).await;
                    }
                },
                () = sleep_until_due(next_due) => self.fire_due_timers(),
                command = commands_rx.recv() => {
                    // No command sender left means the handle is gone.
                    let Some(command) = command else { break };
                    if self.on_command(command).is_break() {
                        break;
                    }
                }
            }
            if self.runtime.take_membership_changed() {
                self.view.publish(self.foca.iter_membership_state());
            }
        }
    }

    fn on_datagram(&mut self, len: usize, from: SocketAddr) {
        let datagram = &self.recv_buf[..len];
        let traffic = &self.traffic;
        match self.runtime.sealer.open(datagram) {
            Err(reason) => {
                traffic.refused(len);
                self.refusals.refused(from, &reason);
            }
            Ok((Kind::Gossip, body)) => {
                traffic.gossip_received(len);
                if let Err(error) = self.foca.handle_data(body, &mut self.runtime) {
                    debug!(peer = %from, %error, "gossip message ignored");
                }
            }
            // Counted before delivery, so whoever got the message sees it counted.
            Ok((Kind::Data, body)) => {
                traffic.data_received(len);
                match Frame::decode(body) {
                    // Sending fails only when nobody subscribes.
                    Ok(frame) => {
                        let _ = self.deliver_tx.send(frame.into_message());
                    }
                    Err(error) => debug!(peer = %from, %error, "data datagram ignored"),
                }
            }
        }
    }

    fn fire_due_timers(&mut self) {
        let now = Instant::now();
        while let Some(timer) = self.runtime.timers.pop_due(now) {
            // Forgetting a down member changes the list without a notification.
            if matches!(timer, Timer::RemoveDown(_)) {
                self.runtime.mark_membership_changed();
            }
            if let Err(error) = self.foca.handle_timer(timer, &mut self.runtime) {
                debug!(%error, "gossip timer failed");
            }
        }
    }

    fn on_command(&mut self, command: Command) -> ControlFlow<()> {
        match command {
            Command::Announce(targets) => self.announce(&targets),
            Command::Broadcast(payload) => self.broadcast(&payload),
            Command::Leave(done_tx) => {
                if let Err(error) = self.foca.leave_cluster(&mut self.runtime) {
                    debug!(%error, "leaving the cluster failed");
                }
                let _ = done_tx.send(());
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    fn announce(&mut self, targets: &[SocketAddr]) {
        let own = self.foca.identity().gossip;
        for &target in targets {
            let is_member = self
                .foca
                .iter_members()
                .any(|member| member.id().gossip == target);
            if is_member || target == own {
                continue;
            }
            if let Err(error) = self.foca.announce(NodeId::seed(target), &mut self.runtime) {
                debug!(peer = %target, %error, "announce failed");
            }
        }
    }

    fn broadcast(&mut self, payload: &[u8]) {
        self.next_seq = self.next_seq.wrapping_add(1);
        let frame = Frame {
            name: &self.local.name,
            address: &self.local.address,
            payload,
        };
        let item = match AppBroadcasts::encode_item(self.next_seq, &frame) {
            Ok(item) => item,
            Err(error) => {
                warn!(%error, "broadcast dropped");
                return;
            }
        };
        if let Err(error) = self.foca.add_broadcast(&item) {
            warn!(%error, len = payload.len(), "broadcast dropped");
            return;
        }
        // Send it now instead of waiting for the next gossip round.
        if let Err(error) = self.foca.broadcast(&mut self.runtime) {
            debug!(%error, "broadcast send failed");
        }
    }
}

async fn sleep_until_due(due: Option<Instant>) {
    match due {
        Some(due) => sleep_until(due).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use foca::{Codec, Header, Message};

    use super::*;
    use crate::identity::MAX_NAME_LEN;
    use crate::MAX_BROADCAST_LEN;

    #[test]
    fn largest_broadcast_fits_one_gossip_datagram() {
        let widest: SocketAddr = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"
            .parse()
            .unwrap();
        let worst = NodeId {
            name: "n".repeat(MAX_NAME_LEN),
            gossip: widest,
            http: widest,
            started_ms: u64::MAX,
            renewals: u32::MAX,
        };
        let header = Header {
            src: worst.clone(),
            src_incarnation: u16::MAX,
            dst: worst.clone(),
            message: Message::Broadcast,
        };
        let mut datagram = Vec::new();
        PostcardCodec.encode_header(&header, &mut datagram).unwrap();

        let address = worst.http.to_string();
        let payload = [0; MAX_BROADCAST_LEN];
        let frame = Frame {
            name: &worst.name,
            address: &address,
            payload: &payload,
        };
        let item = AppBroadcasts::encode_item(u64::MAX, &frame).unwrap();
        // Foca prefixes each item with its length.
        let len = datagram.len() + 2 + item.len();
        assert!(len <= MAX_GOSSIP_LEN, "{len} bytes");
    }
}
