//! Finding other nodes: `DNS_CLUSTER_QUERY` records and `PEERS` seeds, resolved
//! again and again so that nodes appearing later (new containers, restarts under a
//! new address) are announced to as well.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{interval, MissedTickBehavior};
use tracing::{debug, info, warn};

use crate::config::{ClusterConfig, Seed};
use crate::dns::Resolver;
use crate::node::Command;

/// How often seeds are resolved and announced to. Short enough that a new node is
/// found within seconds; each round costs a query pair and one small datagram per
/// address not yet a member.
pub(crate) const RESOLVE_EVERY: Duration = Duration::from_secs(5);

/// Resolves the configured seeds into gossip addresses.
#[derive(Debug)]
pub(crate) struct Discovery {
    resolver: Resolver,
    dns_query: Option<String>,
    seeds: Vec<Seed>,
    cluster_port: u16,
    last_failures: Vec<String>,
}

impl Discovery {
    pub fn new(config: &ClusterConfig, seeds: Vec<Seed>) -> Self {
        Self {
            resolver: Resolver::new(config.dns_server),
            dns_query: config.dns_query.clone(),
            seeds,
            cluster_port: config.cluster_port,
            last_failures: Vec::new(),
        }
    }

    /// Whether there is anything to resolve.
    pub fn is_enabled(&self) -> bool {
        self.dns_query.is_some() || !self.seeds.is_empty()
    }

    /// Every address the seeds resolve to right now, without duplicates.
    pub async fn targets(&mut self) -> Vec<SocketAddr> {
        let mut found = Vec::new();
        let mut failures = Vec::new();
        if let Some(name) = &self.dns_query {
            match self.resolver.lookup(name, self.cluster_port).await {
                Ok(addrs) => found.extend(addrs),
                Err(error) => failures.push(error.to_string()),
            }
        }
        for seed in &self.seeds {
            match seed {
                Seed::Addr(addr) => found.push(*addr),
                Seed::Host(host, port) => match self.resolver.lookup(host, *port).await {
                    Ok(addrs) => found.extend(addrs),
                    Err(error) => failures.push(error.to_string()),
                },
            }
        }
        self.report(failures);
        found.sort();
        found.dedup();
        found
    }

    /// Announces to every seed address each round until the node's loop stops.
    pub async fn run(mut self, own: SocketAddr, commands_tx: mpsc::Sender<Command>) {
        let mut tick = interval(RESOLVE_EVERY);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let mut targets = self.targets().await;
            targets.retain(|addr| *addr != own);
            debug!(num_targets = targets.len(), "discovery round");
            if targets.is_empty() {
                continue;
            }
            if commands_tx.send(Command::Announce(targets)).await.is_err() {
                return;
            }
        }
    }

    // A broken DNS setup fails the same way every round; warn when that changes only.
    fn report(&mut self, failures: Vec<String>) {
        if failures == self.last_failures {
            for failure in &failures {
                debug!(error = %failure, "seed resolution still failing");
            }
            return;
        }
        for failure in &failures {
            warn!(error = %failure, retry_in = ?RESOLVE_EVERY, "seed resolution failed");
        }
        if failures.is_empty() {
            info!("seed resolution recovered");
        }
        self.last_failures = failures;
    }
}
