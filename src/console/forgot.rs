//! A forgotten password, for people who cannot sign in: `/forgot` asks for
//! a code by mail (the core's use case, run after the page has answered,
//! which says the same whatever was typed), `/reset` sets a new password
//! with the code. No session is needed or opened.

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
#[template(path = "forgot.html")]
pub struct ForgotPage {
    layout: Layout,
    problem: Option<String>,
    /// What the page says once the form did its work.
    done: Option<String>,
    /// Which form: asking for a code, or using it.
    reset: bool,
}

fn page(reset: bool, problem: Option<&str>, done: Option<String>) -> ForgotPage {
    let title = if reset {
        "Reset your password"
    } else {
        "Forgot your password?"
    };
    ForgotPage {
        layout: Layout::signed_out(title),
        problem: problem.map(str::to_owned),
        done,
        reset,
    }
}

pub async fn ask_form() -> ForgotPage {
    page(false, None, None)
}

pub async fn reset_form() -> ForgotPage {
    page(true, None, None)
}

#[derive(Deserialize)]
pub struct AskForm {
    login: String,
}

pub async fn ask(
    State(s): State<ConsoleState>,
    ConsoleOrigin(origin): ConsoleOrigin,
    Form(f): Form<AskForm>,
) -> ForgotPage {
    let req = Request {
        actor: Actor::anonymous(),
        origin,
    };
    // After the answer: the page says the same whatever happens.
    s.dir.ask_mailed_reset_later(req, f.login);
    page(
        false,
        None,
        Some(
            "If an account matches and may reset its password by mail, a code is on its way \
             to its address. It works once, within 30 minutes."
                .into(),
        ),
    )
}

#[derive(Deserialize)]
pub struct ResetForm {
    code: String,
    password: String,
    repeat: String,
}

pub async fn reset(
    State(s): State<ConsoleState>,
    ConsoleOrigin(origin): ConsoleOrigin,
    Form(f): Form<ResetForm>,
) -> Response {
    if f.password != f.repeat {
        let problem = Some("The two passwords differ.");
        return (StatusCode::BAD_REQUEST, page(true, problem, None)).into_response();
    }
    let req = Request {
        actor: Actor::anonymous(),
        origin,
    };
    let code = f.code.trim().to_owned();
    let done = s
        .dir
        .blocking(move |d| d.reset_with_code(&req, &code, &f.password))
        .await;
    match done {
        Ok(user) => {
            let done = format!("The password of {} is set: sign in with it.", user.login);
            page(true, None, Some(done)).into_response()
        }
        Err(Error::InvalidCredentials) => {
            let problem = Some("This code is invalid, used or expired: ask for a new one.");
            (StatusCode::UNAUTHORIZED, page(true, problem, None)).into_response()
        }
        Err(Error::Invalid(m) | Error::WeakPassword(m)) => {
            (StatusCode::BAD_REQUEST, page(true, Some(&m), None)).into_response()
        }
        Err(e) => PageError::from(e).into_response(),
    }
}
