//! /metrics in Prometheus text format, live updates over SSE, and `run`.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::World;
use http_body_util::BodyExt;
use hyper::StatusCode;
use onslaught_server::{ServeArgs, ServeError};
use serde_json::{json, Value};
use tokio::time::Instant;

/// One sample line: name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the text format strictly enough that a malformed line fails.
fn parse_prometheus(text: &str) -> Vec<Sample> {
    let mut typed = Vec::new();
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            assert!(["gauge", "counter", "histogram"].contains(&kind), "{line}");
            typed.push(name.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (
                name,
                rest.strip_suffix('}').unwrap_or_else(|| panic!("{line}")),
            ),
            None => (series, ""),
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| {
                name.strip_suffix(suffix)
                    .filter(|f| typed.iter().any(|t| t == f))
            })
            .unwrap_or(name);
        assert!(
            typed.iter().any(|t| t == family),
            "sample before its TYPE: {line}"
        );
        let labels = labels
            .split(',')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or_else(|| panic!("{line}"));
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or_else(|| panic!("{line}"));
                (key.to_owned(), value.to_owned())
            })
            .collect();
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    samples
}

fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_prometheus_text_with_spawn_series() {
    let world = World::start().await;
    let id = world
        .create(json!({"session_count": 2, "interval_ms": 20, "seconds": 1}))
        .await;
    let running = world.get("/metrics").send().await;
    assert_eq!(running.status, StatusCode::OK);
    assert!(running
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let samples = parse_prometheus(&running.text());
    assert_eq!(
        find(&samples, "onslaught_spawns_running", &[])[0].value,
        1.0
    );
    assert_eq!(
        find(&samples, "onslaught_sessions_active", &[("spawn", &id)]).len(),
        1
    );

    world
        .wait_for_spawn(&id, Duration::from_secs(5), |s| s["state"] == "finished")
        .await;
    let counted = world.target.stats().requests as f64;
    let samples = parse_prometheus(&world.get("/metrics").send().await.text());
    assert_eq!(
        find(&samples, "onslaught_spawns_running", &[])[0].value,
        0.0
    );
    assert_eq!(
        find(&samples, "onslaught_nodes_connected", &[])[0].value,
        1.0
    );
    assert_eq!(
        find(
            &samples,
            "onslaught_spawn_state",
            &[("spawn", &id), ("state", "finished")]
        )
        .len(),
        1
    );
    let ok = find(
        &samples,
        "onslaught_requests_total",
        &[("spawn", &id), ("outcome", "200")],
    );
    assert_eq!(ok[0].value, counted);

    let buckets = find(
        &samples,
        "onslaught_request_duration_seconds_bucket",
        &[("spawn", &id)],
    );
    assert!(buckets.len() > 10);
    assert!(
        buckets.windows(2).all(|w| w[0].value <= w[1].value),
        "buckets must be cumulative"
    );
    let last = buckets.last().unwrap();
    assert_eq!((last.labels["le"].as_str(), last.value), ("+Inf", counted));
    assert_eq!(
        find(
            &samples,
            "onslaught_request_duration_seconds_count",
            &[("spawn", &id)]
        )[0]
        .value,
        counted
    );
    assert!(
        find(
            &samples,
            "onslaught_request_duration_seconds_sum",
            &[("spawn", &id)]
        )[0]
        .value
            > 0.0
    );
    world.node.stop().await;
}

/// Reads server-sent events until `wanted` of kind `kind` arrived.
async fn read_events(
    response: hyper::Response<hyper::body::Incoming>,
    kind: &str,
    wanted: usize,
    within: Duration,
) -> Vec<Value> {
    let mut body = response.into_body();
    let deadline = Instant::now() + within;
    let (mut buffer, mut found) = (String::new(), Vec::new());
    while found.len() < wanted {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .unwrap_or_else(|_| panic!("only {} {kind} events in time", found.len()))
            .expect("stream open")
            .expect("frame");
        let Ok(data) = frame.into_data() else {
            continue;
        };
        buffer.push_str(&String::from_utf8_lossy(&data));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let name = event
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("");
            let data = event
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap_or("");
            if name == kind {
                found.push(serde_json::from_str(data).expect("event data is JSON"));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_events_follow_the_engine_second_by_second() {
    let world = World::start().await;
    let id = world
        .create(json!({"session_count": 3, "interval_ms": 50, "seconds": 20}))
        .await;
    let response = world.get(&format!("/api/spawns/{id}/events")).open().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");

    let started = Instant::now();
    let points = read_events(response, "points", 3, Duration::from_secs(5)).await;
    // A point for second t arrives shortly after the second ends.
    assert!(started.elapsed() < Duration::from_millis(4_500));
    let seconds: Vec<u64> = points.iter().map(|p| p["t"].as_u64().unwrap()).collect();
    assert!(seconds.windows(2).all(|w| w[0] < w[1]), "{seconds:?}");
    for point in &points {
        assert_eq!(point["spawn"], id.as_str());
        assert_eq!(point["node"], "test-node");
        assert_eq!(point["merged"][0]["outcome"], "200");
        assert!(point["merged"][0]["count"].as_u64().unwrap() > 0);
    }

    let all = world.get("/api/events").open().await;
    let snapshots = read_events(all, "snapshot", 1, Duration::from_secs(2)).await;
    assert_eq!(snapshots[0]["spawn"], id.as_str());
    assert_eq!(snapshots[0]["state"], "running");
    assert!(!snapshots[0]["merged"].as_array().unwrap().is_empty());
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_refuses_a_bad_bind_address_with_its_name() {
    let mut args = ServeArgs::from_env().expect("defaults parse");
    args.bind = "not-an-address".into();
    args.port = 0;
    let error = onslaught_server::run(args, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(error, ServeError::Config(_)));
    assert!(error.to_string().contains("BIND"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_serves_until_shutdown() {
    let mut args = ServeArgs::from_env().expect("defaults parse");
    args.bind = "127.0.0.1".into();
    args.port = 0;
    args.auth_password = None;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(onslaught_server::run(args, async move {
        let _ = stop_rx.await;
    }));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!node.is_finished(), "run returned before shutdown");
    stop_tx.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(5), node)
        .await
        .expect("stops in time");
    assert!(result.expect("task").is_ok());
}
