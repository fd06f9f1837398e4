//! The accept loop: one task per connection, protocol chosen per connection.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::behavior::Behavior;
use crate::canned::Responses;
use crate::config::TargetConfig;
use crate::control::Route;
use crate::h2::serve_h2;
use crate::http1::serve_http1;
use crate::inbuf::InBuf;
use crate::rewind::Rewind;
use crate::stats::{Stats, StatsSnapshot};
use crate::tls::TlsIdentity;

/// What an HTTP/2 client sends first when it knows the server speaks HTTP/2.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Pause after a failed accept, so running out of descriptors does not spin a core.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// State every connection of one server reads.
pub(crate) struct Shared {
    pub(crate) behavior: Behavior,
    pub(crate) responses: Responses,
    pub(crate) stats: Arc<Stats>,
    /// Cancelled when the server stops; only stalled requests wait on it.
    pub(crate) stop: CancellationToken,
}

impl Shared {
    /// The JSON body of a control route (stats, or reset returning what was zeroed).
    pub(crate) fn control_json(&self, route: Route) -> Vec<u8> {
        let snapshot = match route {
            Route::Reset => self.stats.reset(),
            Route::Stats | Route::Load => self.stats.snapshot(),
        };
        // Serializing plain maps and integers cannot fail.
        serde_json::to_vec(&snapshot).unwrap_or_default()
    }
}

/// Why one connection ended early; logged at debug level, never fatal to the server.
#[derive(Debug, thiserror::Error)]
enum ConnectionError {
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    #[error("http/2: {0}")]
    Http2(#[from] hyper::Error),
}

/// Serves `listener` until `shutdown` resolves, then returns the final counts.
///
/// With TLS configured, a self-signed certificate is generated first. The bound
/// address is logged at info level, and so are the counts when the server stops.
pub async fn serve(
    listener: TcpListener,
    config: TargetConfig,
    shutdown: impl Future<Output = ()>,
) -> io::Result<StatsSnapshot> {
    let acceptor = if config.tls {
        let identity = TlsIdentity::self_signed(Some(listener.local_addr()?.ip()))?;
        Some(identity.acceptor()?)
    } else {
        None
    };
    run(
        listener,
        &config,
        Arc::new(Stats::new()),
        acceptor,
        shutdown,
    )
    .await
}

/// The accept loop shared by [`serve`] and [`crate::TargetServer`].
pub(crate) async fn run(
    listener: TcpListener,
    config: &TargetConfig,
    stats: Arc<Stats>,
    acceptor: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<StatsSnapshot> {
    let shared = Arc::new(Shared {
        behavior: Behavior::new(config),
        responses: Responses::new(config.body_size),
        stats,
        stop: CancellationToken::new(),
    });
    log_start(listener.local_addr()?, config);

    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(joined) = connections.join_next() => {
                if let Err(err) = joined {
                    tracing::warn!(error = %err, "connection task failed");
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let task = serve_connection(stream, Arc::clone(&shared), acceptor.clone());
                    connections.spawn(task.instrument(tracing::debug_span!("connection", %peer)));
                }
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }

    // In-flight requests are cut off: a test target has no one to drain for.
    shared.stop.cancel();
    connections.shutdown().await;
    let snapshot = shared.stats.snapshot();
    log_stop(&snapshot);
    Ok(snapshot)
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, acceptor: Option<TlsAcceptor>) {
    // Answers are small and latency is what gets measured: never wait to coalesce.
    if let Err(err) = stream.set_nodelay(true) {
        tracing::debug!(error = %err, "cannot disable Nagle");
    }
    let result = match acceptor {
        Some(acceptor) => serve_tls(stream, shared, acceptor).await,
        None => serve_plain(stream, shared).await,
    };
    match result {
        Ok(()) => tracing::debug!("connection closed"),
        Err(err) => tracing::debug!(error = %err, "connection ended with an error"),
    }
}

async fn serve_plain(mut stream: TcpStream, shared: Arc<Shared>) -> Result<(), ConnectionError> {
    let mut inbuf = InBuf::new();
    match sniff_h2(&mut stream, &mut inbuf).await? {
        None => Ok(()),
        Some(true) => Ok(serve_h2(Rewind::new(inbuf.filled(), stream), shared).await?),
        Some(false) => Ok(serve_http1(stream, inbuf, shared).await?),
    }
}

async fn serve_tls(
    stream: TcpStream,
    shared: Arc<Shared>,
    acceptor: TlsAcceptor,
) -> Result<(), ConnectionError> {
    let stream = acceptor.accept(stream).await?;
    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
    if h2 {
        Ok(serve_h2(stream, shared).await?)
    } else {
        Ok(serve_http1(stream, InBuf::new(), shared).await?)
    }
}

/// Reads until the bytes either are the HTTP/2 preface or cannot be; `None` if
/// the peer left first. Bytes read stay in `inbuf` for whichever protocol follows.
async fn sniff_h2(stream: &mut TcpStream, inbuf: &mut InBuf) -> io::Result<Option<bool>> {
    loop {
        let seen = inbuf.filled();
        let compared = seen.len().min(H2_PREFACE.len());
        if seen[..compared] != H2_PREFACE[..compared] {
            return Ok(Some(false));
        }
        if compared == H2_PREFACE.len() {
            return Ok(Some(true));
        }
        if inbuf.read_from(stream).await? == 0 {
            return Ok(None);
        }
    }
}

fn log_start(addr: SocketAddr, config: &TargetConfig) {
    tracing::info!(
        %addr,
        tls = config.tls,
        latency = ?config.latency,
        error_rate = config.error_rate,
        fault.kind = config.fault.map(|f| f.kind.as_str()),
        fault.rate = config.fault.map(|f| f.rate),
        body_size = config.body_size,
        "target server listening"
    );
}

fn log_stop(snapshot: &StatsSnapshot) {
    tracing::info!(
        requests = snapshot.requests,
        statuses = ?snapshot.statuses,
        faults.close = snapshot.faults.close,
        faults.stall = snapshot.faults.stall,
        faults.garbage = snapshot.faults.garbage,
        "target server stopped"
    );
}
