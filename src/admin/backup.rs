//! The backup route (`GET /backup`): the whole store as a dirgate backup
//! (see `store::backup`), streamed while it is written from one read
//! snapshot, so a large directory needs no room in memory or on the
//! server's disk. Who may take one is asked before the answer starts (a
//! refusal is a proper 403); a failure midway aborts the stream, and the
//! missing checksum tells the client (`dirgate backup` checks it).

use super::auth::Caller;
use super::error::ApiResult;
use super::openapi::{Op, Routes};
use super::{AdminState, run};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::io::Write;
use tokio::sync::mpsc;

/// Bytes gathered before a chunk goes to the client.
const CHUNK: usize = 256 * 1024;

pub fn routes() -> Routes {
    Routes::new().add(
        Op::get(
            "/backup",
            "A backup of the whole store (system administrator)",
        )
        .answers("application/octet-stream"),
        backup,
    )
}

type Chunk = Result<Bytes, std::io::Error>;

/// Hands what the dump writes to the response body, a chunk at a time; a
/// client that went away makes the next write fail, which ends the dump.
struct Chunks {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the client went away"))
    }
}

async fn backup(State(s): State<AdminState>, Caller(req): Caller) -> ApiResult<Response> {
    let asked = req.clone();
    run(&s, move |d| d.may_back_up(&asked)).await?;
    let (tx, mut rx) = mpsc::channel::<Chunk>(4);
    let dir = s.dir.clone();
    tokio::task::spawn_blocking(move || {
        let out = Chunks {
            tx: tx.clone(),
            buf: Vec::new(),
        };
        let failed = match dir.backup(&req, out) {
            Ok((_, mut out)) => out.flush().err().map(|e| e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(e) = failed {
            tracing::error!(error = %e, "backup not finished");
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let headers = [
        (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"dirgate-{stamp}.backup\""),
        ),
    ];
    Ok((headers, Body::from_stream(stream)).into_response())
}
