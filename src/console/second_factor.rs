//! The caller's own second factor in the console: set it up (the QR code,
//! the secret and the URI, shown once), confirm it with a first code (the
//! recovery codes, shown once), remove it with a code. The core decides
//! each step; these pages only show its answers.

use super::ConsoleState;
use super::error::PageError;
use super::pages::Layout;
use super::session::Caller;
use crate::directory::{Directory, Error, Request, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "second_factor.html")]
pub struct FactorPage {
    layout: Layout,
    /// Set while enrolling: the QR code (SVG), the secret and the URI.
    qr_svg: String,
    secret: String,
    uri: String,
    /// Set once confirmed: the recovery codes.
    recovery: Vec<String>,
    /// What the last step did, or why it did not.
    notice: Option<String>,
    problem: Option<String>,
}

impl FactorPage {
    fn new(layout: Layout) -> FactorPage {
        FactorPage {
            layout,
            qr_svg: String::new(),
            secret: String::new(),
            uri: String::new(),
            recovery: Vec::new(),
            notice: None,
            problem: None,
        }
    }
}

/// Runs one step of the core's on the blocking pool and shows its page:
/// `show` fills it from the step's outcome; a refusal the person can act on
/// (a wrong code, nothing pending) is the page's problem.
async fn step<T: Send + 'static>(
    s: &ConsoleState,
    req: Request,
    run: impl FnOnce(&Directory, &Request) -> Result<T> + Send + 'static,
    show: impl FnOnce(&mut FactorPage, T) + Send + 'static,
) -> Response {
    let page = s
        .dir
        .blocking(move |d| {
            let mut page = FactorPage::new(Layout::for_caller(d, &req, "Second factor"));
            match run(d, &req) {
                Ok(out) => show(&mut page, out),
                Err(Error::Conflict(m) | Error::Invalid(m) | Error::NotFound(m)) => {
                    page.problem = Some(m)
                }
                Err(e) => return Err(e),
            }
            Ok(page)
        })
        .await;
    answer(page)
}

/// Starts enrolling: the page with the QR code and the confirm form.
pub async fn begin(State(s): State<ConsoleState>, Caller { req, .. }: Caller) -> Response {
    let run = |d: &Directory, req: &Request| d.begin_second_factor(req);
    step(&s, req, run, |page, e| {
        page.qr_svg = e.qr_svg;
        page.secret = e.secret;
        page.uri = e.uri;
    })
    .await
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// Confirms with a first code: the recovery codes.
pub async fn confirm(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<CodeForm>,
) -> Response {
    let run = move |d: &Directory, req: &Request| d.confirm_second_factor(req, &f.code);
    step(&s, req, run, |page, codes| page.recovery = codes).await
}

/// Removes the caller's factor with a code.
pub async fn remove(
    State(s): State<ConsoleState>,
    Caller { req, .. }: Caller,
    Form(f): Form<CodeForm>,
) -> Response {
    let run = move |d: &Directory, req: &Request| d.remove_own_second_factor(req, &f.code);
    step(&s, req, run, |page, ()| {
        page.notice = Some("Your second factor was removed.".into());
    })
    .await
}

fn answer(page: Result<FactorPage>) -> Response {
    match page {
        Ok(page) if page.problem.is_some() => (StatusCode::BAD_REQUEST, page).into_response(),
        Ok(page) => page.into_response(),
        Err(Error::Denied(_)) => Redirect::to("/users").into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}
