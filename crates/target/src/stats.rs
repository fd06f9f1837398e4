//! Exact request counters: the server's own account that load reports are checked against.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::config::FaultKind;

/// One slot per possible status code, so recording is a single indexed atomic add.
const STATUS_SLOTS: usize = 600;

/// Live counters shared by every connection of one server.
///
/// Counters are lock-free; `requests` is derived at snapshot time so the hot path
/// pays for exactly one atomic add per request.
pub(crate) struct Stats {
    statuses: Box<[AtomicU64]>,
    faults: [AtomicU64; 3],
}

impl Stats {
    pub(crate) fn new() -> Stats {
        Stats {
            statuses: (0..STATUS_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            faults: Default::default(),
        }
    }

    /// Counts a request answered with `status`.
    pub(crate) fn record_status(&self, status: u16) {
        if let Some(slot) = self.statuses.get(usize::from(status)) {
            slot.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a request answered with a fault.
    pub(crate) fn record_fault(&self, kind: FaultKind) {
        self.faults[fault_index(kind)].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request under whatever it was answered with.
    pub(crate) fn record(&self, counted: Counted) {
        match counted {
            Counted::Status(status) => self.record_status(status),
            Counted::Fault(kind) => self.record_fault(kind),
        }
    }

    /// Moves one count from `from` to `to`, for a request whose answer changed after counting.
    pub(crate) fn reclassify(&self, from: Counted, to: u16) {
        match from {
            Counted::Status(status) => self.take(&self.statuses[usize::from(status)]),
            Counted::Fault(kind) => self.take(&self.faults[fault_index(kind)]),
        }
        self.record_status(to);
    }

    fn take(&self, slot: &AtomicU64) {
        // Saturating so a reset racing with the move cannot wrap the counter.
        let _ = slot.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    /// Reads every counter.
    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        self.collect(|slot| slot.load(Ordering::Relaxed))
    }

    /// Zeroes every counter and returns what they held; each count lands in
    /// exactly one period because every slot is swapped, not read then cleared.
    pub(crate) fn reset(&self) -> StatsSnapshot {
        self.collect(|slot| slot.swap(0, Ordering::Relaxed))
    }

    fn collect(&self, read: impl Fn(&AtomicU64) -> u64) -> StatsSnapshot {
        let statuses: BTreeMap<u16, u64> = (0..STATUS_SLOTS)
            .filter_map(|code| {
                let count = read(&self.statuses[code]);
                (count > 0).then_some((code as u16, count))
            })
            .collect();
        let faults = FaultCounts {
            close: read(&self.faults[0]),
            stall: read(&self.faults[1]),
            garbage: read(&self.faults[2]),
        };
        let requests = statuses.values().sum::<u64>() + faults.total();

        StatsSnapshot {
            requests,
            statuses,
            faults,
        }
    }
}

/// What a request was counted as, so the count can be moved later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counted {
    Status(u16),
    Fault(FaultKind),
}

fn fault_index(kind: FaultKind) -> usize {
    match kind {
        FaultKind::Close => 0,
        FaultKind::Stall => 1,
        FaultKind::Garbage => 2,
    }
}

/// Requests counted by the server, by what it answered; also the JSON of `GET /_onslaught/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Every request whose head was received, control requests excluded.
    pub requests: u64,
    /// Count per status code answered; codes never answered are absent.
    pub statuses: BTreeMap<u16, u64>,
    /// Count per fault served instead of an answer.
    pub faults: FaultCounts,
}

impl StatsSnapshot {
    /// Requests answered with `status`.
    pub fn status(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }
}

/// Count per fault kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    pub close: u64,
    pub stall: u64,
    pub garbage: u64,
}

impl FaultCounts {
    /// Requests hit by `kind`.
    pub fn get(&self, kind: FaultKind) -> u64 {
        match kind {
            FaultKind::Close => self.close,
            FaultKind::Stall => self.stall,
            FaultKind::Garbage => self.garbage,
        }
    }

    /// Requests hit by any fault.
    pub fn total(&self) -> u64 {
        self.close + self.stall + self.garbage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_sums_statuses_and_faults() {
        let stats = Stats::new();
        stats.record_status(200);
        stats.record_status(200);
        stats.record_status(500);
        stats.record_fault(FaultKind::Stall);

        let snapshot = stats.snapshot();
        assert_eq!(snapshot.requests, 4);
        assert_eq!(snapshot.status(200), 2);
        assert_eq!(snapshot.status(500), 1);
        assert_eq!(snapshot.faults.get(FaultKind::Stall), 1);
    }

    #[test]
    fn reset_returns_the_old_counts_and_zeroes() {
        let stats = Stats::new();
        stats.record_status(200);
        assert_eq!(stats.reset().requests, 1);
        assert_eq!(stats.snapshot(), StatsSnapshot::default());
    }

    #[test]
    fn reclassify_moves_one_count() {
        let stats = Stats::new();
        stats.record_fault(FaultKind::Close);
        stats.reclassify(Counted::Fault(FaultKind::Close), 400);
        let snapshot = stats.snapshot();
        assert_eq!((snapshot.requests, snapshot.status(400)), (1, 1));
        assert_eq!(snapshot.faults.total(), 0);
    }

    #[test]
    fn json_keys_are_status_strings() {
        let stats = Stats::new();
        stats.record_status(204);
        let json = serde_json::to_value(stats.snapshot()).unwrap();
        assert_eq!(json["statuses"]["204"], 1);
        assert_eq!(json["faults"]["garbage"], 0);
    }
}
