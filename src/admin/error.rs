//! The admin API's one error mapping: core [`Error`] → HTTP status and a JSON
//! body `{"error": "<kind>", "message": "..."}` that says what to fix. Internal
//! failures answer 500 with no detail; the detail goes to the log only.

use crate::directory::Error;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error as the admin API answers it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Core(#[from] Error),
    /// The request itself is malformed (bad JSON, bad query string, bad id).
    #[error("{0}")]
    BadRequest(String),
    /// No credentials, or credentials that do not authenticate.
    #[error("{0}")]
    Unauthorized(String),
}

impl ApiError {
    pub fn bad_request(msg: impl Into<String>) -> ApiError {
        ApiError::BadRequest(msg.into())
    }

    /// Status, error kind and a message safe to show.
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "invalid", m.clone()),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m.clone()),
            ApiError::Core(e) => core_parts(e),
        }
    }
}

/// A core error as HTTP answers it: status, kind and a message safe to
/// show (the console maps core errors with it too).
pub(crate) fn core_parts(e: &Error) -> (StatusCode, &'static str, String) {
    let msg = e.to_string();
    match e {
        Error::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid", msg),
        Error::NotFound(_) | Error::Hidden { .. } => (StatusCode::NOT_FOUND, "not_found", msg),
        Error::Exists(_) => (StatusCode::CONFLICT, "exists", msg),
        Error::Conflict(_) => (StatusCode::CONFLICT, "conflict", msg),
        Error::Taken(_) => (StatusCode::CONFLICT, "taken", msg),
        Error::SeatsExhausted { .. } => (StatusCode::CONFLICT, "seats_exhausted", msg),
        Error::Denied(_) => (StatusCode::FORBIDDEN, "denied", msg),
        Error::InvalidCredentials => (StatusCode::UNAUTHORIZED, "unauthorized", msg),
        Error::PasswordExpired => (StatusCode::UNAUTHORIZED, "password_expired", msg),
        Error::WeakPassword(_) => (StatusCode::BAD_REQUEST, "weak_password", msg),
        Error::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy", msg),
        Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", msg),
        Error::Store(_) | Error::Internal(_) => {
            tracing::error!(error = %e, "admin API request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error; the server log has the details".into(),
            )
        }
    }
}

/// Seconds a client should wait after a 503 (the server was too busy).
pub(crate) const RETRY_AFTER: &str = "1";

/// The challenge sent with every 401: both schemes the API accepts.
const CHALLENGE: &str = "Basic realm=\"dirgate\", Bearer realm=\"dirgate\"";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, message) = self.parts();
        let body = axum::Json(json!({"error": kind, "message": message}));
        let mut response = (status, body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(CHALLENGE),
            );
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
        }
        response
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_answers_503_with_retry_after() {
        let r = ApiError::Core(Error::Busy).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], RETRY_AFTER);
    }
}
