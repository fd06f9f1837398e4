//! A small WebDriver client over hyper: enough of the W3C protocol to drive
//! Debian's headless Chromium through chromedriver.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use hyper::Method;
use serde_json::{json, Value};
use tokio::time::{sleep, Instant};

use super::Call;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The W3C key for an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    profile: PathBuf,
}

/// A reference to an element of the current page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session.
    ///
    /// Panics with what to install when Chromium or chromedriver is missing:
    /// a browser test must fail, never pass silently, without a browser.
    pub async fn start(width: u32, height: u32) -> Browser {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(path).exists(),
                "browser tests need {path}: install it with `apt-get install -y {package}` \
                 (scripts/test does this when it is missing)"
            );
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile =
            std::env::temp_dir().join(format!("onslaught-chromium-{}-{port}", std::process::id()));
        let mut browser = Browser {
            driver,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            session: String::new(),
            profile,
        };
        browser.wait_ready().await;
        browser.session = browser.new_session(width, height).await;
        browser
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                let status = Call::new(self.addr, Method::GET, "/status").send().await;
                if status.json()["value"]["ready"] == true {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            sleep(Duration::from_millis(100)).await;
        }
    }

    async fn new_session(&self, width: u32, height: u32) -> String {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([
            format!("--user-data-dir={}", self.profile.display()),
            format!("--window-size={width},{height}"),
        ])
        .collect::<Vec<_>>();
        let body = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let reply = Call::new(self.addr, Method::POST, "/session")
            .json(&body)
            .send()
            .await;
        let value = reply.json();
        value["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {value}"))
            .to_owned()
    }

    async fn command(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let what = format!("WebDriver {method} {path}");
        self.try_command(method, path, body)
            .await
            .unwrap_or_else(|error| panic!("{what}: {error}"))
    }

    async fn try_command(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let path = format!("/session/{}{path}", self.session);
        let call = Call::new(self.addr, method, &path);
        let call = match body {
            Some(body) => call.json(&body),
            None => call,
        };
        let reply = call.send().await.json();
        match reply["value"]["error"].as_str() {
            Some(error) => Err(format!("{error}: {}", reply["value"]["message"])),
            None => Ok(reply["value"].clone()),
        }
    }

    pub async fn goto(&self, url: &str) {
        self.command(Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn current_url(&self) -> String {
        self.command(Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn set_window_size(&self, width: u32, height: u32) {
        let rect = json!({"width": width, "height": height});
        self.command(Method::POST, "/window/rect", Some(rect)).await;
    }

    /// The first element matching a CSS selector, if any.
    pub async fn find(&self, css: &str) -> Option<Element> {
        let body = json!({"using": "css selector", "value": css});
        let found = self.command(Method::POST, "/elements", Some(body)).await;
        found
            .as_array()?
            .first()
            .map(|e| Element(e[ELEMENT_KEY].as_str().unwrap_or_default().to_owned()))
    }

    /// Waits up to `within` for an element to appear.
    pub async fn wait_for(&self, css: &str, within: Duration) -> Element {
        let deadline = Instant::now() + within;
        loop {
            if let Some(element) = self.find(css).await {
                return element;
            }
            assert!(Instant::now() < deadline, "{css} never appeared");
            sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, element: &Element) {
        self.command(
            Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await;
    }

    pub async fn clear(&self, element: &Element) {
        self.command(
            Method::POST,
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        )
        .await;
    }

    pub async fn type_text(&self, element: &Element, text: &str) {
        let body = json!({"text": text});
        self.command(
            Method::POST,
            &format!("/element/{}/value", element.0),
            Some(body),
        )
        .await;
    }

    /// Replaces an input's value as a person would: clear, then type.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await.unwrap_or_else(|| panic!("no {css}"));
        self.clear(&element).await;
        self.type_text(&element, text).await;
    }

    pub async fn text(&self, element: &Element) -> String {
        let value = self
            .command(Method::GET, &format!("/element/{}/text", element.0), None)
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    pub async fn property(&self, element: &Element, name: &str) -> Value {
        self.command(
            Method::GET,
            &format!("/element/{}/property/{name}", element.0),
            None,
        )
        .await
    }

    pub async fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        let value = self
            .command(
                Method::GET,
                &format!("/element/{}/attribute/{name}", element.0),
                None,
            )
            .await;
        value.as_str().map(str::to_owned)
    }

    /// Runs a script in the page and returns its result.
    pub async fn execute(&self, script: &str) -> Value {
        let body = json!({"script": script, "args": []});
        self.command(Method::POST, "/execute/sync", Some(body))
            .await
    }

    /// The rendered text of the first element matching `css`, read in one
    /// step so a page being replaced mid-way gives `None`, not an error.
    pub async fn text_of(&self, css: &str) -> Option<String> {
        let script =
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;";
        let body = json!({"script": script, "args": [css]});
        let value = self
            .try_command(Method::POST, "/execute/sync", Some(body))
            .await
            .ok()?;
        value.as_str().map(str::to_owned)
    }

    /// An attribute of the first element matching `css`, read in one step.
    pub async fn attribute_of(&self, css: &str, name: &str) -> Option<String> {
        let script = "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;";
        let body = json!({"script": script, "args": [css, name]});
        let value = self
            .try_command(Method::POST, "/execute/sync", Some(body))
            .await
            .ok()?;
        value.as_str().map(str::to_owned)
    }

    /// A PNG of the whole viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let encoded = self.command(Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .expect("screenshot is base64")
    }

    /// Ends the session, which makes chromedriver close Chromium. Blocking
    /// on purpose: it runs in `drop`, also when a test has panicked.
    fn end_session(&self) {
        use std::io::{Read, Write};
        if self.session.is_empty() {
            return;
        }
        let Ok(mut stream) =
            std::net::TcpStream::connect_timeout(&self.addr, Duration::from_secs(2))
        else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request = format!(
            "DELETE /session/{} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            self.session, self.addr
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return;
        }
        // chromedriver answers once Chromium has quit, and may keep the
        // connection open after that: read one whole response, no more.
        let mut response = Vec::new();
        let mut chunk = [0u8; 4096];
        while let Ok(read) = stream.read(&mut chunk) {
            if read == 0 {
                return;
            }
            response.extend_from_slice(&chunk[..read]);
            if response_complete(&response) {
                return;
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.end_session();
        // Only the chromedriver this test started, by its own handle.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        kill_browsers_of(&self.profile);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Kills Chromium processes still using `profile`, the directory made for
/// this test alone. They outlive chromedriver when ending the session timed
/// out (a busy machine, a panicking test); the path names only ours.
fn kill_browsers_of(profile: &std::path::Path) {
    let marker = format!("--user-data-dir={}", profile.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let ours = cmdline
            .split(|&b| b == 0)
            .any(|arg| arg == marker.as_bytes());
        if ours {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid])
                .status();
        }
    }
}

/// Whether `bytes` hold a full HTTP response with a Content-Length body.
fn response_complete(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some(head_end) = text.find("\r\n\r\n") else {
        return false;
    };
    let length = text[..head_end]
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    bytes.len() >= head_end + 4 + length
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
