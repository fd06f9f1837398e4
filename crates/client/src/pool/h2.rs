//! HTTP/2 connections of one pool: shared, not checked out. Requests take
//! turns over up to `size` connections, each carrying many streams.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock};

use tokio::sync::{Mutex, MutexGuard};

use crate::dial::H2Sender;

pub(crate) struct H2Pool {
    /// Allocated on first use, as most pools never speak HTTP/2.
    slots: OnceLock<Box<[H2Slot]>>,
    size: usize,
    next: AtomicUsize,
    streams: AtomicUsize,
}

/// One connection position. Requests only read-lock it to clone the
/// sender; a writer appears once per (re)connect, so readers almost never
/// wait and the lock is per connection, not per client.
#[derive(Default)]
struct H2Slot {
    sender: RwLock<Option<H2Sender>>,
    /// Held while dialing, so one dead slot leads to one new connection.
    dialing: Mutex<()>,
}

/// Counts a stream as in flight for as long as it lives.
pub(crate) struct Stream<'a>(&'a AtomicUsize);

impl H2Pool {
    pub fn new(size: usize) -> H2Pool {
        H2Pool {
            slots: OnceLock::new(),
            size,
            next: AtomicUsize::new(0),
            streams: AtomicUsize::new(0),
        }
    }

    pub fn streams(&self) -> usize {
        self.streams.load(Ordering::Relaxed)
    }

    pub fn stream(&self) -> Stream<'_> {
        self.streams.fetch_add(1, Ordering::Relaxed);
        Stream(&self.streams)
    }

    /// The next slot's sender, or the slot's index if it needs dialing.
    pub fn sender(&self) -> Result<H2Sender, usize> {
        let slots = self.slots();
        let index = match slots.len() {
            1 => 0,
            len => self.next.fetch_add(1, Ordering::Relaxed) % len,
        };
        slots[index].live().ok_or(index)
    }

    /// The slot's live sender, or the lock that entitles the holder to dial
    /// for it. Waiting for another dialer falls back to any live slot.
    pub async fn dial_lock(&self, index: usize) -> Result<H2Sender, MutexGuard<'_, ()>> {
        let slot = &self.slots()[index];
        let guard = match slot.dialing.try_lock() {
            Ok(guard) => guard,
            Err(_busy) => {
                if let Some(sender) = self.slots().iter().find_map(H2Slot::live) {
                    return Ok(sender);
                }
                slot.dialing.lock().await
            }
        };
        // Whoever held the lock before us may have connected already.
        slot.live().ok_or(guard)
    }

    pub fn install(&self, index: usize, sender: H2Sender) {
        *self.slots()[index].write() = Some(sender);
    }

    /// Files a connection dialed by an HTTP/1.1 request that found h2, in
    /// the first slot without a live connection, if there is one.
    pub fn adopt(&self, sender: H2Sender) {
        for slot in self.slots().iter() {
            let mut current = slot.write();
            if !matches!(&*current, Some(live) if !live.is_closed()) {
                *current = Some(sender);
                return;
            }
        }
    }

    fn slots(&self) -> &[H2Slot] {
        self.slots
            .get_or_init(|| (0..self.size).map(|_| H2Slot::default()).collect())
    }
}

impl H2Slot {
    fn live(&self) -> Option<H2Sender> {
        let current = self.sender.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|sender| !sender.is_closed())
            .cloned()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Option<H2Sender>> {
        self.sender.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Stream<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
