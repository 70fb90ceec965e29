//! The second factor over the admin API: a user enrols its own
//! (`POST /account/second-factor`: the secret, its `otpauth://` URI and the
//! QR code as SVG, shown once; `…/confirm` with a first code: ten recovery
//! codes, shown once) and removes it with a code (`…/remove`); an
//! administrator who may reset a user's password removes the user's
//! (`DELETE /users/{user}/second-factor`, a lost phone). Signing in with
//! one: HTTP Basic plus the code in `X-Dirgate-Code`.

use super::auth::Caller;
use super::error::ApiResult;
use super::input::{Body, Path, UserRef};
use super::openapi::{Op, Routes};
use super::users::user_id;
use super::{AdminState, run};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .add(
            Op::post(
                "/account/second-factor",
                "Start enrolling a TOTP second factor (the secret is shown once)",
            )
            .status(200),
            begin,
        )
        .add(
            Op::post(
                "/account/second-factor/confirm",
                "Confirm the second factor with a first code (recovery codes, shown once)",
            )
            .body::<Code>()
            .status(200),
            confirm,
        )
        .add(
            Op::post(
                "/account/second-factor/remove",
                "Remove one's own second factor, with a code",
            )
            .body::<Code>()
            .status(204),
            remove_own,
        )
        .add(
            Op::delete(
                "/users/{user}/second-factor",
                "Remove a user's second factor (a lost phone)",
            )
            .status(204),
            reset,
        )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Code {
    /// A code from the authenticator app, or a recovery code.
    code: String,
}

async fn begin(State(s): State<AdminState>, Caller(req): Caller) -> ApiResult<Json<Value>> {
    let e = run(&s, move |d| d.begin_second_factor(&req)).await?;
    Ok(Json(json!({
        "secret": e.secret,
        "uri": e.uri,
        "qrSvg": e.qr_svg,
        "note": "add it to an authenticator app, then confirm with its first code",
    })))
}

async fn confirm(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(b): Body<Code>,
) -> ApiResult<Json<Value>> {
    let codes = run(&s, move |d| d.confirm_second_factor(&req, &b.code)).await?;
    Ok(Json(json!({
        "recoveryCodes": codes,
        "note": "keep these: each one signs in once instead of a code",
    })))
}

async fn remove_own(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Body(b): Body<Code>,
) -> ApiResult<StatusCode> {
    run(&s, move |d| d.remove_own_second_factor(&req, &b.code)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reset(
    State(s): State<AdminState>,
    Caller(req): Caller,
    Path(user): Path<String>,
) -> ApiResult<StatusCode> {
    let user = UserRef::parse(&user);
    run(&s, move |d| {
        let id = user_id(d, &req, &user)?;
        d.remove_second_factor(&req, id, None)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
