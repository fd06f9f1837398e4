//! Spawn options: the one place where what a user asked for is checked.
//!
//! The CLI, the web form and the JSON API all build a [`SpawnRequest`] and
//! pass it through [`SpawnRequest::validate`], so the rules and the wording
//! of every error are the same wherever a spawn comes from.

mod raw;
mod validate;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use raw::{HeaderField, SpawnRequest};
pub use validate::{defaults, limits};

/// A checked spawn: every field present, in range and consistent.
///
/// This is what travels to every node of a cluster, so it stays plain data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpawnOptions {
    pub url: String,
    pub method: String,
    pub headers: Vec<HeaderField>,
    pub body: String,
    /// Sessions per node (closed model), or the in-flight cap per node
    /// when `rate` is set.
    pub session_count: u32,
    pub delay_between_spawns_ms: u64,
    pub seconds: u64,
    /// Pace of each session; 0 sends back-to-back.
    pub interval_ms: u64,
    /// Requests per second per node (open model), if set.
    pub rate: Option<u32>,
    pub pool_count: u32,
    pub pool_size: u32,
    pub timeout_ms: u64,
    pub retries: u32,
    /// Speak HTTP/2 over plain TCP (h2c prior knowledge).
    pub http2: bool,
    /// Accept any TLS certificate.
    pub insecure: bool,
}

impl SpawnOptions {
    /// How long the whole spawn lasts on one node, ramp-up included.
    ///
    /// In the closed model the last session starts after the ramp and then
    /// runs its full `seconds`; in the open model the schedule simply lasts
    /// `seconds`.
    pub fn total_duration(&self) -> Duration {
        let ramp_ms = match self.rate {
            Some(_) => 0,
            None => self
                .delay_between_spawns_ms
                .saturating_mul(u64::from(self.session_count.saturating_sub(1))),
        };
        Duration::from_millis(ramp_ms) + Duration::from_secs(self.seconds)
    }

    /// Requests per second one node aims for, if the target keeps up.
    pub fn planned_rps(&self) -> Option<f64> {
        match (self.rate, self.interval_ms) {
            (Some(rate), _) => Some(f64::from(rate)),
            (None, 0) => None,
            (None, interval) => Some(f64::from(self.session_count) * 1000.0 / interval as f64),
        }
    }
}

/// Field name → messages, the shape the API returns with a 422.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().flat_map(|(field, messages)| {
            messages.iter().map(move |m| (field.as_str(), m.as_str()))
        })
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for (field, message) in self.iter() {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{field}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}
