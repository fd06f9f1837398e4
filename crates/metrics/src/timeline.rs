//! The per-second series of a spawner, or of a whole spawn.

use std::collections::BTreeMap;

use crate::compact::CompactSlice;
use crate::Slice;

/// The per-second series of a spawner or of a whole spawn (merged over
/// spawners and nodes). Seconds count from the start of the spawn.
///
/// Seconds are stored compactly (non-empty buckets only), so a long spawn
/// costs kilobytes per second, not hundreds; reading a second back builds a
/// full [`Slice`], which is why [`Timeline::iter`] yields slices by value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    seconds: BTreeMap<u32, CompactSlice>,
}

impl Timeline {
    /// An empty series.
    pub fn new() -> Timeline {
        Timeline::default()
    }

    /// Merges `slice` into `second`, creating the second if it is new.
    /// An empty slice adds nothing, not even the second.
    pub fn add(&mut self, second: u32, slice: &Slice) {
        if slice.is_empty() {
            return;
        }
        self.seconds.entry(second).or_default().merge_slice(slice);
    }

    /// Merges every second of `other` into this series.
    pub fn merge(&mut self, other: &Timeline) {
        for (second, compact) in &other.seconds {
            self.seconds.entry(*second).or_default().merge(compact);
        }
    }

    /// The seconds in ascending order, each rebuilt as a full slice.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Slice)> + '_ {
        self.seconds
            .iter()
            .map(|(second, compact)| (*second, compact.to_slice()))
    }

    /// One second, if anything was recorded in it.
    pub fn get(&self, second: u32) -> Option<Slice> {
        self.seconds.get(&second).map(CompactSlice::to_slice)
    }

    /// Everything merged into one slice.
    pub fn totals(&self) -> Slice {
        let mut totals = Slice::new();
        for compact in self.seconds.values() {
            compact.add_to(&mut totals);
        }
        totals
    }

    /// The earliest second with data.
    pub fn first_second(&self) -> Option<u32> {
        self.seconds.keys().next().copied()
    }

    /// The latest second with data.
    pub fn last_second(&self) -> Option<u32> {
        self.seconds.keys().next_back().copied()
    }

    /// Number of seconds with data.
    pub fn len(&self) -> usize {
        self.seconds.len()
    }

    /// True when no second has data.
    pub fn is_empty(&self) -> bool {
        self.seconds.is_empty()
    }
}

impl Extend<(u32, Slice)> for Timeline {
    fn extend<I: IntoIterator<Item = (u32, Slice)>>(&mut self, slices: I) {
        for (second, slice) in slices {
            self.add(second, &slice);
        }
    }
}

impl FromIterator<(u32, Slice)> for Timeline {
    fn from_iter<I: IntoIterator<Item = (u32, Slice)>>(slices: I) -> Timeline {
        let mut timeline = Timeline::new();
        timeline.extend(slices);
        timeline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Outcome, Sample};

    fn slice_of(samples: &[(Outcome, u64)]) -> Slice {
        let mut slice = Slice::new();
        for &(outcome, latency_us) in samples {
            slice.record(&Sample::new(0, outcome, latency_us));
        }
        slice
    }

    #[test]
    fn adding_to_an_existing_second_merges_it() {
        let ok = Outcome::Status(200);
        let reset = Outcome::Error(ErrorKind::Reset);
        let mut timeline = Timeline::new();
        timeline.add(3, &slice_of(&[(ok, 100), (ok, 200)]));
        timeline.add(1, &slice_of(&[(reset, 50)]));
        timeline.add(3, &slice_of(&[(reset, 300)]));

        let seconds: Vec<_> = timeline
            .iter()
            .map(|(second, slice)| (second, slice.requests()))
            .collect();
        assert_eq!(seconds, [(1, 1), (3, 3)]);
        assert_eq!(
            timeline.get(3),
            Some(slice_of(&[(ok, 100), (ok, 200), (reset, 300)]))
        );
        assert_eq!(
            (timeline.first_second(), timeline.last_second()),
            (Some(1), Some(3))
        );

        let totals = timeline.totals();
        assert_eq!(totals.requests(), 4);
        assert_eq!(totals.outcomes.get(reset).map(|h| h.len()), Some(2));
        assert_eq!(totals.outcomes.total().max(), 300);
    }

    #[test]
    fn merging_timelines_equals_building_one() {
        let ok = Outcome::Status(200);
        let mut left = Timeline::new();
        let mut right = Timeline::new();
        let mut both = Timeline::new();
        for second in 0..6u32 {
            let slice = slice_of(&[(ok, u64::from(second) * 1_000 + 7)]);
            let side = if second % 2 == 0 {
                &mut left
            } else {
                &mut right
            };
            side.add(second, &slice);
            side.add(5, &slice);
            both.add(second, &slice);
            both.add(5, &slice);
        }
        left.merge(&right);

        assert_eq!(left, both);
        assert_eq!(left.get(5).map(|slice| slice.requests()), Some(7));
        assert_eq!(Timeline::new().last_second(), None);
    }
}
