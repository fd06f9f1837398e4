//! The built-in target server behind `onslaught target`: a fast HTTP server with
//! configurable latency, errors and faults that counts exactly what it answered.
//!
//! Plain TCP speaks HTTP/1.1 through a hand-written loop (keep-alive, pipelining)
//! and HTTP/2 when the client opens with the prior-knowledge preface; TLS offers
//! both by ALPN. `GET /_onslaught/stats` returns the counts as JSON and
//! `POST /_onslaught/reset` zeroes them; neither is counted.
//!
//! Known limits: on HTTP/2 the close and garbage faults reset the stream rather
//! than the connection; stopping the server cuts in-flight requests instead of
//! draining them; HTTP/1.1 answers carry no `Date` header, to keep them pre-built.

mod args;
mod behavior;
mod body;
mod canned;
mod config;
mod control;
mod h2;
mod handle;
mod head;
mod http1;
mod inbuf;
mod rewind;
mod server;
mod stats;
mod tls;

pub use args::TargetArgs;
pub use config::{
    ConfigError, Fault, FaultKind, Latency, TargetConfig, DEFAULT_BODY_SIZE, MAX_BODY_SIZE,
};
pub use control::{RESET_PATH, STATS_PATH};
pub use handle::TargetServer;
pub use server::serve;
pub use stats::{FaultCounts, StatsSnapshot};
pub use tls::{TlsError, TlsIdentity};
