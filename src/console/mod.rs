//! The web console at `/` on the HTTP listener: server-rendered pages for the
//! people who administer dirgate and for their own accounts. Each page calls
//! the core's use cases with the session's actor, exactly as the admin API
//! does; what the policy refuses a page does not offer, and the server
//! refuses anyway. No script is needed: every page is a plain HTML form or
//! link. Cross-site unsafe requests are refused before a handler runs
//! (`crate::http::same_origin`).
//!
//! - `session`: sign-in and sign-out, the session cookie, the signed-in
//!   caller of a page;
//! - `overview`: the front page (accounts, logins, seats at a glance);
//! - `pages`: the users list and every page's frame (`templates/`,
//!   askama, escaped by default);
//! - `account`: the caller's own account, password and profile;
//! - `second_factor`: the caller's own second factor (set up, remove);
//! - `access`: tokens (sessions among them), service accounts, suffixes;
//! - `actions`: the account actions of the users page (disable, enable,
//!   validate, unlock), offered as the core's policy allows;
//! - `audit`: the audit trail page, as the policy lets the caller read it;
//! - `imports`: Bulk Organization Update (upload, preview, confirm, report);
//! - `org`: one organization (seats, administrators, delegates, roles);
//! - `new_user`: the New-user form (flags, quota, invitation or password);
//! - `settings`: the server's rules, read-only, for the system administrator;
//! - `user`: one account (facts, actions, move, password reset, history);
//! - `orgs`: the Organizations page (seats in use and free, add, delete);
//! - `roles`: roles with their rights and members (nested roles too), and
//!   the applications they carry;
//! - `apps`: the Applications pages (ask for one; add, set approvers);
//! - `requests`: the Requests page (decide, withdraw);
//! - `reports`: the built-in reports, with SVG charts (`chart`) and CSV;
//! - `register`: registration with the invitation's token (no session);
//! - `forgot`: a forgotten password, reset with a mailed code (no session);
//! - `error`: a core error as a page, with the status the admin API gives;
//! - `form`: posted fields, and the page after an action (notice or problem).

mod access;
mod account;
mod actions;
mod apps;
mod audit;
mod chart;
mod error;
mod forgot;
mod form;
mod imports;
mod new_user;
mod org;
mod orgs;
mod overview;
mod pages;
mod register;
mod reports;
mod requests;
mod roles;
mod second_factor;
mod session;
mod settings;
mod user;

use crate::directory::Directory;
use crate::import::Imports;
use crate::ldap::tree::Tree;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;

pub use session::COOKIE;

/// What every console handler needs: the core, and the tree that turns a
/// DN typed at sign-in into an account.
#[derive(Clone)]
pub struct ConsoleState {
    dir: Directory,
    tree: Arc<Tree>,
    imports: Imports,
}

/// The console's routes, at the root of the HTTP listener.
pub fn router<S: Clone + Send + Sync + 'static>(
    dir: Directory,
    tree: Tree,
    imports: Imports,
) -> Router<S> {
    let upload_limit = DefaultBodyLimit::max(imports::body_limit(&imports));
    let state = ConsoleState {
        dir,
        tree: Arc::new(tree),
        imports,
    };
    Router::new()
        .route("/", get(overview::overview))
        .route("/sign-in", get(session::form).post(session::sign_in))
        .route("/sign-out", post(session::sign_out))
        .route("/register", get(register::form).post(register::register))
        .route("/forgot", get(forgot::ask_form).post(forgot::ask))
        .route("/reset", get(forgot::reset_form).post(forgot::reset))
        .route("/users", get(pages::users))
        .route("/users/action", post(actions::user_action))
        .route("/users/new", get(new_user::form).post(new_user::create))
        .route("/users/{login}", get(user::show).post(user::change))
        .route("/organizations", get(orgs::list).post(orgs::add))
        .route("/organizations/delete", post(orgs::delete))
        .route("/organizations/{name}", get(org::show).post(org::change))
        .route(
            "/imports",
            get(imports::form).post(imports::upload.layer(upload_limit)),
        )
        .route("/imports/template.csv", get(imports::template))
        .route("/imports/{id}", get(imports::show))
        .route("/imports/{id}/confirm", post(imports::confirm))
        .route("/imports/{id}/discard", post(imports::discard))
        .route("/imports/{id}/report.csv", get(imports::report))
        .route("/audit", get(audit::audit))
        .route("/roles", get(roles::list).post(roles::create))
        .route("/roles/{id}", get(roles::show).post(roles::change))
        .route("/applications", get(apps::list).post(apps::change))
        .route("/applications/{id}", get(apps::show).post(apps::change_one))
        .route("/requests", get(requests::show).post(requests::change))
        .route("/access", get(access::show).post(access::change))
        .route("/settings", get(settings::settings))
        .route("/reports", get(reports::reports))
        .route("/reports.csv", get(reports::csv))
        .route("/account", get(account::account))
        .route("/account/password", post(account::change_password))
        .route("/account/profile", post(account::change_profile))
        .route("/account/second-factor", post(second_factor::begin))
        .route(
            "/account/second-factor/confirm",
            post(second_factor::confirm),
        )
        .route("/account/second-factor/remove", post(second_factor::remove))
        .route("/assets/console.css", get(stylesheet))
        .route(HTMX_PATH, get(htmx))
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers))
}

/// Where the vendored htmx is served: the version is in the path, so a
/// browser may keep it for good.
pub const HTMX_PATH: &str = "/assets/htmx-2.0.11.min.js";

/// htmx 2.0.11 (0BSD), vendored as the one file its release ships
/// (`dist/htmx.min.js`, sha256 d6fdc75f…b4000f717): pages work without
/// it, it only saves round trips (search as you type).
async fn htmx() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "max-age=31536000, immutable"),
        ],
        include_str!("assets/htmx-2.0.11.min.js"),
    )
}

/// Headers on every console answer: scripts, styles, forms and frames
/// only from the console itself (no inline script can run, no other site
/// can frame a page to trick a click), no type sniffing, and no page URL
/// sent to other sites.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            CONTENT_SECURITY_POLICY,
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
        ),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Pages may show a secret once (a token, a recovery code): never
    // kept by a browser or a proxy. The static assets say otherwise.
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The one stylesheet, compiled in: the console works air-gapped.
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("assets/console.css"),
    )
}
