//! Threshold expressions: what parses, what is refused with which message,
//! and how each one judges a report.

use std::time::Duration;

use onslaught_metrics::{ErrorKind, Outcome, Sample, Slice, Timeline};
use onslaught_report::{Comparison, Metric, Report, Threshold, ThresholdError};

fn parse(text: &str) -> Threshold {
    text.parse()
        .unwrap_or_else(|error| panic!("{text:?} should parse: {error}"))
}

fn refuse(text: &str) -> ThresholdError {
    match text.parse::<Threshold>() {
        Ok(threshold) => panic!("{text:?} should be refused, parsed as {threshold:?}"),
        Err(error) => error,
    }
}

#[test]
fn good_expressions_parse_to_their_meaning() {
    let cases = [
        ("p99<250ms", Metric::P99, Comparison::Below, 250.0),
        (" p50 < 1s ", Metric::P50, Comparison::Below, 1_000.0),
        ("mean<20ms", Metric::Mean, Comparison::Below, 20.0),
        ("max<2s", Metric::Max, Comparison::Below, 2_000.0),
        ("p999<1.5s", Metric::P999, Comparison::Below, 1_500.0),
        ("p99.9<800us", Metric::P999, Comparison::Below, 0.8),
        ("P90<=0.5ms", Metric::P90, Comparison::AtMost, 0.5),
        ("errors<1%", Metric::Errors, Comparison::Below, 1.0),
        ("errors<=0%", Metric::Errors, Comparison::AtMost, 0.0),
        ("rps>100", Metric::Rps, Comparison::Above, 100.0),
        ("rps>=99.5", Metric::Rps, Comparison::AtLeast, 99.5),
    ];
    for (text, metric, comparison, limit) in cases {
        let threshold = parse(text);
        assert_eq!(
            threshold,
            Threshold {
                metric,
                comparison,
                limit
            },
            "{text}"
        );
        assert_eq!(parse(&threshold.to_string()), threshold, "{text}");
    }
    assert_eq!(parse("p50 < 1s").to_string(), "p50<1s");
    assert_eq!(parse("p99.9<800us").to_string(), "p999<800us");
}

#[test]
fn bad_expressions_name_the_problem() {
    assert_eq!(refuse("  "), ThresholdError::Empty);
    assert!(matches!(
        refuse("p99"),
        ThresholdError::MissingComparison { .. }
    ));
    assert!(
        matches!(refuse("p98<1ms"), ThresholdError::UnknownMetric { metric, .. } if metric == "p98")
    );
    assert!(matches!(
        refuse("errors>1%"),
        ThresholdError::WrongDirection { .. }
    ));
    assert!(matches!(
        refuse("rps<100"),
        ThresholdError::WrongDirection { .. }
    ));
    for text in [
        "p99<abc",
        "p99<250",
        "p99<-5ms",
        "p99<1e3ms",
        "p99<5m",
        "errors<1",
        "errors<101%",
        "errors<x%",
        "rps>fast",
        "rps>",
        "p99<",
    ] {
        assert!(
            matches!(refuse(text), ThresholdError::BadValue { .. }),
            "{text}"
        );
    }

    let message = refuse("p98<1ms").to_string();
    assert!(
        message.contains("\"p98<1ms\"") && message.contains("p99"),
        "{message}"
    );
    let message = refuse("p99<250").to_string();
    assert!(
        message.contains("\"250\"") && message.contains("unit"),
        "{message}"
    );
    let message = refuse("errors>1%").to_string();
    assert!(
        message.contains("errors") && message.contains("< or <="),
        "{message}"
    );
}

/// 100 requests in 10 s: 98 answered 200 in 1 ms, 2 timed out after 1.5 ms.
fn report() -> Report {
    let mut slice = Slice::new();
    for n in 0..100 {
        let (outcome, latency_us) = if n < 98 {
            (Outcome::Status(200), 1_000)
        } else {
            (Outcome::Error(ErrorKind::Timeout), 1_500)
        };
        slice.record(&Sample::new(0, outcome, latency_us));
    }
    let timeline: Timeline = [(0, slice)].into_iter().collect();
    Report::build(
        "spawn",
        "http://127.0.0.1:1/",
        Duration::from_secs(10),
        &timeline,
        serde_json::Value::Null,
        false,
    )
}

#[test]
fn thresholds_judge_the_report() {
    let mut report = report();
    let verdicts = [
        ("p50<2ms", true, "1.00ms"),
        ("p50<1ms", false, "1.00ms"),
        ("p50<=1ms", true, "1.00ms"),
        ("max<1500us", false, "1.50ms"),
        ("p99<=1.5ms", true, "1.50ms"),
        ("mean<1.011ms", true, "1.01ms"),
        ("errors<1%", false, "2%"),
        ("errors<=2%", true, "2%"),
        ("rps>10", false, "10/s"),
        ("rps>=10", true, "10/s"),
    ];
    for (text, passed, actual) in verdicts {
        let result = parse(text).check(&report);
        assert_eq!(
            (result.passed, result.actual.as_str()),
            (passed, actual),
            "{text}"
        );
        assert_eq!(result.expression, parse(text).to_string());
    }

    assert!(report.apply_thresholds(&[parse("p50<2ms"), parse("rps>=10")]));
    assert!(!report.apply_thresholds(&[parse("p50<2ms"), parse("errors<1%")]));
    assert_eq!(report.thresholds.len(), 2);
    assert!(report.apply_thresholds(&[]));
}
