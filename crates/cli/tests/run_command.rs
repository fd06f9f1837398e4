//! `onslaught run` as a user runs it: the real binary against a real target.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use onslaught_target::{FaultKind, TargetConfig, TargetServer};
use serde_json::Value;

fn onslaught(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onslaught"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the binary runs")
}

fn json_report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_report_has_every_contract_key_and_matches_the_target() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let url = target.url();
    let output = tokio::task::spawn_blocking(move || {
        onslaught(&[
            "run",
            &url,
            "--sessions",
            "3",
            "--interval-ms",
            "100",
            "--seconds",
            "2",
            "--output",
            "json",
        ])
    })
    .await
    .unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_report(&output);
    for key in [
        "spawn_id",
        "duration_s",
        "requests",
        "rps",
        "statuses",
        "errors",
        "latency_ms",
        "timeline",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    for key in ["min", "mean", "p50", "p90", "p99", "p999", "max"] {
        assert!(
            report["latency_ms"][key].is_number(),
            "missing latency_ms.{key}"
        );
    }
    for key in ["t", "outcome", "count", "p50_ms", "p99_ms", "max_ms"] {
        assert!(
            report["timeline"][0].get(key).is_some(),
            "missing timeline[].{key}"
        );
    }
    // 3 sessions × 20 ticks, and the target saw exactly as many.
    assert_eq!(report["requests"], 60);
    assert_eq!(report["statuses"]["200"], 60);
    assert_eq!(target.stats().requests, 60);
    let per_second: u64 = report["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .sum();
    assert_eq!(per_second, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thresholds_decide_the_exit_status() {
    let target = TargetServer::start(TargetConfig::default().with_fault(FaultKind::Close, 1.0))
        .await
        .unwrap();
    let url = target.url();
    let (failing, passing) = tokio::task::spawn_blocking(move || {
        let common = [
            "run",
            &url,
            "--sessions",
            "2",
            "--interval-ms",
            "200",
            "--seconds",
            "1",
        ];
        let mut failing = common.to_vec();
        failing.extend(["--threshold", "errors<1%", "--threshold", "p99<10s"]);
        let mut passing = common.to_vec();
        passing.extend(["--threshold", "rps>0.5"]);
        (onslaught(&failing), onslaught(&passing))
    })
    .await
    .unwrap();

    assert_eq!(failing.status.code(), Some(1));
    let text = String::from_utf8_lossy(&failing.stdout);
    assert!(text.contains("✗ errors<1%"), "{text}");
    assert!(text.contains("✓ p99<10s"), "{text}");
    assert!(text.contains("reset"), "the error kind is reported: {text}");
    assert_eq!(
        passing.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&passing.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_exits_2_naming_the_option_and_sends_nothing() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let url = target.url();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["ftp://127.0.0.1/".into()], "URL"),
        (vec!["127.0.0.1:80".into()], "URL"),
        (
            vec![url.clone(), "--sessions".into(), "0".into()],
            "--sessions",
        ),
        (
            vec![url.clone(), "--sessions".into(), "many".into()],
            "--sessions",
        ),
        (
            vec![url.clone(), "--seconds".into(), "-1".into()],
            "--seconds",
        ),
        (
            vec![url.clone(), "--interval-ms".into(), "1.5".into()],
            "--interval-ms",
        ),
        (vec![url.clone(), "--rate".into(), "0".into()], "--rate"),
        (
            vec![url.clone(), "--pool-count".into(), "1000".into()],
            "--pool-count",
        ),
        (
            vec![url.clone(), "--pool-size".into(), "0".into()],
            "--pool-size",
        ),
        (
            vec![url.clone(), "--timeout-ms".into(), "0".into()],
            "--timeout-ms",
        ),
        (
            vec![url.clone(), "--delay-between-spawns-ms".into(), "x".into()],
            "--delay-between-spawns-ms",
        ),
        (
            vec![url.clone(), "--retries".into(), "99".into()],
            "--retries",
        ),
        (
            vec![url.clone(), "--method".into(), "GE T".into()],
            "--method",
        ),
        (
            vec![url.clone(), "--header".into(), "NoColon".into()],
            "--header",
        ),
        (
            vec![url.clone(), "--header".into(), "Bad Name: v".into()],
            "--header",
        ),
        (
            vec![url.clone(), "--body".into(), "@/nonexistent/body".into()],
            "--body",
        ),
        (
            vec![url.clone(), "--threshold".into(), "p98<1ms".into()],
            "--threshold",
        ),
        (
            vec![url.clone(), "--threshold".into(), "p99<fast".into()],
            "--threshold",
        ),
        (
            vec![url.clone(), "--output".into(), "xml".into()],
            "--output",
        ),
        (vec![url.clone(), "--no-such-flag".into()], "--no-such-flag"),
        (
            vec![
                url.clone(),
                "--out".into(),
                "/nonexistent/dir/report.json".into(),
            ],
            "--out",
        ),
        (vec![url.clone(), "--out".into(), "/tmp".into()], "--out"),
    ];
    let outputs = tokio::task::spawn_blocking(move || {
        cases
            .into_iter()
            .map(|(extra, flag)| {
                let mut args = vec!["run".to_owned()];
                args.extend(extra);
                let argv: Vec<&str> = args.iter().map(String::as_str).collect();
                (args.join(" "), flag, onslaught(&argv))
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();

    for (command, flag, output) in outputs {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains(flag),
            "{command}: message does not name {flag}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
        assert!(output.stdout.is_empty(), "{command}: printed a report");
    }
    assert_eq!(target.stats().requests, 0, "bad input sent traffic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_writes_the_report_to_a_file() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let path = std::env::temp_dir().join(format!("onslaught-report-{}.json", std::process::id()));
    let (url, file) = (target.url(), path.to_string_lossy().into_owned());
    let output = tokio::task::spawn_blocking(move || {
        onslaught(&[
            "run",
            &url,
            "--sessions",
            "1",
            "--seconds",
            "1",
            "--output",
            "json",
            "--out",
            &file,
        ])
    })
    .await
    .unwrap();

    assert!(output.status.success());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written, json_report(&output));
    assert_eq!(written["requests"], 1);
    let _ = std::fs::remove_file(path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_at_once_and_still_reports() {
    let target = TargetServer::start(TargetConfig::default()).await.unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_onslaught"))
        .args([
            "run",
            &target.url(),
            "--sessions",
            "4",
            "--interval-ms",
            "50",
            "--seconds",
            "60",
            "--output",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();

    assert!(
        signalled.elapsed() < Duration::from_secs(3),
        "took {:?}",
        signalled.elapsed()
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_report(&output);
    assert_eq!(report["stopped_early"], true);
    let sent = report["requests"].as_u64().unwrap();
    assert!(sent > 50, "sent {sent}");
    assert_eq!(target.stats().requests, sent);
}

#[test]
fn the_target_rejects_bad_flags_with_status_2() {
    for (args, needle) in [
        (vec!["target", "--error-rate", "2"], "--error-rate"),
        (vec!["target", "--latency-ms", "5-1"], "--latency-ms"),
        (vec!["target", "--latency-ms", "x"], "--latency-ms"),
    ] {
        let output = onslaught(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}
