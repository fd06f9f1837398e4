//! HTTP/1.1 connections of one pool: each request checks one out for
//! itself, and the pool never holds more than its size.
//!
//! The hot path is lock-free: idle connections sit in a bounded queue and
//! the connection budget is an atomic counter. Only requests that find the
//! pool exhausted touch the `Notify`, and returners look at it only when
//! someone is known to be waiting.
//!
//! While requests wait, what is given back (a connection, or the budget
//! of a closed one) is handed to them rather than left for anyone: a
//! session that returns a connection and asks again at once would
//! otherwise take it back before the waiter woken for it runs, and
//! waiters could starve into timeouts that say nothing about the target.

use std::pin::pin;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};

use crossbeam_queue::ArrayQueue;
use tokio::sync::Notify;

use crate::h1::Connection;

pub(crate) struct H1Pool {
    idle: ArrayQueue<Box<Connection>>,
    /// Connections returned while requests were waiting; only waiters
    /// take from here.
    handed_over: ArrayQueue<Box<Connection>>,
    /// Budget units freed while requests were waiting, still counted in
    /// `open`; only waiters claim them, to dial.
    handed_budget: AtomicUsize,
    /// Connections idle, handed over, checked out or being dialed, plus
    /// handed budget. Each connection is owned by a queue or by exactly
    /// one [`Slot`].
    open: AtomicUsize,
    /// Requests parked in [`H1Pool::wait`]; returners skip the `Notify`
    /// while this is zero.
    waiters: AtomicUsize,
    returned: Notify,
    size: usize,
}

/// What a checkout got: an idle connection, or the right to dial one.
pub(crate) enum Grant<'a> {
    Idle(Box<Connection>, Slot<'a>),
    Dial(Slot<'a>),
}

/// One unit of the pool's connection budget. Dropping it gives the unit
/// back (the connection, if any, is gone); [`Slot::keep`] parks the
/// connection for the next request instead.
pub(crate) struct Slot<'a> {
    pool: &'a H1Pool,
}

impl H1Pool {
    pub fn new(size: usize) -> H1Pool {
        H1Pool {
            idle: ArrayQueue::new(size),
            handed_over: ArrayQueue::new(size),
            handed_budget: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            waiters: AtomicUsize::new(0),
            returned: Notify::new(),
            size,
        }
    }

    /// Connections checked out or being dialed right now.
    pub fn in_use(&self) -> usize {
        let unused =
            self.idle.len() + self.handed_over.len() + self.handed_budget.load(Ordering::Relaxed);
        self.open.load(Ordering::Relaxed).saturating_sub(unused)
    }

    /// Waits for a connection or the budget to dial one. Returns `None` as
    /// soon as `stop` is set: the pool moved to HTTP/2.
    pub async fn checkout(&self, stop: &AtomicBool) -> Option<Grant<'_>> {
        if let Some(grant) = self.try_checkout() {
            return Some(grant);
        }
        self.wait(stop).await
    }

    /// Takes a unit of budget even past the pool's size, for a connection
    /// that arrived by another route and would otherwise be wasted.
    pub fn adopt(&self) -> Slot<'_> {
        self.open.fetch_add(1, Ordering::AcqRel);
        Slot { pool: self }
    }

    /// Wakes every parked request so it can notice a change of protocol.
    pub fn wake_all(&self) {
        self.returned.notify_waiters();
    }

    fn try_checkout(&self) -> Option<Grant<'_>> {
        if let Some(connection) = self.idle.pop() {
            return Some(Grant::Idle(connection, Slot { pool: self }));
        }
        let below_size = |open: usize| (open < self.size).then_some(open + 1);
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, below_size)
            .ok()
            .map(|_| Grant::Dial(Slot { pool: self }))
    }

    async fn wait(&self, stop: &AtomicBool) -> Option<Grant<'_>> {
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let _parked = Parked(&self.waiters);
        // What was handed over belongs to the longest waiters, whom the
        // `Notify` wakes first; until woken once, a request queues behind
        // them instead of taking it.
        let mut woken = false;
        loop {
            // Register before looking, so a connection returned between
            // the look and the await still wakes us.
            let mut notified = pin!(self.returned.notified());
            notified.as_mut().enable();
            fence(Ordering::SeqCst);

            if stop.load(Ordering::Acquire) {
                return None;
            }
            if let Some(grant) = woken.then(|| self.take_handed()).flatten() {
                return Some(grant);
            }
            if let Some(grant) = self.try_checkout() {
                return Some(grant);
            }
            notified.await;
            woken = true;
        }
    }

    /// What was given back for waiters: a connection, or budget to dial.
    fn take_handed(&self) -> Option<Grant<'_>> {
        if let Some(connection) = self.handed_over.pop() {
            return Some(Grant::Idle(connection, Slot { pool: self }));
        }
        let claim = |units: usize| units.checked_sub(1);
        self.handed_budget
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, claim)
            .ok()
            .map(|_| Grant::Dial(Slot { pool: self }))
    }

    fn park(&self, connection: Box<Connection>) {
        let queue = if self.has_waiters() {
            &self.handed_over
        } else {
            &self.idle
        };
        match queue.push(connection) {
            Ok(()) => self.wake_one(),
            // Only possible after `adopt` overshot the size: close the extra.
            Err(_extra) => self.release(),
        }
    }

    fn release(&self) {
        // Budget past the size (see `adopt`) is never handed on.
        let within_size = self.open.load(Ordering::Acquire) <= self.size;
        if within_size && self.has_waiters() {
            self.handed_budget.fetch_add(1, Ordering::AcqRel);
        } else {
            self.open.fetch_sub(1, Ordering::AcqRel);
        }
        self.wake_one();
    }

    fn has_waiters(&self) -> bool {
        fence(Ordering::SeqCst);
        self.waiters.load(Ordering::SeqCst) > 0
    }

    fn wake_one(&self) {
        // Pairs with the fence in `wait`: either the waiter sees what we
        // just pushed or released, or we see the waiter.
        fence(Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            self.returned.notify_one();
        }
    }
}

impl Slot<'_> {
    /// Parks a connection whose last response was read in full.
    pub fn keep(self, connection: Box<Connection>) {
        let pool = self.pool;
        std::mem::forget(self);
        pool.park(connection);
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.pool.release();
    }
}

struct Parked<'a>(&'a AtomicUsize);

impl Drop for Parked<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
