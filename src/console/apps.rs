//! The Applications pages: every application the caller may see, with what
//! it can do about each (it has it, it asked, or a form to ask with a
//! reason); the form to add one for whoever may manage applications; and
//! one application's page: who has it (as the caller may see them), its
//! organization's default role and approvers, and delete. Each form runs
//! the use case the admin API runs; the core asks the policy when it runs.

use super::ConsoleState;
use super::error::respond;
use super::form::{Fields, after, answer, field, told};
use super::pages::Layout;
use super::session::Caller;
use crate::directory::apps::requests::RequestQuery;
use crate::directory::apps::{NewApp, OrgSettingsChanges};
use crate::directory::model::{Application, Member, RequestState};
use crate::directory::users::OrgRef;
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;
use uuid::Uuid;

/// One application in the list, with the caller's standing.
struct AppRow {
    id: Uuid,
    name: String,
    organization: String,
    url: String,
    description: String,
    /// "You have access", "Asked: pending", or empty.
    standing: String,
    /// Whether the caller may ask for it now.
    may_ask: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications.html")]
pub struct AppsPage {
    layout: Layout,
    rows: Vec<AppRow>,
    /// Where the caller may add applications: organization names, with ""
    /// for a server-wide one; empty when it may not add any.
    owners: Vec<(String, String)>,
    notice: Option<String>,
    problem: Option<String>,
}

told!(AppsPage);
told!(AppPage);

fn owner_name(org: Option<Uuid>, names: &HashMap<Uuid, String>) -> String {
    org.and_then(|o| names.get(&o).cloned())
        .unwrap_or_else(|| "server-wide".to_owned())
}

fn list_page(d: &Directory, req: &Request) -> Result<AppsPage> {
    let names = d.org_names()?;
    let mine = d.my_apps(req)?;
    let asked = RequestQuery {
        state: Some(RequestState::Pending),
        mine: true,
        ..Default::default()
    };
    let pending: Vec<Uuid> = d
        .list_requests(req, &asked)?
        .iter()
        .map(|r| r.app)
        .collect();
    let in_org = req.actor.own_org().is_some() && req.actor.id.is_some();
    let rows = d
        .list_apps(req)?
        .into_iter()
        .map(|a| {
            let has = mine.contains(&a.id);
            let waiting = pending.contains(&a.id);
            AppRow {
                standing: if has {
                    "You have access".to_owned()
                } else if waiting {
                    "Asked: pending".to_owned()
                } else {
                    String::new()
                },
                may_ask: a.requestable && in_org && !has && !waiting,
                id: a.id,
                organization: owner_name(a.org, &names),
                url: a.url.unwrap_or_default(),
                description: a.description.unwrap_or_default(),
                name: a.name,
            }
        })
        .collect();
    let mut owners = Vec::new();
    if let Some(home) = req
        .actor
        .home_org()
        .filter(|o| d.may_manage_apps(req, Some(*o)))
    {
        owners.push((home.to_string(), owner_name(Some(home), &names)));
    }
    if d.may_manage_apps(req, None) {
        owners.push((String::new(), "server-wide".to_owned()));
        for o in d.list_orgs(req)? {
            owners.push((o.id.to_string(), o.name));
        }
    }
    Ok(AppsPage {
        layout: Layout::for_caller(d, req, "Applications"),
        rows,
        owners,
        notice: None,
        problem: None,
    })
}

pub async fn list(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    respond(&s.dir, move |d| list_page(d, &req)).await
}

fn optional(f: &Fields, name: &str) -> Option<String> {
    Some(field(f, name).to_owned()).filter(|v| !v.is_empty())
}

/// Runs one action of the list page; the notice says what it did.
fn act(d: &Directory, req: &Request, f: &Fields) -> Result<Option<String>> {
    match field(f, "action") {
        "ask" => {
            let app = app_id(field(f, "app"))?;
            let r = d.request_app(req, app, field(f, "reason"))?;
            Ok(Some(format!(
                "You asked for {}; its approvers have been told.",
                r.app_name
            )))
        }
        "create" => {
            let org = match field(f, "owner") {
                "" => OrgRef::NoOrg,
                id => OrgRef::Id(app_id(id)?),
            };
            let new = NewApp {
                name: field(f, "name").to_owned(),
                org: Some(org),
                url: optional(f, "url"),
                description: optional(f, "description"),
                requestable: field(f, "requestable") == "on",
                ..NewApp::default()
            };
            let app = d.create_app(req, new)?;
            Ok(Some(format!("Application {} was added.", app.name)))
        }
        other => Err(Error::invalid(format!("unknown action '{other}'"))),
    }
}

/// `POST /applications`: asks for one, or adds one; then the list again.
pub async fn change(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<Fields>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| after(act(d, &req, &f), || list_page(d, &req)))
        .await;
    answer(done, "/applications")
}

/// An id from a path or a form; anything else names nothing.
fn app_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| Error::not_found(format!("application {id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "application.html")]
pub struct AppPage {
    layout: Layout,
    id: Uuid,
    organization: String,
    url: String,
    description: String,
    requestable: bool,
    /// Logins of the users who have it, as the caller may see them.
    users: Vec<String>,
    /// The caller's organization's settings, when it may set them: its
    /// name, the roles there that carry the application (id, name,
    /// whether default) and the approvers' logins or role names.
    settings: Option<OrgSettingsView>,
    may_delete: bool,
    notice: Option<String>,
    problem: Option<String>,
}

struct OrgSettingsView {
    org: String,
    roles: Vec<(Uuid, String, bool)>,
    approvers: String,
}

fn settings_view(
    d: &Directory,
    req: &Request,
    app: &Application,
) -> Result<Option<OrgSettingsView>> {
    let Some(org) = req
        .actor
        .home_org()
        .filter(|o| d.may_manage_apps(req, Some(*o)))
        .filter(|o| app.org.is_none() || app.org == Some(*o))
    else {
        return Ok(None);
    };
    let mine = app.in_org(org);
    let roles = d
        .app_roles(req, app.id, org)?
        .into_iter()
        .map(|r| (r.id, r.name, mine.default_role == Some(r.id)))
        .collect();
    let names: Vec<String> = mine
        .approvers
        .iter()
        .filter_map(|m| match m {
            Member::User(id) => d.get_user(req, *id).ok().map(|u| u.login),
            Member::Role(id) => d
                .get_role(req, *id)
                .ok()
                .map(|r| format!("role:{}", r.name)),
        })
        .collect();
    Ok(Some(OrgSettingsView {
        org: d.org_names()?.get(&org).cloned().unwrap_or_default(),
        roles,
        approvers: names.join(", "),
    }))
}

fn app_page(d: &Directory, req: &Request, id: Uuid) -> Result<AppPage> {
    let app = d.get_app(req, id)?;
    let mut users = Vec::new();
    for u in d.app_users(req, id)? {
        if let Ok(user) = d.get_user(req, u) {
            users.push(user.login);
        }
    }
    users.sort_by_key(|l| l.to_lowercase());
    Ok(AppPage {
        layout: Layout::for_caller(d, req, &format!("Application {}", app.name)),
        id: app.id,
        organization: owner_name(app.org, &d.org_names()?),
        url: app.url.clone().unwrap_or_default(),
        description: app.description.clone().unwrap_or_default(),
        requestable: app.requestable,
        users,
        settings: settings_view(d, req, &app)?,
        may_delete: d.may_manage_apps(req, app.org),
        notice: None,
        problem: None,
    })
}

pub async fn show(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(id): Path<String>,
) -> Response {
    respond(&s.dir, move |d| app_page(d, &req, app_id(&id)?)).await
}

/// The approvers a form lists: logins, and `role:<name>` for roles of the
/// caller's organization, separated by commas.
fn approvers(d: &Directory, req: &Request, text: &str) -> Result<Vec<Member>> {
    let mut out = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let member = match name.strip_prefix("role:") {
            Some(role) => {
                let found = d
                    .list_roles(req, None)?
                    .into_iter()
                    .find(|r| r.name.eq_ignore_ascii_case(role.trim()) && r.org.is_some());
                Member::Role(
                    found
                        .ok_or_else(|| Error::invalid(format!("no role {role} that you may see")))?
                        .id,
                )
            }
            None => Member::User(
                d.get_user_by_login(req, name)
                    .map_err(|_| Error::invalid(format!("no account {name} that you may see")))?
                    .id,
            ),
        };
        out.push(member);
    }
    Ok(out)
}

/// One action of an application's page; `Ok(None)` once it is deleted.
fn act_on(d: &Directory, req: &Request, id: Uuid, f: &Fields) -> Result<Option<String>> {
    match field(f, "action") {
        "settings" => {
            let org = req
                .actor
                .home_org()
                .ok_or_else(|| Error::invalid("you administer no organization"))?;
            let role = match field(f, "default_role") {
                "" => None,
                r => Some(app_id(r)?),
            };
            let changes = OrgSettingsChanges {
                default_role: Some(role),
                approvers: Some(approvers(d, req, field(f, "approvers"))?),
            };
            d.set_app_in_org(req, id, &OrgRef::Id(org), changes)?;
            Ok(Some("The settings were saved.".to_owned()))
        }
        "delete" => d.delete_app(req, id).map(|()| None),
        other => Err(Error::invalid(format!("unknown action '{other}'"))),
    }
}

/// `POST /applications/{id}`: one action, then the page again (back to
/// the list once the application is deleted).
pub async fn change_one(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| {
            let id = app_id(&id)?;
            after(act_on(d, &req, id, &f), || app_page(d, &req, id))
        })
        .await;
    answer(done, "/applications")
}
