//! The caller's own account ("My account"): what the core shows it of
//! itself, its password change (the current password is checked by the
//! core and a wrong one counts as a failed login), and the profile fields
//! `[users] self_service` lets it change. The system administrator's
//! account is not a user and has no such page.

use super::ConsoleState;
use super::error::{PageError, respond};
use super::pages::{Layout, row};
use super::session::Caller;
use crate::directory::acl::ActorKind;
use crate::directory::model::User;
use crate::directory::users::{ProfileField, UserChanges};
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

/// One field of the self-service form.
struct OwnField {
    name: &'static str,
    label: &'static str,
    value: String,
    kind: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    layout: Layout,
    login: String,
    name: String,
    email: String,
    organization: String,
    state: &'static str,
    /// The profile fields `[users] self_service` lets the caller change.
    own_fields: Vec<OwnField>,
    /// Whether the caller has a confirmed second factor.
    second_factor: bool,
    /// What the last action did, or why it did not.
    notice: Option<String>,
    problem: Option<String>,
}

/// The caller's own account, as the core shows it to the caller; `None`
/// for an actor that is not a user (the system administrator).
fn own_id(req: &Request) -> Option<Uuid> {
    req.actor
        .id
        .filter(|_| matches!(req.actor.kind, ActorKind::User(_)))
}

/// The self-service fields: what the configuration allows, as stored.
fn own_fields(d: &Directory, user: &User) -> Vec<OwnField> {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    d.settings()
        .self_service
        .iter()
        .map(|f| match f {
            ProfileField::Email => ("email", "Email", value(&user.email), "email"),
            ProfileField::GivenName => {
                ("given_name", "First name", value(&user.given_name), "text")
            }
            ProfileField::FamilyName => {
                ("family_name", "Last name", value(&user.family_name), "text")
            }
            ProfileField::DisplayName => (
                "display_name",
                "Display name",
                value(&user.display_name),
                "text",
            ),
        })
        .map(|(name, label, value, kind)| OwnField {
            name,
            label,
            value,
            kind,
        })
        .collect()
}

fn account_page(d: &Directory, req: &Request, id: Uuid) -> Result<AccountPage> {
    let user = d.get_user(req, id)?;
    let r = row(&user, &d.org_names()?);
    Ok(AccountPage {
        own_fields: own_fields(d, &user),
        layout: Layout::for_caller(d, req, "My account"),
        login: r.login,
        name: r.name,
        email: r.email,
        organization: r.organization,
        state: r.state,
        second_factor: crate::directory::second_factor::enrolled(&user),
        notice: None,
        problem: None,
    })
}

pub async fn account(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    let Some(id) = own_id(&req) else {
        return Redirect::to("/users").into_response();
    };
    respond(&s.dir, move |d| account_page(d, &req, id)).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

/// Changes the caller's own password: the current one must match (the
/// core checks it, and counts a wrong one as a failed login).
pub async fn change_password(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<PasswordForm>,
) -> Response {
    let Some(id) = own_id(&req) else {
        return Redirect::to("/users").into_response();
    };
    let page = s
        .dir
        .blocking(move |d| {
            let outcome = if f.new != f.repeat {
                Err("The two new passwords differ.".to_owned())
            } else {
                match d.set_password(&req, id, Some(&f.current), &f.new) {
                    Ok(()) => Ok("Your password was changed.".to_owned()),
                    Err(Error::InvalidCredentials) => {
                        Err("The current password is wrong.".to_owned())
                    }
                    Err(Error::Invalid(m) | Error::WeakPassword(m)) => Err(m),
                    Err(e) => return Err(e),
                }
            };
            let mut page = account_page(d, &req, id)?;
            match outcome {
                Ok(notice) => page.notice = Some(notice),
                Err(problem) => page.problem = Some(problem),
            }
            Ok(page)
        })
        .await;
    match page {
        Ok(page) if page.problem.is_some() => (StatusCode::BAD_REQUEST, page).into_response(),
        Ok(page) => page.into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

/// Changes the caller's own profile fields, those `[users] self_service`
/// allows (the core decides: anything else is an administrator's change).
/// An emptied field is cleared.
pub async fn change_profile(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let Some(id) = own_id(&req) else {
        return Redirect::to("/users").into_response();
    };
    let page = s
        .dir
        .blocking(move |d| {
            let field = |name: &str| {
                f.iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| Some(v.trim().to_owned()).filter(|v| !v.is_empty()))
            };
            let changes = UserChanges {
                email: field("email"),
                given_name: field("given_name"),
                family_name: field("family_name"),
                display_name: field("display_name"),
                ..Default::default()
            };
            let outcome = match d.update_user(&req, id, changes) {
                Ok(_) => Ok("Your profile was saved.".to_owned()),
                Err(Error::Invalid(m)) => Err(m),
                Err(e) => return Err(e),
            };
            let mut page = account_page(d, &req, id)?;
            match outcome {
                Ok(notice) => page.notice = Some(notice),
                Err(problem) => page.problem = Some(problem),
            }
            Ok(page)
        })
        .await;
    match page {
        Ok(page) if page.problem.is_some() => (StatusCode::BAD_REQUEST, page).into_response(),
        Ok(page) => page.into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}
