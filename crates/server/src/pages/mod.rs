//! Server-rendered pages. Each is plain HTML that works before the script
//! loads; the script then keeps numbers and charts live.

pub mod card;
pub mod form;
pub mod format;
pub mod html;
pub mod list;
pub mod spawn;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use html::{page, Frame};

/// 404 for any path nobody serves.
pub async fn not_found(State(app): State<App>) -> Response {
    missing(&app, "Nothing is served at this address.")
}

/// A 404 page with a way back.
pub fn missing(app: &App, message: &str) -> Response {
    let body = format!(
        r#"<section class="empty"><h1>Not found</h1><p>{}</p><p><a class="btn" href="/">All spawns</a></p></section>"#,
        html::esc(message)
    );
    let frame = frame(app, "Not found", None);
    (StatusCode::NOT_FOUND, page(&frame, &body)).into_response()
}

fn frame<'a>(app: &'a App, title: &'a str, live: Option<&'a str>) -> Frame<'a> {
    Frame {
        title,
        node: app.registry.node_name(),
        node_count: app.registry.node_count(),
        live,
    }
}
