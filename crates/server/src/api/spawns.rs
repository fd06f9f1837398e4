//! `/api/spawns`: create, list, read, stop, and the per-second series.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use super::error::ApiError;
use super::{request, SpawnId};
use crate::app::App;
use crate::view::{MetricsView, SpawnView};

/// `POST /api/spawns`: 201 with `{"id": …}`.
pub async fn create(State(app): State<App>, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    let request = request::from_json(&body)?;
    let id = app.registry.create(&request)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/spawns/{id}"))],
        Json(serde_json::json!({ "id": id })),
    ))
}

/// `GET /api/spawns`: newest first.
pub async fn list(State(app): State<App>) -> Json<Vec<SpawnView>> {
    let node_count = app.registry.node_count();
    let views = app
        .registry
        .list()
        .iter()
        .map(|record| SpawnView::of(record, node_count))
        .collect();
    Json(views)
}

/// `GET /api/spawns/{id}`.
pub async fn show(
    State(app): State<App>,
    SpawnId(id): SpawnId,
) -> Result<Json<SpawnView>, ApiError> {
    let record = app
        .registry
        .get(id)
        .ok_or(ApiError::NoSuchSpawn(id.to_string()))?;
    Ok(Json(SpawnView::of(&record, app.registry.node_count())))
}

/// `DELETE /api/spawns/{id}`: 202; the spawners finish stopping within a second.
pub async fn stop(
    State(app): State<App>,
    SpawnId(id): SpawnId,
) -> Result<impl IntoResponse, ApiError> {
    app.registry.stop(id)?;
    let record = app
        .registry
        .get(id)
        .ok_or(ApiError::NoSuchSpawn(id.to_string()))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SpawnView::of(&record, app.registry.node_count())),
    ))
}

/// `GET /api/spawns/{id}/metrics[?since=SECOND]`.
pub async fn metrics(
    State(app): State<App>,
    SpawnId(id): SpawnId,
    RawQuery(query): RawQuery,
) -> Result<Json<MetricsView>, ApiError> {
    let since = since(query.as_deref())?;
    let record = app
        .registry
        .get(id)
        .ok_or(ApiError::NoSuchSpawn(id.to_string()))?;
    Ok(Json(MetricsView::of(&record, since)))
}

fn since(query: Option<&str>) -> Result<u32, ApiError> {
    let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes());
    for (key, value) in pairs {
        if key == "since" {
            return value.trim().parse().map_err(|_| {
                ApiError::BadRequest(format!(
                    "since must be a whole number of seconds from the spawn's start, got {value:?}"
                ))
            });
        }
    }
    Ok(0)
}
