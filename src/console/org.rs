//! One organization's page: its seats (in use, free, and the form to change
//! them), its Organization Administrator (appoint, replace, remove: the
//! one-time recovery code is shown once), its Delegated Administrators
//! (appoint, remove), its members (a link to the users page filtered to
//! it), its roles, and delete (refused while it holds anything, the page saying
//! what remains). Each form offers what the
//! core's policy allows the caller (`Directory::org_actions`) and runs the
//! same use case as the admin API, which asks the policy again. An
//! organization the caller may not read answers as one that does not exist.

use super::ConsoleState;
use super::error::{PageError, respond};
use super::pages::Layout;
use super::session::Caller;
use crate::directory::model::{Organization, User};
use crate::directory::offers::OrgActions;
use crate::directory::users::OrgRef;
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// A person named on the page.
struct Person {
    login: String,
    name: String,
}

impl Person {
    fn of(u: &User) -> Person {
        Person {
            login: u.login.clone(),
            name: u.common_name(),
        }
    }
}

/// A role of the organization.
struct RoleRow {
    name: String,
    rights: String,
    description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "organization.html")]
pub struct OrgPage {
    layout: Layout,
    name: String,
    description: String,
    seats: u32,
    used: u64,
    free: u64,
    org_admin: Option<Person>,
    delegates: Vec<Person>,
    roles: Vec<RoleRow>,
    may: OrgActions,
    /// What the last action did (a recovery code is shown here, once).
    notice: Option<String>,
    problem: Option<String>,
}

fn page(d: &Directory, req: &Request, name: &str) -> Result<OrgPage> {
    let (org, used) = d.org_usage(req, name)?;
    let found = d.org_administrators(req, &org)?;
    let roles = d.list_roles(req, Some(&OrgRef::Id(org.id)))?;
    Ok(OrgPage {
        layout: Layout::for_caller(d, req, &org.name),
        may: d.org_actions(req, &org),
        org_admin: found.org_admin.as_ref().map(Person::of),
        delegates: found.delegates.iter().map(Person::of).collect(),
        roles: roles
            .into_iter()
            .map(|r| RoleRow {
                rights: r
                    .rights
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                description: r.description.unwrap_or_default(),
                name: r.name,
            })
            .collect(),
        free: u64::from(org.seats).saturating_sub(used),
        description: org.description.clone().unwrap_or_default(),
        seats: org.seats,
        used,
        name: org.name,
        notice: None,
        problem: None,
    })
}

pub async fn show(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(name): Path<String>,
) -> Response {
    respond(&s.dir, move |d| page(d, &req, &name)).await
}

/// Every form of the page: which action, and its one input.
#[derive(Deserialize)]
pub struct OrgForm {
    action: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    seats: String,
}

/// Runs one action; `Ok(notice)` when done.
fn act(d: &Directory, req: &Request, org: &Organization, f: &OrgForm) -> Result<String> {
    let user = || d.get_user_by_login(req, f.login.trim()).map(|u| u.id);
    match f.action.as_str() {
        "seats" => {
            let seats = f
                .seats
                .trim()
                .parse::<u32>()
                .map_err(|_| Error::invalid("seats must be a whole number (0 or more)"))?;
            d.set_seats(req, &org.name, seats)?;
            Ok(format!("{} now has {seats} seats.", org.name))
        }
        "appoint-admin" => {
            let code = d.appoint_org_admin(req, &org.name, user()?)?;
            Ok(format!(
                "{} is the Organization Administrator. Its recovery code, shown this once: {}",
                f.login.trim(),
                code.0
            ))
        }
        "remove-admin" => {
            d.remove_org_admin(req, &org.name)?;
            Ok(format!(
                "{} has no Organization Administrator now.",
                org.name
            ))
        }
        "add-delegate" | "remove-delegate" => {
            let add = f.action == "add-delegate";
            let id = user()?;
            if d.get_user(req, id)?.org != Some(org.id) {
                return Err(Error::invalid(format!(
                    "{} is not a member of {}",
                    f.login.trim(),
                    org.name
                )));
            }
            d.set_delegate(req, id, add)?;
            Ok(if add {
                format!("{} is a Delegated Administrator.", f.login.trim())
            } else {
                format!("{} is no longer a Delegated Administrator.", f.login.trim())
            })
        }
        other => Err(Error::invalid(format!("unknown action '{other}'"))),
    }
}

/// `POST /organizations/{name}`: one action, then the page again with what
/// it did or why not. Refusals the page can explain (bad input, a name
/// taken, not a member) stay on the page; others are an error page.
pub async fn change(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(name): Path<String>,
    Form(f): Form<OrgForm>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| {
            let org = d.get_org(&req, &name)?;
            if f.action == "delete" {
                match d.delete_org(&req, &org.name) {
                    Ok(()) => return Ok(None),
                    // What remains is said on the page.
                    Err(Error::Conflict(m)) => {
                        let mut p = page(d, &req, &org.name)?;
                        p.problem = Some(m);
                        return Ok(Some(p));
                    }
                    Err(e) => return Err(e),
                }
            }
            let outcome = match act(d, &req, &org, &f) {
                Ok(notice) => Ok(notice),
                Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::Exists(_))) => {
                    Err(e.to_string())
                }
                Err(Error::NotFound(_) | Error::Hidden { .. }) if !f.login.is_empty() => {
                    Err(format!("No account {} that you may see.", f.login.trim()))
                }
                Err(e) => return Err(e),
            };
            let mut p = page(d, &req, &org.name)?;
            match outcome {
                Ok(n) => p.notice = Some(n),
                Err(m) => p.problem = Some(m),
            }
            Ok(Some(p))
        })
        .await;
    match done {
        Ok(None) => Redirect::to("/organizations").into_response(),
        Ok(Some(p)) if p.problem.is_some() => (StatusCode::BAD_REQUEST, p).into_response(),
        Ok(Some(p)) => p.into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}
