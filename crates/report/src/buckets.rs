//! The coarse latency histogram shown as bars in the text report.

use onslaught_metrics::Histogram;
use serde::{Deserialize, Serialize};

/// Enough rows to show a shape, few enough to read at a glance.
const NUM_BUCKETS: usize = 10;

/// One bar of the latency histogram: requests with latency in `from_ms..=to_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistogramBucket {
    pub from_ms: f64,
    pub to_ms: f64,
    pub count: u64,
}

/// Splits min..max into equal-width buckets and counts every sample once.
pub(crate) fn buckets(histogram: &Histogram<u64>) -> Vec<HistogramBucket> {
    if histogram.is_empty() {
        return Vec::new();
    }
    let (min_us, max_us) = (histogram.min(), histogram.max());
    let num_buckets = if min_us == max_us { 1 } else { NUM_BUCKETS };
    let width_us = (max_us - min_us) as f64 / num_buckets as f64;

    let mut buckets: Vec<HistogramBucket> = (0..num_buckets)
        .map(|index| HistogramBucket {
            from_ms: edge_ms(min_us, width_us, index),
            to_ms: edge_ms(min_us, width_us, index + 1),
            count: 0,
        })
        .collect();
    for recorded in histogram.iter_recorded() {
        let offset_us = recorded.value_iterated_to().clamp(min_us, max_us) - min_us;
        let index = if width_us > 0.0 {
            (offset_us as f64 / width_us) as usize
        } else {
            0
        };
        let bucket = &mut buckets[index.min(num_buckets - 1)];
        bucket.count = bucket.count.saturating_add(recorded.count_at_value());
    }
    buckets
}

/// A bucket edge rounded to the microsecond, the histogram's own unit.
fn edge_ms(min_us: u64, width_us: f64, index: usize) -> f64 {
    (min_us as f64 + width_us * index as f64).round() / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use onslaught_metrics::new_histogram;

    #[test]
    fn every_sample_lands_in_exactly_one_bucket() {
        let mut histogram = new_histogram();
        for value_us in 1_000..=2_000u64 {
            histogram.record(value_us).unwrap();
        }

        let buckets = buckets(&histogram);
        assert_eq!(buckets.len(), NUM_BUCKETS);
        assert_eq!(buckets.iter().map(|b| b.count).sum::<u64>(), 1_001);
        assert_eq!(buckets[0].from_ms, 1.0);
        assert_eq!(buckets[9].to_ms, 2.0);
        // 1000..=1099 in the first tenth, 1900..=2000 in the last.
        assert_eq!(buckets[0].count, 100);
        assert_eq!(buckets[9].count, 101);
    }

    #[test]
    fn one_distinct_value_makes_one_bucket() {
        let mut histogram = new_histogram();
        histogram.record_n(500, 3).unwrap();
        let buckets = buckets(&histogram);
        assert_eq!(
            buckets,
            [HistogramBucket {
                from_ms: 0.5,
                to_ms: 0.5,
                count: 3
            }]
        );
        assert!(super::buckets(&new_histogram()).is_empty());
    }
}
