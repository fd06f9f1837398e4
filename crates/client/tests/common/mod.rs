//! Real servers on loopback port 0 for the client's tests: well-behaved
//! hyper servers (HTTP/1.1, h2c, TLS), raw sockets that misbehave, and a
//! scripted server that answers byte for byte.

#![allow(dead_code)] // each test binary uses its own share of the harness

pub mod raw;
pub mod scripted;
pub mod tls;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use onslaught_client::{Client, ClientConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub type Reply = Response<Full<Bytes>>;
type ReplyFuture = Pin<Box<dyn Future<Output = Reply> + Send>>;
pub type Handler = Arc<dyn Fn(Request<Incoming>) -> ReplyFuture + Send + Sync>;

/// Wraps an async closure as a handler the servers can share.
pub fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(Request<Incoming>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    Arc::new(move |request| Box::pin(f(request)))
}

pub fn ok(body: &'static str) -> Reply {
    Response::new(Full::new(Bytes::from_static(body.as_bytes())))
}

/// How the server speaks once a connection is accepted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Speaks {
    Http1,
    Http2,
}

/// Connection counts a test can check pooling against.
#[derive(Default)]
pub struct Counts {
    pub accepted: AtomicUsize,
    pub open: AtomicUsize,
    pub max_open: AtomicUsize,
}

/// A server task; aborted (with its connections) when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub counts: Arc<Counts>,
    task: JoinHandle<()>,
}

impl TestServer {
    pub async fn http1(handler: Handler) -> TestServer {
        TestServer::start(None, Speaks::Http1, handler).await
    }

    pub async fn h2c(handler: Handler) -> TestServer {
        TestServer::start(None, Speaks::Http2, handler).await
    }

    /// HTTPS with a self-signed certificate, offering `alpn` in that order.
    pub async fn https(alpn: &[&[u8]], handler: Handler) -> TestServer {
        let acceptor = tls::acceptor(alpn);
        TestServer::start(Some(acceptor), Speaks::Http1, handler).await
    }

    pub fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://{}{path}", self.addr)
    }

    pub fn accepted(&self) -> usize {
        self.counts.accepted.load(Ordering::SeqCst)
    }

    pub fn max_open(&self) -> usize {
        self.counts.max_open.load(Ordering::SeqCst)
    }

    async fn start(
        tls: Option<tokio_rustls::TlsAcceptor>,
        speaks: Speaks,
        handler: Handler,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let counts = Arc::new(Counts::default());
        let task = tokio::spawn(accept_loop(listener, tls, speaks, handler, counts.clone()));
        TestServer { addr, counts, task }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    speaks: Speaks,
    handler: Handler,
    counts: Arc<Counts>,
) {
    // Dropping the set when the loop is aborted closes every connection.
    let mut connections = JoinSet::new();
    while let Ok((tcp, _)) = listener.accept().await {
        counts.accepted.fetch_add(1, Ordering::SeqCst);
        let now_open = counts.open.fetch_add(1, Ordering::SeqCst) + 1;
        counts.max_open.fetch_max(now_open, Ordering::SeqCst);
        let (tls, handler, counts) = (tls.clone(), handler.clone(), counts.clone());
        connections.spawn(async move {
            serve_connection(tcp, tls, speaks, handler).await;
            counts.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

async fn serve_connection(
    tcp: TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    speaks: Speaks,
    handler: Handler,
) {
    let service = service_fn(move |request| {
        let reply = handler(request);
        async move { Ok::<_, Infallible>(reply.await) }
    });
    let Some(acceptor) = tls else {
        return serve(TokioIo::new(tcp), speaks, service).await;
    };
    let Ok(stream) = acceptor.accept(tcp).await else {
        return;
    };
    let speaks = match stream.get_ref().1.alpn_protocol() {
        Some(b"h2") => Speaks::Http2,
        _ => Speaks::Http1,
    };
    serve(TokioIo::new(stream), speaks, service).await;
}

async fn serve<T, S>(io: T, speaks: Speaks, service: S)
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::Service<Request<Incoming>, Response = Reply, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    // Errors here are the client hanging up, which several tests provoke.
    let _ = match speaks {
        Speaks::Http1 => {
            hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await
        }
        Speaks::Http2 => {
            hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .serve_connection(io, service)
                .await
        }
    };
}

/// A config for `url` with small pools and a short timeout.
pub fn config(url: &str) -> ClientConfig {
    ClientConfig {
        url: url.parse().expect("test url parses"),
        method: http::Method::GET,
        headers: http::HeaderMap::new(),
        body: Bytes::new(),
        pool_count: 1,
        pool_size: 2,
        timeout: Duration::from_secs(3),
        http2_prior_knowledge: false,
        insecure: false,
    }
}

pub fn client(config: ClientConfig) -> Client {
    Client::new(config).expect("test config is valid")
}

/// Polls `check` until it holds, failing the test after two seconds.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
