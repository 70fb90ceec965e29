//! The admin API's OpenAPI document: served without credentials at
//! `/admin/v1/openapi.json`, it lists every collection, and every operation it
//! documents is a route the server really answers (never axum's bare 404 or a
//! 405), with request schemas derived from the handlers' own types.

mod common;

use common::admin::{expect, setup};
use common::http::Auth;
use serde_json::json;

#[tokio::test]
async fn the_document_matches_the_routes() {
    let t = setup().await;
    let doc = t.api.get("/openapi.json", &Auth::None).await;
    expect(&doc, 200);
    assert_eq!(doc.body["openapi"], "3.0.3");
    let paths = doc.body["paths"].as_object().unwrap();
    for p in [
        "/organizations",
        "/suffixes",
        "/users",
        "/roles",
        "/admins/{org}",
        "/service-accounts",
        "/tokens",
        "/reports/{name}",
        "/audit",
        "/register",
        "/export",
    ] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
    let create =
        &paths["/organizations"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(create["required"], json!(["name"]));
    assert_eq!(create["additionalProperties"], false);
    let list = &paths["/users"]["get"]["parameters"];
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "organization")
    );

    assert_eq!(
        paths["/users/{user}"]["get"]["operationId"],
        "get_users_user"
    );
    let mut ids = std::collections::HashSet::new();
    let mut count = 0;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            assert!(
                ids.insert(op["operationId"].to_string()),
                "duplicate id at {path}"
            );
            let concrete = path
                .split('/')
                .map(|s| if s.starts_with('{') { "x" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let body = (method != "get" && method != "delete").then(|| json!({}));
            let a = t
                .api
                .call(&method.to_uppercase(), &concrete, &t.sys, body)
                .await;
            assert_ne!(a.status, 405, "{method} {path}: {a:?}");
            if a.status == 404 {
                assert!(a.body["error"].is_string(), "{method} {path} is not routed");
            }
            count += 1;
        }
    }
    assert!(count >= 40, "only {count} operations documented");
    let unknown = t.api.get("/no/such/route", &t.sys).await;
    expect(&unknown, 404);
    assert_eq!(unknown.body["error"], "not_found");
}
