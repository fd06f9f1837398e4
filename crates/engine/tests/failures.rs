//! A failing target is measured, never fatal: each failure has its kind.

mod support;

use std::time::Duration;

use onslaught_metrics::{ErrorKind, Outcome};
use onslaught_target::{FaultKind, TargetConfig, TargetServer};
use support::*;

async fn run_against(url: &str, extra: &[(&str, &str)]) -> onslaught_metrics::Slice {
    let mut fields = vec![
        ("session_count", "2"),
        ("interval_ms", "200"),
        ("seconds", "1"),
        ("timeout_ms", "300"),
    ];
    fields.extend_from_slice(extra);
    let spawner = start(options(url, &fields));
    let (_, timeline) = run_to_end(&spawner, Duration::from_secs(5)).await;
    timeline.totals()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_count_as_connect_errors() {
    // Bind then drop: the port is free and nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let totals = run_against(&format!("http://127.0.0.1:{port}/"), &[]).await;
    assert_eq!(errors(&totals, ErrorKind::Connect), 10);
    assert_eq!(totals.requests(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_of_the_target_has_its_kind() {
    let cases = [
        (FaultKind::Stall, ErrorKind::Timeout),
        (FaultKind::Close, ErrorKind::Reset),
        (FaultKind::Garbage, ErrorKind::Protocol),
    ];
    for (fault, kind) in cases {
        let target = TargetServer::start(TargetConfig::default().with_fault(fault, 1.0))
            .await
            .unwrap();
        let totals = run_against(&target.url(), &[]).await;
        assert!(
            errors(&totals, kind) > 0,
            "{fault:?} gave {:?}",
            outcomes(&totals)
        );
        assert_eq!(
            errors(&totals, kind),
            totals.requests(),
            "{fault:?}: {:?}",
            outcomes(&totals)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_a_plain_server_is_a_tls_error() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let url = target.url().replace("http://", "https://");
    let totals = run_against(&url, &[("insecure", "true")]).await;
    assert_eq!(errors(&totals, ErrorKind::Tls), totals.requests());
    assert!(totals.requests() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_are_counted_as_the_target_sent_them() {
    let target = TargetServer::start(TargetConfig::default().with_error_rate(1.0))
        .await
        .unwrap();
    let totals = run_against(&target.url(), &[]).await;
    assert_eq!(count(&totals, Outcome::Status(500)), 10);
    assert_eq!(target.stats().status(500), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_counted_each_time() {
    let target = TargetServer::start(TargetConfig::default().with_fault(FaultKind::Close, 1.0))
        .await
        .unwrap();
    let totals = run_against(&target.url(), &[("retries", "2")]).await;
    // Ten ticks, each tried three times, every try recorded.
    assert_eq!(
        errors(&totals, ErrorKind::Reset),
        30,
        "{:?}",
        outcomes(&totals)
    );
    assert_eq!(totals.retries, 20);
    assert_eq!(target.stats().requests, 30);
}

fn outcomes(totals: &onslaught_metrics::Slice) -> Vec<(String, u64)> {
    totals
        .outcomes
        .iter()
        .map(|(o, h)| (o.to_string(), h.len()))
        .collect()
}
