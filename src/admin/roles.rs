//! Routes for roles (`/roles`): create with rights, list, get with members,
//! change, delete, and add or remove members (users by id or login, roles by id).

use super::auth::Caller;
use super::error::ApiResult;
use super::input::{Body, Path, Query, UserRef, org_ref, uuid};
use super::openapi::{Op, Routes};
use super::users::user_id;
use super::{AdminState, run, views};
use crate::directory::model::{Member, Right};
use crate::directory::roles::{NewRole, RoleChanges};
use crate::directory::{Error, Result as CoreResult};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .add(Op::get("/roles", "List roles").query::<ListQuery>(), list)
        .add(
            Op::post("/roles", "Create a role with rights").body::<CreateRole>(),
            create,
        )
        .add(Op::get("/roles/{id}", "A role with its members"), show)
        .add(
            Op::patch("/roles/{id}", "Rename a role or change its rights").body::<ChangeRole>(),
            change,
        )
        .add(Op::delete("/roles/{id}", "Delete a role"), remove)
        .add(
            Op::post("/roles/{id}/members", "Add a user or a role as a member")
                .body::<NewMember>()
                .status(200),
            add_member,
        )
        .add(
            Op::delete("/roles/{id}/members/{member}", "Remove a member").status(200),
            remove_member,
        )
}

fn parse_rights(names: &[String]) -> CoreResult<Vec<Right>> {
    names
        .iter()
        .map(|n| {
            Right::parse(n).ok_or_else(|| {
                Error::invalid(format!(
                    "unknown right '{n}': use user-management, role-management or account-unlock"
                ))
            })
        })
        .collect()
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateRole {
    name: String,
    /// Defaults to the caller's own organization; `null` for the system
    /// administrator makes a server-wide role.
    organization: Option<String>,
    #[serde(default)]
    rights: Vec<String>,
    description: Option<String>,
    external_id: Option<String>,
}

async fn create(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(b): Body<CreateRole>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let out = run(&s, move |d| {
        let new = NewRole {
            name: b.name,
            org: b.organization.as_deref().map(org_ref),
            rights: parse_rights(&b.rights)?,
            description: b.description,
            external_id: b.external_id,
            gid_number: None,
            unit: None,
            attrs: Default::default(),
            id: None,
        };
        let role = d.create_role(&req, new)?;
        Ok(views::role(&role, &d.org_names()?, Some(&[])))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    organization: Option<String>,
}

async fn list(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let roles = d.list_roles(&req, q.organization.as_deref().map(org_ref).as_ref())?;
        let names = d.org_names()?;
        let items: Vec<Value> = roles.iter().map(|r| views::role(r, &names, None)).collect();
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
    let id = uuid(&id, "role")?;
    let out = run(&s, move |d| {
        let role = d.get_role(&req, id)?;
        let members = d.role_members(&req, id)?;
        Ok(views::role(&role, &d.org_names()?, Some(&members)))
    })
    .await?;
    Ok(Json(out))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ChangeRole {
    name: Option<String>,
    rights: Option<Vec<String>>,
    description: Option<String>,
}

async fn change(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
    Body(b): Body<ChangeRole>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "role")?;
    let out = run(&s, move |d| {
        let changes = RoleChanges {
            name: b.name,
            rights: b.rights.as_deref().map(parse_rights).transpose()?,
            description: b.description.map(Some),
            external_id: None,
            gid_number: None,
            attrs: None,
        };
        let role = d.update_role(&req, id, changes)?;
        Ok(views::role(&role, &d.org_names()?, None))
    })
    .await?;
    Ok(Json(out))
}

async fn remove(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = uuid(&id, "role")?;
    run(&s, move |d| d.delete_role(&req, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new member: exactly one of `user` (id or login) and `role` (id).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewMember {
    user: Option<String>,
    role: Option<String>,
}

async fn add_member(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
    Body(b): Body<NewMember>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "role")?;
    let out = run(&s, move |d| {
        let member = match (b.user, b.role) {
            (Some(u), None) => Member::User(user_id(d, &req, &UserRef::parse(&u))?),
            (None, Some(r)) => Member::Role(
                uuid::Uuid::try_parse(&r)
                    .map_err(|_| Error::invalid(format!("role '{r}' is not an id")))?,
            ),
            _ => return Err(Error::invalid("give exactly one of 'user' and 'role'")),
        };
        let role = d.add_member(&req, id, member)?;
        let members = d.role_members(&req, id)?;
        Ok(views::role(&role, &d.org_names()?, Some(&members)))
    })
    .await?;
    Ok(Json(out))
}

async fn remove_member(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path((id, member)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let id = uuid(&id, "role")?;
    let out = run(&s, move |d| {
        let member = match uuid::Uuid::try_parse(&member) {
            Ok(m) => m,
            Err(_) => user_id(d, &req, &UserRef::Login(member))?,
        };
        let role = d.remove_member(&req, id, member)?;
        Ok(views::role(&role, &d.org_names()?, None))
    })
    .await?;
    Ok(Json(out))
}
