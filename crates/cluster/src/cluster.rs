//! The handle the rest of the product holds: start, membership, messages, shutdown.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::net::UdpSocket;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tracing::{debug, info, info_span, Instrument};

use crate::advertise::advertise_ip;
use crate::config::ClusterConfig;
use crate::discovery::Discovery;
use crate::error::{ClusterError, SendError};
use crate::frame::Frame;
use crate::identity::{node_name, NodeId};
use crate::membership::{MembershipView, NodeInfo, NodeStatus};
use crate::node::{Command, Node};
use crate::seal::{Kind, Sealer};
use crate::traffic::{Traffic, TrafficCounters};

/// Largest [`Cluster::broadcast`] payload; it must fit in one gossip datagram.
pub const MAX_BROADCAST_LEN: usize = 1024;

/// Largest [`Cluster::send_to_all`] payload; with its sender and seal it stays under
/// the 65,507-byte limit of a UDP datagram.
pub const MAX_DATA_LEN: usize = 60 * 1024;

/// Broadcasts waiting for the node's loop; control messages are rare, so a full
/// queue means the loop is stuck and the caller should hear about it.
const COMMAND_QUEUE_LEN: usize = 256;

/// Messages a slow subscriber may fall behind by before it sees `Lagged`.
const DELIVERY_QUEUE_LEN: usize = 1024;

/// How long a graceful shutdown waits for the leave message to go out.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(1);

/// A running cluster node; dropping it stops the node at once, as a crash would.
pub struct Cluster {
    local: NodeInfo,
    nodes_rx: watch::Receiver<Vec<NodeInfo>>,
    deliver_tx: broadcast::Sender<(NodeInfo, Bytes)>,
    link: Option<Link>,
    tasks: Vec<JoinHandle<()>>,
    // A lone node has no loop to own its view; this keeps its watchers open.
    _lone_view: Option<MembershipView>,
}

/// Reads a node's traffic counters; see [`Cluster::traffic_meter`].
#[derive(Clone, Debug, Default)]
pub struct TrafficMeter(Option<Arc<TrafficCounters>>);

impl TrafficMeter {
    pub fn snapshot(&self) -> Traffic {
        self.0
            .as_ref()
            .map_or_else(Traffic::default, |counters| counters.snapshot())
    }
}

/// What a node that gossips has beyond a lone one.
struct Link {
    socket: Arc<UdpSocket>,
    sealer: Sealer,
    gossip_addr: SocketAddr,
    commands_tx: mpsc::Sender<Command>,
    peers_rx: watch::Receiver<Vec<SocketAddr>>,
    traffic: Arc<TrafficCounters>,
}

impl Cluster {
    /// Starts a node: binds the gossip socket and begins discovery.
    ///
    /// Without a cookie the node runs alone: no socket is bound and it lists only itself.
    pub async fn start(config: ClusterConfig) -> Result<Cluster, ClusterError> {
        config.validate()?;
        let (deliver_tx, _) = broadcast::channel(DELIVERY_QUEUE_LEN);
        let Some(cookie) = config.cookie.as_deref() else {
            return Ok(Self::alone(&config, deliver_tx));
        };

        let bind_addr = SocketAddr::new(config.bind, config.cluster_port);
        let bound = UdpSocket::bind(bind_addr).await;
        let socket = Arc::new(bound.map_err(|source| ClusterError::Bind {
            addr: bind_addr,
            source,
        })?);
        let port = socket
            .local_addr()
            .map_or(config.cluster_port, |addr| addr.port());

        let mut discovery = Discovery::new(&config, config.seeds()?);
        let gossip_addr = SocketAddr::new(detect_ip(&config, &mut discovery).await?, port);
        let http_addr = reachable(config.http_addr, gossip_addr.ip());
        let identity = NodeId::new(node_name(config.bind), gossip_addr, http_addr);
        let local = identity.info(NodeStatus::Up);

        let view = MembershipView::new(local.clone());
        let nodes_rx = view.subscribe_nodes();
        let peers_rx = view.subscribe_peers();
        let sealer = Sealer::new(cookie);
        let traffic = Arc::new(TrafficCounters::default());
        let node = Node::new(
            identity,
            socket.clone(),
            sealer.clone(),
            Arc::clone(&traffic),
            view,
            deliver_tx.clone(),
        );

        let span = info_span!("cluster", node.name = %local.name, node.gossip = %gossip_addr);
        let (commands_tx, commands_rx) = mpsc::channel(COMMAND_QUEUE_LEN);
        let mut tasks = vec![tokio::spawn(node.run(commands_rx).instrument(span.clone()))];
        if discovery.is_enabled() {
            let discover = discovery.run(gossip_addr, commands_tx.clone());
            tasks.push(tokio::spawn(discover.instrument(span)));
        }
        info!(node.name = %local.name, node.gossip = %gossip_addr, "cluster node started");

        Ok(Cluster {
            local,
            nodes_rx,
            deliver_tx,
            link: Some(Link {
                socket,
                sealer,
                gossip_addr,
                commands_tx,
                peers_rx,
                traffic,
            }),
            tasks,
            _lone_view: None,
        })
    }

    fn alone(config: &ClusterConfig, deliver_tx: broadcast::Sender<(NodeInfo, Bytes)>) -> Self {
        let local = NodeInfo {
            name: node_name(config.bind),
            address: config.http_addr.to_string(),
            status: NodeStatus::Up,
        };
        info!(node.name = %local.name, "no COOKIE set; running without a cluster");
        let view = MembershipView::new(local.clone());
        Cluster {
            local,
            nodes_rx: view.subscribe_nodes(),
            deliver_tx,
            link: None,
            tasks: Vec::new(),
            _lone_view: Some(view),
        }
    }

    /// This node as the others list it.
    pub fn local(&self) -> NodeInfo {
        self.local.clone()
    }

    /// Where this node receives gossip; `None` for a lone node.
    pub fn gossip_addr(&self) -> Option<SocketAddr> {
        self.link.as_ref().map(|link| link.gossip_addr)
    }

    /// Every known node, this one included, sorted by name.
    pub fn nodes(&self) -> Vec<NodeInfo> {
        self.nodes_rx.borrow().clone()
    }

    /// A watch on [`Cluster::nodes`] that wakes when the list changes.
    pub fn subscribe_nodes(&self) -> watch::Receiver<Vec<NodeInfo>> {
        self.nodes_rx.clone()
    }

    /// Messages from other nodes (broadcasts and `send_to_all` data), with their sender.
    /// A node does not receive its own messages.
    pub fn subscribe(&self) -> broadcast::Receiver<(NodeInfo, Bytes)> {
        self.deliver_tx.subscribe()
    }

    /// Spreads a small control message (up to [`MAX_BROADCAST_LEN`] bytes) to every
    /// member through gossip, which retransmits it so that lost datagrams are covered.
    /// With no other node up, it waits and goes to the first nodes that join.
    pub fn broadcast(&self, msg: Bytes) -> Result<(), SendError> {
        check_len(&msg, MAX_BROADCAST_LEN)?;
        let Some(link) = &self.link else {
            return Ok(());
        };
        link.commands_tx
            .try_send(Command::Broadcast(msg))
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => SendError::Busy,
                mpsc::error::TrySendError::Closed(_) => SendError::Stopped,
            })
    }

    /// Sends a larger payload (up to [`MAX_DATA_LEN`] bytes) once to every member that is
    /// up; returns how many it went to.
    ///
    /// Each payload is one sealed UDP datagram rather than a TCP stream: per-second
    /// metrics are superseded a second later, so a lost datagram costs one chart point,
    /// whereas TCP would bring connection setup, reconnects after restarts and
    /// head-of-line blocking behind stale data. Large datagrams are fragmented by IP,
    /// which LANs and container networks carry.
    pub async fn send_to_all(&self, msg: Bytes) -> Result<usize, SendError> {
        check_len(&msg, MAX_DATA_LEN)?;
        let Some(link) = &self.link else {
            return Ok(0);
        };
        let frame = Frame {
            name: &self.local.name,
            address: &self.local.address,
            payload: &msg,
        };
        let mut body = Vec::with_capacity(msg.len() + 128);
        // Our name and address are far below the 255-byte field limit.
        if let Err(error) = frame.encode_into(&mut body) {
            debug!(%error, "data frame not encoded");
            return Ok(0);
        }
        let mut datagram = Vec::new();
        link.sealer.seal_into(Kind::Data, &body, &mut datagram);

        // Cloned so that no lock is held across the sends.
        let peers = link.peers_rx.borrow().clone();
        let mut num_sent = 0;
        for peer in peers {
            match link.socket.send_to(&datagram, peer).await {
                Ok(len) => {
                    link.traffic.data_sent(len);
                    num_sent += 1;
                }
                Err(error) => debug!(%peer, %error, "data datagram not sent"),
            }
        }
        Ok(num_sent)
    }

    /// Bytes and datagrams sent and received so far, by kind; all zero for a lone node.
    pub fn traffic(&self) -> Traffic {
        self.link
            .as_ref()
            .map_or_else(Traffic::default, |link| link.traffic.snapshot())
    }

    /// A handle that reads the same counters as [`Cluster::traffic`] and
    /// outlives borrows of the cluster, for whoever reports the figures.
    pub fn traffic_meter(&self) -> TrafficMeter {
        TrafficMeter(self.link.as_ref().map(|link| Arc::clone(&link.traffic)))
    }

    /// Leaves the cluster gracefully, so others mark this node down at once, then stops.
    pub async fn shutdown(mut self) {
        if let Some(link) = &self.link {
            let (done_tx, done_rx) = oneshot::channel();
            if link.commands_tx.send(Command::Leave(done_tx)).await.is_ok() {
                let _ = tokio::time::timeout(LEAVE_TIMEOUT, done_rx).await;
            }
        }
        for task in self.tasks.drain(..) {
            task.abort();
            let _ = task.await;
        }
        info!(node.name = %self.local.name, "cluster node stopped");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn check_len(msg: &[u8], max: usize) -> Result<(), SendError> {
    match msg.len() {
        0 => Err(SendError::Empty),
        len if len > max => Err(SendError::TooLarge { len, max }),
        _ => Ok(()),
    }
}

/// The address to advertise; detection may need the seeds, resolved once here.
async fn detect_ip(
    config: &ClusterConfig,
    discovery: &mut Discovery,
) -> Result<IpAddr, ClusterError> {
    let needs_seeds = config.advertise_ip.is_none() && config.bind.is_unspecified();
    let seeds = if needs_seeds {
        discovery.targets().await
    } else {
        Vec::new()
    };
    advertise_ip(config, &seeds)
        .await
        .ok_or(ClusterError::NoAdvertiseAddress { bind: config.bind })
}

/// An HTTP address bound to every interface is shown with the advertised address.
fn reachable(http_addr: SocketAddr, advertised: IpAddr) -> SocketAddr {
    if http_addr.ip().is_unspecified() {
        SocketAddr::new(advertised, http_addr.port())
    } else {
        http_addr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_checked_against_the_limit() {
        assert_eq!(check_len(b"", 4), Err(SendError::Empty));
        assert_eq!(check_len(b"abcd", 4), Ok(()));
        assert_eq!(
            check_len(b"abcde", 4),
            Err(SendError::TooLarge { len: 5, max: 4 })
        );
    }

    #[test]
    fn unspecified_http_address_shows_the_advertised_one() {
        let advertised: IpAddr = "127.0.0.5".parse().unwrap();
        let any = "0.0.0.0:4000".parse().unwrap();
        assert_eq!(
            reachable(any, advertised),
            "127.0.0.5:4000".parse().unwrap()
        );
        let specific = "127.0.0.2:4000".parse().unwrap();
        assert_eq!(reachable(specific, advertised), specific);
    }
}
