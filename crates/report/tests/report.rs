//! A report built from a timeline of known samples: every number checked by
//! hand, the JSON contract keys, and the lines of the text report.

use std::time::Duration;

use onslaught_metrics::{ErrorKind, Outcome, Sample, Slice, Timeline};
use onslaught_report::{Report, Threshold};

const OK: Outcome = Outcome::Status(200);
const UNAVAILABLE: Outcome = Outcome::Status(503);
const CONNECT: Outcome = Outcome::Error(ErrorKind::Connect);
const TIMEOUT: Outcome = Outcome::Error(ErrorKind::Timeout);

/// 30 s lands in a bucket 16,384 µs wide ([29,999,104, 30,015,487]), so the
/// histogram reports it as the bucket's top. Everything below 2,048 µs is exact.
const TIMEOUT_REPORTED_MS: f64 = 30_015.487;

/// Ten requests over three seconds, two of them errors, two late, one retry.
fn timeline() -> Timeline {
    let samples = [
        Sample::new(0, OK, 1_000),
        Sample::new(0, OK, 1_000),
        Sample::new(0, OK, 1_200),
        Sample::new(0, OK, 1_400),
        Sample::new(0, UNAVAILABLE, 2_000),
        Sample::new(1, OK, 800),
        Sample::new(1, OK, 900),
        Sample::new(1, CONNECT, 100),
        Sample {
            late: true,
            ..Sample::new(2, TIMEOUT, 30_000_000)
        },
        Sample {
            late: true,
            retry: true,
            ..Sample::new(2, OK, 1_100)
        },
    ];
    let mut timeline = Timeline::new();
    for sample in samples {
        let mut slice = Slice::new();
        slice.record(&sample);
        timeline.add(sample.second, &slice);
    }
    timeline
}

fn report() -> Report {
    let options = serde_json::json!({ "sessions": 2, "seconds": 4 });
    Report::build(
        "3f1c0a8e-spawn",
        "http://127.0.0.1:8080/",
        Duration::from_secs(4),
        &timeline(),
        options,
        false,
    )
}

#[test]
fn totals_are_counted_from_every_sample() {
    let report = report();
    assert_eq!(report.requests, 10);
    assert_eq!(report.duration_s, 4.0);
    assert_eq!(report.rps, 2.5);
    assert_eq!(report.error_percent, 20.0);
    assert_eq!((report.late, report.retries), (2, 1));
    assert_eq!(
        report.statuses.into_iter().collect::<Vec<_>>(),
        [("200".to_owned(), 7), ("503".to_owned(), 1)]
    );
    assert_eq!(
        report.errors.into_iter().collect::<Vec<_>>(),
        [("connect".to_owned(), 1), ("timeout".to_owned(), 1)]
    );
}

#[test]
fn latency_summary_covers_all_outcomes() {
    // Sorted: 100, 800, 900, 1000, 1000, 1100, 1200, 1400, 2000, 30 s (µs).
    let latency = report().latency_ms;
    assert_eq!(latency.count, 10);
    assert_eq!(latency.min, 0.1);
    assert_eq!(latency.p50, 1.0);
    assert_eq!(latency.p90, 2.0);
    assert_eq!(latency.p99, TIMEOUT_REPORTED_MS);
    assert_eq!(latency.p999, TIMEOUT_REPORTED_MS);
    assert_eq!(latency.max, TIMEOUT_REPORTED_MS);
    // The mean uses each bucket's middle: 30 s counts as 30,007,296 µs.
    let expected_mean_ms = (9_500.0 + 30_007_296.0) / 10.0 / 1_000.0;
    assert!(
        (latency.mean - expected_mean_ms).abs() < 1e-9,
        "{}",
        latency.mean
    );
}

#[test]
fn timeline_has_one_point_per_second_and_outcome() {
    let points: Vec<_> = report()
        .timeline
        .iter()
        .map(|p| (p.t, p.outcome, p.count, p.p50_ms, p.p99_ms, p.max_ms))
        .collect();
    assert_eq!(
        points,
        [
            (0, OK, 4, 1.0, 1.4, 1.4),
            (0, UNAVAILABLE, 1, 2.0, 2.0, 2.0),
            (1, OK, 2, 0.8, 0.9, 0.9),
            (1, CONNECT, 1, 0.1, 0.1, 0.1),
            (2, OK, 1, 1.1, 1.1, 1.1),
            (
                2,
                TIMEOUT,
                1,
                TIMEOUT_REPORTED_MS,
                TIMEOUT_REPORTED_MS,
                TIMEOUT_REPORTED_MS
            ),
        ]
    );
}

#[test]
fn histogram_buckets_span_min_to_max() {
    let buckets = report().latency_histogram;
    assert_eq!(buckets.len(), 10);
    assert_eq!(buckets[0].from_ms, 0.1);
    // 0.1 ms to 30 s is too wide for equal bars: they grow geometrically,
    // ×3.53 each, so the fast answers spread over their own bars.
    assert_eq!(buckets[1].from_ms, 0.353);
    assert_eq!(buckets[2].from_ms, 1.246);
    assert_eq!(buckets[9].to_ms, TIMEOUT_REPORTED_MS);
    let counts: Vec<u64> = buckets.iter().map(|b| b.count).collect();
    assert_eq!(counts, [1, 6, 2, 0, 0, 0, 0, 0, 0, 1]);
}

#[test]
fn json_has_every_contract_key() {
    let mut report = report();
    report.apply_thresholds(&["p99<250ms".parse::<Threshold>().unwrap()]);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();

    for key in [
        "spawn_id",
        "duration_s",
        "requests",
        "rps",
        "statuses",
        "errors",
        "latency_ms",
        "timeline",
        "late",
        "retries",
        "thresholds",
        "latency_histogram",
        "options",
        "stopped_early",
        "target",
        "error_percent",
    ] {
        assert!(json.get(key).is_some(), "missing key {key}");
    }
    for key in ["min", "mean", "p50", "p90", "p99", "p999", "max"] {
        assert!(
            json["latency_ms"][key].is_number(),
            "missing latency_ms.{key}"
        );
    }
    for key in ["t", "outcome", "count", "p50_ms", "p99_ms", "max_ms"] {
        assert!(
            json["timeline"][0].get(key).is_some(),
            "missing timeline.{key}"
        );
    }
    assert_eq!(json["spawn_id"], "3f1c0a8e-spawn");
    assert_eq!(json["statuses"]["200"], 7);
    assert_eq!(json["errors"]["timeout"], 1);
    assert_eq!(json["timeline"][5]["outcome"], "timeout");
    assert_eq!(json["options"]["sessions"], 2);
    assert_eq!(json["thresholds"][0]["expression"], "p99<250ms");
    assert_eq!(json["thresholds"][0]["passed"], false);

    let parsed: Report = serde_json::from_value(json).unwrap();
    assert_eq!(parsed, report);
}

#[test]
fn text_reads_like_a_load_tester_summary() {
    let mut report = report();
    report.stopped_early = true;
    report.apply_thresholds(&["p50<2ms".parse().unwrap(), "p99<250ms".parse().unwrap()]);
    let text = report.to_text();
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();

    for expected in [
        "  Target:       http://127.0.0.1:8080/",
        "  Duration:     4.00s (stopped early)",
        "  Requests:     10",
        "  Requests/s:   2.50",
        "  Late starts:  2 (sent later than due)",
        "  Retries:      1",
        "  200                 7   70.00%",
        "  503                 1   10.00%",
        "  connect             1   10.00%",
        "  timeout             1   10.00%",
        "  min         100µs",
        "  p50        1.00ms",
        "  p90        2.00ms",
        "  p99.9      30.02s",
        "Thresholds (1/2 passed)",
        "  ✓ p50<2ms              actual 1.00ms",
        "  ✗ p99<250ms            actual 30.02s",
    ] {
        assert!(
            lines.contains(&expected),
            "missing line {expected:?} in\n{text}"
        );
    }

    let bars: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.contains("] |"))
        .collect();
    assert_eq!(bars.len(), 10, "{text}");
    assert!(bars[1].ends_with(&format!("[       6] |{}", "#".repeat(40))));
    assert!(bars[3].ends_with("[       0] |"));
    // One request each: equal bars, short but visible.
    let tail = |bar: &str| bar.rsplit_once('|').map(|(_, t)| t.to_owned()).unwrap();
    assert!(bars[0].contains("[       1] |"));
    assert_eq!(tail(bars[0]), tail(bars[9]));
    assert!(!tail(bars[0]).is_empty() && tail(bars[0]).len() < 10);
}

#[test]
fn a_spawn_without_requests_reports_zeros_and_fails_thresholds() {
    let mut report = Report::build(
        "empty",
        "http://[::1]:9/",
        Duration::ZERO,
        &Timeline::new(),
        serde_json::Value::Null,
        true,
    );
    assert_eq!(
        (report.requests, report.rps, report.error_percent),
        (0, 0.0, 0.0)
    );
    assert_eq!(report.latency_ms.max, 0.0);
    assert!(report.timeline.is_empty() && report.latency_histogram.is_empty());

    assert!(!report.apply_thresholds(&["errors<1%".parse().unwrap()]));
    assert_eq!(report.thresholds[0].actual, "no requests");

    let text = report.to_text();
    assert!(text.contains("No request was made."), "{text}");
    assert!(!text.contains("Latency"), "{text}");
    assert!(!text.contains("Status codes"), "{text}");
}
