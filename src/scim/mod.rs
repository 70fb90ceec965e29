//! The SCIM 2.0 front end (RFC 7643, RFC 7644) mounted at `/scim/v2`: Users,
//! Groups (an organization's roles), `/.search`, and the discovery endpoints.
//! A bearer token becomes a core request; everything it may do, and every
//! change, is the core's (`directory/`). This module only translates: SCIM JSON
//! to core values and back, filters, paging, PATCH, ETags and error bodies.
//!
//! - `filter`: the filter and PATCH path parser; `eval`: filters on resources;
//! - `list`, `project`: paging, sorting, attribute selection; `patch`: PATCH;
//! - `users`, `groups`, `discovery`: the endpoints; `user_json`, `group_json`:
//!   resources both ways (`posix`, `certificates`: the parts kept as LDAP
//!   attributes); `schema`: what is served, as data;
//! - `auth`, `context`, `error`, `response`, `json`, `time`: plumbing;
//!   `config`: the `[scim]` settings (the `tooMany` bound).

pub mod auth;
pub mod certificates;
pub mod config;
pub mod context;
pub mod discovery;
pub mod error;
pub mod eval;
pub mod filter;
pub mod group_json;
pub mod groups;
pub mod json;
pub mod known;
pub mod list;
pub mod patch;
pub mod posix;
pub mod project;
pub mod response;
pub mod schema;
pub mod time;
pub mod user_json;
pub mod users;

use crate::directory::Directory;
use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use context::{Call, json_body};
use error::{ScimError, ScimResult};
use serde_json::{Value, json};

/// The routes under `/scim/v2`.
pub fn router() -> Router<Directory> {
    Router::new()
        .route(
            "/Users",
            get(users::list).post(users::create).fallback(not_allowed),
        )
        .route("/Users/.search", post(users::search).fallback(not_allowed))
        .route(
            "/Users/{id}",
            get(users::get_one)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete)
                .fallback(not_allowed),
        )
        .route(
            "/Groups",
            get(groups::list).post(groups::create).fallback(not_allowed),
        )
        .route(
            "/Groups/.search",
            post(groups::search).fallback(not_allowed),
        )
        .route(
            "/Groups/{id}",
            get(groups::get_one)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete)
                .fallback(not_allowed),
        )
        .route("/.search", post(root_search).fallback(not_allowed))
        .route(
            "/ServiceProviderConfig",
            read_only(get(discovery::service_provider_config)),
        )
        .route(
            "/ResourceTypes",
            read_only(get(discovery::resource_type_list)),
        )
        .route(
            "/ResourceTypes/{id}",
            read_only(get(discovery::resource_type)),
        )
        .route("/Schemas", read_only(get(discovery::schema_list)))
        .route("/Schemas/{id}", read_only(get(discovery::schema_one)))
        .fallback(unknown_route)
}

fn read_only(r: MethodRouter<Directory>) -> MethodRouter<Directory> {
    r.fallback(not_allowed)
}

async fn not_allowed() -> ScimError {
    ScimError::method_not_allowed()
}

async fn unknown_route() -> ScimError {
    ScimError::not_found("no such SCIM endpoint")
}

/// `POST /.search` at the root: Users and Groups together, users first.
async fn root_search(call: Call, body: Bytes) -> ScimResult<Response> {
    let q = list::ListQuery::from_search(&json_body(&body)?)?;
    let params = q.params()?;
    // Each type is filtered and sorted on its own; the page is cut from the union.
    let whole = list::ListParams {
        start: 1,
        count: usize::MAX,
        ..params.clone()
    };
    let u = users::search_users_with(&call, &whole).await?;
    let g = groups::search_groups_with(&call, &whole).await?;
    let mut all: Vec<Value> = Vec::new();
    for part in [&u, &g] {
        if let Some(items) = part["Resources"].as_array() {
            all.extend(items.iter().cloned());
        }
    }
    let total = all.len();
    list::check_matches(&params, total, call.limits.max_filter_matches)?;
    let page: Vec<Value> = all
        .into_iter()
        .skip(params.start - 1)
        .take(params.count)
        .collect();
    let body = json!({
        "schemas": [schema::LIST], "totalResults": total, "startIndex": params.start,
        "itemsPerPage": page.len(), "Resources": page,
    });
    Ok(response::scim_json(StatusCode::OK, &body))
}
