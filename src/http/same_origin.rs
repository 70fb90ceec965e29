//! Refuses cross-site unsafe requests to the console and the admin API. A
//! browser sends a session cookie (or Basic credentials it cached) with a
//! form another site posts to us; what such a request cannot hide is where
//! it comes from. So a POST, PUT, PATCH or DELETE is refused with 403 when
//! the browser says it comes from another site (`Sec-Fetch-Site`), or,
//! from browsers that do not send that header, when its `Origin` is not
//! this server's. Requests with neither header come from programs (curl,
//! the CLI, identity providers), which no other site can steer.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The middleware: unsafe requests from elsewhere stop here.
pub async fn guard(req: Request<Body>, next: Next) -> Response {
    if is_safe(req.method()) || same_site(req.headers()) {
        return next.run(req).await;
    }
    (
        StatusCode::FORBIDDEN,
        [("content-type", "application/json")],
        r#"{"error":"denied","message":"cross-site request refused"}"#,
    )
        .into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request's own headers place it on this site.
fn same_site(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        // `none`: typed in the address bar or opened from a bookmark.
        return matches!(site, "same-origin" | "none");
    }
    match text(ORIGIN.as_str()) {
        None => true,
        Some(origin) => {
            let host = text(HOST.as_str()).unwrap_or("");
            let authority = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            !host.is_empty() && authority.is_some_and(|a| a.eq_ignore_ascii_case(host))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, value.parse().unwrap());
        }
        h
    }

    #[test]
    fn browsers_from_elsewhere_are_refused_programs_pass() {
        let host = ("host", "dir.example:8080");
        for (pairs, ok) in [
            (vec![], true),
            (vec![host], true),
            (vec![host, ("sec-fetch-site", "same-origin")], true),
            (vec![host, ("sec-fetch-site", "none")], true),
            (vec![host, ("sec-fetch-site", "cross-site")], false),
            (vec![host, ("sec-fetch-site", "same-site")], false),
            (vec![host, ("origin", "http://dir.example:8080")], true),
            (vec![host, ("origin", "https://DIR.example:8080")], true),
            (vec![host, ("origin", "https://evil.example")], false),
            (vec![host, ("origin", "null")], false),
            (vec![("origin", "http://dir.example:8080")], false),
        ] {
            assert_eq!(same_site(&headers(&pairs)), ok, "{pairs:?}");
        }
    }
}
