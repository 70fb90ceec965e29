//! A core error as a console page: the status and message the admin API
//! gives for it (`admin::error::core_parts`, one mapping for both), in the
//! console's layout. Internal errors show a generic message; the details
//! go to the log there.

use super::pages::Layout;
use crate::directory::{Directory, Error, Result};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A page that could not be served.
pub struct PageError(Error);

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        PageError(e)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, _, message) = crate::admin::error::core_parts(&self.0);
        error_page(status, message)
    }
}

/// The page of a failure with `status` and a `message` safe to show.
pub fn error_page(status: StatusCode, message: String) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let page = ErrorPage {
        layout: Layout::signed_out(title),
        status: status.as_u16(),
        message,
    };
    (status, page).into_response()
}

/// Runs `f` (a use case) on the blocking pool and answers what it returns,
/// or the page of the error it fails with: the shape of every page.
pub async fn respond<T, F>(dir: &Directory, f: F) -> Response
where
    T: IntoResponse + Send + 'static,
    F: FnOnce(&Directory) -> Result<T> + Send + 'static,
{
    match dir.blocking(f).await {
        Ok(page) => page.into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}
