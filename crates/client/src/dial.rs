//! Opening one connection to the target: TCP, then TLS if asked, then the
//! HTTP handshake, with the connection driven by a task of its own.

use std::future::Future;

use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;
use tracing::{debug, debug_span, Instrument, Span};

use crate::config::Endpoint;
use crate::failure::Failure;
use crate::request::Body;
use crate::tls::Tls;

pub(crate) type H1Sender = http1::SendRequest<Body>;
pub(crate) type H2Sender = http2::SendRequest<Body>;

/// A fresh connection, in whichever protocol the target settled on.
pub(crate) enum Dialed {
    H1(H1Sender),
    H2(H2Sender),
}

/// Knows where the target is and how to talk to it; shared by all pools.
pub(crate) struct Dialer {
    pub endpoint: Endpoint,
    pub tls: Option<Tls>,
    pub h2_prior_knowledge: bool,
}

impl Dialer {
    /// Connects for pool `pool`; the caller bounds this with its timeout.
    pub async fn dial(&self, pool: usize) -> Result<Dialed, Failure> {
        let Endpoint { host, port, .. } = &self.endpoint;
        let tcp = TcpStream::connect((&**host, *port))
            .await
            .map_err(Failure::Connect)?;
        // Requests are small writes; Nagle's algorithm would hold them back
        // waiting for an ACK and cap a keep-alive connection's rate.
        if let Err(err) = tcp.set_nodelay(true) {
            debug!(error = %err, "could not disable Nagle's algorithm");
        }

        let span = debug_span!("connection", pool, host = &**host, port);
        let Some(tls) = &self.tls else {
            return handshake(TokioIo::new(tcp), self.h2_prior_knowledge, span).await;
        };
        let stream = tls
            .connector
            .connect(tls.server_name.clone(), tcp)
            .await
            .map_err(Failure::Tls)?;
        let h2 = self.h2_prior_knowledge || stream.get_ref().1.alpn_protocol() == Some(b"h2");
        handshake(TokioIo::new(stream), h2, span).await
    }
}

async fn handshake<T>(io: T, h2: bool, span: Span) -> Result<Dialed, Failure>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    if h2 {
        let (sender, connection) = http2::Builder::new(TokioExecutor::new())
            .handshake(io)
            .await
            .map_err(Failure::Handshake)?;
        drive(connection, "h2", span);
        Ok(Dialed::H2(sender))
    } else {
        let (sender, connection) = http1::handshake(io).await.map_err(Failure::Handshake)?;
        drive(connection, "http/1.1", span);
        Ok(Dialed::H1(sender))
    }
}

/// One task per connection for its whole life. It ends when the peer
/// closes, on an error, or once every sender for it is dropped.
fn drive<F>(connection: F, protocol: &'static str, span: Span)
where
    F: Future<Output = hyper::Result<()>> + Send + 'static,
{
    let task = async move {
        debug!(protocol, "connection open");
        match connection.await {
            Ok(()) => debug!("connection closed"),
            Err(err) => debug!(error = %err, "connection ended with an error"),
        }
    };
    tokio::spawn(task.instrument(span));
}
