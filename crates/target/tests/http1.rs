//! The HTTP/1.1 path: answers, exact counts, keep-alive, pipelining, request bodies.

mod common;

use common::RawClient;
use onslaught_target::{TargetConfig, TargetServer};

#[tokio::test]
async fn ok_answers_are_counted_exactly_across_connections() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();

    for _ in 0..4 {
        let mut client = RawClient::connect(server.addr).await;
        for i in 0..25 {
            let reply = client.get(&format!("/item/{i}")).await;
            assert_eq!(
                (reply.status, reply.body.as_slice()),
                (200, b"ok\n".as_slice())
            );
        }
    }

    let stats = server.stats();
    assert_eq!((stats.requests, stats.status(200)), (100, 100));
    assert_eq!(server.stop().await.requests, 100);
}

#[tokio::test]
async fn any_method_is_answered() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;

    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"] {
        client
            .send(format!("{method} / HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
            .await;
        assert_eq!(client.read_reply(false).await.status, 200, "{method}");
    }
    client.send(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n").await;
    let head = client.read_reply(true).await;
    assert_eq!(
        (head.header("content-length"), head.body.len()),
        (Some("3"), 0)
    );

    // The HEAD answer carried no body: the next answer parses cleanly.
    assert_eq!(client.get("/").await.body, b"ok\n");
    assert_eq!(server.stop().await.requests, 9);
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;

    // Stats answers interleaved with load show each request was handled in turn.
    let load = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    let stats = "GET /_onslaught/stats HTTP/1.1\r\nHost: t\r\n\r\n";
    let head = "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n";
    let batch = [load, stats, load, head, load, stats, load].concat();
    client.send(batch.as_bytes()).await;

    let expected_counts = [None, Some(1), None, None, None, Some(4), None];
    for (index, expected) in expected_counts.into_iter().enumerate() {
        let reply = client.read_reply(index == 3).await;
        assert_eq!(reply.status, 200);
        match expected {
            Some(count) => assert_eq!(reply.json()["requests"], count, "answer {index}"),
            None if index == 3 => assert!(reply.body.is_empty()),
            None => assert_eq!(reply.body, b"ok\n", "answer {index}"),
        }
    }
    assert_eq!(server.stop().await.requests, 5);
}

#[tokio::test]
async fn chunked_and_sized_bodies_are_consumed() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;

    // Split mid-chunk and mid-size-line, so the server must carry state across reads.
    client
        .send(b"POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
        .await;
    client.send(b"lo\r\n1").await;
    client
        .send(b"0;ext=1\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\n\r\n")
        .await;
    assert_eq!(client.read_reply(false).await.status, 200);

    client
        .send(b"PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n01234")
        .await;
    client.send(b"56789GET / HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(client.read_reply(false).await.status, 200);
    assert_eq!(client.read_reply(false).await.status, 200);

    // Body bytes were never mistaken for requests.
    assert_eq!(server.stop().await.requests, 3);
}

#[tokio::test]
async fn expect_continue_gets_an_interim_answer() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();
    let mut client = RawClient::connect(server.addr).await;

    client
        .send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        .await;
    assert_eq!(client.read_reply(false).await.status, 100);
    client.send(b"data").await;
    assert_eq!(client.read_reply(false).await.status, 200);
    assert_eq!(server.stop().await.requests, 1);
}

#[tokio::test]
async fn connection_close_and_http10_end_the_connection() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();

    let mut client = RawClient::connect(server.addr).await;
    client
        .send(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;
    let reply = client.read_reply(false).await;
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(client.read_to_close().await.is_empty());

    let mut client = RawClient::connect(server.addr).await;
    client
        .send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .await;
    assert_eq!(
        client.read_reply(false).await.header("connection"),
        Some("keep-alive")
    );
    client.send(b"GET / HTTP/1.0\r\n\r\n").await;
    assert_eq!(client.read_reply(false).await.status, 200);
    assert!(client.read_to_close().await.is_empty());

    assert_eq!(server.stop().await.requests, 3);
}

#[tokio::test]
async fn malformed_requests_get_400_and_are_counted() {
    let server = TargetServer::start(TargetConfig::default()).await.unwrap();

    let mut client = RawClient::connect(server.addr).await;
    client
        .send(b"\x16\x03\x01 definitely not http\r\n\r\n")
        .await;
    assert_eq!(client.read_reply(false).await.status, 400);
    assert!(client.read_to_close().await.is_empty());

    // A broken chunked body moves its count from 200 to 400.
    let mut client = RawClient::connect(server.addr).await;
    client
        .send(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        .await;
    assert_eq!(client.read_reply(false).await.status, 400);

    let stats = server.stop().await;
    assert_eq!(
        (stats.requests, stats.status(400), stats.status(200)),
        (2, 2, 0)
    );
}

#[tokio::test]
async fn body_size_sets_the_exact_body_length() {
    for size in [0, 1, 100_000] {
        let config = TargetConfig::default().with_body_size(size);
        let server = TargetServer::start(config).await.unwrap();
        let mut client = RawClient::connect(server.addr).await;
        for _ in 0..3 {
            let reply = client.get("/").await;
            assert_eq!(reply.body.len(), size);
            assert!(reply.body.iter().all(|b| b"ok\n".contains(b)));
        }
        assert_eq!(server.stop().await.status(200), 3);
    }
}

#[tokio::test]
async fn serves_ipv6_loopback_too() {
    let Ok(listener) = tokio::net::TcpListener::bind("[::1]:0").await else {
        // No IPv6 on this host; the IPv4 tests cover the server itself.
        return;
    };
    let server = TargetServer::start_on(listener, TargetConfig::default()).unwrap();
    assert!(server.url().starts_with("http://[::1]:"));
    let mut client = RawClient::connect(server.addr).await;
    assert_eq!(client.get("/").await.status, 200);
    assert_eq!(server.stop().await.requests, 1);
}
