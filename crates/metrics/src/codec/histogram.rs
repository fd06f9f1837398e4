//! One latency histogram in the HdrHistogram "V2 + DEFLATE" format.
//!
//! Encoding is the hdrhistogram crate's own. Decoding inflates and checks the
//! header here first, because the crate trusts the lengths it reads: a few
//! garbage bytes could ask it for gigabytes, or hit an arithmetic overflow.

use std::io::Read;

use flate2::read::ZlibDecoder;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

use super::reader::Reader;
use super::{DecodeError, EncodeError};
use crate::{HIGHEST_US, LOWEST_US, SIGNIFICANT_DIGITS};

/// The cookies the HdrHistogram format opens with (V2 plain, V2 deflated).
const V2_COOKIE: u32 = 0x1c84_9313;
const V2_DEFLATE_COOKIE: u32 = 0x1c84_9314;

/// Cookie, payload length, offset, digits, low, high, ratio.
const V2_HEADER_LEN: usize = 40;

/// More samples than any run could record in one histogram; refusing them
/// keeps later sums of counts far from overflowing.
const MAX_DECODED_COUNT: u64 = 1 << 48;

/// Our histograms hold 23,552 counters of at most 9 bytes each, so their
/// inflated form stays under 213 KB; anything larger is not ours.
pub(super) const MAX_INFLATED_LEN: usize = 256 * 1024;

/// Appends `histogram` to `out`.
pub(super) fn encode(histogram: &Histogram<u64>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    V2DeflateSerializer::new()
        .serialize(histogram, out)
        .map(|_| ())
        .map_err(|error| EncodeError::Histogram(error.to_string()))
}

/// Reads one histogram and checks that it has our shape.
pub(super) fn decode(reader: &mut Reader<'_>) -> Result<Histogram<u64>, DecodeError> {
    let cookie = reader.u32("histogram cookie")?;
    if cookie != V2_DEFLATE_COOKIE {
        return Err(DecodeError::HistogramCookie(cookie));
    }
    let deflated_len = reader.u32("histogram length")?;
    let deflated = reader.take(deflated_len as usize, "compressed histogram")?;

    let inflated = inflate(deflated)?;
    check_header(&inflated)?;
    check_counts(&inflated[V2_HEADER_LEN..])?;
    Deserializer::new()
        .deserialize(&mut inflated.as_slice())
        .map_err(|error| DecodeError::HistogramCorrupt(error.to_string()))
}

fn inflate(deflated: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut inflated = Vec::new();
    // One byte past the limit tells "too large" apart from "exactly at it".
    ZlibDecoder::new(deflated)
        .take(MAX_INFLATED_LEN as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|error| DecodeError::HistogramCorrupt(error.to_string()))?;
    if inflated.len() > MAX_INFLATED_LEN {
        return Err(DecodeError::HistogramTooLarge);
    }
    Ok(inflated)
}

fn check_header(inflated: &[u8]) -> Result<(), DecodeError> {
    let mut header = Reader::new(inflated);
    let cookie = header.u32("histogram header")?;
    if cookie != V2_COOKIE {
        return Err(DecodeError::HistogramCookie(cookie));
    }
    let payload_len = header.u32("histogram header")? as usize;
    let _normalizing_offset = header.u32("histogram header")?;
    let digits = header.u32("histogram header")?;
    let low = header.u64("histogram header")?;
    let high = header.u64("histogram header")?;
    if (low, high, digits) != (LOWEST_US, HIGHEST_US, u32::from(SIGNIFICANT_DIGITS)) {
        return Err(DecodeError::HistogramShape { low, high, digits });
    }
    if payload_len != inflated.len().saturating_sub(V2_HEADER_LEN) {
        return Err(DecodeError::HistogramCorrupt(format!(
            "header announces {payload_len} bytes of counts, {} follow",
            inflated.len().saturating_sub(V2_HEADER_LEN)
        )));
    }
    Ok(())
}

/// Walks the zig-zag encoded counts: an even number is a count, an odd one a
/// run of empty counters. Rejects the run the deserializer cannot negate
/// (`i64::MIN`, encoded as `u64::MAX`) and absurd totals, which would
/// overflow the percentile arithmetic later.
fn check_counts(payload: &[u8]) -> Result<(), DecodeError> {
    let mut index = 0;
    let mut total: u64 = 0;
    while index < payload.len() {
        let (value, len) = read_varint(&payload[index..]);
        if value == u64::MAX {
            return Err(DecodeError::HistogramCorrupt(
                "impossible run of empty counters".to_owned(),
            ));
        }
        if value % 2 == 0 {
            total = total.saturating_add(value / 2);
        }
        if total > MAX_DECODED_COUNT {
            return Err(DecodeError::HistogramCorrupt(format!(
                "more than {MAX_DECODED_COUNT} samples"
            )));
        }
        index += len;
    }
    Ok(())
}

/// Reads one LEB128 number in the 9-byte form HdrHistogram uses: eight bytes
/// of 7 bits each, then a last byte used whole. A cut-off number reads as
/// what is there; the deserializer reports the truncation itself.
fn read_varint(bytes: &[u8]) -> (u64, usize) {
    let mut value = 0u64;
    for (index, &byte) in bytes.iter().take(9).enumerate() {
        if index == 8 {
            return (value | u64::from(byte) << 56, 9);
        }
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return (value, index + 1);
        }
    }
    (value, bytes.len().min(9))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_histogram;

    fn deflate(bytes: &[u8]) -> Vec<u8> {
        use flate2::write::ZlibEncoder;
        use std::io::Write;
        let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        let deflated = encoder.finish().unwrap();

        let mut framed = V2_DEFLATE_COOKIE.to_be_bytes().to_vec();
        framed.extend_from_slice(&(deflated.len() as u32).to_be_bytes());
        framed.extend_from_slice(&deflated);
        framed
    }

    fn header(payload_len: u32, digits: u32, high: u64) -> Vec<u8> {
        let mut header = V2_COOKIE.to_be_bytes().to_vec();
        header.extend_from_slice(&payload_len.to_be_bytes());
        header.extend_from_slice(&0u32.to_be_bytes());
        header.extend_from_slice(&digits.to_be_bytes());
        header.extend_from_slice(&1u64.to_be_bytes());
        header.extend_from_slice(&high.to_be_bytes());
        header.extend_from_slice(&1.0f64.to_be_bytes());
        header
    }

    fn decode_bytes(bytes: &[u8]) -> Result<Histogram<u64>, DecodeError> {
        decode(&mut Reader::new(bytes))
    }

    #[test]
    fn largest_possible_histogram_fits_the_inflate_limit() {
        let counters = new_histogram().distinct_values();
        assert!(V2_HEADER_LEN + 9 * counters <= MAX_INFLATED_LEN);
    }

    #[test]
    fn round_trips_exactly() {
        let mut histogram = new_histogram();
        for value in [0, 1, 999, 2_048, 123_456, 7_000_000, HIGHEST_US] {
            histogram.record_n(value, value % 7 + 1).unwrap();
        }
        let mut bytes = Vec::new();
        encode(&histogram, &mut bytes).unwrap();

        let decoded = decode_bytes(&bytes).unwrap();
        assert_eq!(decoded, histogram);
        assert_eq!(
            (decoded.min(), decoded.max()),
            (histogram.min(), histogram.max())
        );
    }

    #[test]
    fn rejects_histograms_of_another_shape() {
        let mut other = Histogram::<u64>::new_with_bounds(1, 1_000, 2).unwrap();
        other.record(5).unwrap();
        let mut bytes = Vec::new();
        V2DeflateSerializer::new()
            .serialize(&other, &mut bytes)
            .unwrap();

        let error = decode_bytes(&bytes).unwrap_err();
        assert!(
            matches!(error, DecodeError::HistogramShape { high: 1_000, .. }),
            "{error}"
        );
    }

    #[test]
    fn rejects_a_header_that_claims_a_huge_payload() {
        let inflated = header(u32::MAX, 3, HIGHEST_US);
        let error = decode_bytes(&deflate(&inflated)).unwrap_err();
        assert!(matches!(error, DecodeError::HistogramCorrupt(_)), "{error}");
    }

    #[test]
    fn rejects_a_zero_run_that_would_overflow() {
        let mut inflated = header(9, 3, HIGHEST_US);
        inflated.extend_from_slice(&[0xff; 9]);
        let error = decode_bytes(&deflate(&inflated)).unwrap_err();
        assert!(error.to_string().contains("impossible run"), "{error}");
    }

    #[test]
    fn rejects_counts_that_would_overflow_percentiles() {
        // Three counters of 2^62 each: zig-zag doubles them to 2^63, which
        // takes nine varint bytes (eight of 7 bits, then 0x80).
        let huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80];
        let mut inflated = header(27, 3, HIGHEST_US);
        for _ in 0..3 {
            inflated.extend_from_slice(&huge);
        }
        assert_eq!(read_varint(&huge), (1 << 63, 9));
        let error = decode_bytes(&deflate(&inflated)).unwrap_err();
        assert!(error.to_string().contains("more than"), "{error}");
    }

    #[test]
    fn rejects_a_decompression_bomb() {
        let mut inflated = header(0, 3, HIGHEST_US);
        inflated.resize(4 * MAX_INFLATED_LEN, 0);
        let error = decode_bytes(&deflate(&inflated)).unwrap_err();
        assert!(matches!(error, DecodeError::HistogramTooLarge), "{error}");
    }

    #[test]
    fn reads_nine_byte_varints_whole() {
        assert_eq!(read_varint(&[0x05]), (5, 1));
        assert_eq!(read_varint(&[0x80, 0x01]), (128, 2));
        assert_eq!(read_varint(&[0xff; 9]), (u64::MAX, 9));
        assert_eq!(read_varint(&[0x80, 0x80]), (0, 2));
    }
}
