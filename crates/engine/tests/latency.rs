//! Latency counts from when a request was due: a stall cannot hide.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use support::*;

/// A keep-alive HTTP/1.1 server that answers at once, except that the
/// request numbered `stall_at` is held for one second.
async fn stalling_server(stall_at: u64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(AtomicU64::new(0));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let served = served.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut filled = 0;
                loop {
                    let Ok(n) = socket.read(&mut buf[filled..]).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    filled += n;
                    while let Some(end) = find_head_end(&buf[..filled]) {
                        buf.copy_within(end..filled, 0);
                        filled -= end;
                        if served.fetch_add(1, Ordering::SeqCst) == stall_at {
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                        if socket.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}/")
}

fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_second_stall_shows_in_p99() {
    let url = stalling_server(50).await;
    // One session, a request every 10 ms for 3 s: the stall holds back
    // about a hundred requests that were due during it.
    let spawner = start(options(
        &url,
        &[
            ("session_count", "1"),
            ("interval_ms", "10"),
            ("seconds", "3"),
        ],
    ));

    let (_, timeline) = run_to_end(&spawner, Duration::from_secs(6)).await;

    let totals = timeline.totals();
    let all = totals.outcomes.total();
    let p99_ms = all.value_at_quantile(0.99) as f64 / 1000.0;
    let p90_ms = all.value_at_quantile(0.90) as f64 / 1000.0;
    let p50_ms = all.value_at_quantile(0.50) as f64 / 1000.0;
    assert!(p99_ms >= 900.0, "p99 {p99_ms} ms does not show the stall");
    // About a third of the run was spent catching up after the stall,
    // so p90 carries it too, while the median stays fast.
    assert!(p90_ms >= 300.0, "p90 {p90_ms} ms");
    assert!(p50_ms < 50.0, "p50 {p50_ms} ms");
    assert!(totals.late > 50, "late {}", totals.late);
    // Catching up sends every tick that was due: none are dropped.
    assert!(totals.requests() >= 280, "sent {}", totals.requests());
}
