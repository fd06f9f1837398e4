//! `GET /metrics`: Prometheus text format.
//!
//! Spawn figures are the spawn's totals over the whole cluster as this
//! node sees them, so one node is enough to scrape; summing the same
//! spawn over several nodes' scrapes would count it more than once.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use onslaught_engine::SpawnerState;

use crate::app::App;
use crate::prometheus::{family, format_bound, sample, LATENCY_BOUNDS_S};
use crate::registry::SpawnRecord;

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub async fn metrics(State(app): State<App>) -> impl IntoResponse {
    let registry = &app.registry;
    let spawns = registry.list();
    let states: Vec<SpawnerState> = spawns.iter().map(|r| r.state()).collect();
    let mut out = String::with_capacity(4096);

    family(
        &mut out,
        "onslaught_build_info",
        "gauge",
        "Version of this node; always 1.",
    );
    sample(
        &mut out,
        "onslaught_build_info",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    family(
        &mut out,
        "onslaught_nodes_connected",
        "gauge",
        "Nodes of the cluster that are up, this one included.",
    );
    sample(
        &mut out,
        "onslaught_nodes_connected",
        &[],
        registry.node_count() as f64,
    );
    let running = states
        .iter()
        .filter(|s| **s == SpawnerState::Running)
        .count();
    family(
        &mut out,
        "onslaught_spawns_running",
        "gauge",
        "Spawns running now.",
    );
    sample(&mut out, "onslaught_spawns_running", &[], running as f64);

    family(
        &mut out,
        "onslaught_spawn_state",
        "gauge",
        "1 for the state each kept spawn is in.",
    );
    for (record, state) in spawns.iter().zip(&states) {
        let id = record.id.to_string();
        let state = serde_json::to_value(state).ok();
        let state = state.as_ref().and_then(|s| s.as_str()).unwrap_or("unknown");
        sample(
            &mut out,
            "onslaught_spawn_state",
            &[("spawn", &id), ("state", state)],
            1.0,
        );
    }
    family(
        &mut out,
        "onslaught_sessions_active",
        "gauge",
        "Sessions running now, by spawn, over all nodes.",
    );
    for (record, state) in spawns.iter().zip(&states) {
        if *state == SpawnerState::Running {
            let id = record.id.to_string();
            sample(
                &mut out,
                "onslaught_sessions_active",
                &[("spawn", &id)],
                record.sessions_active() as f64,
            );
        }
    }
    requests(&mut out, &spawns);
    latency(&mut out, &spawns);
    if let Some(traffic) = registry.cluster_traffic() {
        cluster_traffic(&mut out, &traffic);
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], out)
}

fn requests(out: &mut String, spawns: &[std::sync::Arc<SpawnRecord>]) {
    family(
        out,
        "onslaught_requests_total",
        "counter",
        "Requests completed, by spawn and outcome (HTTP status or error kind).",
    );
    for record in spawns {
        let id = record.id.to_string();
        let summary = record.summary();
        let report = &summary.report;
        for (outcome, count) in report.statuses.iter().chain(&report.errors) {
            sample(
                out,
                "onslaught_requests_total",
                &[("spawn", &id), ("outcome", outcome)],
                *count as f64,
            );
        }
    }
}

fn latency(out: &mut String, spawns: &[std::sync::Arc<SpawnRecord>]) {
    let name = "onslaught_request_duration_seconds";
    family(
        out,
        name,
        "histogram",
        "Request latency from when each request was due, by spawn.",
    );
    for record in spawns {
        let id = record.id.to_string();
        let summary = record.summary();
        let buckets = &summary.latency;
        for (bound, count) in LATENCY_BOUNDS_S.iter().zip(&buckets.cumulative) {
            let le = format_bound(*bound);
            sample(
                out,
                &format!("{name}_bucket"),
                &[("spawn", &id), ("le", &le)],
                *count as f64,
            );
        }
        sample(
            out,
            &format!("{name}_bucket"),
            &[("spawn", &id), ("le", "+Inf")],
            buckets.count as f64,
        );
        sample(
            out,
            &format!("{name}_sum"),
            &[("spawn", &id)],
            buckets.sum_s,
        );
        sample(
            out,
            &format!("{name}_count"),
            &[("spawn", &id)],
            buckets.count as f64,
        );
    }
}

/// What gossip and metrics exchange cost this node, for capacity planning.
fn cluster_traffic(out: &mut String, traffic: &onslaught_cluster::Traffic) {
    let flows = [
        (
            "onslaught_cluster_bytes_sent_total",
            "Bytes sent to other nodes.",
            traffic.gossip_bytes_sent,
            traffic.data_bytes_sent,
        ),
        (
            "onslaught_cluster_bytes_received_total",
            "Bytes received from other nodes.",
            traffic.gossip_bytes_received,
            traffic.data_bytes_received,
        ),
        (
            "onslaught_cluster_datagrams_sent_total",
            "Datagrams sent to other nodes.",
            traffic.gossip_datagrams_sent,
            traffic.data_datagrams_sent,
        ),
        (
            "onslaught_cluster_datagrams_received_total",
            "Datagrams received from other nodes.",
            traffic.gossip_datagrams_received,
            traffic.data_datagrams_received,
        ),
    ];
    for (name, help, gossip, data) in flows {
        family(out, name, "counter", help);
        sample(out, name, &[("kind", "gossip")], gossip as f64);
        sample(out, name, &[("kind", "data")], data as f64);
    }
    family(
        out,
        "onslaught_cluster_refused_datagrams_total",
        "counter",
        "Datagrams dropped because their cookie tag did not verify.",
    );
    sample(
        out,
        "onslaught_cluster_refused_datagrams_total",
        &[],
        traffic.refused_datagrams as f64,
    );
}
