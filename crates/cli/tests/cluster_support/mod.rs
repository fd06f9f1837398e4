//! Harness for cluster tests: real `onslaught serve` processes on
//! 127.0.0.x, a tiny JSON client, a DNS server and bounded waits.

mod dns;
mod http;

use std::fs::File;
use std::net::{IpAddr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

pub use dns::TestDns;
pub use http::{delete, get, post, Response};
use serde_json::Value;

pub const NODE_IPS: [&str; 3] = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
pub const COOKIE: &str = "cluster-test-cookie";

/// The ports every node of one test shares: HTTP (TCP) and gossip (UDP).
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub http: u16,
    pub cluster: u16,
}

impl Ports {
    /// Ports free on every address in `ips`, so that nodes can share them.
    pub fn free_on(ips: &[&str]) -> Ports {
        Ports {
            http: free_port(ips, |ip, port| TcpListener::bind((ip, port)).is_ok()),
            cluster: free_port(ips, |ip, port| UdpSocket::bind((ip, port)).is_ok()),
        }
    }
}

fn free_port(ips: &[&str], free: impl Fn(IpAddr, u16) -> bool) -> u16 {
    for _ in 0..100 {
        let probe = UdpSocket::bind((ip(ips[0]), 0)).expect("bind a probe socket");
        let port = probe.local_addr().expect("probe address").port();
        drop(probe);
        if ips.iter().all(|addr| free(ip(addr), port)) {
            return port;
        }
    }
    panic!("no port free on all of {ips:?}");
}

pub fn ip(text: &str) -> IpAddr {
    text.parse().expect("a test address")
}

/// How a node finds the others.
#[derive(Debug, Clone)]
pub enum Discovery {
    Peers(Vec<String>),
    Dns { query: String, server: String },
}

/// One `onslaught serve` process; killed (by its pid) when dropped.
pub struct Node {
    pub bind: String,
    pub ports: Ports,
    child: Child,
    log: PathBuf,
}

impl Node {
    /// Starts a node and waits until its `/health` answers.
    pub fn start(bind: &str, ports: Ports, cookie: &str, discovery: &Discovery) -> Node {
        let log = std::env::temp_dir().join(format!(
            "onslaught-cluster-{}-{bind}-{}-{}.log",
            std::process::id(),
            ports.http,
            unique()
        ));
        let mut command = Command::new(env!("CARGO_BIN_EXE_onslaught"));
        command
            .arg("serve")
            .env_clear()
            .env("BIND", bind)
            .env("PORT", ports.http.to_string())
            .env("CLUSTER_PORT", ports.cluster.to_string())
            .env("COOKIE", cookie)
            .env("RUST_LOG", "info,onslaught_cluster=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("create a log file"));
        match discovery {
            Discovery::Peers(peers) => command.env("PEERS", peers.join(",")),
            Discovery::Dns { query, server } => command
                .env("DNS_CLUSTER_QUERY", query)
                .env("DNS_SERVER", server),
        };
        let child = command.spawn().expect("start onslaught serve");
        let node = Node {
            bind: bind.to_owned(),
            ports,
            child,
            log,
        };
        node.wait_healthy();
        node
    }

    pub fn addr(&self) -> String {
        format!("{}:{}", self.bind, self.ports.http)
    }

    pub fn get(&self, path: &str) -> Response {
        get(&self.addr(), path)
    }

    pub fn get_json(&self, path: &str) -> Value {
        let response = self.get(path);
        assert_eq!(
            response.status, 200,
            "GET {path} on {}: {response:?}",
            self.bind
        );
        response.json()
    }

    /// `GET /api/nodes`.
    pub fn nodes(&self) -> Vec<Value> {
        match self.get("/api/nodes").json() {
            Value::Array(nodes) => nodes,
            other => panic!("/api/nodes is not an array: {other}"),
        }
    }

    /// Nodes listed as up, by HTTP address, sorted.
    pub fn up_addresses(&self) -> Vec<String> {
        let mut up: Vec<String> = self
            .nodes()
            .iter()
            .filter(|n| n["status"] == "up")
            .map(|n| n["address"].as_str().unwrap_or_default().to_owned())
            .collect();
        up.sort();
        up
    }

    /// Creates a spawn through the API; returns its id.
    pub fn create_spawn(&self, spawn: &Value) -> String {
        let response = post(&self.addr(), "/api/spawns", spawn);
        assert_eq!(
            response.status, 201,
            "create on {}: {response:?}",
            self.bind
        );
        response.json()["id"].as_str().expect("an id").to_owned()
    }

    pub fn kill(&mut self) {
        // Child::kill sends SIGKILL to this child's pid, which is what a
        // crash looks like to the others.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn wait_healthy(&self) {
        let healthy = eventually(Duration::from_secs(10), || {
            http::try_get(&self.addr(), "/health").is_some_and(|r| r.status == 200)
        });
        assert!(
            healthy,
            "node {} never became healthy:\n{}",
            self.bind,
            self.log_tail()
        );
    }

    /// The end of the node's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- log of node {} ---\n{}", self.bind, self.log_tail());
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Polls `check` every 100 ms until it holds or `within` passes.
pub fn eventually(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(100));
    }
}

/// Three nodes on [`NODE_IPS`], each given the others as `PEERS`.
pub fn start_three_with_peers(ports: Ports) -> Vec<Node> {
    NODE_IPS
        .iter()
        .map(|bind| Node::start(bind, ports, COOKIE, &peers_of(bind, ports)))
        .collect()
}

/// The other nodes' gossip addresses.
pub fn peers_of(bind: &str, ports: Ports) -> Discovery {
    let peers = NODE_IPS
        .iter()
        .filter(|other| **other != bind)
        .map(|other| format!("{other}:{}", ports.cluster))
        .collect();
    Discovery::Peers(peers)
}

/// Waits until every node lists all of `addresses` (and only them) as up.
pub fn wait_all_see(nodes: &[Node], addresses: &[String], within: Duration) {
    let mut want = addresses.to_vec();
    want.sort();
    for node in nodes {
        let seen = eventually(within, || node.up_addresses() == want);
        assert!(
            seen,
            "{} sees {:?} up, expected {want:?}",
            node.bind,
            node.up_addresses()
        );
    }
}

pub fn addresses(nodes: &[Node]) -> Vec<String> {
    nodes.iter().map(Node::addr).collect()
}
