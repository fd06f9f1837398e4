//! Small application messages spread by foca's gossip (custom broadcasts).
//!
//! An item is `seq (8, big-endian) | frame`. Foca hands every item it receives to
//! [`AppBroadcasts::receive_item`]; an item seen before is dropped, a new one is
//! delivered to subscribers and kept for re-dissemination, which is what lets a
//! message reach members the sender never talked to directly.

use std::collections::{HashSet, VecDeque};

use bytes::Bytes;
use foca::{BroadcastHandler, Invalidates};
use tokio::sync::broadcast;

use crate::frame::{Frame, FrameError};
use crate::identity::NodeId;
use crate::membership::NodeInfo;

/// How many item keys are remembered to drop duplicates. Items stop circulating a few
/// seconds after they are sent, far sooner than this many new ones arrive.
const SEEN_CAPACITY: usize = 4096;

const SEQ_LEN: usize = 8;

/// Identifies one broadcast: its sender's name (unique per run) and sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ItemKey {
    origin: String,
    seq: u64,
}

impl Invalidates for ItemKey {
    // Broadcasts are independent messages, never newer versions of one another.
    fn invalidates(&self, other: &Self) -> bool {
        self == other
    }
}

/// Decodes, deduplicates and delivers custom broadcasts.
pub(crate) struct AppBroadcasts {
    seen: HashSet<ItemKey>,
    seen_order: VecDeque<ItemKey>,
    deliver_tx: broadcast::Sender<(NodeInfo, Bytes)>,
}

impl AppBroadcasts {
    pub fn new(deliver_tx: broadcast::Sender<(NodeInfo, Bytes)>) -> Self {
        Self {
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
            deliver_tx,
        }
    }

    /// Builds an item for `payload` sent by `frame`'s sender.
    pub fn encode_item(seq: u64, frame: &Frame<'_>) -> Result<Vec<u8>, FrameError> {
        let mut item = Vec::with_capacity(SEQ_LEN + 64 + frame.payload.len());
        item.extend_from_slice(&seq.to_be_bytes());
        frame.encode_into(&mut item)?;
        Ok(item)
    }

    /// Records a key; false if it was already known.
    fn remember(&mut self, key: &ItemKey) -> bool {
        if self.seen.contains(key) {
            return false;
        }
        if self.seen_order.len() == SEEN_CAPACITY {
            if let Some(oldest) = self.seen_order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        self.seen.insert(key.clone());
        self.seen_order.push_back(key.clone());
        true
    }
}

impl BroadcastHandler<NodeId> for AppBroadcasts {
    type Key = ItemKey;
    type Error = FrameError;

    fn receive_item(
        &mut self,
        data: &[u8],
        sender: Option<&NodeId>,
    ) -> Result<Option<ItemKey>, FrameError> {
        let (seq, rest) = data
            .split_first_chunk::<SEQ_LEN>()
            .ok_or(FrameError::Truncated("sequence number"))?;
        let frame = Frame::decode(rest)?;
        let key = ItemKey {
            origin: frame.name.to_owned(),
            seq: u64::from_be_bytes(*seq),
        };
        if !self.remember(&key) {
            return Ok(None);
        }

        // No sender means the item is our own, added locally: not for our subscribers.
        // Sending fails only when nobody subscribes, which is not an error here.
        if sender.is_some() {
            let _ = self.deliver_tx.send(frame.into_message());
        }
        Ok(Some(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::membership::NodeStatus;

    fn frame(payload: &[u8]) -> Frame<'_> {
        Frame {
            name: "127.0.0.2-aaaa",
            address: "127.0.0.2:4000",
            payload,
        }
    }

    fn sender() -> NodeId {
        NodeId::seed("127.0.0.2:7946".parse().unwrap())
    }

    #[test]
    fn new_item_is_delivered_once_and_kept_for_gossip() {
        let (tx, mut rx) = broadcast::channel(8);
        let mut handler = AppBroadcasts::new(tx);
        let item = AppBroadcasts::encode_item(1, &frame(b"stop")).unwrap();

        assert!(handler
            .receive_item(&item, Some(&sender()))
            .unwrap()
            .is_some());
        assert!(handler
            .receive_item(&item, Some(&sender()))
            .unwrap()
            .is_none());

        let (from, payload) = rx.try_recv().unwrap();
        assert_eq!(from.name, "127.0.0.2-aaaa");
        assert_eq!(from.status, NodeStatus::Up);
        assert_eq!(&payload[..], b"stop");
        assert!(rx.try_recv().is_err(), "duplicate delivered");
    }

    #[test]
    fn own_items_are_not_delivered_locally() {
        let (tx, mut rx) = broadcast::channel(8);
        let mut handler = AppBroadcasts::new(tx);
        let item = AppBroadcasts::encode_item(1, &frame(b"start")).unwrap();
        assert!(handler.receive_item(&item, None).unwrap().is_some());
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn distinct_sequence_numbers_are_distinct_messages() {
        let (tx, mut rx) = broadcast::channel(8);
        let mut handler = AppBroadcasts::new(tx);
        for seq in [1, 2] {
            let item = AppBroadcasts::encode_item(seq, &frame(b"x")).unwrap();
            assert!(handler
                .receive_item(&item, Some(&sender()))
                .unwrap()
                .is_some());
        }
        assert!(rx.try_recv().is_ok() && rx.try_recv().is_ok());
    }

    #[test]
    fn memory_of_seen_items_is_bounded() {
        let (tx, _rx) = broadcast::channel(1);
        let mut handler = AppBroadcasts::new(tx);
        for seq in 0..(SEEN_CAPACITY as u64 + 10) {
            let item = AppBroadcasts::encode_item(seq, &frame(b"x")).unwrap();
            handler.receive_item(&item, Some(&sender())).unwrap();
        }
        assert_eq!(handler.seen.len(), SEEN_CAPACITY);
        assert_eq!(handler.seen_order.len(), SEEN_CAPACITY);
    }

    #[test]
    fn malformed_items_are_errors() {
        let (tx, _rx) = broadcast::channel(1);
        let mut handler = AppBroadcasts::new(tx);
        assert!(handler.receive_item(&[1, 2, 3], Some(&sender())).is_err());
        assert!(handler.receive_item(&[0; 10], Some(&sender())).is_ok());
        assert!(handler
            .receive_item(&[0, 0, 0, 0, 0, 0, 0, 0, 5], None)
            .is_err());
    }
}
