//! The outbox route (`/notices`): notices pending, sent and failed, newest
//! first, by state and channel, with a limit and a page cursor (`before`).

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::input::Query;
use super::openapi::{Op, Routes};
use super::views::{OrgNames, org_name, rfc3339};
use super::{AdminState, run};
use crate::directory::notice::{Delivery, OutboxEntry};
use crate::directory::notices::NoticeQuery;
use axum::Json;
use axum::extract::State;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new().add(
        Op::get("/notices", "Notices in the outbox, newest first").query::<Params>(),
        list,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Params {
    /// `pending`, `sent` or `failed`.
    state: Option<String>,
    /// `mail`, `webhook` or `log`.
    channel: Option<String>,
    /// Only notices with a smaller id (the next page).
    before: Option<u64>,
    #[serde(default)]
    limit: usize,
}

async fn list(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Value>> {
    let state = p
        .state
        .as_deref()
        .map(|v| {
            Delivery::parse(v).ok_or_else(|| {
                ApiError::bad_request(format!("state '{v}' is not pending, sent or failed"))
            })
        })
        .transpose()?;
    let q = NoticeQuery {
        state,
        channel: p.channel,
        before: p.before,
        limit: if p.limit == 0 { 100 } else { p.limit },
    };
    let out = run(&s, move |d| {
        let entries = d.notices(&req, &q)?;
        let names = d.org_names()?;
        let items: Vec<Value> = entries.iter().map(|e| view(e, &names)).collect();
        Ok(json!({"total": items.len(), "items": items}))
    })
    .await?;
    Ok(Json(out))
}

fn view(e: &OutboxEntry, names: &OrgNames) -> Value {
    let (user, org) = e.notice.parts();
    json!({
        "id": e.id,
        "channel": e.channel,
        "event": e.notice.kind(),
        "user": user,
        "organization": org_name(names, org),
        "detail": e.notice.detail(),
        "to": e.to,
        "state": e.state.as_str(),
        "attempts": e.attempts,
        "created": rfc3339(e.created),
        "nextAttempt": (e.state == Delivery::Pending).then(|| rfc3339(e.next_attempt)),
        "done": e.done.map(rfc3339),
        "lastError": e.last_error,
    })
}
