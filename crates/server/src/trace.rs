//! A span per request, named by route template rather than raw path, so
//! logs group by endpoint and spawn ids do not explode their cardinality.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tokio::time::Instant;
use tracing::Instrument;

pub async fn request_span(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let span =
        tracing::debug_span!("request", http.method = %request.method(), http.route = %route);
    let started = Instant::now();

    let response = next.run(request).instrument(span.clone()).await;

    span.in_scope(|| {
        tracing::debug!(
            http.status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request served"
        );
    });
    response
}
