//! One second of one spawner, and the samples it is made of.

use crate::{Outcome, OutcomeHistograms};

/// One sample as the engine hands it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// The timeslice, in whole seconds since the spawn started.
    pub second: u32,
    pub outcome: Outcome,
    /// Measured from when the request was due, not when it was sent.
    pub latency_us: u64,
    /// The request went out later than it was due (the client fell behind).
    pub late: bool,
    /// This attempt was a retry of an earlier failed one.
    pub retry: bool,
}

impl Sample {
    /// A sample that was on time and not a retry.
    pub fn new(second: u32, outcome: Outcome, latency_us: u64) -> Sample {
        Sample {
            second,
            outcome,
            latency_us,
            late: false,
            retry: false,
        }
    }
}

/// One second of one spawner: the histograms plus counters that are not latencies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Slice {
    pub outcomes: OutcomeHistograms,
    /// Requests that started later than they were due.
    pub late: u64,
    /// Requests that were retries.
    pub retries: u64,
}

impl Slice {
    /// An empty slice; allocates nothing until the first sample.
    pub fn new() -> Slice {
        Slice::default()
    }

    /// Files one sample; its `second` is the caller's business, not checked here.
    pub fn record(&mut self, sample: &Sample) {
        self.outcomes.record(sample.outcome, sample.latency_us);
        self.late += u64::from(sample.late);
        self.retries += u64::from(sample.retry);
    }

    /// Adds every count of `other` into this slice.
    pub fn merge(&mut self, other: &Slice) {
        self.outcomes.merge(&other.outcomes);
        self.late = self.late.saturating_add(other.late);
        self.retries = self.retries.saturating_add(other.retries);
    }

    /// Number of requests, over all outcomes.
    pub fn requests(&self) -> u64 {
        self.outcomes.count()
    }

    /// True when nothing at all was recorded.
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty() && self.late == 0 && self.retries == 0
    }

    /// Forgets everything but keeps the memory for reuse.
    pub fn reset(&mut self) {
        self.outcomes.reset();
        self.late = 0;
        self.retries = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn counts_late_and_retried_samples_beside_latencies() {
        let mut slice = Slice::new();
        slice.record(&Sample::new(0, Outcome::Status(200), 1_000));
        slice.record(&Sample {
            late: true,
            ..Sample::new(0, Outcome::Status(200), 2_000)
        });
        slice.record(&Sample {
            retry: true,
            late: true,
            ..Sample::new(0, Outcome::Error(ErrorKind::Reset), 3_000)
        });

        assert_eq!(slice.requests(), 3);
        assert_eq!((slice.late, slice.retries), (2, 1));

        let mut doubled = slice.clone();
        doubled.merge(&slice);
        assert_eq!(doubled.requests(), 6);
        assert_eq!((doubled.late, doubled.retries), (4, 2));

        doubled.reset();
        assert!(doubled.is_empty());
    }
}
