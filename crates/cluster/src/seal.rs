//! Cookie authentication of every datagram: an HMAC-SHA256 tag keyed by the cookie.
//!
//! Layout: `version (1) | kind (1) | body | tag (32)`, the tag covering everything
//! before it. A datagram whose tag does not verify is dropped before any of it is
//! parsed, so a node without the cookie can neither join nor feed us data.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const VERSION: u8 = 1;
const HEADER_LEN: usize = 2;
const TAG_LEN: usize = 32;

/// Bytes a sealed datagram adds to its body.
pub(crate) const OVERHEAD: usize = HEADER_LEN + TAG_LEN;

/// What a sealed datagram carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A foca protocol message.
    Gossip = 1,
    /// An application payload from `send_to_all`.
    Data = 2,
}

/// Why a received datagram was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OpenError {
    #[error("datagram of {0} bytes is too short to carry a tag")]
    TooShort(usize),
    #[error("tag does not verify (wrong cookie or altered datagram)")]
    BadTag,
    #[error("unsupported datagram version {0}")]
    Version(u8),
    #[error("unknown datagram kind {0}")]
    UnknownKind(u8),
}

/// Seals outgoing and opens incoming datagrams with the cluster cookie.
#[derive(Clone)]
pub(crate) struct Sealer {
    keyed: Hmac<Sha256>,
}

impl Sealer {
    /// A sealer keyed by the cookie.
    pub fn new(cookie: &str) -> Self {
        // HMAC hashes or pads keys of any length, so this cannot fail.
        let keyed = Hmac::<Sha256>::new_from_slice(cookie.as_bytes())
            .expect("HMAC accepts keys of any length");
        Self { keyed }
    }

    /// Writes `body` as a sealed datagram of `kind` into `out`, replacing its contents.
    pub fn seal_into(&self, kind: Kind, body: &[u8], out: &mut Vec<u8>) {
        out.clear();
        out.reserve(body.len() + OVERHEAD);
        out.push(VERSION);
        out.push(kind as u8);
        out.extend_from_slice(body);

        let mut mac = self.keyed.clone();
        mac.update(out);
        out.extend_from_slice(&mac.finalize().into_bytes());
    }

    /// Verifies a datagram and returns its kind and body.
    pub fn open<'a>(&self, datagram: &'a [u8]) -> Result<(Kind, &'a [u8]), OpenError> {
        if datagram.len() < OVERHEAD {
            return Err(OpenError::TooShort(datagram.len()));
        }
        let (signed, tag) = datagram.split_at(datagram.len() - TAG_LEN);

        // Constant-time comparison inside `verify_slice`.
        let mut mac = self.keyed.clone();
        mac.update(signed);
        mac.verify_slice(tag).map_err(|_| OpenError::BadTag)?;

        if signed[0] != VERSION {
            return Err(OpenError::Version(signed[0]));
        }
        let kind = match signed[1] {
            1 => Kind::Gossip,
            2 => Kind::Data,
            other => return Err(OpenError::UnknownKind(other)),
        };
        Ok((kind, &signed[HEADER_LEN..]))
    }
}

// The keyed state holds the cookie; keep it out of any debug output.
impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(sealer: &Sealer, kind: Kind, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        sealer.seal_into(kind, body, &mut out);
        out
    }

    #[test]
    fn sealed_datagram_opens_to_its_kind_and_body() {
        let sealer = Sealer::new("cookie");
        let datagram = sealed(&sealer, Kind::Data, b"metrics");
        assert_eq!(datagram.len(), 7 + OVERHEAD);
        assert_eq!(sealer.open(&datagram), Ok((Kind::Data, &b"metrics"[..])));

        let empty = sealed(&sealer, Kind::Gossip, b"");
        assert_eq!(sealer.open(&empty), Ok((Kind::Gossip, &b""[..])));
    }

    #[test]
    fn wrong_cookie_is_refused() {
        let datagram = sealed(&Sealer::new("cookie"), Kind::Gossip, b"hello");
        assert_eq!(Sealer::new("other").open(&datagram), Err(OpenError::BadTag));
    }

    #[test]
    fn any_flipped_bit_is_refused() {
        let sealer = Sealer::new("cookie");
        let datagram = sealed(&sealer, Kind::Gossip, b"hello world");
        for index in 0..datagram.len() {
            let mut tampered = datagram.clone();
            tampered[index] ^= 0x01;
            assert_eq!(
                sealer.open(&tampered),
                Err(OpenError::BadTag),
                "byte {index}"
            );
        }
    }

    #[test]
    fn truncated_or_extended_datagrams_are_refused() {
        let sealer = Sealer::new("cookie");
        let datagram = sealed(&sealer, Kind::Data, b"payload");
        for len in 0..datagram.len() {
            assert!(sealer.open(&datagram[..len]).is_err(), "length {len}");
        }
        let mut longer = datagram.clone();
        longer.push(0);
        assert_eq!(sealer.open(&longer), Err(OpenError::BadTag));
    }

    #[test]
    fn short_datagrams_name_their_length() {
        let sealer = Sealer::new("cookie");
        assert_eq!(sealer.open(&[]), Err(OpenError::TooShort(0)));
        assert_eq!(sealer.open(&[1; 33]), Err(OpenError::TooShort(33)));
    }

    #[test]
    fn garbage_never_panics_and_never_opens() {
        let sealer = Sealer::new("cookie");
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..2_000 {
            let len = rng.usize(0..200);
            let garbage: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            assert!(sealer.open(&garbage).is_err());
        }
    }

    #[test]
    fn unknown_kind_and_version_are_refused_even_when_signed() {
        let sealer = Sealer::new("cookie");
        let mut forged = vec![VERSION, 9, b'x'];
        let mut mac = sealer.keyed.clone();
        mac.update(&forged);
        forged.extend_from_slice(&mac.finalize().into_bytes());
        assert_eq!(sealer.open(&forged), Err(OpenError::UnknownKind(9)));

        let mut future = vec![VERSION + 1, 1];
        let mut mac = sealer.keyed.clone();
        mac.update(&future);
        future.extend_from_slice(&mac.finalize().into_bytes());
        assert_eq!(sealer.open(&future), Err(OpenError::Version(VERSION + 1)));
    }

    #[test]
    fn debug_output_hides_the_key() {
        assert_eq!(format!("{:?}", Sealer::new("cookie")), "Sealer { .. }");
    }
}
