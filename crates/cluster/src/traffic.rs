//! Counts of what the node put on and took off the wire, split by kind.
//!
//! Bytes are whole sealed datagrams (UDP payloads, seal included), so the figures
//! match what the network carries apart from IP and UDP headers. Counters are
//! relaxed atomics bumped once per datagram; the node's loop and `send_to_all`
//! callers touch them without any lock.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::Serialize;

/// A snapshot of a node's cluster traffic since it started; every field only grows.
///
/// Gossip is foca's membership protocol with the broadcasts it carries; data is
/// [`crate::Cluster::send_to_all`]. Refused datagrams failed the cookie check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Traffic {
    pub gossip_bytes_sent: u64,
    pub gossip_bytes_received: u64,
    pub gossip_datagrams_sent: u64,
    pub gossip_datagrams_received: u64,
    pub data_bytes_sent: u64,
    pub data_bytes_received: u64,
    pub data_datagrams_sent: u64,
    pub data_datagrams_received: u64,
    pub refused_datagrams: u64,
    pub refused_bytes: u64,
}

/// One direction of one kind: datagrams and their bytes.
#[derive(Debug, Default)]
struct Flow {
    datagrams: AtomicU64,
    bytes: AtomicU64,
}

impl Flow {
    fn add(&self, len: usize) {
        self.datagrams.fetch_add(1, Relaxed);
        self.bytes.fetch_add(len as u64, Relaxed);
    }

    fn load(&self) -> (u64, u64) {
        (self.datagrams.load(Relaxed), self.bytes.load(Relaxed))
    }
}

/// The live counters shared by the node's loop and the [`crate::Cluster`] handle.
#[derive(Debug, Default)]
pub(crate) struct TrafficCounters {
    gossip_sent: Flow,
    gossip_received: Flow,
    data_sent: Flow,
    data_received: Flow,
    refused: Flow,
}

impl TrafficCounters {
    pub fn gossip_sent(&self, len: usize) {
        self.gossip_sent.add(len);
    }

    pub fn gossip_received(&self, len: usize) {
        self.gossip_received.add(len);
    }

    pub fn data_sent(&self, len: usize) {
        self.data_sent.add(len);
    }

    pub fn data_received(&self, len: usize) {
        self.data_received.add(len);
    }

    pub fn refused(&self, len: usize) {
        self.refused.add(len);
    }

    /// Reads every counter. Each field is exact on its own, but fields are read one
    /// after another, so a datagram counted meanwhile may show in one and not yet
    /// in its partner.
    pub fn snapshot(&self) -> Traffic {
        let (gossip_datagrams_sent, gossip_bytes_sent) = self.gossip_sent.load();
        let (gossip_datagrams_received, gossip_bytes_received) = self.gossip_received.load();
        let (data_datagrams_sent, data_bytes_sent) = self.data_sent.load();
        let (data_datagrams_received, data_bytes_received) = self.data_received.load();
        let (refused_datagrams, refused_bytes) = self.refused.load();
        Traffic {
            gossip_bytes_sent,
            gossip_bytes_received,
            gossip_datagrams_sent,
            gossip_datagrams_received,
            data_bytes_sent,
            data_bytes_received,
            data_datagrams_sent,
            data_datagrams_received,
            refused_datagrams,
            refused_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_and_direction_counts_apart() {
        let counters = TrafficCounters::default();
        counters.gossip_sent(100);
        counters.gossip_sent(50);
        counters.gossip_received(70);
        counters.data_sent(60_000);
        counters.data_received(1_000);
        counters.data_received(2_000);
        counters.refused(40);

        let expected = Traffic {
            gossip_bytes_sent: 150,
            gossip_bytes_received: 70,
            gossip_datagrams_sent: 2,
            gossip_datagrams_received: 1,
            data_bytes_sent: 60_000,
            data_bytes_received: 3_000,
            data_datagrams_sent: 1,
            data_datagrams_received: 2,
            refused_datagrams: 1,
            refused_bytes: 40,
        };
        assert_eq!(counters.snapshot(), expected);
    }

    #[test]
    fn snapshot_serializes_with_stable_field_names() {
        let counters = TrafficCounters::default();
        counters.data_sent(7);
        let json = serde_json::to_value(counters.snapshot()).unwrap();
        assert_eq!(json["data_bytes_sent"], 7);
        assert_eq!(json["data_datagrams_sent"], 1);
        assert_eq!(json["gossip_bytes_received"], 0);
        assert_eq!(json["refused_datagrams"], 0);
        assert_eq!(json.as_object().unwrap().len(), 10);
    }
}
