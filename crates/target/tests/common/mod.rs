//! A raw HTTP/1.1 client on loopback, so tests see exactly the bytes the server sends.

#![allow(dead_code)] // each test file uses its own subset

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// No single step of a test may take longer than this.
pub const STEP: Duration = Duration::from_secs(5);

/// One parsed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("body is JSON")
    }
}

/// A keep-alive connection that reads responses one by one.
pub struct RawClient {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl RawClient {
    pub async fn connect(addr: SocketAddr) -> RawClient {
        let stream = timeout(STEP, TcpStream::connect(addr))
            .await
            .expect("connect timed out");
        RawClient {
            stream: stream.expect("connect failed"),
            buf: Vec::new(),
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write failed");
    }

    /// Sends `GET path` and reads the answer.
    pub async fn get(&mut self, path: &str) -> Reply {
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
        self.send(request.as_bytes()).await;
        self.read_reply(false).await
    }

    /// Reads one response; `head_only` for answers to HEAD.
    pub async fn read_reply(&mut self, head_only: bool) -> Reply {
        let (status, headers, head_len) = loop {
            if let Some(parsed) = parse_head(&self.buf) {
                break parsed;
            }
            assert!(
                self.read_more().await > 0,
                "connection closed before a full head"
            );
        };
        self.buf.drain(..head_len);

        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| {
                v.parse::<usize>().expect("numeric content-length")
            });
        let length = if head_only || status == 100 {
            0
        } else {
            length
        };
        while self.buf.len() < length {
            assert!(
                self.read_more().await > 0,
                "connection closed inside a body"
            );
        }
        let body = self.buf.drain(..length).collect();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Everything the server sends until it closes or resets (bounded by STEP).
    pub async fn read_to_close(&mut self) -> Vec<u8> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let read = timeout(STEP, self.stream.read(&mut chunk)).await;
            match read.expect("read timed out") {
                Ok(0) => break,
                Ok(count) => self.buf.extend_from_slice(&chunk[..count]),
                Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(err) => panic!("read failed: {err}"),
            }
        }
        std::mem::take(&mut self.buf)
    }

    async fn read_more(&mut self) -> usize {
        let mut chunk = [0u8; 16 * 1024];
        let read = timeout(STEP, self.stream.read(&mut chunk))
            .await
            .expect("read timed out");
        let count = read.expect("read failed");
        self.buf.extend_from_slice(&chunk[..count]);
        count
    }
}

type Headers = Vec<(String, String)>;

/// Status, headers and head length once the head is complete.
fn parse_head(buf: &[u8]) -> Option<(u16, Headers, usize)> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    match response
        .parse(buf)
        .expect("server sent an invalid response head")
    {
        httparse::Status::Partial => None,
        httparse::Status::Complete(len) => {
            let headers = response
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_owned(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect();
            Some((response.code.unwrap_or(0), headers, len))
        }
    }
}
