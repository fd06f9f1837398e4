//! Connection pools: `pool_count` of them per client, each holding up to
//! `pool_size` connections shared by every session of a spawner.

mod h1;
mod h2;

use std::sync::atomic::{AtomicBool, Ordering};

pub(crate) use h1::{Grant, H1Pool, Slot};
pub(crate) use h2::{H2Pool, Stream};

/// One pool. It speaks HTTP/1.1 until a connection negotiates h2 (or
/// from the start under prior knowledge), then shares connections.
pub(crate) struct Pool {
    pub index: usize,
    pub size: usize,
    speaks_h2: AtomicBool,
    pub h1: H1Pool,
    pub h2: H2Pool,
}

/// A pool's occupancy, for the UI: HTTP/1.1 connections checked out, or
/// HTTP/2 streams in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolStatus {
    pub index: usize,
    pub in_use: usize,
    pub size: usize,
}

impl Pool {
    pub fn new(index: usize, size: usize, h2: bool) -> Pool {
        Pool {
            index,
            size,
            speaks_h2: AtomicBool::new(h2),
            h1: H1Pool::new(size),
            h2: H2Pool::new(size),
        }
    }

    pub fn speaks_h2(&self) -> bool {
        self.speaks_h2.load(Ordering::Acquire)
    }

    pub fn h2_flag(&self) -> &AtomicBool {
        &self.speaks_h2
    }

    /// Sends later requests, and those parked for an HTTP/1.1 connection,
    /// to the shared HTTP/2 connections.
    pub fn switch_to_h2(&self) {
        if !self.speaks_h2.swap(true, Ordering::AcqRel) {
            tracing::debug!(
                pool = self.index,
                "target negotiated h2; pool now multiplexes"
            );
            self.h1.wake_all();
        }
    }

    /// The target stopped offering h2 (a different server behind the name).
    pub fn switch_to_h1(&self) {
        if self.speaks_h2.swap(false, Ordering::AcqRel) {
            tracing::debug!(pool = self.index, "target fell back to http/1.1");
        }
    }

    pub fn status(&self) -> PoolStatus {
        PoolStatus {
            index: self.index,
            in_use: self.h1.in_use() + self.h2.streams(),
            size: self.size,
        }
    }
}
