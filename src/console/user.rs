//! One account's page: what the caller may read of it (names, organization,
//! state, the account flags and quota, times), the actions the core offers
//! on it (validate, unlock, enable, disable, reset the password, a fresh
//! invitation, move to another organization), and its history from the
//! audit trail when the caller may read that. Each action is the use case
//! the admin API calls; the policy is asked again when it runs. An account
//! the caller may not read answers as one that does not exist.

use super::ConsoleState;
use super::actions::{Offer, offers};
use super::audit::{EventRow, rows};
use super::error::{PageError, respond};
use super::pages::Layout;
use super::session::Caller;
use crate::admin::views::rfc3339;
use crate::directory::flags::FLAGS;
use crate::directory::model::User;
use crate::directory::queries::AuditQuery;
use crate::directory::users::OrgRef;
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Events of the history tab at most.
const HISTORY: usize = 50;

#[derive(Template, WebTemplate)]
#[template(path = "user.html")]
pub struct UserPage {
    layout: Layout,
    login: String,
    name: String,
    email: String,
    organization: String,
    state: &'static str,
    locked: bool,
    /// Each account flag's label and whether it is set.
    flags: Vec<(&'static str, bool)>,
    quota: String,
    created: String,
    last_login: String,
    /// The lifecycle and lock buttons the core offers.
    actions: Vec<Offer>,
    reset_password: bool,
    reinvite: bool,
    /// Where the caller may move the account; empty when it may not.
    destinations: Vec<String>,
    /// `None` when the caller may not read the audit trail.
    history: Option<Vec<EventRow>>,
    pub(super) notice: Option<String>,
    problem: Option<String>,
}

fn history(d: &Directory, req: &Request, user: &User) -> Result<Option<Vec<EventRow>>> {
    if !d.may_read_audit(req) {
        return Ok(None);
    }
    let q = AuditQuery {
        target_id: Some(user.id),
        limit: HISTORY,
        ..Default::default()
    };
    let events = d.query_audit(req, &q)?;
    Ok(Some(rows(&events, &d.org_names()?)))
}

pub(super) fn page(d: &Directory, req: &Request, login: &str) -> Result<UserPage> {
    let user = d.get_user_by_login(req, login)?;
    let names = d.org_names()?;
    let offer = d
        .account_actions(req, std::slice::from_ref(&user))?
        .pop()
        .unwrap_or_default();
    let destinations = if d.may_move_users(req) {
        let mut all: Vec<String> = d.list_orgs(req)?.into_iter().map(|o| o.name).collect();
        all.retain(|n| user.org.and_then(|o| names.get(&o)) != Some(n));
        all
    } else {
        Vec::new()
    };
    Ok(UserPage {
        layout: Layout::for_caller(d, req, &user.login),
        name: user.common_name(),
        email: user.email.clone().unwrap_or_default(),
        organization: user
            .org
            .and_then(|o| names.get(&o).cloned())
            .unwrap_or_default(),
        state: user.state.as_str(),
        locked: user.lockout.locked_at.is_some(),
        flags: FLAGS
            .iter()
            .map(|f| (f.label, (f.get)(&user.flags)))
            .collect(),
        quota: user
            .flags
            .storage_quota
            .map_or_else(|| "none".to_owned(), |q| format!("{q} bytes")),
        created: rfc3339(user.created),
        last_login: user.last_login.map(rfc3339).unwrap_or_default(),
        actions: offers(offer),
        reset_password: offer.reset_password,
        reinvite: offer.reinvite,
        destinations,
        history: history(d, req, &user)?,
        login: user.login,
        notice: None,
        problem: None,
    })
}

pub async fn show(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(login): Path<String>,
) -> Response {
    respond(&s.dir, move |d| page(d, &req, &login)).await
}

/// Every form of the page: the action and its inputs.
#[derive(Deserialize)]
pub struct UserForm {
    action: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    organization: String,
}

/// Runs one action on the account; `Ok(notice)` when done.
fn act(d: &Directory, req: &Request, login: &str, f: &UserForm) -> Result<String> {
    let id = d.get_user_by_login(req, login)?.id;
    match f.action.as_str() {
        "reset-password" => {
            if f.password != f.repeat {
                return Err(Error::invalid("the two passwords differ"));
            }
            d.set_password(req, id, None, &f.password)?;
            Ok(format!("The password of {login} was set."))
        }
        "reinvite" => {
            let token = d.reinvite_user(req, id)?;
            Ok(format!(
                "A fresh invitation: hand this registration token to the person, it is shown this once: {token}"
            ))
        }
        "move" => {
            let to = f.organization.trim();
            let dest = Some(to)
                .filter(|o| !o.is_empty())
                .map(|o| OrgRef::Name(o.to_owned()));
            d.move_user(req, id, dest)?;
            Ok(format!("{login} was moved to {to}."))
        }
        other => {
            super::actions::act(d, req, login, other)?;
            Ok(format!("Done: {other}."))
        }
    }
}

/// `POST /users/{login}`: one action, then the page again with what it
/// did or why not.
pub async fn change(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(login): Path<String>,
    Form(f): Form<UserForm>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| {
            let outcome = match act(d, &req, &login, &f) {
                Ok(notice) => Ok(notice),
                Err(
                    e @ (Error::Invalid(_)
                    | Error::WeakPassword(_)
                    | Error::Conflict(_)
                    | Error::Taken(_)
                    | Error::SeatsExhausted { .. }),
                ) => Err(e.to_string()),
                Err(e) => return Err(e),
            };
            let mut p = page(d, &req, &login)?;
            match outcome {
                Ok(n) => p.notice = Some(n),
                Err(m) => p.problem = Some(m),
            }
            Ok(p)
        })
        .await;
    match done {
        Ok(p) if p.problem.is_some() => (StatusCode::BAD_REQUEST, p).into_response(),
        Ok(p) => p.into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}
