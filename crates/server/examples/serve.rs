//! A node with settings from flags and the environment, without the CLI:
//! `cargo run -p onslaught-server --example serve -- --port 4000`.

use clap::Parser;
use onslaught_server::ServeArgs;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Cli::parse().serve;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match onslaught_server::run(args, shutdown).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("onslaught serve: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
