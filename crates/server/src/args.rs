//! The settings of `onslaught serve`, each a flag and an environment
//! variable. The names are part of the product (SPEC.md, "Command line").

use clap::{Args, Parser};

/// Environment variable names, in one place so docs and code agree.
pub mod env {
    pub const PORT: &str = "PORT";
    pub const BIND: &str = "BIND";
    pub const PHX_HOST: &str = "PHX_HOST";
    pub const AUTH_PASSWORD: &str = "AUTH_PASSWORD";
    pub const COOKIE: &str = "COOKIE";
    pub const DNS_CLUSTER_QUERY: &str = "DNS_CLUSTER_QUERY";
    pub const PEERS: &str = "PEERS";
    pub const CLUSTER_PORT: &str = "CLUSTER_PORT";
    pub const DNS_SERVER: &str = "DNS_SERVER";
}

/// Flags of `onslaught serve`; every one can also come from the environment.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Port of the web UI and the API.
    #[arg(long, env = env::PORT, default_value_t = 4000)]
    pub port: u16,

    /// Address to listen on. Anything but loopback requires a password;
    /// one is generated and logged if AUTH_PASSWORD is unset.
    #[arg(long, env = env::BIND, default_value = "127.0.0.1")]
    pub bind: String,

    /// Host name people reach this node by; accepted as a form's Origin.
    #[arg(long = "phx-host", env = env::PHX_HOST)]
    pub phx_host: Option<String>,

    /// Password of the user `admin` for every page and API path but /health.
    #[arg(long, env = env::AUTH_PASSWORD, hide_env_values = true)]
    pub auth_password: Option<String>,

    /// Shared secret of the cluster; only nodes with the same cookie join.
    #[arg(long, env = env::COOKIE, hide_env_values = true)]
    pub cookie: Option<String>,

    /// DNS name whose A/AAAA records are the cluster's nodes.
    #[arg(long, env = env::DNS_CLUSTER_QUERY)]
    pub dns_cluster_query: Option<String>,

    /// Other nodes to join, as host:port, comma-separated.
    #[arg(long, env = env::PEERS, value_delimiter = ',')]
    pub peers: Vec<String>,

    /// UDP port of the cluster protocol (gossip and node-to-node data).
    #[arg(long, env = env::CLUSTER_PORT, default_value_t = 7946)]
    pub cluster_port: u16,

    /// Name server (ip or ip:port) that answers DNS_CLUSTER_QUERY; the
    /// system resolver when unset.
    #[arg(long, env = env::DNS_SERVER)]
    pub dns_server: Option<String>,
}

/// Lets [`ServeArgs::from_env`] reuse the derived parser with no flags.
#[derive(Parser)]
struct EnvOnly {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeArgs {
    /// The settings from the environment alone, as for a bare `onslaught`.
    pub fn from_env() -> Result<ServeArgs, clap::Error> {
        EnvOnly::try_parse_from(["onslaught"]).map(|parsed| parsed.args)
    }
}
