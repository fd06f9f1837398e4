//! One request from start to end: find a connection (reuse, wait or dial),
//! send, read the body, and give the connection back if it is reusable.

use std::future::Future;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use tracing::debug;

use crate::client::{Inner, Response};
use crate::dial::{Dialed, H2Sender};
use crate::failure::Failure;
use crate::h1::{Connection, Exchanged};
use crate::pool::{Grant, Pool, Slot, Stream};
use crate::request::RequestTemplate;

/// The connection a request will use.
enum Route<'a> {
    /// Checked out: ours alone until the slot is kept or dropped.
    /// `reused` says it carried a request before and sat idle since.
    H1 {
        connection: Box<Connection>,
        slot: Slot<'a>,
        reused: bool,
    },
    /// Shared with the pool's other requests; counted as a stream in flight.
    H2 {
        sender: H2Sender,
        _stream: Stream<'a>,
    },
}

impl<'a> Route<'a> {
    fn h2(sender: H2Sender, pool: &'a Pool) -> Route<'a> {
        let _stream = pool.h2.stream();
        Route::H2 { sender, _stream }
    }
}

impl Inner {
    /// One request on a connection of `pool`.
    ///
    /// A reused HTTP/1.1 connection that ends or resets before a single
    /// response byte arrives is retried once on a new connection: that is
    /// the target closing an idle keep-alive connection just as we sent,
    /// which is no failure of the target. The price is that a target that
    /// dies on exactly that request also gets a second try. Fresh
    /// connections, and failures after any response byte, are never retried.
    pub(crate) async fn exchange(&self, pool: &Pool) -> Result<Response, Failure> {
        match self.route(pool).await? {
            Route::H1 {
                connection,
                slot,
                reused,
            } => self.exchange_h1(pool, connection, slot, reused).await,
            // hyper's HTTP/2 request state is several hundred bytes. Boxed,
            // it does not enlarge every session's future, HTTP/1.1 ones
            // included; hyper allocates for each h2 request anyway.
            Route::H2 { sender, _stream } => {
                Box::pin(send_h2(sender, _stream, &self.template)).await
            }
        }
    }

    async fn exchange_h1<'a>(
        &'a self,
        pool: &'a Pool,
        mut connection: Box<Connection>,
        slot: Slot<'a>,
        reused: bool,
    ) -> Result<Response, Failure> {
        match send_h1(&mut connection, &self.template).await {
            Ok(exchanged) => Ok(finish(exchanged, connection, slot)),
            Err(failure) if reused && !connection.answered() && failure.is_hang_up() => {
                debug!(
                    pool = pool.index,
                    error = %failure,
                    "idle connection closed by the target; retrying on a new one"
                );
                drop(connection);
                Box::pin(self.redial(pool, slot)).await
            }
            // Dropping the connection closes it; dropping the slot frees
            // its place in the pool.
            Err(failure) => Err(failure),
        }
    }

    async fn route<'a>(&'a self, pool: &'a Pool) -> Result<Route<'a>, Failure> {
        loop {
            if pool.speaks_h2() {
                return match pool.h2.sender() {
                    Ok(sender) => Ok(Route::h2(sender, pool)),
                    Err(index) => Box::pin(self.dial_h2(pool, index)).await,
                };
            }
            match pool.h1.checkout(pool.h2_flag()).await {
                // The pool moved to HTTP/2 while we waited.
                None => continue,
                Some(Grant::Idle(mut connection, slot)) => {
                    if connection.looks_open() {
                        return Ok(Route::H1 {
                            connection,
                            slot,
                            reused: true,
                        });
                    }
                    // Closed by the target while idle, or sent bytes nobody
                    // asked for: its place goes to a fresh connection.
                    drop(connection);
                    return Box::pin(self.dial_h1(pool, slot)).await;
                }
                Some(Grant::Dial(slot)) => return Box::pin(self.dial_h1(pool, slot)).await,
            }
        }
    }

    /// The request again, on a new connection in the same slot. Cold, and
    /// boxed by the caller so it does not enlarge every request's future.
    async fn redial<'a>(&'a self, pool: &'a Pool, slot: Slot<'a>) -> Result<Response, Failure> {
        match self.dial_h1(pool, slot).await? {
            Route::H1 {
                mut connection,
                slot,
                ..
            } => {
                let exchanged = send_h1(&mut connection, &self.template).await?;
                Ok(finish(exchanged, connection, slot))
            }
            Route::H2 { sender, _stream } => send_h2(sender, _stream, &self.template).await,
        }
    }

    /// Dialing is the cold path, boxed so its state does not enlarge every
    /// request's future.
    async fn dial_h1<'a>(&'a self, pool: &'a Pool, slot: Slot<'a>) -> Result<Route<'a>, Failure> {
        match self.dialer.dial(pool.index).await? {
            Dialed::H1(connection) => Ok(Route::H1 {
                connection,
                slot,
                reused: false,
            }),
            Dialed::H2(sender) => {
                pool.h2.adopt(sender.clone());
                pool.switch_to_h2();
                Ok(Route::h2(sender, pool))
            }
        }
    }

    async fn dial_h2<'a>(&'a self, pool: &'a Pool, index: usize) -> Result<Route<'a>, Failure> {
        let _dialing = match pool.h2.dial_lock(index).await {
            Ok(sender) => return Ok(Route::h2(sender, pool)),
            Err(guard) => guard,
        };
        match self.dialer.dial(pool.index).await? {
            Dialed::H2(sender) => {
                pool.h2.install(index, sender.clone());
                Ok(Route::h2(sender, pool))
            }
            Dialed::H1(connection) => {
                pool.switch_to_h1();
                Ok(Route::H1 {
                    connection,
                    slot: pool.h1.adopt(),
                    reused: false,
                })
            }
        }
    }
}

fn send_h1<'a>(
    connection: &'a mut Connection,
    template: &'a RequestTemplate,
) -> impl Future<Output = Result<Exchanged, Failure>> + 'a {
    connection.exchange(template.h1(), template.is_head())
}

/// Parks the connection for the next request if the response left it in
/// step with the target; otherwise both drop, closing it.
fn finish(exchanged: Exchanged, connection: Box<Connection>, slot: Slot<'_>) -> Response {
    if exchanged.reusable {
        slot.keep(connection);
    }
    exchanged.response
}

/// One request as a stream of a shared HTTP/2 connection, counted in
/// flight until `_stream` drops with the future.
async fn send_h2(
    mut sender: H2Sender,
    _stream: Stream<'_>,
    template: &RequestTemplate,
) -> Result<Response, Failure> {
    let response = sender.send_request(template.h2()).await;
    read_h2(response.map_err(Failure::Exchange)?).await
}

/// Reads the whole body frame by frame, counting bytes without keeping them.
///
/// Takes the response apart first so only the body, not its headers, lives
/// on in the request's future while frames arrive.
fn read_h2(response: http::Response<Incoming>) -> impl Future<Output = Result<Response, Failure>> {
    let status = response.status().as_u16();
    let mut body = response.into_body();
    async move {
        let mut body_bytes = 0;
        while let Some(frame) = body.frame().await {
            if let Some(data) = frame.map_err(Failure::Exchange)?.data_ref() {
                body_bytes += data.len() as u64;
            }
        }
        Ok(Response { status, body_bytes })
    }
}
