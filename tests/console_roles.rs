//! The roles pages of the console, over HTTP against the standard test
//! directory: bob, a delegate of Acme-A, lists his organization's roles,
//! adds one, puts alice in it, nests Staff in it, changes its rights and
//! deletes it; alice, who holds only account-unlock, is offered no form
//! and refused when she posts one; another organization's role does not exist for him.

mod common;

use common::admin::{expect, setup};
use common::web::Web;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_listed_added_filled_nested_and_deleted() {
    let t = setup().await;
    let web = Web::new(&t);
    let bob = web.sign_in("bob@example.com", "pw").await;
    let p = web.get("/roles", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains(r#"href="/roles""#), "{}", p.body);
    assert!(
        p.body.contains(">Staff</a>") && p.body.contains("account-unlock"),
        "{}",
        p.body
    );

    let add = [
        ("name", "Helpdesk"),
        ("right", "account-unlock"),
        ("description", "First line"),
    ];
    let p = web.post("/roles", &bob, &add).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let path = p.location.clone();
    assert!(path.starts_with("/roles/"), "{path}");
    let again = web.post("/roles", &bob, &add).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("already exists"), "{}", again.body);

    let p = web
        .post(
            &path,
            &bob,
            &[("action", "add-member"), ("member", "alice@example.com")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains("alice@example.com is a member of Helpdesk."),
        "{}",
        p.body
    );
    let p = web
        .post(
            &path,
            &bob,
            &[("action", "add-member"), ("member", "staff")],
        )
        .await;
    assert!(
        p.body.contains(">Staff</a>") && p.body.contains("role (its members"),
        "{}",
        p.body
    );
    let p = web
        .post(
            &path,
            &bob,
            &[("action", "add-member"), ("member", "carol@example.com")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("no account or role carol@example.com"),
        "{}",
        p.body
    );

    // Rights: alice, who holds only account-unlock, may change none.
    let alice = web.sign_in("alice@example.com", "pw").await;
    let p = web.get(&path, Some(&alice)).await;
    assert!(!p.body.contains("Save rights"), "{}", p.body);
    let p = web
        .post(
            &path,
            &alice,
            &[("action", "rights"), ("right", "user-management")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let p = web.post(&path, &bob, &[("action", "rights")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("<dt>Rights</dt><dd>none</dd>"),
        "{}",
        p.body
    );

    let id = path.trim_start_matches("/roles/");
    let a = t.api.get(&format!("/roles/{id}"), &t.sys).await;
    expect(&a, 200);
    assert_eq!(a.body["members"].as_array().unwrap().len(), 2, "{}", a.body);

    // A role of Acme-B is not bob's to see.
    let b = t
        .api
        .post(
            "/roles",
            &t.sys,
            json!({"name": "B-team", "organization": "Acme-B"}),
        )
        .await;
    expect(&b, 201);
    let theirs = web
        .get(
            &format!("/roles/{}", b.body["id"].as_str().unwrap()),
            Some(&bob),
        )
        .await;
    let nothing = web
        .get("/roles/00000000-0000-4000-8000-000000000000", Some(&bob))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.status, nothing.status);

    let p = web.post(&path, &bob, &[("action", "delete")]).await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/roles")
    );
    expect(&t.api.get(&format!("/roles/{id}"), &t.sys).await, 404);
}
