//! Requests built from parts prepared once per client, so the hot path only
//! clones refcounted pieces.

use bytes::Bytes;
use http::header::{HOST, USER_AGENT};
use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderValue, Method, Request, Uri, Version};
use http_body_util::Full;

use crate::config::ClientConfig;

/// The body type every connection of this crate sends.
pub(crate) type Body = Full<Bytes>;

const DEFAULT_USER_AGENT: &str = concat!("onslaught/", env!("CARGO_PKG_VERSION"));

/// The configured request, in the two shapes HTTP/1.1 and HTTP/2 want.
pub(crate) struct RequestTemplate {
    method: Method,
    body: Bytes,
    /// Origin-form (`/path?query`) plus a Host header.
    h1_uri: Uri,
    h1_headers: HeaderMap,
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
        let mut h1_headers = h2_headers.clone();
        if let Some(host) = host_header(&config.url) {
            h1_headers.entry(HOST).or_insert(host);
        }

        RequestTemplate {
            method: config.method.clone(),
            body: config.body.clone(),
            h2_uri: absolute_uri(&config.url, path.clone()),
            h1_uri: Uri::from(path),
            h1_headers,
            h2_headers,
        }
    }

    pub fn h1(&self) -> Request<Body> {
        self.build(&self.h1_uri, &self.h1_headers, Version::HTTP_11)
    }

    pub fn h2(&self) -> Request<Body> {
        self.build(&self.h2_uri, &self.h2_headers, Version::HTTP_2)
    }

    fn build(&self, uri: &Uri, headers: &HeaderMap, version: Version) -> Request<Body> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = uri.clone();
        *request.version_mut() = version;
        *request.headers_mut() = headers.clone();
        request
    }
}

/// The authority without any `user:password@` part, as Host wants it.
fn host_header(url: &Uri) -> Option<HeaderValue> {
    let authority = url.authority()?.as_str();
    let host = authority.rsplit('@').next().unwrap_or(authority);
    HeaderValue::from_str(host).ok()
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

    fn template(url: &str, headers: HeaderMap) -> RequestTemplate {
        RequestTemplate::new(&ClientConfig {
            url: url.parse().expect("test url parses"),
            method: Method::PUT,
            headers,
            body: Bytes::from_static(b"payload"),
            pool_count: 1,
            pool_size: 1,
            timeout: Duration::from_secs(1),
            http2_prior_knowledge: false,
            insecure: false,
        })
    }

    #[test]
    fn h1_requests_use_origin_form_and_a_host_header() {
        let request = template("http://user:pw@example.com:8080", HeaderMap::new()).h1();
        assert_eq!(request.uri(), "/");
        assert_eq!(request.headers()[HOST], "example.com:8080");
        assert_eq!(request.headers()[USER_AGENT], DEFAULT_USER_AGENT);
        assert_eq!(request.method(), Method::PUT);
    }

    #[test]
    fn h2_requests_use_the_full_uri_and_keep_user_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static("mine/1"));
        let request = template("https://example.com/a?b=c", headers).h2();
        assert_eq!(request.uri(), "https://example.com/a?b=c");
        assert_eq!(request.headers()[USER_AGENT], "mine/1");
        assert!(!request.headers().contains_key(HOST));
    }
}
