//! Slices at rest: histograms reduced to their non-empty buckets.
//!
//! A dense latency histogram is 23,552 counters (184 KiB) whatever it holds:
//! fine for the few being recorded into, far too much for every second and
//! outcome of an hour-long spawn. A [`Timeline`](crate::Timeline) keeps its
//! seconds in this form instead, typically a few hundred 16-byte buckets.

use std::cmp::Ordering;

use hdrhistogram::Histogram;

use crate::histogram::new_histogram;
use crate::{Outcome, OutcomeHistograms, Slice};

/// A latency histogram reduced to its non-empty buckets.
///
/// Each bucket is keyed by the highest value it covers; recording that value
/// back into a dense histogram lands in the very same bucket, so the round
/// trip is exact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CompactHistogram {
    /// (highest value of the bucket in µs, count), ascending by value.
    buckets: Vec<(u64, u64)>,
}

impl CompactHistogram {
    pub(crate) fn from_dense(histogram: &Histogram<u64>) -> CompactHistogram {
        let buckets = histogram
            .iter_recorded()
            .map(|bucket| (bucket.value_iterated_to(), bucket.count_at_value()))
            .collect();
        CompactHistogram { buckets }
    }

    /// Adds every bucket into a dense histogram.
    pub(crate) fn add_to(&self, dense: &mut Histogram<u64>) {
        for &(value_us, count) in &self.buckets {
            dense.saturating_record_n(value_us, count);
        }
    }

    pub(crate) fn to_dense(&self) -> Histogram<u64> {
        let mut dense = new_histogram();
        self.add_to(&mut dense);
        dense
    }

    /// Merges the two ascending bucket lists, summing the buckets they share.
    pub(crate) fn merge(&mut self, other: &CompactHistogram) {
        let (mine, theirs) = (&self.buckets, &other.buckets);
        let mut merged = Vec::with_capacity(mine.len() + theirs.len());
        let (mut i, mut j) = (0, 0);
        while i < mine.len() && j < theirs.len() {
            let ((value, count), (their_value, their_count)) = (mine[i], theirs[j]);
            match value.cmp(&their_value) {
                Ordering::Less => {
                    merged.push(mine[i]);
                    i += 1;
                }
                Ordering::Greater => {
                    merged.push(theirs[j]);
                    j += 1;
                }
                Ordering::Equal => {
                    merged.push((value, count.saturating_add(their_count)));
                    i += 1;
                    j += 1;
                }
            }
        }
        merged.extend_from_slice(&mine[i..]);
        merged.extend_from_slice(&theirs[j..]);
        self.buckets = merged;
    }
}

/// A [`Slice`] at rest: same content, compact histograms.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CompactSlice {
    /// Sorted by outcome, each outcome at most once.
    outcomes: Vec<(Outcome, CompactHistogram)>,
    late: u64,
    retries: u64,
}

impl CompactSlice {
    /// Adds every count of a dense slice.
    pub(crate) fn merge_slice(&mut self, slice: &Slice) {
        for (outcome, histogram) in slice.outcomes.iter() {
            if histogram.is_empty() {
                continue;
            }
            let compact = CompactHistogram::from_dense(histogram);
            match self.position(outcome) {
                Ok(index) => self.outcomes[index].1.merge(&compact),
                Err(index) => self.outcomes.insert(index, (outcome, compact)),
            }
        }
        self.add_counters(slice.late, slice.retries);
    }

    /// Adds every count of another compact slice.
    pub(crate) fn merge(&mut self, other: &CompactSlice) {
        for (outcome, compact) in &other.outcomes {
            match self.position(*outcome) {
                Ok(index) => self.outcomes[index].1.merge(compact),
                Err(index) => self.outcomes.insert(index, (*outcome, compact.clone())),
            }
        }
        self.add_counters(other.late, other.retries);
    }

    /// Adds everything into a dense slice.
    pub(crate) fn add_to(&self, slice: &mut Slice) {
        for (outcome, compact) in &self.outcomes {
            slice
                .outcomes
                .merge_histogram(*outcome, &compact.to_dense());
        }
        slice.late = slice.late.saturating_add(self.late);
        slice.retries = slice.retries.saturating_add(self.retries);
    }

    pub(crate) fn to_slice(&self) -> Slice {
        let mut outcomes = OutcomeHistograms::new();
        for (outcome, compact) in &self.outcomes {
            outcomes.merge_histogram(*outcome, &compact.to_dense());
        }
        Slice {
            outcomes,
            late: self.late,
            retries: self.retries,
        }
    }

    fn add_counters(&mut self, late: u64, retries: u64) {
        self.late = self.late.saturating_add(late);
        self.retries = self.retries.saturating_add(retries);
    }

    fn position(&self, outcome: Outcome) -> Result<usize, usize> {
        self.outcomes
            .binary_search_by_key(&outcome, |(seen, _)| *seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Sample, HIGHEST_US};

    fn dense(values: &[u64]) -> Histogram<u64> {
        let mut histogram = new_histogram();
        for &value in values {
            histogram.saturating_record(value);
        }
        histogram
    }

    #[test]
    fn round_trip_through_compact_form_is_exact() {
        let values = [
            0,
            1,
            7,
            2_047,
            2_049,
            99_999,
            123_456_789,
            HIGHEST_US,
            u64::MAX,
        ];
        let original = dense(&values);
        let back = CompactHistogram::from_dense(&original).to_dense();

        assert_eq!(back, original);
        assert_eq!(
            (back.min(), back.max(), back.len()),
            (original.min(), original.max(), 9)
        );
        assert_eq!(back.value_at_quantile(0.5), original.value_at_quantile(0.5));
    }

    #[test]
    fn compact_merge_equals_dense_merge() {
        let left: Vec<u64> = (0..3_000).map(|i| i * 131 % 70_000).collect();
        let right: Vec<u64> = (0..2_000).map(|i| i * 977 % 9_000_000).collect();

        let mut compact = CompactHistogram::from_dense(&dense(&left));
        compact.merge(&CompactHistogram::from_dense(&dense(&right)));

        let all: Vec<u64> = left.iter().chain(&right).copied().collect();
        assert_eq!(compact.to_dense(), dense(&all));
    }

    #[test]
    fn compact_slice_keeps_outcomes_and_counters() {
        let mut slice = Slice::new();
        for n in 0..100u64 {
            let outcome = match n % 3 {
                0 => Outcome::Error(ErrorKind::Tls),
                1 => Outcome::Status(302),
                _ => Outcome::Status(200),
            };
            slice.record(&Sample {
                late: n % 2 == 0,
                retry: n % 5 == 0,
                ..Sample::new(0, outcome, n * 1_000)
            });
        }

        let mut compact = CompactSlice::default();
        compact.merge_slice(&slice);
        compact.merge(&compact.clone());
        let mut doubled = slice.clone();
        doubled.merge(&slice);

        assert_eq!(compact.to_slice(), doubled);
        let mut added = Slice::new();
        compact.add_to(&mut added);
        assert_eq!(added, doubled);
    }
}
