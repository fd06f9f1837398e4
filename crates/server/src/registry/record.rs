//! One spawn as this node knows it: its spawners (local and remote), the
//! merged series, and running totals.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use onslaught_engine::{Epoch, SpawnOptions, Spawner, SpawnerState, SpawnerStatus};
use onslaught_metrics::{Slice, Timeline};
use onslaught_report::{Report, TimelinePoint};
use serde::Serialize;
use uuid::Uuid;

use super::received::Received;
use super::series::Series;
use crate::node::SpawnAnnouncement;
use crate::prometheus::LatencyBuckets;

/// A spawn and everything this node has heard about it.
pub struct SpawnRecord {
    pub id: Uuid,
    pub options: SpawnOptions,
    /// The node where it was created.
    pub origin: String,
    pub epoch: Epoch,
    data: Mutex<SpawnData>,
}

struct SpawnData {
    /// Sorted by node, then spawner id, so cards keep their places.
    spawners: Vec<SpawnerEntry>,
    merged: Series,
    /// Every slice of every spawner merged: the source of the totals.
    totals: Slice,
    stop_requested: bool,
    /// How long the spawn ran, once no spawner runs any more.
    ended_after: Option<Duration>,
    /// Bumped on every new slice, so summaries are rebuilt only when stale.
    version: u64,
    summary: Option<(u64, Arc<Summary>)>,
}

struct SpawnerEntry {
    status: SpawnerStatus,
    series: Series,
    /// The engine handle of a spawner on this node, dropped once it ends so
    /// its own timeline does not outlive it in memory.
    local: Option<Spawner>,
    /// Its node left the cluster while it ran; the spawn does not wait for it.
    node_down: bool,
    /// What arrived from a remote spawner, to reconcile with its final timeline.
    received: Received,
}

/// A spawner as cards and the API show it, with the health of its node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpawnerInfo {
    #[serde(flatten)]
    pub status: SpawnerStatus,
    /// The spawner's node is down: its numbers stopped where they were.
    pub node_down: bool,
}

/// Totals of a spawn at one moment: the JSON report and its latency buckets.
#[derive(Debug)]
pub struct Summary {
    pub report: Report,
    pub latency: LatencyBuckets,
}

/// Points that changed when a slice arrived.
#[derive(Debug)]
pub struct Ingested {
    pub second: u32,
    pub merged: Vec<TimelinePoint>,
    pub node: String,
    pub spawner: String,
    pub points: Vec<TimelinePoint>,
}

/// One spawner's series, for charts and the metrics endpoint.
#[derive(Debug)]
pub struct SpawnerSeries {
    pub node: String,
    pub spawner: String,
    pub points: Vec<TimelinePoint>,
}

impl SpawnRecord {
    pub fn new(id: Uuid, options: SpawnOptions, origin: &str, epoch: Epoch) -> SpawnRecord {
        SpawnRecord {
            id,
            options,
            origin: origin.to_owned(),
            epoch,
            data: Mutex::new(SpawnData {
                spawners: Vec::new(),
                merged: Series::default(),
                totals: Slice::new(),
                stop_requested: false,
                ended_after: None,
                version: 0,
                summary: None,
            }),
        }
    }

    /// The spawn as it was announced, for re-announcing it.
    pub fn announcement(&self) -> SpawnAnnouncement {
        SpawnAnnouncement {
            id: self.id,
            options: self.options.clone(),
            started_at_ms: self.epoch.unix_ms(),
            origin: self.origin.clone(),
        }
    }

    pub fn created_at(&self) -> SystemTime {
        self.epoch.wall()
    }

    /// Adds this node's spawner.
    pub fn add_local(&self, spawner: Spawner) {
        let status = spawner.status();
        let mut data = self.lock();
        data.ended_after = None;
        let entry = data.entry(&status);
        entry.local = Some(spawner);
    }

    /// Merges one harvested second of one spawner.
    pub fn ingest(&self, status: &SpawnerStatus, second: u32, slice: &Slice) -> Ingested {
        let mut data = self.lock();
        data.version += 1;
        data.totals.merge(slice);
        let merged = data.merged.add(second, slice);
        let entry = data.entry(status);
        entry.status = status.clone();
        entry.node_down = false;
        let points = entry.series.add(second, slice);
        Ingested {
            second,
            merged,
            node: status.node.clone(),
            spawner: status.id.clone(),
            points,
        }
    }

    /// Notes one second a remote spawner sent, before it is ingested.
    pub fn note_received(&self, status: &SpawnerStatus, second: u32, slice: &Slice) -> bool {
        self.lock().entry(status).received.add(second, slice)
    }

    /// The seconds of a remote spawner's final timeline that were not yet
    /// ingested here (lost datagrams); empty when everything had arrived.
    pub fn reconcile(
        &self,
        status: &SpawnerStatus,
        timeline: &Timeline,
        last: bool,
    ) -> Vec<(u32, Slice)> {
        self.lock().entry(status).received.reconcile(timeline, last)
    }

    /// Records a spawner's latest status; returns true if the spawn just ended.
    pub fn set_status(&self, status: &SpawnerStatus) -> bool {
        let mut data = self.lock();
        let entry = data.entry(status);
        entry.status = status.clone();
        entry.node_down = false;
        if status.state != SpawnerState::Running {
            entry.local = None;
            entry.series.close_all();
        }
        self.check_ended(&mut data)
    }

    /// Marks the running spawners of `node` as down; returns true if the
    /// spawn just ended because nothing else runs.
    pub fn mark_node_down(&self, node: &str) -> bool {
        let mut data = self.lock();
        let mut changed = false;
        for entry in data.spawners.iter_mut() {
            let running = entry.status.state == SpawnerState::Running;
            if entry.status.node == node && running && entry.local.is_none() && !entry.node_down {
                entry.node_down = true;
                // Whatever it was doing, nothing of it can be counted as
                // active any more; its series so far is kept.
                entry.status.sessions_active = 0;
                for pool in &mut entry.status.pools {
                    pool.in_use = 0;
                }
                entry.series.close_all();
                changed = true;
            }
        }
        changed && self.check_ended(&mut data)
    }

    /// Notes the end once nothing runs any more; a spawner of a node that
    /// came back reopens it.
    fn check_ended(&self, data: &mut SpawnData) -> bool {
        if data.running() {
            data.ended_after = None;
            return false;
        }
        if data.ended_after.is_some() {
            return false;
        }
        data.ended_after = Some(self.epoch.elapsed());
        data.merged.close_all();
        true
    }

    pub fn stop_requested(&self) -> bool {
        self.lock().stop_requested
    }

    /// Marks the spawn stopped and hands back the local spawners to stop.
    pub fn request_stop(&self) -> Vec<Spawner> {
        let mut data = self.lock();
        data.stop_requested = true;
        data.spawners
            .iter()
            .filter_map(|e| e.local.clone())
            .collect()
    }

    pub fn state(&self) -> SpawnerState {
        let data = self.lock();
        if data.running() {
            return SpawnerState::Running;
        }
        let stopped = data.stop_requested
            || data
                .spawners
                .iter()
                .any(|e| e.status.state == SpawnerState::Stopped);
        if stopped {
            SpawnerState::Stopped
        } else {
            SpawnerState::Finished
        }
    }

    /// How long the spawn has run, or ran.
    pub fn elapsed(&self) -> Duration {
        self.lock()
            .ended_after
            .unwrap_or_else(|| self.epoch.elapsed())
    }

    /// Time left by the plan; zero once ended.
    pub fn remaining(&self) -> Duration {
        match self.lock().ended_after {
            Some(_) => Duration::ZERO,
            None => self
                .options
                .total_duration()
                .saturating_sub(self.epoch.elapsed()),
        }
    }

    /// Spawners as the cards show them; a running local one is read live.
    pub fn spawners(&self) -> Vec<SpawnerInfo> {
        let data = self.lock();
        data.spawners
            .iter()
            .map(|e| SpawnerInfo {
                status: match &e.local {
                    Some(spawner) => spawner.status(),
                    None => e.status.clone(),
                },
                node_down: e.node_down,
            })
            .collect()
    }

    /// Sessions running right now over all spawners whose node is up.
    pub fn sessions_active(&self) -> u64 {
        self.spawners()
            .iter()
            .filter(|s| !s.node_down)
            .map(|s| u64::from(s.status.sessions_active))
            .sum()
    }

    pub fn merged_points(&self) -> Vec<TimelinePoint> {
        self.lock().merged.points()
    }

    pub fn spawner_series(&self) -> Vec<SpawnerSeries> {
        let data = self.lock();
        data.spawners
            .iter()
            .map(|e| SpawnerSeries {
                node: e.status.node.clone(),
                spawner: e.status.id.clone(),
                points: e.series.points(),
            })
            .collect()
    }

    /// The report-shaped totals, rebuilt only when new data arrived.
    pub fn summary(&self) -> Arc<Summary> {
        let state = self.state();
        let elapsed = self.elapsed();
        let mut data = self.lock();
        if let Some((version, summary)) = &data.summary {
            // A running spawn's duration grows, so its rps must be fresh.
            if *version == data.version && state != SpawnerState::Running {
                return summary.clone();
            }
        }
        let summary = Arc::new(self.build_summary(&data, state, elapsed));
        data.summary = Some((data.version, summary.clone()));
        summary
    }

    fn build_summary(&self, data: &SpawnData, state: SpawnerState, elapsed: Duration) -> Summary {
        // Report::build wants a timeline; the totals as one second give it
        // every count and percentile, and the real series is put in after.
        let totals: Timeline = std::iter::once((0, data.totals.clone())).collect();
        let mut report = Report::build(
            &self.id.to_string(),
            &self.options.url,
            elapsed,
            &totals,
            serde_json::to_value(&self.options).unwrap_or_default(),
            state == SpawnerState::Stopped,
        );
        report.timeline = data.merged.points();
        Summary {
            report,
            latency: LatencyBuckets::of(&data.totals.outcomes.total()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SpawnData> {
        // A panic while holding the lock leaves counts that are still
        // counts; carry on with them rather than poison every page.
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SpawnData {
    fn running(&self) -> bool {
        self.spawners
            .iter()
            .any(|e| e.status.state == SpawnerState::Running && !e.node_down)
    }

    /// The entry of a spawner, created on first sight.
    fn entry(&mut self, status: &SpawnerStatus) -> &mut SpawnerEntry {
        let key = (status.node.as_str(), status.id.as_str());
        let index = match self
            .spawners
            .binary_search_by(|e| (e.status.node.as_str(), e.status.id.as_str()).cmp(&key))
        {
            Ok(index) => index,
            Err(index) => {
                let entry = SpawnerEntry {
                    status: status.clone(),
                    series: Series::default(),
                    local: None,
                    node_down: false,
                    received: Received::default(),
                };
                self.spawners.insert(index, entry);
                index
            }
        };
        &mut self.spawners[index]
    }
}
