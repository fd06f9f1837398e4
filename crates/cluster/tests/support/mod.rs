//! Test harness: loopback nodes, a small DNS server and bounded waits.

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::future::Future;
use std::net::{IpAddr, SocketAddr, UdpSocket as StdUdpSocket};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use onslaught_cluster::{Cluster, ClusterConfig, NodeInfo, NodeStatus};
use simple_dns::rdata::{RData, A, AAAA};
use simple_dns::{Packet, ResourceRecord, CLASS, QTYPE, RCODE, TYPE};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;
use tokio::time::{sleep, Instant};

pub const A_IP: &str = "127.0.0.2";
pub const B_IP: &str = "127.0.0.3";
pub const C_IP: &str = "127.0.0.4";

pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

pub fn ip(text: &str) -> IpAddr {
    text.parse().expect("test address")
}

/// A UDP port free on every given address, so that nodes can share it as a
/// DNS-discovered cluster must.
pub fn free_port(ips: &[&str]) -> u16 {
    for _ in 0..50 {
        let first = StdUdpSocket::bind((ip(ips[0]), 0)).expect("bind first address");
        let port = first.local_addr().expect("local address").port();
        let all_free = ips[1..]
            .iter()
            .all(|other| StdUdpSocket::bind((ip(other), port)).is_ok());
        if all_free {
            return port;
        }
    }
    panic!("no port free on all of {ips:?}");
}

/// A node config on `bind:port` with a cookie and no discovery.
pub fn config(bind: &str, port: u16, cookie: &str) -> ClusterConfig {
    ClusterConfig {
        cluster_port: port,
        cookie: Some(cookie.to_owned()),
        ..ClusterConfig::new(ip(bind), SocketAddr::new(ip(bind), 4000))
    }
}

/// Same, seeded with static peers.
pub fn config_with_peers(bind: &str, port: u16, cookie: &str, peers: &[&str]) -> ClusterConfig {
    ClusterConfig {
        peers: peers.iter().map(|peer| format!("{peer}:{port}")).collect(),
        ..config(bind, port, cookie)
    }
}

pub async fn start(config: ClusterConfig) -> Cluster {
    Cluster::start(config).await.expect("node starts")
}

/// Starts a node whose address may still be held by a node that was just dropped.
pub async fn restart(config: ClusterConfig) -> Cluster {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match Cluster::start(config.clone()).await {
            Ok(cluster) => return cluster,
            Err(error) if Instant::now() < deadline => {
                tracing::debug!(%error, "address still busy");
                sleep(Duration::from_millis(20)).await;
            }
            Err(error) => panic!("restart failed: {error}"),
        }
    }
}

/// Polls `check` until it holds or `within` passes; returns whether it held.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `node` lists exactly `expected` as (name, status), in any order.
pub async fn wait_for_nodes(node: &Cluster, expected: &[(&str, NodeStatus)], within: Duration) {
    let mut want: Vec<(String, NodeStatus)> = expected
        .iter()
        .map(|(name, status)| ((*name).to_owned(), *status))
        .collect();
    want.sort();
    let held = eventually(within, || {
        let got = summary(&node.nodes());
        let want = &want;
        async move { got == *want }
    })
    .await;
    assert!(
        held,
        "{} lists {:?}, expected {want:?}",
        node.local().name,
        summary(&node.nodes())
    );
}

pub fn summary(nodes: &[NodeInfo]) -> Vec<(String, NodeStatus)> {
    let mut summary: Vec<_> = nodes.iter().map(|n| (n.name.clone(), n.status)).collect();
    summary.sort();
    summary
}

/// A DNS server on loopback answering A/AAAA queries for one name.
pub struct TestDns {
    pub addr: SocketAddr,
    records: Arc<Mutex<Vec<IpAddr>>>,
    task: JoinHandle<()>,
}

impl TestDns {
    pub async fn start(name: &'static str, records: &[&str]) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind dns");
        let addr = socket.local_addr().expect("dns address");
        let records = Arc::new(Mutex::new(records.iter().map(|r| ip(r)).collect()));
        let task = tokio::spawn(serve(socket, name, Arc::clone(&records)));
        Self {
            addr,
            records,
            task,
        }
    }

    pub fn set_records(&self, records: &[&str]) {
        *self.records.lock().expect("records lock") = records.iter().map(|r| ip(r)).collect();
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(socket: UdpSocket, name: &str, records: Arc<Mutex<Vec<IpAddr>>>) {
    let mut buf = [0u8; 512];
    loop {
        let Ok((len, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let ips = records.lock().expect("records lock").clone();
        if let Some(reply) = answer(&buf[..len], name, &ips) {
            let _ = socket.send_to(&reply, from).await;
        }
    }
}

fn answer(query: &[u8], name: &str, ips: &[IpAddr]) -> Option<Vec<u8>> {
    let query = Packet::parse(query).ok()?;
    let question = query.questions.first()?.clone();
    let mut reply = Packet::new_reply(query.id());
    if question.qname.to_string() != name {
        *reply.rcode_mut() = RCODE::NameError;
        reply.questions.push(question);
        return reply.build_bytes_vec().ok();
    }
    for ip in ips {
        let rdata = match (ip, question.qtype) {
            (IpAddr::V4(v4), QTYPE::TYPE(TYPE::A)) => RData::A(A {
                address: u32::from(*v4),
            }),
            (IpAddr::V6(v6), QTYPE::TYPE(TYPE::AAAA)) => RData::AAAA(AAAA {
                address: u128::from(*v6),
            }),
            _ => continue,
        };
        let record = ResourceRecord::new(question.qname.clone(), CLASS::IN, 1, rdata);
        reply.answers.push(record);
    }
    reply.questions.push(question);
    reply.build_bytes_vec().ok()
}
