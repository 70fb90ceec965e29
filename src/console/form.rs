//! What every console form shares: the posted fields, and the answer to an
//! action, which is the page again saying what was done or, for a problem
//! with the input (a name taken, a rule broken, a state that does not
//! allow it), why not, with 400; any other error (not found, refused) is
//! the error page the admin API's status gives.

use super::error::PageError;
use crate::directory::{Error, Result};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The form as posted: every field by name (checkboxes are present or not).
pub type Fields = Vec<(String, String)>;

/// The value of field `name`, trimmed ("" when absent).
pub fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// A page that can say what the last action did, or why it did not.
pub trait Told {
    fn tell(&mut self, notice: String);
    fn warn(&mut self, problem: String);
    fn warned(&self) -> bool;
}

/// Whether `e` is a problem with what the person typed or chose, shown on
/// the page rather than as an error page.
fn input_problem(e: &Error) -> bool {
    matches!(
        e,
        Error::Invalid(_)
            | Error::WeakPassword(_)
            | Error::Exists(_)
            | Error::Taken(_)
            | Error::Conflict(_)
            | Error::SeatsExhausted { .. }
    )
}

/// The page after an action: `done` is its notice (`Ok(None)`: what the
/// page showed is gone), and `page` builds the page again.
pub fn after<P: Told>(
    done: Result<Option<String>>,
    page: impl FnOnce() -> Result<P>,
) -> Result<Option<P>> {
    let told = match done {
        Ok(None) => return Ok(None),
        Ok(Some(n)) => Ok(n),
        Err(e) if input_problem(&e) => Err(e.to_string()),
        Err(e) => return Err(e),
    };
    let mut p = page()?;
    match told {
        Ok(n) => p.tell(n),
        Err(m) => p.warn(m),
    }
    Ok(Some(p))
}

/// The response for [`after`]'s outcome: the page (400 when it warns), a
/// redirect to `gone` when what it showed is gone, or the error page.
pub fn answer<P: Told + IntoResponse>(out: Result<Option<P>>, gone: &str) -> Response {
    match out {
        Ok(None) => Redirect::to(gone).into_response(),
        Ok(Some(p)) if p.warned() => (StatusCode::BAD_REQUEST, p).into_response(),
        Ok(Some(p)) => p.into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

/// Implements [`Told`] for a page with `notice` and `problem` fields.
macro_rules! told {
    ($page:ty) => {
        impl $crate::console::form::Told for $page {
            fn tell(&mut self, notice: String) {
                self.notice = Some(notice);
            }
            fn warn(&mut self, problem: String) {
                self.problem = Some(problem);
            }
            fn warned(&self) -> bool {
                self.problem.is_some()
            }
        }
    };
}
pub(crate) use told;
