//! Opening one connection to the target: TCP, then TLS if asked, then
//! either a bare HTTP/1.1 connection or an HTTP/2 handshake.

use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;
use tracing::{debug, debug_span, Instrument};

use crate::config::Endpoint;
use crate::failure::Failure;
use crate::h1::{Connection, Transport};
use crate::request::H2Body;
use crate::tls::Tls;

pub(crate) type H2Sender = http2::SendRequest<H2Body>;

/// A fresh connection, in whichever protocol the target settled on.
pub(crate) enum Dialed {
    /// Boxed, so pools and requests move a pointer, not the connection.
    H1(Box<Connection>),
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

        let Some(tls) = &self.tls else {
            if self.h2_prior_knowledge {
                return h2_handshake(TokioIo::new(tcp), pool, self).await;
            }
            debug!(pool, protocol = "http/1.1", "connection open");
            return Ok(Dialed::H1(Box::new(Connection::new(Transport::Plain(tcp)))));
        };
        let stream = tls
            .connector
            .connect(tls.server_name.clone(), tcp)
            .await
            .map_err(Failure::Tls)?;
        if self.h2_prior_knowledge || stream.get_ref().1.alpn_protocol() == Some(b"h2") {
            return h2_handshake(TokioIo::new(stream), pool, self).await;
        }
        debug!(pool, protocol = "http/1.1", tls = true, "connection open");
        let transport = Transport::Tls(Box::new(stream));
        Ok(Dialed::H1(Box::new(Connection::new(transport))))
    }
}

/// HTTP/2 multiplexes many requests, so its connection is driven by a task
/// of its own for its whole life; it ends when the peer closes, on an
/// error, or once every sender for it is dropped.
async fn h2_handshake<T>(io: T, pool: usize, dialer: &Dialer) -> Result<Dialed, Failure>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = http2::Builder::new(TokioExecutor::new())
        .handshake(io)
        .await
        .map_err(Failure::Handshake)?;

    let Endpoint { host, port, .. } = &dialer.endpoint;
    let span = debug_span!("connection", pool, host = &**host, port);
    let task = async move {
        debug!(protocol = "h2", "connection open");
        match connection.await {
            Ok(()) => debug!("connection closed"),
            Err(err) => debug!(error = %err, "connection ended with an error"),
        }
    };
    tokio::spawn(task.instrument(span));
    Ok(Dialed::H2(sender))
}
