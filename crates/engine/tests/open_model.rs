//! A fixed arrival rate, whatever the target does.

mod support;

use std::time::Duration;

use onslaught_target::{Latency, TargetConfig, TargetServer};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_is_kept_exactly_over_the_run() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let spawner = start(options(
        &target.url(),
        &[("rate", "200"), ("session_count", "20"), ("seconds", "2")],
    ));

    let (_, timeline) = run_to_end(&spawner, Duration::from_secs(5)).await;

    let totals = timeline.totals();
    assert_eq!(totals.requests(), 400);
    assert_eq!(target.stats().requests, 400);
    assert_eq!(
        totals.late, 0,
        "a fast target should never make arrivals late"
    );
    // Arrivals are even, so each full second holds about a second's worth;
    // a few slip across a boundary by completion time.
    for second in [0, 1] {
        let n = timeline.get(second).map_or(0, |s| s.requests());
        assert!((190..=210).contains(&n), "second {second} had {n}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_target_does_not_slow_arrivals_until_the_cap() {
    // 100 ms per answer: at 50/s about five are in flight, under the cap.
    let slow = TargetConfig::default().with_latency(Latency::Fixed(Duration::from_millis(100)));
    let target = TargetServer::start(slow).await.unwrap();
    let spawner = start(options(
        &target.url(),
        &[("rate", "50"), ("session_count", "20"), ("seconds", "2")],
    ));

    let (_, timeline) = run_to_end(&spawner, Duration::from_secs(5)).await;

    assert_eq!(timeline.totals().requests(), 100);
    assert_eq!(timeline.totals().late, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrivals_beyond_the_in_flight_cap_go_out_late_and_count_from_when_due() {
    // One worker, 100 ms answers, 20 arrivals a second: it can send ten.
    let slow = TargetConfig::default().with_latency(Latency::Fixed(Duration::from_millis(100)));
    let target = TargetServer::start(slow).await.unwrap();
    let spawner = start(options(
        &target.url(),
        &[("rate", "20"), ("session_count", "1"), ("seconds", "1")],
    ));

    let (_, timeline) = run_to_end(&spawner, Duration::from_secs(4)).await;

    let totals = timeline.totals();
    let sent = totals.requests();
    assert!((9..=11).contains(&sent), "sent {sent}");
    assert!(totals.late >= sent - 2, "late {} of {sent}", totals.late);
    // The last one sent was due ~0.45 s before it left: queueing shows.
    let p99_ms = totals.outcomes.total().value_at_quantile(0.99) as f64 / 1000.0;
    assert!(p99_ms > 400.0, "p99 {p99_ms} ms hides the queue");
}
