//! The admin API (`/admin/v1`, JSON): organizations, suffixes, users, roles,
//! administrators, service accounts, tokens, registration, reports and the audit
//! trail, for the system administrator, Organization Administrators and
//! Delegated Administrators.
//! A thin front end: each handler parses its input into core types, calls one
//! core use case with the caller's [`Request`](crate::directory::Request) and
//! renders the answer. Access decisions and auditing happen in the core.
//!
//! - `auth`: the credential → actor step; `error`: the one error mapping;
//! - `openapi`: the route table, and the OpenAPI document built from it;
//! - `views`: how records look in JSON; `input`: body and query parsing;
//! - `orgs`, `users`, `roles`, `admins`, `tokens`, `audit`, `reports`: routes,
//!   one file each.

mod admins;
mod audit;
pub mod auth;
pub mod error;
mod input;
mod openapi;
mod orgs;
mod reports;
mod roles;
mod tokens;
mod users;
mod views;

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
}

/// The admin API's routes, relative to `/admin/v1`, ready to nest into the
/// HTTP application whatever its state type; `GET /openapi.json` describes them.
pub fn router<S: Clone + Send + Sync + 'static>(dir: Directory, tree: Tree) -> Router<S> {
    let state = AdminState {
        dir,
        tree: Arc::new(tree),
    };
    let (router, doc) = routes().finish();
    let doc = Arc::new(doc);
    router
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
        .merge(roles::routes())
        .merge(admins::routes())
        .merge(tokens::routes())
        .merge(audit::routes())
        .merge(reports::routes())
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
