//! The account actions of the users page: disable, enable, validate and
//! unlock. A row shows a button for each action the core offers
//! (`Directory::account_actions`); pressing one posts the login and the
//! action, the core's use case runs (and asks the policy again), and the
//! browser returns to the list it came from. An account the caller may not
//! see answers as one that does not exist.

use super::ConsoleState;
use super::error::respond;
use super::session::Caller;
use crate::directory::model::Lifecycle;
use crate::directory::offers::AccountActions;
use crate::directory::users::UserChanges;
use crate::directory::{Directory, Error, Request, Result};
use axum::Form;
use axum::extract::State;
use axum::response::{Redirect, Response};
use serde::Deserialize;

/// One button: the action's name in the form, and its label.
pub struct Offer {
    pub value: &'static str,
    pub label: &'static str,
}

/// The buttons for what the core offers on one account.
pub fn offers(a: AccountActions) -> Vec<Offer> {
    [
        (a.validate, "validate", "Validate"),
        (a.unlock, "unlock", "Unlock"),
        (a.enable, "enable", "Enable"),
        (a.disable, "disable", "Disable"),
        (
            a.reset_second_factor,
            "reset-second-factor",
            "Remove second factor",
        ),
    ]
    .into_iter()
    .filter(|(on, _, _)| *on)
    .map(|(_, value, label)| Offer { value, label })
    .collect()
}

#[derive(Deserialize)]
pub struct ActionForm {
    login: String,
    action: String,
    /// The list to return to (a path under `/users`).
    #[serde(default)]
    back: String,
}

pub async fn user_action(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<ActionForm>,
) -> Response {
    // Only back to a users list of this console: never to another site.
    let back = if f.back.starts_with("/users") && !f.back.starts_with("/users/") {
        f.back.clone()
    } else {
        "/users".to_owned()
    };
    respond(&s.dir, move |d| {
        act(d, &req, &f.login, &f.action).map(|()| Redirect::to(&back))
    })
    .await
}

/// Runs one of the lifecycle and lock actions on the account `login`.
pub fn act(d: &Directory, req: &Request, login: &str, action: &str) -> Result<()> {
    let id = d.get_user_by_login(req, login)?.id;
    let state = |state| UserChanges {
        state: Some(state),
        ..Default::default()
    };
    match action {
        "disable" => d.update_user(req, id, state(Lifecycle::Disabled)).map(drop),
        "enable" => d.update_user(req, id, state(Lifecycle::Active)).map(drop),
        "validate" => d.validate_user(req, id).map(drop),
        "unlock" => d.unlock_user(req, id).map(drop),
        "reset-second-factor" => d.remove_second_factor(req, id, None),
        other => Err(Error::invalid(format!("unknown action '{other}'"))),
    }
}
