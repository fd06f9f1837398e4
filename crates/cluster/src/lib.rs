//! Membership of the Onslaught cluster, and messages between its nodes.
//!
//! Nodes find each other through `DNS_CLUSTER_QUERY` (re-resolved every 5 s) and
//! static `PEERS`, then keep track of one another with SWIM as implemented by
//! [`foca`]: each node probes a random member every second, asks others to probe
//! it indirectly when it does not answer, suspects it, and declares it down a few
//! seconds later unless it refutes. Membership changes ride on those messages, so
//! every node converges on the same list, down nodes included.
//!
//! All traffic is UDP on `BIND:CLUSTER_PORT`, and every datagram carries an
//! HMAC-SHA256 tag keyed by `COOKIE`; datagrams that fail it are dropped before
//! parsing, which is how only nodes sharing the cookie can join. A node's identity
//! holds its start time, so a restarted node replaces its previous identity instead
//! of waiting to be forgotten.
//!
//! Two message paths: [`Cluster::broadcast`] for small control messages, carried by
//! gossip and retransmitted until every member is likely to have it, and
//! [`Cluster::send_to_all`] for larger data such as per-second metrics, one
//! datagram per up member. [`Cluster::traffic`] counts the bytes and datagrams of
//! each path, and those refused for a wrong cookie.
//!
//! Known gaps: the tag does not stop an eavesdropper from replaying a captured
//! datagram (gossip tolerates stale messages, and duplicate broadcasts are
//! dropped, but a replayed data datagram would be delivered again); the socket keeps
//! the kernel's default receive buffer, which bounds how much data a burst from many
//! nodes can queue.

mod advertise;
mod broadcasts;
mod cluster;
mod config;
mod discovery;
mod dns;
mod error;
mod frame;
mod identity;
mod membership;
mod node;
mod refusals;
mod runtime;
mod seal;
mod timers;
mod traffic;

pub use cluster::{Cluster, TrafficMeter, MAX_BROADCAST_LEN, MAX_DATA_LEN};
pub use config::{ClusterConfig, ConfigError, DEFAULT_CLUSTER_PORT};
pub use error::{ClusterError, SendError};
pub use membership::{NodeInfo, NodeStatus};
pub use traffic::Traffic;
