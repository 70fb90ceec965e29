//! Who is calling the admin API: HTTP Basic with a bind DN (`cn=admin,<base>`,
//! `uid=<login>,ou=<Org>,<base>`), a login or an email and a password, or
//! `Bearer` with an admin token; in a server set `Peer <node>:<secret>` from
//! another node (for a snapshot). The core checks the credential and builds the
//! [`Actor`](crate::directory::acl::Actor); this file only reads the header.
//! Credentials are never logged or echoed.

use super::AdminState;
use super::error::ApiError;
use crate::directory::Request;
use crate::directory::audit::{Origin, Protocol};
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use std::net::SocketAddr;

/// An authenticated admin API request: the core [`Request`] to pass to use cases.
pub struct Caller(pub Request);

/// The client's address, for the audit trail (absent when the router runs
/// without connection info, as in `oneshot` tests).
pub fn origin(parts: &Parts) -> Origin {
    origin_for(parts, Protocol::Admin)
}

/// The client's address for a request of `protocol` (the console's too).
pub fn origin_for(parts: &Parts, protocol: Protocol) -> Origin {
    Origin {
        protocol,
        source: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.to_string()),
    }
}

/// The request's origin alone, for the few calls a credential in the body
/// authenticates (the recovery-code reset).
pub struct ClientOrigin(pub Origin);

impl<S: Send + Sync> FromRequestParts<S> for ClientOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(ClientOrigin(origin(parts)))
    }
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    AdminState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AdminState::from_ref(state);
        let origin = origin(parts);
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .ok_or_else(|| ApiError::Unauthorized("credentials required: HTTP Basic (bind DN or login and password) or Bearer with an admin token".into()))?;
        let actor = match split_scheme(header) {
            Some(("basic", value)) => {
                let (name, mut password) = decode_basic(value)?;
                // An account with a second factor sends its code beside
                // the password; the core takes the two as one (as LDAP's
                // "password followed by the code").
                if let Some(code) = parts.headers.get(CODE_HEADER).and_then(|h| h.to_str().ok()) {
                    password.push_str(code.trim());
                }
                let anon = Request {
                    actor: crate::directory::acl::Actor::anonymous(),
                    origin: origin.clone(),
                };
                let tree = state.tree.clone();
                let resolve = move |tx: &crate::directory::view::View<'_>| {
                    crate::ldap::bind::principal(tx, &tree, &name)
                };
                state.dir.authenticate_async(anon, resolve, password).await
            }
            Some(("bearer", value)) => {
                let token = value.to_owned();
                state
                    .dir
                    .blocking(move |d| d.authenticate_admin_token(&token))
                    .await
            }
            Some(("peer", value)) => {
                let (name, secret) = value.split_once(':').unwrap_or(("", value));
                state.dir.authenticate_peer(name, secret)
            }
            _ => {
                return Err(ApiError::Unauthorized(
                    "unsupported authorization scheme; use Basic or Bearer".into(),
                ));
            }
        };
        let actor = actor.map_err(|e| match e {
            crate::directory::Error::InvalidCredentials => {
                ApiError::Unauthorized("invalid credentials".into())
            }
            other => ApiError::Core(other),
        })?;
        Ok(Caller(Request { actor, origin }))
    }
}

/// The header carrying a second factor's code with Basic credentials.
pub const CODE_HEADER: &str = "x-dirgate-code";

/// `Scheme value` → (lower-case scheme, value).
fn split_scheme(header: &str) -> Option<(&'static str, &str)> {
    let (scheme, value) = header.trim().split_once(' ')?;
    let scheme = if scheme.eq_ignore_ascii_case("basic") {
        "basic"
    } else if scheme.eq_ignore_ascii_case("bearer") {
        "bearer"
    } else if scheme.eq_ignore_ascii_case("peer") {
        "peer"
    } else {
        return None;
    };
    Some((scheme, value.trim()))
}

/// Base64 `name:password` → its two parts (the password may contain `:`).
fn decode_basic(value: &str) -> Result<(String, String), ApiError> {
    let bad = || ApiError::Unauthorized("malformed Basic credentials".into());
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (name, password) = text.split_once(':').ok_or_else(bad)?;
    if name.is_empty() {
        return Err(bad());
    }
    Ok((name.to_owned(), password.to_owned()))
}
