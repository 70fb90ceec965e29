//! The policy table over the admin API: each kind of administrator (system
//! administrator, Organization Administrator of Acme-A, delegate of Acme-A, a
//! plain user in no organization) against requests aimed at its own
//! organization, another one and the whole server, with the expected HTTP
//! status in every cell. The verdicts come from the core policy; this checks
//! the admin API neither loosens nor tightens them. What the caller may not see
//! (another organization, a user outside its reach) is 404, as if absent.

mod common;

use common::admin::{expect, setup, user_id};
use common::http::Auth;
use serde_json::{Value, json};

/// Method, path, body (`{n}` in strings becomes the actor's number, so each
/// actor creates something of its own), and the status for sys, alice (Org
/// Admin of A), bob (delegate of A), dave (no organization).
type Cell = (&'static str, &'static str, Value, [u16; 4]);

fn table() -> Vec<Cell> {
    vec![
        (
            "POST",
            "/organizations",
            json!({"name": "New-{n}"}),
            [201, 403, 403, 403],
        ),
        (
            "POST",
            "/users",
            json!({"login": "a{n}@example.com", "organization": "Acme-A"}),
            [201, 201, 201, 404],
        ),
        (
            "POST",
            "/users",
            json!({"login": "b{n}@example.com", "organization": "Acme-B"}),
            [201, 404, 404, 404],
        ),
        (
            "GET",
            "/users/carol@example.com",
            json!(null),
            [200, 404, 404, 404],
        ),
        (
            "PATCH",
            "/organizations/Acme-B",
            json!({"seats": 12}),
            [200, 404, 404, 404],
        ),
        (
            "POST",
            "/roles",
            json!({"name": "R{n}", "organization": "Acme-B"}),
            [201, 404, 404, 404],
        ),
        (
            "POST",
            "/roles",
            json!({"name": "R{n}", "organization": "Acme-A", "rights": ["user-management"]}),
            [201, 201, 201, 404],
        ),
        (
            "GET",
            "/reports/seats?organization=Acme-A",
            json!(null),
            [200, 200, 200, 404],
        ),
        (
            "GET",
            "/reports/seats?organization=Acme-B",
            json!(null),
            [200, 404, 404, 404],
        ),
        (
            "GET",
            "/reports/failed-logins",
            json!(null),
            [200, 200, 200, 403],
        ),
        (
            "GET",
            "/audit?organization=Acme-B",
            json!(null),
            [200, 404, 404, 404],
        ),
        (
            "POST",
            "/suffixes",
            json!({"name": "s{n}.example"}),
            [201, 403, 403, 403],
        ),
        (
            "POST",
            "/tokens",
            json!({"kind": "scim", "organization": "Acme-A"}),
            [201, 201, 403, 404],
        ),
        (
            "POST",
            "/tokens",
            json!({"kind": "scim", "organization": null}),
            [201, 403, 403, 403],
        ),
        (
            "POST",
            "/service-accounts",
            json!({"name": "svc{n}", "organization": "Acme-A"}),
            [201, 403, 403, 404],
        ),
        (
            "PUT",
            "/admins/Acme-B/org-admin",
            json!({"user": "carol@example.com"}),
            [200, 404, 404, 404],
        ),
        (
            "PUT",
            "/admins/Acme-A/org-admin",
            json!({"user": "bob@example.com"}),
            [200, 403, 403, 404],
        ),
    ]
}

/// Replaces `{n}` in every string of `body`.
fn number(body: &Value, n: usize) -> Option<Value> {
    let text = body.to_string().replace("{n}", &n.to_string());
    let v: Value = serde_json::from_str(&text).unwrap();
    (!v.is_null()).then_some(v)
}

#[tokio::test]
async fn each_administrator_gets_the_policys_verdict_in_every_cell() {
    let t = setup().await;
    let appoint = json!({"user": "alice@example.com"});
    expect(
        &t.api.put("/admins/Acme-A/org-admin", &t.sys, appoint).await,
        200,
    );
    let actors = [
        ("sys", t.sys.clone()),
        ("alice", Auth::basic("alice@example.com", "pw")),
        ("bob", t.bob.clone()),
        ("dave", Auth::basic("dave@example.com", "pw")),
    ];
    let mut wrong = Vec::new();
    for (method, path, body, expected) in table() {
        for (n, (name, auth)) in actors.iter().enumerate() {
            let a = t.api.call(method, path, auth, number(&body, n)).await;
            if a.status != expected[n] {
                wrong.push(format!(
                    "{name} {method} {path}: {} (expected {}) {}",
                    a.status, expected[n], a.body
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "cells with another verdict:\n{}",
        wrong.join("\n")
    );
}

/// A change that changes nothing is still a change the caller must be allowed
/// to make: refused like any other change (403 inside the caller's own
/// organization, 404 for a user out of its reach, as disabling by id is),
/// never answered with the user.
#[tokio::test]
async fn an_empty_change_reveals_nothing_and_needs_the_right() {
    let t = setup().await;
    let carol = user_id(&t, "carol@example.com").await;
    let alice = user_id(&t, "alice@example.com").await;
    let dave = user_id(&t, "dave@example.com").await;
    let dave_auth = Auth::basic("dave@example.com", "pw");
    let cases = [
        (&t.sys, &carol, 200),
        (&t.bob, &carol, 404),
        (&dave_auth, &carol, 404),
        (&t.bob, &alice, 200),
        (&dave_auth, &alice, 404),
        (&dave_auth, &dave, 200),
    ];
    for (auth, id, status) in cases {
        let a = t
            .api
            .call("PATCH", &format!("/users/{id}"), auth, Some(json!({})))
            .await;
        assert_eq!(a.status, status, "PATCH /users/{id}: {a:?}");
        if status != 200 {
            assert!(a.body.get("login").is_none(), "{a:?}");
        }
    }
}
