//! `GET /api/nodes`: the cluster's nodes, this one included.

use axum::extract::State;
use axum::Json;

use crate::app::App;
use crate::node::NodeInfo;

pub async fn list(State(app): State<App>) -> Json<Vec<NodeInfo>> {
    Json(app.registry.nodes())
}
