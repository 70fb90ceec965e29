//! Routes for administrators (`/admins`): an organization's Organization
//! Administrator and delegates; appointing or replacing the Organization
//! Administrator (answers its one-time recovery code); appointing and removing
//! delegates; and the recovery-code password reset, which needs no other
//! credential (the code is the credential).

use super::auth::{Caller, ClientOrigin};
use super::error::{ApiError, ApiResult};
use super::input::{Body, Path, UserRef};
use super::openapi::{Op, Routes};
use super::users::user_id;
use super::{AdminState, run, views};
use crate::directory::acl::Actor;
use crate::directory::{Error, Request};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .add(
            Op::get(
                "/admins/{org}",
                "The Organization Administrator and delegates",
            ),
            show,
        )
        .add(
            Op::put(
                "/admins/{org}/org-admin",
                "Appoint or replace the Organization Administrator",
            )
            .body::<Appoint>(),
            appoint_org_admin,
        )
        .add(
            Op::delete(
                "/admins/{org}/org-admin",
                "Leave the organization without one",
            ),
            remove_org_admin,
        )
        .add(
            Op::put(
                "/admins/{org}/delegates/{user}",
                "Appoint a Delegated Administrator",
            ),
            appoint_delegate,
        )
        .add(
            Op::delete(
                "/admins/{org}/delegates/{user}",
                "Remove a Delegated Administrator",
            )
            .status(200),
            remove_delegate,
        )
        .add(
            Op::post("/admins/recover", "Reset a password with a recovery code")
                .body::<Recover>()
                .public()
                .status(200),
            recover,
        )
}

/// The organization's Organization Administrator and delegates.
async fn show(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let organization = d.get_org(&req, &org)?;
        let found = d.org_administrators(&req, &organization)?;
        let names = d.org_names()?;
        let view =
            |u: &crate::directory::model::User| views::user(u, &names, d.may_see_security(&req, u));
        let admin = found.org_admin.as_ref().map(view);
        let delegates: Vec<Value> = found.delegates.iter().map(view).collect();
        Ok(json!({"organization": organization.name, "orgAdmin": admin, "delegates": delegates}))
    })
    .await?;
    Ok(Json(out))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Appoint {
    /// The user's id or login; it must already be a member of the organization.
    user: String,
}

async fn appoint_org_admin(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(org): Path<String>,
    Body(b): Body<Appoint>,
) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let id = user_id(d, &req, &UserRef::parse(&b.user))?;
        let code = d.appoint_org_admin(&req, &org, id)?;
        Ok(json!({
            "organization": org,
            "orgAdmin": id,
            "recoveryCode": code.0,
            "note": "the recovery code is shown once; hand it to the Organization Administrator",
        }))
    })
    .await?;
    Ok(Json(out))
}

async fn remove_org_admin(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(org): Path<String>,
) -> ApiResult<StatusCode> {
    run(&s, move |d| d.remove_org_admin(&req, &org)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Appoints or removes a delegate of `org`, which must be the user's own.
async fn set_delegate(
    s: &AdminState,
    req: Request,
    org: String,
    user: String,
    delegate: bool,
) -> ApiResult<Json<Value>> {
    let out = run(s, move |d| {
        let id = user_id(d, &req, &UserRef::parse(&user))?;
        let organization = d.get_org(&req, &org)?;
        let current = d.get_user(&req, id)?;
        if current.org != Some(organization.id) {
            return Err(Error::invalid(format!(
                "{} is not a member of {}; delegates administer their own organization",
                current.login, organization.name
            )));
        }
        let user = d.set_delegate(&req, id, delegate)?;
        let security = d.may_see_security(&req, &user);
        Ok(views::user(&user, &d.org_names()?, security))
    })
    .await?;
    Ok(Json(out))
}

async fn appoint_delegate(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path((org, user)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    set_delegate(&s, req, org, user, true).await
}

async fn remove_delegate(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path((org, user)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    set_delegate(&s, req, org, user, false).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Recover {
    login: String,
    recovery_code: String,
    password: String,
}

/// Anonymous: the recovery code authenticates. Answers the next code.
async fn recover(
    State(s): State<AdminState>,
    ClientOrigin(origin): ClientOrigin,
    Body(b): Body<Recover>,
) -> ApiResult<Json<Value>> {
    let req = Request {
        actor: Actor::anonymous(),
        origin,
    };
    let next = run(&s, move |d| {
        d.reset_with_recovery_code(&req, &b.login, &b.recovery_code, &b.password)
    })
    .await
    .map_err(|e| match e {
        ApiError::Core(Error::InvalidCredentials) => {
            ApiError::Unauthorized("wrong login or recovery code".into())
        }
        other => other,
    })?;
    Ok(Json(json!({
        "recoveryCode": next.0,
        "note": "the password is changed; this is the next recovery code, shown once",
    })))
}
