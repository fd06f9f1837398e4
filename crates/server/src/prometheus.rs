//! Prometheus text exposition: the few helpers `/metrics` is written with.

use std::fmt::Write;

use onslaught_metrics::Histogram;

/// Upper bounds of the latency buckets, in seconds: from sub-millisecond
/// answers of a local target to the longest allowed timeout's neighbourhood.
pub const LATENCY_BOUNDS_S: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

/// A latency histogram cut into the fixed Prometheus buckets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatencyBuckets {
    /// Cumulative counts, one per bound in [`LATENCY_BOUNDS_S`].
    pub cumulative: Vec<u64>,
    pub count: u64,
    pub sum_s: f64,
}

impl LatencyBuckets {
    /// Cuts a microsecond histogram into the fixed buckets.
    pub fn of(histogram: &Histogram<u64>) -> LatencyBuckets {
        let mut per_bucket = vec![0u64; LATENCY_BOUNDS_S.len()];
        let mut sum_s = 0.0;
        for recorded in histogram.iter_recorded() {
            let value_us = histogram.highest_equivalent(recorded.value_iterated_to());
            let count = recorded.count_at_value();
            let value_s = value_us as f64 / 1e6;
            sum_s += value_s * count as f64;
            let index = LATENCY_BOUNDS_S.partition_point(|&bound| bound < value_s);
            if let Some(slot) = per_bucket.get_mut(index) {
                *slot += count;
            }
        }
        let cumulative = per_bucket
            .iter()
            .scan(0u64, |running, &count| {
                *running += count;
                Some(*running)
            })
            .collect();
        LatencyBuckets {
            cumulative,
            count: histogram.len(),
            sum_s,
        }
    }
}

/// Writes one metric family's `# HELP` and `# TYPE` lines.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Writes one sample line; labels are escaped as the format requires.
pub fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (index, (key, value)) in labels.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            let _ = write!(out, "{key}=\"{}\"", escape_label(value));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {}", format_value(value));
}

fn escape_label(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn format_value(value: f64) -> String {
    if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// A bound as Prometheus clients print it, e.g. `0.005` or `1`.
pub fn format_bound(bound: f64) -> String {
    format_value(bound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use onslaught_metrics::new_histogram;

    #[test]
    fn buckets_are_cumulative_and_count_everything() {
        let mut histogram = new_histogram();
        histogram.record_n(300, 2).unwrap(); // 0.3 ms
        histogram.record(40_000).unwrap(); // 40 ms
        histogram.record(120_000_000).unwrap(); // two minutes: beyond every bound

        let buckets = LatencyBuckets::of(&histogram);
        assert_eq!(buckets.count, 4);
        assert_eq!(buckets.cumulative[0], 2);
        let at_50ms = LATENCY_BOUNDS_S.iter().position(|&b| b == 0.05).unwrap();
        assert_eq!(buckets.cumulative[at_50ms - 1], 2);
        assert_eq!(buckets.cumulative[at_50ms], 3);
        assert_eq!(*buckets.cumulative.last().unwrap(), 3);
        assert!((buckets.sum_s - 120.0406).abs() < 0.2, "{}", buckets.sum_s);
    }

    #[test]
    fn labels_are_escaped() {
        let mut out = String::new();
        sample(&mut out, "m", &[("a", "x\"y\\z\n")], 1.5);
        assert_eq!(out, "m{a=\"x\\\"y\\\\z\\n\"} 1.5\n");
        let mut out = String::new();
        sample(&mut out, "m", &[], f64::INFINITY);
        assert_eq!(out, "m +Inf\n");
    }
}
