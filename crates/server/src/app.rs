//! What every handler shares, and the router that ties paths to them.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{middleware, Router};
use tokio::sync::watch;

use crate::auth::Guard;
use crate::registry::Registry;
use crate::{api, assets, auth, pages, trace};

/// Request bodies up to this size are read: a spawn body may be 10 MB,
/// and form encoding can triple it.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// State shared by every handler.
#[derive(Clone)]
pub struct App {
    pub registry: Arc<Registry>,
    pub guard: Arc<Guard>,
    /// Turns true when the node shuts down; live streams end on it.
    pub shutdown: watch::Receiver<bool>,
}

/// Every route: pages, assets and API behind the guard, `/health` open.
pub fn router(app: App) -> Router {
    let guarded = Router::new()
        .route("/", get(pages::list::page))
        .route("/spawns", post(pages::form::submit))
        .route("/spawns/new", get(pages::form::page))
        .route("/spawns/{id}", get(pages::spawn::page))
        .route("/spawns/{id}/card", get(pages::spawn::card))
        .route("/spawns/{id}/stop", post(pages::spawn::stop))
        .route("/assets/{name}", get(assets::serve))
        .route("/metrics", get(api::prometheus::metrics))
        .nest("/api", api::router())
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(app.clone(), auth::guard));

    Router::new()
        .route("/health", get(api::health::health))
        .merge(guarded)
        .layer(middleware::from_fn(trace::request_span))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}
