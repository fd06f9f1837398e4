//! The command line. Flag names are part of the product (see SPEC.md).
//!
//! Spawn options are taken as text and checked by the engine's validation,
//! the same code the web form and the API use, so every entry point reports
//! a bad value with the same words; only the field names are mapped back to
//! the flags a CLI user typed.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "onslaught",
    version,
    about = "A distributed HTTP load generator"
)]
pub struct Cli {
    /// What to do; with none, `serve`, as the seed tool did.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Web UI, JSON API and cluster node (the default).
    Serve(onslaught_server::ServeArgs),
    /// Run one spawn from the command line, then print a report.
    Run(Box<RunArgs>),
    /// Serve the built-in target, for rehearsals and tests.
    Target(onslaught_target::TargetArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
// Negative numbers reach validation, which explains the allowed range,
// instead of being mistaken for flags.
#[command(allow_negative_numbers = true)]
pub struct RunArgs {
    /// The URL to load (http or https).
    pub url: String,

    /// HTTP method.
    #[arg(long, short = 'X', default_value = "GET")]
    pub method: String,

    /// A request header, 'Key: Value'. Repeat for more.
    #[arg(long = "header", short = 'H', value_name = "KEY: VALUE")]
    pub headers: Vec<String>,

    /// Request body: text, or @FILE to read it from a file.
    #[arg(long)]
    pub body: Option<String>,

    /// Concurrent sessions (simulated users). With --rate, the cap on
    /// requests in flight.
    #[arg(long, value_name = "N")]
    pub sessions: Option<String>,

    /// Pause between starting one session and the next.
    #[arg(long, value_name = "MS")]
    pub delay_between_spawns_ms: Option<String>,

    /// How long each session runs.
    #[arg(long, value_name = "N")]
    pub seconds: Option<String>,

    /// Pace of each session: one request every MS milliseconds.
    /// 0 sends back-to-back, as fast as responses come. Default 1000.
    #[arg(long, value_name = "MS")]
    pub interval_ms: Option<String>,

    /// Open model: this many requests per second in total, whatever the
    /// responses do.
    #[arg(long, value_name = "N")]
    pub rate: Option<String>,

    /// Number of HTTP connection pools.
    #[arg(long, value_name = "N")]
    pub pool_count: Option<String>,

    /// Connections per pool.
    #[arg(long, value_name = "N")]
    pub pool_size: Option<String>,

    /// Give up on a request after this long.
    #[arg(long, value_name = "MS")]
    pub timeout_ms: Option<String>,

    /// Retry a request that failed without an HTTP response up to N times;
    /// each retry is counted.
    #[arg(long, value_name = "N")]
    pub retries: Option<String>,

    /// Speak HTTP/2 over plain TCP (h2c with prior knowledge).
    #[arg(long)]
    pub http2: bool,

    /// Accept any TLS certificate, e.g. a self-signed one.
    #[arg(long, short = 'k')]
    pub insecure: bool,

    /// Report format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub output: OutputFormat,

    /// Also write the report to FILE.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Pass/fail condition, e.g. 'p99<250ms', 'errors<1%', 'rps>1000'.
    /// Repeat for more; any failure exits with status 1.
    #[arg(long = "threshold", value_name = "EXPR")]
    pub thresholds: Vec<String>,

    /// No progress output while running.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The flag a validation field corresponds to, for error messages.
pub fn flag_for_field(field: &str) -> &'static str {
    match field {
        "url" => "URL",
        "method" => "--method",
        "headers" => "--header",
        "body" => "--body",
        "session_count" => "--sessions",
        "delay_between_spawns_ms" => "--delay-between-spawns-ms",
        "seconds" => "--seconds",
        "interval_ms" => "--interval-ms",
        "rate" => "--rate",
        "pool_count" => "--pool-count",
        "pool_size" => "--pool-size",
        "timeout_ms" => "--timeout-ms",
        "retries" => "--retries",
        "http2" => "--http2",
        "insecure" => "--insecure",
        _ => "an option",
    }
}
