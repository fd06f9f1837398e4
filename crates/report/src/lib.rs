//! The report of a finished (or stopped) spawn: built from its merged
//! timeline, rendered as text for people and JSON for machines, and checked
//! against pass/fail thresholds.
//!
//! The JSON field names are a contract (SPEC.md, "JSON report"): add fields,
//! never rename them.

mod buckets;
mod report;
mod series;
mod text;
mod threshold;
mod units;

pub use buckets::HistogramBucket;
pub use report::Report;
pub use series::{points_of, TimelinePoint};
pub use threshold::{Comparison, Metric, Threshold, ThresholdError, ThresholdResult};
pub use units::format_latency_ms;
