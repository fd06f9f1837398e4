//! The API's one error type: each variant a status code and a JSON body.
//! Only what the client did wrong is ever sent back.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use onslaught_engine::FieldErrors;
use serde_json::json;

use crate::registry::{CreateError, NotFound};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422 with `{"errors": {field: [message]}}`.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// 400: the body or query could not be read at all.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 404: no spawn with that id (or not an id at all).
    #[error("no spawn with id {0}")]
    NoSuchSpawn(String),
}

impl From<NotFound> for ApiError {
    fn from(NotFound(id): NotFound) -> ApiError {
        ApiError::NoSuchSpawn(id.to_string())
    }
}

impl From<CreateError> for ApiError {
    fn from(error: CreateError) -> ApiError {
        ApiError::Invalid(error.into_field_errors())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "errors": errors })),
            )
                .into_response(),
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
            }
            ApiError::NoSuchSpawn(id) => (
                StatusCode::NOT_FOUND,
                Json(json!({ "error": format!("no spawn with id {id:?}") })),
            )
                .into_response(),
        }
    }
}
