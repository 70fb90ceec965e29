//! The roles pages: the roles the caller may read with their rights, the
//! form to add one (its rights limited to those the caller may grant, which
//! the core checks), and one role's page: its members (accounts and nested
//! roles, added by login or role name, removed by a button), its rights,
//! and delete. Each form runs the use case the admin API runs
//! (`create_role`, `update_role`, `add_member`, `remove_member`,
//! `delete_role`); the core asks the policy (ranks and grantable rights
//! included) when it runs. A role the caller may not read does not exist.

use super::ConsoleState;
use super::error::{PageError, respond};
use super::form::{Fields, after, answer, field, told};
use super::pages::Layout;
use super::session::Caller;
use crate::directory::model::{Member, Right, Role};
use crate::directory::roles::{NewRole, RoleChanges};
use crate::directory::users::OrgRef;
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use uuid::Uuid;

/// One role in a list.
struct RoleRow {
    id: Uuid,
    name: String,
    organization: String,
    rights: String,
    description: String,
}

fn rights_text(rights: &[Right]) -> String {
    let names: Vec<&str> = rights.iter().map(|r| r.as_str()).collect();
    names.join(", ")
}

fn row(r: &Role, names: &HashMap<Uuid, String>) -> RoleRow {
    RoleRow {
        id: r.id,
        name: r.name.clone(),
        organization: r
            .org
            .and_then(|o| names.get(&o).cloned())
            .unwrap_or_else(|| "server-wide".to_owned()),
        rights: rights_text(&r.rights),
        description: r.description.clone().unwrap_or_default(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "roles.html")]
pub struct RolesPage {
    layout: Layout,
    rows: Vec<RoleRow>,
    may_create: bool,
    /// Organizations to place a new role in; empty for a caller with one.
    organizations: Vec<String>,
    rights: Vec<&'static str>,
    problem: Option<String>,
}

fn list_page(d: &Directory, req: &Request) -> Result<RolesPage> {
    let names = d.org_names()?;
    let roles = d.list_roles(req, None)?;
    let may_create = d.may_create_roles(req);
    Ok(RolesPage {
        layout: Layout::for_caller(d, req, "Roles"),
        rows: roles.iter().map(|r| row(r, &names)).collect(),
        may_create,
        organizations: if may_create && d.may_create_orgs(req) {
            d.list_orgs(req)?.into_iter().map(|o| o.name).collect()
        } else {
            Vec::new()
        },
        rights: Right::ALL.iter().map(|r| r.as_str()).collect(),
        problem: None,
    })
}

pub async fn list(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    respond(&s.dir, move |d| list_page(d, &req)).await
}

/// The rights ticked in the form.
fn ticked(f: &Fields) -> Result<Vec<Right>> {
    f.iter()
        .filter(|(k, _)| k == "right")
        .map(|(_, v)| Right::parse(v).ok_or_else(|| Error::invalid(format!("unknown right '{v}'"))))
        .collect()
}

/// `POST /roles`: adds a role and opens its page.
pub async fn create(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<Fields>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| {
            let new = ticked(&f).map(|rights| NewRole {
                name: field(&f, "name").to_owned(),
                org: Some(field(&f, "organization"))
                    .filter(|o| !o.is_empty())
                    .map(|o| OrgRef::Name(o.to_owned())),
                rights,
                description: Some(field(&f, "description").to_owned()).filter(|d| !d.is_empty()),
                ..NewRole::default()
            });
            match new.and_then(|n| d.create_role(&req, n)) {
                Ok(role) => Ok(Ok(role.id)),
                Err(e @ (Error::Invalid(_) | Error::Exists(_) | Error::Taken(_))) => {
                    let mut p = list_page(d, &req)?;
                    p.problem = Some(e.to_string());
                    Ok(Err(p))
                }
                Err(e) => Err(e),
            }
        })
        .await;
    match done {
        Ok(Ok(id)) => Redirect::to(&format!("/roles/{id}")).into_response(),
        Ok(Err(p)) => (StatusCode::BAD_REQUEST, p).into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

/// A member as the role page names it.
struct MemberRow {
    id: Uuid,
    /// A login or a role's name; `None` for an account the caller may not read.
    name: Option<String>,
    role: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "role.html")]
pub struct RolePage {
    layout: Layout,
    role: RoleRow,
    members: Vec<MemberRow>,
    /// Every right, and whether the role carries it.
    rights: Vec<(&'static str, bool)>,
    may_modify: bool,
    may_delete: bool,
    /// The applications it carries, and those it could carry (id, name).
    apps: Vec<(Uuid, String)>,
    other_apps: Vec<(Uuid, String)>,
    notice: Option<String>,
    problem: Option<String>,
}

/// The applications `role` carries, and the others it may carry (its
/// organization's and server-wide ones the caller sees).
type AppChoices = (Vec<(Uuid, String)>, Vec<(Uuid, String)>);

fn app_choices(d: &Directory, req: &Request, role: &Role) -> Result<AppChoices> {
    let carried: Vec<(Uuid, String)> = d
        .role_apps(req, role.id)?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let others = d
        .list_apps(req)?
        .into_iter()
        .filter(|a| a.org.is_none() || a.org == role.org)
        .filter(|a| !carried.iter().any(|(id, _)| *id == a.id))
        .map(|a| (a.id, a.name))
        .collect();
    Ok((carried, others))
}

told!(RolePage);

fn member_row(d: &Directory, req: &Request, m: Member) -> MemberRow {
    let (name, role) = match m {
        Member::User(id) => (d.get_user(req, id).ok().map(|u| u.login), false),
        Member::Role(id) => (d.get_role(req, id).ok().map(|r| r.name), true),
    };
    MemberRow {
        id: m.id(),
        name,
        role,
    }
}

fn role_page(d: &Directory, req: &Request, id: Uuid) -> Result<RolePage> {
    let role = d.get_role(req, id)?;
    let members = d.role_members(req, id)?;
    let (may_modify, may_delete) = d.role_actions(req, &role);
    let (apps, other_apps) = app_choices(d, req, &role)?;
    Ok(RolePage {
        apps,
        other_apps,
        layout: Layout::for_caller(d, req, &format!("Role {}", role.name)),
        members: members.into_iter().map(|m| member_row(d, req, m)).collect(),
        rights: Right::ALL
            .iter()
            .map(|r| (r.as_str(), role.rights.contains(r)))
            .collect(),
        may_modify,
        may_delete,
        role: row(&role, &d.org_names()?),
        notice: None,
        problem: None,
    })
}

/// A role's id from the path; anything else is a role that does not exist.
fn role_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| Error::not_found(format!("role {id}")))
}

pub async fn show(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(id): Path<String>,
) -> Response {
    respond(&s.dir, move |d| role_page(d, &req, role_id(&id)?)).await
}

/// The member a form names: an account by login, else a role by name
/// (one of the caller's own organization first).
fn named_member(d: &Directory, req: &Request, role: &Role, name: &str) -> Result<Member> {
    if let Ok(u) = d.get_user_by_login(req, name) {
        return Ok(Member::User(u.id));
    }
    let mut roles = d.list_roles(req, None)?;
    roles.retain(|r| r.name.eq_ignore_ascii_case(name) && r.id != role.id);
    roles.sort_by_key(|r| r.org != role.org);
    roles
        .first()
        .map(|r| Member::Role(r.id))
        .ok_or_else(|| Error::invalid(format!("no account or role {name} that you may see")))
}

/// Runs one action on the role; `Ok(Some(notice))` when done, `Ok(None)`
/// when the role is gone.
fn act(d: &Directory, req: &Request, id: Uuid, f: &Fields) -> Result<Option<String>> {
    let role = d.get_role(req, id)?;
    match field(f, "action") {
        "add-member" => {
            let name = field(f, "member");
            d.add_member(req, id, named_member(d, req, &role, name)?)?;
            Ok(Some(format!("{name} is a member of {}.", role.name)))
        }
        "remove-member" => {
            let member = Uuid::parse_str(field(f, "member"))
                .map_err(|_| Error::invalid("name a member to remove"))?;
            d.remove_member(req, id, member)?;
            Ok(Some("The member was removed.".to_owned()))
        }
        "rights" => {
            let changes = RoleChanges {
                rights: Some(ticked(f)?),
                ..Default::default()
            };
            d.update_role(req, id, changes)?;
            Ok(Some(format!("The rights of {} were saved.", role.name)))
        }
        "delete" => d.delete_role(req, id).map(|()| None),
        "add-app" | "remove-app" => {
            let app = Uuid::parse_str(field(f, "app"))
                .map_err(|_| Error::invalid("name an application"))?;
            let carry = field(f, "action") == "add-app";
            if carry {
                d.add_role_app(req, id, app)?;
            } else {
                d.remove_role_app(req, id, app)?;
            }
            Ok(Some("The role's applications were saved.".to_owned()))
        }
        other => Err(Error::invalid(format!("unknown action '{other}'"))),
    }
}

/// `POST /roles/{id}`: one action, then the page again with what it did
/// or why not (back to the list once the role is deleted).
pub async fn change(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let done = s
        .dir
        .blocking(move |d| {
            let id = role_id(&id)?;
            after(act(d, &req, id, &f), || role_page(d, &req, id))
        })
        .await;
    answer(done, "/roles")
}
