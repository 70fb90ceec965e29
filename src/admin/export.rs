//! The export route (`GET /export`): the whole directory, or one
//! organization with `?organization=NAME`, as LDIF (`text/ldif`) that
//! slapadd and `dirgate load-ldif` both take, holding what the caller may
//! read; password hashes (and service accounts, which need theirs) only
//! for the system administrator, by the policy. `ldap::export` builds it.

use super::auth::Caller;
use super::error::ApiResult;
use super::input::Query;
use super::openapi::{Op, Routes};
use super::{AdminState, run};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;

/// The media type of LDIF (RFC 2849 registers none; `text/ldif` is what
/// tools send and accept).
pub const LDIF: &str = "text/ldif";

pub fn routes() -> Routes {
    Routes::new().add(
        Op::get("/export", "The directory, or one organization, as LDIF")
            .query::<Params>()
            .answers(LDIF),
        export,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Export this organization only (default: the whole directory).
    organization: Option<String>,
}

async fn export(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Query(p): Query<Params>,
) -> ApiResult<Response> {
    let tree = s.tree.clone();
    let org = p.organization;
    let out = run(&s, move |d| {
        crate::ldap::export::export(d, &tree, &req, org.as_deref())
    })
    .await?;
    let headers = [
        (header::CONTENT_TYPE, format!("{LDIF}; charset=utf-8")),
        (
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"dirgate.ldif\"".to_owned(),
        ),
    ];
    Ok((headers, out.ldif).into_response())
}
