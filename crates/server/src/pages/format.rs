//! Numbers and durations as people read them on a card.

use std::time::Duration;

pub use onslaught_report::format_latency_ms as latency;

/// `42 s`, `3 m 05 s`, `2 h 01 m`.
pub fn duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} m {:02} s", secs / 60, secs % 60),
        _ => format!("{} h {:02} m", secs / 3600, secs % 3600 / 60),
    }
}

/// `1 234 567`: thin groups that read at a glance.
pub fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(digit);
    }
    out
}

/// A rate with one decimal below 100 and none above.
pub fn rate(value: f64) -> String {
    if value < 100.0 {
        format!("{value:.1}")
    } else {
        count(value.round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_counts_read_naturally() {
        assert_eq!(duration(Duration::from_secs(7)), "7 s");
        assert_eq!(duration(Duration::from_secs(185)), "3 m 05 s");
        assert_eq!(duration(Duration::from_secs(7260)), "2 h 01 m");
        assert_eq!(count(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(count(999), "999");
        assert_eq!(rate(12.34), "12.3");
        assert_eq!(rate(1234.5), "1\u{202f}235");
    }
}
