//! Fault modes as a raw socket sees them, and their counts.

mod common;

use std::time::Duration;

use common::RawClient;
use onslaught_target::{FaultKind, TargetConfig, TargetServer};
use tokio::io::AsyncReadExt;

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n";

#[tokio::test]
async fn close_fault_closes_without_a_byte() {
    let config = TargetConfig::default().with_fault(FaultKind::Close, 1.0);
    let server = TargetServer::start(config).await.unwrap();

    for _ in 0..5 {
        let mut client = RawClient::connect(server.addr).await;
        client.send(GET).await;
        assert!(client.read_to_close().await.is_empty());
    }

    let stats = server.stop().await;
    assert_eq!((stats.requests, stats.faults.close), (5, 5));
}

#[tokio::test]
async fn stall_fault_sends_nothing_until_the_server_stops() {
    let config = TargetConfig::default().with_fault(FaultKind::Stall, 1.0);
    let server = TargetServer::start(config).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;
    client.send(GET).await;

    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), client.stream.read(&mut byte));
    assert!(
        early.await.is_err(),
        "a stalled request got an answer or a close"
    );
    assert_eq!(server.stats().faults.stall, 1);

    // Stopping the server releases the held connection.
    let stats = server.stop().await;
    assert!(client.read_to_close().await.is_empty());
    assert_eq!((stats.requests, stats.faults.stall), (1, 1));
}

#[tokio::test]
async fn garbage_fault_sends_non_http_bytes_then_closes() {
    let config = TargetConfig::default().with_fault(FaultKind::Garbage, 1.0);
    let server = TargetServer::start(config).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;
    client.send(GET).await;

    let bytes = client.read_to_close().await;
    assert!(!bytes.is_empty(), "garbage fault sent nothing");
    assert!(
        !bytes.starts_with(b"HTTP/"),
        "garbage looked like HTTP: {bytes:?}"
    );
    assert_eq!(server.stop().await.faults.garbage, 1);
}

#[tokio::test]
async fn fault_after_pipelined_answers_keeps_them() {
    // Half the requests fault; answers before the first fault still arrive intact.
    let config = TargetConfig::default().with_fault(FaultKind::Close, 0.5);
    let server = TargetServer::start(config).await.unwrap();
    let mut total_ok = 0;
    let mut total_closed = 0;

    for _ in 0..20 {
        let mut client = RawClient::connect(server.addr).await;
        // The last request asks to close, so a connection that never faults still ends.
        // One write, so the server holds every request and closes with a FIN, not a reset.
        let mut batch = GET.repeat(3);
        batch.extend_from_slice(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        client.send(&batch).await;
        let received = client.read_to_close().await;
        let answers = received.windows(8).filter(|w| w == b"HTTP/1.1").count();
        assert!(received.starts_with(b"HTTP/1.1 200") || received.is_empty());
        total_ok += answers;
        total_closed += usize::from(answers < 4);
    }

    let stats = server.stop().await;
    assert_eq!(stats.status(200), total_ok as u64);
    assert_eq!(stats.faults.close, total_closed as u64);
    assert!(
        total_ok > 0 && total_closed > 0,
        "ok {total_ok}, closed {total_closed}"
    );
}

#[tokio::test]
async fn partial_fault_rate_is_roughly_kept() {
    let config = TargetConfig::default().with_fault(FaultKind::Garbage, 0.5);
    let server = TargetServer::start(config).await.unwrap();
    let mut garbage = 0;

    for _ in 0..200 {
        let mut client = RawClient::connect(server.addr).await;
        client
            .send(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await;
        let bytes = client.read_to_close().await;
        garbage += usize::from(!bytes.starts_with(b"HTTP/1.1 200"));
    }

    let stats = server.stop().await;
    assert_eq!(stats.faults.garbage, garbage as u64);
    assert_eq!(stats.requests, 200);
    assert!(
        (60..=140).contains(&garbage),
        "{garbage} of 200 were garbage"
    );
}
