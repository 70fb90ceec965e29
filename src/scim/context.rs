//! What every SCIM handler starts from: the authenticated core request (with
//! the client's socket address as its audit origin), the service's base URL
//! for `location` and `$ref`, and the body read as JSON.

use super::auth::authenticate;
use super::config::ScimConfig;
use super::error::{ScimError, ScimResult};
use crate::directory::{Directory, Request};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde_json::Value;
use std::net::SocketAddr;
use uuid::Uuid;

/// An authenticated SCIM call.
pub struct Call {
    pub dir: Directory,
    pub req: Request,
    /// `http(s)://host/scim/v2`.
    pub base: String,
    /// The configured limits (defaults when the router runs without them).
    pub limits: ScimConfig,
}

/// Handlers take a `Call` as an extractor: a missing or wrong token answers
/// 401 before anything else is read.
impl FromRequestParts<Directory> for Call {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, dir: &Directory) -> ScimResult<Call> {
        // The server runs with connection info; `oneshot` tests run without.
        let source = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.to_string());
        let req = authenticate(dir, &parts.headers, source)?;
        Ok(Call {
            dir: dir.clone(),
            req,
            base: base_url(&parts.headers),
            limits: parts
                .extensions
                .get::<ScimConfig>()
                .copied()
                .unwrap_or_default(),
        })
    }
}

impl Call {
    /// Runs a core use case off the async workers, as this call's request.
    pub async fn run<T, F>(&self, f: F) -> ScimResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Directory, &Request) -> crate::directory::Result<T> + Send + 'static,
    {
        let req = self.req.clone();
        Ok(self.dir.blocking(move |d| f(d, &req)).await?)
    }

    /// Runs a read that touches a handful of records (one resource by id, an
    /// index lookup) right here, as this call's request: its read transaction
    /// costs less than the hop to the blocking pool, as for LDAP's small
    /// searches (`ldap::ops::execute`). Scans and writes go through [`Self::run`].
    pub fn read_here<T>(
        &self,
        f: impl FnOnce(&Directory, &Request) -> crate::directory::Result<T>,
    ) -> ScimResult<T> {
        Ok(f(&self.dir, &self.req)?)
    }

    /// Like [`Self::run`] for a change guarded by `If-Match`: the core refuses
    /// a stale version inside its transaction with `Conflict`, which is 412 here.
    pub async fn run_guarded<T, F>(&self, guarded: bool, f: F) -> ScimResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Directory, &Request) -> crate::directory::Result<T> + Send + 'static,
    {
        let req = self.req.clone();
        match self.dir.blocking(move |d| f(d, &req)).await {
            Err(crate::directory::Error::Conflict(_)) if guarded => {
                Err(ScimError::precondition_failed())
            }
            other => Ok(other?),
        }
    }
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("http");
    format!("{proto}://{host}/scim/v2")
}

/// The request body as JSON, or invalidSyntax.
pub fn json_body(body: &Bytes) -> ScimResult<Value> {
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("the body is not valid JSON: {e}")))
}

/// A resource id from the path; anything that is not one of ours is unknown.
pub fn resource_id(id: &str) -> ScimResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ScimError::not_found(format!("resource {id} not found")))
}
