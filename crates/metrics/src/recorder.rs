//! The lock-sharded recorder of one spawner.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use crate::{Sample, Slice};

/// The lock-sharded recorder of one spawner.
///
/// Sessions call [`Recorder::record`] on the request path, each with its own
/// shard index, so sessions on different shards never contend; a collector
/// calls [`Recorder::harvest`] once a second. A sample for a second that was
/// already harvested is not lost: it comes out of the next harvest, and
/// [`Timeline`](crate::Timeline) merges it into that second.
///
/// Each shard keeps a dense histogram per open second and outcome (184 KiB
/// each), so a shard count near the number of recording threads is plenty.
pub struct Recorder {
    shards: Box<[Padded<Mutex<Shard>>]>,
}

/// Keeps each shard's lock on its own cache lines; 128 bytes because some
/// CPUs prefetch cache lines in pairs.
#[repr(align(128))]
struct Padded<T>(T);

/// The slices one shard is filling, plus emptied ones ready for reuse.
#[derive(Default)]
struct Shard {
    /// Few entries (usually the current second, sometimes the previous one).
    open: Vec<(u32, Slice)>,
    spare: Vec<Slice>,
}

impl Shard {
    fn record(&mut self, sample: &Sample) {
        let index = match self
            .open
            .iter()
            .position(|(second, _)| *second == sample.second)
        {
            Some(index) => index,
            None => {
                let slice = self.spare.pop().unwrap_or_default();
                self.open.push((sample.second, slice));
                self.open.len() - 1
            }
        };
        self.open[index].1.record(sample);
    }

    fn take_where(&mut self, wanted: impl Fn(u32) -> bool, taken: &mut Vec<(u32, Slice)>) {
        let mut index = 0;
        while index < self.open.len() {
            if wanted(self.open[index].0) {
                taken.push(self.open.swap_remove(index));
            } else {
                index += 1;
            }
        }
    }
}

impl Recorder {
    /// A recorder with `num_shards` independent locks (at least one).
    pub fn new(num_shards: usize) -> Recorder {
        let shards = (0..num_shards.max(1))
            .map(|_| Padded(Mutex::new(Shard::default())))
            .collect();
        Recorder { shards }
    }

    /// Number of shards; `record` reduces any index modulo this.
    pub fn num_shards(&self) -> usize {
        self.shards.len()
    }

    /// Files one sample under shard `shard % num_shards`, taking only that lock.
    ///
    /// Allocates nothing once the shard has seen the sample's outcome before.
    pub fn record(&self, shard: usize, sample: Sample) {
        self.lock(shard % self.shards.len()).record(&sample);
    }

    /// Takes every second before `before_second` out of all shards, merged
    /// per second and in ascending order.
    pub fn harvest(&self, before_second: u32) -> Vec<(u32, Slice)> {
        self.harvest_where(|second| second < before_second)
    }

    /// Takes everything recorded so far, for the end of a run.
    pub fn harvest_all(&self) -> Vec<(u32, Slice)> {
        self.harvest_where(|_| true)
    }

    fn harvest_where(&self, wanted: impl Fn(u32) -> bool) -> Vec<(u32, Slice)> {
        let mut merged: BTreeMap<u32, Slice> = BTreeMap::new();
        let mut taken = Vec::new();
        for index in 0..self.shards.len() {
            // Merging and clearing happen outside the lock so recording
            // sessions wait only for a few pointer moves.
            self.lock(index).take_where(&wanted, &mut taken);
            if taken.is_empty() {
                continue;
            }
            for (second, slice) in &mut taken {
                merged.entry(*second).or_default().merge(slice);
                slice.reset();
            }
            let mut shard_guard = self.lock(index);
            shard_guard
                .spare
                .extend(taken.drain(..).map(|(_, slice)| slice));
        }
        merged.into_iter().collect()
    }

    fn lock(&self, index: usize) -> MutexGuard<'_, Shard> {
        // A panic elsewhere while holding the lock leaves at worst a
        // half-recorded sample; losing every later one would be worse.
        self.shards[index]
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Outcome};

    const OK: Outcome = Outcome::Status(200);

    fn requests_per_second(slices: &[(u32, Slice)]) -> Vec<(u32, u64)> {
        slices
            .iter()
            .map(|(second, slice)| (*second, slice.requests()))
            .collect()
    }

    #[test]
    fn harvest_takes_only_seconds_before_the_boundary() {
        let recorder = Recorder::new(4);
        for second in 0..4u32 {
            for shard in 0..=second as usize {
                recorder.record(shard, Sample::new(second, OK, 1_000));
            }
        }

        assert_eq!(requests_per_second(&recorder.harvest(2)), [(0, 1), (1, 2)]);
        assert!(recorder.harvest(2).is_empty());
        assert_eq!(requests_per_second(&recorder.harvest(3)), [(2, 3)]);
        assert_eq!(requests_per_second(&recorder.harvest_all()), [(3, 4)]);
        assert!(recorder.harvest_all().is_empty());
    }

    #[test]
    fn out_of_order_samples_land_in_their_own_second() {
        let recorder = Recorder::new(1);
        recorder.record(0, Sample::new(6, OK, 600));
        recorder.record(0, Sample::new(5, OK, 500));
        recorder.record(0, Sample::new(6, OK, 601));
        recorder.record(0, Sample::new(5, Outcome::Error(ErrorKind::Timeout), 5_000));

        let harvested = recorder.harvest(6);
        assert_eq!(requests_per_second(&harvested), [(5, 2)]);
        assert_eq!(harvested[0].1.outcomes.get(OK).map(|h| h.max()), Some(500));

        // A straggler for an already harvested second comes out next time.
        recorder.record(0, Sample::new(5, OK, 510));
        assert_eq!(requests_per_second(&recorder.harvest(7)), [(5, 1), (6, 2)]);
    }

    #[test]
    fn shard_index_wraps_and_zero_shards_means_one() {
        let recorder = Recorder::new(0);
        assert_eq!(recorder.num_shards(), 1);
        recorder.record(usize::MAX, Sample::new(0, OK, 1));

        let recorder = Recorder::new(3);
        recorder.record(7, Sample::new(0, OK, 1));
        assert_eq!(requests_per_second(&recorder.harvest_all()), [(0, 1)]);
    }

    #[test]
    fn harvested_slices_are_reused_by_their_shard() {
        let recorder = Recorder::new(1);
        recorder.record(0, Sample::new(0, OK, 1));
        recorder.harvest(1);
        assert_eq!(recorder.lock(0).spare.len(), 1);

        recorder.record(0, Sample::new(1, OK, 1));
        assert!(recorder.lock(0).spare.is_empty());
    }
}
