//! What became of one request: an HTTP status, or the kind of failure that
//! kept it from producing one.

use std::fmt;
use std::str::FromStr;

/// Why a request produced no HTTP response.
///
/// The names are part of the JSON report and the API, so they are spelled
/// out in [`ErrorKind::as_str`] rather than derived from the variant names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// The TCP connection could not be made (refused, unreachable, DNS).
    Connect,
    /// No complete response within the request timeout.
    Timeout,
    /// The peer closed or reset the connection before a full response.
    Reset,
    /// The TLS handshake or record layer failed.
    Tls,
    /// The peer answered with bytes that are not valid HTTP.
    Protocol,
    /// Anything that fits none of the above.
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 6] = [
        ErrorKind::Connect,
        ErrorKind::Timeout,
        ErrorKind::Reset,
        ErrorKind::Tls,
        ErrorKind::Protocol,
        ErrorKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Reset => "reset",
            ErrorKind::Tls => "tls",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Other => "other",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ErrorKind {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownOutcome(s.to_owned()))
    }
}

/// The outcome a latency sample is filed under.
///
/// Ordered so that statuses sort before errors, which keeps reports and
/// charts stable from one second to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Status(u16),
    Error(ErrorKind),
}

impl Outcome {
    pub fn is_error(self) -> bool {
        matches!(self, Outcome::Error(_))
    }
}

impl fmt::Display for Outcome {
    /// A status prints as its number ("200"), an error as its kind ("timeout").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Status(code) => write!(f, "{code}"),
            Outcome::Error(kind) => f.write_str(kind.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown outcome {0:?}: expected an HTTP status code or one of connect, timeout, reset, tls, protocol, other")]
pub struct UnknownOutcome(pub String);

impl FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<u16>() {
            Ok(code) if (100..=999).contains(&code) => Ok(Outcome::Status(code)),
            Ok(_) => Err(UnknownOutcome(s.to_owned())),
            Err(_) => s.parse().map(Outcome::Error),
        }
    }
}

impl serde::Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Outcome {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_through_their_names() {
        for outcome in [
            Outcome::Status(200),
            Outcome::Status(503),
            Outcome::Error(ErrorKind::Timeout),
            Outcome::Error(ErrorKind::Protocol),
        ] {
            assert_eq!(outcome.to_string().parse::<Outcome>(), Ok(outcome));
        }
        assert!("teapot".parse::<Outcome>().is_err());
        assert!("42".parse::<Outcome>().is_err());
    }

    #[test]
    fn statuses_sort_before_errors() {
        let mut outcomes = [
            Outcome::Error(ErrorKind::Connect),
            Outcome::Status(500),
            Outcome::Status(200),
        ];
        outcomes.sort();
        assert_eq!(outcomes[0], Outcome::Status(200));
        assert!(outcomes[2].is_error());
    }
}
