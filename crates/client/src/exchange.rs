//! One request from start to end: find a connection (reuse, wait or dial),
//! send, read the body, and give the connection back if it is reusable.

use std::future::Future;

use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::client::{Inner, Response};
use crate::dial::{Dialed, H1Sender, H2Sender};
use crate::failure::Failure;
use crate::pool::{Grant, Pool, Slot, Stream};

/// The connection a request will use.
enum Route<'a> {
    /// Checked out: ours alone until the slot is kept or dropped.
    H1(H1Sender, Slot<'a>),
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
    pub(crate) async fn exchange(&self, pool: &Pool) -> Result<Response, Failure> {
        // The route is borrowed, never moved apart, so the request's future
        // holds one copy of it next to whichever protocol's state is active.
        let mut route = self.route(pool).await?;
        let response = match &mut route {
            Route::H1(sender, _) => sender.send_request(self.template.h1()).await,
            Route::H2 { sender, .. } => sender.send_request(self.template.h2()).await,
        };
        let response = read(response.map_err(Failure::Exchange)?).await?;

        if let Route::H1(sender, slot) = route {
            slot.keep(sender);
        }
        Ok(response)
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
                Some(Grant::Idle(mut sender, slot)) => {
                    if sender.ready().await.is_ok() {
                        return Ok(Route::H1(sender, slot));
                    }
                    // Closed by the peer while idle; dropping the slot
                    // frees its place for a fresh connection.
                }
                Some(Grant::Dial(slot)) => return Box::pin(self.dial_h1(pool, slot)).await,
            }
        }
    }

    /// Dialing is the cold path, boxed so its state does not enlarge every
    /// request's future.
    async fn dial_h1<'a>(&'a self, pool: &'a Pool, slot: Slot<'a>) -> Result<Route<'a>, Failure> {
        match self.dialer.dial(pool.index).await? {
            Dialed::H1(sender) => Ok(Route::H1(sender, slot)),
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
            Dialed::H1(sender) => {
                pool.switch_to_h1();
                Ok(Route::H1(sender, pool.h1.adopt()))
            }
        }
    }
}

/// Reads the whole body frame by frame, counting bytes without keeping them.
///
/// Takes the response apart first so only the body, not its headers, lives
/// on in the request's future while frames arrive.
fn read(response: http::Response<Incoming>) -> impl Future<Output = Result<Response, Failure>> {
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
