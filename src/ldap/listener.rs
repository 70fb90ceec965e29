//! The LDAP accept loop and the per-connection loop: framing with a message
//! size cap, a cap on concurrent connections, an idle timeout, one tracing span
//! per connection, and a Notice of Disconnection (never a silent drop) when the
//! server closes a connection: oversized or malformed message, idle, shutdown.

use super::extended::notice_of_disconnection;
use super::session::{Context, Next, Session};
use futures_util::{SinkExt, StreamExt};
use ldap3_proto::LdapCodec;
use ldap3_proto::proto::{LdapMsg, LdapResultCode};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::codec::Framed;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

/// Accepts connections until `shutdown`, each served on its own task.
pub async fn serve(
    listener: TcpListener,
    ctx: Arc<Context>,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    let slots = Arc::new(Semaphore::new(ctx.cfg.max_connections.max(1)));
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
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracker.spawn(refuse(stream, peer));
            continue;
        };
        let ctx = ctx.clone();
        let stop = shutdown.clone();
        let span = tracing::info_span!("ldap", %peer);
        tracker.spawn(
            async move {
                tracing::debug!("connected");
                let session = Session::new(ctx, peer, false);
                connection(stream, session, stop).await;
                tracing::debug!("closed");
                drop(permit);
            }
            .instrument(span),
        );
    }
}

/// Over the connection cap: say so, then close.
async fn refuse<S: AsyncRead + AsyncWrite + Unpin>(stream: S, peer: SocketAddr) {
    tracing::warn!(%peer, "connection refused: ldap.max_connections reached");
    let mut framed = Framed::new(stream, LdapCodec::default());
    let _ = framed
        .send(notice_of_disconnection(
            LdapResultCode::Busy,
            "too many connections",
        ))
        .await;
}

/// Serves one connection until it closes.
async fn connection<S>(stream: S, mut session: Session, shutdown: CancellationToken)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let codec = LdapCodec::new(Some(session.ctx.cfg.max_message_bytes), None);
    let mut framed = Framed::new(stream, codec);
    loop {
        let msg = match next_message(&mut framed, &session, &shutdown).await {
            Incoming::Msg(m) => m,
            Incoming::Closed => return,
            Incoming::Notice(code, why) => {
                tracing::info!(reason = why, "closing connection");
                let _ = framed.send(notice_of_disconnection(code, why)).await;
                return;
            }
        };
        let reply = session.handle(msg).await;
        for m in reply.msgs {
            if framed.feed(m).await.is_err() {
                return;
            }
        }
        if framed.flush().await.is_err() {
            return;
        }
        match reply.next {
            Next::Continue => {}
            Next::Close => return,
            Next::StartTls => {
                tracing::warn!("StartTLS requested but TLS is not wired on this listener");
                return;
            }
        }
    }
}

enum Incoming {
    Msg(LdapMsg),
    Closed,
    Notice(LdapResultCode, &'static str),
}

async fn next_message<S>(
    framed: &mut Framed<S, LdapCodec>,
    session: &Session,
    shutdown: &CancellationToken,
) -> Incoming
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let idle = session.ctx.cfg.idle_timeout;
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
            None => Incoming::Notice(LdapResultCode::Unavailable, "idle timeout"),
            Some(None) => Incoming::Closed,
            Some(Some(Ok(msg))) => Incoming::Msg(msg),
            Some(Some(Err(e))) if e.kind() == std::io::ErrorKind::OutOfMemory => {
                Incoming::Notice(LdapResultCode::ProtocolError, "message too large (ldap.max_message_bytes)")
            }
            Some(Some(Err(_))) => Incoming::Notice(LdapResultCode::ProtocolError, "malformed LDAP message"),
        },
    }
}
