//! A streaming decoder for `Transfer-Encoding: chunked` bodies: it counts
//! data bytes and checks the framing without keeping anything.
//!
//! It works byte by byte through sizes, extensions and trailers, so a
//! chunk may be split across reads at any point and nothing has to be
//! held back in the read buffer.

use super::error::ProtocolError;

/// Hex digits in a chunk size beyond which it cannot fit a `u64`.
const MAX_SIZE_DIGITS: u8 = 16;

/// Bytes of chunk extensions and trailers accepted per body; the same
/// bound as a response head, since trailers are a second head.
const MAX_OVERHEAD: usize = super::MAX_HEAD;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Hex digits of a chunk size.
    Size,
    /// Whitespace after the size, before `;` or CR.
    AfterSize,
    /// A chunk extension, ignored up to CR.
    Extension,
    /// LF ending a size line.
    SizeLf,
    /// Data bytes of the current chunk.
    Data,
    /// CR then LF after a chunk's data.
    DataCr,
    DataLf,
    /// Start of a trailer line, or the CR of the final empty line.
    TrailerStart,
    /// Inside a trailer field line, up to CR.
    Trailer,
    TrailerLf,
    /// LF of the final empty line.
    EndLf,
    Done,
}

/// Decoding progress through one chunked body.
#[derive(Debug)]
pub(crate) struct Chunked {
    state: State,
    /// The size being read, then the data left in the current chunk.
    size: u64,
    digits: u8,
    overhead: usize,
    data_bytes: u64,
}

impl Chunked {
    pub fn new() -> Chunked {
        Chunked {
            state: State::Size,
            size: 0,
            digits: 0,
            overhead: 0,
            data_bytes: 0,
        }
    }

    /// True once the last chunk and the trailers have been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Body data bytes seen so far, framing excluded.
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes
    }

    /// Consumes as much of `input` as belongs to the body and returns how
    /// much that was; less than all of it only once the body is done.
    pub fn decode(&mut self, input: &[u8]) -> Result<usize, ProtocolError> {
        let mut used = 0;
        while used < input.len() && self.state != State::Done {
            if self.state == State::Data {
                let take = self.size.min((input.len() - used) as u64);
                self.size -= take;
                self.data_bytes += take;
                used += take as usize;
                if self.size == 0 {
                    self.state = State::DataCr;
                }
                continue;
            }
            self.step(input[used])?;
            used += 1;
        }
        Ok(used)
    }

    fn step(&mut self, byte: u8) -> Result<(), ProtocolError> {
        self.state = match (self.state, byte) {
            (State::Size, _) if byte.is_ascii_hexdigit() => self.push_digit(byte)?,
            (State::Size | State::AfterSize, b' ' | b'\t') if self.digits > 0 => State::AfterSize,
            (State::Size | State::AfterSize, b';') if self.digits > 0 => State::Extension,
            (State::Size | State::AfterSize | State::Extension, b'\r') if self.digits > 0 => {
                State::SizeLf
            }
            (State::Size | State::AfterSize, _) => return Err(bad("invalid chunk size")),
            (State::Extension, _) => self.count_overhead(State::Extension)?,
            (State::SizeLf, b'\n') => self.end_size_line(),
            (State::DataCr, b'\r') => State::DataLf,
            (State::DataLf, b'\n') => State::Size,
            (State::DataCr | State::DataLf, _) => {
                return Err(bad("chunk data not followed by CRLF"))
            }
            (State::TrailerStart, b'\r') => State::EndLf,
            (State::Trailer, b'\r') => State::TrailerLf,
            (State::TrailerStart | State::Trailer, _) => self.count_overhead(State::Trailer)?,
            (State::TrailerLf, b'\n') => State::TrailerStart,
            (State::EndLf, b'\n') => State::Done,
            (State::SizeLf | State::TrailerLf | State::EndLf, _) => {
                return Err(bad("bare CR in chunk framing"))
            }
            (State::Data | State::Done, _) => self.state,
        };
        Ok(())
    }

    fn push_digit(&mut self, byte: u8) -> Result<State, ProtocolError> {
        if self.digits == MAX_SIZE_DIGITS {
            return Err(bad("chunk size too large"));
        }
        // `is_ascii_hexdigit` was checked by the caller, so this is 0..=15.
        let value = (byte as char).to_digit(16).unwrap_or(0);
        self.size = (self.size << 4) | u64::from(value);
        self.digits += 1;
        Ok(State::Size)
    }

    fn end_size_line(&mut self) -> State {
        self.digits = 0;
        if self.size == 0 {
            State::TrailerStart
        } else {
            State::Data
        }
    }

    fn count_overhead(&mut self, next: State) -> Result<State, ProtocolError> {
        self.overhead += 1;
        if self.overhead > MAX_OVERHEAD {
            return Err(bad("chunk extensions or trailers too large"));
        }
        Ok(next)
    }
}

fn bad(what: &'static str) -> ProtocolError {
    ProtocolError::Chunk(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"5;name=value\r\nhello\r\n1A \r\nabcdefghijklmnopqrstuvwxyz\r\n\
        0\r\nExpires: never\r\nX-Sum: 31\r\n\r\nNEXT";

    /// Feeds `input` in the given pieces, as separate reads would.
    fn decode_in(pieces: &[&[u8]]) -> Result<(Chunked, usize), ProtocolError> {
        let mut chunked = Chunked::new();
        let mut used = 0;
        for piece in pieces {
            used += chunked.decode(piece)?;
        }
        Ok((chunked, used))
    }

    #[test]
    fn counts_data_and_stops_after_the_trailers() {
        let (chunked, used) = decode_in(&[BODY]).expect("valid body");
        assert!(chunked.is_done());
        assert_eq!(chunked.data_bytes(), 31);
        assert_eq!(&BODY[used..], b"NEXT");
    }

    #[test]
    fn every_split_point_gives_the_same_result() {
        let body = &BODY[..BODY.len() - 4];
        for split in 0..=body.len() {
            let (first, second) = body.split_at(split);
            let (chunked, used) = decode_in(&[first, second]).expect("valid body");
            assert!(chunked.is_done(), "split at {split}");
            assert_eq!((chunked.data_bytes(), used), (31, body.len()));
        }
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        let (chunked, _) = decode_in(&bytes).expect("valid body");
        assert_eq!(chunked.data_bytes(), 31);
    }

    #[test]
    fn incomplete_body_is_not_done() {
        let (chunked, _) = decode_in(&[b"5\r\nhel"]).expect("valid so far");
        assert!(!chunked.is_done());
        let (chunked, _) = decode_in(&[b"0\r\n"]).expect("valid so far");
        assert!(!chunked.is_done(), "the final CRLF is still missing");
    }

    #[test]
    fn malformed_framing_is_an_error() {
        for bad in [
            &b"zz\r\n"[..],
            b"\r\n",
            b"5\r\nhelloX\r\n",
            b"5\rX",
            b"11111111111111111\r\n",
            b"0\r\n\rX",
        ] {
            assert!(
                decode_in(&[bad]).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn oversized_trailers_are_an_error() {
        let mut body = b"0\r\nX-Big: ".to_vec();
        body.resize(body.len() + MAX_OVERHEAD + 1, b'a');
        assert!(decode_in(&[&body]).is_err());
    }
}
