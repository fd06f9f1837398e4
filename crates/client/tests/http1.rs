//! How HTTP/1.1 responses are read: every framing, when a connection is
//! reused or dropped, and which failures are retried, against a scripted
//! raw server.

mod common;

use std::time::Duration;

use common::scripted::{reply, Answer, ScriptedServer};
use common::{client, config, eventually};
use http::Method;
use onslaught_client::{Client, ErrorKind};

const OK_HELLO: &str = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

/// A client for `server` with a single connection, so reuse is visible.
fn one_connection(server: &ScriptedServer, scheme: &str) -> Client {
    let mut config = config(&server.url(scheme));
    config.pool_size = 1;
    config.insecure = true;
    client(config)
}

async fn send(client: &Client) -> Result<(u16, u64), ErrorKind> {
    let result = client.send(0).await;
    assert_eq!(client.pools()[0].in_use, 0, "connection left checked out");
    result.map(|response| (response.status, response.body_bytes))
}

#[tokio::test]
async fn chunked_body_split_across_reads_is_counted_with_its_trailers() {
    let chunked = Answer::Reply(vec![
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
        b"lo\r\n1",
        b"0;ext=1\r\n0123456789abcdef\r\n0\r\nX-Checksum: 1",
        b"\r\n\r\n",
    ]);
    let server = ScriptedServer::start(vec![chunked.clone(), chunked]).await;
    let client = one_connection(&server, "http");

    assert_eq!(send(&client).await, Ok((200, 21)));
    assert_eq!(send(&client).await, Ok((200, 21)));
    assert_eq!(
        server.accepted(),
        1,
        "a complete chunked body keeps the connection"
    );
}

#[tokio::test]
async fn head_response_has_no_body_whatever_its_length_says() {
    let head = reply("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    let server = ScriptedServer::start(vec![head.clone(), head]).await;
    let mut config = config(&server.url("http"));
    config.method = Method::HEAD;
    config.pool_size = 1;
    let client = client(config);

    assert_eq!(send(&client).await, Ok((200, 0)));
    assert_eq!(send(&client).await, Ok((200, 0)));
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn no_content_and_not_modified_have_no_body() {
    let server = ScriptedServer::start(vec![
        reply("HTTP/1.1 204 No Content\r\n\r\n"),
        reply("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"),
        reply(OK_HELLO),
    ])
    .await;
    let client = one_connection(&server, "http");

    assert_eq!(send(&client).await, Ok((204, 0)));
    assert_eq!(send(&client).await, Ok((304, 0)));
    assert_eq!(send(&client).await, Ok((200, 5)));
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn informational_responses_are_skipped() {
    let server = ScriptedServer::start(vec![Answer::Reply(vec![
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\nHTTP/1.1 201 Created\r\n",
        b"Content-Length: 2\r\n\r\nok",
    ])])
    .await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Ok((201, 2)));
}

#[tokio::test]
async fn body_delimited_by_close_is_read_to_the_end_and_not_reused() {
    let until_close = Answer::ReplyAndClose(vec![b"HTTP/1.1 200 OK\r\n\r\nfirst", b" second"]);
    let server = ScriptedServer::start(vec![until_close]).await;
    let client = one_connection(&server, "http");

    assert_eq!(send(&client).await, Ok((200, 12)));
    assert_eq!(send(&client).await, Ok((200, 12)));
    assert_eq!(server.accepted(), 2);
}

#[tokio::test]
async fn connection_close_is_honoured_even_if_the_server_keeps_it_open() {
    let closing = reply("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    let server = ScriptedServer::start(vec![closing.clone(), closing]).await;
    let client = one_connection(&server, "http");

    assert_eq!(send(&client).await, Ok((200, 2)));
    assert_eq!(send(&client).await, Ok((200, 2)));
    assert_eq!(server.accepted(), 2);
}

#[tokio::test]
async fn http10_reuses_a_connection_only_when_asked_to_keep_it_alive() {
    let plain = reply("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    let server = ScriptedServer::start(vec![plain.clone(), plain]).await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Ok((200, 2)));
    assert_eq!(send(&client).await, Ok((200, 2)));
    assert_eq!(server.accepted(), 2);

    let kept = reply("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok");
    let server = ScriptedServer::start(vec![kept.clone(), kept]).await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Ok((200, 2)));
    assert_eq!(send(&client).await, Ok((200, 2)));
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn oversized_head_is_a_protocol_error() {
    let mut head = String::from("HTTP/1.1 200 OK\r\n");
    while head.len() <= 70 * 1024 {
        head.push_str("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    head.push_str("Content-Length: 0\r\n\r\n");
    let server = ScriptedServer::start(vec![Answer::Reply(vec![head.leak().as_bytes()])]).await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Err(ErrorKind::Protocol));
}

#[tokio::test]
async fn large_head_below_the_limit_is_read() {
    let mut head = String::from("HTTP/1.1 200 OK\r\n");
    while head.len() <= 40 * 1024 {
        head.push_str("Set-Cookie: session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    head.push_str("Content-Length: 5\r\n\r\nhello");
    let server = ScriptedServer::start(vec![Answer::Reply(vec![head.leak().as_bytes()])]).await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Ok((200, 5)));
}

#[tokio::test]
async fn truncated_body_is_a_reset() {
    let short = Answer::ReplyAndClose(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"]);
    let server = ScriptedServer::start(vec![short]).await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Err(ErrorKind::Reset));
}

#[tokio::test]
async fn fresh_connection_closed_before_any_byte_is_a_reset_without_retry() {
    let server = ScriptedServer::start(vec![Answer::Close]).await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Err(ErrorKind::Reset));
    assert_eq!(
        server.accepted(),
        1,
        "a fresh connection must not be retried"
    );
}

#[tokio::test]
async fn reused_connection_closed_as_the_request_arrives_is_retried_once() {
    // Each connection answers once, then hangs up on the next request: the
    // race of a server closing an idle keep-alive connection.
    let server = ScriptedServer::start(vec![reply(OK_HELLO), Answer::Close]).await;
    let client = one_connection(&server, "http");

    for _ in 0..3 {
        assert_eq!(send(&client).await, Ok((200, 5)));
    }
    assert_eq!(server.accepted(), 3);
}

#[tokio::test]
async fn reused_tls_connection_closed_as_the_request_arrives_is_retried_once() {
    let server = ScriptedServer::start_tls(vec![reply(OK_HELLO), Answer::Close]).await;
    let client = one_connection(&server, "https");

    assert_eq!(send(&client).await, Ok((200, 5)));
    assert_eq!(send(&client).await, Ok((200, 5)));
    assert_eq!(server.accepted(), 2);
}

#[tokio::test]
async fn reused_connection_that_dies_mid_response_is_not_retried() {
    let partial = Answer::ReplyAndClose(vec![b"HTTP/1.1 200 OK\r\nContent-Len"]);
    let server = ScriptedServer::start(vec![reply(OK_HELLO), partial]).await;
    let client = one_connection(&server, "http");

    assert_eq!(send(&client).await, Ok((200, 5)));
    assert_eq!(send(&client).await, Err(ErrorKind::Reset));
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn idle_connection_closed_by_the_server_is_not_a_failure() {
    let server =
        ScriptedServer::start(vec![Answer::ReplyAndClose(vec![OK_HELLO.as_bytes()])]).await;
    let client = one_connection(&server, "http");

    assert_eq!(send(&client).await, Ok((200, 5)));
    eventually("server closed the idle connection", || server.closed() == 1).await;
    // Let the FIN land, so the check before reuse notices it; were it
    // missed, the retry of a reused connection would cover it.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(send(&client).await, Ok((200, 5)));
    assert_eq!(server.accepted(), 2);
}

#[tokio::test]
async fn bytes_after_a_response_make_the_connection_unusable() {
    let pipelined = reply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n");
    let server = ScriptedServer::start(vec![pipelined.clone(), pipelined]).await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Ok((200, 5)));
    assert_eq!(send(&client).await, Ok((200, 5)));
    assert_eq!(server.accepted(), 2);

    // The same when the stray bytes arrive while the connection is idle.
    let late = Answer::Reply(vec![OK_HELLO.as_bytes(), b"stray"]);
    let server = ScriptedServer::start(vec![late.clone(), late]).await;
    let client = one_connection(&server, "http");
    assert_eq!(send(&client).await, Ok((200, 5)));
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(send(&client).await, Ok((200, 5)));
    assert_eq!(server.accepted(), 2);
}

#[tokio::test]
async fn malformed_chunks_and_lengths_are_protocol_errors() {
    for bad in [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    ] {
        let server = ScriptedServer::start(vec![reply(bad)]).await;
        let client = one_connection(&server, "http");
        assert_eq!(send(&client).await, Err(ErrorKind::Protocol), "{bad:?}");
    }
}
