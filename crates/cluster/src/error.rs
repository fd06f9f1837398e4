//! Errors of starting a node and of sending through it.

use std::io;
use std::net::{IpAddr, SocketAddr};

use crate::config::ConfigError;

/// Why a cluster node could not start.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("invalid cluster configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("cannot bind the gossip socket on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error(
        "cannot tell which address other nodes should use to reach this one \
         (BIND is {bind}); bind a specific address"
    )]
    NoAdvertiseAddress { bind: IpAddr },
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("message is empty")]
    Empty,
    #[error("message of {len} bytes is over the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("too many broadcasts are waiting to be sent; try again shortly")]
    Busy,
    #[error("the cluster node has stopped")]
    Stopped,
}
