//! Routes for bearer tokens (`/tokens`) and service accounts
//! (`/service-accounts`): issue (the secret is in that one answer only), list
//! (never with secrets), revoke or delete.

use super::auth::Caller;
use super::error::ApiResult;
use super::input::{Body, Path, uuid};
use super::openapi::{Op, Routes};
use super::{AdminState, run, views};
use crate::directory::model::{Scope, TokenKind};
use crate::directory::{Directory, Error, Result as CoreResult};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .add(
            Op::get("/tokens", "List the tokens you manage (no secrets)"),
            list,
        )
        .add(
            Op::post("/tokens", "Issue a SCIM or admin token (secret shown once)")
                .body::<IssueToken>(),
            issue,
        )
        .add(Op::delete("/tokens/{id}", "Revoke a token"), revoke)
        .add(
            Op::get("/service-accounts", "List service accounts"),
            list_services,
        )
        .add(
            Op::post(
                "/service-accounts",
                "Create a service account (password shown once)",
            )
            .body::<CreateService>(),
            create_service,
        )
        .add(
            Op::delete("/service-accounts/{name}", "Delete a service account"),
            delete_service,
        )
}

/// An organization name → its scope; `None` is the whole server.
fn scope_of(
    d: &Directory,
    req: &crate::directory::Request,
    org: Option<&str>,
) -> CoreResult<Scope> {
    match org {
        None => Ok(Scope::Server),
        Some(name) => Ok(Scope::Org(d.get_org(req, name)?.id)),
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct IssueToken {
    /// `scim` (provisioning, scoped to `organization` or the server) or
    /// `admin` (the admin API, acting as the caller).
    kind: String,
    #[serde(default)]
    organization: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// Admin tokens only: seconds until it stops working (a login session);
    /// without it the token works until revoked.
    #[serde(default, rename = "expiresIn")]
    expires_in: Option<u32>,
}

async fn issue(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(b): Body<IssueToken>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let out = run(&s, move |d| {
        let kind = match b.kind.to_ascii_lowercase().as_str() {
            "scim" => TokenKind::Scim,
            "admin" => TokenKind::Admin,
            other => {
                return Err(Error::invalid(format!(
                    "unknown token kind '{other}': use scim or admin"
                )));
            }
        };
        if kind == TokenKind::Admin && b.organization.is_some() {
            return Err(Error::invalid(
                "an admin token acts as its owner; it takes no organization",
            ));
        }
        let issued = match (kind, b.expires_in) {
            (TokenKind::Admin, Some(secs)) => {
                let lifetime = i64::from(secs) * 1000;
                d.issue_admin_token(&req, b.description, Some(lifetime))?
            }
            (_, Some(_)) => {
                return Err(Error::invalid("expiresIn applies to admin tokens only"));
            }
            _ => {
                let scope = scope_of(d, &req, b.organization.as_deref())?;
                d.issue_token(&req, kind, scope, b.description)?
            }
        };
        let mut view = views::token(&issued.record, &d.org_names()?);
        view["secret"] = json!(issued.secret);
        Ok(view)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

async fn list(State(s): State<AdminState>, Caller(req): Caller) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let names = d.org_names()?;
        let items: Vec<Value> = d
            .list_tokens(&req)?
            .iter()
            .map(|t| views::token(t, &names))
            .collect();
        Ok(json!({"total": items.len(), "items": items}))
    })
    .await?;
    Ok(Json(out))
}

async fn revoke(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = uuid(&id, "token")?;
    run(&s, move |d| d.revoke_token(&req, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateService {
    name: String,
    /// The organization it reads; `null` reads the whole tree.
    #[serde(default)]
    organization: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

async fn create_service(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(b): Body<CreateService>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // The DN the LDAP listener serves it under (its base is config's base_dn),
    // so the answer can be pasted into the application's bind settings.
    let tree = s.tree.clone();
    let out = run(&s, move |d| {
        let scope = scope_of(d, &req, b.organization.as_deref())?;
        let issued = d.create_service_account(&req, &b.name, scope, b.description)?;
        let mut view = views::service(&issued.record, &d.org_names()?);
        view["password"] = json!(issued.secret);
        view["bindDn"] = json!(tree.service_dn(&issued.record));
        Ok(view)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

async fn list_services(State(s): State<AdminState>, Caller(req): Caller) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let names = d.org_names()?;
        let items: Vec<Value> = d
            .list_service_accounts(&req)?
            .iter()
            .map(|x| views::service(x, &names))
            .collect();
        Ok(json!({"total": items.len(), "items": items}))
    })
    .await?;
    Ok(Json(out))
}

async fn delete_service(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    run(&s, move |d| d.delete_service_account(&req, &name)).await?;
    Ok(StatusCode::NO_CONTENT)
}
