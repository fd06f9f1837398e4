//! The binary form of slices and timelines: exact round trips, and garbage
//! that is rejected without a panic.

use onslaught_metrics::{
    decode_slice, decode_timeline, encode_slice, encode_timeline, DecodeError, ErrorKind, Outcome,
    Sample, Slice, Timeline,
};

/// A small deterministic generator, so failures replay.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn busy_slice(seed: u64) -> Slice {
    slice_of(seed, 2_000)
}

fn slice_of(seed: u64, num_samples: usize) -> Slice {
    let outcomes = [
        Outcome::Status(200),
        Outcome::Status(404),
        Outcome::Status(503),
        Outcome::Error(ErrorKind::Connect),
        Outcome::Error(ErrorKind::Other),
    ];
    let mut random = XorShift(seed);
    let mut slice = Slice::new();
    for _ in 0..num_samples {
        let outcome = outcomes[(random.next() % 5) as usize];
        let latency_us = random.next() % 40_000_000;
        slice.record(&Sample {
            late: random.next().is_multiple_of(10),
            retry: random.next().is_multiple_of(25),
            ..Sample::new(0, outcome, latency_us)
        });
    }
    slice
}

fn busy_timeline() -> Timeline {
    [0u32, 1, 2, 7, 4_000_000]
        .into_iter()
        .map(|second| (second, busy_slice(u64::from(second) + 1)))
        .collect()
}

#[test]
fn slice_round_trips_exactly() {
    let slice = busy_slice(42);
    let decoded = decode_slice(&encode_slice(&slice).unwrap()).unwrap();

    assert_eq!(decoded, slice);
    assert_eq!(decoded.late, slice.late);
    assert_eq!(decoded.retries, slice.retries);
    let (decoded_total, total) = (decoded.outcomes.total(), slice.outcomes.total());
    for quantile in [0.5, 0.9, 0.99, 0.999, 1.0] {
        assert_eq!(
            decoded_total.value_at_quantile(quantile),
            total.value_at_quantile(quantile)
        );
    }
}

#[test]
fn empty_slice_and_timeline_round_trip() {
    let slice = Slice::new();
    assert_eq!(decode_slice(&encode_slice(&slice).unwrap()).unwrap(), slice);
    let timeline = Timeline::new();
    assert_eq!(
        decode_timeline(&encode_timeline(&timeline).unwrap()).unwrap(),
        timeline
    );
}

#[test]
fn timeline_round_trips_exactly() {
    let timeline = busy_timeline();
    let decoded = decode_timeline(&encode_timeline(&timeline).unwrap()).unwrap();
    assert_eq!(decoded, timeline);
    assert_eq!(decoded.last_second(), Some(4_000_000));
}

#[test]
fn every_truncation_is_an_error() {
    let timeline: Timeline = [(0, slice_of(1, 40)), (9, slice_of(2, 40))]
        .into_iter()
        .collect();
    let bytes = encode_timeline(&timeline).unwrap();
    for len in 0..bytes.len() {
        assert!(
            decode_timeline(&bytes[..len]).is_err(),
            "accepted {len} bytes"
        );
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let bytes = encode_slice(&slice_of(7, 60)).unwrap();
    let mut random = XorShift(99);
    for index in 0..bytes.len() {
        let mut corrupted = bytes.clone();
        corrupted[index] ^= (random.next() % 255 + 1) as u8;
        // Either outcome is fine; reaching the next line means no panic.
        let _ = decode_slice(&corrupted);
    }
}

#[test]
fn random_bytes_are_rejected() {
    let mut random = XorShift(2024);
    for len in [0usize, 1, 4, 5, 13, 64, 1_000] {
        let mut garbage: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
        assert!(decode_slice(&garbage).is_err());
        assert!(decode_timeline(&garbage).is_err());

        // Valid magic and version, random body.
        garbage.splice(0..0, *b"ONSL\x01");
        assert!(decode_slice(&garbage).is_err());
    }
}

#[test]
fn errors_name_what_was_wrong() {
    let slice_bytes = encode_slice(&busy_slice(3)).unwrap();
    assert_eq!(
        decode_timeline(&slice_bytes).unwrap_err(),
        DecodeError::Magic {
            expected: "timeline"
        }
    );

    let mut future = slice_bytes.clone();
    future[4] = 9;
    assert_eq!(
        decode_slice(&future).unwrap_err(),
        DecodeError::Version { found: 9 }
    );

    let mut longer = slice_bytes.clone();
    longer.push(0);
    assert_eq!(
        decode_slice(&longer).unwrap_err(),
        DecodeError::TrailingBytes(1)
    );

    // Header, late, retries, one outcome tagged as status 42.
    let mut bad_status = b"ONSL\x01".to_vec();
    bad_status.extend_from_slice(&[0; 16]);
    bad_status.extend_from_slice(&[0, 1, 0, 0, 42]);
    assert_eq!(
        decode_slice(&bad_status).unwrap_err(),
        DecodeError::Outcome { tag: 0, value: 42 }
    );
}

#[test]
fn duplicate_outcomes_and_unordered_seconds_are_rejected() {
    let mut one_outcome = Slice::new();
    one_outcome.record(&Sample::new(0, Outcome::Status(200), 5));
    let body = &encode_slice(&one_outcome).unwrap()[5..];

    // Same outcome twice: patch the outcome count to 2 and repeat the entry.
    let entry = &body[18..];
    let mut twice = b"ONSL\x01".to_vec();
    twice.extend_from_slice(&body[..16]);
    twice.extend_from_slice(&2u16.to_be_bytes());
    twice.extend_from_slice(entry);
    twice.extend_from_slice(entry);
    assert_eq!(
        decode_slice(&twice).unwrap_err(),
        DecodeError::DuplicateOutcome(Outcome::Status(200))
    );

    let mut unordered = b"ONTL\x01".to_vec();
    unordered.extend_from_slice(&2u32.to_be_bytes());
    for second in [5u32, 5] {
        unordered.extend_from_slice(&second.to_be_bytes());
        unordered.extend_from_slice(body);
    }
    assert_eq!(
        decode_timeline(&unordered).unwrap_err(),
        DecodeError::SecondOrder(5)
    );
}
