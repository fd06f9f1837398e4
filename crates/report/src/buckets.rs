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

/// Beyond this ratio of max to min, equal-width bars would put nearly every
/// request in the first one (one timeout among fast answers does it), so
/// the bars widen geometrically instead and each keeps its share visible.
const GEOMETRIC_ABOVE_RATIO: f64 = 20.0;

/// Splits min..max into buckets and counts every sample once: equal widths
/// for a narrow spread, geometric widths for a wide one.
pub(crate) fn buckets(histogram: &Histogram<u64>) -> Vec<HistogramBucket> {
    if histogram.is_empty() {
        return Vec::new();
    }
    let (min_us, max_us) = (histogram.min(), histogram.max());
    let num_buckets = if min_us == max_us { 1 } else { NUM_BUCKETS };
    let scale = Scale::new(min_us.max(1), max_us.max(1), num_buckets);

    let mut buckets: Vec<HistogramBucket> = (0..num_buckets)
        .map(|index| HistogramBucket {
            from_ms: scale.edge_ms(index),
            to_ms: scale.edge_ms(index + 1),
            count: 0,
        })
        .collect();
    for recorded in histogram.iter_recorded() {
        let value_us = recorded.value_iterated_to().clamp(min_us, max_us);
        let bucket = &mut buckets[scale.index(value_us).min(num_buckets - 1)];
        bucket.count = bucket.count.saturating_add(recorded.count_at_value());
    }
    buckets
}

/// Where bucket edges fall between min and max.
enum Scale {
    Linear { min_us: f64, width_us: f64 },
    Geometric { min_us: f64, log_step: f64 },
}

impl Scale {
    fn new(min_us: u64, max_us: u64, num_buckets: usize) -> Scale {
        let (min, max) = (min_us as f64, max_us as f64);
        if max / min > GEOMETRIC_ABOVE_RATIO {
            Scale::Geometric {
                min_us: min,
                log_step: (max / min).ln() / num_buckets as f64,
            }
        } else {
            Scale::Linear {
                min_us: min,
                width_us: (max - min) / num_buckets as f64,
            }
        }
    }

    /// Edge `index`, rounded to the microsecond, the histogram's own unit.
    fn edge_ms(&self, index: usize) -> f64 {
        let edge_us = match *self {
            Scale::Linear { min_us, width_us } => min_us + width_us * index as f64,
            Scale::Geometric { min_us, log_step } => min_us * (log_step * index as f64).exp(),
        };
        edge_us.round() / 1_000.0
    }

    fn index(&self, value_us: u64) -> usize {
        let value = value_us.max(1) as f64;
        let position = match *self {
            Scale::Linear { width_us, .. } if width_us <= 0.0 => 0.0,
            Scale::Linear { min_us, width_us } => (value - min_us) / width_us,
            Scale::Geometric { min_us, log_step } => (value / min_us).ln() / log_step,
        };
        position.max(0.0) as usize
    }
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
    fn a_wide_spread_gets_geometric_buckets() {
        let mut histogram = new_histogram();
        // 1 ms to 1 s: each bucket is 10^0.3 ≈ 2× wider than the one before.
        for value_us in [1_000, 1_500, 2_500, 9_000, 60_000, 1_000_000] {
            histogram.record(value_us).unwrap();
        }

        let buckets = buckets(&histogram);
        assert_eq!(buckets[0].from_ms, 1.0);
        assert_eq!(buckets[1].from_ms, 1.995);
        assert_eq!(buckets[9].to_ms, 1_000.447);
        let counts: Vec<u64> = buckets.iter().map(|b| b.count).collect();
        assert_eq!(counts, [2, 1, 0, 1, 0, 1, 0, 0, 0, 1]);
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
