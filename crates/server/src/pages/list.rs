//! `/`: every spawn, newest first, each with its spawners.

use axum::extract::State;
use axum::response::Html;

use super::card::{section, Place};
use super::frame;
use super::html;
use crate::app::App;

pub async fn page(State(app): State<App>) -> Html<String> {
    let spawns = app.registry.list();
    let mut body = String::from(
        r#"<div class="page-head"><h1>Spawns</h1><a class="btn btn-primary" href="/spawns/new">New spawn</a></div>
<div class="spawn-list" data-list="all">"#,
    );
    if spawns.is_empty() {
        body.push_str(EMPTY);
    }
    for record in &spawns {
        body.push_str(&section(record, Place::List));
    }
    body.push_str("</div>");
    html::page(&frame(&app, "Spawns", Some("/api/events")), &body)
}

const EMPTY: &str = r#"<section class="empty" data-empty>
  <h2>No spawns yet</h2>
  <p>A spawn is one load test: every node of the cluster starts sessions that send requests to your URL,
  and the results stream back here, second by second.</p>
  <p><a class="btn btn-primary" href="/spawns/new">Create the first spawn</a></p>
</section>"#;
