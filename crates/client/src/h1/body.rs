//! Draining a response body as its framing says, counting bytes and
//! keeping none.

use std::io;
use std::task::{ready, Context, Poll};

use super::chunked::Chunked;
use super::connection::Io;
use super::head::Framing;
use crate::failure::Failure;

/// Progress through one response body.
pub(super) enum Body {
    Length {
        left: u64,
        total: u64,
    },
    Chunked(Chunked),
    /// Ends when the server closes; the connection goes with it.
    UntilClose {
        total: u64,
    },
}

impl Body {
    pub fn new(framing: Framing) -> Body {
        match framing {
            Framing::Empty => Body::Length { left: 0, total: 0 },
            Framing::Length(length) => Body::Length {
                left: length,
                total: length,
            },
            Framing::Chunked => Body::Chunked(Chunked::new()),
            Framing::UntilClose => Body::UntilClose { total: 0 },
        }
    }

    /// Whether the body's end leaves the connection open.
    pub fn reuses_connection(&self) -> bool {
        !matches!(self, Body::UntilClose { .. })
    }

    /// Consumes body bytes from the buffer, reading more as needed, and
    /// returns the body's size once it is complete. Stops exactly at the
    /// body's end, so anything after it stays buffered.
    pub fn poll_drain(&mut self, cx: &mut Context<'_>, io: &mut Io) -> Poll<Result<u64, Failure>> {
        loop {
            match self {
                Body::Length { left, total } => {
                    let take = (*left).min(io.buf.filled().len() as u64);
                    io.buf.consume(take as usize);
                    *left -= take;
                    if *left == 0 {
                        return Poll::Ready(Ok(*total));
                    }
                }
                Body::Chunked(chunked) => {
                    let used = chunked.decode(io.buf.filled())?;
                    io.buf.consume(used);
                    if chunked.is_done() {
                        return Poll::Ready(Ok(chunked.data_bytes()));
                    }
                }
                Body::UntilClose { total } => {
                    *total += io.buf.filled().len() as u64;
                    io.buf.clear();
                    if ready!(poll_fill_until_close(cx, io))? == 0 {
                        return Poll::Ready(Ok(*total));
                    }
                    continue;
                }
            }
            // The body goes on past what is buffered, and everything
            // buffered was consumed, so the whole buffer is free.
            let capacity = io.buf.capacity();
            if ready!(io.poll_fill(cx, capacity))? == 0 {
                return Poll::Ready(Err(Failure::Closed));
            }
        }
    }
}

/// TLS peers often close without close_notify; for a body delimited by
/// the close, that is its end rather than a truncation.
fn poll_fill_until_close(cx: &mut Context<'_>, io: &mut Io) -> Poll<Result<usize, Failure>> {
    let capacity = io.buf.capacity();
    Poll::Ready(match ready!(io.poll_fill(cx, capacity)) {
        Err(Failure::Receive(err)) if err.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
        other => other,
    })
}
