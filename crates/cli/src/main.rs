//! The `onslaught` binary: parse the command line, set up logging, hand
//! over to the command, and turn its result into an exit status.

mod args;
mod logging;
mod run;
mod serve;
mod target;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(command) => command,
        // A bare `onslaught` serves, with settings from the environment.
        None => match onslaught_server::ServeArgs::from_env() {
            Ok(args) => Command::Serve(args),
            Err(error) => error.exit(),
        },
    };
    logging::init(&command);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("onslaught: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match command {
            Command::Serve(args) => serve::main(args).await,
            Command::Run(args) => run::main(*args).await,
            Command::Target(args) => target::main(args).await,
        }
    })
}
