//! A raw HTTP/1.1 server that answers from a script, byte for byte, to
//! test how the client reads responses that well-behaved servers rarely
//! send: odd framings, split writes, early closes, trailing garbage.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// Pause between the pieces of a reply, so the client reads them apart.
const PIECE_GAP: Duration = Duration::from_millis(15);

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Writes the pieces one by one and waits for the next request.
    Reply(Vec<&'static [u8]>),
    /// Writes the pieces, then closes the connection.
    ReplyAndClose(Vec<&'static [u8]>),
    /// Closes the connection without a byte of response.
    Close,
}

/// Writes `text` in one piece.
pub fn reply(text: &'static str) -> Answer {
    Answer::Reply(vec![text.as_bytes()])
}

pub struct ScriptedServer {
    pub addr: std::net::SocketAddr,
    accepted: Arc<AtomicUsize>,
    closed: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl ScriptedServer {
    /// Every connection answers its n-th request with `script[n]` and
    /// closes once the script runs out.
    pub async fn start(script: Vec<Answer>) -> ScriptedServer {
        ScriptedServer::listen(script, None).await
    }

    /// The same over TLS with a self-signed certificate and no ALPN.
    pub async fn start_tls(script: Vec<Answer>) -> ScriptedServer {
        ScriptedServer::listen(script, Some(super::tls::acceptor(&[]))).await
    }

    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://{}/", self.addr)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Connections the server has closed so far.
    pub fn closed(&self) -> usize {
        self.closed.load(Ordering::SeqCst)
    }

    async fn listen(script: Vec<Answer>, tls: Option<TlsAcceptor>) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let closed = Arc::new(AtomicUsize::new(0));
        let script: Arc<[Answer]> = script.into();
        let counts = (accepted.clone(), closed.clone());
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                counts.0.fetch_add(1, Ordering::SeqCst);
                let _ = tcp.set_nodelay(true);
                let (script, tls, closed) = (script.clone(), tls.clone(), counts.1.clone());
                connections.spawn(async move {
                    match tls {
                        None => play(tcp, &script).await,
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(tcp).await {
                                play(stream, &script).await;
                            }
                        }
                    }
                    closed.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        ScriptedServer {
            addr,
            accepted,
            closed,
            task,
        }
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers requests from the script until it runs out or says close;
/// returning drops, and so closes, the connection.
async fn play<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, script: &[Answer]) {
    let mut pending = Vec::new();
    for answer in script {
        if !read_request(&mut stream, &mut pending).await {
            return;
        }
        let (pieces, close) = match answer {
            Answer::Reply(pieces) => (pieces, false),
            Answer::ReplyAndClose(pieces) => (pieces, true),
            Answer::Close => return,
        };
        for (index, piece) in pieces.iter().enumerate() {
            if index > 0 {
                tokio::time::sleep(PIECE_GAP).await;
            }
            if stream.write_all(piece).await.is_err() || stream.flush().await.is_err() {
                return;
            }
        }
        if close {
            return;
        }
    }
}

/// Reads one body-less request head; false if the client went away.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S, pending: &mut Vec<u8>) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            pending.drain(..end + 4);
            return true;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(read) => pending.extend_from_slice(&buf[..read]),
        }
    }
}
