//! The HTTP listener: one axum router for everything served over HTTP:
//! `GET /healthz`, which proves the store answers, `GET /readyz` (whether
//! to send the node work), `/metrics` (`metrics`:
//! Prometheus, and the count of every request), the admin API
//! (`/admin/v1`, bulk import included), SCIM (`/scim/v2`) and the web
//! console (`/`). `same_origin` refuses cross-site unsafe requests to the
//! admin API and the console; `limit` caps connections; `serve` runs them,
//! with timeouts.

use crate::directory::Directory;
use crate::ldap::tree::Tree;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::json;

pub mod limit;
pub mod metrics;
pub mod same_origin;
pub mod serve;

/// The whole HTTP application.
pub fn app(directory: Directory, tree: Tree, imports: crate::import::Imports) -> Router {
    // What a browser reaches with credentials it holds (the session cookie,
    // cached Basic credentials) refuses unsafe requests from other sites.
    let browser_reachable = Router::new()
        .nest(
            "/admin/v1",
            crate::admin::router(directory.clone(), tree.clone(), imports.clone()),
        )
        .merge(crate::console::router(directory.clone(), tree, imports))
        .layer(axum::middleware::from_fn(same_origin::guard))
        .layer(axum::middleware::from_fn_with_state(
            directory.clone(),
            await_head,
        ));
    let scim = crate::scim::router().layer(axum::middleware::from_fn_with_state(
        directory.clone(),
        scim_await_head,
    ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest("/scim/v2", scim)
        .merge(browser_reachable)
        .with_state(directory)
}

/// With `cluster.consistent_reads`, a request waits until the node holds
/// every write acknowledged in its server set before it came (503 when it
/// cannot); otherwise it goes straight on.
async fn await_head(
    State(dir): State<Directory>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match head_refusal(&dir).await {
        Some(e) => crate::admin::error::ApiError::Core(e).into_response(),
        None => next.run(req).await,
    }
}

/// [`await_head`] for SCIM, refusing with an RFC 7644 error body.
async fn scim_await_head(
    State(dir): State<Directory>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match head_refusal(&dir).await {
        Some(e) => crate::scim::error::ScimError::from(e).into_response(),
        None => next.run(req).await,
    }
}

/// Waits for the head when the node must; why it could not.
async fn head_refusal(dir: &Directory) -> Option<crate::directory::error::Error> {
    if !dir.waits_for_head() {
        return None;
    }
    dir.blocking(|d| d.await_head()).await.err()
}

/// In a server set, the node `/healthz` reports on.
pub type Node = Option<std::sync::Arc<crate::cluster::node::View>>;

/// 200 when a read transaction on the store succeeds, 503 otherwise; in a
/// server set also the node's state: its log position, the log's head in
/// etcd and whether it is behind, or `cut-off` when etcd does not answer
/// (the node then takes no writes), and how stale it is (past
/// `cluster.max_staleness_secs` it answers no reads, and this is 503).
async fn healthz(
    State(dir): State<Directory>,
    node: Option<axum::Extension<Node>>,
) -> impl IntoResponse {
    let (probe, cluster) = look(dir, node).await;
    let (status, mut body) = match probe {
        Ok(seq) => (StatusCode::OK, json!({"status": "ok", "changes": seq})),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "unavailable"}),
            )
        }
    };
    if let Some(c) = cluster {
        body["cluster"] = serde_json::to_value(c).unwrap_or_default();
    }
    (status, Json(body))
}

/// Whether to send this node work: 200 when it answers reads and takes
/// writes; in a server set 503 while it is cut off from etcd or staler
/// than its bound (`/healthz` stays 200 while reads still work, so a
/// supervisor does not restart a node that is merely cut off).
async fn readyz(
    State(dir): State<Directory>,
    node: Option<axum::Extension<Node>>,
) -> impl IntoResponse {
    let (probe, cluster) = look(dir, node).await;
    let ready = probe.is_ok() && cluster.as_ref().is_none_or(|c| c.ready());
    let mut body = json!({"ready": ready});
    if let Some(c) = cluster {
        body["cluster"] = serde_json::to_value(c).unwrap_or_default();
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

/// A read of the store, and the node's state in a server set.
async fn look(
    dir: Directory,
    node: Option<axum::Extension<Node>>,
) -> (
    crate::directory::error::Result<u64>,
    Option<crate::cluster::node::Status>,
) {
    let probe = dir
        .blocking(|d| Ok(d.store().read(|tx| tx.last_seq())?))
        .await;
    let cluster = match node.and_then(|axum::Extension(n)| n) {
        Some(view) => tokio::task::spawn_blocking(move || view.status())
            .await
            .ok(),
        None => None,
    };
    (probe, cluster)
}
