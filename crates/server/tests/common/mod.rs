//! What the server's tests share: a node and a target on loopback, and a
//! small HTTP client over hyper's connection API.

#![allow(dead_code)]

pub mod webdriver;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use onslaught_server::{ServeConfig, Server};
use onslaught_target::{TargetConfig, TargetServer};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::time::{sleep, Instant};

/// Every request of a test gives up after this, so a hung server fails the
/// test instead of hanging it. WebDriver commands go through here too, and a
/// screenshot or click in Chromium on a busy two-core CI machine has taken
/// over ten seconds, hence the generous bound.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(45);

/// A response read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A request to a node, built up step by step.
pub struct Call {
    addr: SocketAddr,
    method: Method,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl Call {
    pub fn new(addr: SocketAddr, method: Method, path: &str) -> Call {
        Call {
            addr,
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        ));
        self
    }

    pub fn json(self, body: &Value) -> Call {
        let mut call = self.header("content-type", "application/json");
        call.body = Bytes::from(body.to_string());
        call
    }

    pub fn form(self, body: &str) -> Call {
        let mut call = self.header("content-type", "application/x-www-form-urlencoded");
        call.body = Bytes::from(body.to_owned());
        call
    }

    pub fn basic_auth(self, user: &str, password: &str) -> Call {
        use base64::Engine;
        let credentials = format!("{user}:{password}");
        let value = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        );
        self.header("authorization", &value)
    }

    /// Sends the request and returns the response head with its body still streaming.
    pub async fn open(self) -> hyper::Response<Incoming> {
        let stream = TcpStream::connect(self.addr)
            .await
            .expect("connect to node");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP handshake");
        tokio::spawn(connection);
        let mut request = Request::builder()
            .method(self.method)
            .uri(&self.path)
            .header("host", self.addr.to_string());
        for (name, value) in self.headers {
            request = request.header(name, value);
        }
        let request = request.body(Full::new(self.body)).unwrap();
        tokio::time::timeout(REQUEST_TIMEOUT, sender.send_request(request))
            .await
            .expect("response within the timeout")
            .expect("response")
    }

    pub async fn send(self) -> Reply {
        let response = self.open().await;
        let (parts, body) = response.into_parts();
        let body = tokio::time::timeout(REQUEST_TIMEOUT, body.collect())
            .await
            .expect("body within the timeout")
            .expect("body")
            .to_bytes();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }
}

/// A node and a counting target, both on loopback port 0.
pub struct World {
    pub node: Server,
    pub target: TargetServer,
}

impl World {
    pub async fn start() -> World {
        World::with_config(ServeConfig::for_test()).await
    }

    pub async fn with_config(config: ServeConfig) -> World {
        let target = TargetServer::start(TargetConfig::default())
            .await
            .expect("start target");
        let node = Server::start(&config, tokio::runtime::Handle::current()).expect("start node");
        World { node, target }
    }

    pub fn addr(&self) -> SocketAddr {
        self.node.addr
    }

    pub fn get(&self, path: &str) -> Call {
        Call::new(self.addr(), Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call {
        Call::new(self.addr(), Method::POST, path)
    }

    pub fn delete(&self, path: &str) -> Call {
        Call::new(self.addr(), Method::DELETE, path)
    }

    /// A spawn against the target; `extra` overrides or adds fields.
    pub fn spawn_body(&self, extra: Value) -> Value {
        let mut body = serde_json::json!({
            "url": format!("{}/load", self.target.url()),
            "session_count": 4,
            "interval_ms": 50,
            "seconds": 30,
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                body.insert(key.clone(), value.clone());
            }
        }
        body
    }

    /// Creates a spawn through the API and returns its id.
    pub async fn create(&self, extra: Value) -> String {
        let reply = self
            .post("/api/spawns")
            .json(&self.spawn_body(extra))
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        reply.json()["id"].as_str().expect("id").to_owned()
    }

    pub async fn spawn_json(&self, id: &str) -> Value {
        let reply = self.get(&format!("/api/spawns/{id}")).send().await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.json()
    }

    /// Polls the spawn until `check` holds, failing after `within`.
    pub async fn wait_for_spawn(
        &self,
        id: &str,
        within: Duration,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let spawn = self.spawn_json(id).await;
            if check(&spawn) {
                return spawn;
            }
            assert!(
                Instant::now() < deadline,
                "spawn never reached the expected state: {spawn:#}"
            );
            sleep(Duration::from_millis(100)).await;
        }
    }
}
