//! Sessions on a fixed pace against a real target on loopback.

mod support;

use std::time::Duration;

use onslaught_engine::SpawnerState;
use onslaught_metrics::Outcome;
use onslaught_target::{TargetConfig, TargetServer};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_send_exactly_one_request_per_tick() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    // 4 sessions × ticks at 0, 250, 500, 750 ms of their one second = 16.
    let spawner = start(options(
        &target.url(),
        &[
            ("session_count", "4"),
            ("interval_ms", "250"),
            ("seconds", "1"),
            ("delay_between_spawns_ms", "50"),
        ],
    ));

    let (state, timeline) = run_to_end(&spawner, Duration::from_secs(5)).await;

    assert_eq!(state, SpawnerState::Finished);
    let totals = timeline.totals();
    assert_eq!(count(&totals, Outcome::Status(200)), 16);
    assert_eq!(totals.requests(), 16);
    assert_eq!(target.stats().requests, 16, "the target counted the same");
    assert_eq!(spawner.status().sessions_active, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ramp_starts_sessions_one_delay_apart() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let spawner = start(options(
        &target.url(),
        &[
            ("session_count", "3"),
            ("interval_ms", "1000"),
            ("seconds", "2"),
            ("delay_between_spawns_ms", "400"),
        ],
    ));

    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(spawner.status().sessions_active, 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(spawner.status().sessions_active, 2);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(spawner.status().sessions_active, 3);

    let (_, timeline) = run_to_end(&spawner, Duration::from_secs(5)).await;
    // Each session ticks at 0 s and 1 s of its own two seconds.
    assert_eq!(timeline.totals().requests(), 6);
    assert_eq!(target.stats().requests, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_to_back_sessions_send_as_fast_as_answers_come() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let spawner = start(options(
        &target.url(),
        &[
            ("session_count", "2"),
            ("interval_ms", "0"),
            ("seconds", "1"),
            ("pool_size", "2"),
        ],
    ));

    let (_, timeline) = run_to_end(&spawner, Duration::from_secs(5)).await;

    let sent = timeline.totals().requests();
    // Loopback answers in well under a millisecond; even a slow debug
    // build manages hundreds a second.
    assert!(sent > 200, "only {sent} requests in a second");
    assert_eq!(target.stats().requests, sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_halts_traffic_within_a_second() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let spawner = start(options(
        &target.url(),
        &[
            ("session_count", "5"),
            ("interval_ms", "10"),
            ("seconds", "30"),
        ],
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;

    spawner.stop();
    let (state, timeline) = run_to_end(&spawner, Duration::from_secs(2)).await;

    assert_eq!(state, SpawnerState::Stopped);
    let at_stop = target.stats().requests;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(target.stats().requests, at_stop, "requests after the stop");
    assert_eq!(timeline.totals().requests(), at_stop);
    assert!(at_stop > 50, "sessions barely ran: {at_stop}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_joining_late_runs_only_the_time_that_is_left() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let options = options(
        &target.url(),
        &[
            ("session_count", "2"),
            ("interval_ms", "100"),
            ("seconds", "2"),
        ],
    );
    let epoch = onslaught_engine::Epoch::from_wall(
        std::time::SystemTime::now() - Duration::from_millis(1500),
    );

    let began = std::time::Instant::now();
    let spawner = start_at(options, epoch);
    let (_, timeline) = run_to_end(&spawner, Duration::from_secs(3)).await;

    assert!(
        began.elapsed() < Duration::from_millis(900),
        "ran {:?}",
        began.elapsed()
    );
    let sent = timeline.totals().requests();
    // Two sessions for the half second left at ten a second each.
    assert!((8..=12).contains(&sent), "sent {sent}");
    // Seconds line up with the spawn's epoch, not with this node's start.
    assert_eq!(timeline.first_second(), Some(1));
}
