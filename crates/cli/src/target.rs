//! `onslaught target`: the built-in target server until Ctrl-C.

use std::process::ExitCode;

use onslaught_target::TargetArgs;

pub async fn main(args: TargetArgs) -> ExitCode {
    let config = match args.into_config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("onslaught target: {error}");
            return ExitCode::from(2);
        }
    };
    let addr = config.listen_addr();
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("onslaught target: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    match onslaught_target::serve(listener, config, shutdown_signal()).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("onslaught target: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
