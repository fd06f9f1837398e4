//! Framing of application messages: who sent them, then the payload.
//!
//! Layout: `name_len (1) | name | address_len (1) | address | payload`. The sender
//! travels with each message so a receiver can attribute it without first having
//! learnt the sender through gossip.

use bytes::Bytes;

use crate::membership::{NodeInfo, NodeStatus};

/// A frame that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FrameError {
    #[error("frame ends inside its {0}")]
    Truncated(&'static str),
    #[error("frame {0} is not UTF-8")]
    NotUtf8(&'static str),
    #[error("frame field {0} is longer than 255 bytes")]
    FieldTooLong(&'static str),
}

/// One decoded application message, borrowing from the datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub payload: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Appends the frame to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), FrameError> {
        put_field(out, self.name, "name")?;
        put_field(out, self.address, "address")?;
        out.extend_from_slice(self.payload);
        Ok(())
    }

    /// Parses a frame; the payload is whatever follows the sender.
    pub fn decode(mut bytes: &'a [u8]) -> Result<Self, FrameError> {
        let name = take_field(&mut bytes, "name")?;
        let address = take_field(&mut bytes, "address")?;
        Ok(Self {
            name,
            address,
            payload: bytes,
        })
    }

    /// The sender, as subscribers receive it.
    pub fn sender(&self) -> NodeInfo {
        NodeInfo {
            name: self.name.to_owned(),
            address: self.address.to_owned(),
            status: NodeStatus::Up,
        }
    }

    /// The sender and an owned copy of the payload.
    pub fn into_message(self) -> (NodeInfo, Bytes) {
        (self.sender(), Bytes::copy_from_slice(self.payload))
    }
}

fn put_field(out: &mut Vec<u8>, field: &str, what: &'static str) -> Result<(), FrameError> {
    let len = u8::try_from(field.len()).map_err(|_| FrameError::FieldTooLong(what))?;
    out.push(len);
    out.extend_from_slice(field.as_bytes());
    Ok(())
}

fn take_field<'a>(bytes: &mut &'a [u8], what: &'static str) -> Result<&'a str, FrameError> {
    let (&len, rest) = bytes.split_first().ok_or(FrameError::Truncated(what))?;
    let len = usize::from(len);
    if rest.len() < len {
        return Err(FrameError::Truncated(what));
    }
    let (field, rest) = rest.split_at(len);
    *bytes = rest;
    std::str::from_utf8(field).map_err(|_| FrameError::NotUtf8(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame<'static> {
        Frame {
            name: "127.0.0.2-4f3a",
            address: "127.0.0.2:4000",
            payload: b"start spawn",
        }
    }

    #[test]
    fn frame_round_trips() {
        let mut out = Vec::new();
        frame().encode_into(&mut out).unwrap();
        assert_eq!(Frame::decode(&out), Ok(frame()));
    }

    #[test]
    fn every_truncation_is_an_error_or_a_shorter_payload() {
        let mut out = Vec::new();
        frame().encode_into(&mut out).unwrap();
        let payload_start = out.len() - frame().payload.len();
        for len in 0..payload_start {
            assert!(Frame::decode(&out[..len]).is_err(), "length {len}");
        }
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let bytes = [2, 0xff, 0xfe, 0];
        assert_eq!(Frame::decode(&bytes), Err(FrameError::NotUtf8("name")));
    }

    #[test]
    fn overlong_field_cannot_be_encoded() {
        let name = "n".repeat(256);
        let frame = Frame {
            name: &name,
            ..frame()
        };
        assert_eq!(
            frame.encode_into(&mut Vec::new()),
            Err(FrameError::FieldTooLong("name"))
        );
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..2_000 {
            let garbage: Vec<u8> = (0..rng.usize(0..64)).map(|_| rng.u8(..)).collect();
            let _ = Frame::decode(&garbage);
        }
    }
}
