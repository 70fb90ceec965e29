//! The Requests page: the caller's own access requests (a pending one may be
//! withdrawn), the pending requests it may decide (approve, into the
//! application's default role or a role it picks among those that carry
//! it; or reject, with a note), and the decided ones it may read. Each
//! button runs the use case the admin API runs; the core asks the policy.

use super::ConsoleState;
use super::error::respond;
use super::form::{Fields, after, answer, field, told};
use super::pages::Layout;
use super::session::Caller;
use crate::directory::apps::requests::{Decision, RequestQuery};
use crate::directory::model::{AccessRequest, RequestState};
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

/// One request as the page shows it.
struct RequestRow {
    id: Uuid,
    app: String,
    login: String,
    organization: String,
    reason: String,
    state: &'static str,
    created: String,
    /// Who decided and why, once decided.
    outcome: String,
    /// Roles of the requester's organization that carry the application
    /// (for an approver to pick), the default one first.
    roles: Vec<(Uuid, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "requests.html")]
pub struct RequestsPage {
    layout: Layout,
    mine: Vec<RequestRow>,
    to_decide: Vec<RequestRow>,
    decided: Vec<RequestRow>,
    notice: Option<String>,
    problem: Option<String>,
}

told!(RequestsPage);

/// The organizations' names, by id (read once per page).
type Names = std::collections::HashMap<Uuid, String>;

/// One request's row; `pick`: with the roles an approver may choose.
fn row(
    d: &Directory,
    req: &Request,
    r: &AccessRequest,
    names: &Names,
    pick: bool,
) -> Result<RequestRow> {
    let mut outcome = r.decided_by.clone().unwrap_or_default();
    if let Some(n) = &r.note {
        outcome = format!("{outcome}: {n}");
    }
    let roles = if pick {
        role_choices(d, req, r)?
    } else {
        Vec::new()
    };
    Ok(RequestRow {
        id: r.id,
        app: r.app_name.clone(),
        login: r.login.clone(),
        organization: names.get(&r.org).cloned().unwrap_or_default(),
        reason: r.reason.clone(),
        state: r.state.as_str(),
        created: crate::admin::views::rfc3339(r.created),
        outcome,
        roles,
    })
}

/// The roles of `r`'s organization that carry its application and that
/// the caller may read, the default one first.
fn role_choices(d: &Directory, req: &Request, r: &AccessRequest) -> Result<Vec<(Uuid, String)>> {
    let default = d
        .get_app(req, r.app)
        .ok()
        .and_then(|a| a.in_org(r.org).default_role);
    let mut out: Vec<(Uuid, String)> = match d.app_roles(req, r.app, r.org) {
        Ok(roles) => roles.into_iter().map(|role| (role.id, role.name)).collect(),
        // An application gone since the request: nothing to pick.
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e),
    };
    out.sort_by_key(|(id, _)| Some(*id) != default);
    Ok(out)
}

fn page(d: &Directory, req: &Request) -> Result<RequestsPage> {
    let all = d.list_requests(req, &RequestQuery::default())?;
    let names = d.org_names()?;
    let (mut mine, mut to_decide, mut decided) = (Vec::new(), Vec::new(), Vec::new());
    for r in &all {
        if req.actor.id == Some(r.user) {
            mine.push(row(d, req, r, &names, false)?);
        } else if d.may_decide(req, r)? {
            to_decide.push(row(d, req, r, &names, true)?);
        } else if r.state != RequestState::Pending && decided.len() < 100 {
            decided.push(row(d, req, r, &names, false)?);
        }
    }
    Ok(RequestsPage {
        layout: Layout::for_caller(d, req, "Requests"),
        mine,
        to_decide,
        decided,
        notice: None,
        problem: None,
    })
}

pub async fn show(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    respond(&s.dir, move |d| page(d, &req)).await
}

fn id_field(f: &Fields, name: &str) -> Result<Uuid> {
    let v = field(f, name);
    Uuid::parse_str(v).map_err(|_| Error::not_found(format!("request {v}")))
}

fn act(d: &Directory, req: &Request, f: &Fields) -> Result<Option<String>> {
    let id = id_field(f, "request")?;
    let note = Some(field(f, "note")).filter(|n| !n.is_empty());
    let r = match field(f, "action") {
        "approve" => {
            let role = match field(f, "role") {
                "" => None,
                _ => Some(id_field(f, "role")?),
            };
            d.decide_request(req, id, Decision::Approve { role }, note)?
        }
        "reject" => d.decide_request(req, id, Decision::Reject, note)?,
        "withdraw" => d.withdraw_request(req, id)?,
        other => return Err(Error::invalid(format!("unknown action '{other}'"))),
    };
    Ok(Some(format!(
        "The request of {} for {} is {}.",
        r.login,
        r.app_name,
        r.state.as_str()
    )))
}

/// `POST /requests`: one decision or withdrawal, then the page again.
pub async fn change(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<Fields>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| after(act(d, &req, &f), || page(d, &req)))
        .await;
    answer(done, "/requests")
}
