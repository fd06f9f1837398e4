//! A target server running in the background of the current runtime, for tests.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::TargetConfig;
use crate::server::run;
use crate::stats::{Stats, StatsSnapshot};
use crate::tls::TlsIdentity;

/// A running target server; dropping it stops the server too.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use onslaught_target::{TargetConfig, TargetServer};
/// let server = TargetServer::start(TargetConfig::default()).await?;
/// // ... send load to server.url() ...
/// let counts = server.stop().await;
/// # Ok(()) }
/// ```
pub struct TargetServer {
    /// Where the server listens.
    pub addr: SocketAddr,
    stats: Arc<Stats>,
    identity: Option<TlsIdentity>,
    shutdown_tx: oneshot::Sender<()>,
    task: JoinHandle<io::Result<StatsSnapshot>>,
}

impl TargetServer {
    /// Binds 127.0.0.1 on a free port and serves `config` in the background.
    pub async fn start(config: TargetConfig) -> io::Result<TargetServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        TargetServer::start_on(listener, config)
    }

    /// Serves `config` on a listener the caller bound (for example on `[::1]:0`).
    pub fn start_on(listener: TcpListener, config: TargetConfig) -> io::Result<TargetServer> {
        let addr = listener.local_addr()?;
        let identity = if config.tls {
            Some(TlsIdentity::self_signed(Some(addr.ip()))?)
        } else {
            None
        };
        let acceptor = identity.as_ref().map(TlsIdentity::acceptor).transpose()?;
        let stats = Arc::new(Stats::new());
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();

        // A dropped handle drops the sender, which also ends the server.
        let shutdown = async move {
            let _ = shutdown_rx.await;
        };
        let task_stats = Arc::clone(&stats);
        let task =
            tokio::spawn(
                async move { run(listener, &config, task_stats, acceptor, shutdown).await },
            );

        Ok(TargetServer {
            addr,
            stats,
            identity,
            shutdown_tx,
            task,
        })
    }

    /// Base URL, such as `http://127.0.0.1:40123` (or `https://` with TLS).
    pub fn url(&self) -> String {
        let scheme = if self.identity.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Counts so far; exact for every request whose answer the client has received.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// Zeroes the counts and returns what they held.
    pub fn reset_stats(&self) -> StatsSnapshot {
        self.stats.reset()
    }

    /// The self-signed certificate when serving TLS, for a client to trust.
    pub fn certificate_der(&self) -> Option<&CertificateDer<'static>> {
        self.identity.as_ref().map(TlsIdentity::certificate_der)
    }

    /// The same certificate in PEM form.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.identity.as_ref().map(TlsIdentity::certificate_pem)
    }

    /// Stops the server, closing every connection, and returns the final counts.
    pub async fn stop(self) -> StatsSnapshot {
        let _ = self.shutdown_tx.send(());
        match self.task.await {
            Ok(Ok(snapshot)) => snapshot,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "target server failed");
                self.stats.snapshot()
            }
            Err(err) => {
                tracing::warn!(error = %err, "target server task failed");
                self.stats.snapshot()
            }
        }
    }
}
