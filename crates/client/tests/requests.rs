//! What reaches the server is what was configured, and what comes back is
//! counted.

mod common;

use bytes::Bytes;
use common::{client, config, handler, ok, TestServer};
use http::header::{CONTENT_LENGTH, HOST, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use tokio::sync::mpsc;

/// What the server saw of one request.
#[derive(Debug)]
struct Seen {
    method: Method,
    uri: String,
    headers: HeaderMap,
    body: Bytes,
}

async fn recording_server() -> (TestServer, mpsc::UnboundedReceiver<Seen>) {
    let (seen_tx, seen_rx) = mpsc::unbounded_channel();
    let record = handler(move |request: http::Request<hyper::body::Incoming>| {
        let seen_tx = seen_tx.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let _ = seen_tx.send(Seen {
                method: parts.method,
                uri: parts.uri.to_string(),
                headers: parts.headers,
                body,
            });
            ok("recorded")
        }
    });
    (TestServer::http1(record).await, seen_rx)
}

#[tokio::test]
async fn method_headers_and_body_arrive_as_configured() {
    let (server, mut seen_rx) = recording_server().await;
    let mut config = config(&server.url("http", "/submit?x=1"));
    config.method = Method::POST;
    config
        .headers
        .insert("x-api-key", HeaderValue::from_static("secret"));
    config
        .headers
        .append("x-multi", HeaderValue::from_static("one"));
    config
        .headers
        .append("x-multi", HeaderValue::from_static("two"));
    config.body = Bytes::from_static(br#"{"a":1}"#);
    let client = client(config);

    for _ in 0..2 {
        assert_eq!(client.send(0).await.map(|r| r.status), Ok(200));
        let seen = seen_rx.recv().await.expect("server saw the request");
        assert_eq!(seen.method, Method::POST);
        assert_eq!(seen.uri, "/submit?x=1");
        assert_eq!(seen.headers[HOST], server.addr.to_string().as_str());
        assert_eq!(seen.headers["x-api-key"], "secret");
        let multi: Vec<_> = seen.headers.get_all("x-multi").iter().collect();
        assert_eq!(multi, ["one", "two"]);
        assert_eq!(seen.headers[CONTENT_LENGTH], "7");
        assert_eq!(seen.body, r#"{"a":1}"#);
    }
}

#[tokio::test]
async fn user_agent_defaults_to_onslaught_and_can_be_overridden() {
    let (server, mut seen_rx) = recording_server().await;
    let url = server.url("http", "/");

    client(config(&url))
        .send(0)
        .await
        .expect("request succeeds");
    let seen = seen_rx.recv().await.expect("server saw the request");
    let expected = format!("onslaught/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(seen.headers[USER_AGENT], expected.as_str());
    assert!(seen.body.is_empty());
    assert!(
        !seen.headers.contains_key(CONTENT_LENGTH),
        "GET without body got a length"
    );

    let mut custom = config(&url);
    custom
        .headers
        .insert(USER_AGENT, HeaderValue::from_static("custom/2"));
    client(custom).send(0).await.expect("request succeeds");
    let seen = seen_rx.recv().await.expect("server saw the request");
    let agents: Vec<_> = seen.headers.get_all(USER_AGENT).iter().collect();
    assert_eq!(agents, ["custom/2"]);
}

#[tokio::test]
async fn status_and_body_size_come_back_without_collecting() {
    let big = handler(|_| async {
        let mut reply = http::Response::new(Full::new(Bytes::from(vec![b'x'; 300_000])));
        *reply.status_mut() = StatusCode::CREATED;
        reply
    });
    let server = TestServer::http1(big).await;
    let client = client(config(&server.url("http", "/")));

    for _ in 0..3 {
        let response = client.send(0).await.expect("request succeeds");
        assert_eq!((response.status, response.body_bytes), (201, 300_000));
    }
    assert_eq!(
        server.accepted(),
        1,
        "a fully read body keeps the connection reusable"
    );
}

#[tokio::test]
async fn error_statuses_are_responses_not_failures() {
    let failing = handler(|_| async {
        let mut reply = ok("nope");
        *reply.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        reply
    });
    let server = TestServer::http1(failing).await;
    let response = client(config(&server.url("http", "/"))).send(0).await;
    assert_eq!(response.map(|r| r.status), Ok(503));
}
