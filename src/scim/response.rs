//! How SCIM answers are written: every body is `application/scim+json`, and a
//! resource carries its version as a weak ETag. Also reads the conditional
//! request headers (`If-Match`, `If-None-Match`) against a version.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

/// A JSON body with the SCIM content type.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_CONTENT_TYPE),
    );
    resp
}

/// The weak ETag for a change-log version.
pub fn etag(version: u64) -> String {
    format!("W/\"{version}\"")
}

/// A resource body with its ETag.
pub fn resource(status: StatusCode, body: &Value, version: u64) -> Response {
    let mut resp = scim_json(status, body);
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// 201 for a creation: the body (as the client's `attributes` shape it, so
/// perhaps without `meta`), its ETag, and `Location` taken from the whole
/// resource's `meta.location`.
pub fn created(whole: &Value, shown: &Value, version: u64) -> Response {
    let mut resp = resource(StatusCode::CREATED, shown, version);
    let location = whole["meta"]["location"].as_str().unwrap_or_default();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// Whether an `If-Match` header (absent = yes) accepts `version`.
pub fn if_match_ok(headers: &HeaderMap, version: u64) -> bool {
    match headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(list) => tag_listed(list, version),
    }
}

/// Whether the request carries `If-Match`.
pub fn has_if_match(headers: &HeaderMap) -> bool {
    headers.contains_key(header::IF_MATCH)
}

/// Whether an `If-None-Match` header names `version` (then GET answers 304).
pub fn none_match_hit(headers: &HeaderMap, version: u64) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|list| tag_listed(list, version))
}

// Weak comparison (RFC 9110 §8.8.3.2): `W/` is ignored on both sides.
fn tag_listed(list: &str, version: u64) -> bool {
    let mine = version.to_string();
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/").trim_matches('"') == mine)
}

/// A 304 answer for a matching `If-None-Match`.
pub fn not_modified(version: u64) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NOT_MODIFIED;
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// 204 for a deletion.
pub fn no_content() -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}
