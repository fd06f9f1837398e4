//! What `onslaught run` shows while it runs: a bar on a terminal, a plain
//! line every few seconds otherwise, nothing with `--quiet`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use onslaught_engine::{Spawner, SpawnerEvent};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

/// How often the non-terminal line is written; often enough to see a CI job
/// is alive, rare enough not to flood its log.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Running totals from the spawner's per-second slices.
#[derive(Default)]
struct Tally {
    requests: u64,
    errors: u64,
    per_second: BTreeMap<u32, u64>,
}

impl Tally {
    fn add(&mut self, second: u32, requests: u64, errors: u64) {
        self.requests += requests;
        self.errors += errors;
        *self.per_second.entry(second).or_default() += requests;
        while self.per_second.len() > 4 {
            self.per_second.pop_first();
        }
    }

    /// Requests in the last complete second harvested.
    fn current_rps(&self) -> u64 {
        self.per_second.values().next_back().copied().unwrap_or(0)
    }
}

pub fn spawn(spawner: Spawner, quiet: bool) -> Option<JoinHandle<()>> {
    if quiet {
        return None;
    }
    let fancy = std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
    Some(tokio::spawn(follow(spawner, fancy)))
}

async fn follow(spawner: Spawner, fancy: bool) {
    let total = spawner.options().total_duration();
    let target = spawner.options().session_count;
    let mut events = spawner.subscribe();
    let mut tally = Tally::default();
    let bar = fancy.then(|| new_bar(total));
    let mut tick = tokio::time::interval(if fancy {
        Duration::from_millis(200)
    } else {
        PLAIN_EVERY
    });
    tick.tick().await;

    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(SpawnerEvent::Slice { second, slice }) => {
                    let errors = slice.outcomes.iter().filter(|(o, _)| o.is_error()).map(|(_, h)| h.len()).sum();
                    tally.add(second, slice.outcomes.count(), errors);
                }
                Ok(SpawnerEvent::Ended(_)) | Err(RecvError::Closed) => break,
                Err(RecvError::Lagged(_)) => {}
            },
            _ = tick.tick() => {
                let elapsed = spawner.epoch().elapsed().min(total);
                let active = spawner.status().sessions_active;
                let line = format!(
                    "{} req/s, {active}/{target} sessions, {} requests, {} errors",
                    tally.current_rps(), tally.requests, tally.errors
                );
                match &bar {
                    Some(bar) => {
                        bar.set_position(elapsed.as_millis() as u64);
                        bar.set_message(line);
                    }
                    None => eprintln!("[{:>5.1}s/{}s] {line}", elapsed.as_secs_f64(), total.as_secs()),
                }
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

fn new_bar(total: Duration) -> ProgressBar {
    let bar =
        ProgressBar::with_draw_target(Some(total.as_millis() as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {percent:>3}%  {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}
