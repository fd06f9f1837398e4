//! The JSON API of SPEC.md's table, under `/api`, plus `/health` and
//! `/metrics`.

pub mod error;
pub mod health;
pub mod live;
pub mod nodes;
pub mod prometheus;
pub mod request;
pub mod spawns;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::routing::get;
use axum::Router;
use uuid::Uuid;

use crate::app::App;
use error::ApiError;

pub fn router() -> Router<App> {
    Router::new()
        .route("/spawns", get(spawns::list).post(spawns::create))
        .route("/spawns/{id}", get(spawns::show).delete(spawns::stop))
        .route("/spawns/{id}/metrics", get(spawns::metrics))
        .route("/spawns/{id}/events", get(live::spawn_events))
        .route("/events", get(live::all_events))
        .route("/nodes", get(nodes::list))
}

/// A spawn id from the path. Anything that is not a UUID, even bytes
/// that are not text, names no spawn: 404, like an unknown id.
pub struct SpawnId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for SpawnId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<SpawnId, ApiError> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NoSuchSpawn("(not an id)".to_owned()))?;
        Uuid::parse_str(&text)
            .map(SpawnId)
            .map_err(|_| ApiError::NoSuchSpawn(text))
    }
}
