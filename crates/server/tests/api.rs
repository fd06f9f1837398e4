//! The JSON API over real HTTP, against a node and a counting target.

mod common;

use std::time::Duration;

use common::World;
use hyper::StatusCode;
use serde_json::{json, Value};
use tokio::time::sleep;

fn requests(spawn: &Value) -> u64 {
    spawn["totals"]["requests"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_read_list_metrics_then_stop_halts_traffic_within_a_second() {
    let world = World::start().await;
    let id = world.create(json!({"session_count": 5})).await;

    let spawn = world.spawn_json(&id).await;
    assert_eq!(spawn["id"], id.as_str());
    assert_eq!(spawn["state"], "running");
    assert_eq!(spawn["node_count"], 1);
    assert_eq!(spawn["options"]["session_count"], 5);
    assert_eq!(spawn["spawners"][0]["node"], "test-node");
    assert_eq!(spawn["spawners"][0]["sessions_target"], 5);
    assert_eq!(spawn["spawners"][0]["pools"][0]["size"], 50);
    assert!(spawn["remaining_s"].as_f64().unwrap() > 20.0);

    // Three harvested seconds: the report and both series have data.
    let spawn = world
        .wait_for_spawn(&id, Duration::from_secs(6), |s| {
            s["totals"]["timeline"]
                .as_array()
                .is_some_and(|t| t.len() >= 3)
        })
        .await;
    assert!(requests(&spawn) > 0);
    assert!(spawn["totals"]["statuses"]["200"].as_u64().unwrap() > 0);
    assert_eq!(spawn["spawners"][0]["sessions_active"], 5);

    let list = world.get("/api/spawns").send().await.json();
    assert_eq!(list[0]["id"], id.as_str());

    let metrics = world
        .get(&format!("/api/spawns/{id}/metrics"))
        .send()
        .await
        .json();
    let merged = metrics["merged"].as_array().unwrap();
    assert!(merged.len() >= 3, "{metrics:#}");
    assert_eq!(merged[0]["outcome"], "200");
    assert!(merged[0]["p99_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(metrics["nodes"][0]["node"], "test-node");
    assert_eq!(
        metrics["nodes"][0]["points"].as_array().unwrap().len(),
        merged.len()
    );
    let last = merged.last().unwrap()["t"].as_u64().unwrap();
    let tail = world
        .get(&format!("/api/spawns/{id}/metrics?since={last}"))
        .send()
        .await
        .json();
    assert!(tail["merged"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["t"].as_u64() >= Some(last)));

    let stopped = world.delete(&format!("/api/spawns/{id}")).send().await;
    assert_eq!(stopped.status, StatusCode::ACCEPTED, "{}", stopped.text());
    sleep(Duration::from_secs(1)).await;
    let after_stop = world.target.stats().requests;
    sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        world.target.stats().requests,
        after_stop,
        "traffic went on after Stop"
    );

    let spawn = world.spawn_json(&id).await;
    assert_eq!(spawn["state"], "stopped");
    assert_eq!(spawn["remaining_s"], 0.0);
    assert_eq!(spawn["totals"]["stopped_early"], true);
    assert_eq!(spawn["spawners"][0]["sessions_active"], 0);
    // Requests cut off in flight reached the target but have no answer.
    let reported = requests(&spawn);
    assert!(
        reported <= after_stop && reported + 5 >= after_stop,
        "reported {reported}, target counted {after_stop}"
    );
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_spawn_reports_exactly_what_the_target_counted() {
    let world = World::start().await;
    let id = world
        .create(json!({"session_count": 3, "interval_ms": 20, "seconds": 1}))
        .await;

    let spawn = world
        .wait_for_spawn(&id, Duration::from_secs(5), |s| s["state"] == "finished")
        .await;
    let counted = world.target.stats();
    assert!(counted.requests > 50, "{counted:?}");
    assert_eq!(requests(&spawn), counted.requests);
    assert_eq!(
        spawn["totals"]["statuses"]["200"].as_u64(),
        Some(counted.status(200))
    );
    assert_eq!(spawn["totals"]["stopped_early"], false);
    let timeline_total: u64 = spawn["totals"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .sum();
    assert_eq!(timeline_total, counted.requests);
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_spawns_get_422_with_errors_by_field() {
    let world = World::start().await;

    let reply = world
        .post("/api/spawns")
        .json(&json!({"url": "not a url", "session_count": 0, "seconds": "ten"}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = &reply.json()["errors"];
    for field in ["url", "session_count", "seconds"] {
        let messages = errors[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {errors}"));
        assert!(!messages.is_empty() && messages[0].is_string());
    }

    let typo = world
        .post("/api/spawns")
        .json(&json!({"url": "http://127.0.0.1:9/", "sessions": 3}))
        .send()
        .await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typo.json()["errors"]["sessions"].is_array());

    let headers = world
        .post("/api/spawns")
        .json(
            &json!({"url": "http://127.0.0.1:9/", "headers": [{"key": "Bad Name", "value": "x"}]}),
        )
        .send()
        .await;
    assert_eq!(headers.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(headers.json()["errors"]["headers"].is_array());

    let garbage = world
        .post("/api/spawns")
        .header("content-type", "application/json")
        .form("{not json")
        .send()
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert!(garbage.json()["error"].as_str().unwrap().contains("JSON"));

    let list = world.get("/api/spawns").send().await.json();
    assert_eq!(list, json!([]), "no spawn may start from bad input");
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_or_malformed_spawn_ids_are_404() {
    let world = World::start().await;
    let unknown = "6f1c1f3e-8d2a-4c59-9a43-0a8f5a4f1b2c";
    for path in [
        format!("/api/spawns/{unknown}"),
        format!("/api/spawns/{unknown}/metrics"),
        format!("/api/spawns/{unknown}/events"),
        "/api/spawns/not-an-id".to_owned(),
        "/api/spawns/%00%ff/metrics".to_owned(),
        format!("/spawns/{unknown}"),
        "/spawns/nope".to_owned(),
        "/no/such/page".to_owned(),
    ] {
        let reply = world.get(&path).send().await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "GET {path}: {}",
            reply.text()
        );
    }
    let reply = world.delete(&format!("/api/spawns/{unknown}")).send().await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.json()["error"].as_str().unwrap().contains(unknown));
    let reply = world
        .post(&format!("/spawns/{unknown}/stop"))
        .form("")
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    let bad_since = world.create(json!({"seconds": 1})).await;
    let reply = world
        .get(&format!("/api/spawns/{bad_since}/metrics?since=-1"))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_nodes_describe_this_node() {
    let world = World::start().await;
    let health = world.get("/health").send().await;
    assert_eq!(health.status, StatusCode::OK);
    let health = health.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["node"], "test-node");
    assert_eq!(health["nodes_connected"], 1);
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));

    let nodes = world.get("/api/nodes").send().await.json();
    assert_eq!(nodes.as_array().unwrap().len(), 1);
    assert_eq!(nodes[0]["name"], "test-node");
    assert_eq!(nodes[0]["status"], "up");
    assert_eq!(nodes[0]["address"], world.addr().to_string());
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_starts_a_spawn_and_the_stop_button_stops_it() {
    let world = World::start().await;
    let url = format!("{}/form", world.target.url());
    let form = format!(
        "url={}&method=GET&header_key=X-Test&header_value=yes&header_key=&header_value=&session_count=2&interval_ms=100&seconds=30&delay_between_spawns_ms=0&pool_count=1&pool_size=4&timeout_ms=2000&retries=0",
        form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
    );
    let created = world.post("/spawns").form(&form).send().await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let location = created.header("location").unwrap().to_owned();
    let id = location.strip_prefix("/spawns/").unwrap().to_owned();

    let page = world.get(&location).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains(&url) && html.contains("X-Test: yes"),
        "{html}"
    );
    assert!(html.contains("1 node connected"));
    let spawn = world.spawn_json(&id).await;
    assert_eq!(
        spawn["options"]["headers"],
        json!([{"key": "X-Test", "value": "yes"}])
    );
    assert_eq!(spawn["options"]["pool_size"], 4);

    let stopped = world
        .post(&format!("/spawns/{id}/stop"))
        .form("return=/")
        .send()
        .await;
    assert_eq!(stopped.status, StatusCode::SEE_OTHER);
    assert_eq!(stopped.header("location"), Some("/"));
    world
        .wait_for_spawn(&id, Duration::from_secs(3), |s| s["state"] == "stopped")
        .await;

    let invalid = world
        .post("/spawns")
        .form("url=ftp%3A%2F%2Fx&session_count=abc&header_key=K&header_value=V")
        .send()
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = invalid.text();
    assert!(
        html.contains("scheme \"ftp\" is not supported") || html.contains("scheme &quot;ftp&quot;"),
        "{html}"
    );
    assert!(
        html.contains("value=\"ftp://x\"")
            && html.contains("value=\"abc\"")
            && html.contains("value=\"K\"")
    );
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_assets_are_served() {
    let world = World::start().await;
    let list = world.get("/").send().await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("No spawns yet"));
    let form = world.get("/spawns/new").send().await.text();
    for field in [
        "url",
        "method",
        "header_key",
        "body",
        "session_count",
        "delay_between_spawns_ms",
        "seconds",
        "interval_ms",
        "rate",
        "pool_count",
        "pool_size",
        "timeout_ms",
    ] {
        assert!(
            form.contains(&format!("name=\"{field}\"")),
            "form lacks {field}"
        );
    }
    for (asset, kind) in [
        ("format.js", "javascript"),
        ("chart.js", "javascript"),
        ("live.js", "javascript"),
        ("form.js", "javascript"),
        ("app.css", "css"),
        ("icon.svg", "svg"),
    ] {
        let reply = world.get(&format!("/assets/{asset}")).send().await;
        assert_eq!(reply.status, StatusCode::OK, "{asset}");
        assert!(reply.header("content-type").unwrap().contains(kind));
        assert!(reply.body.len() > 100);
    }
    assert_eq!(
        world.get("/assets/missing.js").send().await.status,
        StatusCode::NOT_FOUND
    );
    world.node.stop().await;
}
