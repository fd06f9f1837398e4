//! `GET /health`: open to load balancers, cheap, and always 200 while the
//! node can answer at all.

use axum::extract::State;
use axum::Json;
use onslaught_engine::SpawnerState;
use serde::Serialize;

use crate::app::App;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub node: String,
    pub version: &'static str,
    pub nodes_connected: usize,
    pub spawns_running: usize,
}

pub async fn health(State(app): State<App>) -> Json<Health> {
    let registry = &app.registry;
    let spawns_running = registry
        .list()
        .iter()
        .filter(|r| r.state() == SpawnerState::Running)
        .count();
    Json(Health {
        status: "ok",
        node: registry.node_name().to_owned(),
        version: env!("CARGO_PKG_VERSION"),
        nodes_connected: registry.node_count(),
        spawns_running,
    })
}
