//! Latency histograms split by outcome, for one slice of time.

use hdrhistogram::Histogram;

use crate::histogram::{merge_histogram, new_histogram};
use crate::Outcome;

/// Histograms for the outcomes seen in one slice of time.
///
/// A second rarely sees more than a handful of outcomes, so a small sorted
/// Vec beats a map. Cleared histograms are kept aside for reuse, which is
/// what lets the request path record without allocating.
#[derive(Debug, Default)]
pub struct OutcomeHistograms {
    /// Sorted by outcome, each outcome at most once.
    entries: Vec<(Outcome, Histogram<u64>)>,
    /// Cleared histograms waiting to be handed to the next new outcome.
    spare: Vec<Histogram<u64>>,
}

impl OutcomeHistograms {
    /// An empty set; allocates nothing until the first sample.
    pub fn new() -> OutcomeHistograms {
        OutcomeHistograms::default()
    }

    /// Records one latency; values beyond an hour are clamped, never rejected.
    pub fn record(&mut self, outcome: Outcome, latency_us: u64) {
        self.histogram_for(outcome).saturating_record(latency_us);
    }

    /// Records `count` samples of the same latency at once.
    pub fn record_n(&mut self, outcome: Outcome, latency_us: u64, count: u64) {
        if count > 0 {
            self.histogram_for(outcome)
                .saturating_record_n(latency_us, count);
        }
    }

    /// Adds every count of `other` into this set, outcome by outcome.
    pub fn merge(&mut self, other: &OutcomeHistograms) {
        for (outcome, histogram) in other.iter() {
            self.merge_histogram(outcome, histogram);
        }
    }

    /// Adds one outcome's histogram, e.g. one received from another node.
    pub fn merge_histogram(&mut self, outcome: Outcome, histogram: &Histogram<u64>) {
        if !histogram.is_empty() {
            merge_histogram(self.histogram_for(outcome), histogram);
        }
    }

    /// The histograms in outcome order: statuses ascending, then errors.
    pub fn iter(&self) -> impl Iterator<Item = (Outcome, &Histogram<u64>)> + '_ {
        self.entries
            .iter()
            .map(|(outcome, histogram)| (*outcome, histogram))
    }

    /// The histogram of one outcome, if it was seen.
    pub fn get(&self, outcome: Outcome) -> Option<&Histogram<u64>> {
        self.position(outcome)
            .ok()
            .map(|index| &self.entries[index].1)
    }

    /// All outcomes merged into one fresh histogram.
    pub fn total(&self) -> Histogram<u64> {
        let mut total = new_histogram();
        for (_, histogram) in self.iter() {
            merge_histogram(&mut total, histogram);
        }
        total
    }

    /// Number of samples over all outcomes.
    pub fn count(&self) -> u64 {
        self.iter()
            .fold(0, |sum, (_, histogram)| sum.saturating_add(histogram.len()))
    }

    /// Number of samples whose outcome is an error rather than a status.
    pub fn error_count(&self) -> u64 {
        self.iter()
            .filter(|(outcome, _)| outcome.is_error())
            .fold(0, |sum, (_, histogram)| sum.saturating_add(histogram.len()))
    }

    /// True when no sample was recorded.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Forgets every sample but keeps the histograms' memory for reuse.
    pub fn reset(&mut self) {
        for (_, mut histogram) in self.entries.drain(..) {
            histogram.reset();
            self.spare.push(histogram);
        }
    }

    fn histogram_for(&mut self, outcome: Outcome) -> &mut Histogram<u64> {
        let index = match self.position(outcome) {
            Ok(index) => index,
            Err(index) => {
                let histogram = self.spare.pop().unwrap_or_else(new_histogram);
                self.entries.insert(index, (outcome, histogram));
                index
            }
        };
        &mut self.entries[index].1
    }

    fn position(&self, outcome: Outcome) -> Result<usize, usize> {
        self.entries
            .binary_search_by_key(&outcome, |(seen, _)| *seen)
    }
}

impl Clone for OutcomeHistograms {
    /// Copies the recorded histograms only; the spare ones stay behind.
    fn clone(&self) -> OutcomeHistograms {
        OutcomeHistograms {
            entries: self.entries.clone(),
            spare: Vec::new(),
        }
    }
}

impl PartialEq for OutcomeHistograms {
    /// Equal when the same outcomes hold the same counts; spares do not matter.
    fn eq(&self, other: &OutcomeHistograms) -> bool {
        self.entries == other.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const OK: Outcome = Outcome::Status(200);
    const UNAVAILABLE: Outcome = Outcome::Status(503);
    const TIMEOUT: Outcome = Outcome::Error(ErrorKind::Timeout);

    #[test]
    fn iterates_in_outcome_order_whatever_the_recording_order() {
        let mut histograms = OutcomeHistograms::new();
        histograms.record(TIMEOUT, 30_000_000);
        histograms.record(UNAVAILABLE, 900);
        histograms.record(OK, 1_200);
        histograms.record(OK, 1_300);

        let outcomes: Vec<_> = histograms.iter().map(|(outcome, _)| outcome).collect();
        assert_eq!(outcomes, [OK, UNAVAILABLE, TIMEOUT]);
        assert_eq!(histograms.get(OK).map(|h| h.len()), Some(2));
        assert_eq!(histograms.count(), 4);
        assert_eq!(histograms.error_count(), 1);
    }

    #[test]
    fn merge_equals_recording_every_value_in_one_place() {
        let values: Vec<u64> = (0..5_000u64).map(|i| (i * 7_919) % 2_000_000 + 1).collect();
        let (left_values, right_values) = values.split_at(1_700);

        let mut left = OutcomeHistograms::new();
        let mut right = OutcomeHistograms::new();
        let mut all = OutcomeHistograms::new();
        for &value in left_values {
            left.record(OK, value);
            all.record(OK, value);
        }
        for &value in right_values {
            let outcome = if value % 3 == 0 { TIMEOUT } else { OK };
            right.record(outcome, value);
            all.record(outcome, value);
        }
        left.merge(&right);

        assert_eq!(left, all);
        let (merged, expected) = (left.total(), all.total());
        assert_eq!(merged.len(), values.len() as u64);
        for quantile in [0.0, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(
                merged.value_at_quantile(quantile),
                expected.value_at_quantile(quantile)
            );
        }
        assert_eq!(merged.max(), expected.max());
        assert_eq!(merged.min(), expected.min());
    }

    #[test]
    fn out_of_range_latencies_saturate() {
        let mut histograms = OutcomeHistograms::new();
        histograms.record(OK, u64::MAX);
        histograms.record(OK, 0);

        let total = histograms.total();
        assert_eq!(total.len(), 2);
        assert_eq!(total.min(), 0);
        assert!(total.equivalent(total.max(), crate::HIGHEST_US));
    }

    #[test]
    fn reset_empties_and_reuses_histograms() {
        let mut histograms = OutcomeHistograms::new();
        histograms.record(OK, 10);
        histograms.record(TIMEOUT, 10);
        histograms.reset();

        assert!(histograms.is_empty());
        assert_eq!(histograms.iter().count(), 0);
        assert_eq!(histograms.spare.len(), 2);

        histograms.record(UNAVAILABLE, 77);
        assert_eq!(histograms.spare.len(), 1);
        assert_eq!(histograms.total().max(), 77);
    }
}
