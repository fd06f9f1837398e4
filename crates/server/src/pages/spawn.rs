//! `/spawns/{id}`: one spawn in focus; its card fragment; and Stop.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::card::{section, Place};
use super::html::page as frame_page;
use super::{frame, missing};
use crate::app::App;

const NO_SUCH_SPAWN: &str =
    "There is no spawn with this id on this node. Ended spawns are kept for the last 100 only.";

pub async fn page(State(app): State<App>, path: Result<Path<String>, PathRejection>) -> Response {
    let Some(record) = spawn_id(path).and_then(|id| app.registry.get(id)) else {
        return missing(&app, NO_SUCH_SPAWN);
    };
    let live = format!("/api/spawns/{}/events", record.id);
    let body = format!(
        r#"<p class="crumbs"><a href="/">← All spawns</a> · <a href="/api/spawns/{id}">JSON</a> · <a href="/api/spawns/{id}/metrics">Series</a></p>
<div class="spawn-list">{section}</div>"#,
        id = record.id,
        section = section(&record, Place::Page),
    );
    let title = format!("Spawn {}", &record.id.to_string()[..8]);
    frame_page(&frame(&app, &title, Some(&live)), &body).into_response()
}

/// The section alone, for the script to insert or refresh;
/// `?place=page` renders it as the spawn page shows it.
pub async fn card(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let place = match query.as_deref() {
        Some("place=page") => Place::Page,
        _ => Place::List,
    };
    match spawn_id(path).and_then(|id| app.registry.get(id)) {
        Some(record) => Html(section(&record, place)).into_response(),
        None => missing(&app, NO_SUCH_SPAWN),
    }
}

/// `POST /spawns/{id}/stop`, the Stop button: the same stop as the API's
/// DELETE, then back to where the button was.
pub async fn stop(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let Some(id) = spawn_id(path) else {
        return missing(&app, NO_SUCH_SPAWN);
    };
    if app.registry.stop(id).is_err() {
        return missing(&app, NO_SUCH_SPAWN);
    }
    let back = form_urlencoded::parse(&body)
        .find(|(key, _)| key == "return")
        .map(|(_, value)| value.into_owned());
    // Only our own two places, so the field cannot redirect elsewhere.
    let own_page = format!("/spawns/{id}");
    let target = match back.as_deref() {
        Some("/") => "/",
        _ => own_page.as_str(),
    };
    Redirect::to(target).into_response()
}

/// The id in the path, if it is one; anything else shows the 404 page.
fn spawn_id(path: Result<Path<String>, PathRejection>) -> Option<Uuid> {
    path.ok().and_then(|Path(text)| Uuid::parse_str(&text).ok())
}
