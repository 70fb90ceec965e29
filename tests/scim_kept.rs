//! Every value a SCIM client writes is kept or refused, never answered
//! success and dropped: `photos`, `ims`, `entitlements` and `roles` are
//! stored and read back (and filtered on); an attribute the served schemas
//! do not list is 400 `invalidSyntax` on POST and PUT, and on PATCH with or
//! without a path, and the resource stays exactly as it was.

mod common;

use common::scim::{patch_ops, start_scim};
use reqwest::StatusCode;
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn labeled() -> Value {
    json!({
        "schemas": [USER], "userName": "lists@example.com",
        "photos": [
            {"value": "https://img.example/kim.jpg", "type": "photo", "primary": true},
            {"value": "https://img.example/kim-s.jpg", "type": "thumbnail"}
        ],
        "ims": [{"value": "kim@xmpp.example", "type": "xmpp", "display": "Kim"}],
        "entitlements": [{"value": "vpn"}, {"value": "wiki-edit", "type": "app"}],
        "roles": [{"value": "Admin", "type": "WindowsAzureActiveDirectoryRole", "primary": "True"}]
    })
}

#[tokio::test]
async fn photos_ims_entitlements_and_roles_are_kept() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let r = s.post(&t, "/Users", labeled()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", r.body["id"].as_str().unwrap());
    let b = s.get(&t, &path).await.body;
    assert_eq!(b["photos"][1]["value"], "https://img.example/kim-s.jpg");
    assert_eq!(b["photos"][0]["primary"], true);
    assert_eq!(b["ims"][0]["type"], "xmpp");
    assert_eq!(b["ims"][0]["display"], "Kim");
    assert_eq!(b["entitlements"][1]["value"], "wiki-edit");
    // Entra's "True" is read as the boolean it means.
    assert_eq!(b["roles"][0]["primary"], true);
    let q = "/Users?filter=roles.value+eq+%22admin%22+and+photos.type+eq+%22thumbnail%22";
    assert_eq!(s.get(&t, q).await.body["totalResults"], 1);

    let ops = patch_ops(&[
        ("add", Some("entitlements"), json!([{"value": "mail"}])),
        ("remove", Some("photos[type eq \"thumbnail\"]"), Value::Null),
        (
            "replace",
            Some("roles[value eq \"Admin\"].display"),
            json!("Administrator"),
        ),
    ]);
    let r = s.patch(&t, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = s.get(&t, &path).await.body;
    assert_eq!(b["entitlements"].as_array().unwrap().len(), 3);
    assert_eq!(b["photos"].as_array().unwrap().len(), 1);
    assert_eq!(b["roles"][0]["display"], "Administrator");

    // PUT is a replacement: lists the body leaves out are gone.
    let r = s
        .put(
            &t,
            &path,
            json!({"schemas": [USER], "userName": "lists@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for name in ["photos", "ims", "entitlements", "roles"] {
        assert!(r.body.get(name).is_none(), "{name}: {}", r.body);
    }
}

#[tokio::test]
async fn discovery_lists_the_kept_lists() {
    let s = start_scim("").await;
    let b = s.get(&s.token_a, &format!("/Schemas/{USER}")).await.body;
    for name in ["photos", "ims", "entitlements", "roles"] {
        let attr = b["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not listed"));
        assert_eq!(attr["multiValued"], true);
        assert_eq!(attr["type"], "complex");
    }
}

fn is_unknown(r: &common::scim::Answer, name: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["scimType"], "invalidSyntax", "{}", r.body);
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("'{name}'")), "{detail}");
}

#[tokio::test]
async fn an_attribute_nobody_keeps_is_refused_and_changes_nothing() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let mut body = labeled();
    body["favouriteColour"] = json!("blue");
    is_unknown(&s.post(&t, "/Users", body).await, "favouriteColour");
    let q = "/Users?filter=userName+eq+%22lists@example.com%22";
    assert_eq!(s.get(&t, q).await.body["totalResults"], 0);

    let r = s.post(&t, "/Users", labeled()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/Users/{}", r.body["id"].as_str().unwrap());
    let before = s.get(&t, &path).await.body;

    let mut body = labeled();
    body["name"] = json!({"givenName": "Kim", "nickname": "K"});
    is_unknown(&s.put(&t, &path, body).await, "name.nickname");
    let mut body = labeled();
    body["urn:example:params:scim:schemas:extension:badge:2.0:User"] = json!({"badge": "7"});
    let r = s.put(&t, &path, body).await;
    is_unknown(
        &r,
        "urn:example:params:scim:schemas:extension:badge:2.0:User",
    );

    // Without a path: Okta's and Entra's shape, with one key nobody keeps.
    let ops = patch_ops(&[("replace", None, json!({"title": "Lead", "shoeSize": 44}))]);
    let r = s.patch(&t, &path, ops).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["scimType"], "invalidPath", "{}", r.body);
    let ops = patch_ops(&[(
        "add",
        Some("ims"),
        json!([{"value": "k", "status": "away"}]),
    )]);
    is_unknown(&s.patch(&t, &path, ops).await, "ims.status");
    // Read-only attributes sent back are ignored, as RFC 7644 §3.5.1 says.
    let ops = patch_ops(&[("replace", None, json!({"id": "other", "title": "Lead"}))]);
    let r = s.patch(&t, &path, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["title"], "Lead");

    let mut after = s.get(&t, &path).await.body;
    after.as_object_mut().unwrap().remove("title");
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("meta");
        v
    };
    assert_eq!(strip(after), strip(before));
}

#[tokio::test]
async fn groups_refuse_what_they_do_not_keep() {
    let s = start_scim("").await;
    let t = s.token_a.clone();
    let body = json!({"schemas": [GROUP], "displayName": "Readers", "owner": "kim"});
    is_unknown(&s.post(&t, "/Groups", body).await, "owner");
    let q = "/Groups?filter=displayName+eq+%22Readers%22";
    assert_eq!(s.get(&t, q).await.body["totalResults"], 0);
    // Okta names each member; the name is the member's own, not refused.
    let u = s.post(&t, "/Users", labeled()).await.body;
    let body = json!({"schemas": [GROUP], "displayName": "Readers",
        "members": [{"value": u["id"], "display": "lists@example.com"}]});
    let r = s.post(&t, "/Groups", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["members"][0]["value"], u["id"]);
}
