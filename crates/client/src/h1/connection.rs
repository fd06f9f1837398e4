//! One HTTP/1.1 connection, driven directly by the request that checked it
//! out: no task of its own, no channel, one write per request.
//!
//! The exchange is a hand-written state machine kept inside the (boxed)
//! connection, so a request's future holds a pointer to it and nothing
//! more, whatever the response looks like.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite};

use super::body::Body;
use super::buffer::ReadBuf;
use super::error::ProtocolError;
use super::head;
use super::transport::Transport;
use super::MAX_HEAD;
use crate::client::Response;
use crate::failure::Failure;

/// A transport, its read buffer, and the progress of the request on it.
pub(crate) struct Connection {
    io: Io,
    phase: Phase,
}

/// The bytes side of a connection.
pub(super) struct Io {
    transport: Transport,
    pub buf: ReadBuf,
    /// Whether any response byte arrived during the current exchange.
    answered: bool,
}

/// Where the current exchange stands.
enum Phase {
    Write {
        written: usize,
    },
    Flush,
    Head,
    Body {
        status: u16,
        keep_alive: bool,
        body: Body,
    },
}

/// A complete response, and whether the connection can take another
/// request.
pub(crate) struct Exchanged {
    pub response: Response,
    pub reusable: bool,
}

impl Connection {
    pub fn new(transport: Transport) -> Connection {
        let io = Io {
            transport,
            buf: ReadBuf::new(),
            answered: false,
        };
        Connection {
            io,
            phase: Phase::Head,
        }
    }

    /// A cheap check, before reuse, that the target has not closed this
    /// idle connection or sent something unasked.
    pub fn looks_open(&mut self) -> bool {
        self.io.transport.looks_open(self.io.buf.idle_spare())
    }

    /// Whether the last exchange received any byte of a response.
    pub fn answered(&self) -> bool {
        self.io.answered
    }

    /// Writes the prepared request and reads the whole response, counting
    /// its body without keeping it. After an error the connection is
    /// unusable and must be dropped.
    pub fn exchange<'a>(
        &'a mut self,
        request: &'a [u8],
        head_request: bool,
    ) -> impl Future<Output = Result<Exchanged, Failure>> + 'a {
        self.io.answered = false;
        self.phase = Phase::Write { written: 0 };
        poll_fn(move |cx| self.poll_exchange(cx, request, head_request))
    }

    fn poll_exchange(
        &mut self,
        cx: &mut Context<'_>,
        request: &[u8],
        head_request: bool,
    ) -> Poll<Result<Exchanged, Failure>> {
        loop {
            match &mut self.phase {
                Phase::Write { written } => {
                    *written += ready!(self.io.poll_write(cx, &request[*written..]))?;
                    if *written == request.len() {
                        self.phase = Phase::Flush;
                    }
                }
                Phase::Flush => {
                    // A no-op on plain TCP; pushes out records rustls holds.
                    ready!(Pin::new(&mut self.io.transport).poll_flush(cx))
                        .map_err(Failure::Send)?;
                    self.phase = Phase::Head;
                }
                Phase::Head => {
                    if let Some(next) = self.io.next_head(head_request)? {
                        self.phase = next;
                        continue;
                    }
                    if ready!(self.io.poll_fill(cx, MAX_HEAD))? == 0 {
                        return Poll::Ready(Err(Failure::Closed));
                    }
                }
                Phase::Body {
                    status,
                    keep_alive,
                    body,
                } => {
                    let body_bytes = ready!(body.poll_drain(cx, &mut self.io))?;
                    // Bytes past the response were never asked for: the
                    // connection is out of step with the target, so it goes.
                    let reusable =
                        *keep_alive && body.reuses_connection() && self.io.buf.is_empty();
                    let response = Response {
                        status: *status,
                        body_bytes,
                    };
                    return Poll::Ready(Ok(Exchanged { response, reusable }));
                }
            }
        }
    }
}

impl Io {
    /// Consumes the next complete head in the buffer and says what follows
    /// it: the body of a final response, or another head after a 1xx.
    fn next_head(&mut self, head_request: bool) -> Result<Option<Phase>, Failure> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let Some(head) = head::parse(self.buf.filled(), head_request)? else {
            return Ok(None);
        };
        self.buf.consume(head.len);
        if head.status == 101 {
            return Err(ProtocolError::UnexpectedUpgrade.into());
        }
        if head.is_informational() {
            // An interim answer; the real one follows.
            return Ok(Some(Phase::Head));
        }
        Ok(Some(Phase::Body {
            status: head.status,
            keep_alive: head.keep_alive,
            body: Body::new(head.framing),
        }))
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<Result<usize, Failure>> {
        let written = ready!(Pin::new(&mut self.transport).poll_write(cx, bytes));
        Poll::Ready(match written {
            Ok(0) if !bytes.is_empty() => Err(Failure::Send(io::ErrorKind::WriteZero.into())),
            Ok(written) => Ok(written),
            Err(err) => Err(Failure::Send(err)),
        })
    }

    /// Reads more bytes after what the buffer holds; `Ok(0)` is the end
    /// of the stream. Holding `limit` unconsumed bytes is an oversized head.
    pub fn poll_fill(
        &mut self,
        cx: &mut Context<'_>,
        limit: usize,
    ) -> Poll<Result<usize, Failure>> {
        let Some(spare) = self.buf.spare(limit) else {
            return Poll::Ready(Err(ProtocolError::HeadTooLarge { limit }.into()));
        };
        let mut read_buf = tokio::io::ReadBuf::new(spare);
        ready!(Pin::new(&mut self.transport).poll_read(cx, &mut read_buf))
            .map_err(Failure::Receive)?;
        let read = read_buf.filled().len();
        self.buf.commit(read);
        self.answered |= read > 0;
        Poll::Ready(Ok(read))
    }
}
