//! The cluster as users run it: real `onslaught serve` processes on
//! 127.0.0.2-4 sharing one HTTP port and one gossip port, a counting
//! target in this process, and the JSON API of every node.

mod cluster_support;

use std::time::{Duration, Instant};

use cluster_support::{
    addresses, peers_of, start_three_with_peers, wait_all_see, Discovery, Node, Ports, TestDns,
    COOKIE, NODE_IPS,
};
use onslaught_target::{TargetConfig, TargetServer};
use serde_json::{json, Value};

/// Membership settles in about a second on loopback; this leaves room for
/// a loaded two-core machine.
const CONVERGE: Duration = Duration::from_secs(10);

/// A counting target on 127.0.0.1, with the runtime that serves it.
struct Target {
    server: TargetServer,
    _runtime: tokio::runtime::Runtime,
}

impl Target {
    fn start() -> Target {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the target");
        let server = runtime
            .block_on(TargetServer::start(TargetConfig::default()))
            .expect("the target starts");
        Target {
            server,
            _runtime: runtime,
        }
    }

    fn requests(&self) -> u64 {
        self.server.stats().requests
    }

    /// A light paced spawn: 2 sessions per node, 10 requests/s each.
    fn spawn(&self, seconds: u64) -> Value {
        json!({
            "url": self.server.url(),
            "session_count": 2,
            "delay_between_spawns_ms": 0,
            "interval_ms": 100,
            "seconds": seconds,
        })
    }
}

fn spawn_on(node: &Node, id: &str) -> Value {
    node.get_json(&format!("/api/spawns/{id}"))
}

fn requests_of(spawn: &Value) -> u64 {
    spawn["totals"]["requests"].as_u64().unwrap_or_default()
}

/// Waits until every node shows the spawn ended with `num_spawners`
/// spawners and totals equal to what the target counted.
fn wait_settled(nodes: &[&Node], target: &Target, id: &str, num_spawners: usize, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let expected = target.requests();
        let views: Vec<Value> = nodes.iter().map(|node| spawn_on(node, id)).collect();
        let settled = views.iter().all(|view| {
            view["state"] == "finished"
                && view["spawners"].as_array().map(Vec::len) == Some(num_spawners)
                && requests_of(view) == expected
        });
        if settled && expected > 0 {
            return;
        }
        if Instant::now() >= deadline {
            let summary: Vec<_> = views
                .iter()
                .map(|v| {
                    (
                        v["state"].clone(),
                        v["spawners"].as_array().map(Vec::len),
                        requests_of(v),
                    )
                })
                .collect();
            panic!("spawn {id} did not settle: target counted {expected}, nodes show {summary:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn three_nodes_find_each_other_and_every_one_shows_the_whole_spawn() {
    let target = Target::start();
    let ports = Ports::free_on(&NODE_IPS);
    let nodes = start_three_with_peers(ports);
    wait_all_see(&nodes, &addresses(&nodes), CONVERGE);
    for node in &nodes {
        let own: Vec<Value> = node
            .nodes()
            .into_iter()
            .filter(|n| n["self"] == true)
            .collect();
        assert_eq!(own.len(), 1, "{:?}", node.nodes());
        assert_eq!(own[0]["address"], node.addr());
    }

    let id = nodes[0].create_spawn(&target.spawn(3));
    let all: Vec<&Node> = nodes.iter().collect();
    wait_settled(&all, &target, &id, 3, Duration::from_secs(15));

    // Every node names the same three spawners, one per node.
    let mut spawner_nodes: Vec<String> = spawn_on(&nodes[1], &id)["spawners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["node"].as_str().unwrap().to_owned())
        .collect();
    spawner_nodes.sort();
    spawner_nodes.dedup();
    assert_eq!(spawner_nodes.len(), 3, "{spawner_nodes:?}");
    let metrics = nodes[2].get_json(&format!("/api/spawns/{id}/metrics"));
    let merged: u64 = metrics["merged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .sum();
    assert_eq!(merged, target.requests(), "merged series of node 3");

    // The page says options are per node and what they add up to.
    let page = nodes[1].get(&format!("/spawns/{id}")).body;
    assert!(page.contains("Sessions per node"), "{page}");
    assert!(page.contains(" on 3 nodes"), "no cluster total on the page");

    // Metrics crossed the cluster, and /metrics says what that cost.
    let text = nodes[1].get("/metrics").body;
    let data_sent = prometheus_value(&text, "onslaught_cluster_bytes_sent_total{kind=\"data\"}");
    let gossip_received = prometheus_value(
        &text,
        "onslaught_cluster_bytes_received_total{kind=\"gossip\"}",
    );
    assert!(data_sent > 0.0, "no data bytes counted:\n{text}");
    assert!(gossip_received > 0.0, "no gossip bytes counted:\n{text}");
}

fn prometheus_value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or_else(|| panic!("{series} missing from /metrics:\n{text}"))
}

#[test]
fn stop_on_one_node_stops_every_node_and_big_bodies_are_refused() {
    let target = Target::start();
    let ports = Ports::free_on(&NODE_IPS);
    let nodes = start_three_with_peers(ports);
    wait_all_see(&nodes, &addresses(&nodes), CONVERGE);

    // An announcement must fit one datagram to every node.
    let mut big = target.spawn(5);
    big["method"] = json!("POST");
    big["body"] = json!("x".repeat(70 * 1024));
    let refused = cluster_support::post(&nodes[0].addr(), "/api/spawns", &big);
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(
        refused.json()["errors"]["body"][0].is_string(),
        "{refused:?}"
    );

    let id = nodes[0].create_spawn(&target.spawn(30));
    let everywhere = cluster_support::eventually(Duration::from_secs(5), || {
        nodes
            .iter()
            .all(|node| node.get(&format!("/api/spawns/{id}")).status == 200)
    });
    assert!(everywhere, "the spawn did not reach every node");
    let stopped = cluster_support::delete(&nodes[1].addr(), &format!("/api/spawns/{id}"));
    assert_eq!(stopped.status, 202, "{stopped:?}");

    for node in &nodes {
        let ended = cluster_support::eventually(Duration::from_secs(5), || {
            spawn_on(node, &id)["state"] == "stopped"
        });
        assert!(ended, "{} shows {:#}", node.bind, spawn_on(node, &id));
    }
    let after_stop = target.requests();
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(
        target.requests(),
        after_stop,
        "traffic went on after the stop"
    );
}

#[test]
fn nodes_discover_each_other_through_dns_and_a_wrong_cookie_stays_out() {
    const QUERY: &str = "onslaught.cluster.test";
    const INTRUDER: &str = "127.0.0.5";
    let mut ips = NODE_IPS.to_vec();
    ips.push(INTRUDER);
    let ports = Ports::free_on(&ips);
    let dns = TestDns::start(QUERY, &ips);
    let discovery = Discovery::Dns {
        query: QUERY.to_owned(),
        server: dns.addr.to_string(),
    };

    let nodes: Vec<Node> = NODE_IPS
        .iter()
        .map(|bind| Node::start(bind, ports, COOKIE, &discovery))
        .collect();
    let intruder = Node::start(INTRUDER, ports, "another-cookie", &discovery);
    wait_all_see(&nodes, &addresses(&nodes), CONVERGE);

    // Give the intruder a few discovery rounds to try.
    std::thread::sleep(Duration::from_secs(3));
    for node in &nodes {
        let listed: Vec<Value> = node.nodes();
        assert_eq!(listed.len(), 3, "{} lists {listed:?}", node.bind);
        assert!(listed.iter().all(|n| n["address"] != intruder.addr()));
    }
    assert_eq!(intruder.nodes().len(), 1, "{:?}", intruder.nodes());
    assert!(!intruder.log_tail().contains(COOKIE) && !nodes[0].log_tail().contains(COOKIE));
}

#[test]
fn a_killed_node_is_marked_down_the_rest_finish_and_it_comes_back() {
    let target = Target::start();
    let ports = Ports::free_on(&NODE_IPS);
    let mut nodes = start_three_with_peers(ports);
    wait_all_see(&nodes, &addresses(&nodes), CONVERGE);

    let id = nodes[0].create_spawn(&target.spawn(6));
    let three_running = cluster_support::eventually(Duration::from_secs(5), || {
        spawn_on(&nodes[0], &id)["spawners"]
            .as_array()
            .map(Vec::len)
            == Some(3)
    });
    assert!(three_running, "{:#}", spawn_on(&nodes[0], &id));

    let killed_at = Instant::now();
    nodes[2].kill();
    let dead = nodes[2].addr();
    let survivors = &nodes[..2];
    for node in survivors {
        let marked = cluster_support::eventually(Duration::from_secs(10), || {
            node.nodes()
                .iter()
                .any(|n| n["address"] == dead && n["status"] == "down")
        });
        assert!(marked, "{} lists {:?}", node.bind, node.nodes());
    }
    assert!(killed_at.elapsed() <= Duration::from_secs(10));

    for node in survivors {
        let finished = cluster_support::eventually(Duration::from_secs(10), || {
            spawn_on(node, &id)["state"] == "finished"
        });
        let view = spawn_on(node, &id);
        assert!(finished, "{view:#}");
        let down: Vec<&Value> = view["spawners"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["node_down"] == true)
            .collect();
        assert_eq!(down.len(), 1, "{view:#}");
    }

    let restarted = Node::start(NODE_IPS[2], ports, COOKIE, &peers_of(NODE_IPS[2], ports));
    for node in survivors {
        let back = cluster_support::eventually(CONVERGE, || node.up_addresses().contains(&dead));
        assert!(back, "{} lists {:?}", node.bind, node.nodes());
    }
    assert_eq!(restarted.up_addresses().len(), 3);
}

#[test]
fn a_node_started_mid_spawn_takes_its_share() {
    let target = Target::start();
    let ports = Ports::free_on(&NODE_IPS);
    let first_two: Vec<Node> = NODE_IPS[..2]
        .iter()
        .map(|bind| Node::start(bind, ports, COOKIE, &peers_of(bind, ports)))
        .collect();
    wait_all_see(&first_two, &addresses(&first_two), CONVERGE);

    let id = first_two[0].create_spawn(&target.spawn(8));
    std::thread::sleep(Duration::from_secs(2));
    let late = Node::start(NODE_IPS[2], ports, COOKIE, &peers_of(NODE_IPS[2], ports));

    let joined = cluster_support::eventually(Duration::from_secs(5), || {
        late.get(&format!("/api/spawns/{id}")).status == 200
    });
    assert!(joined, "the late node never started its share");
    let all = [&first_two[0], &first_two[1], &late];
    wait_settled(&all, &target, &id, 3, Duration::from_secs(15));

    let spawners = spawn_on(&first_two[0], &id)["spawners"].clone();
    let late_share = spawners.as_array().unwrap().iter().find(|s| {
        s["node"]
            .as_str()
            .is_some_and(|n| n.starts_with(NODE_IPS[2]))
    });
    assert!(late_share.is_some(), "{spawners:#}");
    let late_points = late.get_json(&format!("/api/spawns/{id}/metrics"));
    let late_node = late_points["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["node"]
                .as_str()
                .is_some_and(|n| n.starts_with(NODE_IPS[2]))
        })
        .cloned()
        .expect("the late node's own series");
    let first_second = late_node["points"][0]["t"].as_u64().unwrap();
    assert!(
        first_second >= 2,
        "the late node ran from second {first_second}"
    );
}

#[test]
fn discovery_without_a_cookie_stops_start_up_with_exit_status_2() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_onslaught"))
        .arg("serve")
        .env_clear()
        .env("PORT", "0")
        .env("PEERS", "127.0.0.3:7946")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("COOKIE"), "{stderr}");
}
