//! Helpers shared by the engine's tests: build options the way a user
//! would, run a spawner to its end, and read its totals.

#![allow(dead_code)]

use std::time::Duration;

use onslaught_engine::{Epoch, SpawnOptions, SpawnRequest, Spawner, SpawnerConfig, SpawnerState};
use onslaught_metrics::{ErrorKind, Outcome, Slice, Timeline};

/// Options from `key=value` pairs, through the same validation as the CLI.
pub fn options(url: &str, fields: &[(&str, &str)]) -> SpawnOptions {
    let mut json = serde_json::Map::new();
    json.insert("url".into(), url.into());
    for (key, value) in fields {
        json.insert((*key).into(), (*value).into());
    }
    let request: SpawnRequest = serde_json::from_value(json.into()).expect("request shape");
    request.validate().expect("valid options")
}

pub fn start(options: SpawnOptions) -> Spawner {
    start_at(options, Epoch::now())
}

pub fn start_at(options: SpawnOptions, epoch: Epoch) -> Spawner {
    Spawner::start(SpawnerConfig {
        spawn_id: "test-spawn".into(),
        options,
        node: "test-node".into(),
        epoch,
    })
    .expect("spawner starts")
}

/// Runs a spawner to its end, failing the test if it overruns `limit`.
pub async fn run_to_end(spawner: &Spawner, limit: Duration) -> (SpawnerState, Timeline) {
    let state = tokio::time::timeout(limit, spawner.ended())
        .await
        .expect("spawner ended in time");
    (state, spawner.timeline())
}

pub fn count(totals: &Slice, outcome: Outcome) -> u64 {
    totals.outcomes.get(outcome).map_or(0, |h| h.len())
}

pub fn errors(totals: &Slice, kind: ErrorKind) -> u64 {
    count(totals, Outcome::Error(kind))
}
