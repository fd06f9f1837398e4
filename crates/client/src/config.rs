//! What the engine asks of the client, and the checks that turn it into a
//! target we can dial.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};

/// Everything one spawner's HTTP client needs; checked again by
/// [`Client::new`](crate::Client::new).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Target URL: `http` or `https` with a host.
    pub url: Uri,
    pub method: Method,
    /// The user's headers; `User-Agent: onslaught/<version>` is added unless
    /// given. Over HTTP/1.1 the client frames the body itself, so
    /// Content-Length and Transfer-Encoding given here are left out.
    pub headers: HeaderMap,
    /// Request body; empty means none.
    pub body: Bytes,
    /// Number of independent connection pools (at least 1).
    pub pool_count: usize,
    /// Connections per pool (at least 1).
    pub pool_size: usize,
    /// Limit for one whole request, waiting for a pooled connection included.
    pub timeout: Duration,
    /// Speak HTTP/2 without negotiation (h2c on plain TCP).
    pub http2_prior_knowledge: bool,
    /// Accept any TLS certificate, for self-signed targets.
    pub insecure: bool,
}

/// Why a [`ClientConfig`] cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("url {url:?} has no scheme: expected http:// or https://")]
    MissingScheme { url: String },
    #[error("url {url:?} has scheme {scheme:?}: expected http or https")]
    UnsupportedScheme { url: String, scheme: String },
    #[error("url {url:?} has no host")]
    MissingHost { url: String },
    #[error("url {url:?}: host {host:?} is not a valid TLS server name")]
    ServerName { url: String, host: String },
    #[error("pool_count is 0: expected at least 1")]
    ZeroPoolCount,
    #[error("pool_size is 0: expected at least 1")]
    ZeroPoolSize,
    #[error("timeout is 0: expected a positive duration")]
    ZeroTimeout,
    #[error("tls setup failed")]
    Tls(#[source] rustls::Error),
}

/// The transport half of a checked config: where to connect and how.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// Host without IPv6 brackets, ready for name resolution.
    pub host: Box<str>,
    pub port: u16,
    pub tls: bool,
}

impl ClientConfig {
    /// Checks the fields the client relies on and extracts the endpoint.
    pub(crate) fn endpoint(&self) -> Result<Endpoint, ClientError> {
        if self.pool_count == 0 {
            return Err(ClientError::ZeroPoolCount);
        }
        if self.pool_size == 0 {
            return Err(ClientError::ZeroPoolSize);
        }
        if self.timeout.is_zero() {
            return Err(ClientError::ZeroTimeout);
        }

        let url = || self.url.to_string();
        let tls = match self.url.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            Some(other) => {
                let scheme = other.to_owned();
                return Err(ClientError::UnsupportedScheme { url: url(), scheme });
            }
            None => return Err(ClientError::MissingScheme { url: url() }),
        };
        let host = match self.url.host() {
            Some(host) if !host.is_empty() => host,
            _ => return Err(ClientError::MissingHost { url: url() }),
        };

        let default_port = if tls { 443 } else { 80 };
        Ok(Endpoint {
            host: host.trim_start_matches('[').trim_end_matches(']').into(),
            port: self.url.port_u16().unwrap_or(default_port),
            tls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> ClientConfig {
        ClientConfig {
            url: url.parse().expect("test url parses"),
            method: Method::GET,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            pool_count: 1,
            pool_size: 1,
            timeout: Duration::from_secs(1),
            http2_prior_knowledge: false,
            insecure: false,
        }
    }

    #[test]
    fn endpoint_takes_default_ports_and_strips_ipv6_brackets() {
        let plain = config("http://example.com/x").endpoint().expect("valid");
        assert_eq!(
            (&*plain.host, plain.port, plain.tls),
            ("example.com", 80, false)
        );

        let secure = config("https://[::1]:8443/").endpoint().expect("valid");
        assert_eq!(
            (&*secure.host, secure.port, secure.tls),
            ("::1", 8443, true)
        );
    }

    #[test]
    fn bad_configs_name_what_is_wrong() {
        let err = config("ftp://example.com/").endpoint().unwrap_err();
        assert!(err.to_string().contains("\"ftp\""), "{err}");

        let err = config("/only/a/path").endpoint().unwrap_err();
        assert!(matches!(err, ClientError::MissingScheme { .. }), "{err}");

        let mut zero = config("http://example.com/");
        zero.pool_size = 0;
        assert!(zero
            .endpoint()
            .unwrap_err()
            .to_string()
            .contains("pool_size"));
        zero.pool_size = 1;
        zero.pool_count = 0;
        assert!(zero
            .endpoint()
            .unwrap_err()
            .to_string()
            .contains("pool_count"));
        zero.pool_count = 1;
        zero.timeout = Duration::ZERO;
        assert!(zero.endpoint().unwrap_err().to_string().contains("timeout"));
    }
}
