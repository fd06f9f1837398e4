//! HTTP/2 by prior knowledge and by ALPN, and HTTPS with self-signed
//! certificates.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client, config, eventually, handler, ok, Handler, TestServer};
use http::Version;
use onslaught_client::ErrorKind;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Answers every request, remembering the HTTP versions it was spoken in,
/// and holds answers until the gate opens.
fn versions_seen() -> (Handler, Arc<Mutex<Vec<Version>>>, watch::Sender<bool>) {
    let versions = Arc::new(Mutex::new(Vec::new()));
    let (gate_tx, gate_rx) = watch::channel(true);
    let seen = versions.clone();
    let handler = handler(move |request| {
        seen.lock().unwrap().push(request.version());
        let mut gate_rx = gate_rx.clone();
        async move {
            let _ = gate_rx.wait_for(|open| *open).await;
            ok("versioned")
        }
    });
    (handler, versions, gate_tx)
}

/// Sends `count` requests at once through a pool of one connection and
/// checks they all share it as streams.
async fn multiplexes(
    url: &str,
    prior_knowledge: bool,
    server: &TestServer,
    gate: &watch::Sender<bool>,
) {
    let mut config = config(url);
    config.pool_size = 1;
    config.http2_prior_knowledge = prior_knowledge;
    config.insecure = true;
    let client = client(config);

    gate.send_replace(false);
    let mut requests = JoinSet::new();
    for _ in 0..5 {
        let client = client.clone();
        requests.spawn(async move { client.send(0).await });
    }
    eventually("five streams in flight", || client.pools()[0].in_use == 5).await;
    gate.send_replace(true);
    while let Some(done) = requests.join_next().await {
        assert_eq!(done.expect("task finished").map(|r| r.status), Ok(200));
    }
    assert_eq!(server.accepted(), 1);
    assert_eq!(client.pools()[0].in_use, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2_prior_knowledge_multiplexes_one_connection() {
    let (handler, versions, gate) = versions_seen();
    let server = TestServer::h2c(handler).await;
    multiplexes(&server.url("http", "/"), true, &server, &gate).await;
    assert!(versions
        .lock()
        .unwrap()
        .iter()
        .all(|v| *v == Version::HTTP_2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alpn_selects_h2_over_tls() {
    let (handler, versions, gate) = versions_seen();
    let server = TestServer::https(&[b"h2", b"http/1.1"], handler).await;
    multiplexes(&server.url("https", "/"), false, &server, &gate).await;
    let versions = versions.lock().unwrap();
    assert_eq!(versions.len(), 5);
    assert!(
        versions.iter().all(|v| *v == Version::HTTP_2),
        "{versions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2_pool_spreads_over_its_connections() {
    let (handler, _versions, _gate) = versions_seen();
    let server = TestServer::h2c(handler).await;
    let mut config = config(&server.url("http", "/"));
    config.pool_size = 3;
    config.http2_prior_knowledge = true;
    let client = client(config);

    for _ in 0..12 {
        assert_eq!(client.send(0).await.map(|r| r.status), Ok(200));
    }
    assert_eq!(server.accepted(), 3);
}

#[tokio::test]
async fn self_signed_https_works_only_when_insecure() {
    let (handler, versions, _gate) = versions_seen();
    let server = TestServer::https(&[b"http/1.1"], handler).await;
    let url = server.url("https", "/");

    let mut insecure = config(&url);
    insecure.insecure = true;
    let insecure = client(insecure);
    for _ in 0..3 {
        assert_eq!(insecure.send(0).await.map(|r| r.status), Ok(200));
    }
    assert_eq!(server.accepted(), 1, "TLS connections are kept alive too");
    assert!(versions
        .lock()
        .unwrap()
        .iter()
        .all(|v| *v == Version::HTTP_11));

    let verifying = client(config(&url));
    assert_eq!(verifying.send(0).await, Err(ErrorKind::Tls));
    assert_eq!(verifying.pools()[0].in_use, 0);
}

#[tokio::test]
async fn https_without_alpn_falls_back_to_http1() {
    let (handler, versions, _gate) = versions_seen();
    let server = TestServer::https(&[], handler).await;
    let mut config = config(&server.url("https", "/"));
    config.insecure = true;

    assert_eq!(client(config).send(0).await.map(|r| r.status), Ok(200));
    assert_eq!(*versions.lock().unwrap(), [Version::HTTP_11]);
}

#[tokio::test]
async fn h2_timeout_resets_the_stream_but_keeps_the_connection() {
    let calls = Arc::new(AtomicUsize::new(0));
    let first_is_slow = handler(move |_| {
        let call = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if call == 0 {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            ok("eventually")
        }
    });
    let server = TestServer::h2c(first_is_slow).await;
    let mut config = config(&server.url("http", "/"));
    config.pool_size = 1;
    config.http2_prior_knowledge = true;
    config.timeout = Duration::from_millis(200);
    let client = client(config);

    assert_eq!(client.send(0).await, Err(ErrorKind::Timeout));
    assert_eq!(client.pools()[0].in_use, 0);
    assert_eq!(client.send(0).await.map(|r| r.status), Ok(200));
    assert_eq!(server.accepted(), 1);
}
