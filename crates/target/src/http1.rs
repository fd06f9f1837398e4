//! The hand-written HTTP/1.1 connection loop: keep-alive, pipelining, faults.
//!
//! Responses to pipelined requests are queued in `out` and written in one go when
//! the read buffer holds no further complete request, so a batch costs one write.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::behavior::Answer;
use crate::body::BodySkipper;
use crate::canned::{Canned, Persist, CONTINUE, GARBAGE};
use crate::config::FaultKind;
use crate::control::Route;
use crate::head::{parse_head, ParsedHead, RequestHead};
use crate::inbuf::InBuf;
use crate::server::Shared;

/// Responses at least this large skip the queue and are written straight from
/// the pre-built bytes, sparing a copy of big bodies.
const DIRECT_WRITE_MIN: usize = 16 * 1024;

/// Room for a handful of small answers; grows only under deep pipelining, which
/// keeps idle connections cheap when a test opens thousands of them.
const OUT_INITIAL: usize = 2 * 1024;

/// Queued output is written once it reaches this size even mid-batch.
const OUT_FLUSH_AT: usize = 64 * 1024;

/// Serves HTTP/1.x on `io`; `inbuf` may already hold bytes read while sniffing.
pub(crate) async fn serve_http1<S>(io: S, inbuf: InBuf, shared: Arc<Shared>) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut conn = Http1 {
        io,
        inbuf,
        out: Vec::with_capacity(OUT_INITIAL),
        shared,
        rng: fastrand::Rng::new(),
    };
    conn.run().await
}

/// What the connection does after answering a request.
enum Next {
    Continue,
    /// Write what is queued, then close cleanly.
    Close,
    /// Drop the connection as it is (faults already did their part).
    Abort,
}

/// How reading a request body ended.
enum BodyEnd {
    Complete,
    PeerClosed,
    Malformed,
}

struct Http1<S> {
    io: S,
    inbuf: InBuf,
    out: Vec<u8>,
    shared: Arc<Shared>,
    rng: fastrand::Rng,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Http1<S> {
    async fn run(&mut self) -> io::Result<()> {
        loop {
            let head = match parse_head(self.inbuf.filled()) {
                ParsedHead::Complete(head) => head,
                ParsedHead::Partial if self.fill().await? => continue,
                ParsedHead::Partial => return Ok(()),
                ParsedHead::Invalid(status) => {
                    self.shared.stats.record_status(status);
                    return self.reject(status).await;
                }
            };
            self.inbuf.consume(head.len);

            // Counted as soon as the head is in, whatever happens to the body.
            let answer = (head.route == Route::Load).then(|| self.decide());
            if head.expect_continue {
                self.out.extend_from_slice(CONTINUE);
            }

            match self.skip_body(head.body.clone()).await? {
                BodyEnd::Complete => {}
                BodyEnd::PeerClosed => return Ok(()),
                BodyEnd::Malformed => {
                    if let Some(answer) = answer {
                        self.shared.stats.reclassify(answer.counted(), 400);
                    }
                    return self.reject(400).await;
                }
            }

            match self.respond(&head, answer).await? {
                Next::Continue => {}
                Next::Close => return self.finish().await,
                Next::Abort => return Ok(()),
            }
        }
    }

    fn decide(&mut self) -> Answer {
        let answer = self.shared.behavior.decide(&mut self.rng);
        self.shared.stats.record(answer.counted());
        answer
    }

    async fn skip_body(&mut self, mut body: BodySkipper) -> io::Result<BodyEnd> {
        loop {
            let progress = match body.feed(self.inbuf.filled()) {
                Ok(progress) => progress,
                Err(err) => {
                    tracing::debug!(error = %err, "malformed request body");
                    return Ok(BodyEnd::Malformed);
                }
            };
            self.inbuf.consume(progress.used);
            if progress.done {
                return Ok(BodyEnd::Complete);
            }
            if !self.fill().await? {
                return Ok(BodyEnd::PeerClosed);
            }
        }
    }

    async fn respond(&mut self, head: &RequestHead, answer: Option<Answer>) -> io::Result<Next> {
        let Some(answer) = answer else {
            let body = self.shared.control_json(head.route);
            let canned = Canned::new(200, "application/json", &body, head.persist);
            self.queue(canned.full()).await?;
            return Ok(next_after(head));
        };

        let delay = self.shared.behavior.delay(&mut self.rng);
        if !delay.is_zero() {
            // Earlier pipelined answers must not wait behind this one's delay.
            self.flush().await?;
            tokio::time::sleep(delay).await;
        }

        match answer {
            Answer::Ok | Answer::Error => self.send_canned(answer, head).await?,
            Answer::Fault(kind) => {
                self.fault(kind).await?;
                return Ok(Next::Abort);
            }
        }
        Ok(next_after(head))
    }

    async fn send_canned(&mut self, answer: Answer, head: &RequestHead) -> io::Result<()> {
        let responses = &self.shared.responses;
        let canned = match answer {
            Answer::Error => responses.error(head.persist),
            _ => responses.ok(head.persist),
        };
        let bytes = if head.is_head {
            canned.head()
        } else {
            canned.full()
        };

        if bytes.len() >= DIRECT_WRITE_MIN {
            write_out(&mut self.io, &mut self.out).await?;
            self.io.write_all(bytes).await?;
            return Ok(());
        }
        self.out.extend_from_slice(bytes);
        if self.out.len() >= OUT_FLUSH_AT {
            write_out(&mut self.io, &mut self.out).await?;
        }
        Ok(())
    }

    async fn queue(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.extend_from_slice(bytes);
        if self.out.len() >= OUT_FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    async fn fault(&mut self, kind: FaultKind) -> io::Result<()> {
        // Answers to earlier pipelined requests still go out, in order.
        self.flush().await?;
        match kind {
            FaultKind::Close => Ok(()),
            FaultKind::Garbage => {
                self.io.write_all(GARBAGE).await?;
                self.finish().await
            }
            FaultKind::Stall => self.stall().await,
        }
    }

    /// Holds the connection without answering until the peer leaves or the server stops.
    async fn stall(&mut self) -> io::Result<()> {
        let Http1 {
            io, inbuf, shared, ..
        } = self;
        let discard = async {
            loop {
                inbuf.clear();
                if inbuf.read_from(io).await? == 0 {
                    return Ok(());
                }
            }
        };
        tokio::select! {
            () = shared.stop.cancelled() => Ok(()),
            result = discard => result,
        }
    }

    async fn reject(&mut self, status: u16) -> io::Result<()> {
        let canned = Canned::new(status, "text/plain", b"request rejected\n", Persist::Close);
        self.out.extend_from_slice(canned.full());
        self.finish().await
    }

    /// Writes what is queued, then waits for more input; false at end of stream.
    async fn fill(&mut self) -> io::Result<bool> {
        self.flush().await?;
        Ok(self.inbuf.read_from(&mut self.io).await? > 0)
    }

    async fn flush(&mut self) -> io::Result<()> {
        write_out(&mut self.io, &mut self.out).await
    }

    /// Flushes and closes the write side (a TLS close_notify, or a TCP FIN).
    async fn finish(&mut self) -> io::Result<()> {
        self.flush().await?;
        // The peer may already be gone; the answer was sent, so this is not an error.
        let _ = self.io.shutdown().await;
        Ok(())
    }
}

fn next_after(head: &RequestHead) -> Next {
    match head.persist {
        Persist::Close => Next::Close,
        Persist::KeepAlive | Persist::KeepAlive10 => Next::Continue,
    }
}

async fn write_out<S: AsyncWrite + Unpin>(io: &mut S, out: &mut Vec<u8>) -> io::Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    io.write_all(out).await?;
    out.clear();
    // A no-op for TCP; TLS streams hold records until flushed.
    io.flush().await
}
