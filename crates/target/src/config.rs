//! What the target server does with each request: delay, errors, faults, body size.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Largest response body the server will pre-build; bigger ones are a typo, not a test.
pub const MAX_BODY_SIZE: usize = 64 * 1024 * 1024;

/// Body size that yields exactly `ok\n`.
pub const DEFAULT_BODY_SIZE: usize = 3;

/// A flag value that failed validation; the message names the flag and what it expects.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("--{flag} must be a share between 0 and 1, got {value}")]
    Share { flag: &'static str, value: String },
    #[error("--latency-ms expects N or MIN-MAX in whole milliseconds, got {0:?}")]
    LatencySyntax(String),
    #[error("--latency-ms range {min_ms}-{max_ms} has its minimum above its maximum")]
    LatencyRange { min_ms: u64, max_ms: u64 },
    #[error("--body-size must be at most {MAX_BODY_SIZE} bytes, got {0}")]
    BodySize(usize),
}

/// How long the server waits before answering each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Latency {
    /// Answer as soon as the request is read.
    #[default]
    None,
    /// The same delay for every request.
    Fixed(Duration),
    /// A delay drawn uniformly from `min..=max` for each request.
    Uniform { min: Duration, max: Duration },
}

impl Latency {
    /// A uniform range; fails when `min` is above `max`.
    pub fn uniform(min: Duration, max: Duration) -> Result<Latency, ConfigError> {
        if min > max {
            return Err(ConfigError::LatencyRange {
                min_ms: min.as_millis() as u64,
                max_ms: max.as_millis() as u64,
            });
        }
        Ok(Latency::Uniform { min, max })
    }

    /// Draws the delay for one request.
    pub(crate) fn sample(&self, rng: &mut fastrand::Rng) -> Duration {
        match *self {
            Latency::None => Duration::ZERO,
            Latency::Fixed(delay) => delay,
            Latency::Uniform { min, max } => {
                // Microsecond steps keep the draw smooth without u128 arithmetic.
                let span_us = (max - min).as_micros() as u64;
                min + Duration::from_micros(rng.u64(0..=span_us))
            }
        }
    }
}

impl FromStr for Latency {
    type Err = ConfigError;

    /// Parses `N` or `MIN-MAX` in whole milliseconds.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let syntax = || ConfigError::LatencySyntax(text.to_owned());
        let millis = |part: &str| part.trim().parse::<u64>().map_err(|_| syntax());

        match text.split_once('-') {
            None => Ok(Latency::Fixed(Duration::from_millis(millis(text)?))),
            Some((min, max)) => {
                let (min_ms, max_ms) = (millis(min)?, millis(max)?);
                if min_ms > max_ms {
                    return Err(ConfigError::LatencyRange { min_ms, max_ms });
                }
                Ok(Latency::Uniform {
                    min: Duration::from_millis(min_ms),
                    max: Duration::from_millis(max_ms),
                })
            }
        }
    }
}

/// A way to misbehave instead of answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Close the connection without answering.
    Close,
    /// Never answer; hold the connection until the client gives up or the server stops.
    Stall,
    /// Answer with bytes that are not HTTP, then close.
    Garbage,
}

impl FaultKind {
    /// Every kind, in the order used for counters.
    pub const ALL: [FaultKind; 3] = [FaultKind::Close, FaultKind::Stall, FaultKind::Garbage];

    /// Lowercase name, as used by the `--fault` flag and the stats JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Close => "close",
            FaultKind::Stall => "stall",
            FaultKind::Garbage => "garbage",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fault and the share of requests it hits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub rate: f64,
}

/// Validated settings of one target server; `default()` is a fast `200 OK` on 127.0.0.1:8080.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetConfig {
    pub(crate) listen_addr: SocketAddr,
    pub(crate) latency: Latency,
    pub(crate) error_rate: f64,
    pub(crate) fault: Option<Fault>,
    pub(crate) body_size: usize,
    pub(crate) tls: bool,
}

impl Default for TargetConfig {
    fn default() -> Self {
        TargetConfig {
            listen_addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
            latency: Latency::None,
            error_rate: 0.0,
            fault: None,
            body_size: DEFAULT_BODY_SIZE,
            tls: false,
        }
    }
}

impl TargetConfig {
    /// Address the CLI should bind; `serve` itself uses whatever listener it is given.
    pub fn listen_addr(&self) -> SocketAddr {
        self.listen_addr
    }

    /// Sets the address returned by [`TargetConfig::listen_addr`].
    pub fn with_listen_addr(mut self, addr: SocketAddr) -> Self {
        self.listen_addr = addr;
        self
    }

    /// Delays every answer (faults included) by `latency`.
    pub fn with_latency(mut self, latency: Latency) -> Self {
        self.latency = latency;
        self
    }

    /// Answers this share of requests with `500`; values outside 0..=1 are clamped.
    pub fn with_error_rate(mut self, rate: f64) -> Self {
        self.error_rate = clamp_share(rate);
        self
    }

    /// Hits this share of requests with `kind`; values outside 0..=1 are clamped.
    pub fn with_fault(mut self, kind: FaultKind, rate: f64) -> Self {
        let rate = clamp_share(rate);
        self.fault = Some(Fault { kind, rate });
        self
    }

    /// Sets the `200` body length; capped at [`MAX_BODY_SIZE`].
    pub fn with_body_size(mut self, bytes: usize) -> Self {
        self.body_size = bytes.min(MAX_BODY_SIZE);
        self
    }

    /// Serves TLS with a self-signed certificate, HTTP/1.1 and HTTP/2 by ALPN.
    pub fn with_tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Whether the server speaks TLS.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// Delay applied before each answer.
    pub fn latency(&self) -> Latency {
        self.latency
    }

    /// Share of load requests answered with `500`.
    pub fn error_rate(&self) -> f64 {
        self.error_rate
    }

    /// The configured fault, if any.
    pub fn fault(&self) -> Option<Fault> {
        self.fault
    }

    /// Length of the `200` body.
    pub fn body_size(&self) -> usize {
        self.body_size
    }
}

/// Checks that `value` lies in 0..=1, naming `flag` when it does not.
pub(crate) fn check_share(flag: &'static str, value: f64) -> Result<f64, ConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::Share {
            flag,
            value: value.to_string(),
        })
    }
}

fn clamp_share(rate: f64) -> f64 {
    if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_parses_fixed_and_range() {
        assert_eq!("25".parse(), Ok(Latency::Fixed(Duration::from_millis(25))));
        assert_eq!(
            "5-10".parse(),
            Ok(Latency::Uniform {
                min: Duration::from_millis(5),
                max: Duration::from_millis(10)
            })
        );
    }

    #[test]
    fn latency_rejects_bad_text() {
        for bad in ["", "x", "5-", "-5", "1-2-3", "1.5"] {
            assert!(bad.parse::<Latency>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn uniform_sample_stays_in_bounds() {
        let latency = Latency::uniform(Duration::from_millis(3), Duration::from_millis(4)).unwrap();
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..1000 {
            let delay = latency.sample(&mut rng);
            assert!((Duration::from_millis(3)..=Duration::from_millis(4)).contains(&delay));
        }
    }

    #[test]
    fn builders_clamp_shares() {
        let config = TargetConfig::default()
            .with_error_rate(3.0)
            .with_fault(FaultKind::Close, f64::NAN);
        assert_eq!(config.error_rate, 1.0);
        assert_eq!(config.fault.map(|f| f.rate), Some(0.0));
    }
}
