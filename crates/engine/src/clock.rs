//! Spawn time: one epoch per spawn, shared by every node, so that second 7
//! of one node's timeline is second 7 of every other node's.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// The moment a spawn began, as wall-clock time (which travels between
/// nodes) and as the local monotonic instant it corresponds to (which the
/// schedule runs on).
#[derive(Debug, Clone, Copy)]
pub struct Epoch {
    wall: SystemTime,
    instant: Instant,
}

impl Epoch {
    pub fn now() -> Epoch {
        Epoch {
            wall: SystemTime::now(),
            instant: Instant::now(),
        }
    }

    /// The local instant of a wall-clock start time set by another node.
    ///
    /// A start in the future (clocks a little apart) is clamped to now: a
    /// spawn should never wait on clock skew.
    pub fn from_wall(wall: SystemTime) -> Epoch {
        let now_wall = SystemTime::now();
        let now = Instant::now();
        let age = now_wall.duration_since(wall).unwrap_or_default();
        let instant = now.checked_sub(age).unwrap_or(now);
        Epoch { wall, instant }
    }

    pub fn wall(&self) -> SystemTime {
        self.wall
    }

    pub fn instant(&self) -> Instant {
        self.instant
    }

    /// Milliseconds since the Unix epoch, the form used on the wire.
    pub fn unix_ms(&self) -> u64 {
        self.wall
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default()
    }

    pub fn from_unix_ms(ms: u64) -> Epoch {
        Epoch::from_wall(SystemTime::UNIX_EPOCH + Duration::from_millis(ms))
    }

    /// The timeslice an instant falls in.
    pub fn second_of(&self, at: Instant) -> u32 {
        let secs = at.saturating_duration_since(self.instant).as_secs();
        u32::try_from(secs).unwrap_or(u32::MAX)
    }

    pub fn elapsed(&self) -> Duration {
        self.instant.elapsed()
    }
}
