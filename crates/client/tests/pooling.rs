//! Keep-alive reuse, pool size limits and recovery, against real servers
//! that count the connections they accept.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{client, config, eventually, handler, ok, Handler, TestServer};
use onslaught_client::{ErrorKind, PoolStatus};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A handler that holds every response until the gate opens.
fn gated() -> (Handler, watch::Sender<bool>) {
    let (gate_tx, gate_rx) = watch::channel(false);
    let handler = handler(move |_| {
        let mut gate_rx = gate_rx.clone();
        async move {
            let _ = gate_rx.wait_for(|open| *open).await;
            ok("released")
        }
    });
    (handler, gate_tx)
}

#[tokio::test]
async fn sequential_requests_reuse_one_keep_alive_connection() {
    let server = TestServer::http1(handler(|_| async { ok("hello") })).await;
    let client = client(config(&server.url("http", "/")));

    for _ in 0..20 {
        let response = client.send(0).await.expect("request succeeds");
        assert_eq!((response.status, response.body_bytes), (200, 5));
    }
    assert_eq!(server.accepted(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_stay_within_the_pool_size() {
    let server = TestServer::http1(handler(|_| async { ok("hello") })).await;
    let client = client(config(&server.url("http", "/")));

    let mut requests = JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        requests.spawn(async move {
            for _ in 0..10 {
                assert_eq!(client.send(0).await.map(|r| r.status), Ok(200));
            }
        });
    }
    while let Some(done) = requests.join_next().await {
        done.expect("request task finished");
    }
    assert!(
        server.accepted() <= 2,
        "opened {} connections",
        server.accepted()
    );
    assert_eq!(client.pools()[0].in_use, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_use_shows_checked_out_connections_and_never_exceeds_size() {
    let (handler, gate) = gated();
    let server = TestServer::http1(handler).await;
    let mut config = config(&server.url("http", "/"));
    config.pool_size = 3;
    let client = client(config);

    let mut requests = JoinSet::new();
    for _ in 0..10 {
        let client = client.clone();
        requests.spawn(async move { client.send(0).await });
    }
    eventually("three checked out", || client.pools()[0].in_use == 3).await;
    eventually("three accepted", || server.accepted() == 3).await;
    // Give the seven waiting requests time to overstep the limit if they could.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let expected = PoolStatus {
        index: 0,
        in_use: 3,
        size: 3,
    };
    assert_eq!(client.pools(), vec![expected]);
    assert_eq!(server.accepted(), 3);

    gate.send_replace(true);
    while let Some(done) = requests.join_next().await {
        assert_eq!(done.expect("task finished").map(|r| r.status), Ok(200));
    }
    assert_eq!(server.accepted(), 3);
    assert_eq!(client.pools()[0].in_use, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_are_independent() {
    let (handler, gate) = gated();
    let server = TestServer::http1(handler).await;
    let mut config = config(&server.url("http", "/"));
    config.pool_count = 2;
    config.pool_size = 1;
    let client = client(config);

    let mut requests = JoinSet::new();
    for hint in [0, 1, 2, 3] {
        let client = client.clone();
        requests.spawn(async move { client.send(hint).await });
    }
    // Hints wrap around: 0 and 2 share pool 0, 1 and 3 share pool 1.
    eventually("one per pool", || {
        client.pools().iter().all(|p| p.in_use == 1)
    })
    .await;
    eventually("two accepted", || server.accepted() == 2).await;
    assert_eq!(
        client.pools()[1],
        PoolStatus {
            index: 1,
            in_use: 1,
            size: 1
        }
    );

    gate.send_replace(true);
    while let Some(done) = requests.join_next().await {
        assert_eq!(done.expect("task finished").map(|r| r.status), Ok(200));
    }
    assert_eq!(server.accepted(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_recovers_when_the_server_closes_every_connection() {
    // Counted in the handler, not by open sockets: the server notices a
    // closed connection a moment after the client has moved on to a new
    // one, so its socket count can briefly exceed the pool without the
    // client ever using more than two connections at once.
    let in_handler = Arc::new(AtomicUsize::new(0));
    let max_in_handler = Arc::new(AtomicUsize::new(0));
    let (now, max) = (in_handler.clone(), max_in_handler.clone());
    let closing = handler(move |_| {
        let (now, max) = (now.clone(), max.clone());
        async move {
            max.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            let mut reply = ok("bye");
            reply
                .headers_mut()
                .insert(http::header::CONNECTION, "close".parse().unwrap());
            now.fetch_sub(1, Ordering::SeqCst);
            reply
        }
    });
    let server = TestServer::http1(closing).await;
    let client = client(config(&server.url("http", "/")));

    for _ in 0..10 {
        assert_eq!(client.send(0).await.map(|r| r.status), Ok(200));
    }
    assert_eq!(server.accepted(), 10);

    let mut requests = JoinSet::new();
    for _ in 0..4 {
        let client = client.clone();
        requests.spawn(async move {
            for _ in 0..5 {
                assert_eq!(client.send(0).await.map(|r| r.status), Ok(200));
            }
        });
    }
    while let Some(done) = requests.join_next().await {
        done.expect("request task finished");
    }
    assert_eq!(server.accepted(), 30);
    let max = max_in_handler.load(Ordering::SeqCst);
    assert!(max <= 2, "{max} requests at once over a pool of 2");
    assert!(max >= 1);
    assert_eq!(client.pools()[0].in_use, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_includes_waiting_for_a_pooled_connection() {
    let slow = handler(|_| async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        ok("slow")
    });
    let server = TestServer::http1(slow).await;
    let mut config = config(&server.url("http", "/"));
    config.pool_size = 1;
    config.timeout = Duration::from_millis(450);
    let client = client(config);

    // Each alone fits the timeout; the second must wait for the first.
    let (first, second) = tokio::join!(client.send(0), client.send(0));
    let mut outcomes = [first.map(|r| r.status), second.map(|r| r.status)];
    outcomes.sort();
    assert_eq!(outcomes, [Ok(200), Err(ErrorKind::Timeout)]);
}

#[tokio::test]
async fn h1_timeout_discards_the_connection_and_the_next_request_redials() {
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
    let server = TestServer::http1(first_is_slow).await;
    let mut config = config(&server.url("http", "/"));
    config.pool_size = 1;
    config.timeout = Duration::from_millis(200);
    let client = client(config);

    // The late response would desynchronise the connection, so it must
    // not be reused.
    assert_eq!(client.send(0).await, Err(ErrorKind::Timeout));
    assert_eq!(client.pools()[0].in_use, 0);
    assert_eq!(client.send(0).await.map(|r| r.status), Ok(200));
    assert_eq!(server.accepted(), 2);
}

#[tokio::test]
async fn send_future_is_small() {
    let client = client(config("http://127.0.0.1:9/"));
    let size = std::mem::size_of_val(&client.send(0));
    // 100,000 sessions each hold one of these while waiting.
    assert!(size <= 512, "send future is {size} bytes");
    eprintln!("send future: {size} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_requests_take_turns_with_sessions_that_return_and_ask_again() {
    let quick = handler(|_| async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        ok("quick")
    });
    let server = TestServer::http1(quick).await;
    let mut config = config(&server.url("http", "/"));
    config.pool_size = 2;
    config.timeout = Duration::from_secs(2);
    let client = client(config);

    // Six back-to-back sessions on two connections: each request should
    // wait about two others' turns. A pool that lets a returning session
    // take its connection straight back starves some waiters for far longer.
    let mut sessions = JoinSet::new();
    for _ in 0..6 {
        let client = client.clone();
        sessions.spawn(async move {
            let mut slowest = Duration::ZERO;
            for _ in 0..150 {
                let started = std::time::Instant::now();
                assert_eq!(client.send(0).await.map(|r| r.status), Ok(200));
                slowest = slowest.max(started.elapsed());
            }
            slowest
        });
    }
    let mut slowest = Duration::ZERO;
    while let Some(done) = sessions.join_next().await {
        slowest = slowest.max(done.expect("session finished"));
    }
    eprintln!("slowest request: {slowest:?}");
    assert!(
        slowest < Duration::from_millis(250),
        "a request waited {slowest:?}"
    );
}
