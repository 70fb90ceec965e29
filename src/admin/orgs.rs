//! Routes for organizations (`/organizations`) and login suffixes
//! (`/suffixes`): create, list, get, change seats, delete.

use super::auth::Caller;
use super::error::ApiResult;
use super::input::{Body, Path};
use super::openapi::{Op, Routes};
use super::{AdminState, run, views};
use crate::directory::orgs::NewOrg;
use crate::directory::password::policy::PolicyOverride;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .add(
            Op::get("/organizations", "List the organizations you may read"),
            list,
        )
        .add(
            Op::post(
                "/organizations",
                "Create an organization (system administrator)",
            )
            .body::<CreateOrg>(),
            create,
        )
        .add(
            Op::get(
                "/organizations/{name}",
                "An organization with its seats in use",
            ),
            show,
        )
        .add(
            Op::patch(
                "/organizations/{name}",
                "Change the seat count or the password policy",
            )
            .body::<ChangeOrg>(),
            change,
        )
        .add(
            Op::delete(
                "/organizations/{name}",
                "Delete an organization without users or roles",
            ),
            remove,
        )
        .add(
            Op::get("/suffixes", "List the login suffixes"),
            list_suffixes,
        )
        .add(
            Op::post("/suffixes", "Add a login suffix (system administrator)").body::<NewSuffix>(),
            add_suffix,
        )
        .add(
            Op::delete("/suffixes/{name}", "Delete an unused login suffix"),
            remove_suffix,
        )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateOrg {
    name: String,
    #[serde(default)]
    seats: u32,
    #[serde(default)]
    description: Option<String>,
}

async fn create(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(body): Body<CreateOrg>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let new = NewOrg {
        name: body.name,
        seats: body.seats,
        description: body.description,
        id: None,
    };
    let org = run(&s, move |d| d.create_org(&req, new)).await?;
    Ok((StatusCode::CREATED, Json(views::org(&org, Some(0)))))
}

async fn list(State(s): State<AdminState>, Caller(req): Caller) -> ApiResult<Json<Value>> {
    let orgs = run(&s, move |d| d.list_orgs(&req)).await?;
    let items: Vec<Value> = orgs.iter().map(|o| views::org(o, None)).collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn show(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let (org, used) = run(&s, move |d| d.org_usage(&req, &name)).await?;
    Ok(Json(views::org(&org, Some(used))))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ChangeOrg {
    seats: Option<u32>,
    /// What the organization's password policy sets differently from the
    /// server's (`minLength`, `minClasses`, `rejectNames`, `history`,
    /// `maxAgeDays`, `warnDays`, `graceLogins`, `mailedReset`,
    /// `requireSecondFactor`); replaces what it set.
    password_policy: Option<PolicyPatch>,
}

/// An organization's password policy, by the configuration's keys.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PolicyPatch {
    min_length: Option<usize>,
    min_classes: Option<usize>,
    reject_names: Option<bool>,
    history: Option<usize>,
    max_age_days: Option<u32>,
    warn_days: Option<u32>,
    grace_logins: Option<u32>,
    /// `false`: its users cannot reset a forgotten password by mail.
    mailed_reset: Option<bool>,
    /// `true`: LDAP binds of its users need the password followed by a code.
    require_second_factor: Option<bool>,
}

impl PolicyPatch {
    fn into_override(self) -> PolicyOverride {
        PolicyOverride {
            min_length: self.min_length,
            min_classes: self.min_classes,
            reject_names: self.reject_names,
            history: self.history,
            max_age_days: self.max_age_days,
            warn_days: self.warn_days,
            grace_logins: self.grace_logins,
            mailed_reset: self.mailed_reset,
            require_second_factor: self.require_second_factor,
        }
    }
}

async fn change(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(name): Path<String>,
    Body(body): Body<ChangeOrg>,
) -> ApiResult<Json<Value>> {
    let org = run(&s, move |d| {
        let policy = body.password_policy.map(PolicyPatch::into_override);
        d.change_org(&req, &name, body.seats, policy)
    })
    .await?;
    Ok(Json(views::org(&org, None)))
}

async fn remove(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    run(&s, move |d| d.delete_org(&req, &name)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_suffixes(
    State(s): State<AdminState>,
    Caller(_req): Caller,
) -> ApiResult<Json<Value>> {
    let all = run(&s, |d| d.list_suffixes()).await?;
    let items: Vec<Value> = all.iter().map(views::suffix).collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewSuffix {
    name: String,
}

async fn add_suffix(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(body): Body<NewSuffix>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let suffix = run(&s, move |d| d.add_suffix(&req, &body.name)).await?;
    Ok((StatusCode::CREATED, Json(views::suffix(&suffix))))
}

async fn remove_suffix(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    run(&s, move |d| d.delete_suffix(&req, &name)).await?;
    Ok(StatusCode::NO_CONTENT)
}
