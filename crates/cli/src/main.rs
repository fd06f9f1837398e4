//! The `onslaught` binary: parse the command line, set up logging, hand
//! over to the command, and turn its result into an exit status.

mod args;
mod logging;
mod run;
mod target;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command;
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
            Command::Run(args) => run::main(*args).await,
            Command::Target(args) => target::main(args).await,
        }
    })
}
