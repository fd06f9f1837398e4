//! Latency and error-rate settings, measured from a client.

mod common;

use std::time::{Duration, Instant};

use common::RawClient;
use onslaught_target::{Latency, TargetConfig, TargetServer};

/// Slack above a configured delay for scheduling on a busy two-core machine.
const SLACK: Duration = Duration::from_millis(250);

async fn timed_get(client: &mut RawClient) -> Duration {
    let started = Instant::now();
    assert_eq!(client.get("/").await.status, 200);
    started.elapsed()
}

#[tokio::test]
async fn fixed_latency_delays_every_answer() {
    let delay = Duration::from_millis(80);
    let config = TargetConfig::default().with_latency(Latency::Fixed(delay));
    let server = TargetServer::start(config).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;

    for _ in 0..4 {
        let took = timed_get(&mut client).await;
        assert!(took >= delay && took < delay + SLACK, "took {took:?}");
    }
    assert_eq!(server.stop().await.status(200), 4);
}

#[tokio::test]
async fn ranged_latency_stays_within_its_bounds() {
    let (min, max) = (Duration::from_millis(20), Duration::from_millis(70));
    let config = TargetConfig::default().with_latency(Latency::uniform(min, max).unwrap());
    let server = TargetServer::start(config).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;

    let mut took = Vec::new();
    for _ in 0..12 {
        took.push(timed_get(&mut client).await);
    }
    for t in &took {
        assert!(*t >= min && *t < max + SLACK, "took {t:?}");
    }
    // A uniform draw over 50 ms does not give twelve near-equal delays.
    let spread = *took.iter().max().unwrap() - *took.iter().min().unwrap();
    assert!(spread > Duration::from_millis(10), "spread only {spread:?}");
    server.stop().await;
}

#[tokio::test]
async fn latency_does_not_hold_back_earlier_pipelined_answers() {
    let config = TargetConfig::default().with_latency(Latency::Fixed(Duration::from_millis(150)));
    let server = TargetServer::start(config).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;
    client
        .send(&b"GET / HTTP/1.1\r\nHost: t\r\n\r\n".repeat(2))
        .await;

    let started = Instant::now();
    client.read_reply(false).await;
    let first = started.elapsed();
    client.read_reply(false).await;
    let second = started.elapsed();
    assert!(
        second >= first + Duration::from_millis(140),
        "{first:?} then {second:?}"
    );
    server.stop().await;
}

async fn statuses_with_error_rate(rate: f64, count: usize) -> (usize, u64, u64) {
    let server = TargetServer::start(TargetConfig::default().with_error_rate(rate))
        .await
        .unwrap();
    let mut client = RawClient::connect(server.addr).await;
    let mut errors = 0;
    for _ in 0..count {
        let status = client.get("/").await.status;
        assert!(status == 200 || status == 500, "status {status}");
        errors += usize::from(status == 500);
    }
    let stats = server.stop().await;
    (errors, stats.status(500), stats.status(200))
}

#[tokio::test]
async fn error_rate_zero_and_one_are_exact() {
    assert_eq!(statuses_with_error_rate(0.0, 300).await, (0, 0, 300));
    assert_eq!(statuses_with_error_rate(1.0, 300).await, (300, 300, 0));
}

#[tokio::test]
async fn error_rate_half_is_roughly_half_and_counted_exactly() {
    let (errors, counted_500, counted_200) = statuses_with_error_rate(0.5, 400).await;
    assert_eq!(
        (counted_500, counted_200),
        (errors as u64, 400 - errors as u64)
    );
    assert!((140..=260).contains(&errors), "{errors} of 400 were 500");
}
