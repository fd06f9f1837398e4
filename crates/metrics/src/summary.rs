//! The handful of numbers every report shows for a histogram.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Summary of one latency histogram, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LatencySummary {
    pub count: u64,
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl LatencySummary {
    /// Summarises a microsecond histogram; all zeros when it is empty.
    pub fn of(histogram: &Histogram<u64>) -> LatencySummary {
        if histogram.is_empty() {
            return LatencySummary::default();
        }
        let quantile_ms = |quantile| us_to_ms(histogram.value_at_quantile(quantile));
        LatencySummary {
            count: histogram.len(),
            min: us_to_ms(histogram.min()),
            mean: histogram.mean() / 1_000.0,
            p50: quantile_ms(0.5),
            p90: quantile_ms(0.9),
            p99: quantile_ms(0.99),
            p999: quantile_ms(0.999),
            max: us_to_ms(histogram.max()),
        }
    }
}

fn us_to_ms(value_us: u64) -> f64 {
    value_us as f64 / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_histogram;

    #[test]
    fn empty_histogram_summarises_to_zeros() {
        assert_eq!(
            LatencySummary::of(&new_histogram()),
            LatencySummary::default()
        );
    }

    #[test]
    fn summary_is_in_milliseconds() {
        // 1..=1000 µs: below 2048 µs the histogram is exact to the microsecond.
        let mut histogram = new_histogram();
        for value_us in 1..=1_000 {
            histogram.record(value_us).unwrap();
        }

        let summary = LatencySummary::of(&histogram);
        assert_eq!(summary.count, 1_000);
        assert_eq!(summary.min, 0.001);
        assert_eq!(summary.mean, 0.5005);
        assert_eq!(summary.p50, 0.5);
        assert_eq!(summary.p90, 0.9);
        assert_eq!(summary.p99, 0.99);
        assert_eq!(summary.p999, 0.999);
        assert_eq!(summary.max, 1.0);
    }
}
