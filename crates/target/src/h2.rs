//! HTTP/2 (prior knowledge on plain TCP, or ALPN on TLS), served by hyper.
//!
//! HTTP/2 multiplexes streams over one connection, so the close and garbage faults
//! cannot act on the connection without hitting other streams: they reset the one
//! stream instead. Stall holds the stream until the client or the server gives up.

use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::behavior::Answer;
use crate::canned::Persist;
use crate::config::FaultKind;
use crate::control::Route;
use crate::server::Shared;

/// A fault served on HTTP/2: hyper answers the error by resetting the stream.
#[derive(Debug, thiserror::Error)]
#[error("{0} fault: stream reset instead of an answer")]
struct FaultReset(FaultKind);

/// Serves HTTP/2 on `io` until the peer goes away.
pub(crate) async fn serve_h2<I>(io: I, shared: Arc<Shared>) -> Result<(), hyper::Error>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| answer(request, Arc::clone(&shared)));
    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(io), service)
        .await
}

async fn answer(
    request: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, FaultReset> {
    let route = Route::of(request.method().as_str(), request.uri().path());
    let is_head = request.method() == Method::HEAD;
    let mut rng = fastrand::Rng::new();

    // Counted as soon as the head is in, like the HTTP/1.1 path.
    let answer = (route == Route::Load).then(|| {
        let answer = shared.behavior.decide(&mut rng);
        shared.stats.record(answer.counted());
        answer
    });
    discard_body(request.into_body()).await;

    let Some(answer) = answer else {
        let json = Bytes::from(shared.control_json(route));
        return Ok(respond(StatusCode::OK, "application/json", json, false));
    };
    let delay = shared.behavior.delay(&mut rng);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let (status, body) = match answer {
        Answer::Ok => (
            StatusCode::OK,
            shared.responses.ok(Persist::KeepAlive).body(),
        ),
        Answer::Error => {
            let body = shared.responses.error(Persist::KeepAlive).body();
            (StatusCode::INTERNAL_SERVER_ERROR, body)
        }
        Answer::Fault(FaultKind::Stall) => {
            shared.stop.cancelled().await;
            return Err(FaultReset(FaultKind::Stall));
        }
        Answer::Fault(kind) => return Err(FaultReset(kind)),
    };
    Ok(respond(status, "text/plain", body, is_head))
}

async fn discard_body(mut body: Incoming) {
    // A body error means the client reset the stream; the answer no longer matters.
    while let Some(Ok(_)) = body.frame().await {}
}

fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
    is_head: bool,
) -> Response<Full<Bytes>> {
    let length = body.len();
    let body = if is_head { Bytes::new() } else { body };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}
