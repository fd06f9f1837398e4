//! Request bodies are read and thrown away; this tracks where one ends.

/// A request body that could not be framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BodyError {
    #[error("invalid chunk size line")]
    ChunkSize,
    #[error("chunk data not followed by CRLF")]
    ChunkEnd,
}

/// How far one call to [`BodySkipper::feed`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress {
    pub(crate) used: usize,
    pub(crate) done: bool,
}

/// Skips the bytes of one request body, whatever its framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodySkipper {
    /// `Content-Length` (or no body: length 0); the count is what is left.
    Length(u64),
    Chunked(Chunked),
}

impl BodySkipper {
    pub(crate) fn chunked() -> BodySkipper {
        BodySkipper::Chunked(Chunked::Size {
            value: 0,
            digits: 0,
        })
    }

    /// Consumes what it can of `input`; `done` once the body has ended.
    pub(crate) fn feed(&mut self, input: &[u8]) -> Result<Progress, BodyError> {
        match self {
            BodySkipper::Length(left) => {
                let used = usize::try_from(*left)
                    .unwrap_or(usize::MAX)
                    .min(input.len());
                *left -= used as u64;
                Ok(Progress {
                    used,
                    done: *left == 0,
                })
            }
            BodySkipper::Chunked(state) => state.feed(input),
        }
    }
}

/// Where a chunked decoder stands (RFC 9112 section 7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chunked {
    Size { value: u64, digits: u8 },
    Extension { value: u64 },
    SizeLf { value: u64 },
    Data { left: u64 },
    DataCr,
    DataLf,
    TrailerStart,
    TrailerLine,
    TrailerLf,
    Done,
}

/// More hex digits than this cannot fit in a u64.
const MAX_SIZE_DIGITS: u8 = 16;

impl Chunked {
    fn feed(&mut self, input: &[u8]) -> Result<Progress, BodyError> {
        let mut used = 0;
        while used < input.len() && *self != Chunked::Done {
            if let Chunked::Data { left } = *self {
                // Bulk skip: data is the only state that spans many bytes.
                let take = usize::try_from(left)
                    .unwrap_or(usize::MAX)
                    .min(input.len() - used);
                used += take;
                let left = left - take as u64;
                *self = if left == 0 {
                    Chunked::DataCr
                } else {
                    Chunked::Data { left }
                };
                continue;
            }
            *self = self.step(input[used])?;
            used += 1;
        }
        Ok(Progress {
            used,
            done: *self == Chunked::Done,
        })
    }

    fn step(self, byte: u8) -> Result<Chunked, BodyError> {
        let next = match (self, byte) {
            (Chunked::Size { value, digits }, _) if byte.is_ascii_hexdigit() => {
                if digits == MAX_SIZE_DIGITS {
                    return Err(BodyError::ChunkSize);
                }
                let digit = u64::from((byte as char).to_digit(16).unwrap_or(0));
                Chunked::Size {
                    value: value << 4 | digit,
                    digits: digits + 1,
                }
            }
            (Chunked::Size { value, digits }, b';' | b' ' | b'\t') if digits > 0 => {
                Chunked::Extension { value }
            }
            (Chunked::Size { value, digits }, b'\r') if digits > 0 => Chunked::SizeLf { value },
            (Chunked::Size { value, digits }, b'\n') if digits > 0 => after_size(value),
            (Chunked::Extension { value }, b'\r') => Chunked::SizeLf { value },
            (Chunked::Extension { value }, b'\n') => after_size(value),
            (Chunked::Extension { value }, _) => Chunked::Extension { value },
            (Chunked::SizeLf { value }, b'\n') => after_size(value),
            (Chunked::DataCr, b'\r') => Chunked::DataLf,
            (Chunked::DataCr | Chunked::DataLf, b'\n') => Chunked::Size {
                value: 0,
                digits: 0,
            },
            (Chunked::DataCr | Chunked::DataLf, _) => return Err(BodyError::ChunkEnd),
            (Chunked::TrailerStart, b'\r') => Chunked::TrailerLf,
            (Chunked::TrailerStart, b'\n') | (Chunked::TrailerLf, b'\n') => Chunked::Done,
            (Chunked::TrailerLine, b'\n') => Chunked::TrailerStart,
            (Chunked::TrailerStart | Chunked::TrailerLine, _) => Chunked::TrailerLine,
            _ => return Err(BodyError::ChunkSize),
        };
        Ok(next)
    }
}

fn after_size(value: u64) -> Chunked {
    if value == 0 {
        Chunked::TrailerStart
    } else {
        Chunked::Data { left: value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] =
        b"4\r\nWiki\r\n5;name=x\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: t\r\n\r\n";

    /// Feeds `input` in pieces of `step` bytes and returns how many were used in all.
    fn skip_in_steps(input: &[u8], step: usize) -> Result<(usize, bool), BodyError> {
        let mut skipper = BodySkipper::chunked();
        let mut used = 0;
        for piece in input.chunks(step) {
            let progress = skipper.feed(piece)?;
            used += progress.used;
            if progress.done {
                return Ok((used, true));
            }
            assert_eq!(
                progress.used,
                piece.len(),
                "stopped early without finishing"
            );
        }
        Ok((used, false))
    }

    #[test]
    fn chunked_body_ends_exactly_at_the_last_crlf_for_any_split() {
        let mut input = BODY.to_vec();
        input.extend_from_slice(b"GET / HTTP/1.1\r\n");
        for step in 1..=input.len() {
            assert_eq!(
                skip_in_steps(&input, step),
                Ok((BODY.len(), true)),
                "step {step}"
            );
        }
    }

    #[test]
    fn chunked_body_without_trailers_ends() {
        assert_eq!(skip_in_steps(b"3\r\nabc\r\n0\r\n\r\n", 64), Ok((13, true)));
    }

    #[test]
    fn bad_chunks_are_errors() {
        assert_eq!(skip_in_steps(b"zz\r\n", 64), Err(BodyError::ChunkSize));
        assert_eq!(skip_in_steps(b"\r\n", 64), Err(BodyError::ChunkSize));
        assert_eq!(skip_in_steps(b"1\r\nab\r\n", 64), Err(BodyError::ChunkEnd));
        assert_eq!(
            skip_in_steps(b"11111111111111111\r\n", 64),
            Err(BodyError::ChunkSize)
        );
    }

    #[test]
    fn content_length_stops_at_its_end() {
        let mut skipper = BodySkipper::Length(5);
        assert_eq!(
            skipper.feed(b"abc").unwrap(),
            Progress {
                used: 3,
                done: false
            }
        );
        assert_eq!(
            skipper.feed(b"defgh").unwrap(),
            Progress {
                used: 2,
                done: true
            }
        );
    }
}
