//! Turns the flat settings into a checked configuration before anything
//! starts, so later code never sees an unusable combination.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::args::{env, ServeArgs};
use crate::secret;

/// Everything a node needs to serve, checked.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    /// `PHX_HOST`: a host name that forms may also be posted from.
    pub public_host: Option<String>,
    pub auth: Auth,
    /// How this node is named on cards, in reports and in the cluster.
    pub node_name: String,
    pub cluster: ClusterSettings,
}

/// Whether pages and the API ask for a password.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// Only allowed on a loopback address.
    Open,
    Password {
        password: String,
        generated: bool,
    },
}

impl std::fmt::Debug for Auth {
    // A password never reaches a log line through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Open => f.write_str("Open"),
            Auth::Password { generated, .. } => write!(f, "Password {{ generated: {generated} }}"),
        }
    }
}

/// Kept for the cluster: how this node finds and trusts the others.
#[derive(Clone, Default)]
pub struct ClusterSettings {
    pub cookie: Option<String>,
    pub dns_query: Option<String>,
    /// `host:port` of nodes to join.
    pub peers: Vec<String>,
    pub port: u16,
    /// `DNS_SERVER`: who answers `dns_query`; the system resolver if unset.
    pub dns_server: Option<SocketAddr>,
}

impl ClusterSettings {
    /// Whether this node should look for others at all.
    pub fn discovers(&self) -> bool {
        self.dns_query.is_some() || !self.peers.is_empty()
    }
}

impl std::fmt::Debug for ClusterSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterSettings")
            .field("cookie_set", &self.cookie.is_some())
            .field("dns_query", &self.dns_query)
            .field("peers", &self.peers)
            .field("port", &self.port)
            .field("dns_server", &self.dns_server)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{} {value:?} is not an IP address: use e.g. 127.0.0.1, 0.0.0.0 or ::1",
        env::BIND
    )]
    Bind { value: String },
    #[error("{} entry {value:?} is not host:port (e.g. 10.0.0.2:7946)", env::PEERS)]
    Peer { value: String },
    #[error(
        "{} {value:?} is not a host name: give the name only, without scheme, port or path",
        env::PHX_HOST
    )]
    PublicHost { value: String },
    #[error(
        "{} or {} is set but {} is not: every node of a cluster needs the same COOKIE, \
         so that only nodes sharing it can join",
        env::DNS_CLUSTER_QUERY,
        env::PEERS,
        env::COOKIE
    )]
    CookieRequired,
    #[error("{} {value:?} is not an IP address with an optional port (e.g. 10.0.0.53 or 127.0.0.1:5353)", env::DNS_SERVER)]
    DnsServer { value: String },
    #[error(transparent)]
    Cluster(#[from] onslaught_cluster::ConfigError),
    #[error("cannot generate a password: {0}")]
    Secret(#[from] secret::SecretError),
}

impl ServeConfig {
    /// Checks the settings; generates a password if the node would
    /// otherwise be reachable from the network without one.
    pub fn from_args(args: ServeArgs) -> Result<ServeConfig, ConfigError> {
        let ip = parse_bind(&args.bind)?;
        let public_host = non_empty(args.phx_host).map(check_host).transpose()?;
        let peers = args
            .peers
            .into_iter()
            .map(|peer| peer.trim().to_owned())
            .filter(|peer| !peer.is_empty())
            .map(check_peer)
            .collect::<Result<Vec<_>, _>>()?;

        let auth = match non_empty(args.auth_password) {
            Some(password) => Auth::Password {
                password,
                generated: false,
            },
            None if ip.is_loopback() => Auth::Open,
            None => Auth::Password {
                password: secret::password()?,
                generated: true,
            },
        };
        let cluster = ClusterSettings {
            cookie: non_empty(args.cookie),
            dns_query: non_empty(args.dns_cluster_query).map(|q| q.trim().to_owned()),
            peers,
            port: args.cluster_port,
            dns_server: non_empty(args.dns_server)
                .map(|s| parse_dns_server(&s))
                .transpose()?,
        };
        if cluster.discovers() && cluster.cookie.is_none() {
            return Err(ConfigError::CookieRequired);
        }
        Ok(ServeConfig {
            listen: SocketAddr::new(ip, args.port),
            public_host,
            auth,
            node_name: node_name(),
            cluster,
        })
    }

    /// A node on 127.0.0.1 with a free port and no password, for tests.
    pub fn for_test() -> ServeConfig {
        ServeConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            public_host: None,
            auth: Auth::Open,
            node_name: "test-node".to_owned(),
            cluster: ClusterSettings::default(),
        }
    }

    /// The same, protected by `password`.
    pub fn with_password(mut self, password: &str) -> ServeConfig {
        self.auth = Auth::Password {
            password: password.to_owned(),
            generated: false,
        };
        self
    }
}

fn parse_bind(text: &str) -> Result<IpAddr, ConfigError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    // Accept the bracketed form people copy from URLs, e.g. [::1].
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    bare.parse().map_err(|_| ConfigError::Bind {
        value: text.to_owned(),
    })
}

/// `ip` or `ip:port`; port 53 when none is given.
fn parse_dns_server(text: &str) -> Result<SocketAddr, ConfigError> {
    let text = text.trim();
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    text.parse().map_err(|_| ConfigError::DnsServer {
        value: text.to_owned(),
    })
}

fn check_peer(peer: String) -> Result<String, ConfigError> {
    let valid = peer
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    if valid {
        Ok(peer)
    } else {
        Err(ConfigError::Peer { value: peer })
    }
}

fn check_host(host: String) -> Result<String, ConfigError> {
    let valid = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if valid {
        Ok(host.to_ascii_lowercase())
    } else {
        Err(ConfigError::PublicHost { value: host })
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// The host name, as the seed named its nodes.
fn node_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "local".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(bind: &str, password: Option<&str>) -> ServeArgs {
        ServeArgs {
            port: 4000,
            bind: bind.into(),
            phx_host: None,
            auth_password: password.map(Into::into),
            cookie: None,
            dns_cluster_query: None,
            peers: vec![],
            cluster_port: 7946,
            dns_server: None,
        }
    }

    #[test]
    fn discovery_without_a_cookie_is_refused() {
        let mut peers = args("127.0.0.1", None);
        peers.peers = vec!["127.0.0.2:7946".into()];
        let error = ServeConfig::from_args(peers).unwrap_err();
        assert!(matches!(error, ConfigError::CookieRequired), "{error}");
        assert!(error.to_string().contains("COOKIE"), "{error}");

        let mut dns = args("127.0.0.1", None);
        dns.dns_cluster_query = Some("onslaught.internal".into());
        assert!(matches!(
            ServeConfig::from_args(dns.clone()),
            Err(ConfigError::CookieRequired)
        ));
        dns.cookie = Some("c".into());
        assert!(ServeConfig::from_args(dns).is_ok());
    }

    #[test]
    fn dns_server_takes_an_address_with_or_without_port() {
        let mut with = args("127.0.0.1", None);
        with.dns_server = Some("127.0.0.1".into());
        let config = ServeConfig::from_args(with.clone()).unwrap();
        assert_eq!(
            config.cluster.dns_server,
            Some("127.0.0.1:53".parse().unwrap())
        );
        with.dns_server = Some("127.0.0.1:5353".into());
        let config = ServeConfig::from_args(with.clone()).unwrap();
        assert_eq!(
            config.cluster.dns_server,
            Some("127.0.0.1:5353".parse().unwrap())
        );
        with.dns_server = Some("ns.example".into());
        let error = ServeConfig::from_args(with).unwrap_err();
        assert!(error.to_string().starts_with("DNS_SERVER"), "{error}");
    }

    #[test]
    fn loopback_without_password_is_open() {
        for bind in ["127.0.0.1", "::1", "[::1]", "localhost"] {
            let config = ServeConfig::from_args(args(bind, None)).unwrap();
            assert_eq!(config.auth, Auth::Open, "{bind}");
        }
    }

    #[test]
    fn network_bind_without_password_gets_a_generated_one() {
        let config = ServeConfig::from_args(args("0.0.0.0", Some(""))).unwrap();
        match config.auth {
            Auth::Password {
                password,
                generated: true,
            } => assert!(password.len() >= 20),
            other => panic!("expected a generated password, got {other:?}"),
        }
        let set = ServeConfig::from_args(args("0.0.0.0", Some("s3cret"))).unwrap();
        assert!(matches!(
            set.auth,
            Auth::Password {
                generated: false,
                ..
            }
        ));
    }

    #[test]
    fn bad_settings_name_the_variable() {
        let error = ServeConfig::from_args(args("my-host", None)).unwrap_err();
        assert!(error.to_string().starts_with("BIND \"my-host\""), "{error}");

        let mut bad_peer = args("127.0.0.1", None);
        bad_peer.peers = vec!["10.0.0.2:7946".into(), "nohost".into()];
        let error = ServeConfig::from_args(bad_peer).unwrap_err();
        assert!(
            error.to_string().contains("PEERS entry \"nohost\""),
            "{error}"
        );

        let mut bad_host = args("127.0.0.1", None);
        bad_host.phx_host = Some("https://x.test/".into());
        let error = ServeConfig::from_args(bad_host).unwrap_err();
        assert!(error.to_string().starts_with("PHX_HOST"), "{error}");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let mut with_secrets = args("127.0.0.1", Some("hunter2"));
        with_secrets.cookie = Some("cookie-value".into());
        let config = ServeConfig::from_args(with_secrets).unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("hunter2") && !printed.contains("cookie-value"));
    }
}
