//! The LDAP accept loop and the per-connection loop: framing with a message
//! size cap, caps on concurrent connections (in all and per client address,
//! see [`crate::conn_limit`]), an idle timeout (a shorter one
//! until the connection binds), one tracing span per connection, and a Notice
//! of Disconnection (never a silent drop) when the server closes a connection:
//! oversized or malformed message, idle, shutdown.

use super::codec::Codec;
use super::extended::notice_of_disconnection;
use super::session::{Context, Next, Session};
use crate::conn_limit::{Caps, Refused};
use crate::directory::acl::ActorKind;
use futures_util::{SinkExt, StreamExt};
use ldap3_proto::proto::{LdapMsg, LdapResultCode};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

/// Plain LDAP (with StartTLS) or LDAPS (TLS from the first byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Ldaps,
}

/// Accepts connections until `shutdown`, each served on its own task. Both
/// listeners share one set of connection caps.
pub async fn serve(
    listener: TcpListener,
    mode: Mode,
    ctx: Arc<Context>,
    caps: Arc<Caps>,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let permit = match caps.admit(peer) {
            Ok(held) => held,
            Err(why) => {
                tracker.spawn(refuse(stream, why));
                continue;
            }
        };
        let ctx = ctx.clone();
        let stop = shutdown.clone();
        let span = tracing::info_span!("ldap", %peer, ldaps = mode == Mode::Ldaps);
        tracker.spawn(
            async move {
                tracing::debug!("connected");
                match mode {
                    Mode::Plain => connection(stream, Session::new(ctx, peer, false), stop).await,
                    Mode::Ldaps => ldaps(stream, Session::new(ctx, peer, true), stop).await,
                }
                tracing::debug!("closed");
                drop(permit);
            }
            .instrument(span),
        );
    }
}

/// Over a connection cap: say so (if the client reads it within a second;
/// the caps logged the refusal), then close.
async fn refuse<S: AsyncRead + AsyncWrite + Unpin>(stream: S, why: Refused) {
    let reason = match why {
        Refused::Total => "too many connections",
        Refused::PerAddress => "too many connections from this address",
    };
    let mut framed = Framed::new(stream, Codec::new(1 << 16));
    let notice = framed.send(notice_of_disconnection(LdapResultCode::Busy, reason));
    let _ = tokio::time::timeout(Duration::from_secs(1), notice).await;
}

/// How a message loop ended.
enum Ended {
    Closed,
    /// The client asked for StartTLS and was told yes.
    StartTls,
}

/// Serves a plain connection, upgrading it in place on StartTLS.
async fn connection(stream: TcpStream, mut session: Session, shutdown: CancellationToken) {
    let codec = Codec::new(session.ctx.cfg.max_message_bytes);
    let mut framed = Framed::new(stream, codec);
    if let Ended::Closed = messages(&mut framed, &mut session, &shutdown).await {
        return;
    }
    let parts = framed.into_parts();
    // Bytes after the StartTLS request were sent in the clear before the
    // handshake: a client that pipelines there is broken or hostile.
    if !parts.read_buf.is_empty() {
        tracing::warn!("data pipelined after StartTLS; closing");
        return;
    }
    let Some(tls) = session.ctx.tls.clone() else {
        return;
    };
    match tls.acceptor().accept(parts.io).await {
        Ok(stream) => {
            session.tls = true;
            let codec = Codec::new(session.ctx.cfg.max_message_bytes);
            let mut framed = Framed::new(stream, codec);
            messages(&mut framed, &mut session, &shutdown).await;
        }
        Err(e) => tracing::info!(error = %e, "StartTLS handshake failed"),
    }
}

/// Serves an LDAPS connection: TLS from the first byte.
async fn ldaps(stream: TcpStream, mut session: Session, shutdown: CancellationToken) {
    let Some(tls) = session.ctx.tls.clone() else {
        return;
    };
    match tls.acceptor().accept(stream).await {
        Ok(stream) => {
            let codec = Codec::new(session.ctx.cfg.max_message_bytes);
            let mut framed = Framed::new(stream, codec);
            messages(&mut framed, &mut session, &shutdown).await;
        }
        Err(e) => tracing::info!(error = %e, "TLS handshake failed"),
    }
}

/// The message loop: one message in, its responses out, until the connection
/// closes or asks for StartTLS.
async fn messages<S>(
    framed: &mut Framed<S, Codec>,
    session: &mut Session,
    shutdown: &CancellationToken,
) -> Ended
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let msg = match next_message(framed, session, shutdown).await {
            Incoming::Msg(m) => m,
            Incoming::Closed => return Ended::Closed,
            Incoming::Notice(code, why) => {
                tracing::info!(reason = why, "closing connection");
                let _ = framed.send(notice_of_disconnection(code, why)).await;
                return Ended::Closed;
            }
        };
        let reply = session.handle(msg).await;
        if !reply.entries.is_empty() {
            let out = framed.write_buffer_mut();
            if out.is_empty() {
                *out = reply.entries;
            } else {
                out.extend_from_slice(&reply.entries);
            }
        }
        for m in reply.msgs {
            if framed.feed(m).await.is_err() {
                return Ended::Closed;
            }
        }
        if framed.flush().await.is_err() {
            return Ended::Closed;
        }
        match reply.next {
            Next::Continue => {}
            Next::Close => return Ended::Closed,
            Next::StartTls => return Ended::StartTls,
        }
    }
}

enum Incoming {
    Msg(LdapMsg),
    Closed,
    Notice(LdapResultCode, &'static str),
}

async fn next_message<S>(
    framed: &mut Framed<S, Codec>,
    session: &Session,
    shutdown: &CancellationToken,
) -> Incoming
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (idle, why) = idle_limit(session);
    let read = framed.next();
    let timed = async {
        if idle.is_zero() {
            Some(read.await)
        } else {
            tokio::time::timeout(idle, read).await.ok()
        }
    };
    tokio::select! {
        _ = shutdown.cancelled() => Incoming::Notice(LdapResultCode::Unavailable, "server shutting down"),
        got = timed => match got {
            None => Incoming::Notice(LdapResultCode::Unavailable, why),
            Some(None) => Incoming::Closed,
            Some(Some(Ok(msg))) => Incoming::Msg(msg),
            Some(Some(Err(e))) if e.kind() == std::io::ErrorKind::OutOfMemory => {
                Incoming::Notice(LdapResultCode::ProtocolError, "message too large (ldap.max_message_bytes)")
            }
            Some(Some(Err(_))) => Incoming::Notice(LdapResultCode::ProtocolError, "malformed LDAP message"),
        },
    }
}

/// How long this connection may stay silent, and the reason given when it
/// has: until it binds, the short `unbound_idle_timeout` (or `idle_timeout`
/// if that is shorter), so connections opened and left unauthenticated
/// cannot hold the slots for long. Zero means no limit.
fn idle_limit(session: &Session) -> (Duration, &'static str) {
    let cfg = &session.ctx.cfg;
    if !matches!(session.actor.kind, ActorKind::Anonymous) {
        return (cfg.idle_timeout, "idle timeout");
    }
    let shortest = [cfg.unbound_idle_timeout, cfg.idle_timeout]
        .into_iter()
        .filter(|d| !d.is_zero())
        .min()
        .unwrap_or(Duration::ZERO);
    (shortest, "idle timeout (not bound)")
}
