//! Serving the HTTP listener: the accept loop over the capped listener
//! ([`super::limit`]), and for each connection hyper's HTTP/1.1 server with
//! the timeouts `axum::serve` cannot set. Without them a connection that
//! sends nothing, half a request line or a body that never ends holds its
//! place forever, and enough of them take the listener down for everyone.
//!
//! - `[http] header_timeout_secs`: a request's head (request line and headers)
//!   must be complete this long after the connection opens or after the
//!   previous response; hyper's header read timer starts whenever the
//!   connection waits for a request, so this is also the keep-alive idle
//!   timeout. Then the connection is closed.
//! - `[http] body_timeout_secs`: a request's body must be complete this long
//!   after its head; then reading it fails, the handler answers an error and
//!   the connection is closed.
//!
//! Each request gets the client address as axum's `ConnectInfo` (the audit
//! trail records it). Shutdown: no new connections; open ones finish their
//! request and close.

use super::limit::{Conn, Limited};
use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::Request;
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_service::Service;
use tracing::Instrument;

/// The HTTP timeouts (zero = none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub header: Duration,
    pub body: Duration,
}

/// Accepts connections until `shutdown`, each served on its own task.
pub async fn serve(
    mut listener: Limited,
    app: Router,
    timeouts: Timeouts,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    loop {
        let (io, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let span = tracing::debug_span!("http", %peer);
        let served = connection(io, peer, app.clone(), timeouts, shutdown.clone());
        tracker.spawn(served.instrument(span));
    }
}

/// Serves one connection until it closes, times out or shutdown ends it.
async fn connection(
    io: Conn,
    peer: SocketAddr,
    app: Router,
    timeouts: Timeouts,
    shutdown: CancellationToken,
) {
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let req = prepare(req, peer, timeouts.body);
        // Router is always ready: no poll_ready needed before call.
        app.clone().call(req)
    });
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new());
    builder.header_read_timeout(nonzero(timeouts.header));
    let mut conn = pin!(builder.serve_connection(TokioIo::new(io), service));
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        _ = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, "connection ended");
    }
}

/// Gives the request the client's address and a body that fails once the
/// body timeout has passed.
fn prepare(req: Request<Incoming>, peer: SocketAddr, body_timeout: Duration) -> Request<Body> {
    let empty = req.body().size_hint().exact() == Some(0);
    let mut req = req.map(Body::new);
    req.extensions_mut().insert(ConnectInfo(peer));
    match nonzero(body_timeout) {
        Some(limit) if !empty => req.map(|body| with_deadline(body, limit)),
        _ => req,
    }
}

/// `body`, failing with "request body timeout" if it is not complete within
/// `limit`. A deadline for the whole body, not for each read: a client
/// sending a byte now and then would otherwise never time out.
fn with_deadline(body: Body, limit: Duration) -> Body {
    let deadline = tokio::time::Instant::now() + limit;
    let chunks =
        futures_util::stream::unfold(Some(body.into_data_stream()), move |state| async move {
            let mut stream = state?;
            match tokio::time::timeout_at(deadline, stream.next()).await {
                Ok(Some(chunk)) => Some((chunk.map_err(axum::BoxError::from), Some(stream))),
                Ok(None) => None,
                Err(_) => Some((Err("request body timeout".into()), None)),
            }
        });
    Body::from_stream(chunks)
}

fn nonzero(d: Duration) -> Option<Duration> {
    (!d.is_zero()).then_some(d)
}
