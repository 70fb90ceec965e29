//! Forgotten passwords over the admin API, anonymous both ways:
//! `POST /password/forgot` names a login or mail address and is answered
//! 202 with the same words whatever it names, before the core looks (the
//! use case runs after the answer, so its time tells nothing either);
//! `POST /password/reset` sets a new password with the mailed code.

use super::auth::ClientOrigin;
use super::error::{ApiError, ApiResult};
use super::input::Body;
use super::openapi::{Op, Routes};
use super::{AdminState, run};
use crate::directory::acl::Actor;
use crate::directory::{Error, Request};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// What every request for a code hears.
pub const ASKED: &str =
    "if an account matches and may reset its password by mail, a code is on its way to its address";

pub fn routes() -> Routes {
    Routes::new()
        .add(
            Op::post(
                "/password/forgot",
                "Ask for a password reset code by mail (the same answer for every address)",
            )
            .body::<Forgot>()
            .public()
            .status(202),
            forgot,
        )
        .add(
            Op::post(
                "/password/reset",
                "Set a new password with a mailed reset code",
            )
            .body::<Reset>()
            .public()
            .status(200),
            reset,
        )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Forgot {
    /// A login or a mail address.
    login: String,
}

async fn forgot(
    State(s): State<AdminState>,
    ClientOrigin(origin): ClientOrigin,
    Body(b): Body<Forgot>,
) -> (StatusCode, Json<Value>) {
    let req = Request {
        actor: Actor::anonymous(),
        origin,
    };
    s.dir.ask_mailed_reset_later(req, b.login);
    (StatusCode::ACCEPTED, Json(json!({ "note": ASKED })))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Reset {
    /// The code from the mail.
    code: String,
    password: String,
}

async fn reset(
    State(s): State<AdminState>,
    ClientOrigin(origin): ClientOrigin,
    Body(b): Body<Reset>,
) -> ApiResult<Json<Value>> {
    let req = Request {
        actor: Actor::anonymous(),
        origin,
    };
    let user = run(&s, move |d| d.reset_with_code(&req, &b.code, &b.password))
        .await
        .map_err(|e| match e {
            ApiError::Core(Error::InvalidCredentials) => {
                ApiError::Unauthorized("invalid, used or expired reset code".into())
            }
            other => other,
        })?;
    Ok(Json(
        json!({ "login": user.login, "note": "the password is set" }),
    ))
}
