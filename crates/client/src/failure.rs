//! Why a request failed, and which [`ErrorKind`] that counts as.
//!
//! The phase a failure happened in (connect, TLS handshake, exchange) says a
//! lot; the error's source chain says the rest.

use std::error::Error as StdError;
use std::io;

use onslaught_metrics::ErrorKind;

use crate::h1::ProtocolError;

/// One failed request, kept only long enough to classify and log it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    #[error("connect failed")]
    Connect(#[source] io::Error),
    #[error("tls handshake failed")]
    Tls(#[source] io::Error),
    #[error("h2 handshake failed")]
    Handshake(#[source] hyper::Error),
    #[error("h2 request failed")]
    Exchange(#[source] hyper::Error),
    #[error("writing the request failed")]
    Send(#[source] io::Error),
    #[error("reading the response failed")]
    Receive(#[source] io::Error),
    #[error("connection closed before a complete response")]
    Closed,
    #[error("invalid response")]
    Protocol(#[from] ProtocolError),
    #[error("no complete response within the timeout")]
    Timeout,
}

impl Failure {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Failure::Connect(err) if err.kind() == io::ErrorKind::TimedOut => ErrorKind::Timeout,
            Failure::Connect(_) => ErrorKind::Connect,
            Failure::Tls(err) => tls_kind(err),
            Failure::Handshake(err) | Failure::Exchange(err) => http_kind(err),
            Failure::Send(err) | Failure::Receive(err) => io_kind(err).unwrap_or(ErrorKind::Other),
            Failure::Closed => ErrorKind::Reset,
            Failure::Protocol(_) => ErrorKind::Protocol,
            Failure::Timeout => ErrorKind::Timeout,
        }
    }

    /// The connection ended or was reset under an HTTP/1.1 request, which
    /// is what a target's close of an idle keep-alive connection looks like.
    pub fn is_hang_up(&self) -> bool {
        match self {
            Failure::Closed => true,
            Failure::Send(err) | Failure::Receive(err) => is_reset(err.kind()),
            _ => false,
        }
    }
}

/// A peer that resets during the handshake is a reset like any other, but
/// one that reads the ClientHello and hangs up is almost always a server
/// that does not speak TLS on that port (or has no certificate for the
/// name), so a clean EOF counts as a TLS failure.
fn tls_kind(err: &io::Error) -> ErrorKind {
    match err.kind() {
        io::ErrorKind::TimedOut => ErrorKind::Timeout,
        io::ErrorKind::UnexpectedEof => ErrorKind::Tls,
        kind if is_reset(kind) => ErrorKind::Reset,
        _ => ErrorKind::Tls,
    }
}

fn http_kind(err: &hyper::Error) -> ErrorKind {
    if err.is_timeout() {
        return ErrorKind::Timeout;
    }
    if err.is_parse() {
        return ErrorKind::Protocol;
    }
    if err.is_incomplete_message() {
        return ErrorKind::Reset;
    }
    if let Some(kind) = cause_kind(err) {
        return kind;
    }

    // Canceled and closed mean the connection went away before the request
    // could be written or answered.
    if err.is_canceled() || err.is_closed() || err.is_body_write_aborted() {
        ErrorKind::Reset
    } else {
        ErrorKind::Other
    }
}

/// Walks the source chain for the first cause that says what happened.
fn cause_kind(err: &hyper::Error) -> Option<ErrorKind> {
    let mut cause = err.source();
    while let Some(current) = cause {
        let kind = if let Some(io_err) = current.downcast_ref::<io::Error>() {
            io_kind(io_err)
        } else if let Some(h2_err) = current.downcast_ref::<h2::Error>() {
            h2_kind(h2_err)
        } else if current.is::<rustls::Error>() {
            Some(ErrorKind::Tls)
        } else {
            None
        };
        if kind.is_some() {
            return kind;
        }
        cause = current.source();
    }
    None
}

fn io_kind(err: &io::Error) -> Option<ErrorKind> {
    match err.kind() {
        kind if is_reset(kind) => Some(ErrorKind::Reset),
        io::ErrorKind::TimedOut => Some(ErrorKind::Timeout),
        // rustls reports bad records on an established connection this way.
        io::ErrorKind::InvalidData if tls_inside(err) => Some(ErrorKind::Tls),
        _ => None,
    }
}

fn tls_inside(err: &io::Error) -> bool {
    err.get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
}

/// h2 errors hide their io cause from the source chain, and tell apart
/// frames our side could not parse from resets and GOAWAYs sent by the peer.
fn h2_kind(err: &h2::Error) -> Option<ErrorKind> {
    if let Some(io_err) = err.get_io() {
        return io_kind(io_err).or(Some(ErrorKind::Other));
    }
    let malformed = matches!(
        err.reason(),
        Some(
            h2::Reason::PROTOCOL_ERROR
                | h2::Reason::FRAME_SIZE_ERROR
                | h2::Reason::COMPRESSION_ERROR
        )
    );
    if malformed && !err.is_remote() {
        Some(ErrorKind::Protocol)
    } else if err.is_reset() || err.is_go_away() {
        Some(ErrorKind::Reset)
    } else {
        None
    }
}

fn is_reset(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::NotConnected
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_phase_errors_are_connect_unless_timed_out() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(Failure::Connect(refused).kind(), ErrorKind::Connect);
        let dns = io::Error::other("failed to lookup address information");
        assert_eq!(Failure::Connect(dns).kind(), ErrorKind::Connect);
        let slow = io::Error::from(io::ErrorKind::TimedOut);
        assert_eq!(Failure::Connect(slow).kind(), ErrorKind::Timeout);
    }

    #[test]
    fn handshake_resets_are_resets_and_the_rest_is_tls() {
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(Failure::Tls(reset).kind(), ErrorKind::Reset);
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        assert_eq!(Failure::Tls(eof).kind(), ErrorKind::Tls);
        let bad = io::Error::new(io::ErrorKind::InvalidData, rustls::Error::DecryptError);
        assert_eq!(Failure::Tls(bad).kind(), ErrorKind::Tls);
    }

    #[test]
    fn http1_failures_are_classified_and_hang_ups_recognised() {
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        let send = Failure::Send(pipe);
        assert_eq!((send.kind(), send.is_hang_up()), (ErrorKind::Reset, true));
        assert_eq!(Failure::Closed.kind(), ErrorKind::Reset);
        assert!(Failure::Closed.is_hang_up());

        let bad_record = io::Error::new(io::ErrorKind::InvalidData, rustls::Error::DecryptError);
        let receive = Failure::Receive(bad_record);
        assert_eq!(
            (receive.kind(), receive.is_hang_up()),
            (ErrorKind::Tls, false)
        );

        let protocol = Failure::from(ProtocolError::ContentLength);
        assert_eq!(
            (protocol.kind(), protocol.is_hang_up()),
            (ErrorKind::Protocol, false)
        );
        assert!(!Failure::Timeout.is_hang_up());
    }
}
