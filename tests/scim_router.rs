//! The SCIM router in process with `oneshot` (no listener): routing, methods,
//! error bodies, query-string errors and the seat limit, over a real store.

mod common;

use axum::body::{Body, to_bytes};
use axum::http::{Request as HttpRequest, StatusCode, header};
use common::{fixture, system};
use dirgate::directory::model::{Scope, TokenKind};
use serde_json::{Value, json};
use tower::ServiceExt;

struct App {
    app: axum::Router,
    token: String,
    _fx: common::Fixture,
}

fn app() -> App {
    let fx = fixture();
    let sys = system(&fx.dir);
    let org = fx.dir.get_org(&sys, "Acme-A").unwrap().id;
    let token = fx
        .dir
        .issue_token(&sys, TokenKind::Scim, Scope::Org(org), None)
        .unwrap()
        .secret;
    App {
        app: dirgate::http::app(
            fx.dir.clone(),
            dirgate::ldap::tree::Tree::new(
                dirgate::ldap::dn::Dn::parse(common::server::BASE).unwrap(),
            ),
            dirgate::import::Imports::new(fx.dir.clone(), Default::default()),
        ),
        token,
        _fx: fx,
    }
}

async fn call(
    a: &App,
    method: &str,
    uri: &str,
    body: Option<Value>,
    auth: bool,
) -> (StatusCode, String, Value) {
    let mut req = HttpRequest::builder().method(method).uri(uri);
    if auth {
        req = req.header(header::AUTHORIZATION, format!("Bearer {}", a.token));
    }
    let body = match body {
        Some(b) => Body::from(b.to_string()),
        None => Body::empty(),
    };
    let resp = a
        .app
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, ctype, json)
}

#[tokio::test]
async fn routes_methods_and_error_bodies() {
    let a = app();
    let (st, ct, body) = call(&a, "GET", "/scim/v2/Users", None, false).await;
    assert_eq!(
        (st, ct.as_str()),
        (StatusCode::UNAUTHORIZED, "application/scim+json")
    );
    assert_eq!(body["status"], "401");
    let (st, ct, _) = call(&a, "GET", "/scim/v2/ServiceProviderConfig", None, true).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, "application/scim+json"));
    for (m, uri) in [
        ("PATCH", "/scim/v2/Schemas"),
        ("PUT", "/scim/v2/ResourceTypes"),
        ("DELETE", "/scim/v2/ResourceTypes/User"),
        ("GET", "/scim/v2/.search"),
        ("DELETE", "/scim/v2/Users"),
    ] {
        let (st, ct, body) = call(&a, m, uri, None, true).await;
        assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED, "{m} {uri}");
        assert_eq!(ct, "application/scim+json");
        assert_eq!(body["status"], "405");
    }
    let (st, _, body) = call(&a, "GET", "/scim/v2/Bulk", None, true).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    let (st, _, body) = call(&a, "GET", "/scim/v2/Users?count=1&count=2", None, true).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    let (st, _, body) = call(&a, "GET", "/scim/v2/Users?count=many", None, true).await;
    assert_eq!(
        (st, &body["scimType"]),
        (StatusCode::BAD_REQUEST, &json!("invalidValue"))
    );
}

#[tokio::test]
async fn a_full_organization_refuses_with_a_clear_conflict() {
    let a = app();
    let mut last = (StatusCode::OK, Value::Null);
    // The fixture gives Acme-A three seats.
    for n in 0..4 {
        let user = json!({"userName": format!("seat{n}@example.com"), "active": true});
        let (st, _, body) = call(&a, "POST", "/scim/v2/Users", Some(user), true).await;
        last = (st, body);
    }
    assert_eq!(last.0, StatusCode::CONFLICT, "{}", last.1);
    assert!(
        last.1["detail"].as_str().unwrap().contains("seat"),
        "{}",
        last.1
    );
    // A disabled account does not hold a seat.
    let user = json!({"userName": "parked@example.com", "active": false});
    let (st, _, body) = call(&a, "POST", "/scim/v2/Users", Some(user), true).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}
