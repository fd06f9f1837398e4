//! Who a node is on the gossip layer: a readable name plus what foca needs to tell
//! one run of a node from the next.

use std::net::{IpAddr, SocketAddr};
use std::time::{SystemTime, UNIX_EPOCH};

use foca::Identity;
use serde::{Deserialize, Serialize};

use crate::membership::{NodeInfo, NodeStatus};

/// Host names are cut to this many bytes so that an identity, sent twice in every
/// gossip header, leaves room in a datagram for a broadcast.
const MAX_BASE_NAME_LEN: usize = 48;

/// Longest node name: the base and a `-xxxx` suffix.
#[cfg(test)]
pub(crate) const MAX_NAME_LEN: usize = MAX_BASE_NAME_LEN + 5;

/// A node's identity as foca gossips it.
///
/// Two identities with the same gossip address are the same node; the one with the
/// later generation (start time, then rejoin count) wins, so a restart replaces the
/// identity it left behind instead of waiting for the cluster to forget it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct NodeId {
    pub name: String,
    pub gossip: SocketAddr,
    pub http: SocketAddr,
    /// Unix time in ms when this process started the node.
    pub started_ms: u64,
    /// Times this process rejoined after the cluster declared it down.
    pub renewals: u32,
}

impl NodeId {
    /// A fresh identity for a node starting now.
    pub fn new(name: String, gossip: SocketAddr, http: SocketAddr) -> Self {
        let started_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.as_millis() as u64)
            .max(1);
        Self {
            name,
            gossip,
            http,
            started_ms,
            renewals: 0,
        }
    }

    /// Stands for a node known only by its address (a seed) as the target of an
    /// announce; foca accepts an announce sent to any identity with its address.
    pub fn seed(gossip: SocketAddr) -> Self {
        Self {
            name: String::new(),
            gossip,
            http: gossip,
            started_ms: 0,
            renewals: 0,
        }
    }

    /// What the rest of the product sees of this node.
    pub fn info(&self, status: NodeStatus) -> NodeInfo {
        NodeInfo {
            name: self.name.clone(),
            address: self.http.to_string(),
            status,
        }
    }

    fn generation(&self) -> (u64, u32) {
        (self.started_ms, self.renewals)
    }
}

impl Identity for NodeId {
    type Addr = SocketAddr;

    fn renew(&self) -> Option<Self> {
        let renewals = self.renewals.checked_add(1)?;
        Some(Self {
            renewals,
            ..self.clone()
        })
    }

    fn addr(&self) -> SocketAddr {
        self.gossip
    }

    fn win_addr_conflict(&self, adversary: &Self) -> bool {
        // Generations come from the clock of the one machine that owns the address.
        // Equal ones only happen if that clock stepped back; the name breaks the tie
        // so that every node picks the same winner.
        (self.generation(), &self.name) > (adversary.generation(), &adversary.name)
    }
}

/// A readable, nearly unique node name: the bind address (or host name when bound to
/// every interface) and a short random suffix, e.g. `127.0.0.2-4f3a`.
pub(crate) fn node_name(bind: IpAddr) -> String {
    let base = if bind.is_unspecified() {
        host_name().unwrap_or_else(|| "node".to_owned())
    } else {
        bind.to_string()
    };
    format!("{base}-{:04x}", fastrand::u16(..))
}

fn host_name() -> Option<String> {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())?;
    let mut name = raw.trim().to_owned();
    if name.is_empty() {
        return None;
    }
    let mut cut = name.len().min(MAX_BASE_NAME_LEN);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    name.truncate(cut);
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn node(started_ms: u64, renewals: u32) -> NodeId {
        NodeId {
            name: format!("n-{started_ms}"),
            gossip: addr("127.0.0.2:7946"),
            http: addr("127.0.0.2:4000"),
            started_ms,
            renewals,
        }
    }

    #[test]
    fn restart_wins_over_the_identity_it_replaces() {
        let before = node(1_000, 3);
        let after = node(2_000, 0);
        assert!(after.win_addr_conflict(&before));
        assert!(!before.win_addr_conflict(&after));
    }

    #[test]
    fn renewed_identity_wins_and_keeps_its_name() {
        let first = node(1_000, 0);
        let renewed = first.renew().unwrap();
        assert!(renewed.win_addr_conflict(&first));
        assert_eq!(renewed.name, first.name);
        assert_eq!(renewed.addr(), first.addr());
    }

    #[test]
    fn renew_stops_instead_of_wrapping() {
        assert!(node(1_000, u32::MAX).renew().is_none());
    }

    #[test]
    fn seed_placeholder_loses_to_any_real_node() {
        let seed = NodeId::seed(addr("127.0.0.2:7946"));
        let real = node(1, 0);
        assert!(real.win_addr_conflict(&seed));
        assert!(!seed.win_addr_conflict(&real));
    }

    #[test]
    fn tie_is_broken_the_same_way_by_both_sides() {
        let a = NodeId {
            name: "a".into(),
            ..node(5, 0)
        };
        let b = NodeId {
            name: "b".into(),
            ..node(5, 0)
        };
        assert_ne!(a.win_addr_conflict(&b), b.win_addr_conflict(&a));
    }

    #[test]
    fn names_carry_the_bind_address_and_a_suffix() {
        let name = node_name("127.0.0.2".parse().unwrap());
        let (base, suffix) = name.rsplit_once('-').unwrap();
        assert_eq!(base, "127.0.0.2");
        assert_eq!(suffix.len(), 4);
        assert!(u16::from_str_radix(suffix, 16).is_ok());
    }

    #[test]
    fn names_on_every_interface_use_a_bounded_host_name() {
        let name = node_name("0.0.0.0".parse().unwrap());
        assert!(!name.starts_with("0.0.0.0"));
        assert!(name.len() <= MAX_NAME_LEN);
    }
}
