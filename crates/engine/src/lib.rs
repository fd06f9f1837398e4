//! The load engine: validated spawn options go in, a spawner runs sessions
//! against the target, and per-second outcome histograms come out.
//!
//! The CLI, the web server and the cluster all drive spawns through this
//! crate and nothing else, so a spawn behaves the same wherever it starts.

mod clock;
mod options;
mod spawner;

use std::time::Duration;

use onslaught_client::ClientConfig;

pub use clock::Epoch;
pub use options::{defaults, limits, FieldErrors, HeaderField, SpawnOptions, SpawnRequest};
pub use spawner::{
    PoolUsage, Spawner, SpawnerConfig, SpawnerError, SpawnerEvent, SpawnerState, SpawnerStatus,
};

/// Turns checked options into the HTTP client's configuration.
///
/// The options were validated, so an error here means validation and this
/// conversion disagree; it is reported rather than unwrapped all the same.
pub fn client_config(options: &SpawnOptions) -> Result<ClientConfig, String> {
    let url: http::Uri = options
        .url
        .parse()
        .map_err(|e| format!("url {:?}: {e}", options.url))?;
    let method = http::Method::from_bytes(options.method.as_bytes())
        .map_err(|e| format!("method {:?}: {e}", options.method))?;
    let mut headers = http::HeaderMap::with_capacity(options.headers.len());
    for HeaderField { key, value } in &options.headers {
        let name = http::HeaderName::from_bytes(key.as_bytes())
            .map_err(|e| format!("header {key:?}: {e}"))?;
        let value =
            http::HeaderValue::from_str(value).map_err(|e| format!("header {key:?}: {e}"))?;
        headers.append(name, value);
    }
    Ok(ClientConfig {
        url,
        method,
        headers,
        body: bytes::Bytes::from(options.body.clone().into_bytes()),
        pool_count: options.pool_count as usize,
        pool_size: options.pool_size as usize,
        timeout: Duration::from_millis(options.timeout_ms),
        http2_prior_knowledge: options.http2,
        insecure: options.insecure,
    })
}
