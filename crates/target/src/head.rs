//! Parsing one HTTP/1.x request head into the few facts the server acts on.

use std::mem::MaybeUninit;

use crate::body::BodySkipper;
use crate::canned::Persist;
use crate::control::Route;
use crate::inbuf::MAX_HEAD;

/// Headers beyond this many make the head too large (431).
const MAX_HEADERS: usize = 64;

/// What the server needs from a request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestHead {
    /// Bytes the head took in the buffer.
    pub(crate) len: usize,
    pub(crate) route: Route,
    /// `HEAD` requests get the headers of the answer without its body.
    pub(crate) is_head: bool,
    pub(crate) persist: Persist,
    pub(crate) body: BodySkipper,
    pub(crate) expect_continue: bool,
}

/// Outcome of trying to parse a head from the start of the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParsedHead {
    Complete(RequestHead),
    /// Need more bytes.
    Partial,
    /// Unusable request; answer with this status and close.
    Invalid(u16),
}

/// Parses the head at the start of `input`.
pub(crate) fn parse_head(input: &[u8]) -> ParsedHead {
    let mut headers = [MaybeUninit::<httparse::Header>::uninit(); MAX_HEADERS];
    let mut request = httparse::Request::new(&mut []);

    let len = match request.parse_with_uninit_headers(input, &mut headers) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if input.len() > MAX_HEAD => return ParsedHead::Invalid(431),
        Ok(httparse::Status::Partial) => return ParsedHead::Partial,
        Err(httparse::Error::TooManyHeaders) => return ParsedHead::Invalid(431),
        Err(_) => return ParsedHead::Invalid(400),
    };
    if len > MAX_HEAD {
        return ParsedHead::Invalid(431);
    }

    // A complete parse always fills method, path and version.
    let method = request.method.unwrap_or("");
    let http10 = request.version == Some(0);
    let facts = match HeaderFacts::scan(request.headers) {
        Ok(facts) => facts,
        Err(status) => return ParsedHead::Invalid(status),
    };

    ParsedHead::Complete(RequestHead {
        len,
        route: Route::of(method, request.path.unwrap_or("")),
        is_head: method == "HEAD",
        persist: facts.persist(http10),
        body: facts.body(),
        expect_continue: facts.expect_continue && !http10,
    })
}

/// The headers that change framing or connection handling.
#[derive(Default)]
struct HeaderFacts {
    content_length: Option<u64>,
    chunked: bool,
    close: bool,
    keep_alive: bool,
    expect_continue: bool,
}

impl HeaderFacts {
    fn scan(headers: &[httparse::Header]) -> Result<HeaderFacts, u16> {
        let mut facts = HeaderFacts::default();
        for header in headers {
            let name = header.name;
            if name.eq_ignore_ascii_case("content-length") {
                let length = parse_length(header.value).ok_or(400u16)?;
                if facts.content_length.is_some_and(|seen| seen != length) {
                    return Err(400);
                }
                facts.content_length = Some(length);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                // Only chunked can end a request body; any other final coding is unframed.
                facts.chunked = last_token(header.value).eq_ignore_ascii_case(b"chunked");
                if !facts.chunked {
                    return Err(400);
                }
            } else if name.eq_ignore_ascii_case("connection") {
                facts.close |= has_token(header.value, b"close");
                facts.keep_alive |= has_token(header.value, b"keep-alive");
            } else if name.eq_ignore_ascii_case("expect") {
                facts.expect_continue = header.value.eq_ignore_ascii_case(b"100-continue");
            }
        }
        Ok(facts)
    }

    fn persist(&self, http10: bool) -> Persist {
        // A body framed both ways is a smuggling risk; serve it, then close (RFC 9112 6.3).
        let ambiguous = self.chunked && self.content_length.is_some();
        match (http10, self.close || ambiguous, self.keep_alive) {
            (_, true, _) => Persist::Close,
            (false, false, _) => Persist::KeepAlive,
            (true, false, true) => Persist::KeepAlive10,
            (true, false, false) => Persist::Close,
        }
    }

    fn body(&self) -> BodySkipper {
        if self.chunked {
            BodySkipper::chunked()
        } else {
            BodySkipper::Length(self.content_length.unwrap_or(0))
        }
    }
}

fn parse_length(value: &[u8]) -> Option<u64> {
    let digits = value.trim_ascii();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn tokens(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(<[u8]>::trim_ascii)
}

fn last_token(value: &[u8]) -> &[u8] {
    tokens(value).last().unwrap_or(b"")
}

fn has_token(value: &[u8], token: &[u8]) -> bool {
    tokens(value).any(|t| t.eq_ignore_ascii_case(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(input: &[u8]) -> RequestHead {
        match parse_head(input) {
            ParsedHead::Complete(head) => head,
            other => panic!("expected a complete head, got {other:?}"),
        }
    }

    #[test]
    fn plain_get_keeps_alive_with_no_body() {
        let head = complete(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\nGET");
        assert_eq!(head.len, 28);
        assert_eq!(
            (head.route, head.persist),
            (Route::Load, Persist::KeepAlive)
        );
        assert_eq!(head.body, BodySkipper::Length(0));
    }

    #[test]
    fn framing_and_connection_headers_are_read() {
        let head = complete(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        assert_eq!(head.body, BodySkipper::chunked());
        let head = complete(b"PUT / HTTP/1.1\r\nContent-Length: 12\r\nConnection: close\r\n\r\n");
        assert_eq!(
            (head.body, head.persist),
            (BodySkipper::Length(12), Persist::Close)
        );
        let head = complete(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
        assert_eq!(head.persist, Persist::KeepAlive10);
        assert_eq!(complete(b"GET / HTTP/1.0\r\n\r\n").persist, Persist::Close);
    }

    #[test]
    fn unusable_heads_get_a_status() {
        assert_eq!(parse_head(b"GET / HTTP/1.1\r\n"), ParsedHead::Partial);
        assert_eq!(
            parse_head(b"\x00\x01 nonsense\r\n\r\n"),
            ParsedHead::Invalid(400)
        );
        let bad_length = b"POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n";
        assert_eq!(parse_head(bad_length), ParsedHead::Invalid(400));
        let two_lengths = b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n";
        assert_eq!(parse_head(two_lengths), ParsedHead::Invalid(400));
        let gzip_only = b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n";
        assert_eq!(parse_head(gzip_only), ParsedHead::Invalid(400));
    }

    #[test]
    fn oversized_heads_get_431() {
        let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
        huge.resize(MAX_HEAD + 1, b'a');
        assert_eq!(parse_head(&huge), ParsedHead::Invalid(431));
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for _ in 0..=MAX_HEADERS {
            many.extend_from_slice(b"X: y\r\n");
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(parse_head(&many), ParsedHead::Invalid(431));
    }
}
