//! The audit trail page: the core's audit query (the admin API's
//! `GET /audit`, the same policy: a delegate reads its organization's
//! events, the system administrator everything), newest first, with the
//! filters in the URL. Events are shown as the admin API renders them.

use super::ConsoleState;
use super::error::respond;
use super::pages::Layout;
use super::session::Caller;
use crate::directory::audit::Event;
use crate::directory::queries::AuditQuery;
use crate::directory::users::OrgRef;
use crate::directory::{Directory, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// Events shown at most.
const LIMIT: usize = 200;

#[derive(Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    organization: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
}

/// One event, as text.
pub struct EventRow {
    pub time: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub organization: String,
    pub protocol: String,
    pub source: String,
    pub outcome: String,
    pub detail: String,
}

/// Events as the admin API renders them, as text.
pub fn rows(events: &[Event], names: &HashMap<Uuid, String>) -> Vec<EventRow> {
    events
        .iter()
        .map(|e| {
            let v = crate::admin::views::event(e, names);
            EventRow {
                time: text(&v, "time"),
                actor: text(&v, "actor"),
                action: text(&v, "action"),
                target: text(&v, "target"),
                organization: text(&v, "organization"),
                protocol: text(&v, "protocol"),
                source: text(&v, "source"),
                outcome: text(&v, "outcome"),
                detail: text(&v, "detail"),
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    layout: Layout,
    organization: String,
    actor: String,
    action: String,
    rows: Vec<EventRow>,
    limit: usize,
    cli: String,
}

fn text(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn page(d: &Directory, req: &Request, p: AuditParams) -> Result<AuditPage> {
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let q = AuditQuery {
        org: some(&p.organization).map(OrgRef::Name),
        actor: some(&p.actor),
        action: some(&p.action),
        target_id: None,
        since: None,
        until: None,
        limit: LIMIT,
    };
    let events = d.query_audit(req, &q)?;
    let rows = rows(&events, &d.org_names()?);
    let mut cli = String::from("dirgate audit");
    for (flag, value) in [
        ("--org", p.organization.trim()),
        ("--actor", p.actor.trim()),
        ("--action", p.action.trim()),
    ] {
        if !value.is_empty() {
            cli.push_str(&format!(" {flag} '{}'", value.replace('\'', r"'\''")));
        }
    }
    Ok(AuditPage {
        layout: Layout::for_caller(d, req, "Audit trail"),
        organization: p.organization,
        actor: p.actor,
        action: p.action,
        rows,
        limit: LIMIT,
        cli,
    })
}

pub async fn audit(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Query(p): Query<AuditParams>,
) -> Response {
    respond(&s.dir, move |d| page(d, &req, p)).await
}
