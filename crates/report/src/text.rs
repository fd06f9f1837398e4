//! The plain-text report, laid out the way wrk and oha users expect.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use crate::units::format_latency_ms;
use crate::Report;

/// Width of the longest bar of the latency histogram, in characters.
const BAR_WIDTH: u64 = 40;

/// Renders the whole report.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_report(&mut out, report);
    out
}

fn write_report(out: &mut String, report: &Report) -> fmt::Result {
    write_summary(out, report)?;
    if report.requests > 0 {
        write_table(out, "Status codes", &report.statuses, report.requests)?;
        write_table(out, "Errors", &report.errors, report.requests)?;
        write_latency(out, report)?;
        write_histogram(out, report)?;
    }
    write_thresholds(out, report)
}

fn write_summary(out: &mut String, report: &Report) -> fmt::Result {
    let stopped = if report.stopped_early {
        " (stopped early)"
    } else {
        ""
    };
    writeln!(out, "Summary")?;
    writeln!(out, "  Spawn:        {}", report.spawn_id)?;
    writeln!(out, "  Target:       {}", report.target)?;
    writeln!(out, "  Duration:     {:.2}s{stopped}", report.duration_s)?;
    writeln!(out, "  Requests:     {}", report.requests)?;
    writeln!(out, "  Requests/s:   {:.2}", report.rps)?;
    if report.requests == 0 {
        writeln!(out, "  No request was made.")?;
    }
    if report.late > 0 {
        writeln!(out, "  Late starts:  {} (sent later than due)", report.late)?;
    }
    if report.retries > 0 {
        writeln!(out, "  Retries:      {}", report.retries)?;
    }
    Ok(())
}

/// A count-and-share table; skipped entirely when it has no rows.
fn write_table(
    out: &mut String,
    title: &str,
    rows: &BTreeMap<String, u64>,
    requests: u64,
) -> fmt::Result {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}")?;
    for (name, count) in rows {
        let share = 100.0 * *count as f64 / requests as f64;
        writeln!(out, "  {name:<10} {count:>10}  {share:>6.2}%")?;
    }
    Ok(())
}

fn write_latency(out: &mut String, report: &Report) -> fmt::Result {
    let latency = &report.latency_ms;
    writeln!(out, "\nLatency")?;
    for (name, ms) in [
        ("min", latency.min),
        ("mean", latency.mean),
        ("p50", latency.p50),
        ("p90", latency.p90),
        ("p99", latency.p99),
        ("p99.9", latency.p999),
        ("max", latency.max),
    ] {
        writeln!(out, "  {name:<6} {:>10}", format_latency_ms(ms))?;
    }
    Ok(())
}

fn write_histogram(out: &mut String, report: &Report) -> fmt::Result {
    let tallest = report.latency_histogram.iter().map(|b| b.count).max();
    let Some(tallest) = tallest.filter(|count| *count > 0) else {
        return Ok(());
    };
    writeln!(out, "\nLatency histogram")?;
    for bucket in &report.latency_histogram {
        // Any non-empty bucket gets at least one mark so it stays visible.
        let width =
            (bucket.count.saturating_mul(BAR_WIDTH) / tallest).max(u64::from(bucket.count > 0));
        let bar = "#".repeat(width as usize);
        let upper = format_latency_ms(bucket.to_ms);
        writeln!(out, "  {upper:>10} [{:>8}] |{bar}", bucket.count)?;
    }
    Ok(())
}

fn write_thresholds(out: &mut String, report: &Report) -> fmt::Result {
    if report.thresholds.is_empty() {
        return Ok(());
    }
    let passed = report.thresholds.iter().filter(|t| t.passed).count();
    writeln!(
        out,
        "\nThresholds ({passed}/{} passed)",
        report.thresholds.len()
    )?;
    for result in &report.thresholds {
        let mark = if result.passed { '✓' } else { '✗' };
        writeln!(
            out,
            "  {mark} {:<20} actual {}",
            result.expression, result.actual
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_is_printed_with_two_decimals() {
        let rows = BTreeMap::from([("200".to_owned(), 2u64)]);
        let mut out = String::new();
        write_table(&mut out, "Status codes", &rows, 3).unwrap();
        assert_eq!(out, "\nStatus codes\n  200                 2   66.67%\n");
    }
}
