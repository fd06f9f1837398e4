//! The report of one spawn and how it is built from a timeline.

use std::collections::BTreeMap;
use std::time::Duration;

use onslaught_metrics::{LatencySummary, Outcome, OutcomeHistograms, Timeline};
use serde::{Deserialize, Serialize};

use crate::buckets::{buckets, HistogramBucket};
use crate::series::{points, TimelinePoint};
use crate::threshold::{Threshold, ThresholdResult};

/// The report of a finished (or stopped) spawn.
///
/// Field names are the JSON report contract of SPEC.md; add, never rename.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Report {
    pub spawn_id: String,
    /// The URL the spawn sent its requests to.
    pub target: String,
    pub duration_s: f64,
    /// The spawn was stopped before its time was up.
    pub stopped_early: bool,
    pub requests: u64,
    /// Requests per second over the whole duration.
    pub rps: f64,
    /// Requests that got no HTTP response (an error kind), in percent of all.
    pub error_percent: f64,
    /// Status code ("200") to number of responses.
    pub statuses: BTreeMap<String, u64>,
    /// Error kind ("timeout") to number of requests.
    pub errors: BTreeMap<String, u64>,
    /// Requests that started later than they were due.
    pub late: u64,
    /// Requests that were retries of earlier failed attempts.
    pub retries: u64,
    /// Latency of every request, failed ones included: a timeout is a user
    /// who waited that long. The timeline splits it by outcome.
    pub latency_ms: LatencySummary,
    /// Equal-width buckets from min to max latency, for the text histogram.
    pub latency_histogram: Vec<HistogramBucket>,
    /// Verdicts of the thresholds applied with [`Report::apply_thresholds`].
    pub thresholds: Vec<ThresholdResult>,
    /// The spawn's options, as the caller passed them.
    pub options: serde_json::Value,
    /// One point per second and outcome.
    pub timeline: Vec<TimelinePoint>,
}

impl Report {
    /// Builds the report of a spawn from its merged timeline.
    pub fn build(
        spawn_id: &str,
        target: &str,
        duration: Duration,
        timeline: &Timeline,
        options: serde_json::Value,
        stopped_early: bool,
    ) -> Report {
        let totals = timeline.totals();
        let requests = totals.requests();
        let latency = totals.outcomes.total();
        let duration_s = duration.as_secs_f64();
        let (statuses, errors) = count_outcomes(&totals.outcomes);

        Report {
            spawn_id: spawn_id.to_owned(),
            target: target.to_owned(),
            duration_s,
            stopped_early,
            requests,
            rps: ratio(requests, duration_s),
            error_percent: 100.0 * ratio(totals.outcomes.error_count(), requests as f64),
            statuses,
            errors,
            late: totals.late,
            retries: totals.retries,
            latency_ms: LatencySummary::of(&latency),
            latency_histogram: buckets(&latency),
            thresholds: Vec::new(),
            options,
            timeline: points(timeline),
        }
    }

    /// Checks every threshold, keeps the verdicts, and says whether all passed.
    pub fn apply_thresholds(&mut self, thresholds: &[Threshold]) -> bool {
        self.thresholds = thresholds.iter().map(|t| t.check(self)).collect();
        self.thresholds.iter().all(|result| result.passed)
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Every field is a string, number, bool, map with string keys or a
        // JSON value, none of which can fail to serialise.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as a plain-text summary for a terminal.
    pub fn to_text(&self) -> String {
        crate::text::render(self)
    }
}

/// Splits the totals into the status table and the error table.
fn count_outcomes(outcomes: &OutcomeHistograms) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let mut statuses = BTreeMap::new();
    let mut errors = BTreeMap::new();
    for (outcome, histogram) in outcomes.iter() {
        let table = match outcome {
            Outcome::Status(_) => &mut statuses,
            Outcome::Error(_) => &mut errors,
        };
        table.insert(outcome.to_string(), histogram.len());
    }
    (statuses, errors)
}

/// `count / over`, or zero when there is nothing to divide by.
fn ratio(count: u64, over: f64) -> f64 {
    if over > 0.0 {
        count as f64 / over
    } else {
        0.0
    }
}
