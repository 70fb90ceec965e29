//! The HTTP listener's limits against a running dirgate, over raw TCP: the
//! per-address connection cap, and the header, keep-alive and body timeouts
//! that close connections sending too little (slowloris). Test connections
//! come from 127.0.0.1 unless bound to another loopback address (127.0.0.2),
//! which is how a second client is played.

mod common;

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A connection to `addr` from the loopback address `from`.
async fn connect_from(from: &str, addr: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(from.parse().unwrap(), 0))
        .unwrap();
    socket.connect(addr).await.unwrap()
}

/// Sends `GET /healthz` on a fresh connection from `from` and returns the
/// status line.
async fn healthz_from(from: &str, addr: SocketAddr) -> String {
    let mut s = connect_from(from, addr).await;
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

async fn healthz(addr: SocketAddr) -> String {
    healthz_from("127.0.0.1", addr).await
}

/// Whether the server closed `s` (or reset it) within `secs` seconds; what it
/// sent before closing is skipped.
async fn closed_within(s: &mut TcpStream, secs: u64) -> bool {
    let mut buf = [0u8; 1024];
    let until = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(until, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

async fn closed_soon(s: &mut TcpStream) -> bool {
    closed_within(s, 2).await
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

/// Slowloris: connections that send half a request line hold their places
/// only until `[http] header_timeout_secs`; while they do, the per-address cap
/// keeps the listener open to other clients.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_requests_are_closed_and_do_not_lock_others_out() {
    let cfg = "[http]\nmax_connections_per_address = 4\nheader_timeout_secs = 1\n";
    let l = common::server::start(cfg).await;
    let addr = l.server.http_addr;
    let mut slow = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /heal").await.unwrap();
        slow.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fifth = TcpStream::connect(addr).await.unwrap();
    assert!(closed_soon(&mut fifth).await, "over the per-address cap");
    // Another client is served meanwhile.
    assert!(
        healthz_from("127.0.0.2", addr)
            .await
            .starts_with("HTTP/1.1 200")
    );
    for s in &mut slow {
        assert!(closed_within(s, 5).await, "a half request stayed open");
    }
    assert!(healthz(addr).await.starts_with("HTTP/1.1 200"));
}

/// An idle keep-alive connection is closed after `header_timeout_secs`, the
/// time the server waits for the next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_are_closed() {
    let l = common::server::start("[http]\nheader_timeout_secs = 1\n").await;
    let mut s = TcpStream::connect(l.server.http_addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    assert!(
        closed_within(&mut s, 5).await,
        "the idle connection stayed open"
    );
}

/// A request body that stops arriving fails after `body_timeout_secs`: the
/// request is answered with an error and the connection closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_ends_is_cut_off() {
    use base64::Engine;
    let l = common::server::start("[http]\nbody_timeout_secs = 1\n").await;
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", l.admin_dn, l.admin_pw));
    let mut s = TcpStream::connect(l.server.http_addr).await.unwrap();
    let head = format!(
        "POST /admin/v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut reply)).await;
    assert!(read.is_ok(), "the connection waited for the body");
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 4"), "{reply}");
}
