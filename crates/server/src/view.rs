//! The JSON shapes of a spawn, as the API returns them and live updates
//! carry them. Field names follow SPEC.md's HTTP API table.

use std::collections::BTreeMap;

use onslaught_engine::{SpawnOptions, SpawnerState};
use onslaught_metrics::LatencySummary;
use onslaught_report::{Report, TimelinePoint};
use serde::Serialize;
use uuid::Uuid;

use crate::registry::{SpawnRecord, SpawnerInfo};
use crate::time;

/// `GET /api/spawns/{id}`.
#[derive(Debug, Serialize)]
pub struct SpawnView {
    pub id: Uuid,
    pub state: SpawnerState,
    /// The node where the spawn was created.
    pub origin: String,
    pub created_at: String,
    pub created_at_ms: u64,
    pub elapsed_s: f64,
    pub remaining_s: f64,
    /// Ramp-up plus run time, per the options.
    pub planned_duration_s: f64,
    /// Requests per second one node aims for; null when back-to-back.
    pub planned_rps_per_node: Option<f64>,
    pub node_count: usize,
    pub options: SpawnOptions,
    pub spawners: Vec<SpawnerInfo>,
    /// Shaped like the JSON report of `onslaught run --output json`.
    pub totals: Report,
}

impl SpawnView {
    pub fn of(record: &SpawnRecord, node_count: usize) -> SpawnView {
        SpawnView {
            id: record.id,
            state: record.state(),
            origin: record.origin.clone(),
            created_at: time::rfc3339(record.created_at()),
            created_at_ms: time::unix_ms(record.created_at()),
            elapsed_s: record.elapsed().as_secs_f64(),
            remaining_s: record.remaining().as_secs_f64(),
            planned_duration_s: record.options.total_duration().as_secs_f64(),
            planned_rps_per_node: record.options.planned_rps(),
            node_count,
            options: record.options.clone(),
            spawners: record.spawners(),
            totals: record.summary().report.clone(),
        }
    }
}

/// `GET /api/spawns/{id}/metrics`: the series merged and per spawner.
#[derive(Debug, Serialize)]
pub struct MetricsView {
    pub id: Uuid,
    pub state: SpawnerState,
    pub merged: Vec<TimelinePoint>,
    pub nodes: Vec<SpawnerSeriesView>,
}

#[derive(Debug, Serialize)]
pub struct SpawnerSeriesView {
    pub node: String,
    pub spawner: String,
    pub points: Vec<TimelinePoint>,
}

impl MetricsView {
    /// The series, keeping only points from second `since` on.
    pub fn of(record: &SpawnRecord, since: u32) -> MetricsView {
        let keep = |points: Vec<TimelinePoint>| -> Vec<TimelinePoint> {
            points.into_iter().filter(|p| p.t >= since).collect()
        };
        MetricsView {
            id: record.id,
            state: record.state(),
            merged: keep(record.merged_points()),
            nodes: record
                .spawner_series()
                .into_iter()
                .map(|s| SpawnerSeriesView {
                    node: s.node,
                    spawner: s.spawner,
                    points: keep(s.points),
                })
                .collect(),
        }
    }
}

/// The headline numbers live updates carry; the full report is larger.
#[derive(Debug, Serialize)]
pub struct LiveTotals {
    pub requests: u64,
    pub rps: f64,
    pub error_percent: f64,
    pub latency_ms: LatencySummary,
    pub statuses: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
}

/// What changes on a spawn's card from moment to moment.
#[derive(Debug, Serialize)]
pub struct StatusView {
    pub spawn: Uuid,
    pub state: SpawnerState,
    pub elapsed_s: f64,
    pub remaining_s: f64,
    pub node_count: usize,
    pub spawners: Vec<SpawnerInfo>,
    pub totals: LiveTotals,
}

impl StatusView {
    pub fn of(record: &SpawnRecord, node_count: usize) -> StatusView {
        let summary = record.summary();
        let report = &summary.report;
        StatusView {
            spawn: record.id,
            state: record.state(),
            elapsed_s: record.elapsed().as_secs_f64(),
            remaining_s: record.remaining().as_secs_f64(),
            node_count,
            spawners: record.spawners(),
            totals: LiveTotals {
                requests: report.requests,
                rps: report.rps,
                error_percent: report.error_percent,
                latency_ms: report.latency_ms,
                statuses: report.statuses.clone(),
                errors: report.errors.clone(),
            },
        }
    }
}

/// Everything a page needs to draw a spawn from scratch.
#[derive(Debug, Serialize)]
pub struct SnapshotView {
    #[serde(flatten)]
    pub status: StatusView,
    pub merged: Vec<TimelinePoint>,
    pub nodes: Vec<SpawnerSeriesView>,
}

impl SnapshotView {
    pub fn of(record: &SpawnRecord, node_count: usize) -> SnapshotView {
        let metrics = MetricsView::of(record, 0);
        SnapshotView {
            status: StatusView::of(record, node_count),
            merged: metrics.merged,
            nodes: metrics.nodes,
        }
    }
}

/// One second of one spawner just arrived: its points and the merged ones.
#[derive(Debug, Serialize)]
pub struct PointsView<'a> {
    pub spawn: Uuid,
    pub t: u32,
    pub merged: &'a [TimelinePoint],
    pub node: &'a str,
    pub spawner: &'a str,
    pub points: &'a [TimelinePoint],
}
