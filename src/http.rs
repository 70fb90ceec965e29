//! The HTTP listener: one axum router for everything served over HTTP. For now
//! `GET /healthz`, which proves the store answers; the admin API (`/admin/v1`)
//! and SCIM (`/scim/v2`) mount here as they arrive.

use crate::directory::Directory;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::json;

/// The whole HTTP application.
pub fn app(directory: Directory) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/scim/v2", crate::scim::router())
        .with_state(directory)
}

/// 200 when a read transaction on the store succeeds, 503 otherwise.
async fn healthz(State(dir): State<Directory>) -> impl IntoResponse {
    let probe = dir
        .blocking(|d| Ok(d.store().read(|tx| tx.last_seq())?))
        .await;
    match probe {
        Ok(seq) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "changes": seq})),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
        }
    }
}
