//! Pass/fail thresholds such as `p99<250ms`, `errors<1%` or `rps>100`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::units::{format_latency_ms, parse_decimal, parse_duration_ms, trim_float};
use crate::Report;

const EXAMPLES: &str = "p99<250ms, errors<1% or rps>100";
const METRICS: &str = "p50, p90, p99, p999, mean, max, errors, rps";

/// A condition the report must meet, parsed from text like `p99<250ms`.
///
/// `errors` is the share of requests whose outcome is an error kind (connect,
/// timeout, reset, tls, protocol, other), in percent. HTTP 5xx answers are
/// responses, not errors: bound them through the status table instead.
/// Every threshold fails on a report with no requests at all.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub metric: Metric,
    pub comparison: Comparison,
    /// Milliseconds for latencies, percent for errors, requests/s for rps.
    pub limit: f64,
}

/// What a threshold measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    P50,
    P90,
    P99,
    P999,
    Mean,
    Max,
    Errors,
    Rps,
}

/// How the actual value must compare with the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Below,
    AtMost,
    Above,
    AtLeast,
}

/// The verdict of one threshold on one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    pub expression: String,
    pub passed: bool,
    /// The measured value with its unit, e.g. `212.30ms`, `0.52%`, `1203.4/s`.
    pub actual: String,
}

/// Why a threshold expression was rejected; every message quotes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    #[error("empty threshold: expected an expression such as {EXAMPLES}")]
    Empty,
    #[error("threshold {expression:?} has no < or >: expected an expression such as {EXAMPLES}")]
    MissingComparison { expression: String },
    #[error("threshold {expression:?}: unknown metric {metric:?}, expected one of {METRICS}")]
    UnknownMetric { expression: String, metric: String },
    #[error("threshold {expression:?}: {metric} can only be bounded from {side}, with {allowed}")]
    WrongDirection {
        expression: String,
        metric: String,
        side: &'static str,
        allowed: &'static str,
    },
    #[error("threshold {expression:?}: {value:?} is not {expected}")]
    BadValue {
        expression: String,
        value: String,
        expected: &'static str,
    },
}

impl Metric {
    fn parse(name: &str) -> Option<Metric> {
        let metric = match name.to_ascii_lowercase().as_str() {
            "p50" | "median" => Metric::P50,
            "p90" => Metric::P90,
            "p99" => Metric::P99,
            "p999" | "p99.9" => Metric::P999,
            "mean" | "avg" => Metric::Mean,
            "max" => Metric::Max,
            "errors" => Metric::Errors,
            "rps" => Metric::Rps,
            _ => return None,
        };
        Some(metric)
    }

    fn name(self) -> &'static str {
        match self {
            Metric::P50 => "p50",
            Metric::P90 => "p90",
            Metric::P99 => "p99",
            Metric::P999 => "p999",
            Metric::Mean => "mean",
            Metric::Max => "max",
            Metric::Errors => "errors",
            Metric::Rps => "rps",
        }
    }

    /// Latencies and errors are "lower is better"; only rps is "higher is better".
    fn wants_upper_bound(self) -> bool {
        self != Metric::Rps
    }

    /// The measured value, in the unit of the limit.
    fn actual(self, report: &Report) -> f64 {
        let latency = &report.latency_ms;
        match self {
            Metric::P50 => latency.p50,
            Metric::P90 => latency.p90,
            Metric::P99 => latency.p99,
            Metric::P999 => latency.p999,
            Metric::Mean => latency.mean,
            Metric::Max => latency.max,
            Metric::Errors => report.error_percent,
            Metric::Rps => report.rps,
        }
    }

    fn format(self, value: f64) -> String {
        match self {
            Metric::Errors => format!("{}%", trim_float(value, 3)),
            Metric::Rps => format!("{}/s", trim_float(value, 1)),
            _ => format_latency_ms(value),
        }
    }
}

impl Comparison {
    fn symbol(self) -> &'static str {
        match self {
            Comparison::Below => "<",
            Comparison::AtMost => "<=",
            Comparison::Above => ">",
            Comparison::AtLeast => ">=",
        }
    }

    fn is_upper_bound(self) -> bool {
        matches!(self, Comparison::Below | Comparison::AtMost)
    }

    fn holds(self, actual: f64, limit: f64) -> bool {
        match self {
            Comparison::Below => actual < limit,
            Comparison::AtMost => actual <= limit,
            Comparison::Above => actual > limit,
            Comparison::AtLeast => actual >= limit,
        }
    }
}

impl Threshold {
    /// Checks the report; a report without requests fails every threshold.
    pub fn check(&self, report: &Report) -> ThresholdResult {
        let expression = self.to_string();
        if report.requests == 0 {
            return ThresholdResult {
                expression,
                passed: false,
                actual: "no requests".to_owned(),
            };
        }
        let actual = self.metric.actual(report);
        ThresholdResult {
            expression,
            passed: self.comparison.holds(actual, self.limit),
            actual: self.metric.format(actual),
        }
    }
}

impl fmt::Display for Threshold {
    /// The canonical form, which parses back to the same threshold.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limit = match self.metric {
            Metric::Errors => format!("{}%", trim_float(self.limit, 6)),
            Metric::Rps => trim_float(self.limit, 6),
            _ if self.limit >= 1_000.0 => format!("{}s", trim_float(self.limit / 1_000.0, 6)),
            _ if self.limit >= 1.0 || self.limit == 0.0 => {
                format!("{}ms", trim_float(self.limit, 6))
            }
            _ => format!("{}us", trim_float(self.limit * 1_000.0, 6)),
        };
        write!(
            f,
            "{}{}{limit}",
            self.metric.name(),
            self.comparison.symbol()
        )
    }
}

impl FromStr for Threshold {
    type Err = ThresholdError;

    fn from_str(text: &str) -> Result<Threshold, ThresholdError> {
        let expression = text.trim();
        if expression.is_empty() {
            return Err(ThresholdError::Empty);
        }
        let (name, comparison, value) = split(expression)?;
        let metric = Metric::parse(name).ok_or_else(|| ThresholdError::UnknownMetric {
            expression: expression.to_owned(),
            metric: name.to_owned(),
        })?;
        check_direction(expression, metric, comparison)?;
        let limit = parse_limit(expression, metric, value)?;
        Ok(Threshold {
            metric,
            comparison,
            limit,
        })
    }
}

/// Splits `p99 <= 250ms` into its metric, comparison and value.
fn split(expression: &str) -> Result<(&str, Comparison, &str), ThresholdError> {
    let at = expression
        .find(['<', '>'])
        .ok_or_else(|| ThresholdError::MissingComparison {
            expression: expression.to_owned(),
        })?;
    let (name, rest) = expression.split_at(at);
    let (comparison, value) = match rest.as_bytes() {
        [b'<', b'=', ..] => (Comparison::AtMost, &rest[2..]),
        [b'>', b'=', ..] => (Comparison::AtLeast, &rest[2..]),
        [b'<', ..] => (Comparison::Below, &rest[1..]),
        _ => (Comparison::Above, &rest[1..]),
    };
    Ok((name.trim(), comparison, value.trim()))
}

fn check_direction(
    expression: &str,
    metric: Metric,
    comparison: Comparison,
) -> Result<(), ThresholdError> {
    if metric.wants_upper_bound() == comparison.is_upper_bound() {
        return Ok(());
    }
    let (side, allowed) = if metric.wants_upper_bound() {
        ("above", "< or <=")
    } else {
        ("below", "> or >=")
    };
    Err(ThresholdError::WrongDirection {
        expression: expression.to_owned(),
        metric: metric.name().to_owned(),
        side,
        allowed,
    })
}

fn parse_limit(expression: &str, metric: Metric, value: &str) -> Result<f64, ThresholdError> {
    let (limit, expected) = match metric {
        Metric::Errors => (
            value
                .strip_suffix('%')
                .and_then(|number| parse_decimal(number.trim()))
                .filter(|percent| *percent <= 100.0),
            "a percentage from 0% to 100%, such as 1% or 0.5%",
        ),
        Metric::Rps => (
            parse_decimal(value),
            "a number of requests per second, such as 100",
        ),
        _ => (
            parse_duration_ms(value),
            "a duration with a unit (us, ms or s), such as 250ms or 1.5s",
        ),
    };
    limit.ok_or_else(|| ThresholdError::BadValue {
        expression: expression.to_owned(),
        value: value.to_owned(),
        expected,
    })
}
