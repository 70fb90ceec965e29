//! Parsing requests at the edge: JSON bodies, query strings and paths whose errors
//! answer in the admin API's error shape, and the ways a path names a user
//! (its id or its login) or an organization.

use super::error::ApiError;
use crate::directory::users::OrgRef;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// A JSON body; a malformed one is a 400 with the parser's reason.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) => Err(ApiError::bad_request(format!(
                "request body: {}",
                e.body_text()
            ))),
        }
    }
}

/// A query string; unknown or malformed parameters are a 400.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => Err(ApiError::bad_request(format!(
                "query string: {}",
                e.body_text()
            ))),
        }
    }
}

/// Path parameters; a segment that cannot be read is a 400 in the API's shape.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(e) => Err(ApiError::bad_request(format!("path: {}", e.body_text()))),
        }
    }
}

/// A user named in a path or body: its id, or its login.
#[derive(Clone, Debug)]
pub enum UserRef {
    Id(Uuid),
    Login(String),
}

impl UserRef {
    pub fn parse(s: &str) -> UserRef {
        match Uuid::try_parse(s) {
            Ok(id) => UserRef::Id(id),
            Err(_) => UserRef::Login(s.to_owned()),
        }
    }
}

/// An organization named by the API: by name (ids are accepted too).
pub fn org_ref(s: &str) -> OrgRef {
    match Uuid::try_parse(s) {
        Ok(id) => OrgRef::Id(id),
        Err(_) => OrgRef::Name(s.to_owned()),
    }
}

/// Parses an id from a path segment.
pub fn uuid(s: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(s).map_err(|_| ApiError::bad_request(format!("{what} '{s}' is not an id")))
}

/// RFC 3339 time (or milliseconds since the epoch) → milliseconds.
pub fn time(s: &str) -> Result<i64, ApiError> {
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            ApiError::bad_request(format!(
                "'{s}' is not a time: use RFC 3339 (2026-01-31T12:00:00Z) or milliseconds"
            ))
        })?;
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}
