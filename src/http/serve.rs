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
//! - `[http] tls`: the listener speaks HTTPS with the LDAP certificate
//!   (`crate::tls`, reloaded on SIGHUP); the handshake is bounded by the
//!   header timeout.
//!
//! Each request gets the client address as axum's `ConnectInfo` (the audit
//! trail records it). Shutdown: no new connections; open ones finish their
//! request and close.

use super::limit::{Conn, Limited};
use crate::tls::Tls;
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
use std::sync::Arc;
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

/// How connections are served: their timeouts, and TLS when the listener
/// is HTTPS (the certificate LDAPS uses, reloaded with it).
#[derive(Clone)]
pub struct Options {
    pub timeouts: Timeouts,
    pub tls: Option<Arc<Tls>>,
}

/// How long a TLS handshake may take when no header timeout is set.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Accepts connections until `shutdown`, each served on its own task.
pub async fn serve(
    mut listener: Limited,
    app: Router,
    options: Options,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    loop {
        let (io, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let span = tracing::debug_span!("http", %peer);
        let served = accept(io, peer, app.clone(), options.clone(), shutdown.clone());
        tracker.spawn(served.instrument(span));
    }
}

/// Completes the TLS handshake when the listener is HTTPS (bounded like a
/// request head: a client that never finishes it holds no place for long),
/// then serves the connection.
async fn accept(
    io: Conn,
    peer: SocketAddr,
    app: Router,
    options: Options,
    shutdown: CancellationToken,
) {
    let timeouts = options.timeouts;
    let Some(tls) = options.tls else {
        return connection(io, peer, app, timeouts, shutdown).await;
    };
    let limit = nonzero(timeouts.header).unwrap_or(HANDSHAKE_TIMEOUT);
    match tokio::time::timeout(limit, tls.acceptor().accept(io)).await {
        Ok(Ok(stream)) => connection(stream, peer, app, timeouts, shutdown).await,
        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!("TLS handshake timed out"),
    }
}

/// Serves one connection until it closes, times out or shutdown ends it.
async fn connection<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    timeouts: Timeouts,
    shutdown: CancellationToken,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
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
