//! The page's script, style sheet and icon, compiled into the binary:
//! no CDN, no network at run time, no build step.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const FORMAT_JS: &str = include_str!("assets/format.js");
const CHART_JS: &str = include_str!("assets/chart.js");
const LIVE_JS: &str = include_str!("assets/live.js");
const FORM_JS: &str = include_str!("assets/form.js");
const APP_CSS: &str = include_str!("assets/app.css");
const ICON_SVG: &str = include_str!("assets/icon.svg");

const JS: &str = "text/javascript; charset=utf-8";

/// Scripts in the order pages load them; later ones use earlier ones.
pub const SCRIPTS: [&str; 4] = ["format.js", "chart.js", "live.js", "form.js"];

/// URLs carry the version, so a browser may keep assets a while and still
/// never mixes one release's page with another's script.
const CACHE: &str = "public, max-age=3600";

/// The query suffix pages put on asset URLs.
pub const VERSION_QUERY: &str = concat!("?v=", env!("CARGO_PKG_VERSION"));

pub async fn serve(Path(name): Path<String>) -> Response {
    let (body, content_type) = match name.as_str() {
        "format.js" => (FORMAT_JS, JS),
        "chart.js" => (CHART_JS, JS),
        "live.js" => (LIVE_JS, JS),
        "form.js" => (FORM_JS, JS),
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "icon.svg" => (ICON_SVG, "image/svg+xml"),
        _ => return (StatusCode::NOT_FOUND, "no such asset\n").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, CACHE),
        ],
        body,
    )
        .into_response()
}
