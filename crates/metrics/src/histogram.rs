//! The one histogram shape every latency in Onslaught is recorded in.

use hdrhistogram::Histogram;

/// Smallest latency told apart from zero: one microsecond.
pub const LOWEST_US: u64 = 1;

/// One hour. No sensible request timeout comes near it, so only a broken
/// clock saturates; a fixed top keeps every histogram the same shape, which
/// is what makes merges exact and cheap.
pub const HIGHEST_US: u64 = 3_600_000_000;

/// Three digits keep every reported value within 0.1% of the true one.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// A latency histogram in microseconds: 1 µs to 1 hour, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    // The bounds are constants that satisfy every rule of `new_with_bounds`,
    // which the unit test below pins down.
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)
        .expect("the constant latency bounds are valid")
}

/// Adds every count of `source` to `target`; never fails.
///
/// Histograms from [`new_histogram`] always merge exactly. One built elsewhere
/// with a wider range has its out-of-range values clamped to our top.
pub fn merge_histogram(target: &mut Histogram<u64>, source: &Histogram<u64>) {
    if target.add(source).is_ok() {
        return;
    }
    for bucket in source.iter_recorded() {
        target.saturating_record_n(bucket.value_iterated_to(), bucket.count_at_value());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_histogram_covers_one_microsecond_to_one_hour() {
        let histogram = new_histogram();
        assert_eq!(histogram.low(), LOWEST_US);
        assert_eq!(histogram.high(), HIGHEST_US);
        assert_eq!(histogram.sigfig(), SIGNIFICANT_DIGITS);
        assert!(!histogram.is_auto_resize());
    }

    #[test]
    fn merging_a_wider_histogram_clamps_instead_of_failing() {
        let mut wide = Histogram::<u64>::new_with_bounds(1, 10 * HIGHEST_US, 3).unwrap();
        wide.record(5 * HIGHEST_US).unwrap();
        wide.record(42).unwrap();

        let mut target = new_histogram();
        merge_histogram(&mut target, &wide);

        assert_eq!(target.len(), 2);
        assert_eq!(target.min(), 42);
        assert!(target.equivalent(target.max(), HIGHEST_US));
    }
}
