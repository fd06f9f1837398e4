//! The per-request decision: answer 200, answer 500, or misbehave; and how long to wait first.

use std::time::Duration;

use crate::config::{Fault, FaultKind, Latency, TargetConfig};
use crate::stats::Counted;

/// What the server does with one load request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Ok,
    Error,
    Fault(FaultKind),
}

impl Answer {
    /// The counter this answer is recorded under.
    pub(crate) fn counted(self) -> Counted {
        match self {
            Answer::Ok => Counted::Status(200),
            Answer::Error => Counted::Status(500),
            Answer::Fault(kind) => Counted::Fault(kind),
        }
    }
}

/// The configured odds and delays, copied out of [`TargetConfig`] for the hot path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Behavior {
    latency: Latency,
    error_rate: f64,
    fault: Option<Fault>,
}

impl Behavior {
    pub(crate) fn new(config: &TargetConfig) -> Behavior {
        Behavior {
            latency: config.latency,
            error_rate: config.error_rate,
            fault: config.fault,
        }
    }

    /// Picks the answer for one request; faults are drawn before errors.
    pub(crate) fn decide(&self, rng: &mut fastrand::Rng) -> Answer {
        if let Some(fault) = self.fault {
            if hits(rng, fault.rate) {
                return Answer::Fault(fault.kind);
            }
        }
        if hits(rng, self.error_rate) {
            return Answer::Error;
        }
        Answer::Ok
    }

    /// Draws the delay before answering one request.
    pub(crate) fn delay(&self, rng: &mut fastrand::Rng) -> Duration {
        self.latency.sample(rng)
    }
}

/// True for a `rate` share of calls; exact at 0 and 1 because `f64()` is in `[0, 1)`.
fn hits(rng: &mut fastrand::Rng, rate: f64) -> bool {
    rate > 0.0 && rng.f64() < rate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(config: TargetConfig, count: usize) -> Vec<Answer> {
        let behavior = Behavior::new(&config);
        let mut rng = fastrand::Rng::with_seed(1);
        (0..count).map(|_| behavior.decide(&mut rng)).collect()
    }

    #[test]
    fn full_rates_are_exact() {
        let all_errors = answers(TargetConfig::default().with_error_rate(1.0), 500);
        assert!(all_errors.iter().all(|a| *a == Answer::Error));
        let all_ok = answers(TargetConfig::default(), 500);
        assert!(all_ok.iter().all(|a| *a == Answer::Ok));
    }

    #[test]
    fn fault_takes_precedence_over_error() {
        let config = TargetConfig::default()
            .with_error_rate(1.0)
            .with_fault(FaultKind::Garbage, 1.0);
        let all = answers(config, 100);
        assert!(all.iter().all(|a| *a == Answer::Fault(FaultKind::Garbage)));
    }
}
