//! Registration for people who are not administrators: the token from the
//! invitation and a new password make a provisioned account `registered`
//! (the core's use case, as `POST /admin/v1/register`); an administrator of
//! the organization then validates it. No session is needed or opened. A
//! wrong, used or expired token gets one answer, whichever it was.

use super::ConsoleState;
use super::error::PageError;
use super::pages::Layout;
use super::session::ConsoleOrigin;
use crate::directory::acl::Actor;
use crate::directory::{Error, Request};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "register.html")]
pub struct RegisterPage {
    layout: Layout,
    problem: Option<String>,
    /// Set once the account is registered: the form is not shown again.
    done: Option<String>,
}

pub async fn form() -> RegisterPage {
    RegisterPage {
        layout: Layout::signed_out("Register"),
        problem: None,
        done: None,
    }
}

#[derive(Deserialize)]
pub struct RegisterForm {
    token: String,
    password: String,
    repeat: String,
}

pub async fn register(
    State(s): State<ConsoleState>,
    ConsoleOrigin(origin): ConsoleOrigin,
    Form(f): Form<RegisterForm>,
) -> Response {
    let page = |status, problem: Option<&str>, done: Option<String>| {
        let page = RegisterPage {
            layout: Layout::signed_out("Register"),
            problem: problem.map(str::to_owned),
            done,
        };
        (status, page).into_response()
    };
    if f.password != f.repeat {
        return page(
            StatusCode::BAD_REQUEST,
            Some("The two passwords differ."),
            None,
        );
    }
    let req = Request {
        actor: Actor::anonymous(),
        origin,
    };
    let token = f.token.trim().to_owned();
    let done = s
        .dir
        .blocking(move |d| d.register(&req, &token, &f.password))
        .await;
    match done {
        Ok(user) => page(
            StatusCode::OK,
            None,
            Some(format!(
                "{} is registered. An administrator of your organization will validate \
                 the account; then you can sign in.",
                user.login
            )),
        ),
        Err(Error::InvalidCredentials) => page(
            StatusCode::UNAUTHORIZED,
            Some(
                "This invitation is invalid, used or expired: ask your administrator for a new one.",
            ),
            None,
        ),
        Err(Error::Invalid(m) | Error::WeakPassword(m)) => {
            page(StatusCode::BAD_REQUEST, Some(&m), None)
        }
        Err(e) => PageError::from(e).into_response(),
    }
}
