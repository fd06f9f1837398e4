//! Latency and outcome bookkeeping for Onslaught.
//!
//! Everything here is plain data and arithmetic: no I/O, no tasks. The
//! engine records into it on the request path; reports, the web UI and the
//! cluster read and merge what it produces.

mod outcome;

pub use outcome::{ErrorKind, Outcome, UnknownOutcome};
