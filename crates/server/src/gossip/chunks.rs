//! An ended spawner's whole series, cut into pieces that each fit one
//! datagram.

use onslaught_cluster::MAX_DATA_LEN;
use onslaught_metrics::{encode_timeline, Timeline};

/// Room for the encoded series in one message: the datagram limit less a
/// generous allowance for the JSON header (a spawner status with its pools).
const CHUNK_BUDGET: usize = MAX_DATA_LEN - 4 * 1024;

/// The timeline encoded in as few pieces as fit; each piece is a valid
/// timeline of some of the seconds. A single second too large to send is
/// left out and logged.
pub fn encode_chunks(timeline: &Timeline) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    match encode_timeline(timeline) {
        Ok(whole) if whole.len() <= CHUNK_BUDGET => chunks.push(whole),
        Ok(_) => {
            let seconds: Vec<u32> = timeline.iter().map(|(second, _)| second).collect();
            split(timeline, &seconds, &mut chunks);
        }
        Err(error) => tracing::warn!(%error, "final timeline not encoded"),
    }
    chunks
}

fn split(timeline: &Timeline, seconds: &[u32], chunks: &mut Vec<Vec<u8>>) {
    let (left, right) = seconds.split_at(seconds.len() / 2);
    for half in [left, right] {
        let part: Timeline = half
            .iter()
            .filter_map(|&second| timeline.get(second).map(|slice| (second, slice)))
            .collect();
        match encode_timeline(&part) {
            Ok(bytes) if bytes.len() <= CHUNK_BUDGET => chunks.push(bytes),
            Ok(bytes) if half.len() == 1 => {
                tracing::warn!(
                    second = half[0],
                    len = bytes.len(),
                    "one second too large to send; left out"
                )
            }
            Ok(_) => split(timeline, half, chunks),
            Err(error) => tracing::warn!(%error, "final timeline part not encoded"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onslaught_metrics::{decode_timeline, Outcome, Sample, Slice};

    /// A second whose latencies are spread out, so it encodes large.
    fn wide_second(second: u32) -> Slice {
        let mut slice = Slice::new();
        for status in 200..210 {
            for i in 0..2_000u64 {
                let latency_us = 100 + i * 997 + u64::from(second) * 13;
                slice.record(&Sample::new(second, Outcome::Status(status), latency_us));
            }
        }
        slice
    }

    #[test]
    fn a_small_series_is_one_chunk() {
        let timeline: Timeline = (0..5).map(|s| (s, wide_second(s))).take(1).collect();
        let chunks = encode_chunks(&timeline);
        assert_eq!(chunks.len(), 1);
        assert_eq!(decode_timeline(&chunks[0]).unwrap(), timeline);
    }

    #[test]
    fn a_large_series_splits_into_pieces_that_add_up() {
        let timeline: Timeline = (0..40).map(|s| (s, wide_second(s))).collect();
        let chunks = encode_chunks(&timeline);
        assert!(chunks.len() > 1, "expected a split");
        let mut rebuilt = Timeline::new();
        for chunk in &chunks {
            assert!(chunk.len() <= CHUNK_BUDGET);
            rebuilt.merge(&decode_timeline(chunk).unwrap());
        }
        assert_eq!(rebuilt, timeline);
    }
}
