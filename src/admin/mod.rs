//! The admin API (`/admin/v1`, JSON): organizations, suffixes, users, roles,
//! administrators, service accounts, tokens, registration, reports and the audit
//! trail, for the system administrator, Organization Administrators and
//! Delegated Administrators.
//! A thin front end: each handler parses its input into core types, calls one
//! core use case with the caller's [`Request`](crate::directory::Request) and
//! renders the answer. Access decisions and auditing happen in the core.
//!
//! - `imports`: bulk import (preview, confirm, report, template);
//! - `auth`: the credential → actor step; `error`: the one error mapping;
//! - `openapi`: the route table, and the OpenAPI document built from it;
//! - `views`: how records look in JSON; `input`: body and query parsing;
//! - `orgs`, `users`, `roles`, `admins`, `tokens`, `audit`, `notices`,
//!   `reports`, `export` (LDIF), `backup`, `apps` (applications),
//!   `requests` (access requests): routes, one file each.

mod admins;
mod apps;
mod audit;
pub mod auth;
mod backup;
pub mod error;
mod export;
pub mod imports;
mod input;
mod notices;
mod openapi;
mod orgs;
mod password_reset;
mod posix;
mod profile;
pub(crate) mod reports;
mod requests;
mod roles;
mod second_factor;
mod tokens;
mod user_change;
mod user_fields;
mod users;
pub(crate) mod views;

use crate::directory::{Directory, Result as CoreResult};
use crate::ldap::tree::Tree;
use axum::routing::get;
use axum::{Json, Router};
use error::ApiResult;
use openapi::{Op, Routes};
use std::sync::Arc;

/// What the admin handlers need: the directory, and the tree to resolve bind DNs.
#[derive(Clone)]
pub struct AdminState {
    pub dir: Directory,
    pub tree: Arc<Tree>,
    /// Bulk import previews, kept between a preview and its confirm.
    pub imports: crate::import::Imports,
}

impl axum::extract::FromRef<AdminState> for crate::import::Imports {
    fn from_ref(s: &AdminState) -> Self {
        s.imports.clone()
    }
}

/// The admin API's routes, relative to `/admin/v1`, ready to nest into the
/// HTTP application whatever its state type; `GET /openapi.json` describes them.
pub fn router<S: Clone + Send + Sync + 'static>(
    dir: Directory,
    tree: Tree,
    imports: crate::import::Imports,
) -> Router<S> {
    let state = AdminState {
        dir,
        tree: Arc::new(tree),
        imports,
    };
    let (router, doc) = routes().finish();
    let doc = Arc::new(doc);
    // The import routes take the caller from the request extensions, where
    // this layer puts it after the same authentication as every other call.
    let imports = imports::routes::<AdminState>().route_layer(
        axum::middleware::from_fn_with_state(state.clone(), authenticated),
    );
    router
        .merge(imports)
        .route(
            "/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { Json((*doc).clone()) }
            }),
        )
        .fallback(no_route)
        .with_state(state)
}

/// Authenticates the caller and hands its core request to the handler.
async fn authenticated(
    auth::Caller(req): auth::Caller,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    request.extensions_mut().insert(req);
    next.run(request).await
}

/// Unknown paths under `/admin/v1` answer in the API's error shape.
async fn no_route() -> error::ApiError {
    error::ApiError::Core(crate::directory::Error::not_found(
        "route (the routes are listed in /admin/v1/openapi.json)",
    ))
}

/// Every documented route.
fn routes() -> Routes {
    orgs::routes()
        .merge(users::routes())
        .merge(password_reset::routes())
        .merge(second_factor::routes())
        .merge(roles::routes())
        .merge(apps::routes())
        .merge(requests::routes())
        .merge(admins::routes())
        .merge(tokens::routes())
        .merge(audit::routes())
        .merge(notices::routes())
        .merge(backup::routes())
        .merge(reports::routes())
        .merge(export::routes())
        .describe(Op::get("/openapi.json", "This document").public())
}

/// Runs a core use case off the async workers and lifts its error.
pub(crate) async fn run<T, F>(state: &AdminState, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Directory) -> CoreResult<T> + Send + 'static,
{
    Ok(state.dir.blocking(f).await?)
}
