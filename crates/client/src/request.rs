//! The configured request, prepared once per client: HTTP/1.1 as the exact
//! bytes to write, HTTP/2 as parts that are cheap to clone.

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING, USER_AGENT};
use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderValue, Method, Request, Uri, Version};
use http_body_util::Full;

use crate::config::ClientConfig;

/// The body type every HTTP/2 request of this crate sends.
pub(crate) type H2Body = Full<Bytes>;

const DEFAULT_USER_AGENT: &str = concat!("onslaught/", env!("CARGO_PKG_VERSION"));

pub(crate) struct RequestTemplate {
    /// Request line, headers and body, written as-is on every send.
    h1: Bytes,
    /// A HEAD request's response has no body whatever its headers say.
    head_request: bool,
    method: Method,
    body: Bytes,
    /// Absolute form; hyper turns it into `:scheme`, `:authority` and `:path`.
    h2_uri: Uri,
    h2_headers: HeaderMap,
}

impl RequestTemplate {
    pub fn new(config: &ClientConfig) -> RequestTemplate {
        let path = config
            .url
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));

        let mut h2_headers = config.headers.clone();
        if !h2_headers.contains_key(USER_AGENT) {
            h2_headers.insert(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
        }

        RequestTemplate {
            h1: h1_bytes(config, &path),
            head_request: config.method == Method::HEAD,
            method: config.method.clone(),
            body: config.body.clone(),
            h2_uri: absolute_uri(&config.url, path),
            h2_headers,
        }
    }

    pub fn h1(&self) -> &[u8] {
        &self.h1
    }

    pub fn is_head(&self) -> bool {
        self.head_request
    }

    pub fn h2(&self) -> Request<H2Body> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.h2_uri.clone();
        *request.version_mut() = Version::HTTP_2;
        *request.headers_mut() = self.h2_headers.clone();
        request
    }
}

/// Serialises the whole HTTP/1.1 request. The body is always framed by a
/// Content-Length we compute, so the user's own framing headers are left
/// out rather than sent contradicting it.
fn h1_bytes(config: &ClientConfig, path: &PathAndQuery) -> Bytes {
    let headers = &config.headers;
    let request_line = format!("{} {} HTTP/1.1\r\n", config.method, path);
    let mut out = Vec::with_capacity(256 + request_line.len() + config.body.len());
    out.extend_from_slice(request_line.as_bytes());
    let mut line = |name: &[u8], value: &[u8]| {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };

    if !headers.contains_key(HOST) {
        if let Some(host) = host_header(&config.url) {
            line(b"Host", host.as_bytes());
        }
    }
    if !headers.contains_key(USER_AGENT) {
        line(b"User-Agent", DEFAULT_USER_AGENT.as_bytes());
    }
    for (name, value) in headers {
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            tracing::warn!(header = %name, "ignoring a framing header: the client frames the body");
            continue;
        }
        line(name.as_str().as_bytes(), value.as_bytes());
    }
    // Methods that carry content get a length even when it is zero, so
    // the server need not guess whether a body follows.
    let expects_body = matches!(config.method, Method::POST | Method::PUT | Method::PATCH);
    if !config.body.is_empty() || expects_body {
        line(b"Content-Length", config.body.len().to_string().as_bytes());
    }

    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&config.body);
    Bytes::from(out)
}

/// The authority without any `user:password@` part, as Host wants it.
fn host_header(url: &Uri) -> Option<&str> {
    let authority = url.authority()?.as_str();
    authority.rsplit('@').next()
}

fn absolute_uri(url: &Uri, path: PathAndQuery) -> Uri {
    let mut parts = url.clone().into_parts();
    parts.path_and_query = Some(path);
    Uri::from_parts(parts).unwrap_or_else(|_| url.clone())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn template(
        url: &str,
        method: Method,
        headers: HeaderMap,
        body: &'static str,
    ) -> RequestTemplate {
        RequestTemplate::new(&ClientConfig {
            url: url.parse().expect("test url parses"),
            method,
            headers,
            body: Bytes::from_static(body.as_bytes()),
            pool_count: 1,
            pool_size: 1,
            timeout: Duration::from_secs(1),
            http2_prior_knowledge: false,
            insecure: false,
        })
    }

    fn text(template: &RequestTemplate) -> &str {
        std::str::from_utf8(template.h1()).expect("request is ascii")
    }

    #[test]
    fn h1_bytes_have_origin_form_host_agent_length_and_body() {
        let put = template(
            "http://user:pw@example.com:8080",
            Method::PUT,
            HeaderMap::new(),
            "payload",
        );
        let expected = format!(
            "PUT / HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: {DEFAULT_USER_AGENT}\r\n\
             Content-Length: 7\r\n\r\npayload"
        );
        assert_eq!(text(&put), expected);
        assert!(!put.is_head());
    }

    #[test]
    fn h1_bytes_keep_user_headers_and_drop_user_framing() {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static("mine/1"));
        headers.insert(HOST, HeaderValue::from_static("virtual.test"));
        headers.append("x-multi", HeaderValue::from_static("one"));
        headers.append("x-multi", HeaderValue::from_static("two"));
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("999"));
        headers.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        let get = template("http://[::1]:81/a?b=c", Method::GET, headers, "");

        let text = text(&get);
        assert!(text.starts_with("GET /a?b=c HTTP/1.1\r\n"), "{text}");
        assert!(text.contains("user-agent: mine/1\r\n"), "{text}");
        assert!(text.contains("host: virtual.test\r\n"), "{text}");
        assert!(text.contains("x-multi: one\r\nx-multi: two\r\n"), "{text}");
        assert!(
            !text.contains("Host:") && !text.contains("User-Agent:"),
            "{text}"
        );
        assert!(
            !text.to_ascii_lowercase().contains("content-length"),
            "{text}"
        );
        assert!(!text.contains("chunked"), "{text}");
        assert!(text.ends_with("\r\n\r\n"), "{text}");
    }

    #[test]
    fn empty_post_says_its_length_and_head_is_flagged() {
        let post = template("http://example.com/", Method::POST, HeaderMap::new(), "");
        assert!(text(&post).ends_with("Content-Length: 0\r\n\r\n"));
        let head = template("http://example.com/", Method::HEAD, HeaderMap::new(), "");
        assert!(head.is_head());
        assert!(!text(&head).contains("Content-Length"));
    }

    #[test]
    fn h2_requests_use_the_full_uri_and_keep_user_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static("mine/1"));
        let request = template("https://example.com/a?b=c", Method::PUT, headers, "x").h2();
        assert_eq!(request.uri(), "https://example.com/a?b=c");
        assert_eq!(request.headers()[USER_AGENT], "mine/1");
        assert!(!request.headers().contains_key(HOST));
    }
}
