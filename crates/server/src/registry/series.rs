//! The per-second points of one spawner or of a whole spawn.

use std::collections::BTreeMap;

use onslaught_metrics::Slice;
use onslaught_report::{points_of, TimelinePoint};

/// Seconds that keep their histograms after newer ones arrive.
///
/// A latency histogram costs about 190 KB, so old seconds are reduced to
/// points. Slices for a second normally arrive within a second of it
/// (a local harvest races the boundary; a remote one crosses the
/// network), so a few seconds of slack keeps every merge exact.
const OPEN_SECONDS: u32 = 5;

/// Per-second, per-outcome points, merged exactly while a second is recent.
#[derive(Debug, Default)]
pub struct Series {
    /// Recent seconds, with histograms.
    open: BTreeMap<u32, Slice>,
    /// Older seconds as points, ascending by second, then outcome.
    closed: Vec<TimelinePoint>,
}

impl Series {
    /// Merges one second's slice; returns that second's points as they now are.
    pub fn add(&mut self, second: u32, slice: &Slice) -> Vec<TimelinePoint> {
        if self.is_closed(second) {
            self.add_late(second, slice);
            return self.closed_points_at(second);
        }
        match self.open.get_mut(&second) {
            Some(existing) => existing.merge(slice),
            None => {
                self.open.insert(second, slice.clone());
            }
        }
        let points = points_of(second, &self.open[&second]);
        self.close_older_than(second.saturating_sub(OPEN_SECONDS));
        points
    }

    /// Every point, ascending by second, then outcome.
    pub fn points(&self) -> Vec<TimelinePoint> {
        let mut points = self.closed.clone();
        for (&second, slice) in &self.open {
            points.extend(points_of(second, slice));
        }
        points
    }

    /// Reduces every second to points; for a series that will not grow.
    pub fn close_all(&mut self) {
        self.close_older_than(u32::MAX);
    }

    fn is_closed(&self, second: u32) -> bool {
        self.closed.last().is_some_and(|last| second <= last.t)
    }

    fn close_older_than(&mut self, second: u32) {
        while let Some(entry) = self.open.first_entry() {
            if *entry.key() >= second {
                break;
            }
            let (second, slice) = entry.remove_entry();
            self.closed.extend(points_of(second, &slice));
        }
    }

    /// A slice for a second already reduced to points: counts and maxima
    /// stay exact, percentiles keep the values they had.
    fn add_late(&mut self, second: u32, slice: &Slice) {
        tracing::debug!(second, "late slice merged into a closed second");
        for point in points_of(second, slice) {
            let found = self
                .closed
                .iter_mut()
                .find(|p| p.t == point.t && p.outcome == point.outcome);
            match found {
                Some(existing) => {
                    existing.count += point.count;
                    existing.max_ms = existing.max_ms.max(point.max_ms);
                }
                None => {
                    let at = self
                        .closed
                        .partition_point(|p| (p.t, p.outcome) < (point.t, point.outcome));
                    self.closed.insert(at, point);
                }
            }
        }
    }

    fn closed_points_at(&self, second: u32) -> Vec<TimelinePoint> {
        self.closed
            .iter()
            .filter(|p| p.t == second)
            .cloned()
            .collect()
    }
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
    fn a_second_arriving_twice_merges_exactly() {
        let mut series = Series::default();
        series.add(0, &slice(&[(OK, 1_000), (OK, 3_000)]));
        let points = series.add(0, &slice(&[(OK, 2_000), (RESET, 900)]));

        assert_eq!(points.len(), 2);
        assert_eq!((points[0].outcome, points[0].count), (OK, 3));
        assert_eq!(points[0].p50_ms, 2.0);
        assert_eq!((points[1].outcome, points[1].max_ms), (RESET, 0.9));
    }

    #[test]
    fn old_seconds_become_points_and_still_take_late_counts() {
        let mut series = Series::default();
        for second in 0..20 {
            series.add(second, &slice(&[(OK, 1_000 + u64::from(second))]));
        }
        assert!(series.open.len() <= OPEN_SECONDS as usize + 1);
        assert_eq!(series.points().len(), 20);

        // Below 2048 µs the histogram is exact, so maxima compare exactly.
        let late = series.add(2, &slice(&[(OK, 2_000), (RESET, 10)]));
        assert_eq!(late.len(), 2);
        assert_eq!((late[0].count, late[0].max_ms), (2, 2.0));

        let points = series.points();
        assert_eq!(points.len(), 21);
        let order: Vec<_> = points.iter().map(|p| (p.t, p.outcome)).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);

        series.close_all();
        assert!(series.open.is_empty());
        assert_eq!(series.points(), points);
    }
}
