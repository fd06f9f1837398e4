//! The transport under an HTTP/1.1 connection: plain TCP or TLS.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// One connection's transport. TLS state is large and boxed, so a plain
/// connection stays small in the pool and in request futures.
pub(crate) enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Transport {
    /// Whether an idle connection still looks usable: nothing to read and
    /// no end of stream. Costs no syscall when the socket is known idle.
    ///
    /// TLS connections are not checked, since peeking would consume
    /// records rustls must see; a stale one is caught by the retry in the
    /// exchange instead.
    pub fn looks_open(&self, scratch: &mut [u8]) -> bool {
        match self {
            Transport::Plain(tcp) => match tcp.try_read(scratch) {
                Err(err) => err.kind() == io::ErrorKind::WouldBlock,
                // End of stream, or bytes nobody asked for.
                Ok(_) => false,
            },
            Transport::Tls(_) => true,
        }
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Transport::Tls(tls) => Pin::new(&mut **tls).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Transport::Tls(tls) => Pin::new(&mut **tls).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Transport::Tls(tls) => Pin::new(&mut **tls).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Transport::Tls(tls) => Pin::new(&mut **tls).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::AsyncWriteExt;
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    async fn pair() -> (Transport, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let client = TcpStream::connect(addr).await.expect("connect");
        let (server, _) = listener.accept().await.expect("accept");
        (Transport::Plain(client), server)
    }

    /// Gives the reactor a bounded time to see what the peer did.
    async fn turns_dead(transport: &Transport) -> bool {
        let mut scratch = [0u8; 16];
        for _ in 0..100 {
            if !transport.looks_open(&mut scratch) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        false
    }

    #[tokio::test]
    async fn idle_check_passes_a_quiet_connection() {
        let (transport, _server) = pair().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(transport.looks_open(&mut [0u8; 16]));
    }

    #[tokio::test]
    async fn idle_check_fails_a_closed_connection() {
        let (transport, server) = pair().await;
        drop(server);
        assert!(turns_dead(&transport).await);
    }

    #[tokio::test]
    async fn idle_check_fails_a_connection_with_unasked_bytes() {
        let (transport, mut server) = pair().await;
        server.write_all(b"stray").await.expect("write");
        assert!(turns_dead(&transport).await);
    }
}
