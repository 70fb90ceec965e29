//! The admin API end to end: the real server in-process on port 0, a real HTTP
//! client, a real store. The standard test directory (see `common::server`):
//! Acme-A with alice and bob (bob is a delegate of A), Acme-B with carol, dave in
//! no organization; every password is `pw`. Covers 401s, the system
//! administrator, a delegate of Acme-A at home and acting on Acme-B (403 and
//! nothing changed), and each collection's happy path and main error.

mod common;

use common::http::{Answer, Api, Auth};
use common::server::{Ldap, start};
use serde_json::{Value, json};

struct T {
    _ldap: Ldap,
    api: Api,
    sys: Auth,
    bob: Auth,
}

async fn setup() -> T {
    let ldap = start("").await;
    let api = Api::new(ldap.server.http_addr);
    let sys = Auth::basic(&ldap.admin_dn, &ldap.admin_pw);
    T {
        api,
        sys,
        bob: Auth::basic("bob@example.com", "pw"),
        _ldap: ldap,
    }
}

fn expect(a: &Answer, status: u16) {
    assert_eq!(a.status, status, "unexpected answer: {a:?}");
}

fn error_kind(a: &Answer) -> &str {
    a.body["error"].as_str().unwrap_or("")
}

async fn user_id(t: &T, login: &str) -> String {
    let a = t.api.get(&format!("/users/{login}"), &t.sys).await;
    expect(&a, 200);
    a.body["id"].as_str().unwrap().to_owned()
}

fn logins(a: &Answer) -> Vec<String> {
    a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn missing_or_wrong_credentials_answer_401_with_a_challenge() {
    let t = setup().await;
    for auth in [
        Auth::None,
        Auth::basic("cn=admin,dc=example,dc=com", "wrong"),
        Auth::basic("nobody@example.com", "pw"),
        Auth::Bearer("dgt_00000000000000000000000000000000_nope".into()),
        Auth::Bearer("garbage".into()),
    ] {
        let a = t.api.get("/organizations", &auth).await;
        expect(&a, 401);
        assert_eq!(error_kind(&a), "unauthorized");
        assert!(a.challenge.as_deref().unwrap().contains("Basic"), "{a:?}");
        assert!(!a.body.to_string().contains("wrong"), "echoed a credential");
    }
    // The login name and the bare `admin` login work as well as the DN.
    let pw = match &t.sys {
        Auth::Basic(_, p) => p.clone(),
        _ => unreachable!(),
    };
    expect(
        &t.api
            .get("/organizations", &Auth::basic("admin", &pw))
            .await,
        200,
    );
}

#[tokio::test]
async fn organizations_are_the_system_administrators() {
    let t = setup().await;
    let a = t
        .api
        .post(
            "/organizations",
            &t.sys,
            json!({"name": "Acme-C", "seats": 2, "description": "third"}),
        )
        .await;
    expect(&a, 201);
    assert_eq!(a.body["name"], "Acme-C");
    let dup = t
        .api
        .post("/organizations", &t.sys, json!({"name": "acme-c"}))
        .await;
    expect(&dup, 409);
    assert_eq!(error_kind(&dup), "exists");
    let bad = t
        .api
        .post("/organizations", &t.sys, json!({"name": "has space"}))
        .await;
    expect(&bad, 400);
    assert_eq!(error_kind(&bad), "invalid");
    let unknown_field = t
        .api
        .post("/organizations", &t.sys, json!({"nom": "X"}))
        .await;
    expect(&unknown_field, 400);

    // A delegate may not create one; nothing is created.
    let denied = t
        .api
        .post("/organizations", &t.bob, json!({"name": "Bobs-Org"}))
        .await;
    expect(&denied, 403);
    assert_eq!(error_kind(&denied), "denied");
    expect(&t.api.get("/organizations/Bobs-Org", &t.sys).await, 404);

    let seats = t
        .api
        .patch("/organizations/Acme-C", &t.sys, json!({"seats": 7}))
        .await;
    expect(&seats, 200);
    assert_eq!(seats.body["seats"], 7);
    let a_org = t.api.get("/organizations/Acme-A", &t.sys).await;
    expect(&a_org, 200);
    assert_eq!(a_org.body["seatsUsed"], 2);

    // Delegates see their own organization only.
    let list = t.api.get("/organizations", &t.bob).await;
    expect(&list, 200);
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acme-A"]);
    expect(
        &t.api
            .patch("/organizations/Acme-A", &t.bob, json!({"seats": 99}))
            .await,
        403,
    );

    let busy = t.api.delete("/organizations/Acme-A", &t.sys).await;
    expect(&busy, 409);
    let msg = busy.body["message"].as_str().unwrap();
    assert!(msg.contains("2 user(s) and 2 role(s)"), "{msg}");
    expect(&t.api.delete("/organizations/Acme-C", &t.sys).await, 204);
    expect(&t.api.get("/organizations/Acme-C", &t.sys).await, 404);
}

#[tokio::test]
async fn suffixes_need_the_system_administrator() {
    let t = setup().await;
    let a = t
        .api
        .post("/suffixes", &t.sys, json!({"name": "corp.example"}))
        .await;
    expect(&a, 201);
    expect(
        &t.api
            .post("/suffixes", &t.bob, json!({"name": "bob.example"}))
            .await,
        403,
    );
    let list = t.api.get("/suffixes", &t.bob).await;
    expect(&list, 200);
    assert_eq!(list.body["total"], 2);
    expect(&t.api.delete("/suffixes/example.com", &t.sys).await, 409);
    expect(&t.api.delete("/suffixes/corp.example", &t.sys).await, 204);
}

#[tokio::test]
async fn a_delegate_manages_its_own_organizations_users_only() {
    let t = setup().await;
    // No organization given: the delegate's own.
    let a = t
        .api
        .post(
            "/users",
            &t.bob,
            json!({"login": "erin@example.com", "email": "erin@mail.example.com",
                   "givenName": "Erin", "flags": {"storageQuota": 1000}}),
        )
        .await;
    expect(&a, 201);
    assert_eq!(a.body["organization"], "Acme-A");
    assert_eq!(a.body["state"], "provisioned");
    assert_eq!(a.body["flags"]["storageQuota"], 1000);
    assert!(a.body.get("password").is_none());
    let erin_token = a.body["registrationToken"].as_str().unwrap().to_owned();

    // Acme-B is out of reach, whether by login (hidden) or by id (refused).
    let other = t
        .api
        .post(
            "/users",
            &t.bob,
            json!({"login": "mallory@example.com", "organization": "Acme-B"}),
        )
        .await;
    expect(&other, 403);
    expect(&t.api.get("/users/mallory@example.com", &t.sys).await, 404);
    expect(&t.api.get("/users/carol@example.com", &t.bob).await, 404);
    let carol = user_id(&t, "carol@example.com").await;
    let disable = t
        .api
        .post(&format!("/users/{carol}/disable"), &t.bob, json!({}))
        .await;
    expect(&disable, 403);
    let carol_now = t.api.get(&format!("/users/{carol}"), &t.sys).await;
    assert_eq!(carol_now.body["state"], "active");
    let reset = t
        .api
        .post(
            &format!("/users/{carol}/password"),
            &t.bob,
            json!({"password": "x"}),
        )
        .await;
    expect(&reset, 403);

    // Listing shows the delegate's organization only; filters and paging.
    let mine = t.api.get("/users", &t.bob).await;
    expect(&mine, 200);
    assert_eq!(
        logins(&mine),
        ["alice@example.com", "bob@example.com", "erin@example.com"]
    );
    let all = t.api.get("/users?limit=2&offset=1", &t.sys).await;
    assert_eq!(all.body["total"], 5);
    assert_eq!(logins(&all), ["bob@example.com", "carol@example.com"]);
    let q = t.api.get("/users?q=ERIN&state=provisioned", &t.sys).await;
    assert_eq!(logins(&q), ["erin@example.com"]);
    let by_org = t.api.get("/users?organization=Acme-B", &t.sys).await;
    assert_eq!(logins(&by_org), ["carol@example.com"]);
    expect(&t.api.get("/users?state=sleeping", &t.sys).await, 400);
    expect(&t.api.get("/users?bogus=1", &t.sys).await, 400);

    // Change, disable, enable (validate), flags, delete.
    let ch = t
        .api
        .patch(
            "/users/erin@example.com",
            &t.bob,
            json!({"familyName": "Example", "flags": {"cloudRecovery": true}}),
        )
        .await;
    expect(&ch, 200);
    assert_eq!(ch.body["familyName"], "Example");
    assert_eq!(ch.body["flags"]["cloudRecovery"], true);
    assert_eq!(ch.body["flags"]["storageQuota"], 1000);
    let reg = json!({"token": erin_token, "password": "erins-pw"});
    expect(&t.api.post("/register", &Auth::None, reg).await, 200);
    let v = t
        .api
        .post("/users/erin@example.com/validate", &t.bob, json!({}))
        .await;
    expect(&v, 200);
    assert_eq!(v.body["state"], "active");
    let d = t
        .api
        .post("/users/erin@example.com/disable", &t.bob, json!({}))
        .await;
    assert_eq!(d.body["state"], "disabled");
    let e = t
        .api
        .post("/users/erin@example.com/enable", &t.bob, json!({}))
        .await;
    assert_eq!(e.body["state"], "active");
    let bad = t
        .api
        .patch(
            "/users/erin@example.com",
            &t.bob,
            json!({"state": "registered"}),
        )
        .await;
    expect(&bad, 400);
    expect(&t.api.delete("/users/erin@example.com", &t.bob).await, 204);
    expect(&t.api.get("/users/erin@example.com", &t.sys).await, 404);
}

#[tokio::test]
async fn moves_seats_unlock_and_password_reset() {
    let t = setup().await;
    // Seats: Acme-B gets 1 seat, carol holds it.
    t.api
        .patch("/organizations/Acme-B", &t.sys, json!({"seats": 1}))
        .await;
    let full = t
        .api
        .post(
            "/users",
            &t.sys,
            json!({"login": "frank@example.com", "organization": "Acme-B"}),
        )
        .await;
    expect(&full, 409);
    assert_eq!(error_kind(&full), "seats_exhausted");
    assert!(full.body["message"].as_str().unwrap().contains("1 of 1"));

    // A move by the system administrator; the delegate cannot pull in a user
    // it cannot see (404 by login, 403 by id) and nothing moves.
    let dave = user_id(&t, "dave@example.com").await;
    let to_a = json!({"organization": "Acme-A"});
    let m = t
        .api
        .post("/users/dave@example.com/move", &t.bob, to_a.clone())
        .await;
    expect(&m, 404);
    let m = t
        .api
        .post(&format!("/users/{dave}/move"), &t.bob, to_a)
        .await;
    expect(&m, 403);
    let still = t.api.get(&format!("/users/{dave}"), &t.sys).await;
    assert!(still.body["organization"].is_null());
    let m = t
        .api
        .post(
            "/users/dave@example.com/move",
            &t.sys,
            json!({"organization": "Acme-A"}),
        )
        .await;
    expect(&m, 200);
    assert_eq!(m.body["organization"], "Acme-A");

    // Reset a password, then the user authenticates with it.
    let r = t
        .api
        .post(
            "/users/dave@example.com/password",
            &t.bob,
            json!({"password": "n3w-secret"}),
        )
        .await;
    expect(&r, 204);
    let me = t
        .api
        .get(
            "/users/dave@example.com",
            &Auth::basic("dave@example.com", "n3w-secret"),
        )
        .await;
    expect(&me, 200);

    // Lock dave with wrong passwords, unlock him as the delegate.
    for _ in 0..5 {
        let wrong = Auth::basic("dave@example.com", "wrong");
        expect(&t.api.get("/users/dave@example.com", &wrong).await, 401);
    }
    t._ldap.dir.flush_journal();
    let locked = t.api.get("/users/dave@example.com", &t.sys).await;
    assert!(locked.body["locked"].is_string(), "{:?}", locked.body);
    let u = t
        .api
        .post("/users/dave@example.com/unlock", &t.bob, json!({}))
        .await;
    expect(&u, 200);
    assert!(u.body["locked"].is_null());
}

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
    expect(&other, 403);
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
    let bad = t.api.post("/tokens", &t.sys, json!({"kind": "root"})).await;
    expect(&bad, 400);
}

#[tokio::test]
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
    assert!(a.body["password"].as_str().unwrap().len() > 10);
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
    expect(&t.api.get("/audit?organization=Acme-B", &t.bob).await, 403);

    let future = t.api.get("/audit?since=2999-01-01T00:00:00Z", &t.sys).await;
    assert_eq!(future.body["total"], 0);
    let limited = t.api.get("/audit?limit=1", &t.sys).await;
    assert_eq!(limited.body["total"], 1);
    expect(&t.api.get("/audit?since=yesterday", &t.sys).await, 400);
}

#[tokio::test]
async fn registration_then_validation() {
    let t = setup().await;
    let a = t
        .api
        .post("/users", &t.bob, json!({"login": "ivy@example.com"}))
        .await;
    expect(&a, 201);
    let token = a.body["registrationToken"].as_str().unwrap().to_owned();
    let ivy = Auth::basic("ivy@example.com", "ivy-pw");
    let anon = Auth::None;

    // Not yet: validation needs a registered user; a wrong token is refused.
    let early = t
        .api
        .post("/users/ivy@example.com/validate", &t.bob, json!({}))
        .await;
    expect(&early, 409);
    let forged = format!("{}x", &token);
    let wrong = json!({"token": forged, "password": "ivy-pw"});
    expect(&t.api.post("/register", &anon, wrong).await, 401);

    let reg = json!({"token": token, "password": "ivy-pw"});
    let r = t.api.post("/register", &anon, reg.clone()).await;
    expect(&r, 200);
    assert_eq!(r.body["state"], "registered");
    // Single use; and a registered user cannot log in before validation.
    expect(&t.api.post("/register", &anon, reg).await, 401);
    expect(&t.api.get("/users/ivy@example.com", &ivy).await, 401);

    // A delegate of Acme-B cannot validate (by id: 403; the state stays); bob can.
    let appoint = t
        .api
        .put(
            "/admins/Acme-B/delegates/carol@example.com",
            &t.sys,
            json!({}),
        )
        .await;
    expect(&appoint, 200);
    let carol = Auth::basic("carol@example.com", "pw");
    let ivy_id = user_id(&t, "ivy@example.com").await;
    let path = format!("/users/{ivy_id}/validate");
    expect(&t.api.post(&path, &carol, json!({})).await, 403);
    let still = t.api.get(&format!("/users/{ivy_id}"), &t.sys).await;
    assert_eq!(still.body["state"], "registered");
    let v = t
        .api
        .post("/users/ivy@example.com/validate", &t.bob, json!({}))
        .await;
    expect(&v, 200);
    assert_eq!(v.body["state"], "active");
    expect(&t.api.get("/users/ivy@example.com", &ivy).await, 200);
    expect(
        &t.api
            .post("/users/ivy@example.com/validate", &t.bob, json!({}))
            .await,
        409,
    );

    // A fresh invitation replaces the old token.
    let jo = t
        .api
        .post("/users", &t.bob, json!({"login": "jo@example.com"}))
        .await;
    let first = jo.body["registrationToken"].as_str().unwrap().to_owned();
    let again = t
        .api
        .post("/users/jo@example.com/invite", &t.bob, json!({}))
        .await;
    expect(&again, 200);
    let second = again.body["registrationToken"].as_str().unwrap().to_owned();
    let old = json!({"token": first, "password": "jo-pw"});
    expect(&t.api.post("/register", &anon, old).await, 401);
    let new = json!({"token": second, "password": "jo-pw"});
    expect(&t.api.post("/register", &anon, new).await, 200);

    // Registration tokens are not listed among tokens; the trail has the steps.
    let tokens = t.api.get("/tokens", &t.sys).await;
    assert_eq!(tokens.body["total"], 0);
    let trail = t.api.get("/audit?action=user.", &t.sys).await;
    let actions: Vec<&str> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for wanted in ["user.invite", "user.register", "user.validate"] {
        assert!(
            actions.contains(&wanted),
            "{wanted} missing from {actions:?}"
        );
    }
}

fn column(a: &Answer, name: &str) -> Vec<String> {
    a.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[name].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn reports_for_an_organization_and_the_server() {
    let t = setup().await;
    // Two failed logins (alice in A, carol in B) and a successful one for alice.
    for who in ["alice@example.com", "carol@example.com"] {
        let wrong = Auth::basic(who, "wrong");
        expect(&t.api.get("/users", &wrong).await, 401);
    }
    expect(
        &t.api
            .get("/users", &Auth::basic("alice@example.com", "pw"))
            .await,
        200,
    );
    t._ldap.dir.flush_journal();

    let states = t.api.get("/reports/users-by-state", &t.bob).await;
    expect(&states, 200);
    assert_eq!(column(&states, "state")[2], "active");
    assert_eq!(column(&states, "users")[2], "2");

    let active = t.api.get("/reports/active-users", &t.bob).await;
    assert_eq!(
        column(&active, "login"),
        ["alice@example.com", "bob@example.com"]
    );
    let everyone = t.api.get("/reports/active-users", &t.sys).await;
    assert_eq!(everyone.body["total"], 4);

    let failed = t.api.get("/reports/failed-logins", &t.bob).await;
    expect(&failed, 200);
    assert_eq!(column(&failed, "login"), ["alice@example.com"]);
    assert!(column(&failed, "source")[0].starts_with("127.0.0.1:"));
    assert_eq!(column(&failed, "protocol")[0], "admin");
    let all_failed = t.api.get("/reports/failed-logins", &t.sys).await;
    assert_eq!(all_failed.body["total"], 2);

    let top = t.api.get("/reports/top-logins", &t.bob).await;
    assert_eq!(column(&top, "login")[0], "bob@example.com");
    let inactive = t.api.get("/reports/inactive-users?days=30", &t.bob).await;
    assert_eq!(column(&inactive, "login"), Vec::<String>::new());

    let csv = t.api.get("/reports/seats?format=csv", &t.bob).await;
    expect(&csv, 200);
    assert_eq!(
        csv.body.as_str().unwrap(),
        "organization,seats,used,free\nAcme-A,10,2,8\n"
    );
    let server_seats = t.api.get("/reports/seats", &t.sys).await;
    assert_eq!(column(&server_seats, "organization"), ["Acme-A", "Acme-B"]);

    // Another organization's or the server's reports are not a delegate's.
    expect(
        &t.api
            .get("/reports/seats?organization=Acme-B", &t.bob)
            .await,
        403,
    );
    let dave = Auth::basic("dave@example.com", "pw");
    expect(&t.api.get("/reports/seats", &dave).await, 403);
    expect(&t.api.get("/reports/nonsense", &t.sys).await, 404);
    expect(&t.api.get("/reports/seats?format=xml", &t.sys).await, 400);
}
