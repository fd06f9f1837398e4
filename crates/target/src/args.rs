//! Command-line flags of `onslaught target`, turned into a validated [`TargetConfig`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::config::{
    check_share, ConfigError, Fault, FaultKind, Latency, TargetConfig, DEFAULT_BODY_SIZE,
    MAX_BODY_SIZE,
};

/// Flags of the built-in target server.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct TargetArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,

    /// Port to listen on; 0 picks any free port.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Delay before each answer: N milliseconds, or MIN-MAX for a uniform draw per request.
    #[arg(long, value_name = "N|MIN-MAX", allow_hyphen_values = true)]
    pub latency_ms: Option<String>,

    /// Share of requests (0 to 1) answered with 500.
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub error_rate: f64,

    /// Misbehave instead of answering: close, stall or garbage.
    #[arg(long, value_enum)]
    pub fault: Option<FaultKind>,

    /// Share of requests (0 to 1) hit by --fault; 1 when omitted.
    #[arg(
        long,
        value_name = "F",
        requires = "fault",
        allow_negative_numbers = true
    )]
    pub fault_rate: Option<f64>,

    /// Length in bytes of the 200 response body.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_SIZE)]
    pub body_size: usize,

    /// Serve TLS with a self-signed certificate made at start (HTTP/1.1 and HTTP/2 by ALPN).
    #[arg(long)]
    pub tls: bool,
}

impl TargetArgs {
    /// Validates every flag; the error names the first bad one and what it expects.
    pub fn into_config(self) -> Result<TargetConfig, ConfigError> {
        let latency = match &self.latency_ms {
            Some(text) => text.parse()?,
            None => Latency::None,
        };
        let error_rate = check_share("error-rate", self.error_rate)?;
        let fault = self.fault_setting()?;
        if self.body_size > MAX_BODY_SIZE {
            return Err(ConfigError::BodySize(self.body_size));
        }

        let mut config = TargetConfig::default()
            .with_listen_addr(SocketAddr::new(self.bind, self.port))
            .with_latency(latency)
            .with_error_rate(error_rate)
            .with_body_size(self.body_size);
        config.fault = fault;
        config.tls = self.tls;
        Ok(config)
    }

    fn fault_setting(&self) -> Result<Option<Fault>, ConfigError> {
        let rate = match self.fault_rate {
            Some(rate) => check_share("fault-rate", rate)?,
            None => 1.0,
        };
        Ok(self.fault.map(|kind| Fault { kind, rate }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        target: TargetArgs,
    }

    fn config_from(args: &[&str]) -> Result<TargetConfig, String> {
        let argv = std::iter::once("target").chain(args.iter().copied());
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        cli.target.into_config().map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_a_plain_ok_server_on_8080() {
        let config = config_from(&[]).unwrap();
        assert_eq!(config.listen_addr().to_string(), "127.0.0.1:8080");
        assert_eq!(config, TargetConfig::default());
    }

    #[test]
    fn every_flag_lands_in_the_config() {
        let config = config_from(&[
            "--bind=::1",
            "--port=0",
            "--latency-ms=5-9",
            "--error-rate=0.25",
            "--fault=garbage",
            "--fault-rate=0.5",
            "--body-size=10",
            "--tls",
        ])
        .unwrap();
        assert_eq!(config.listen_addr().to_string(), "[::1]:0");
        assert!(matches!(config.latency, Latency::Uniform { .. }));
        assert_eq!(config.error_rate, 0.25);
        let fault = config.fault.unwrap();
        assert_eq!((fault.kind, fault.rate), (FaultKind::Garbage, 0.5));
        assert_eq!(config.body_size, 10);
        assert!(config.tls());
    }

    #[test]
    fn fault_rate_defaults_to_every_request() {
        let config = config_from(&["--fault", "stall"]).unwrap();
        assert_eq!(config.fault.map(|f| f.rate), Some(1.0));
    }

    #[test]
    fn bad_flags_name_the_flag_and_the_expectation() {
        let cases: [(&[&str], &str); 6] = [
            (
                &["--error-rate", "2"],
                "--error-rate must be a share between 0 and 1, got 2",
            ),
            (
                &["--latency-ms", "5-1"],
                "--latency-ms range 5-1 has its minimum above",
            ),
            (&["--latency-ms", "x"], "--latency-ms expects N or MIN-MAX"),
            (
                &["--fault", "close", "--fault-rate", "-1"],
                "--fault-rate must be a share between 0 and 1, got -1",
            ),
            (&["--fault-rate", "0.5"], "--fault"),
            (
                &["--body-size", "999999999999"],
                "--body-size must be at most",
            ),
        ];
        for (args, expected) in cases {
            let err = config_from(args).expect_err("bad flags were accepted");
            assert!(err.contains(expected), "{args:?} gave {err:?}");
        }
    }

    #[test]
    fn unknown_fault_kind_is_refused_by_the_parser() {
        let err = config_from(&["--fault", "explode"]).unwrap_err();
        assert!(err.contains("explode") && err.contains("garbage"), "{err}");
    }
}
