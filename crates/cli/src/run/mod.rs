//! `onslaught run`: one spawn from the command line, then a report.

mod plan;
mod progress;

use std::io::Write;
use std::process::ExitCode;

use onslaught_engine::{Epoch, Spawner, SpawnerConfig, SpawnerState};
use onslaught_report::Report;

use crate::args::{OutputFormat, RunArgs};
use crate::target::shutdown_signal;
use plan::Plan;

/// Exit statuses, as documented in SPEC.md.
const EXIT_THRESHOLD_FAILED: u8 = 1;
const EXIT_INVALID_INPUT: u8 = 2;
/// A second Ctrl-C while stopping: the user wants out now.
const EXIT_INTERRUPTED: u8 = 130;

pub async fn main(args: RunArgs) -> ExitCode {
    let plan = match Plan::from_args(&args) {
        Ok(plan) => plan,
        Err(problems) => {
            for line in problems.lines() {
                eprintln!("onslaught run: {line}");
            }
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };

    let spawn_id = uuid::Uuid::new_v4().to_string();
    let spawner = match Spawner::start(SpawnerConfig {
        spawn_id: spawn_id.clone(),
        options: plan.options.clone(),
        node: node_name(),
        epoch: Epoch::now(),
    }) {
        Ok(spawner) => spawner,
        Err(error) => {
            eprintln!("onslaught run: {error}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    let progress = progress::spawn(spawner.clone(), args.quiet);

    let state = tokio::select! {
        state = spawner.ended() => state,
        _ = shutdown_signal() => {
            spawner.stop();
            tokio::select! {
                state = spawner.ended() => state,
                _ = shutdown_signal() => return ExitCode::from(EXIT_INTERRUPTED),
            }
        }
    };
    if let Some(progress) = progress {
        let _ = progress.await;
    }

    let mut report = Report::build(
        &spawn_id,
        &plan.options.url,
        spawner.epoch().elapsed(),
        &spawner.timeline(),
        serde_json::to_value(&plan.options).unwrap_or_default(),
        state == SpawnerState::Stopped,
    );
    let passed = report.apply_thresholds(&plan.thresholds);
    if let Err(message) = emit(&report, args.output, args.out.as_deref()) {
        eprintln!("onslaught run: {message}");
        return ExitCode::FAILURE;
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_THRESHOLD_FAILED)
    }
}

/// Writes the report to stdout and, if asked, to a file.
fn emit(
    report: &Report,
    format: OutputFormat,
    out: Option<&std::path::Path>,
) -> Result<(), String> {
    let text = match format {
        OutputFormat::Text => report.to_text(),
        OutputFormat::Json => report.to_json(),
    };
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    // A reader that went away (`| head`) is not an error worth a panic.
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(format!("cannot write the report to stdout: {e}"));
        }
        _ => {}
    }
    if let Some(path) = out {
        std::fs::write(path, &text)
            .map_err(|e| format!("cannot write the report to {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The name this process goes by in reports: the host name, as the seed did.
pub fn node_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "local".to_owned())
}
