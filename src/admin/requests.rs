//! Routes for access requests (`/requests`): a user asks for an
//! application, its organization's approvers list, approve (optionally
//! naming the role) or reject, the user withdraws. Whoever may not read a
//! request gets the same 404 as for one that does not exist.

use super::apps::app_id;
use super::auth::Caller;
use super::error::ApiResult;
use super::input::{Body, Path, Query, uuid};
use super::openapi::{Op, Routes};
use super::views::{OrgNames, org_name, rfc3339};
use super::{AdminState, run};
use crate::directory::apps::requests::{Decision, RequestQuery};
use crate::directory::model::{AccessRequest, RequestState};
use crate::directory::{Error, Result as CoreResult};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

pub fn routes() -> Routes {
    Routes::new()
        .add(
            Op::get("/requests", "List access requests").query::<ListQuery>(),
            list,
        )
        .add(
            Op::post("/requests", "Ask for access to an application").body::<NewRequest>(),
            create,
        )
        .add(Op::get("/requests/{id}", "An access request"), show)
        .add(
            Op::post("/requests/{id}/approve", "Approve a request")
                .body::<Approve>()
                .status(200),
            approve,
        )
        .add(
            Op::post("/requests/{id}/reject", "Reject a request")
                .body::<Reject>()
                .status(200),
            reject,
        )
        .add(
            Op::post("/requests/{id}/withdraw", "Withdraw one's own request").status(200),
            withdraw,
        )
}

pub(super) fn request_view(r: &AccessRequest, names: &OrgNames) -> Value {
    json!({
        "id": r.id,
        "application": {"id": r.app, "name": r.app_name},
        "user": {"id": r.user, "login": r.login},
        "organization": org_name(names, Some(r.org)),
        "reason": r.reason,
        "state": r.state.as_str(),
        "created": rfc3339(r.created),
        "expires": rfc3339(r.expires),
        "decided": r.decided.map(rfc3339),
        "decidedBy": r.decided_by,
        "note": r.note,
        "role": r.role,
        "version": r.version,
    })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// pending, approved, rejected, withdrawn or expired.
    state: Option<String>,
    /// Only this organization's requests (name or id).
    organization: Option<String>,
    /// Only the caller's own requests.
    mine: Option<bool>,
    limit: Option<usize>,
}

fn parse_state(s: &str) -> CoreResult<RequestState> {
    RequestState::parse(s).ok_or_else(|| {
        Error::invalid(format!(
            "unknown state '{s}': use pending, approved, rejected, withdrawn or expired"
        ))
    })
}

async fn list(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let names = d.org_names()?;
        let org = match q.organization.as_deref() {
            Some(o) => Some(org_id(&names, o)?),
            None => None,
        };
        let query = RequestQuery {
            state: q.state.as_deref().map(parse_state).transpose()?,
            org,
            mine: q.mine.unwrap_or(false),
            limit: q.limit,
        };
        let items: Vec<Value> = d
            .list_requests(&req, &query)?
            .iter()
            .map(|r| request_view(r, &names))
            .collect();
        Ok(json!({"total": items.len(), "items": items}))
    })
    .await?;
    Ok(Json(out))
}

/// An organization filter by name or id. An unknown one lists nothing
/// rather than saying it does not exist.
fn org_id(names: &OrgNames, s: &str) -> CoreResult<Uuid> {
    if let Ok(id) = Uuid::try_parse(s) {
        return Ok(id);
    }
    Ok(names
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(s))
        .map_or(Uuid::nil(), |(id, _)| *id))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewRequest {
    /// The application, by id or name.
    application: String,
    /// Why the caller needs it (shown to the approvers).
    reason: String,
}

async fn create(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(b): Body<NewRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let out = run(&s, move |d| {
        let app = app_id(d, &req, &b.application)?;
        let r = d.request_app(&req, app, &b.reason)?;
        Ok(request_view(&r, &d.org_names()?))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

async fn show(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "request")?;
    let out = run(&s, move |d| {
        let r = d.get_request(&req, id)?;
        Ok(request_view(&r, &d.org_names()?))
    })
    .await?;
    Ok(Json(out))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Approve {
    /// The role to put the user in; default: the application's default
    /// role in the requester's organization.
    role: Option<String>,
    note: Option<String>,
}

async fn approve(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
    Body(b): Body<Approve>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "request")?;
    let out = run(&s, move |d| {
        let role = match b.role.as_deref() {
            Some(r) => Some(
                Uuid::try_parse(r)
                    .map_err(|_| Error::invalid(format!("role '{r}' is not an id")))?,
            ),
            None => None,
        };
        let decision = Decision::Approve { role };
        let r = d.decide_request(&req, id, decision, b.note.as_deref())?;
        Ok(request_view(&r, &d.org_names()?))
    })
    .await?;
    Ok(Json(out))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Reject {
    /// Why (shown to the requester).
    note: Option<String>,
}

async fn reject(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
    Body(b): Body<Reject>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "request")?;
    let out = run(&s, move |d| {
        let r = d.decide_request(&req, id, Decision::Reject, b.note.as_deref())?;
        Ok(request_view(&r, &d.org_names()?))
    })
    .await?;
    Ok(Json(out))
}

async fn withdraw(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "request")?;
    let out = run(&s, move |d| {
        let r = d.withdraw_request(&req, id)?;
        Ok(request_view(&r, &d.org_names()?))
    })
    .await?;
    Ok(Json(out))
}
