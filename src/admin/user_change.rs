//! `PATCH /users/{user}`: the fields a body names change, the others stay.
//! Flags, POSIX fields and profile texts patch what the user holds, read
//! first and written only while the user is still at the version read.

use super::auth::Caller;
use super::error::ApiResult;
use super::input::{Body, Path, UserRef};
use super::posix::PosixPatch;
use super::profile::{self, ProfilePatch};
use super::user_fields::{FlagsPatch, double_option};
use super::users::{parse_state, render, user_id};
use super::{AdminState, run};
use crate::directory::model::User;
use crate::directory::users::UserChanges;
use crate::directory::{Error, Result as CoreResult};
use axum::Json;
use axum::extract::State;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ChangeUser {
    login: Option<String>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    given_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    family_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    external_id: Option<Option<String>>,
    flags: Option<FlagsPatch>,
    state: Option<String>,
    posix: Option<PosixPatch>,
    /// Profile texts by SCIM name; `null` clears one, a name left out stays.
    profile: Option<ProfilePatch>,
    /// When the account expires (RFC 3339); `null`: never.
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    expires: Option<Option<String>>,
}

pub(super) async fn change(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
    Body(b): Body<ChangeUser>,
) -> ApiResult<Json<Value>> {
    let user = UserRef::parse(&user);
    let out = run(&s, move |d| {
        let id = user_id(d, &req, &user)?;
        // Flags, POSIX fields and profile texts patch what the user holds:
        // the change is computed from a read and applied only while the user
        // is still at the version read; a write between means reading again.
        let patches = b.flags.is_some() || b.posix.is_some() || b.profile.is_some();
        let mut tries = 0;
        loop {
            let current = if patches {
                Some(d.get_user(&req, id)?)
            } else {
                None
            };
            match d.update_user(&req, id, user_changes(&b, current.as_ref())?) {
                Err(Error::Conflict(_)) if current.is_some() && tries < 3 => tries += 1,
                done => return render(d, &req, &done?),
            }
        }
    })
    .await?;
    Ok(Json(out))
}

/// The core's change for a body, patching flags, POSIX fields and profile
/// texts onto `current` (read only when the body has one of them).
fn user_changes(b: &ChangeUser, current: Option<&User>) -> CoreResult<UserChanges> {
    let posix = match (&b.posix, current) {
        (Some(p), Some(u)) => Some(p.change(&u.attrs)?),
        _ => None,
    };
    Ok(UserChanges {
        login: b.login.clone(),
        email: b.email.clone(),
        given_name: b.given_name.clone(),
        family_name: b.family_name.clone(),
        display_name: b.display_name.clone(),
        external_id: b.external_id.clone(),
        flags: b
            .flags
            .as_ref()
            .zip(current)
            .map(|(p, u)| p.apply(&u.flags)),
        state: b.state.as_deref().map(parse_state).transpose()?,
        uid_number: posix.as_ref().and_then(|p| p.uid_number),
        gid_number: posix.as_ref().and_then(|p| p.gid_number),
        attrs: posix.and_then(|p| p.attrs),
        profile: match (&b.profile, current) {
            (Some(p), Some(u)) => Some(profile::apply(p, &u.profile)?),
            _ => None,
        },
        if_version: current.map(|u| u.version),
        expires: match &b.expires {
            Some(Some(t)) => Some(Some(
                super::input::time(t).map_err(|e| Error::invalid(e.to_string()))?,
            )),
            Some(None) => Some(None),
            None => None,
        },
        ..UserChanges::default()
    })
}
