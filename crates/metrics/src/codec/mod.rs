//! Compact binary form of slices and timelines, for sending between nodes.
//!
//! Layout, all integers big-endian:
//! - slice: magic `ONSL`, version byte, then a slice body;
//! - timeline: magic `ONTL`, version byte, `u32` number of seconds, then per
//!   second a `u32` second and a slice body, in ascending order;
//! - slice body: `u64` late, `u64` retries, `u16` number of outcomes, then per
//!   outcome a tag byte (0 status, 1 error), a `u16` status code or error
//!   index, and the histogram in HdrHistogram V2 + DEFLATE form.
//!
//! Decoding never panics and never trusts a length it has not checked.

mod histogram;
mod reader;

use reader::Reader;

use crate::{ErrorKind, Outcome, OutcomeHistograms, Slice, Timeline};

const SLICE_MAGIC: [u8; 4] = *b"ONSL";
const TIMELINE_MAGIC: [u8; 4] = *b"ONTL";
const VERSION: u8 = 1;

const TAG_STATUS: u8 = 0;
const TAG_ERROR: u8 = 1;

/// Why a slice or timeline could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("too many {what} to encode: {count}")]
    TooMany { what: &'static str, count: usize },
    #[error("histogram cannot be encoded: {0}")]
    Histogram(String),
}

/// Why bytes could not be decoded into a slice or timeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not an encoded {expected}: wrong magic bytes")]
    Magic { expected: &'static str },
    #[error("unsupported encoding version {found}, expected {VERSION}")]
    Version { found: u8 },
    #[error("input ends inside the {what}: needs {needed} bytes, {left} left")]
    Truncated {
        what: &'static str,
        needed: usize,
        left: usize,
    },
    #[error("{0} unexpected bytes after the end")]
    TrailingBytes(usize),
    #[error("unknown outcome: tag {tag}, value {value}")]
    Outcome { tag: u8, value: u16 },
    #[error("outcome {0} appears twice in one slice")]
    DuplicateOutcome(Outcome),
    #[error("second {0} appears twice or out of order")]
    SecondOrder(u32),
    #[error("not a histogram: cookie {0:#010x}")]
    HistogramCookie(u32),
    #[error("histogram inflates beyond the largest one we write")]
    HistogramTooLarge,
    #[error("histogram has bounds {low}..{high} with {digits} digits, not our latency shape")]
    HistogramShape { low: u64, high: u64, digits: u32 },
    #[error("corrupt histogram: {0}")]
    HistogramCorrupt(String),
}

/// Encodes one slice; `decode_slice` gives back an equal one.
pub fn encode_slice(slice: &Slice) -> Result<Vec<u8>, EncodeError> {
    let mut out = header(SLICE_MAGIC);
    write_slice(slice, &mut out)?;
    Ok(out)
}

/// Decodes what `encode_slice` wrote; any other input is an error, never a panic.
pub fn decode_slice(bytes: &[u8]) -> Result<Slice, DecodeError> {
    let mut reader = Reader::new(bytes);
    read_header(&mut reader, SLICE_MAGIC, "slice")?;
    let slice = read_slice(&mut reader)?;
    reader.finish()?;
    Ok(slice)
}

/// Encodes a whole timeline; `decode_timeline` gives back an equal one.
pub fn encode_timeline(timeline: &Timeline) -> Result<Vec<u8>, EncodeError> {
    let mut out = header(TIMELINE_MAGIC);
    let count = u32::try_from(timeline.len()).map_err(|_| EncodeError::TooMany {
        what: "seconds",
        count: timeline.len(),
    })?;
    out.extend_from_slice(&count.to_be_bytes());
    for (second, slice) in timeline.iter() {
        out.extend_from_slice(&second.to_be_bytes());
        write_slice(&slice, &mut out)?;
    }
    Ok(out)
}

/// Decodes what `encode_timeline` wrote; any other input is an error, never a panic.
pub fn decode_timeline(bytes: &[u8]) -> Result<Timeline, DecodeError> {
    let mut reader = Reader::new(bytes);
    read_header(&mut reader, TIMELINE_MAGIC, "timeline")?;
    let count = reader.u32("second count")?;

    // Not `with_capacity(count)`: the count is untrusted until the bytes back it.
    let mut slices = Vec::new();
    for _ in 0..count {
        let second = reader.u32("second")?;
        if slices
            .last()
            .is_some_and(|(previous, _)| *previous >= second)
        {
            return Err(DecodeError::SecondOrder(second));
        }
        slices.push((second, read_slice(&mut reader)?));
    }
    reader.finish()?;
    Ok(slices.into_iter().collect())
}

fn header(magic: [u8; 4]) -> Vec<u8> {
    let mut out = magic.to_vec();
    out.push(VERSION);
    out
}

fn read_header(
    reader: &mut Reader<'_>,
    magic: [u8; 4],
    expected: &'static str,
) -> Result<(), DecodeError> {
    if reader.array::<4>("magic")? != magic {
        return Err(DecodeError::Magic { expected });
    }
    match reader.u8("version")? {
        VERSION => Ok(()),
        found => Err(DecodeError::Version { found }),
    }
}

fn write_slice(slice: &Slice, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    out.extend_from_slice(&slice.late.to_be_bytes());
    out.extend_from_slice(&slice.retries.to_be_bytes());
    let count = slice.outcomes.iter().count();
    let count = u16::try_from(count).map_err(|_| EncodeError::TooMany {
        what: "outcomes",
        count,
    })?;
    out.extend_from_slice(&count.to_be_bytes());
    for (outcome, latencies) in slice.outcomes.iter() {
        let (tag, value) = outcome_code(outcome);
        out.push(tag);
        out.extend_from_slice(&value.to_be_bytes());
        histogram::encode(latencies, out)?;
    }
    Ok(())
}

fn read_slice(reader: &mut Reader<'_>) -> Result<Slice, DecodeError> {
    let late = reader.u64("late count")?;
    let retries = reader.u64("retry count")?;
    let count = reader.u16("outcome count")?;

    let mut outcomes = OutcomeHistograms::new();
    for _ in 0..count {
        let outcome = outcome_from_code(reader.u8("outcome tag")?, reader.u16("outcome")?)?;
        let latencies = histogram::decode(reader)?;
        if outcomes.get(outcome).is_some() {
            return Err(DecodeError::DuplicateOutcome(outcome));
        }
        outcomes.merge_histogram(outcome, &latencies);
    }
    Ok(Slice {
        outcomes,
        late,
        retries,
    })
}

fn outcome_code(outcome: Outcome) -> (u8, u16) {
    match outcome {
        Outcome::Status(code) => (TAG_STATUS, code),
        Outcome::Error(kind) => {
            let index = ErrorKind::ALL.iter().position(|known| *known == kind);
            // ALL lists every variant, so the position always exists.
            (TAG_ERROR, index.unwrap_or_default() as u16)
        }
    }
}

fn outcome_from_code(tag: u8, value: u16) -> Result<Outcome, DecodeError> {
    let outcome = match tag {
        TAG_STATUS if (100..=999).contains(&value) => Some(Outcome::Status(value)),
        TAG_ERROR => ErrorKind::ALL
            .get(usize::from(value))
            .copied()
            .map(Outcome::Error),
        _ => None,
    };
    outcome.ok_or(DecodeError::Outcome { tag, value })
}
