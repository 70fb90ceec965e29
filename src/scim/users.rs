//! The `/Users` endpoints: list and search, read, create, replace, patch and
//! delete. Bodies become core values through `user_json`; every decision about
//! who may do what is the core's.

use super::context::{Call, json_body, resource_id};
use super::error::{ScimError, ScimResult};
use super::filter::AttrPath;
use super::list::{ListParams, ListQuery, query, respond, user_lookup};
use super::patch;
use super::project::{Selection, written_in};
use super::response::{
    created, has_if_match, if_match_ok, none_match_hit, not_modified, resource, scim_json,
};
use super::schema::{DIRGATE, ORGANIZATION_UNIT, USER};
use super::user_json::{UserInput, parse, render};
use crate::directory::certificates;
use crate::directory::kept::Kept;
use crate::directory::model::{Lifecycle, User};
use crate::directory::scim_view::{UserLookup, UserView};
use crate::directory::users::{NewPassword, NewUser, OrgRef, UserChanges};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use uuid::Uuid;

pub async fn list(call: Call, q: Result<Query<ListQuery>, QueryRejection>) -> ScimResult<Response> {
    let q = query(q)?;
    search_users(&call, &q)
        .await
        .map(|v| scim_json(StatusCode::OK, &v))
}

pub async fn search(call: Call, body: Bytes) -> ScimResult<Response> {
    let q = ListQuery::from_search(&json_body(&body)?)?;
    search_users(&call, &q)
        .await
        .map(|v| scim_json(StatusCode::OK, &v))
}

/// The ListResponse for a user query (also used by the root `/.search`).
pub async fn search_users(call: &Call, q: &ListQuery) -> ScimResult<serde_json::Value> {
    search_users_with(call, &q.params()?).await
}

/// The ListResponse for checked parameters.
pub async fn search_users_with(call: &Call, params: &ListParams) -> ScimResult<serde_json::Value> {
    let lookup = user_lookup(params.filter.as_ref());
    let views = if matches!(lookup, UserLookup::All) {
        call.run(move |d, r| d.view_users(r, &lookup)).await?
    } else {
        // userName, externalId or email: an index probe, answered in place.
        call.read_here(|d, r| d.view_users(r, &lookup))?
    };
    let all = views.iter().map(|v| render(v, &call.base)).collect();
    let mut params = params.clone();
    params.selection = for_caller(call, params.selection);
    respond(USER, all, &params, call.limits.max_filter_matches)
}

/// The selection as this caller sees users: `organizationUnit` is read-only
/// for callers that may not move users, and shown to them only when named
/// (as before it could be written), so a resource reads back as written.
fn for_caller(call: &Call, selection: Selection) -> Selection {
    if call.dir.may_move_users(&call.req) {
        return selection;
    }
    selection.with_request_only(AttrPath {
        urn: Some(DIRGATE.to_owned()),
        attr: ORGANIZATION_UNIT.to_owned(),
        sub_attr: None,
    })
}

pub async fn get_one(
    call: Call,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ScimResult<Response> {
    let id = resource_id(&id)?;
    let selection = for_caller(&call, query(q)?.selection()?);
    let view = call.read_here(|d, r| d.view_user(r, id))?;
    if none_match_hit(&headers, view.user.version) {
        return Ok(not_modified(view.user.version));
    }
    let body = selection.apply(USER, render(&view, &call.base));
    Ok(resource(StatusCode::OK, &body, view.user.version))
}

pub async fn create(
    call: Call,
    q: Result<Query<ListQuery>, QueryRejection>,
    body: Bytes,
) -> ScimResult<Response> {
    // Read before any change, so a bad `attributes` changes nothing.
    let body = json_body(&body)?;
    let selection = query(q)?
        .selection()?
        .after_writing(written_in(&body, None));
    let selection = for_caller(&call, selection);
    let input = parse(&body)?;
    let allowed = match &input.organization_unit {
        Some(Some(_)) => {
            call.run(|d, r| d.placement_choices(r, usize::MAX))
                .await?
                .orgs
        }
        _ => Vec::new(),
    };
    let input = placed_by(&call, input, &allowed)?;
    // An organization-bound token places users in its organization; a
    // server-wide one names the organization in dirgate's extension
    // (`organizationUnit`; the enterprise `organization` is plain data).
    let org = input.organization_unit.clone().flatten().map(OrgRef::Name);
    let state = match input.active {
        Some(false) => Lifecycle::Disabled,
        _ => Lifecycle::Active,
    };
    let new = NewUser {
        login: input.login.clone(),
        email: input.profile.primary_email().map(str::to_owned),
        given_name: input.given_name.clone(),
        family_name: input.family_name.clone(),
        display_name: input.display_name.clone(),
        org,
        state,
        flags: input
            .flags
            .as_ref()
            .map(|f| f.apply_to(&Default::default()))
            .unwrap_or_default(),
        external_id: input.external_id.clone(),
        password: input.password.clone().map(NewPassword::Plain),
        profile: Default::default(),
        attrs: kept(&Default::default(), &input),
        uid_number: input.posix.as_ref().and_then(|p| p.uid_number),
        gid_number: input.posix.as_ref().and_then(|p| p.gid_number),
        unit: None,
        id: None,
        expires: None,
        password_changed: None,
    };
    let mut profile = input.profile;
    // A new account shows its state even when the body did not say.
    profile.unassigned.retain(|n| n != "active");
    let user = call
        .run(move |d, r| d.create_user_with_profile(r, new, profile))
        .await
        .map_err(organization_unknown)?;
    let id = user.id;
    let view = call.run(move |d, r| d.view_user(r, id)).await?;
    let whole = render(&view, &call.base);
    let shown = selection.apply(USER, whole.clone());
    Ok(created(&whole, &shown, user.version))
}

/// The input as the caller may use it: `organizationUnit` is read-only for
/// callers that may not move users, as the Schemas answer tells them, so it
/// is ignored when it names an organization in `allowed` (where the user is,
/// or for a new user where the caller creates users) and refused otherwise:
/// a value that would not be kept is an error, not silently dropped.
fn placed_by(call: &Call, mut input: UserInput, allowed: &[String]) -> ScimResult<UserInput> {
    if call.dir.may_move_users(&call.req) {
        return Ok(input);
    }
    if let Some(Some(named)) = &input.organization_unit
        && !allowed.iter().any(|a| a.eq_ignore_ascii_case(named))
    {
        return Err(ScimError::mutability(
            "organizationUnit is read-only for this token: it keeps users in its own organization",
        ));
    }
    input.organization_unit = None;
    Ok(input)
}

// Naming an organization that does not exist is a bad value, not a 404.
fn organization_unknown(e: ScimError) -> ScimError {
    if e.status == StatusCode::NOT_FOUND {
        return ScimError::invalid_value(format!("organizationUnit: {}", e.detail));
    }
    e
}

pub async fn replace(
    call: Call,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
    body: Bytes,
) -> ScimResult<Response> {
    let id = resource_id(&id)?;
    let body = json_body(&body)?;
    let selection = query(q)?
        .selection()?
        .after_writing(written_in(&body, None));
    let selection = for_caller(&call, selection);
    let input = parse(&body)?;
    let current = call.run(move |d, r| d.view_user(r, id)).await?;
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
    let ops = patch::parse_ops(&json_body(&body)?)?;
    let selection = query(q)?.selection()?.after_writing(patch::written(&ops));
    let selection = for_caller(&call, selection);
    let current = call.run(move |d, r| d.view_user(r, id)).await?;
    let mut doc = render(&current, &call.base);
    patch::apply(USER, &mut doc, &ops)?;
    let mut input = parse(&doc)?;
    // The document started whole: a missing extension was removed.
    input.flags.get_or_insert_with(Default::default);
    input.organization_unit.get_or_insert(None);
    input.posix.get_or_insert_with(Default::default);
    input.certificates.get_or_insert_with(Vec::new);
    save(&call, &headers, current, input, &selection).await
}

/// Applies a whole new representation (PUT, or the result of a PATCH) and
/// answers with the resource as `selection` shows it.
async fn save(
    call: &Call,
    headers: &HeaderMap,
    current: UserView,
    input: UserInput,
    selection: &Selection,
) -> ScimResult<Response> {
    let here: Vec<String> = current.org_name.iter().cloned().collect();
    let input = placed_by(call, input, &here)?;
    let old = &current.user;
    if !if_match_ok(headers, old.version) {
        return Err(ScimError::precondition_failed());
    }
    let guarded = has_if_match(headers);
    let changes = UserChanges {
        if_version: guarded.then_some(old.version),
        ..changes(old, &input)
    };
    let id = old.id;
    let dest = move_to(&current, &input);
    let user = call
        .run_guarded(guarded, move |d, r| {
            d.update_and_move_user(r, id, changes, dest)
        })
        .await?;
    let view = call.run(move |d, r| d.view_user(r, id)).await?;
    Ok(resource(
        StatusCode::OK,
        &selection.apply(USER, render(&view, &call.base)),
        user.version,
    ))
}

fn changes(old: &User, input: &UserInput) -> UserChanges {
    let state = match input.active {
        Some(true) if old.state != Lifecycle::Active => Some(Lifecycle::Active),
        Some(false) if old.state != Lifecycle::Disabled => Some(Lifecycle::Disabled),
        _ => None,
    };
    UserChanges {
        login: Some(input.login.clone()),
        email: Some(input.profile.primary_email().map(str::to_owned)),
        given_name: Some(input.given_name.clone()),
        family_name: Some(input.family_name.clone()),
        display_name: Some(input.display_name.clone()),
        external_id: Some(input.external_id.clone()),
        flags: input.flags.as_ref().map(|f| f.apply_to(&old.flags)),
        state,
        password: input.password.clone().map(NewPassword::Plain),
        // LDAP's label of the profile URL is nothing SCIM shows or sends.
        profile: Some(input.profile.clone().keeping_label_of(&old.profile)),
        if_version: None,
        ..posix_changes(old, input)
    }
}

/// What the extension's POSIX numbers change (a number given and
/// different), and the kept attributes when they differ.
fn posix_changes(old: &User, input: &UserInput) -> UserChanges {
    let attrs = kept(&old.attrs, input);
    let posix = input.posix.as_ref();
    UserChanges {
        uid_number: posix
            .and_then(|p| p.uid_number)
            .filter(|n| *n != old.uid_number),
        gid_number: posix
            .and_then(|p| p.gid_number)
            .filter(|n| *n != old.gid_number),
        attrs: (attrs != old.attrs).then_some(attrs),
        ..UserChanges::default()
    }
}

/// `old` kept attributes with what the body says of them: the POSIX
/// extension's home directory, shell and keys, and `x509Certificates`.
fn kept(old: &Kept, input: &UserInput) -> Kept {
    let posix = input.posix.as_ref().map(|p| &p.kept);
    let attrs = posix.map_or_else(|| old.clone(), |p| p.apply_to(old));
    match &input.certificates {
        Some(list) => certificates::apply_to(&attrs, list.clone()),
        None => attrs,
    }
}

// A user moves when dirgate's extension names another organization than
// the one it is in, or leaves its organization when the extension leaves
// `organizationUnit` out (a server-wide token may; the policy refuses others).
fn move_to(current: &UserView, input: &UserInput) -> Option<OrgRef> {
    let wanted = input.organization_unit.as_ref()?;
    let same = match (wanted, &current.org_name) {
        (Some(w), Some(n)) => n.eq_ignore_ascii_case(w),
        (None, None) => true,
        _ => false,
    };
    (!same).then(|| wanted.clone().map_or(OrgRef::NoOrg, OrgRef::Name))
}

pub async fn delete(
    call: Call,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ScimResult<Response> {
    let id: Uuid = resource_id(&id)?;
    let current = call.run(move |d, r| d.view_user(r, id)).await?;
    if !if_match_ok(&headers, current.user.version) {
        return Err(ScimError::precondition_failed());
    }
    call.run(move |d, r| d.delete_user(r, id)).await?;
    Ok(super::response::no_content())
}
