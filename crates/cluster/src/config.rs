//! What a node needs to know to take part in a cluster, and the checks on it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The gossip port of the seed tool's deployments (`CLUSTER_PORT`), UDP.
pub const DEFAULT_CLUSTER_PORT: u16 = 7946;

/// Longest DNS name RFC 1035 allows in presentation form.
const MAX_DNS_NAME_LEN: usize = 253;
const MAX_DNS_LABEL_LEN: usize = 63;

/// How a node joins the cluster; `onslaught serve` builds it from its settings.
#[derive(Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Address the gossip socket binds (`BIND`).
    pub bind: IpAddr,
    /// UDP port of the gossip socket (`CLUSTER_PORT`); 0 picks a free one.
    pub cluster_port: u16,
    /// Where this node's web UI and API listen, as shown to the other nodes.
    pub http_addr: SocketAddr,
    /// Shared secret (`COOKIE`) that authenticates every datagram; without it the node runs alone.
    pub cookie: Option<String>,
    /// DNS name whose A/AAAA records are the cluster's nodes (`DNS_CLUSTER_QUERY`).
    pub dns_query: Option<String>,
    /// Name server for `dns_query` and host names in `peers` (`DNS_SERVER`); unset means the
    /// system resolver.
    pub dns_server: Option<SocketAddr>,
    /// Static seeds as `host:port` (`PEERS`).
    pub peers: Vec<String>,
    /// Address other nodes should use to reach this one; detected when unset.
    pub advertise_ip: Option<IpAddr>,
}

/// A configuration that cannot work, named after the setting at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("COOKIE is required when DNS_CLUSTER_QUERY or PEERS is set, so that only nodes sharing it can join")]
    CookieRequired,
    #[error("COOKIE must not be empty")]
    EmptyCookie,
    #[error("DNS_CLUSTER_QUERY {name:?} is not a valid DNS name: {reason}")]
    InvalidDnsName { name: String, reason: &'static str },
    #[error("PEERS entry {peer:?} is not host:port: {reason}")]
    InvalidPeer { peer: String, reason: &'static str },
    #[error("advertise address {0} cannot be reached by other nodes; use a specific address")]
    UnspecifiedAdvertise(IpAddr),
}

/// A seed from `PEERS`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seed {
    Addr(SocketAddr),
    Host(String, u16),
}

impl ClusterConfig {
    /// A lone node on `bind` with the default port and no discovery.
    pub fn new(bind: IpAddr, http_addr: SocketAddr) -> Self {
        Self {
            bind,
            cluster_port: DEFAULT_CLUSTER_PORT,
            http_addr,
            cookie: None,
            dns_query: None,
            dns_server: None,
            peers: Vec::new(),
            advertise_ip: None,
        }
    }

    /// Checks the settings together; discovery without a cookie is refused.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.cookie.as_deref() == Some("") {
            return Err(ConfigError::EmptyCookie);
        }
        let discovers = self.dns_query.is_some() || !self.peers.is_empty();
        if discovers && self.cookie.is_none() {
            return Err(ConfigError::CookieRequired);
        }
        if let Some(name) = &self.dns_query {
            check_dns_name(name).map_err(|reason| ConfigError::InvalidDnsName {
                name: name.clone(),
                reason,
            })?;
        }
        if let Some(ip) = self.advertise_ip.filter(IpAddr::is_unspecified) {
            return Err(ConfigError::UnspecifiedAdvertise(ip));
        }
        self.seeds().map(drop)
    }

    /// The `peers` entries parsed into addresses or host names.
    pub(crate) fn seeds(&self) -> Result<Vec<Seed>, ConfigError> {
        self.peers.iter().map(|peer| parse_seed(peer)).collect()
    }
}

impl Default for ClusterConfig {
    fn default() -> Self {
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        Self::new(loopback, SocketAddr::new(loopback, 4000))
    }
}

// Written by hand so that the cookie never reaches a log line.
impl fmt::Debug for ClusterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterConfig")
            .field("bind", &self.bind)
            .field("cluster_port", &self.cluster_port)
            .field("http_addr", &self.http_addr)
            .field("cookie", &self.cookie.as_ref().map(|_| "<redacted>"))
            .field("dns_query", &self.dns_query)
            .field("dns_server", &self.dns_server)
            .field("peers", &self.peers)
            .field("advertise_ip", &self.advertise_ip)
            .finish()
    }
}

fn parse_seed(peer: &str) -> Result<Seed, ConfigError> {
    let invalid = |reason| ConfigError::InvalidPeer {
        peer: peer.to_owned(),
        reason,
    };
    let peer = peer.trim();
    if let Ok(addr) = peer.parse::<SocketAddr>() {
        if addr.port() == 0 {
            return Err(invalid("port must be 1-65535"));
        }
        return Ok(Seed::Addr(addr));
    }

    let (host, port) = peer.rsplit_once(':').ok_or(invalid("missing :port"))?;
    let port = match port.parse::<u16>() {
        Ok(0) | Err(_) => return Err(invalid("port must be 1-65535")),
        Ok(port) => port,
    };
    check_dns_name(host).map_err(invalid)?;
    Ok(Seed::Host(host.to_owned(), port))
}

/// Accepts a host name as resolvers do: dot-separated labels of letters, digits, `-` and `_`.
pub(crate) fn check_dns_name(name: &str) -> Result<(), &'static str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Err("empty name");
    }
    if name.len() > MAX_DNS_NAME_LEN {
        return Err("longer than 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err("empty label");
        }
        if label.len() > MAX_DNS_LABEL_LEN {
            return Err("label longer than 63 characters");
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if !label.chars().all(allowed) {
            return Err("only letters, digits, '-', '_' and '.' are allowed");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie() -> ClusterConfig {
        ClusterConfig {
            cookie: Some("secret".into()),
            ..ClusterConfig::default()
        }
    }

    #[test]
    fn lone_node_needs_no_cookie() {
        assert_eq!(ClusterConfig::default().validate(), Ok(()));
    }

    #[test]
    fn discovery_without_cookie_is_refused() {
        let dns = ClusterConfig {
            dns_query: Some("onslaught.internal".into()),
            ..ClusterConfig::default()
        };
        assert_eq!(dns.validate(), Err(ConfigError::CookieRequired));

        let peers = ClusterConfig {
            peers: vec!["10.0.0.1:7946".into()],
            ..ClusterConfig::default()
        };
        let err = peers.validate().unwrap_err();
        assert_eq!(err, ConfigError::CookieRequired);
        assert!(err.to_string().contains("COOKIE"));
    }

    #[test]
    fn empty_cookie_is_refused() {
        let config = ClusterConfig {
            cookie: Some(String::new()),
            ..ClusterConfig::default()
        };
        assert_eq!(config.validate(), Err(ConfigError::EmptyCookie));
    }

    #[test]
    fn bad_dns_names_are_named_in_the_error() {
        for name in [
            "",
            "a..b",
            "under score ok?",
            &"x".repeat(64),
            &"a.".repeat(130),
        ] {
            let config = ClusterConfig {
                dns_query: Some(name.to_owned()),
                ..with_cookie()
            };
            match config.validate() {
                Err(ConfigError::InvalidDnsName { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{name:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn peers_parse_as_addresses_or_host_names() {
        let config = ClusterConfig {
            peers: vec![
                "127.0.0.2:7946".into(),
                "[::1]:7000".into(),
                "node-b.local:7946".into(),
            ],
            ..with_cookie()
        };
        assert_eq!(config.validate(), Ok(()));
        let seeds = config.seeds().unwrap();
        assert_eq!(seeds[0], Seed::Addr("127.0.0.2:7946".parse().unwrap()));
        assert_eq!(seeds[1], Seed::Addr("[::1]:7000".parse().unwrap()));
        assert_eq!(seeds[2], Seed::Host("node-b.local".into(), 7946));
    }

    #[test]
    fn bad_peers_are_refused_with_a_reason() {
        for peer in [
            "node-b",
            "node-b:",
            "node-b:0",
            "node-b:70000",
            "bad host:1",
            ":7946",
        ] {
            let config = ClusterConfig {
                peers: vec![peer.to_owned()],
                ..with_cookie()
            };
            match config.validate() {
                Err(ConfigError::InvalidPeer { peer: got, .. }) => assert_eq!(got, peer),
                other => panic!("{peer:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn unspecified_advertise_address_is_refused() {
        let config = ClusterConfig {
            advertise_ip: Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            ..with_cookie()
        };
        assert!(matches!(
            config.validate(),
            Err(ConfigError::UnspecifiedAdvertise(_))
        ));
    }

    #[test]
    fn debug_output_hides_the_cookie() {
        let shown = format!("{:?}", with_cookie());
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
