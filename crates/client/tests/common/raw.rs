//! Raw TCP servers that misbehave in one specific way each.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// What the server does once it has read a request head.
#[derive(Clone, Copy, Debug)]
pub enum Misbehaviour {
    /// Never answers, keeps the connection open.
    Silent,
    /// Closes the connection cleanly without a response.
    Close,
    /// Closes with an RST instead of a FIN.
    Reset,
    /// Answers with bytes that are not HTTP.
    Garbage,
}

pub struct RawServer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl RawServer {
    pub async fn start(misbehaviour: Misbehaviour) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                connections.spawn(misbehave(tcp, misbehaviour));
            }
        });
        RawServer { addr, task }
    }

    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://{}/", self.addr)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn misbehave(mut tcp: TcpStream, misbehaviour: Misbehaviour) {
    if !read_head(&mut tcp).await {
        return;
    }
    match misbehaviour {
        Misbehaviour::Silent => {
            // Held until the server is dropped; the client must time out.
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        Misbehaviour::Close => drop(tcp),
        Misbehaviour::Reset => {
            let _ = tcp.set_zero_linger();
            drop(tcp);
        }
        Misbehaviour::Garbage => {
            let _ = tcp.write_all(b"garbage\r\n\r\n").await;
            let _ = tcp.shutdown().await;
        }
    }
}

/// Reads until a blank line ends the request head, or the peer gives up.
async fn read_head(tcp: &mut TcpStream) -> bool {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|window| window == b"\r\n\r\n") {
        match tcp.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// An address on loopback where nothing listens: bound, then released.
pub async fn refused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    listener.local_addr().expect("bound address")
}
