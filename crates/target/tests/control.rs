//! The stats and reset endpoints, and `serve` with a caller-driven shutdown.

mod common;

use common::RawClient;
use onslaught_target::{serve, FaultKind, StatsSnapshot, TargetConfig, TargetServer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[tokio::test]
async fn stats_endpoint_matches_in_process_stats_and_is_not_counted() {
    let config = TargetConfig::default().with_error_rate(0.5);
    let server = TargetServer::start(config).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;
    for _ in 0..30 {
        client.get("/").await;
    }

    let reply = client.get("/_onslaught/stats").await;
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let over_http: StatsSnapshot = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(over_http.requests, 30);
    assert_eq!(over_http, server.stats());
    assert_eq!(client.get("/_onslaught/stats").await.json()["requests"], 30);
    server.stop().await;
}

#[tokio::test]
async fn reset_zeroes_the_counts_and_returns_them() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;
    for _ in 0..7 {
        client.get("/").await;
    }

    client
        .send(b"POST /_onslaught/reset HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        .await;
    let reset = client.read_reply(false).await;
    assert_eq!(
        (reset.status, reset.json()["statuses"]["200"].as_u64()),
        (200, Some(7))
    );
    assert_eq!(server.stats(), StatsSnapshot::default());

    client.get("/").await;
    assert_eq!(server.stop().await.requests, 1);
}

#[tokio::test]
async fn control_paths_with_other_methods_are_load() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;
    client
        .send(b"GET /_onslaught/reset HTTP/1.1\r\nHost: t\r\n\r\n")
        .await;
    assert_eq!(client.read_reply(false).await.body, b"ok\n");
    assert_eq!(server.stop().await.requests, 1);
}

#[tokio::test]
async fn control_routes_answer_even_when_every_request_faults() {
    let config = TargetConfig::default().with_fault(FaultKind::Close, 1.0);
    let server = TargetServer::start(config).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;
    assert_eq!(client.get("/_onslaught/stats").await.json()["requests"], 0);
    server.stop().await;
}

#[tokio::test]
async fn serve_runs_until_shutdown_and_returns_the_counts() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let config = TargetConfig::default().with_error_rate(1.0);
    let task = tokio::spawn(serve(listener, config, async {
        let _ = stop_rx.await;
    }));

    let mut client = RawClient::connect(addr).await;
    for _ in 0..5 {
        assert_eq!(client.get("/").await.status, 500);
    }
    stop_tx.send(()).unwrap();
    let summary = task.await.unwrap().unwrap();
    assert_eq!((summary.requests, summary.status(500)), (5, 5));

    // The open keep-alive connection was closed by the stop.
    assert!(client.read_to_close().await.is_empty());
}
