//! Latency and outcome bookkeeping for Onslaught.
//!
//! Everything here is plain data and arithmetic: no I/O, no tasks. The
//! engine records into it on the request path; reports, the web UI and the
//! cluster read and merge what it produces.
//!
//! Latencies are kept in microseconds in HDR histograms of one fixed shape
//! (see [`new_histogram`]), so any two of them merge exactly: cluster-wide
//! percentiles come from merged counts, never from averaged percentiles.

mod codec;
mod compact;
mod histogram;
mod outcome;
mod outcome_histograms;
mod recorder;
mod slice;
mod summary;
mod timeline;

pub use codec::{
    decode_slice, decode_timeline, encode_slice, encode_timeline, DecodeError, EncodeError,
};
pub use hdrhistogram::Histogram;
pub use histogram::{merge_histogram, new_histogram, HIGHEST_US, LOWEST_US, SIGNIFICANT_DIGITS};
pub use outcome::{ErrorKind, Outcome, UnknownOutcome};
pub use outcome_histograms::OutcomeHistograms;
pub use recorder::Recorder;
pub use slice::{Sample, Slice};
pub use summary::LatencySummary;
pub use timeline::Timeline;
