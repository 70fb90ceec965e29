//! The HTTP listener's limits against a running dirgate, over raw TCP (every
//! test connection comes from 127.0.0.1): the per-address connection cap.

mod common;

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `GET /healthz` on a fresh connection and returns the status line.
async fn healthz(addr: std::net::SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut reply = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut reply))
        .await
        .expect("/healthz answered")
        .unwrap();
    let reply = String::from_utf8_lossy(&reply);
    reply.lines().next().unwrap_or_default().to_owned()
}

/// Whether the server closed `s` (or reset it) within two seconds.
async fn closed_soon(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await;
    matches!(read, Ok(Ok(0)) | Ok(Err(_)))
}

/// `[http] max_connections_per_address`: a connection over it is closed at
/// once; closing one makes room again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_per_address_cap_are_closed() {
    let l = common::server::start("[http]\nmax_connections_per_address = 2\n").await;
    let addr = l.server.http_addr;
    let first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    // Give the server a moment to accept both.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    assert!(
        closed_soon(&mut third).await,
        "the third connection stayed open"
    );
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(healthz(addr).await.starts_with("HTTP/1.1 200"));
}
