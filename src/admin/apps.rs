//! Routes for applications (`/applications`): create, list, get (with the
//! users who have it), change, delete, an organization's approvers and
//! default role for one, and which applications a role carries
//! (`/roles/{id}/applications`). Applications are named by id or by name.

use super::auth::Caller;
use super::error::ApiResult;
use super::input::{Body, Path, UserRef, org_ref, uuid};
use super::openapi::{Op, Routes};
use super::user_fields::double_option;
use super::users::user_id;
use super::views::{OrgNames, org_name, rfc3339};
use super::{AdminState, run};
use crate::directory::apps::{AppChanges, NewApp, OrgSettingsChanges};
use crate::directory::model::{AppInOrg, Application, Member};
use crate::directory::{Directory, Error, Request, Result as CoreResult};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

pub fn routes() -> Routes {
    Routes::new()
        .add(Op::get("/applications", "List applications"), list)
        .add(
            Op::post("/applications", "Create an application").body::<CreateApp>(),
            create,
        )
        .add(
            Op::get("/applications/{id}", "An application with who has it"),
            show,
        )
        .add(
            Op::patch("/applications/{id}", "Change an application").body::<ChangeApp>(),
            change,
        )
        .add(
            Op::delete("/applications/{id}", "Delete an application"),
            remove,
        )
        .add(
            Op::put(
                "/applications/{id}/organizations/{org}",
                "Set an organization's approvers and default role for an application",
            )
            .body::<OrgSettings>(),
            set_org,
        )
        .add(
            Op::get(
                "/roles/{id}/applications",
                "The applications a role carries",
            ),
            role_apps,
        )
        .add(
            Op::post(
                "/roles/{id}/applications",
                "Make a role carry an application",
            )
            .body::<Carry>()
            .status(200),
            carry,
        )
        .add(
            Op::delete(
                "/roles/{id}/applications/{app}",
                "Take an application off a role",
            )
            .status(200),
            drop_app,
        )
}

/// An application named by id, or by name (the caller's organization's
/// first, then a server-wide one).
pub(super) fn app_id(d: &Directory, req: &Request, s: &str) -> CoreResult<Uuid> {
    match Uuid::try_parse(s) {
        Ok(id) => Ok(id),
        Err(_) => Ok(d.app_named(req, s)?.id),
    }
}

/// An id in a body.
fn id_of(s: &str) -> CoreResult<Uuid> {
    Uuid::try_parse(s).map_err(|_| Error::invalid(format!("'{s}' is not an id")))
}

fn settings_view(s: &AppInOrg, names: &OrgNames) -> Value {
    let approvers: Vec<Value> = s
        .approvers
        .iter()
        .map(|m| match m {
            Member::User(id) => json!({"type": "user", "id": id}),
            Member::Role(id) => json!({"type": "role", "id": id}),
        })
        .collect();
    json!({
        "organization": org_name(names, Some(s.org)),
        "defaultRole": s.default_role,
        "approvers": approvers,
    })
}

/// An application as JSON; `users` when the caller asked for one.
pub(super) fn app_view(a: &Application, names: &OrgNames, users: Option<&[Uuid]>) -> Value {
    let orgs: Vec<Value> = a.orgs.iter().map(|s| settings_view(s, names)).collect();
    json!({
        "id": a.id,
        "name": a.name,
        "organization": org_name(names, a.org),
        "description": a.description,
        "url": a.url,
        "serviceAccount": a.service,
        "scimToken": a.token,
        "requestable": a.requestable,
        "organizations": orgs,
        "users": users,
        "created": rfc3339(a.created),
        "modified": rfc3339(a.modified),
        "version": a.version,
    })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateApp {
    name: String,
    /// Defaults to the caller's own organization; `null` for the system
    /// administrator makes a server-wide application.
    organization: Option<String>,
    description: Option<String>,
    /// Where its users sign in (http or https).
    url: Option<String>,
    /// The id of the service account it binds with.
    service_account: Option<String>,
    /// The id of the SCIM token it provisions with.
    scim_token: Option<String>,
    /// Whether users may ask for it (default false).
    #[serde(default)]
    requestable: bool,
}

async fn create(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(b): Body<CreateApp>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let out = run(&s, move |d| {
        let new = NewApp {
            name: b.name,
            org: b.organization.as_deref().map(org_ref),
            description: b.description,
            url: b.url,
            service: b.service_account.as_deref().map(id_of).transpose()?,
            token: b.scim_token.as_deref().map(id_of).transpose()?,
            requestable: b.requestable,
            id: None,
        };
        let app = d.create_app(&req, new)?;
        Ok(app_view(&app, &d.org_names()?, Some(&[])))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

async fn list(State(s): State<AdminState>, Caller(req): Caller) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let apps = d.list_apps(&req)?;
        let names = d.org_names()?;
        let items: Vec<Value> = apps.iter().map(|a| app_view(a, &names, None)).collect();
        Ok(json!({"total": items.len(), "items": items}))
    })
    .await?;
    Ok(Json(out))
}

async fn show(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let id = app_id(d, &req, &id)?;
        let app = d.get_app(&req, id)?;
        let users = d.app_users(&req, id)?;
        Ok(app_view(&app, &d.org_names()?, Some(&users)))
    })
    .await?;
    Ok(Json(out))
}

/// Changes; a field left out stays, `null` clears an optional one.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ChangeApp {
    name: Option<String>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    service_account: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    scim_token: Option<Option<String>>,
    requestable: Option<bool>,
}

async fn change(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
    Body(b): Body<ChangeApp>,
) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let id = app_id(d, &req, &id)?;
        let changes = AppChanges {
            name: b.name,
            description: b.description,
            url: b.url,
            service: b
                .service_account
                .map(|s| s.as_deref().map(id_of).transpose())
                .transpose()?,
            token: b
                .scim_token
                .map(|s| s.as_deref().map(id_of).transpose())
                .transpose()?,
            requestable: b.requestable,
        };
        let app = d.update_app(&req, id, changes)?;
        Ok(app_view(&app, &d.org_names()?, None))
    })
    .await?;
    Ok(Json(out))
}

async fn remove(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    run(&s, move |d| {
        let id = app_id(d, &req, &id)?;
        d.delete_app(&req, id)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An approver: exactly one of `user` (id or login) and `role` (id).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Approver {
    user: Option<String>,
    role: Option<String>,
}

/// An organization's settings; a field left out stays.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OrgSettings {
    /// The role an approval puts the user in (a role of the organization
    /// that carries the application); `null` clears it.
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    default_role: Option<Option<String>>,
    /// Replaces the approvers.
    approvers: Option<Vec<Approver>>,
}

async fn set_org(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path((id, org)): Path<(String, String)>,
    Body(b): Body<OrgSettings>,
) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let id = app_id(d, &req, &id)?;
        let approvers = match b.approvers {
            Some(list) => Some(
                list.into_iter()
                    .map(|a| approver(d, &req, a))
                    .collect::<CoreResult<Vec<_>>>()?,
            ),
            None => None,
        };
        let changes = OrgSettingsChanges {
            default_role: b
                .default_role
                .map(|r| r.as_deref().map(id_of).transpose())
                .transpose()?,
            approvers,
        };
        let settings = d.set_app_in_org(&req, id, &org_ref(&org), changes)?;
        Ok(settings_view(&settings, &d.org_names()?))
    })
    .await?;
    Ok(Json(out))
}

fn approver(d: &Directory, req: &Request, a: Approver) -> CoreResult<Member> {
    match (a.user, a.role) {
        (Some(u), None) => Ok(Member::User(user_id(d, req, &UserRef::parse(&u))?)),
        (None, Some(r)) => Ok(Member::Role(id_of(&r)?)),
        _ => Err(Error::invalid(
            "each approver gives exactly one of 'user' and 'role'",
        )),
    }
}

async fn role_apps(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "role")?;
    let out = run(&s, move |d| carried(d, &req, id)).await?;
    Ok(Json(out))
}

/// The applications role `id` carries, as a list.
fn carried(d: &Directory, req: &Request, id: Uuid) -> CoreResult<Value> {
    let names = d.org_names()?;
    let items: Vec<Value> = d
        .role_apps(req, id)?
        .iter()
        .map(|a| app_view(a, &names, None))
        .collect();
    Ok(json!({"total": items.len(), "items": items}))
}

/// The application a role is to carry, by id or name.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Carry {
    application: String,
}

async fn carry(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
    Body(b): Body<Carry>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "role")?;
    let out = run(&s, move |d| {
        let app = app_id(d, &req, &b.application)?;
        d.add_role_app(&req, id, app)?;
        carried(d, &req, id)
    })
    .await?;
    Ok(Json(out))
}

async fn drop_app(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path((id, app)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "role")?;
    let out = run(&s, move |d| {
        let app = app_id(d, &req, &app)?;
        d.remove_role_app(&req, id, app)?;
        carried(d, &req, id)
    })
    .await?;
    Ok(Json(out))
}
