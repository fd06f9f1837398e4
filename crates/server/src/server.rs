//! A node's HTTP side on its own thread and runtime.
//!
//! Spawners run on the process's main runtime and may keep every worker
//! busy (`interval_ms` 0 does exactly that). Pages, the API, `/health` and
//! the live bookkeeping run here instead, on a thread of their own, so the
//! operating system's scheduler — not the engine's goodwill — gives them
//! their turn.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::{oneshot, watch};

use crate::app::{router, App};
use crate::auth::Guard;
use crate::config::ServeConfig;
use crate::node::SingleNode;
use crate::registry::Registry;

/// How long open connections may finish after shutdown before they are cut.
const DRAIN: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("cannot start the server thread: {0}")]
    Thread(io::Error),
    #[error("the server thread ended unexpectedly")]
    Stopped,
}

/// A node serving in the background until [`Server::stop`].
pub struct Server {
    /// Where pages and the API are served.
    pub addr: SocketAddr,
    registry: Arc<Registry>,
    shutdown_tx: watch::Sender<bool>,
    done_rx: oneshot::Receiver<()>,
}

impl Server {
    /// Binds and starts serving; spawners will run on `engine`.
    pub fn start(config: &ServeConfig, engine: Handle) -> Result<Server, ServeError> {
        let bind_error = |source| ServeError::Bind {
            addr: config.listen,
            source,
        };
        let listener = std::net::TcpListener::bind(config.listen).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ServeError::Thread)?;
        let cluster = Arc::new(SingleNode::new(&config.node_name, addr));
        let registry = Arc::new(Registry::new(
            &config.node_name,
            cluster,
            engine,
            runtime.handle().clone(),
        ));
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let app = App {
            registry: registry.clone(),
            guard: Arc::new(Guard::new(&config.auth, config.public_host.as_deref())),
            shutdown: shutdown_rx.clone(),
        };

        let (done_tx, done_rx) = oneshot::channel();
        std::thread::Builder::new()
            .name("onslaught-http".into())
            .spawn(move || {
                runtime.block_on(serve(listener, app, shutdown_rx));
                let _ = done_tx.send(());
            })
            .map_err(ServeError::Thread)?;
        tracing::info!(%addr, node = %config.node_name, auth = ?config.auth, "listening");
        Ok(Server {
            addr,
            registry,
            shutdown_tx,
            done_rx,
        })
    }

    /// A node on 127.0.0.1 with a free port and no password; spawners run on
    /// the caller's runtime.
    pub fn for_test() -> Result<Server, ServeError> {
        Server::start(&ServeConfig::for_test(), Handle::current())
    }

    /// `http://addr`, for clients.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Resolves if the server thread ends on its own.
    pub async fn finished(&mut self) {
        let _ = (&mut self.done_rx).await;
    }

    /// Stops this node's spawners, closes live streams, lets requests in
    /// flight finish (up to a deadline) and waits for the thread to end.
    pub async fn stop(self) {
        self.registry.stop_all_local();
        let _ = self.shutdown_tx.send(true);
        let _ = self.done_rx.await;
        tracing::info!(addr = %self.addr, "server stopped");
    }
}

async fn serve(listener: std::net::TcpListener, app: App, shutdown_rx: watch::Receiver<bool>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, "cannot use the listening socket");
            return;
        }
    };
    let graceful = {
        let mut rx = shutdown_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let server = axum::serve(listener, router(app)).with_graceful_shutdown(graceful);

    tokio::select! {
        result = server => {
            if let Err(error) = result {
                tracing::error!(%error, "server failed");
            }
        }
        _ = drain_deadline(shutdown_rx) => {
            tracing::warn!(deadline_s = DRAIN.as_secs(), "connections still open at the drain deadline; closing them");
        }
    }
}

async fn drain_deadline(mut shutdown_rx: watch::Receiver<bool>) {
    if shutdown_rx.wait_for(|stop| *stop).await.is_err() {
        // The sender is gone without a shutdown: nothing to wait for.
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(DRAIN).await;
}
