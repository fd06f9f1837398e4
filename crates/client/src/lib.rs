//! The HTTP client of the load engine: pooled HTTP/1.1 and HTTP/2
//! connections, plain or TLS, and failures sorted into error kinds.
//!
//! A [`Client`] is built once per spawner and shared by all its sessions;
//! each [`Client::send`] makes one request and reads the whole response.
//! HTTP/1.1 is spoken directly by the session's own task (the `h1`
//! module); HTTP/2 goes through hyper.

mod client;
mod config;
mod dial;
mod exchange;
mod failure;
mod h1;
mod pool;
mod request;
mod tls;

pub use client::{Client, Response};
pub use config::{ClientConfig, ClientError};
pub use onslaught_metrics::ErrorKind;
pub use pool::PoolStatus;
