//! The `/Groups` endpoints: an organization's roles as SCIM Groups. List and
//! search, read, create, replace, patch and delete; members are users and
//! groups the token can see. Every decision is the core's.

use super::context::{Call, json_body, resource_id};
use super::error::{ScimError, ScimResult};
use super::group_json::{GroupInput, parse, render};
use super::list::{ListParams, ListQuery, query, respond};
use super::patch;
use super::project::Selection;
use super::response::{
    created, has_if_match, if_match_ok, no_content, none_match_hit, not_modified, resource,
    scim_json,
};
use super::schema::GROUP;
use crate::directory::model::Member;
use crate::directory::roles::{NewRole, RoleChanges};
use crate::directory::scim_view::RoleView;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use uuid::Uuid;

pub async fn list(call: Call, q: Result<Query<ListQuery>, QueryRejection>) -> ScimResult<Response> {
    let q = query(q)?;
    search_groups(&call, &q)
        .await
        .map(|v| scim_json(StatusCode::OK, &v))
}

pub async fn search(call: Call, body: Bytes) -> ScimResult<Response> {
    let q = ListQuery::from_search(&json_body(&body)?)?;
    search_groups(&call, &q)
        .await
        .map(|v| scim_json(StatusCode::OK, &v))
}

/// Members are read only when the answer, the filter or the order needs them
/// (Entra ID lists groups with `excludedAttributes=members`).
fn needs_members(p: &ListParams) -> bool {
    let mentions = |text: String| text.to_ascii_lowercase().contains("members");
    p.selection.returns(GROUP, "members")
        || p.filter.as_ref().is_some_and(|f| mentions(f.to_string()))
        || p.sort_by.as_ref().is_some_and(|s| mentions(s.to_string()))
}

/// The ListResponse for a group query (also used by the root `/.search`).
pub async fn search_groups(call: &Call, q: &ListQuery) -> ScimResult<serde_json::Value> {
    search_groups_with(call, &q.params()?).await
}

/// The ListResponse for checked parameters.
pub async fn search_groups_with(call: &Call, params: &ListParams) -> ScimResult<serde_json::Value> {
    let members = needs_members(params);
    let views = call.run(move |d, r| d.view_roles(r, members)).await?;
    let all = views.iter().map(|v| render(v, &call.base)).collect();
    respond(GROUP, all, params, call.limits.max_filter_matches)
}

pub async fn get_one(
    call: Call,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ScimResult<Response> {
    let id = resource_id(&id)?;
    let selection = query(q)?.selection()?;
    let members = selection.returns(GROUP, "members");
    let view = call.run(move |d, r| d.view_role(r, id, members)).await?;
    if none_match_hit(&headers, view.role.version) {
        return Ok(not_modified(view.role.version));
    }
    let body = selection.apply(GROUP, render(&view, &call.base));
    Ok(resource(StatusCode::OK, &body, view.role.version))
}

/// Turns member ids into core members; an id the token cannot see is a bad value.
async fn members(call: &Call, ids: Vec<Uuid>) -> ScimResult<Vec<Member>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let m = call
            .run(move |d, r| d.resolve_member(r, id))
            .await
            .map_err(|_| ScimError::invalid_value(format!("member {id} does not exist")))?;
        out.push(m);
    }
    Ok(out)
}

pub async fn create(
    call: Call,
    q: Result<Query<ListQuery>, QueryRejection>,
    body: Bytes,
) -> ScimResult<Response> {
    // Read before any change, so a bad `attributes` changes nothing.
    let selection = query(q)?.selection()?;
    let input = parse(&json_body(&body)?)?;
    let list = members(&call, input.members.unwrap_or_default()).await?;
    let new = NewRole {
        name: input.name,
        external_id: input.external_id,
        ..NewRole::default()
    };
    let role = call
        .run(move |d, r| d.create_role_with_members(r, new, list))
        .await?;
    let (whole, shown) = shown(&call, role.id, &selection).await?;
    Ok(created(&whole, &shown, role.version))
}

pub async fn replace(
    call: Call,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
    body: Bytes,
) -> ScimResult<Response> {
    let id = resource_id(&id)?;
    let selection = query(q)?.selection()?;
    let mut input = parse(&json_body(&body)?)?;
    // PUT replaces: no members in the body means none.
    input.members.get_or_insert_with(Vec::new);
    let current = call.run(move |d, r| d.view_role(r, id, true)).await?;
    save(&call, &headers, current, input, &selection).await
}

pub async fn patch(
    call: Call,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
    body: Bytes,
) -> ScimResult<Response> {
    let id = resource_id(&id)?;
    let selection = query(q)?.selection()?;
    let ops = patch::parse_ops(&json_body(&body)?)?;
    let current = call.run(move |d, r| d.view_role(r, id, true)).await?;
    let mut doc = render(&current, &call.base);
    patch::apply(GROUP, &mut doc, &ops)?;
    let mut input = parse(&doc)?;
    input.members.get_or_insert_with(Vec::new);
    save(&call, &headers, current, input, &selection).await
}

/// Applies a whole new representation in one core transaction and answers
/// with the resource as `selection` shows it.
async fn save(
    call: &Call,
    headers: &HeaderMap,
    current: RoleView,
    input: GroupInput,
    selection: &Selection,
) -> ScimResult<Response> {
    let old = &current.role;
    if !if_match_ok(headers, old.version) {
        return Err(ScimError::precondition_failed());
    }
    let changes = RoleChanges {
        name: Some(input.name).filter(|n| *n != old.name),
        external_id: Some(input.external_id).filter(|e| *e != old.external_id),
        ..RoleChanges::default()
    };
    let list = match input.members {
        Some(ids) => Some(members(call, ids).await?),
        None => None,
    };
    let id = old.id;
    let (guarded, version) = (has_if_match(headers), old.version);
    let role = call
        .run_guarded(guarded, move |d, r| {
            d.change_role(r, id, changes, list, guarded.then_some(version))
        })
        .await?;
    let (_, shown) = shown(call, id, selection).await?;
    Ok(resource(StatusCode::OK, &shown, role.version))
}

/// The group after a change, whole and as `selection` shows it; members are
/// read only when shown.
async fn shown(call: &Call, id: Uuid, selection: &Selection) -> ScimResult<(Value, Value)> {
    let members = selection.returns(GROUP, "members");
    let view = call.run(move |d, r| d.view_role(r, id, members)).await?;
    let whole = render(&view, &call.base);
    Ok((whole.clone(), selection.apply(GROUP, whole)))
}

pub async fn delete(
    call: Call,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ScimResult<Response> {
    let id = resource_id(&id)?;
    let current = call.run(move |d, r| d.view_role(r, id, false)).await?;
    if !if_match_ok(&headers, current.role.version) {
        return Err(ScimError::precondition_failed());
    }
    call.run(move |d, r| d.delete_role(r, id)).await?;
    Ok(no_content())
}
