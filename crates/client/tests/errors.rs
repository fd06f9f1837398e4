//! Every error kind, each provoked by a real misbehaving server.

mod common;

use std::time::{Duration, Instant};

use common::raw::{refused_addr, Misbehaviour, RawServer};
use common::{client, config, handler, ok, TestServer};
use onslaught_client::ErrorKind;

async fn send_to(url: &str, timeout: Duration) -> Result<u16, ErrorKind> {
    let mut config = config(url);
    config.timeout = timeout;
    let client = client(config);
    let result = client.send(0).await.map(|response| response.status);
    assert_eq!(
        client.pools()[0].in_use,
        0,
        "a failed request left its connection checked out"
    );
    result
}

#[tokio::test]
async fn refused_port_is_a_connect_error() {
    let addr = refused_addr().await;
    let result = send_to(&format!("http://{addr}/"), Duration::from_secs(2)).await;
    assert_eq!(result, Err(ErrorKind::Connect));
}

#[tokio::test]
async fn server_that_never_answers_times_out() {
    let server = RawServer::start(Misbehaviour::Silent).await;
    let started = Instant::now();
    let result = send_to(&server.url("http"), Duration::from_millis(200)).await;
    assert_eq!(result, Err(ErrorKind::Timeout));
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(200),
        "gave up early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "gave up late: {elapsed:?}"
    );
}

#[tokio::test]
async fn server_that_closes_without_answering_is_a_reset() {
    let server = RawServer::start(Misbehaviour::Close).await;
    let result = send_to(&server.url("http"), Duration::from_secs(2)).await;
    assert_eq!(result, Err(ErrorKind::Reset));
}

#[tokio::test]
async fn server_that_sends_rst_is_a_reset() {
    let server = RawServer::start(Misbehaviour::Reset).await;
    let result = send_to(&server.url("http"), Duration::from_secs(2)).await;
    assert_eq!(result, Err(ErrorKind::Reset));
}

#[tokio::test]
async fn garbage_response_is_a_protocol_error() {
    let server = RawServer::start(Misbehaviour::Garbage).await;
    let result = send_to(&server.url("http"), Duration::from_secs(2)).await;
    assert_eq!(result, Err(ErrorKind::Protocol));
}

#[tokio::test]
async fn garbage_in_place_of_http2_frames_is_a_protocol_error() {
    let server = RawServer::start(Misbehaviour::Garbage).await;
    let mut config = config(&server.url("http"));
    config.http2_prior_knowledge = true;
    let result = client(config).send(0).await.map(|response| response.status);
    assert_eq!(result, Err(ErrorKind::Protocol));
}

#[tokio::test]
async fn plain_http_server_spoken_to_over_https_is_a_tls_error() {
    let server = TestServer::http1(handler(|_| async { ok("plain") })).await;
    let result = send_to(&server.url("https", "/"), Duration::from_secs(2)).await;
    assert_eq!(result, Err(ErrorKind::Tls));
}

#[tokio::test]
async fn failed_connections_give_their_place_back() {
    // With one connection per pool, a leaked checkout would turn every
    // request after the first into a timeout.
    let server = RawServer::start(Misbehaviour::Close).await;
    let mut config = config(&server.url("http"));
    config.pool_size = 1;
    config.timeout = Duration::from_secs(1);
    let client = client(config);
    for _ in 0..5 {
        assert_eq!(client.send(0).await, Err(ErrorKind::Reset));
    }
    assert_eq!(client.pools()[0].in_use, 0);
}
