//! Reading a response head: the status, how the body is delimited, and
//! whether the connection may carry another request afterwards.

use httparse::{Header, Status, EMPTY_HEADER};

use super::error::ProtocolError;
use super::MAX_HEAD;

/// Header lines parsed on the stack; typical responses carry a handful.
const STACK_HEADERS: usize = 32;

/// The most header lines accepted, parsed on the heap (a cold path).
const MAX_HEADERS: usize = 1024;

/// How the body after a head ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body at all: HEAD requests, 1xx, 204 and 304.
    Empty,
    Length(u64),
    Chunked,
    /// Everything until the server closes the connection.
    UntilClose,
}

/// What the exchange needs to know from one response head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Head {
    pub status: u16,
    pub framing: Framing,
    pub keep_alive: bool,
    /// Bytes of the head, its final blank line included.
    pub len: usize,
}

impl Head {
    /// A 1xx response: an interim answer, the real one follows.
    pub fn is_informational(&self) -> bool {
        (100..200).contains(&self.status)
    }
}

/// Parses the head at the start of `bytes`, or returns `None` when more
/// bytes are needed. `head_request` says the request was HEAD, whose
/// response never has a body whatever its headers say.
pub(crate) fn parse(bytes: &[u8], head_request: bool) -> Result<Option<Head>, ProtocolError> {
    let mut headers = [EMPTY_HEADER; STACK_HEADERS];
    match parse_with(bytes, head_request, &mut headers) {
        Err(ProtocolError::Head(httparse::Error::TooManyHeaders)) => {
            let mut headers = vec![EMPTY_HEADER; MAX_HEADERS];
            match parse_with(bytes, head_request, &mut headers) {
                Err(ProtocolError::Head(httparse::Error::TooManyHeaders)) => {
                    Err(ProtocolError::TooManyHeaders { limit: MAX_HEADERS })
                }
                other => other,
            }
        }
        other => other,
    }
}

fn parse_with<'b>(
    bytes: &'b [u8],
    head_request: bool,
    headers: &mut [Header<'b>],
) -> Result<Option<Head>, ProtocolError> {
    let mut response = httparse::Response::new(headers);
    let len = match response.parse(bytes).map_err(ProtocolError::Head)? {
        Status::Complete(len) if len > MAX_HEAD => {
            return Err(ProtocolError::HeadTooLarge { limit: MAX_HEAD })
        }
        Status::Complete(len) => len,
        Status::Partial => return Ok(None),
    };
    // httparse fills both fields on a complete parse.
    let status = response.code.unwrap_or(0);
    let http11 = response.version == Some(1);

    let fields = Fields::read(response.headers)?;
    let mut keep_alive = !fields.close && (http11 || fields.keep_alive);
    let framing = if head_request || status == 204 || status == 304 || (100..200).contains(&status)
    {
        Framing::Empty
    } else if let Some(chunked) = fields.transfer_chunked {
        // A length beside a transfer coding may have been meant for a
        // proxy; trust neither for another request.
        keep_alive &= fields.content_length.is_none();
        if chunked {
            Framing::Chunked
        } else {
            Framing::UntilClose
        }
    } else if let Some(length) = fields.content_length {
        Framing::Length(length)
    } else {
        Framing::UntilClose
    };
    keep_alive &= framing != Framing::UntilClose;

    Ok(Some(Head {
        status,
        framing,
        keep_alive,
        len,
    }))
}

/// The few header fields that decide framing and reuse.
#[derive(Default)]
struct Fields {
    content_length: Option<u64>,
    /// Present when any Transfer-Encoding was sent: whether the last
    /// coding is chunked.
    transfer_chunked: Option<bool>,
    close: bool,
    keep_alive: bool,
}

impl Fields {
    fn read(headers: &[Header<'_>]) -> Result<Fields, ProtocolError> {
        let mut fields = Fields::default();
        for header in headers {
            let name = header.name;
            if name.eq_ignore_ascii_case("content-length") {
                let length = content_length(header.value)?;
                if fields.content_length.is_some_and(|seen| seen != length) {
                    return Err(ProtocolError::ContentLength);
                }
                fields.content_length = Some(length);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                let last = header.value.rsplit(|&byte| byte == b',').next();
                let chunked =
                    last.is_some_and(|coding| trim(coding).eq_ignore_ascii_case(b"chunked"));
                fields.transfer_chunked = Some(chunked);
            } else if name.eq_ignore_ascii_case("connection") {
                for token in header.value.split(|&byte| byte == b',').map(trim) {
                    fields.close |= token.eq_ignore_ascii_case(b"close");
                    fields.keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
                }
            }
        }
        Ok(fields)
    }
}

fn content_length(value: &[u8]) -> Result<u64, ProtocolError> {
    let digits = trim(value);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(ProtocolError::ContentLength);
    }
    Ok(digits
        .iter()
        .fold(0, |total, digit| total * 10 + u64::from(digit - b'0')))
}

fn trim(bytes: &[u8]) -> &[u8] {
    let is_space = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |end| end + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Head {
        parse(text.as_bytes(), false)
            .expect("valid head")
            .expect("complete head")
    }

    #[test]
    fn content_length_frames_a_keep_alive_body() {
        let parsed = head("HTTP/1.1 201 Created\r\nContent-Length: 12\r\n\r\nbody");
        assert_eq!(parsed.status, 201);
        assert_eq!(parsed.framing, Framing::Length(12));
        assert!(parsed.keep_alive);
        assert_eq!(parsed.len, 44);
    }

    #[test]
    fn chunked_wins_over_content_length_but_forbids_reuse() {
        let parsed = head(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 3\r\n\r\n",
        );
        assert_eq!(parsed.framing, Framing::Chunked);
        assert!(!parsed.keep_alive);

        let unframed = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
        assert_eq!(unframed.framing, Framing::UntilClose);
    }

    #[test]
    fn connection_header_and_version_decide_reuse() {
        assert!(
            !head("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n").keep_alive
        );
        assert!(!head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
        let kept =
            head("HTTP/1.0 200 OK\r\nConnection: x, Keep-Alive\r\nContent-Length: 0\r\n\r\n");
        assert!(kept.keep_alive);
        let unframed = head("HTTP/1.1 200 OK\r\n\r\n");
        assert_eq!(unframed.framing, Framing::UntilClose);
        assert!(!unframed.keep_alive);
    }

    #[test]
    fn some_responses_never_have_a_body() {
        for status in ["100 Continue", "204 No Content", "304 Not Modified"] {
            let parsed = head(&format!("HTTP/1.1 {status}\r\nContent-Length: 5\r\n\r\n"));
            assert_eq!(parsed.framing, Framing::Empty, "{status}");
        }
        let to_head = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true);
        assert_eq!(
            to_head.expect("valid").expect("complete").framing,
            Framing::Empty
        );
    }

    #[test]
    fn partial_heads_ask_for_more() {
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Le", false).expect("valid"),
            None
        );
        assert_eq!(parse(b"", false).expect("valid"), None);
    }

    #[test]
    fn bad_heads_are_protocol_errors() {
        assert!(parse(b"garbage\r\n\r\n", false).is_err());
        for length in ["-1", "", "1x", "99999999999999999999"] {
            let text = format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n");
            assert!(parse(text.as_bytes(), false).is_err(), "{length:?}");
        }
        let twice = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n";
        assert!(matches!(
            parse(twice, false),
            Err(ProtocolError::ContentLength)
        ));
    }

    #[test]
    fn many_headers_are_parsed_on_the_heap_up_to_a_limit() {
        let many = |count: usize| {
            let mut text = String::from("HTTP/1.1 200 OK\r\n");
            for index in 0..count {
                text.push_str(&format!("X-{index}: v\r\n"));
            }
            text + "Content-Length: 0\r\n\r\n"
        };
        assert_eq!(head(&many(100)).framing, Framing::Length(0));
        assert!(matches!(
            parse(many(MAX_HEADERS).as_bytes(), false),
            Err(ProtocolError::TooManyHeaders { .. })
        ));
    }
}
