//! Routes for users (`/users`): create inside an organization (a delegate's
//! own by default), get, list with filters and offset paging, change (profile,
//! account flags and quota), move, disable / enable, unlock, reset the
//! password, delete; and registration: a new provisioned user's one-time
//! registration token, `POST /register` (anonymous, the token authenticates),
//! validation by an administrator. A user is named in paths by its id or login.

use super::auth::{Caller, ClientOrigin};
use super::error::{ApiError, ApiResult};
use super::input::{Body, Path, Query, UserRef, org_ref};
use super::openapi::{Op, Routes};
use super::posix::PosixPatch;
use super::profile::{self, ProfilePatch};
use super::user_change::{ChangeUser, change};
use super::user_fields::FlagsPatch;
use super::{AdminState, run, views};
use crate::directory::acl::Actor;
use crate::directory::kept::Kept;
use crate::directory::model::{AccountFlags, Lifecycle, User};
use crate::directory::profile::Profile;
use crate::directory::queries::UserQuery;
use crate::directory::users::{NewPassword, NewUser, UserChanges};
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
        .add(
            Op::get(
                "/users",
                "List users by organization, state and text, with offset paging",
            )
            .query::<ListQuery>(),
            list,
        )
        .add(
            Op::post(
                "/users",
                "Create a user; a provisioned one gets a registration token",
            )
            .body::<CreateUser>(),
            create,
        )
        .add(Op::get("/users/{user}", "A user by id or login"), show)
        .add(
            Op::patch("/users/{user}", "Change profile, state or account flags")
                .body::<ChangeUser>(),
            change,
        )
        .add(Op::delete("/users/{user}", "Delete a user"), remove)
        .add(
            Op::post(
                "/users/{user}/move",
                "Move to another organization (or none)",
            )
            .body::<MoveTo>()
            .status(200),
            move_to,
        )
        .add(
            Op::post("/users/{user}/disable", "Disable (frees the seat)").status(200),
            disable,
        )
        .add(
            Op::post("/users/{user}/enable", "Enable (active again)").status(200),
            enable,
        )
        .add(
            Op::post(
                "/users/{user}/validate",
                "Validate a registered user (-> active)",
            )
            .status(200),
            validate,
        )
        .add(
            Op::post("/users/{user}/unlock", "Unlock a locked account").status(200),
            unlock,
        )
        .add(
            Op::post("/users/{user}/password", "Set a new password")
                .body::<NewPasswordBody>()
                .status(204),
            reset_password,
        )
        .add(
            Op::post(
                "/users/{user}/invite",
                "A fresh registration token (shown once)",
            )
            .status(200),
            invite,
        )
        .add(
            Op::post(
                "/register",
                "Register with a registration token and a new password",
            )
            .body::<Register>()
            .public()
            .status(200),
            register,
        )
}

/// The id of the user a path names, if the caller may see it.
pub(crate) fn user_id(d: &Directory, req: &Request, user: &UserRef) -> CoreResult<Uuid> {
    match user {
        UserRef::Id(id) => Ok(*id),
        UserRef::Login(login) => Ok(d.get_user_by_login(req, login)?.id),
    }
}

/// A user rendered with its organization's name.
pub(super) fn render(d: &Directory, req: &Request, user: &User) -> CoreResult<Value> {
    let security = d.may_see_security(req, user);
    Ok(views::user(user, &d.org_names()?, security))
}

/// Resolves the user a path names, runs one core use case on it and renders
/// the user it answers: the shape of every single-user call.
async fn on_user(
    s: &AdminState,
    req: Request,
    user: String,
    op: impl FnOnce(&Directory, &Request, Uuid) -> CoreResult<User> + Send + 'static,
) -> ApiResult<Json<Value>> {
    let user = UserRef::parse(&user);
    let out = run(s, move |d| {
        let id = user_id(d, &req, &user)?;
        render(d, &req, &op(d, &req, id)?)
    })
    .await?;
    Ok(Json(out))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateUser {
    login: String,
    email: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    display_name: Option<String>,
    /// Defaults to the caller's own organization (a delegate's).
    organization: Option<String>,
    /// `provisioned` (default) or `active`.
    state: Option<String>,
    flags: Option<FlagsPatch>,
    external_id: Option<String>,
    password: Option<String>,
    /// The POSIX identity (numbers allocated when left out).
    posix: Option<PosixPatch>,
    /// Profile texts by SCIM name (`title`, `department`, …).
    profile: Option<ProfilePatch>,
    /// When the account expires (RFC 3339).
    expires: Option<String>,
}

pub(super) fn parse_state(s: &str) -> CoreResult<Lifecycle> {
    Lifecycle::parse(s).ok_or_else(|| {
        Error::invalid(format!(
            "unknown state '{s}': use provisioned, registered, active or disabled"
        ))
    })
}

async fn create(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(b): Body<CreateUser>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let out = run(&s, move |d| {
        let state = b.state.as_deref().map(parse_state).transpose()?;
        let new = NewUser {
            email: b.email,
            given_name: b.given_name,
            family_name: b.family_name,
            display_name: b.display_name,
            org: b.organization.as_deref().map(org_ref),
            state: state.unwrap_or(Lifecycle::Provisioned),
            flags: b.flags.unwrap_or_default().apply(&AccountFlags::default()),
            external_id: b.external_id,
            password: b.password.map(NewPassword::Plain),
            expires: b
                .expires
                .as_deref()
                .map(|t| super::input::time(t).map_err(|e| Error::invalid(e.to_string())))
                .transpose()?,
            profile: match &b.profile {
                Some(p) => profile::apply(p, &Profile::default())?,
                None => Profile::default(),
            },
            ..NewUser::new(b.login)
        };
        let new = match &b.posix {
            Some(p) => {
                let posix = p.change(&Kept::default())?;
                NewUser {
                    uid_number: posix.uid_number,
                    gid_number: posix.gid_number,
                    attrs: posix.attrs.unwrap_or_default(),
                    ..new
                }
            }
            None => new,
        };
        let (user, registration) = d.invite_user(&req, new)?;
        let mut view = render(d, &req, &user)?;
        if let Some(token) = registration {
            // Shown once: the administrator hands it to the person.
            view["registrationToken"] = json!(token);
        }
        Ok(view)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    organization: Option<String>,
    state: Option<String>,
    /// Matched ignoring case against login, email and names.
    q: Option<String>,
    #[serde(default)]
    offset: usize,
    #[serde(default)]
    limit: usize,
}

async fn list(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let out = run(&s, move |d| {
        let query = UserQuery {
            org: q.organization.as_deref().map(org_ref),
            state: q.state.as_deref().map(parse_state).transpose()?,
            text: q.q,
            offset: q.offset,
            limit: q.limit,
        };
        let page = d.list_users(&req, &query)?;
        let names = d.org_names()?;
        let items: Vec<Value> = page
            .items
            .iter()
            .map(|u| views::user(u, &names, d.may_see_security(&req, u)))
            .collect();
        Ok(json!({"total": page.total, "offset": query.offset, "items": items}))
    })
    .await?;
    Ok(Json(out))
}

async fn show(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
) -> ApiResult<Json<Value>> {
    on_user(&s, req, user, |d, r, id| d.get_user(r, id)).await
}

async fn remove(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
) -> ApiResult<StatusCode> {
    let user = UserRef::parse(&user);
    run(&s, move |d| d.delete_user(&req, user_id(d, &req, &user)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct MoveTo {
    /// `null` takes the user out of every organization.
    organization: Option<String>,
}

async fn move_to(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
    Body(b): Body<MoveTo>,
) -> ApiResult<Json<Value>> {
    let dest = b.organization.as_deref().map(org_ref);
    on_user(&s, req, user, move |d, r, id| d.move_user(r, id, dest)).await
}

/// Sets the lifecycle state; the core decides which transitions are allowed.
async fn set_state(
    s: &AdminState,
    req: Request,
    user: String,
    state: Lifecycle,
) -> ApiResult<Json<Value>> {
    let changes = UserChanges {
        state: Some(state),
        ..Default::default()
    };
    on_user(s, req, user, move |d, r, id| d.update_user(r, id, changes)).await
}

async fn disable(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
) -> ApiResult<Json<Value>> {
    set_state(&s, req, user, Lifecycle::Disabled).await
}

async fn enable(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
) -> ApiResult<Json<Value>> {
    set_state(&s, req, user, Lifecycle::Active).await
}

/// registered → active, after the administrator checked the person out of band.
async fn validate(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
) -> ApiResult<Json<Value>> {
    on_user(&s, req, user, |d, r, id| d.validate_user(r, id)).await
}

/// A fresh registration token for a provisioned user (shown once).
async fn invite(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = UserRef::parse(&user);
    let out = run(&s, move |d| {
        let id = user_id(d, &req, &user)?;
        let token = d.reinvite_user(&req, id)?;
        Ok(json!({"id": id, "registrationToken": token}))
    })
    .await?;
    Ok(Json(out))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Register {
    token: String,
    password: String,
}

/// Anonymous: the registration token authenticates. provisioned → registered.
async fn register(
    State(s): State<AdminState>,
    ClientOrigin(origin): ClientOrigin,
    Body(b): Body<Register>,
) -> ApiResult<Json<Value>> {
    let req = Request {
        actor: Actor::anonymous(),
        origin,
    };
    let user = run(&s, move |d| d.register(&req, &b.token, &b.password))
        .await
        .map_err(|e| match e {
            ApiError::Core(Error::InvalidCredentials) => {
                ApiError::Unauthorized("invalid, used or expired registration token".into())
            }
            other => other,
        })?;
    Ok(Json(json!({
        "login": user.login,
        "state": user.state.as_str(),
        "note": "registered; an administrator of your organization will validate the account",
    })))
}

async fn unlock(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
) -> ApiResult<Json<Value>> {
    on_user(&s, req, user, |d, r, id| d.unlock_user(r, id)).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewPasswordBody {
    password: String,
}

async fn reset_password(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
    Body(b): Body<NewPasswordBody>,
) -> ApiResult<StatusCode> {
    let user = UserRef::parse(&user);
    run(&s, move |d| {
        let id = user_id(d, &req, &user)?;
        d.set_password(&req, id, None, &b.password)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::model::FLAGS;

    /// The flags patch takes every account flag of the core's table by its
    /// name, and sets exactly that flag.
    #[test]
    fn the_flags_patch_names_every_account_flag() {
        for flag in FLAGS {
            let body = serde_json::json!({ flag.name: true });
            let patch: FlagsPatch =
                serde_json::from_value(body).unwrap_or_else(|e| panic!("{}: {e}", flag.name));
            let set = patch.apply(&AccountFlags::default());
            for other in FLAGS {
                assert_eq!((other.get)(&set), other.name == flag.name, "{}", flag.name);
            }
        }
    }
}
