//! `onslaught serve`: the web UI, JSON API, health and Prometheus metrics
//! of one Onslaught node.
//!
//! Spawns are kept in a [`Registry`]; pages and the API read it, live
//! pages subscribe to it, and a [`Cluster`] seam carries spawns and their
//! per-second data to and from other nodes.
//!
//! With `COOKIE` set the node joins a gossip cluster (`onslaught-cluster`)
//! found through `PEERS` and/or `DNS_CLUSTER_QUERY`; every spawn then runs
//! on every up node and every node shows all of them. Without it the node
//! runs alone. `DESIGN.md` describes the messages and how losses are
//! repaired.

mod api;
mod app;
mod args;
mod assets;
mod auth;
mod config;
mod gossip;
mod live;
mod node;
mod pages;
mod prometheus;
mod registry;
mod secret;
mod server;
mod time;
mod trace;
mod view;

use std::future::Future;
use std::io::Write;

pub use args::{env, ServeArgs};
pub use config::{Auth, ClusterSettings, ConfigError, ServeConfig};
pub use live::{LiveKind, LiveMessage};
pub use node::{Cluster, NodeInfo, NodeStatus, SingleNode, SpawnAnnouncement};
pub use registry::{
    CreateError, Ingested, NotFound, Registry, SpawnRecord, SpawnerInfo, SpawnerSeries, Summary,
    KEEP_ENDED,
};
pub use server::{ServeError, Server};

/// Runs the node until `shutdown` resolves.
///
/// Logs "listening" with the address; prints on stdout only the URL to
/// open. A generated password goes to the log, once.
pub async fn run(
    args: ServeArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let config = ServeConfig::from_args(args)?;
    let mut server = Server::start(&config, tokio::runtime::Handle::current())?;
    if let Auth::Password {
        password,
        generated: true,
    } = &config.auth
    {
        tracing::warn!(
            user = auth::USER,
            password = %password,
            "no AUTH_PASSWORD set and not bound to loopback: generated this password"
        );
    }
    // The one line a person needs; a closed stdout is no reason to fail.
    let _ = writeln!(
        std::io::stdout(),
        "Onslaught is running: open {}",
        open_url(server.addr)
    );

    tokio::select! {
        _ = shutdown => {}
        _ = server.finished() => return Err(ServeError::Stopped),
    }
    server.stop().await;
    Ok(())
}

/// The address a person on this machine can open.
fn open_url(addr: std::net::SocketAddr) -> String {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "localhost".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{}/", addr.port())
}
