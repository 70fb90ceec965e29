//! Routes for organizations (`/organizations`) and login suffixes
//! (`/suffixes`): create, list, get, change seats, delete.

use super::auth::Caller;
use super::error::ApiResult;
use super::input::Body;
use super::{AdminState, run, views};
use crate::directory::orgs::NewOrg;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AdminState> {
    Router::new()
        .route("/organizations", get(list).post(create))
        .route(
            "/organizations/{name}",
            get(show).patch(change).delete(remove),
        )
        .route("/suffixes", get(list_suffixes).post(add_suffix))
        .route("/suffixes/{name}", delete(remove_suffix))
}

#[derive(Deserialize)]
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeOrg {
    seats: u32,
}

async fn change(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(name): Path<String>,
    Body(body): Body<ChangeOrg>,
) -> ApiResult<Json<Value>> {
    let org = run(&s, move |d| d.set_seats(&req, &name, body.seats)).await?;
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

#[derive(Deserialize)]
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
