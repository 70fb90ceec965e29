//! Console sessions. Signing in checks the credential through the core (a
//! login, an email address or a DN, and the password: lockout and the audit
//! trail as for every login) and issues an admin token of the existing kind
//! that expires after [`SESSION_SECS`]. The browser keeps it in a `__Host-`
//! cookie (Secure, HttpOnly, SameSite=Strict, Path=/), so no script and no
//! other site can read or send it; every page authenticates it as the admin
//! API authenticates a Bearer token. A session is therefore listed with the
//! caller's tokens and revoked like one, and signing out revokes it.

use super::ConsoleState;
use super::error::PageError;
use super::pages::Layout;
use crate::directory::acl::Actor;
use crate::directory::audit::{Origin, Protocol};
use crate::directory::{Error, Request};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE as COOKIE_HEADER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The session cookie's name; `__Host-` makes the browser insist on
/// Secure, Path=/ and no Domain.
pub const COOKIE: &str = "__Host-dirgate";

/// How long a session works: a working day.
pub const SESSION_SECS: i64 = 8 * 3600;

/// A signed-in page request: the core request to pass to use cases, and the
/// session's token (to end it).
pub struct Caller {
    pub req: Request,
    token: String,
}

impl Caller {
    /// The id of this session's token (`dgt_<id>_<secret>`), to tell it
    /// apart among the caller's tokens.
    pub fn session_id(&self) -> Option<uuid::Uuid> {
        let rest = self.token.strip_prefix("dgt_")?;
        uuid::Uuid::parse_str(rest.split('_').next()?).ok()
    }
}

/// The audit trail's origin of a console request.
fn origin(parts: &Parts) -> Origin {
    crate::admin::auth::origin_for(parts, Protocol::Console)
}

/// The request's origin alone, for the sign-in form (no session yet).
pub struct ConsoleOrigin(pub Origin);

impl<S: Send + Sync> FromRequestParts<S> for ConsoleOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ConsoleOrigin(origin(parts)))
    }
}

/// The session token the request's cookie carries, if any.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE_HEADER)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

impl FromRequestParts<ConsoleState> for Caller {
    /// No session, or one that no longer works: the sign-in page.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &ConsoleState) -> Result<Self, Response> {
        let to_sign_in = || Redirect::to("/sign-in").into_response();
        let token = session_token(&parts.headers).ok_or_else(to_sign_in)?;
        let presented = token.clone();
        let actor = s
            .dir
            .blocking(move |d| d.authenticate_admin_token(&presented))
            .await;
        match actor {
            Ok(actor) => Ok(Caller {
                req: Request {
                    actor,
                    origin: origin(parts),
                },
                token,
            }),
            Err(Error::InvalidCredentials) => Err(to_sign_in()),
            Err(e) => Err(PageError::from(e).into_response()),
        }
    }
}

/// The sign-in page, with what went wrong last time.
#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    layout: Layout,
    problem: Option<String>,
    name: String,
}

pub async fn form() -> SignInPage {
    SignInPage {
        layout: Layout::signed_out("Sign in"),
        problem: None,
        name: String::new(),
    }
}

#[derive(Deserialize)]
pub struct SignIn {
    name: String,
    password: String,
    /// The second factor's code, for accounts that enrolled one.
    #[serde(default)]
    code: String,
}

/// Checks the credential, opens a session and goes to the users page; a
/// wrong name and a wrong password get the same answer.
pub async fn sign_in(
    State(s): State<ConsoleState>,
    ConsoleOrigin(origin): ConsoleOrigin,
    Form(f): Form<SignIn>,
) -> Response {
    let anon = Request {
        actor: Actor::anonymous(),
        origin: origin.clone(),
    };
    let (tree, name) = (s.tree.clone(), f.name.clone());
    let resolve =
        move |tx: &crate::directory::view::View<'_>| crate::ldap::bind::principal(tx, &tree, &name);
    // The core takes the password followed by the code, as LDAP does.
    let presented = format!("{}{}", f.password, f.code.trim());
    let actor = match s.dir.authenticate_async(anon, resolve, presented).await {
        Ok(actor) => actor,
        Err(e) => return refused(e, f.name),
    };
    let req = Request { actor, origin };
    let lifetime = Some(SESSION_SECS * 1000);
    let issued = s
        .dir
        .blocking(move |d| d.issue_admin_token(&req, Some("console session".into()), lifetime))
        .await;
    match issued {
        Ok(issued) => {
            let cookie = format!(
                "{COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}",
                issued.secret
            );
            ([(SET_COOKIE, cookie)], Redirect::to("/users")).into_response()
        }
        Err(e) => refused(e, f.name),
    }
}

/// The sign-in page again, saying why (never which of name or password).
fn refused(e: Error, name: String) -> Response {
    let (status, problem) = match e {
        Error::InvalidCredentials => (
            StatusCode::UNAUTHORIZED,
            "The name or the password is wrong.".to_owned(),
        ),
        Error::Denied(_) => (
            StatusCode::FORBIDDEN,
            "This account cannot sign in to the console.".to_owned(),
        ),
        // Said only to whoever gave the right password.
        e @ Error::PasswordExpired => (StatusCode::UNAUTHORIZED, e.to_string()),
        other => return PageError::from(other).into_response(),
    };
    let page = SignInPage {
        layout: Layout::signed_out("Sign in"),
        problem: Some(problem),
        name,
    };
    (status, page).into_response()
}

/// Revokes the session and forgets the cookie.
pub async fn sign_out(State(s): State<ConsoleState>, caller: Caller) -> Response {
    let Caller { req, token } = caller;
    let ended = s
        .dir
        .blocking(move |d| d.revoke_presented_token(&req, &token))
        .await;
    if let Err(e) = ended {
        return PageError::from(e).into_response();
    }
    let gone = format!("{COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(SET_COOKIE, gone)], Redirect::to("/sign-in")).into_response()
}
