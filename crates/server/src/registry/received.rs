//! What arrived from one remote spawner, so that its final timeline adds
//! exactly what was lost on the way, and nothing twice.
//!
//! Per-second slices travel as single datagrams and may be lost; when the
//! spawner ends, its node sends the whole timeline (twice). Each second of
//! it minus what arrived is what is missing here.

use onslaught_metrics::{Slice, Timeline};

#[derive(Debug, Default)]
pub struct Received {
    /// Seconds as they arrived, compact; emptied once finalized.
    seconds: Timeline,
    /// The last copy of the final timeline was applied: nothing more counts.
    finalized: bool,
}

impl Received {
    /// Notes a second that arrived; false if it comes after the final
    /// timeline, which already holds it.
    pub fn add(&mut self, second: u32, slice: &Slice) -> bool {
        if self.finalized {
            return false;
        }
        self.seconds.add(second, slice);
        true
    }

    /// The part of each final second that never arrived; `last` marks the
    /// final copy, after which this spawner's memory here is freed.
    pub fn reconcile(&mut self, timeline: &Timeline, last: bool) -> Vec<(u32, Slice)> {
        if self.finalized {
            return Vec::new();
        }
        let mut missing = Vec::new();
        for (second, whole) in timeline.iter() {
            let delta = match self.seconds.get(second) {
                Some(arrived) => difference(&whole, &arrived),
                None => whole,
            };
            if !delta.is_empty() {
                self.seconds.add(second, &delta);
                missing.push((second, delta));
            }
        }
        if last {
            self.finalized = true;
            self.seconds = Timeline::new();
        }
        missing
    }
}

/// `whole` less `part`, outcome by outcome. An outcome of which more
/// arrived than the whole holds (which a replayed datagram could cause) is
/// taken as complete.
fn difference(whole: &Slice, part: &Slice) -> Slice {
    let mut delta = Slice::new();
    for (outcome, histogram) in whole.outcomes.iter() {
        let mut rest = histogram.clone();
        if let Some(arrived) = part.outcomes.get(outcome) {
            if rest.len() <= arrived.len() || rest.subtract(arrived).is_err() {
                continue;
            }
        }
        delta.outcomes.merge_histogram(outcome, &rest);
    }
    delta.late = whole.late.saturating_sub(part.late);
    delta.retries = whole.retries.saturating_sub(part.retries);
    delta
}

#[cfg(test)]
mod tests {
    use super::*;
    use onslaught_metrics::{ErrorKind, Outcome, Sample};

    const OK: Outcome = Outcome::Status(200);
    const RESET: Outcome = Outcome::Error(ErrorKind::Reset);

    fn slice(samples: &[(Outcome, u64)]) -> Slice {
        let mut slice = Slice::new();
        for &(outcome, latency_us) in samples {
            slice.record(&Sample::new(0, outcome, latency_us));
        }
        slice
    }

    #[test]
    fn only_what_was_lost_is_added_and_only_once() {
        let mut received = Received::default();
        received.add(0, &slice(&[(OK, 1_000)]));
        received.add(2, &slice(&[(OK, 1_000)]));

        let mut timeline = Timeline::new();
        timeline.add(0, &slice(&[(OK, 1_000), (OK, 1_500), (RESET, 10)]));
        timeline.add(1, &slice(&[(OK, 700)]));
        timeline.add(2, &slice(&[(OK, 1_000)]));

        let missing = received.reconcile(&timeline, false);
        let counts: Vec<_> = missing
            .iter()
            .map(|(second, slice)| (*second, slice.requests()))
            .collect();
        assert_eq!(counts, [(0, 2), (1, 1)]);
        let zero = &missing[0].1;
        assert_eq!(zero.outcomes.get(OK).map(|h| h.max()), Some(1_500));
        assert_eq!(zero.outcomes.get(RESET).map(|h| h.len()), Some(1));

        // The second copy finds nothing missing and frees the memory.
        assert!(received.reconcile(&timeline, true).is_empty());
        assert!(received.seconds.is_empty());
        assert!(!received.add(3, &slice(&[(OK, 1)])));
        assert!(received.reconcile(&timeline, true).is_empty());
    }
}
