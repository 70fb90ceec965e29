//! `/metrics` (on the HTTP listener, or on `[metrics] listen`) and the
//! counting of every HTTP request.
//! [`instrument`] wraps the whole application: each request is counted by
//! its route's template and status, with its latency; the exposition is
//! served when `[metrics] enabled` (the default), behind `[metrics] token`
//! when one is set (compared in constant time; a wrong or missing one gets
//! 401 with no detail).

use crate::metrics::config::MetricsConfig;
use crate::metrics::{CONTENT_TYPE, Metrics};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use std::time::Instant;

/// What the `/metrics` handler needs.
#[derive(Clone)]
struct Exposition {
    metrics: Arc<Metrics>,
    token: Option<Arc<str>>,
}

/// `app` with `/metrics` (when enabled and not on a listener of its own)
/// and every request counted.
pub fn instrument(app: Router, metrics: Arc<Metrics>, cfg: &MetricsConfig) -> Router {
    let app = if cfg.enabled && cfg.listen.is_none() {
        app.merge(exposition(metrics.clone(), cfg))
    } else {
        app
    };
    app.layer(axum::middleware::from_fn_with_state(metrics, track))
}

/// `/metrics` alone: what `[metrics] listen` serves, or the HTTP listener.
pub fn exposition(metrics: Arc<Metrics>, cfg: &MetricsConfig) -> Router {
    let exposition = Exposition {
        metrics,
        token: cfg.token.as_deref().map(Arc::from),
    };
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(exposition)
}

/// Counts one request: its route's template (never the path: ids and
/// logins would make a series each), status and latency.
async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let response = next.run(req).await;
    metrics.http_request(&route, response.status().as_u16(), start.elapsed());
    response
}

/// Whether the request carries the configured token.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    use crate::directory::password::{ct_eq, sha256};
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    ct_eq(&sha256(presented), &sha256(token))
}

async fn scrape(State(e): State<Exposition>, headers: HeaderMap) -> Response {
    if let Some(token) = &e.token
        && !authorized(&headers, token)
    {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"dirgate metrics\"")],
        )
            .into_response();
    }
    let metrics = e.metrics.clone();
    match tokio::task::spawn_blocking(move || metrics.render()).await {
        Ok(Ok(text)) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        _ => {
            tracing::error!("metrics exposition failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
