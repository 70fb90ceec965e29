//! The audit route (`/audit`): events newest first, by organization, actor,
//! action (exact, or a prefix ending in `.`) and time range, with a limit.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::input::{Query, org_ref, time};
use super::openapi::{Op, Routes};
use super::{AdminState, run, views};
use crate::directory::queries::AuditQuery;
use axum::Json;
use axum::extract::State;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new().add(
        Op::get("/audit", "Audit events, newest first").query::<Params>(),
        query,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Params {
    organization: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    /// Only events about this record (a user's, role's or organization's
    /// id): its history.
    #[serde(rename = "targetId")]
    target_id: Option<String>,
    /// RFC 3339 or milliseconds; inclusive.
    since: Option<String>,
    /// RFC 3339 or milliseconds; exclusive.
    until: Option<String>,
    #[serde(default)]
    limit: usize,
}

async fn query(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Value>> {
    let q = AuditQuery {
        org: p.organization.as_deref().map(org_ref),
        actor: p.actor,
        action: p.action,
        target_id: p
            .target_id
            .as_deref()
            .map(|t| {
                uuid::Uuid::parse_str(t)
                    .map_err(|_| ApiError::bad_request(format!("targetId '{t}' is not an id")))
            })
            .transpose()?,
        since: p.since.as_deref().map(time).transpose()?,
        until: p.until.as_deref().map(time).transpose()?,
        limit: if p.limit == 0 { 100 } else { p.limit },
    };
    let out = run(&s, move |d| {
        let events = d.query_audit(&req, &q)?;
        let names = d.org_names()?;
        let items: Vec<Value> = events.iter().map(|e| views::event(e, &names)).collect();
        Ok(json!({"total": items.len(), "items": items}))
    })
    .await?;
    Ok(Json(out))
}
