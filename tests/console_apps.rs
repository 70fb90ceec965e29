//! The Applications and Requests pages of the console, over HTTP against
//! the standard test directory: the system administrator adds Gitea; bob
//! (a delegate of Acme-A) gives a role of his organization the application
//! on the role's page and makes it the default; alice asks for it with a
//! reason on the Applications page; carol (Acme-B) sees nothing to decide;
//! bob approves on the Requests page, and alice then has access.

mod common;

use common::admin::{expect, setup};
use common::web::Web;
use reqwest::StatusCode;
use serde_json::json;

/// The value of the first `<option value="…">` after `label` in `body`.
fn option_after<'a>(body: &'a str, label: &str) -> &'a str {
    let from = body
        .find(label)
        .unwrap_or_else(|| panic!("{label}: {body}"));
    let rest = &body[from..];
    let start = rest.find("<option value=\"").unwrap() + "<option value=\"".len();
    let end = rest[start..].find('"').unwrap();
    &rest[start..start + end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_is_added_asked_for_and_approved_in_the_console() {
    let t = setup().await;
    let web = Web::new(&t);
    let admin = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let add = [
        ("action", "create"),
        ("name", "gitea"),
        ("owner", ""),
        ("url", "https://git.example.com"),
        ("requestable", "on"),
    ];
    let p = web.post("/applications", &admin, &add).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("Application gitea was added."),
        "{}",
        p.body
    );

    // Bob makes a role of Acme-A carry it, then the default role there.
    let bob = web.sign_in("bob@example.com", "pw").await;
    let role = t.api.post("/roles", &t.bob, json!({"name": "Git"})).await;
    expect(&role, 201);
    let role_path = format!("/roles/{}", role.body["id"].as_str().unwrap());
    let page = web.get(&role_path, Some(&bob)).await;
    let app_id = option_after(&page.body, "Give its members an application").to_owned();
    let p = web
        .post(&role_path, &bob, &[("action", "add-app"), ("app", &app_id)])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains(">gitea</a>"), "{}", p.body);
    let app_path = format!("/applications/{app_id}");
    let page = web.get(&app_path, Some(&bob)).await;
    assert!(page.body.contains("In Acme-A"), "{}", page.body);
    let role_id = role.body["id"].as_str().unwrap();
    let p = web
        .post(
            &app_path,
            &bob,
            &[
                ("action", "settings"),
                ("default_role", role_id),
                ("approvers", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);

    // Alice asks on the Applications page.
    let alice = web.sign_in("alice@example.com", "pw").await;
    let page = web.get("/applications", Some(&alice)).await;
    assert!(page.body.contains("Ask for access"), "{}", page.body);
    let ask = [
        ("action", "ask"),
        ("app", app_id.as_str()),
        ("reason", "reviews"),
    ];
    let p = web.post("/applications", &alice, &ask).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Asked: pending"), "{}", p.body);

    // Carol, of the other organization, has nothing to decide.
    let carol = web.sign_in("carol@example.com", "pw").await;
    let page = web.get("/requests", Some(&carol)).await;
    assert!(
        page.body.contains("No pending request you may decide."),
        "{}",
        page.body
    );

    // Bob approves on the Requests page.
    let page = web.get("/requests", Some(&bob)).await;
    assert!(page.body.contains("reviews"), "{}", page.body);
    let listed = t.api.get("/requests?state=pending", &t.bob).await;
    let request = listed.body["items"][0]["id"].as_str().unwrap().to_owned();
    let approve = [
        ("action", "approve"),
        ("request", request.as_str()),
        ("role", role_id),
        ("note", ""),
    ];
    let p = web.post("/requests", &bob, &approve).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("is approved"), "{}", p.body);
    let page = web.get("/applications", Some(&alice)).await;
    assert!(page.body.contains("You have access"), "{}", page.body);
    let page = web.get(&app_path, Some(&bob)).await;
    assert!(
        page.body.contains(">alice@example.com</a>"),
        "{}",
        page.body
    );
}
