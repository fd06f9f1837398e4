//! Nodes on 127.0.0.2-4 gossiping over real UDP sockets.

mod support;

use std::time::Duration;

use bytes::Bytes;
use onslaught_cluster::{
    Cluster, ClusterConfig, ClusterError, ConfigError, NodeStatus, SendError, MAX_BROADCAST_LEN,
    MAX_DATA_LEN,
};
use tokio::sync::broadcast;
use tokio::time::{timeout, Instant};

use support::*;

const UP: NodeStatus = NodeStatus::Up;
const DOWN: NodeStatus = NodeStatus::Down;

/// Joining takes a few gossip rounds; generous for a loaded 2-core machine.
const JOIN_WITHIN: Duration = Duration::from_secs(8);

async fn three_node_cluster(cookie: &str) -> (Cluster, Cluster, Cluster, u16) {
    let port = free_port(&[A_IP, B_IP, C_IP]);
    let a = start(config(A_IP, port, cookie)).await;
    let b = start(config_with_peers(B_IP, port, cookie, &[A_IP])).await;
    let c = start(config_with_peers(C_IP, port, cookie, &[A_IP])).await;
    let all = [
        (a.local().name, UP),
        (b.local().name, UP),
        (c.local().name, UP),
    ];
    let all: Vec<(&str, NodeStatus)> = all.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    for node in [&a, &b, &c] {
        wait_for_nodes(node, &all, JOIN_WITHIN).await;
    }
    (a, b, c, port)
}

async fn next_message(
    rx: &mut broadcast::Receiver<(onslaught_cluster::NodeInfo, Bytes)>,
    within: Duration,
) -> Option<(onslaught_cluster::NodeInfo, Bytes)> {
    timeout(within, rx.recv())
        .await
        .ok()
        .map(|got| got.expect("receive"))
}

fn pattern(len: usize) -> Bytes {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn three_nodes_find_each_other_through_peers() {
    init_logs();
    let (a, b, c, _) = three_node_cluster("peers-cookie").await;

    // C only knew A, yet learnt B through gossip.
    let names: Vec<String> = c.nodes().into_iter().map(|n| n.name).collect();
    assert!(names.contains(&b.local().name));
    assert_eq!(a.local().address, format!("{A_IP}:4000"));
    assert!(a.local().name.starts_with(&format!("{A_IP}-")));
    assert_eq!(a.nodes().len(), 3);
}

#[tokio::test]
async fn dns_discovery_finds_nodes_that_appear_later() {
    init_logs();
    let dns = TestDns::start("onslaught.test", &[A_IP, B_IP]).await;
    let port = free_port(&[A_IP, B_IP, C_IP]);
    let with_dns = |bind| ClusterConfig {
        dns_query: Some("onslaught.test".into()),
        dns_server: Some(dns.addr),
        ..config(bind, port, "dns-cookie")
    };
    let a = start(with_dns(A_IP)).await;
    let b = start(with_dns(B_IP)).await;
    let (a_name, b_name) = (a.local().name, b.local().name);
    wait_for_nodes(&a, &[(&a_name, UP), (&b_name, UP)], JOIN_WITHIN).await;

    // C knows nobody; it is found only once the name lists it and A or B re-resolve.
    let c = start(config(C_IP, port, "dns-cookie")).await;
    let c_name = c.local().name;
    dns.set_records(&[A_IP, B_IP, C_IP]);
    let everyone = [
        (a_name.as_str(), UP),
        (b_name.as_str(), UP),
        (c_name.as_str(), UP),
    ];
    for node in [&a, &b, &c] {
        wait_for_nodes(node, &everyone, Duration::from_secs(12)).await;
    }
}

#[tokio::test]
async fn node_with_wrong_cookie_never_joins() {
    init_logs();
    let port = free_port(&[A_IP, B_IP, C_IP]);
    let a = start(config(A_IP, port, "right")).await;
    let b = start(config_with_peers(B_IP, port, "right", &[A_IP])).await;
    let intruder = start(config_with_peers(C_IP, port, "wrong", &[A_IP, B_IP])).await;
    let (a_name, b_name) = (a.local().name, b.local().name);
    wait_for_nodes(&a, &[(&a_name, UP), (&b_name, UP)], JOIN_WITHIN).await;

    // Covers the intruder's first announce and its re-announce 5 s later.
    let intruder_name = intruder.local().name;
    let deadline = Instant::now() + Duration::from_secs(6);
    while Instant::now() < deadline {
        for node in [&a, &b] {
            let listed = node.nodes().iter().any(|n| n.name == intruder_name);
            assert!(!listed, "{} lists the intruder", node.local().name);
        }
        assert_eq!(intruder.nodes(), vec![intruder.local()]);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn broadcast_reaches_every_node_once() {
    init_logs();
    let (a, b, c, _) = three_node_cluster("broadcast-cookie").await;
    let (mut a_rx, mut b_rx, mut c_rx) = (a.subscribe(), b.subscribe(), c.subscribe());

    let payload = pattern(MAX_BROADCAST_LEN);
    a.broadcast(payload.clone()).expect("broadcast accepted");
    for rx in [&mut b_rx, &mut c_rx] {
        let (from, got) = next_message(rx, Duration::from_secs(5))
            .await
            .expect("delivered");
        assert_eq!(from, a.local());
        assert_eq!(got, payload);
    }

    // Gossip keeps retransmitting for a while; none of it is delivered twice.
    for rx in [&mut a_rx, &mut b_rx, &mut c_rx] {
        assert!(next_message(rx, Duration::from_millis(700)).await.is_none());
    }
}

#[tokio::test]
async fn broadcast_refuses_empty_and_oversized_messages() {
    init_logs();
    let port = free_port(&[A_IP]);
    let a = start(config(A_IP, port, "limits-cookie")).await;
    assert_eq!(a.broadcast(Bytes::new()), Err(SendError::Empty));
    let too_big = pattern(MAX_BROADCAST_LEN + 1);
    assert!(matches!(
        a.broadcast(too_big),
        Err(SendError::TooLarge { .. })
    ));
    let too_much = pattern(MAX_DATA_LEN + 1);
    assert!(matches!(
        a.send_to_all(too_much).await,
        Err(SendError::TooLarge { .. })
    ));
}

#[tokio::test]
async fn send_to_all_reaches_every_up_node() {
    init_logs();
    let (a, b, c, _) = three_node_cluster("data-cookie").await;
    let (mut b_rx, mut c_rx) = (b.subscribe(), c.subscribe());

    let payload = pattern(MAX_DATA_LEN);
    assert_eq!(a.send_to_all(payload.clone()).await, Ok(2));
    for rx in [&mut b_rx, &mut c_rx] {
        let (from, got) = next_message(rx, Duration::from_secs(3))
            .await
            .expect("delivered");
        assert_eq!(from.name, a.local().name);
        assert_eq!(got.len(), payload.len());
        assert_eq!(got, payload);
    }
}

#[tokio::test]
async fn crashed_node_is_marked_down_then_up_after_restart() {
    init_logs();
    let (a, b, c, port) = three_node_cluster("crash-cookie").await;
    let (a_name, b_name, c_name) = (a.local().name, b.local().name, c.local().name);

    // Dropping the handle kills its tasks without a word to the others.
    let crashed_at = Instant::now();
    drop(c);
    let c_down = [
        (a_name.as_str(), UP),
        (b_name.as_str(), UP),
        (c_name.as_str(), DOWN),
    ];
    for node in [&a, &b] {
        wait_for_nodes(node, &c_down, Duration::from_secs(10)).await;
    }
    assert!(crashed_at.elapsed() < Duration::from_secs(10));

    // Same address, new run: it replaces its old identity instead of being refused.
    let c = restart(config_with_peers(C_IP, port, "crash-cookie", &[A_IP])).await;
    let new_name = c.local().name;
    let back = [
        (a_name.as_str(), UP),
        (b_name.as_str(), UP),
        (new_name.as_str(), UP),
    ];
    for node in [&a, &b, &c] {
        wait_for_nodes(node, &back, JOIN_WITHIN).await;
    }
}

#[tokio::test]
async fn graceful_shutdown_is_seen_at_once() {
    init_logs();
    let port = free_port(&[A_IP, B_IP]);
    let a = start(config(A_IP, port, "leave-cookie")).await;
    let b = start(config_with_peers(B_IP, port, "leave-cookie", &[A_IP])).await;
    let (a_name, b_name) = (a.local().name, b.local().name);
    wait_for_nodes(&a, &[(&a_name, UP), (&b_name, UP)], JOIN_WITHIN).await;

    b.shutdown().await;
    // Far sooner than failure detection would take.
    wait_for_nodes(
        &a,
        &[(&a_name, UP), (&b_name, DOWN)],
        Duration::from_secs(2),
    )
    .await;
}

#[tokio::test]
async fn node_without_cookie_runs_alone() {
    init_logs();
    let config = ClusterConfig {
        cluster_port: free_port(&[A_IP]),
        ..ClusterConfig::new(ip(A_IP), "127.0.0.2:4000".parse().unwrap())
    };
    let alone = start(config).await;
    assert_eq!(alone.gossip_addr(), None);
    assert_eq!(alone.nodes(), vec![alone.local()]);
    assert_eq!(alone.broadcast(Bytes::from_static(b"x")), Ok(()));
    assert_eq!(alone.send_to_all(Bytes::from_static(b"x")).await, Ok(0));
    alone.shutdown().await;
}

#[tokio::test]
async fn start_refuses_bad_settings_with_clear_errors() {
    init_logs();
    let no_cookie = ClusterConfig {
        peers: vec![format!("{A_IP}:7946")],
        ..ClusterConfig::default()
    };
    let error = Cluster::start(no_cookie).await.err().expect("refused");
    assert!(matches!(
        error,
        ClusterError::Config(ConfigError::CookieRequired)
    ));
    assert!(error.to_string().contains("COOKIE"), "{error}");

    let port = free_port(&[A_IP]);
    let _holder = start(config(A_IP, port, "busy-cookie")).await;
    let error = Cluster::start(config(A_IP, port, "busy-cookie"))
        .await
        .err()
        .expect("refused");
    assert!(matches!(error, ClusterError::Bind { .. }), "{error}");
    assert!(
        error.to_string().contains(&format!("{A_IP}:{port}")),
        "{error}"
    );
}
