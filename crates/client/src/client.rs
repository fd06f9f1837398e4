//! The client handle the engine holds: cheap to clone, one per spawner.

use std::error::Error;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use onslaught_metrics::ErrorKind;

use crate::config::{ClientConfig, ClientError};
use crate::dial::Dialer;
use crate::failure::Failure;
use crate::pool::{Pool, PoolStatus};
use crate::request::RequestTemplate;
use crate::tls::Tls;

/// Sends the configured request over pooled connections. Clones share the
/// pools.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// What one request produced: the status and how much body came with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body_bytes: u64,
}

pub(crate) struct Inner {
    pub pools: Box<[Pool]>,
    pub dialer: Dialer,
    pub template: RequestTemplate,
    pub timeout: Duration,
}

impl Client {
    /// Checks the config and prepares TLS and the request; opens nothing.
    pub fn new(config: ClientConfig) -> Result<Client, ClientError> {
        let endpoint = config.endpoint()?;
        let prior_knowledge = config.http2_prior_knowledge;
        let tls = if endpoint.tls {
            Some(Tls::new(&config, &endpoint.host)?)
        } else {
            None
        };

        let pools = (0..config.pool_count)
            .map(|index| Pool::new(index, config.pool_size, prior_knowledge))
            .collect();
        let inner = Inner {
            pools,
            dialer: Dialer {
                endpoint,
                tls,
                h2_prior_knowledge: prior_knowledge,
            },
            template: RequestTemplate::new(&config),
            timeout: config.timeout,
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }

    /// One request on a connection from pool `pool_hint % pool_count`,
    /// reading the whole response body. Failures come back classified.
    ///
    /// The timeout covers waiting for a pooled connection too: a request
    /// stuck behind a saturated pool is late from its caller's point of
    /// view, and excluding the wait would hide that from the latency data.
    pub async fn send(&self, pool_hint: usize) -> Result<Response, ErrorKind> {
        let inner = &*self.inner;
        let pool = &inner.pools[pool_hint % inner.pools.len()];

        let failure = match tokio::time::timeout(inner.timeout, inner.exchange(pool)).await {
            Ok(Ok(response)) => return Ok(response),
            Ok(Err(failure)) => failure,
            Err(_elapsed) => Failure::Timeout,
        };
        let kind = failure.kind();
        tracing::debug!(
            pool = pool.index,
            error.kind = kind.as_str(),
            error = %Chain(&failure),
            "request failed"
        );
        Err(kind)
    }

    /// Occupancy of every pool, in index order.
    pub fn pools(&self) -> Vec<PoolStatus> {
        self.inner.pools.iter().map(Pool::status).collect()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoint = &self.inner.dialer.endpoint;
        f.debug_struct("Client")
            .field("host", &endpoint.host)
            .field("port", &endpoint.port)
            .field("tls", &endpoint.tls)
            .field("pools", &self.inner.pools.len())
            .finish()
    }
}

/// An error and its sources on one line, as "outer: inner: innermost".
struct Chain<'a>(&'a dyn Error);

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
