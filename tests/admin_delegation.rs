//! The admin API's delegation collections end to end (real server, real HTTP
//! client, real store; the standard test directory of `common::server`): roles
//! with rights and members, the Organization Administrator, delegates and the
//! recovery code, SCIM and admin tokens, service accounts, and the audit trail.

mod common;

use common::admin::{expect, setup};
use common::http::Auth;
use common::server::{BASE, run};
use serde_json::{Value, json};

#[tokio::test]
async fn roles_with_rights_and_members() {
    let t = setup().await;
    let a = t
        .api
        .post(
            "/roles",
            &t.bob,
            json!({"name": "Helpdesk", "rights": ["account-unlock", "user-management"]}),
        )
        .await;
    expect(&a, 201);
    assert_eq!(a.body["organization"], "Acme-A");
    let id = a.body["id"].as_str().unwrap().to_owned();
    let bad = t
        .api
        .post("/roles", &t.bob, json!({"name": "X", "rights": ["root"]}))
        .await;
    expect(&bad, 400);
    let other = t
        .api
        .post(
            "/roles",
            &t.bob,
            json!({"name": "Spy", "organization": "Acme-B"}),
        )
        .await;
    // Out of reach: answered as if it did not exist (issue 13.5).
    expect(&other, 404);
    let b_roles = t.api.get("/roles?organization=Acme-B", &t.sys).await;
    assert_eq!(b_roles.body["total"], 0);

    let add = t
        .api
        .post(
            &format!("/roles/{id}/members"),
            &t.bob,
            json!({"user": "alice@example.com"}),
        )
        .await;
    expect(&add, 200);
    assert_eq!(add.body["members"].as_array().unwrap().len(), 1);
    let outsider = t
        .api
        .post(
            &format!("/roles/{id}/members"),
            &t.sys,
            json!({"user": "carol@example.com"}),
        )
        .await;
    expect(&outsider, 400);
    let show = t.api.get(&format!("/roles/{id}"), &t.bob).await;
    assert_eq!(show.body["members"][0]["type"], "user");
    expect(
        &t.api
            .delete(&format!("/roles/{id}/members/alice@example.com"), &t.bob)
            .await,
        200,
    );
    let list = t.api.get("/roles", &t.bob).await;
    assert_eq!(list.body["total"], 3);
    let ch = t
        .api
        .patch(
            &format!("/roles/{id}"),
            &t.bob,
            json!({"name": "Service-Desk"}),
        )
        .await;
    assert_eq!(ch.body["name"], "Service-Desk");
    expect(&t.api.delete(&format!("/roles/{id}"), &t.bob).await, 204);
    expect(&t.api.get(&format!("/roles/{id}"), &t.sys).await, 404);
    expect(&t.api.get("/roles/not-an-id", &t.sys).await, 400);
}

#[tokio::test]
async fn organization_administrator_delegates_and_recovery() {
    let t = setup().await;
    // Only the system administrator appoints the Organization Administrator.
    let denied = t
        .api
        .put(
            "/admins/Acme-A/org-admin",
            &t.bob,
            json!({"user": "alice@example.com"}),
        )
        .await;
    expect(&denied, 403);
    let a = t
        .api
        .put(
            "/admins/Acme-A/org-admin",
            &t.sys,
            json!({"user": "alice@example.com"}),
        )
        .await;
    expect(&a, 200);
    let code = a.body["recoveryCode"].as_str().unwrap().to_owned();
    let alice = Auth::basic("alice@example.com", "pw");

    // The Organization Administrator appoints a delegate; a delegate cannot.
    let dave_in = t
        .api
        .post(
            "/users",
            &alice,
            json!({"login": "gina@example.com", "state": "active", "password": "pw"}),
        )
        .await;
    expect(&dave_in, 201);
    expect(
        &t.api
            .put(
                "/admins/Acme-A/delegates/gina@example.com",
                &t.bob,
                json!({}),
            )
            .await,
        403,
    );
    let d = t
        .api
        .put(
            "/admins/Acme-A/delegates/gina@example.com",
            &alice,
            json!({}),
        )
        .await;
    expect(&d, 200);
    assert_eq!(d.body["flags"]["delegate"], true);
    let wrong_org = t
        .api
        .put(
            "/admins/Acme-B/delegates/carol@example.com",
            &alice,
            json!({}),
        )
        .await;
    assert!(
        wrong_org.status == 403 || wrong_org.status == 404,
        "{wrong_org:?}"
    );
    let show = t.api.get("/admins/Acme-A", &alice).await;
    expect(&show, 200);
    assert_eq!(show.body["orgAdmin"]["login"], "alice@example.com");
    assert_eq!(show.body["delegates"].as_array().unwrap().len(), 2);
    expect(
        &t.api
            .delete("/admins/Acme-A/delegates/gina@example.com", &alice)
            .await,
        200,
    );

    // The recovery code resets alice's password once.
    let body = json!({"login": "alice@example.com", "recoveryCode": code, "password": "fresh"});
    let r = t
        .api
        .post("/admins/recover", &Auth::None, body.clone())
        .await;
    expect(&r, 200);
    assert_ne!(r.body["recoveryCode"].as_str().unwrap(), code);
    expect(&t.api.post("/admins/recover", &Auth::None, body).await, 401);
    let fresh = Auth::basic("alice@example.com", "fresh");
    expect(&t.api.get("/admins/Acme-A", &fresh).await, 200);
}

#[tokio::test]
async fn tokens_show_their_secret_once() {
    let t = setup().await;
    let a = t
        .api
        .post(
            "/tokens",
            &t.sys,
            json!({"kind": "scim", "organization": null}),
        )
        .await;
    expect(&a, 201);
    let secret = a.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("dgt_"));
    assert!(a.body["organization"].is_null());
    let scoped = t
        .api
        .post(
            "/tokens",
            &t.sys,
            json!({"kind": "scim", "organization": "Acme-A"}),
        )
        .await;
    expect(&scoped, 201);
    assert_eq!(scoped.body["organization"], "Acme-A");
    // A delegate is not the Organization Administrator: no tokens.
    let denied = t
        .api
        .post(
            "/tokens",
            &t.bob,
            json!({"kind": "scim", "organization": "Acme-A"}),
        )
        .await;
    expect(&denied, 403);
    let list = t.api.get("/tokens", &t.sys).await;
    expect(&list, 200);
    assert_eq!(list.body["total"], 2);
    assert!(!list.body.to_string().contains(&secret));
    assert!(list.body["items"][0].get("secret").is_none());
    // A SCIM token is no admin credential.
    expect(
        &t.api.get("/organizations", &Auth::Bearer(secret)).await,
        401,
    );

    // An admin token acts as its owner until revoked.
    let admin = t
        .api
        .post("/tokens", &t.bob, json!({"kind": "admin"}))
        .await;
    expect(&admin, 201);
    let bearer = Auth::Bearer(admin.body["secret"].as_str().unwrap().to_owned());
    let users = t.api.get("/users", &bearer).await;
    expect(&users, 200);
    assert_eq!(users.body["total"], 2);
    expect(
        &t.api
            .post("/organizations", &bearer, json!({"name": "Nope"}))
            .await,
        403,
    );
    let id = admin.body["id"].as_str().unwrap();
    expect(&t.api.delete(&format!("/tokens/{id}"), &bearer).await, 204);
    expect(&t.api.get("/users", &bearer).await, 401);

    // Deleting a user takes its admin tokens with it.
    let gina = json!({"login": "gina@example.com", "state": "active", "password": "pw"});
    expect(&t.api.post("/users", &t.bob, gina).await, 201);
    let gina = Auth::basic("gina@example.com", "pw");
    expect(
        &t.api.post("/tokens", &gina, json!({"kind": "admin"})).await,
        201,
    );
    let before = t.api.get("/tokens", &t.sys).await.body["total"].clone();
    expect(&t.api.delete("/users/gina@example.com", &t.bob).await, 204);
    let after = t.api.get("/tokens", &t.sys).await;
    assert_eq!(after.body["total"], before.as_u64().unwrap() - 1);
    // A session token stops working when it expires.
    let session = json!({"kind": "admin", "expiresIn": 1});
    let s = t.api.post("/tokens", &t.bob, session).await;
    expect(&s, 201);
    assert!(s.body["expires"].is_string());
    let bearer = Auth::Bearer(s.body["secret"].as_str().unwrap().to_owned());
    expect(&t.api.get("/users", &bearer).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    expect(&t.api.get("/users", &bearer).await, 401);
    let scim_session = json!({"kind": "scim", "expiresIn": 60});
    expect(&t.api.post("/tokens", &t.sys, scim_session).await, 400);
    let bad = t.api.post("/tokens", &t.sys, json!({"kind": "root"})).await;
    expect(&bad, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_accounts() {
    let t = setup().await;
    let a = t
        .api
        .post(
            "/service-accounts",
            &t.sys,
            json!({"name": "gitea", "organization": "Acme-B"}),
        )
        .await;
    expect(&a, 201);
    let password = a.body["password"].as_str().unwrap();
    assert!(password.len() > 10);
    // The answer is all an operator needs to configure the application: a
    // full bind DN, under the server's base, that binds with that password.
    let bind_dn = a.body["bindDn"].as_str().unwrap();
    assert_eq!(bind_dn, format!("cn=gitea,ou=services,{BASE}"));
    let url = &t.ldap.url;
    let (code, out) = run(
        "ldapwhoami",
        &["-x", "-H", url, "-D", bind_dn, "-w", password],
    )
    .await;
    assert_eq!((code, out.trim()), (0, format!("dn:{bind_dn}").as_str()));
    expect(
        &t.api
            .post("/service-accounts", &t.bob, json!({"name": "bobs-app"}))
            .await,
        403,
    );
    let list = t.api.get("/service-accounts", &t.sys).await;
    assert_eq!(list.body["total"], 2);
    assert!(list.body["items"][0].get("password").is_none());
    expect(
        &t.api
            .post("/service-accounts", &t.sys, json!({"name": "gitea"}))
            .await,
        409,
    );
    expect(&t.api.delete("/service-accounts/gitea", &t.sys).await, 204);
    expect(&t.api.delete("/service-accounts/gitea", &t.sys).await, 404);
}

#[tokio::test]
async fn audit_by_organization_actor_action_and_time() {
    let t = setup().await;
    let start = t.api.get("/audit?action=org.create", &t.sys).await;
    expect(&start, 200);
    assert_eq!(start.body["total"], 2);
    t.api
        .post("/users", &t.bob, json!({"login": "hank@example.com"}))
        .await;
    t.api
        .post("/organizations", &t.bob, json!({"name": "Denied-Org"}))
        .await;
    let mine = t.api.get("/audit?actor=bob@example.com", &t.sys).await;
    let actions: Vec<&str> = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"user.create"), "{actions:?}");
    assert!(actions.contains(&"denied"), "{actions:?}");
    let created = &mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.create")
        .unwrap();
    assert_eq!(created["protocol"], "admin");
    assert!(
        created["source"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    assert_eq!(created["organization"], "Acme-A");

    // A delegate reads its own organization's trail, not another's.
    let own = t.api.get("/audit", &t.bob).await;
    expect(&own, 200);
    let orgs: Vec<&Value> = own.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["organization"])
        .collect();
    assert!(
        !orgs.is_empty() && orgs.iter().all(|o| *o == "Acme-A"),
        "{orgs:?}"
    );
    // Out of reach: answered as if it did not exist (issue 13.5).
    expect(&t.api.get("/audit?organization=Acme-B", &t.bob).await, 404);

    let future = t.api.get("/audit?since=2999-01-01T00:00:00Z", &t.sys).await;
    assert_eq!(future.body["total"], 0);
    let limited = t.api.get("/audit?limit=1", &t.sys).await;
    assert_eq!(limited.body["total"], 1);
    expect(&t.api.get("/audit?since=yesterday", &t.sys).await, 400);
}
