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

use onslaught_cluster::ClusterError;
use tokio::runtime::Handle;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::app::{router, App};
use crate::auth::Guard;
use crate::config::{ConfigError, ServeConfig};
use crate::gossip::Gossip;
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
    #[error("cannot join the cluster: {0}")]
    Cluster(ClusterError),
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
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = oneshot::channel();
        let node_config = config.clone();
        std::thread::Builder::new()
            .name("onslaught-http".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let started = start_node(&node_config, addr, engine).await;
                    let (registry, link) = match started {
                        Ok(node) => node,
                        Err(error) => {
                            let _ = ready_tx.send(Err(error));
                            return;
                        }
                    };
                    let app = App {
                        registry: registry.clone(),
                        guard: Arc::new(Guard::new(
                            &node_config.auth,
                            node_config.public_host.as_deref(),
                        )),
                        shutdown: shutdown_rx.clone(),
                    };
                    let _ = ready_tx.send(Ok(registry));
                    serve(listener, app, shutdown_rx).await;
                    if let Some(link) = link {
                        link.stop().await;
                    }
                });
                let _ = done_tx.send(());
            })
            .map_err(ServeError::Thread)?;
        // Starting the node takes a socket bind and, for a cluster, maybe a
        // DNS lookup: a short wait, once.
        let registry = ready_rx.recv().map_err(|_| ServeError::Stopped)??;
        tracing::info!(%addr, node = %registry.node_name(), auth = ?config.auth, "listening");
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

/// The gossip link's task and the signal that ends it.
struct LinkTask {
    stop_tx: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl LinkTask {
    /// Sends what is queued, leaves the cluster and waits for the task.
    async fn stop(self) {
        let _ = self.stop_tx.send(());
        let _ = self.task.await;
    }
}

/// The registry, over the gossip cluster when a cookie is set, else alone.
async fn start_node(
    config: &ServeConfig,
    addr: SocketAddr,
    engine: Handle,
) -> Result<(Arc<Registry>, Option<LinkTask>), ServeError> {
    let control = Handle::current();
    if config.cluster.cookie.is_none() {
        let cluster = Arc::new(SingleNode::new(&config.node_name, addr));
        let registry = Registry::new(&config.node_name, cluster, engine, control);
        return Ok((Arc::new(registry), None));
    }

    let started = Gossip::start(&config.cluster, config.listen.ip(), addr).await;
    let (gossip, link) = started.map_err(|error| match error {
        ClusterError::Config(error) => ServeError::Config(ConfigError::Cluster(error)),
        other => ServeError::Cluster(other),
    })?;
    let name = gossip.local_name().to_owned();
    let registry = Arc::new(Registry::new(&name, Arc::new(gossip), engine, control));
    let (stop_tx, stop_rx) = oneshot::channel();
    let task = tokio::spawn(link.run(registry.clone(), stop_rx));
    Ok((registry, Some(LinkTask { stop_tx, task })))
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
