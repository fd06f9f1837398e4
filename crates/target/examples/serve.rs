//! Runs the target server from the command line until Ctrl-C, for benchmarks:
//! `cargo run --release -p onslaught-target --example serve -- --port 8089`.

use std::process::ExitCode;

use clap::Parser;
use onslaught_target::{serve, TargetArgs};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    target: TargetArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let config = match Cli::parse().target.into_config() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen_addr()).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on {}: {err}", config.listen_addr());
            return ExitCode::FAILURE;
        }
    };

    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match serve(listener, config, ctrl_c).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
