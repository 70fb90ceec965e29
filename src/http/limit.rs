//! The HTTP listener's connection caps (`[http] max_connections` and
//! `max_connections_per_address`, see [`crate::conn_limit`]). Each accepted
//! connection holds its place until it closes; a connection over either cap
//! is closed at once. Without the caps, a client opening connections and
//! holding them could take every slot, or use up the process's file
//! descriptors, and with them the LDAP listener's.

use crate::conn_limit::{Caps, Held};
use axum::serve::Listener;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener that hands out only connections within its caps.
pub struct Limited {
    inner: TcpListener,
    caps: Arc<Caps>,
}

/// An accepted connection with the place it holds until it is dropped.
pub struct Conn {
    io: TcpStream,
    _held: Held,
}

impl Limited {
    pub fn new(inner: TcpListener, caps: Arc<Caps>) -> Limited {
        Limited { inner, caps }
    }

    /// The next connection within the caps; those over them are closed (the
    /// caps log them).
    pub async fn accept(&mut self) -> (Conn, SocketAddr) {
        loop {
            // axum's accept for TcpListener logs and retries failed accepts
            // (pausing when file descriptors run out).
            let (io, peer) = Listener::accept(&mut self.inner).await;
            if let Ok(held) = self.caps.admit(peer) {
                return (Conn { io, _held: held }, peer);
            }
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
