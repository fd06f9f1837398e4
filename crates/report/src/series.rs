//! The per-second, per-outcome series of the report.

use onslaught_metrics::{LatencySummary, Outcome, Slice, Timeline};
use serde::{Deserialize, Serialize};

/// One second and one outcome of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// Seconds since the spawn started.
    pub t: u32,
    /// An HTTP status ("200") or an error kind ("timeout").
    pub outcome: Outcome,
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Flattens a timeline into points, by second, then in outcome order.
pub(crate) fn points(timeline: &Timeline) -> Vec<TimelinePoint> {
    timeline
        .iter()
        .flat_map(|(second, slice)| points_of(second, &slice))
        .collect()
}

/// The points of one second, one per outcome, in outcome order.
pub fn points_of(second: u32, slice: &Slice) -> Vec<TimelinePoint> {
    slice
        .outcomes
        .iter()
        .map(|(outcome, histogram)| {
            let summary = LatencySummary::of(histogram);
            TimelinePoint {
                t: second,
                outcome,
                count: summary.count,
                p50_ms: summary.p50,
                p99_ms: summary.p99,
                max_ms: summary.max,
            }
        })
        .collect()
}
