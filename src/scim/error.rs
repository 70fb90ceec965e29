//! The one mapping from errors to SCIM error responses (RFC 7644 §3.12): a
//! status, an optional `scimType` and a detail, rendered as an
//! `urn:ietf:params:scim:api:messages:2.0:Error` body. Core errors are mapped
//! here once; internal failures are logged and never shown to the client.

use super::response::scim_json;
use crate::directory::Error as CoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Seconds a client should wait after a 503 (the server was too busy).
const RETRY_AFTER: &str = "1";

/// Every failure a SCIM handler can answer with.
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

/// Shorthand for handler results.
pub type ScimResult<T> = Result<T, ScimError>;

impl ScimError {
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }
    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad("invalidValue", detail)
    }
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad("invalidSyntax", detail)
    }
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad("invalidFilter", detail)
    }
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::bad("tooMany", detail)
    }
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad("invalidPath", detail)
    }
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad("noTarget", detail)
    }
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad("mutability", detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            None,
            "a valid bearer token is required",
        )
    }
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            "this method is not supported on this endpoint",
        )
    }
    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            None,
            "the resource changed: its version does not match If-Match",
        )
    }
}

impl From<CoreError> for ScimError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Invalid(m) | CoreError::WeakPassword(m) => ScimError::invalid_value(m),
            CoreError::NotFound(_) | CoreError::Hidden { .. } => {
                ScimError::not_found(e.to_string())
            }
            CoreError::Taken(m) => ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), m),
            CoreError::Exists(_) => {
                ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), e.to_string())
            }
            CoreError::Conflict(m) => ScimError::new(StatusCode::CONFLICT, None, m),
            CoreError::SeatsExhausted { .. } => {
                ScimError::new(StatusCode::CONFLICT, None, e.to_string())
            }
            CoreError::Denied(d) => ScimError::new(StatusCode::FORBIDDEN, None, d.to_string()),
            CoreError::InvalidCredentials | CoreError::PasswordExpired => ScimError::unauthorized(),
            CoreError::Busy | CoreError::Unavailable(_) => {
                ScimError::new(StatusCode::SERVICE_UNAVAILABLE, None, e.to_string())
            }
            CoreError::Store(_) | CoreError::Internal(_) => {
                tracing::error!(error = %e, "SCIM request failed");
                ScimError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    None,
                    "internal error; see the server log",
                )
            }
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        let mut resp = scim_json(self.status, &body);
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"dirgate\""),
            );
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_answers_503_in_the_scim_shape_with_retry_after() {
        let e = ScimError::from(CoreError::Busy);
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        let r = e.into_response();
        assert_eq!(r.headers()[header::RETRY_AFTER], RETRY_AFTER);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            crate::scim::response::SCIM_CONTENT_TYPE
        );
    }
}
