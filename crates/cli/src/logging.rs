//! Logs go to stderr through `tracing`; stdout is kept for what the user
//! asked for (a report).

use tracing_subscriber::EnvFilter;

use crate::args::Command;

/// Installs the subscriber. `RUST_LOG` wins; otherwise a headless run only
/// speaks up about problems, while servers log their lifecycle.
pub fn init(command: &Command) {
    let default = match command {
        Command::Run(_) => "warn",
        Command::Target(_) | Command::Serve(_) => "info",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
