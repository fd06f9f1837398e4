//! Foca's timer events, kept in a heap the node's loop sleeps on, so that no task
//! is spawned per timer.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Duration;

use foca::Timer;
use tokio::time::Instant;

use crate::identity::NodeId;

struct Scheduled {
    due: Instant,
    // Keeps events scheduled for the same instant in submission order.
    order: u64,
    timer: Timer<NodeId>,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.due, self.order).cmp(&(other.due, other.order))
    }
}

/// Pending foca timers, earliest first.
#[derive(Default)]
pub(crate) struct TimerQueue {
    heap: BinaryHeap<Reverse<Scheduled>>,
    next_order: u64,
}

impl TimerQueue {
    pub fn schedule(&mut self, timer: Timer<NodeId>, after: Duration) {
        let scheduled = Scheduled {
            due: Instant::now() + after,
            order: self.next_order,
            timer,
        };
        self.next_order += 1;
        self.heap.push(Reverse(scheduled));
    }

    /// When the earliest timer is due, if any is pending.
    pub fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse(scheduled)| scheduled.due)
    }

    /// Takes the earliest timer if it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<Timer<NodeId>> {
        if self.next_due()? > now {
            return None;
        }
        self.heap.pop().map(|Reverse(scheduled)| scheduled.timer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn timers_fire_in_due_order_and_not_before() {
        let mut queue = TimerQueue::default();
        queue.schedule(Timer::ProbeRandomMember(2), Duration::from_millis(200));
        queue.schedule(Timer::PeriodicGossip(1), Duration::from_millis(100));
        queue.schedule(Timer::PeriodicAnnounce(3), Duration::from_millis(100));

        assert!(queue.pop_due(Instant::now()).is_none());
        tokio::time::advance(Duration::from_millis(150)).await;

        let now = Instant::now();
        assert_eq!(queue.pop_due(now), Some(Timer::PeriodicGossip(1)));
        assert_eq!(queue.pop_due(now), Some(Timer::PeriodicAnnounce(3)));
        assert_eq!(queue.pop_due(now), None);

        let due = queue.next_due().unwrap();
        assert_eq!(queue.pop_due(due), Some(Timer::ProbeRandomMember(2)));
        assert_eq!(queue.next_due(), None);
    }
}
