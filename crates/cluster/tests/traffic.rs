//! Traffic counters of nodes on 127.0.0.2-4 talking over real UDP sockets.

mod support;

use std::net::UdpSocket as StdUdpSocket;
use std::time::Duration;

use bytes::Bytes;
use onslaught_cluster::{
    Cluster, ClusterConfig, NodeInfo, NodeStatus, Traffic, MAX_BROADCAST_LEN, MAX_DATA_LEN,
};
use tokio::sync::broadcast;
use tokio::time::timeout;

use support::*;

/// Version, kind and HMAC tag around every datagram's body.
const SEAL_LEN: u64 = 34;

const JOIN_WITHIN: Duration = Duration::from_secs(8);

fn pattern(len: usize) -> Bytes {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn two_node_cluster(cookie: &str) -> (Cluster, Cluster) {
    let port = free_port(&[A_IP, B_IP]);
    let a = start(config(A_IP, port, cookie)).await;
    let b = start(config_with_peers(B_IP, port, cookie, &[A_IP])).await;
    let (a_name, b_name) = (a.local().name, b.local().name);
    let both = [
        (a_name.as_str(), NodeStatus::Up),
        (b_name.as_str(), NodeStatus::Up),
    ];
    for node in [&a, &b] {
        wait_for_nodes(node, &both, JOIN_WITHIN).await;
    }
    (a, b)
}

/// Waits for the next message on `rx`, which only other nodes send.
async fn received(rx: &mut broadcast::Receiver<(NodeInfo, Bytes)>) -> Bytes {
    let got = timeout(Duration::from_secs(5), rx.recv()).await;
    got.expect("delivered in time").expect("receive").1
}

#[tokio::test]
async fn broadcast_and_data_are_counted_apart() {
    init_logs();
    let (a, b) = two_node_cluster("traffic-cookie").await;
    let mut b_rx = b.subscribe();
    let (a_before, b_before) = (a.traffic(), b.traffic());
    // Joining took gossip both ways, and nothing else.
    assert!(a_before.gossip_datagrams_sent > 0 && a_before.gossip_datagrams_received > 0);
    assert_eq!(
        a_before.data_datagrams_sent + b_before.data_datagrams_sent,
        0
    );

    let control = pattern(MAX_BROADCAST_LEN);
    a.broadcast(control.clone()).expect("broadcast accepted");
    assert_eq!(received(&mut b_rx).await, control);
    let data = pattern(MAX_DATA_LEN);
    assert_eq!(a.send_to_all(data.clone()).await, Ok(1));
    assert_eq!(received(&mut b_rx).await, data);

    let (a_after, b_after) = (a.traffic(), b.traffic());
    let control_len = control.len() as u64 + SEAL_LEN;
    assert!(a_after.gossip_bytes_sent - a_before.gossip_bytes_sent >= control_len);
    assert!(b_after.gossip_bytes_received - b_before.gossip_bytes_received >= control_len);

    // One data datagram went from A to B: counted once on each side, with the same size.
    let data_sent = a_after.data_bytes_sent;
    assert!(
        data_sent >= data.len() as u64 + SEAL_LEN,
        "{data_sent} bytes"
    );
    assert_eq!(b_after.data_bytes_received, data_sent);
    assert_eq!(
        (a_after.data_datagrams_sent, b_after.data_datagrams_received),
        (1, 1)
    );
    assert_eq!(
        (b_after.data_bytes_sent, a_after.data_bytes_received),
        (0, 0)
    );
    assert_eq!(a_after.refused_datagrams + b_after.refused_datagrams, 0);
}

#[tokio::test]
async fn datagrams_with_a_wrong_cookie_are_counted_as_refused() {
    init_logs();
    let port = free_port(&[A_IP, B_IP]);
    let a = start(config(A_IP, port, "right")).await;
    let gossip_addr = a.gossip_addr().expect("gossiping node");

    // A node with another cookie announces itself to A, which must refuse it.
    let intruder = start(config_with_peers(B_IP, port, "wrong", &[A_IP])).await;
    let refused = eventually(JOIN_WITHIN, || {
        let count = a.traffic().refused_datagrams;
        async move { count > 0 }
    })
    .await;
    assert!(refused, "A counted no refusal: {:?}", a.traffic());
    let sent = intruder.traffic();
    assert!(sent.gossip_datagrams_sent > 0);
    assert_eq!(sent.gossip_datagrams_received, 0, "A answered the intruder");

    // Garbage of any size is refused and counted too, byte for byte.
    let before = a.traffic();
    let raw = StdUdpSocket::bind((ip(C_IP), 0)).expect("bind sender");
    for len in [0, 10, 200] {
        raw.send_to(&vec![7; len], gossip_addr)
            .expect("send garbage");
    }
    let counted = eventually(Duration::from_secs(3), || {
        let count = a.traffic().refused_datagrams;
        async move { count >= before.refused_datagrams + 3 }
    })
    .await;
    let after = a.traffic();
    assert!(counted, "garbage not counted: {after:?}");
    assert!(after.refused_bytes >= before.refused_bytes + 210);
    assert_eq!(after.gossip_bytes_received, before.gossip_bytes_received);
    assert_eq!(after.data_bytes_received, 0);
}

#[tokio::test]
async fn lone_node_has_no_traffic() {
    init_logs();
    let config = ClusterConfig {
        cluster_port: free_port(&[A_IP]),
        ..ClusterConfig::new(ip(A_IP), "127.0.0.2:4000".parse().unwrap())
    };
    let alone = start(config).await;
    assert_eq!(alone.send_to_all(Bytes::from_static(b"x")).await, Ok(0));
    assert_eq!(alone.traffic(), Traffic::default());
}
