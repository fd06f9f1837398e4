//! Turning numbers into short human text, and the reverse for thresholds.

/// Formats a latency in the unit that keeps it short: µs, ms or s.
pub fn format_latency_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "-".to_owned();
    }
    // Compare after rounding so 999.996µs prints as 1.00ms, not 1000µs.
    if (ms * 1_000.0).round() < 1_000.0 {
        format!("{:.0}µs", ms * 1_000.0)
    } else if (ms * 100.0).round() < 100_000.0 {
        format!("{ms:.2}ms")
    } else {
        format!("{:.2}s", ms / 1_000.0)
    }
}

/// Prints `value` with at most `decimals` decimals and no trailing zeros.
pub(crate) fn trim_float(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Parses a plain non-negative decimal such as `250` or `0.5`.
///
/// Only digits and one dot: no signs, exponents, `inf` or `NaN`.
pub(crate) fn parse_decimal(text: &str) -> Option<f64> {
    let well_formed = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.chars().filter(|&c| c == '.').count() <= 1
        && text.chars().any(|c| c.is_ascii_digit());
    well_formed.then(|| text.parse().ok()).flatten()
}

/// Parses a duration with its unit (`800us`, `250ms`, `1.5s`) into milliseconds.
pub(crate) fn parse_duration_ms(text: &str) -> Option<f64> {
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    // Dividing by 1000 rather than multiplying by 0.001 keeps `800us`
    // exactly equal to `0.8ms`.
    let to_ms: fn(f64) -> f64 = match unit.trim().to_lowercase().as_str() {
        "us" | "µs" | "μs" => |value| value / 1_000.0,
        "ms" => |value| value,
        "s" => |value| value * 1_000.0,
        _ => return None,
    };
    parse_decimal(number).map(to_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_units_follow_magnitude() {
        assert_eq!(format_latency_ms(0.0), "0µs");
        assert_eq!(format_latency_ms(0.25), "250µs");
        assert_eq!(format_latency_ms(0.9999), "1.00ms");
        assert_eq!(format_latency_ms(12.345), "12.35ms");
        assert_eq!(format_latency_ms(999.999), "1.00s");
        assert_eq!(format_latency_ms(61_500.0), "61.50s");
        assert_eq!(format_latency_ms(f64::NAN), "-");
    }

    #[test]
    fn floats_lose_trailing_zeros() {
        assert_eq!(trim_float(250.0, 3), "250");
        assert_eq!(trim_float(1.5, 3), "1.5");
        assert_eq!(trim_float(0.30000000000000004, 3), "0.3");
    }

    #[test]
    fn decimals_are_plain() {
        assert_eq!(parse_decimal("250"), Some(250.0));
        assert_eq!(parse_decimal("0.5"), Some(0.5));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        for bad in ["", ".", "1.2.3", "-1", "1e3", "inf", "NaN", "12a"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_need_a_known_unit() {
        assert_eq!(parse_duration_ms("250ms"), Some(250.0));
        assert_eq!(parse_duration_ms("1.5s"), Some(1_500.0));
        assert_eq!(parse_duration_ms("800us"), Some(0.8));
        assert_eq!(parse_duration_ms("800µs"), Some(0.8));
        assert_eq!(parse_duration_ms("2 MS"), Some(2.0));
        for bad in ["250", "ms", "1m", "1h", "abc", "1e3ms", "-5ms"] {
            assert_eq!(parse_duration_ms(bad), None, "{bad}");
        }
    }
}
