//! `onslaught serve`: the node, until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use onslaught_server::{ServeArgs, ServeError};

use crate::target::shutdown_signal;

pub async fn main(args: ServeArgs) -> ExitCode {
    match onslaught_server::run(args, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("onslaught serve: {error}");
            match error {
                // Settings a user typed: the same status as bad input to `run`.
                ServeError::Config(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}
