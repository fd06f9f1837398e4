//! What nodes tell each other about spawns, and how it is put on the wire.
//!
//! A message is a version byte, a big-endian `u32` length, a JSON header of
//! that length, then binary data for the messages that carry metrics (a
//! slice or a timeline in `onslaught_metrics`' compact encoding). JSON keeps
//! the header readable and tolerant of added fields; the histograms, which
//! are most of the bytes, stay binary.

use bytes::{BufMut, Bytes, BytesMut};
use onslaught_engine::SpawnerStatus;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::node::SpawnAnnouncement;

/// Bumped when a change would make older nodes misread a message; a node
/// drops messages of any other version.
pub const VERSION: u8 = 1;

const PREFIX_LEN: usize = 1 + 4;

/// One message between nodes; `Slice` and `Timeline` carry binary data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// A spawn to run (on creation and every re-announcement), or one that
    /// was stopped and must not run.
    Spawn {
        spawn: SpawnAnnouncement,
        stopped: bool,
    },
    Stop {
        spawn_id: Uuid,
    },
    /// One harvested second of a spawner; data: the encoded slice.
    Slice {
        spawn_id: Uuid,
        status: SpawnerStatus,
        second: u32,
    },
    Status {
        spawn_id: Uuid,
        status: SpawnerStatus,
    },
    /// Part `chunk` of `chunks` of an ended spawner's whole series, sent
    /// twice (`copy` 0 and 1); data: an encoded timeline.
    Timeline {
        spawn_id: Uuid,
        status: SpawnerStatus,
        copy: u8,
        chunk: u16,
        chunks: u16,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("message too short for its header")]
    Truncated,
    #[error("message version {0}, this node speaks {VERSION}")]
    Version(u8),
    #[error("message header is not valid JSON: {0}")]
    Header(#[from] serde_json::Error),
}

/// Encodes a message and its binary data (empty when it has none).
pub fn encode(message: &Message, data: &[u8]) -> Result<Bytes, WireError> {
    let header = serde_json::to_vec(message)?;
    let mut out = BytesMut::with_capacity(PREFIX_LEN + header.len() + data.len());
    out.put_u8(VERSION);
    // Headers are a few hundred bytes; a datagram could not carry 4 GB.
    out.put_u32(header.len() as u32);
    out.put_slice(&header);
    out.put_slice(data);
    Ok(out.freeze())
}

/// Splits a received message into its header and binary data.
pub fn decode(bytes: &[u8]) -> Result<(Message, &[u8]), WireError> {
    let (&version, rest) = bytes.split_first().ok_or(WireError::Truncated)?;
    if version != VERSION {
        return Err(WireError::Version(version));
    }
    let (len, rest) = rest.split_first_chunk::<4>().ok_or(WireError::Truncated)?;
    let len = u32::from_be_bytes(*len) as usize;
    if rest.len() < len {
        return Err(WireError::Truncated);
    }
    let (header, data) = rest.split_at(len);
    Ok((serde_json::from_slice(header)?, data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use onslaught_engine::SpawnerState;

    fn status() -> SpawnerStatus {
        SpawnerStatus {
            node: "127.0.0.2-ab12".into(),
            id: "s1".into(),
            state: SpawnerState::Running,
            sessions_active: 3,
            sessions_target: 4,
            pools: vec![],
        }
    }

    #[test]
    fn a_message_and_its_data_round_trip() {
        let message = Message::Slice {
            spawn_id: Uuid::new_v4(),
            status: status(),
            second: 7,
        };
        let bytes = encode(&message, b"\x00binary\xff").unwrap();
        let (back, data) = decode(&bytes).unwrap();
        assert_eq!(back, message);
        assert_eq!(data, b"\x00binary\xff");
    }

    #[test]
    fn garbage_and_other_versions_are_errors() {
        let bytes = encode(
            &Message::Stop {
                spawn_id: Uuid::nil(),
            },
            &[],
        )
        .unwrap();
        let mut other = bytes.to_vec();
        other[0] = VERSION + 1;
        assert!(matches!(decode(&other), Err(WireError::Version(_))));
        assert!(matches!(decode(&bytes[..3]), Err(WireError::Truncated)));
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1]),
            Err(WireError::Truncated)
        ));
        assert!(decode(b"").is_err());
        assert!(matches!(
            decode(b"\x01\x00\x00\x00\x02{x"),
            Err(WireError::Header(_))
        ));
    }
}
