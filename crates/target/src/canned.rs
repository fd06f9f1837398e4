//! Responses built once at start, so answering a request is a memcpy.

use bytes::Bytes;

/// Bytes sent by the garbage fault: a NUL first, so no parser mistakes them for a status line.
pub(crate) const GARBAGE: &[u8] =
    b"\x00\xff\xfe this is not HTTP: onslaught target garbage\r\n\r\n";

/// Interim response for clients that wait for permission to send a body.
pub(crate) const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

const ERROR_BODY: &[u8] = b"error\n";

/// How the response tells the client whether the connection stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Persist {
    /// HTTP/1.1 default: no header needed.
    KeepAlive,
    /// HTTP/1.0 client that asked to keep the connection: must be told yes.
    KeepAlive10,
    /// The server closes after this response.
    Close,
}

impl Persist {
    fn header(self) -> &'static str {
        match self {
            Persist::KeepAlive => "",
            Persist::KeepAlive10 => "connection: keep-alive\r\n",
            Persist::Close => "connection: close\r\n",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One complete HTTP/1.1 response.
pub(crate) struct Canned {
    bytes: Bytes,
    head_len: usize,
}

impl Canned {
    pub(crate) fn new(status: u16, content_type: &str, body: &[u8], persist: Persist) -> Canned {
        let head = format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n{}\r\n",
            reason(status),
            body.len(),
            persist.header(),
        );
        let mut bytes = Vec::with_capacity(head.len() + body.len());
        bytes.extend_from_slice(head.as_bytes());
        bytes.extend_from_slice(body);

        Canned {
            bytes: Bytes::from(bytes),
            head_len: head.len(),
        }
    }

    /// Status line, headers and body.
    pub(crate) fn full(&self) -> &[u8] {
        &self.bytes
    }

    /// Status line and headers only, for `HEAD`.
    pub(crate) fn head(&self) -> &[u8] {
        &self.bytes[..self.head_len]
    }

    /// The body alone, shared without copying (used by the HTTP/2 path).
    pub(crate) fn body(&self) -> Bytes {
        self.bytes.slice(self.head_len..)
    }
}

/// The 200 and 500 answers in every [`Persist`] flavour.
pub(crate) struct Responses {
    ok: [Canned; 3],
    error: [Canned; 3],
}

impl Responses {
    pub(crate) fn new(body_size: usize) -> Responses {
        let body = ok_body(body_size);
        let flavours = [Persist::KeepAlive, Persist::KeepAlive10, Persist::Close];

        Responses {
            ok: flavours.map(|p| Canned::new(200, "text/plain", &body, p)),
            error: flavours.map(|p| Canned::new(500, "text/plain", ERROR_BODY, p)),
        }
    }

    pub(crate) fn ok(&self, persist: Persist) -> &Canned {
        &self.ok[persist.index()]
    }

    pub(crate) fn error(&self, persist: Persist) -> &Canned {
        &self.error[persist.index()]
    }
}

/// `ok\n` repeated and cut to `size`, so the default of 3 bytes reads as `ok\n`.
fn ok_body(size: usize) -> Vec<u8> {
    b"ok\n".iter().copied().cycle().take(size).collect()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_body_is_ok_newline() {
        let responses = Responses::new(3);
        let full = responses.ok(Persist::KeepAlive).full();
        assert_eq!(
            full,
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 3\r\n\r\nok\n"
        );
    }

    #[test]
    fn head_stops_before_the_body() {
        let canned = Canned::new(500, "text/plain", b"abc", Persist::Close);
        assert!(canned.head().ends_with(b"connection: close\r\n\r\n"));
        assert_eq!(&canned.body()[..], b"abc");
    }

    #[test]
    fn body_size_is_exact() {
        assert_eq!(ok_body(0), b"");
        assert_eq!(ok_body(7), b"ok\nok\no");
    }
}
