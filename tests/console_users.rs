//! The New-user form and an account's page in the console, over HTTP
//! against the standard test directory: bob, a delegate of Acme-A, creates
//! an invited account (the registration token shown once) and an active
//! one, is told why a taken login is refused, resets alice's password,
//! reads her history, and cannot tell carol (Acme-B) from nobody; the
//! system administrator moves carol, gives a fresh invitation and sees the
//! Delegate flag that bob is not offered.

mod common;

use common::admin::{expect, setup};
use common::web::Web;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_created_and_managed_from_their_pages() {
    let t = setup().await;
    let web = Web::new(&t);
    let bob = web.sign_in("bob@example.com", "pw").await;
    let p = web.get("/users", Some(&bob)).await;
    assert!(p.body.contains(r#"href="/users/new""#), "{}", p.body);
    assert!(
        p.body.contains(r#"href="/users/alice%40example.com""#),
        "{}",
        p.body
    );

    let p = web.get("/users/new", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        !p.body.contains(r#"id="organization""#),
        "no picker: {}",
        p.body
    );
    assert!(!p.body.contains("flag-delegate"), "{}", p.body);
    assert!(p.body.contains("No 2nd Factor"), "{}", p.body);

    let invite = [
        ("login", "fay@example.com"),
        ("email", "fay@mail.example.com"),
        ("given_name", "Fay"),
        ("noSecondFactor", "on"),
        ("quota", "1048576"),
        ("access", "invite"),
    ];
    let p = web.post("/users/new", &bob, &invite).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    assert!(p.body.contains("it is shown this once: "), "{}", p.body);
    let a = t.api.get("/users/fay@example.com", &t.sys).await;
    expect(&a, 200);
    assert_eq!(a.body["state"], "provisioned");
    assert_eq!(a.body["organization"], "Acme-A");
    assert_eq!(a.body["flags"]["noSecondFactor"], true, "{}", a.body);
    assert_eq!(a.body["flags"]["storageQuota"], 1048576, "{}", a.body);

    let again = web.post("/users/new", &bob, &invite).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("already exists"), "{}", again.body);
    assert!(
        again.body.contains(r#"value="fay@mail.example.com""#),
        "{}",
        again.body
    );

    let active = [
        ("login", "gus@example.com"),
        ("access", "password"),
        ("password", "Gus-secret-1"),
        ("repeat", "Gus-secret-1"),
    ];
    let p = web.post("/users/new", &bob, &active).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    web.sign_in("gus@example.com", "Gus-secret-1").await;

    // alice's page: bob resets her password and reads her history.
    let p = web.get("/users/alice@example.com", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Reset the password"), "{}", p.body);
    let reset = [
        ("action", "reset-password"),
        ("password", "Alice-new-2"),
        ("repeat", "Alice-new-2"),
    ];
    let p = web.post("/users/alice@example.com", &bob, &reset).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains("The password of alice@example.com was set."),
        "{}",
        p.body
    );
    assert!(p.body.contains("<h2>History</h2>"), "{}", p.body);
    assert!(
        p.body
            .contains("<td>user.modify</td><td>console</td><td>success</td><td>password</td>"),
        "{}",
        p.body
    );
    web.sign_in("alice@example.com", "Alice-new-2").await;

    // carol is in Acme-B: to bob she does not exist.
    let theirs = web.get("/users/carol@example.com", Some(&bob)).await;
    let nothing = web.get("/users/nobody@example.com", Some(&bob)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.status, nothing.status);
    let p = web
        .post("/users/carol@example.com", &bob, &[("action", "disable")])
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // The system administrator moves carol and re-invites fay.
    let sys = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let p = web.get("/users/new", Some(&sys)).await;
    assert!(p.body.contains(r#"id="organization""#), "{}", p.body);
    assert!(p.body.contains("flag-delegate"), "{}", p.body);
    let move_to = [("action", "move"), ("organization", "Acme-A")];
    let p = web.post("/users/carol@example.com", &sys, &move_to).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("carol@example.com was moved to Acme-A."),
        "{}",
        p.body
    );
    assert!(p.body.contains("user.move"), "{}", p.body);
    let p = web
        .post("/users/fay@example.com", &sys, &[("action", "reinvite")])
        .await;
    assert!(p.body.contains("A fresh invitation"), "{}", p.body);
    let p = web
        .post("/users/gus@example.com", &sys, &[("action", "disable")])
        .await;
    assert!(
        p.body.contains("<span class=\"state\">disabled</span>"),
        "{}",
        p.body
    );

    // alice edits her own profile, as far as [users] self_service allows.
    let alice = web.sign_in("alice@example.com", "Alice-new-2").await;
    let p = web.get("/account", Some(&alice)).await;
    assert!(p.body.contains(r#"id="own-given_name""#), "{}", p.body);
    assert!(!p.body.contains(r#"id="own-email""#), "{}", p.body);
    let p = web
        .post(
            "/account/profile",
            &alice,
            &[("given_name", "Ally"), ("family_name", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Your profile was saved."), "{}", p.body);
    let a = t.api.get("/users/alice@example.com", &t.sys).await;
    assert_eq!(a.body["givenName"], "Ally");
    assert!(
        a.body.get("familyName").is_none_or(|v| v.is_null()),
        "{}",
        a.body
    );
    let p = web
        .post("/account/profile", &alice, &[("email", "me@evil.example")])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
}
