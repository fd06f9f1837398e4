//! The seam the cluster uses: slices, statuses, final timelines and node
//! liveness of spawners on other nodes, fed into the registry, appear as their
//! own cards and merge into the spawn's series and totals.

mod common;

use std::time::Duration;

use common::World;
use onslaught_engine::{PoolUsage, SpawnerState, SpawnerStatus};
use onslaught_metrics::{Outcome, Sample, Slice, Timeline};
use serde_json::{json, Value};
use uuid::Uuid;

const REMOTE_PER_SECOND: u64 = 10;

fn remote_status(state: SpawnerState) -> SpawnerStatus {
    SpawnerStatus {
        node: "node-b".into(),
        id: "remote-spawner".into(),
        state,
        sessions_active: if state == SpawnerState::Running { 2 } else { 0 },
        sessions_target: 2,
        pools: vec![PoolUsage {
            index: 0,
            in_use: 1,
            size: 50,
        }],
    }
}

fn remote_second(second: u32) -> Slice {
    let mut slice = Slice::new();
    for _ in 0..REMOTE_PER_SECOND {
        slice.record(&Sample::new(second, Outcome::Status(200), 7_000));
    }
    slice
}

fn count_at(points: &Value, second: u64) -> u64 {
    points
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["t"].as_u64() == Some(second))
        .map(|p| p["count"].as_u64().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_spawner_gets_its_own_card_and_merges_into_the_totals() {
    let world = World::start().await;
    let id = world
        .create(json!({"session_count": 2, "interval_ms": 50, "seconds": 2}))
        .await;
    let spawn_id = Uuid::parse_str(&id).unwrap();
    let registry = world.node.registry();

    let running = remote_status(SpawnerState::Running);
    for second in 0..3 {
        registry.ingest_remote(spawn_id, &running, second, &remote_second(second));
    }
    let spawn = world.spawn_json(&id).await;
    let spawners = spawn["spawners"].as_array().unwrap();
    assert_eq!(spawners.len(), 2, "{spawn:#}");
    let remote = spawners.iter().find(|s| s["node"] == "node-b").unwrap();
    assert_eq!(remote["sessions_active"], 2);
    assert_eq!(remote["pools"][0]["in_use"], 1);

    // The local spawner finishing does not end a spawn a remote one still runs.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    assert_eq!(world.spawn_json(&id).await["state"], "running");
    registry.remote_status(spawn_id, &remote_status(SpawnerState::Finished));
    let spawn = world
        .wait_for_spawn(&id, Duration::from_secs(2), |s| s["state"] == "finished")
        .await;

    let local_requests = world.target.stats().requests;
    assert_eq!(
        spawn["totals"]["requests"].as_u64().unwrap(),
        local_requests + 3 * REMOTE_PER_SECOND
    );
    let metrics = world
        .get(&format!("/api/spawns/{id}/metrics"))
        .send()
        .await
        .json();
    let nodes = metrics["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    let local = nodes.iter().find(|n| n["node"] == "test-node").unwrap();
    for second in 0..3 {
        assert_eq!(
            count_at(&metrics["merged"], second),
            count_at(&local["points"], second) + REMOTE_PER_SECOND,
            "second {second}"
        );
    }

    // Data for a spawn this node never heard of is dropped, not a crash.
    registry.ingest_remote(Uuid::new_v4(), &running, 0, &remote_second(0));
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_final_timeline_fills_lost_seconds_once_and_a_down_node_is_not_waited_for() {
    let world = World::start().await;
    let id = world
        .create(json!({"session_count": 1, "interval_ms": 100, "seconds": 1}))
        .await;
    let spawn_id = Uuid::parse_str(&id).unwrap();
    let registry = world.node.registry();

    // Seconds 0 and 2 arrive; second 1 is lost on the way.
    let running = remote_status(SpawnerState::Running);
    registry.ingest_remote(spawn_id, &running, 0, &remote_second(0));
    registry.ingest_remote(spawn_id, &running, 2, &remote_second(2));
    let whole: Timeline = (0..3).map(|s| (s, remote_second(s))).collect();
    let finished = remote_status(SpawnerState::Finished);
    registry.final_timeline(spawn_id, &finished, &whole, false);
    registry.final_timeline(spawn_id, &finished, &whole, true);

    let spawn = world
        .wait_for_spawn(&id, Duration::from_secs(5), |s| s["state"] == "finished")
        .await;
    assert_eq!(
        spawn["totals"]["requests"].as_u64().unwrap(),
        world.target.stats().requests + 3 * REMOTE_PER_SECOND
    );

    // A second spawn whose remote spawner's node goes down ends without it.
    let id = world
        .create(json!({"session_count": 1, "interval_ms": 100, "seconds": 1}))
        .await;
    let spawn_id = Uuid::parse_str(&id).unwrap();
    registry.remote_status(spawn_id, &running);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(world.spawn_json(&id).await["state"], "running");
    registry.node_down("node-b");
    let spawn = world
        .wait_for_spawn(&id, Duration::from_secs(2), |s| s["state"] == "finished")
        .await;
    let remote = spawn["spawners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["node"] == "node-b")
        .cloned()
        .unwrap();
    assert_eq!(remote["node_down"], true, "{spawn:#}");
    assert_eq!(
        remote["sessions_active"], 0,
        "a down node runs nothing we can count"
    );
    world.node.stop().await;
}
