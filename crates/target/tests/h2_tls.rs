//! HTTP/2 by prior knowledge, and TLS with HTTP/1.1 or HTTP/2 by ALPN.

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::STEP;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use onslaught_target::{FaultKind, TargetConfig, TargetServer};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::client::TlsStream;

type H2Sender = SendRequest<Full<Bytes>>;

async fn h2_handshake<I>(io: I) -> H2Sender
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let handshake = hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io));
    let (sender, connection) = timeout(STEP, handshake).await.unwrap().unwrap();
    tokio::spawn(connection);
    sender
}

async fn h2_call(
    sender: &mut H2Sender,
    method: Method,
    path: &str,
    body: &'static [u8],
) -> (StatusCode, Bytes) {
    let request = Request::builder()
        .method(method)
        .uri(format!("http://localhost{path}"))
        .body(Full::new(Bytes::from_static(body)))
        .unwrap();
    let response = timeout(STEP, sender.send_request(request))
        .await
        .unwrap()
        .unwrap();
    let status = response.status();
    let body = timeout(STEP, response.into_body().collect())
        .await
        .unwrap()
        .unwrap();
    (status, body.to_bytes())
}

async fn tls_connect(server: &TargetServer, alpn: &[u8]) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(server.certificate_der().unwrap().clone())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];

    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    timeout(STEP, connector.connect(name, tcp))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn h2_prior_knowledge_is_served_and_counted() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let mut sender = h2_handshake(tcp).await;

    for _ in 0..10 {
        let (status, body) = h2_call(&mut sender, Method::GET, "/", b"").await;
        assert_eq!((status, &body[..]), (StatusCode::OK, &b"ok\n"[..]));
    }
    let (status, _) = h2_call(&mut sender, Method::POST, "/up", b"some request body").await;
    assert_eq!(status, StatusCode::OK);

    let (_, json) = h2_call(&mut sender, Method::GET, "/_onslaught/stats", b"").await;
    let over_h2: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(over_h2["requests"], 11);
    assert_eq!(server.stop().await.status(200), 11);
}

#[tokio::test]
async fn h2_multiplexed_requests_are_all_counted() {
    let server = TargetServer::start(TargetConfig::default().with_error_rate(1.0))
        .await
        .unwrap();
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let sender = h2_handshake(tcp).await;

    let calls = (0..20).map(|_| {
        let mut sender = sender.clone();
        tokio::spawn(async move { h2_call(&mut sender, Method::GET, "/", b"").await.0 })
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert_eq!(server.stop().await.status(500), 20);
}

#[tokio::test]
async fn h2_faults_reset_or_hold_the_stream() {
    let config = TargetConfig::default().with_fault(FaultKind::Garbage, 1.0);
    let server = TargetServer::start(config).await.unwrap();
    let mut sender = h2_handshake(TcpStream::connect(server.addr).await.unwrap()).await;
    let request = Request::get("http://localhost/")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let result = timeout(STEP, sender.send_request(request)).await.unwrap();
    assert!(result.is_err(), "a garbage fault produced an answer");
    assert_eq!(server.stop().await.faults.garbage, 1);

    let config = TargetConfig::default().with_fault(FaultKind::Stall, 1.0);
    let server = TargetServer::start(config).await.unwrap();
    let mut sender = h2_handshake(TcpStream::connect(server.addr).await.unwrap()).await;
    let request = Request::get("http://localhost/")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let held = timeout(Duration::from_millis(300), sender.send_request(request)).await;
    assert!(held.is_err(), "a stalled stream got an answer");
    assert_eq!(server.stop().await.faults.stall, 1);
}

#[tokio::test]
async fn tls_serves_http1_by_alpn() {
    let server = TargetServer::start(TargetConfig::default().with_tls())
        .await
        .unwrap();
    assert!(server.url().starts_with("https://127.0.0.1:"));
    assert!(server
        .certificate_pem()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let mut tls = tls_connect(&server, b"http/1.1").await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));

    tls.write_all(&b"GET / HTTP/1.1\r\nHost: t\r\n\r\n".repeat(3))
        .await
        .unwrap();
    tls.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    timeout(STEP, tls.read_to_end(&mut received))
        .await
        .unwrap()
        .unwrap();

    let text = String::from_utf8(received).unwrap();
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 4, "{text}");
    assert_eq!(server.stop().await.requests, 4);
}

#[tokio::test]
async fn tls_serves_h2_by_alpn() {
    let server = TargetServer::start(TargetConfig::default().with_tls())
        .await
        .unwrap();
    let tls = tls_connect(&server, b"h2").await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let mut sender = h2_handshake(tls).await;

    for _ in 0..3 {
        assert_eq!(
            h2_call(&mut sender, Method::GET, "/", b"").await.0,
            StatusCode::OK
        );
    }
    let head = Request::head("http://localhost/")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = timeout(STEP, sender.send_request(head))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.headers()["content-length"], "3");
    assert_eq!(server.stop().await.requests, 4);
}

#[tokio::test]
async fn tls_handshake_garbage_does_not_hurt_the_server() {
    let server = TargetServer::start(TargetConfig::default().with_tls())
        .await
        .unwrap();
    let mut raw = TcpStream::connect(server.addr).await.unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    let mut sink = Vec::new();
    let _ = timeout(STEP, raw.read_to_end(&mut sink)).await.unwrap();

    let tls = tls_connect(&server, b"h2").await;
    let mut sender = h2_handshake(tls).await;
    assert_eq!(
        h2_call(&mut sender, Method::GET, "/", b"").await.0,
        StatusCode::OK
    );
    assert_eq!(server.stop().await.requests, 1);
}
