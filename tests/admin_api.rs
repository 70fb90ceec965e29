//! The admin API end to end: the real server in-process on port 0, a real HTTP
//! client, a real store. The standard test directory (see `common::server`):
//! Acme-A with alice and bob (bob is a delegate of A), Acme-B with carol, dave in
//! no organization; every password is `pw`. Covers 401s, the system
//! administrator, a delegate of Acme-A at home and acting on Acme-B (403 and
//! nothing changed), and the happy path and main errors of organizations,
//! suffixes and users, and the HTTP connection cap. Roles, administrators,
//! tokens, service accounts and the audit trail are in `admin_delegation.rs`.

mod common;

use common::admin::{error_kind, expect, logins, setup, user_id};
use common::http::Auth;
use common::server::BASE;
use serde_json::json;

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
    // Out of reach: answered as if it did not exist (issue 13.5).
    expect(&other, 404);
    expect(&t.api.get("/users/mallory@example.com", &t.sys).await, 404);
    expect(&t.api.get("/users/carol@example.com", &t.bob).await, 404);
    let carol = user_id(&t, "carol@example.com").await;
    let disable = t
        .api
        .post(&format!("/users/{carol}/disable"), &t.bob, json!({}))
        .await;
    // Out of reach: answered as if it did not exist (issue 13.5).
    expect(&disable, 404);
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
    expect(&reset, 404);

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
    // Out of reach: answered as if it did not exist (issue 13.5).
    expect(&m, 404);
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
    t.ldap.dir.flush_journal();
    let locked = t.api.get("/users/dave@example.com", &t.sys).await;
    assert!(locked.body["locked"].is_string(), "{:?}", locked.body);
    let u = t
        .api
        .post("/users/dave@example.com/unlock", &t.bob, json!({}))
        .await;
    expect(&u, 200);
    assert!(u.body["locked"].is_null());
}

/// `[http] max_connections`: a connection over the cap is closed at once, and
/// a freed slot is taken again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_connections_over_the_cap_are_closed() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    let l = common::server::start("[http]\nmax_connections = 2\n").await;
    let addr = l.server.http_addr;
    let first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    // Give the server a moment to accept both.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(2), third.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the connection over the cap stayed open: {read:?}"
    );
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = TcpStream::connect(addr).await.unwrap();
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut reply = Vec::new();
    again.read_to_end(&mut reply).await.unwrap();
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// The POSIX identity over the admin API is what LDAP shows; a refused
/// change (a uidNumber another user holds, a shell on two lines) changes
/// nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posix_identity_over_the_admin_api() {
    let t = setup().await;
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC ann@laptop";
    let body = json!({
        "login": "ann@example.com",
        "organization": "Acme-A",
        "state": "active",
        "posix": {"uidNumber": 5001, "gidNumber": 5000, "loginShell": "/bin/zsh", "sshPublicKeys": [key]},
    });
    let a = t.api.post("/users", &t.sys, body).await;
    expect(&a, 201);
    assert_eq!(a.body["posix"]["uidNumber"], 5001, "{:?}", a.body);
    assert_eq!(a.body["posix"]["sshPublicKeys"][0], key);
    let dn = format!("uid=ann@example.com,ou=Acme-A,{BASE}");
    let entry = common::server::read(&t.ldap, &dn, &["*"]).await;
    for line in [
        "uidNumber: 5001".to_owned(),
        "gidNumber: 5000".to_owned(),
        "loginShell: /bin/zsh".to_owned(),
        format!("sshPublicKey: {key}"),
        "objectClass: ldapPublicKey".to_owned(),
    ] {
        assert!(
            entry.contains(&format!("{line}\n")),
            "{line} missing in\n{entry}"
        );
    }
    let change = json!({"posix": {"loginShell": null, "homeDirectory": "/srv/ann"}});
    let a = t.api.patch("/users/ann@example.com", &t.sys, change).await;
    expect(&a, 200);
    let entry = common::server::read(&t.ldap, &dn, &["loginShell", "homeDirectory"]).await;
    assert!(entry.contains("loginShell: /bin/bash\n"), "{entry}");
    assert!(entry.contains("homeDirectory: /srv/ann\n"), "{entry}");
    let alice = t.api.get("/users/alice@example.com", &t.sys).await;
    let taken = alice.body["posix"]["uidNumber"].clone();
    for (bad, status) in [
        (
            json!({"posix": {"uidNumber": taken, "loginShell": "/bin/sh"}}),
            409,
        ),
        (json!({"posix": {"loginShell": "/bin/sh\n/bin/x"}}), 400),
    ] {
        let a = t.api.patch("/users/ann@example.com", &t.sys, bad).await;
        expect(&a, status);
    }
    let entry = common::server::read(&t.ldap, &dn, &["uidNumber", "loginShell"]).await;
    assert!(entry.contains("uidNumber: 5001\n"), "{entry}");
    assert!(entry.contains("loginShell: /bin/bash\n"), "{entry}");
}

/// The profile texts of the core's table over the admin API are the values
/// LDAP and SCIM show: set on create, patched by name (`null` clears, a
/// name left out stays), and an unknown name is 400 with nothing changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_texts_over_the_admin_api() {
    let t = setup().await;
    let body = json!({
        "login": "pat@example.com", "organization": "Acme-A", "state": "active",
        "profile": {"title": "Engineer", "employeeNumber": "E-9", "costCenter": "CC-4"},
    });
    let a = t.api.post("/users", &t.sys, body).await;
    expect(&a, 201);
    assert_eq!(a.body["profile"]["employeeNumber"], "E-9", "{:?}", a.body);
    let dn = format!("uid=pat@example.com,ou=Acme-A,{BASE}");
    let entry = common::server::read(&t.ldap, &dn, &["*"]).await;
    for line in [
        "title: Engineer",
        "employeeNumber: E-9",
        "dirgateCostCenter: CC-4",
    ] {
        assert!(
            entry.contains(&format!("{line}\n")),
            "{line} missing in\n{entry}"
        );
    }
    let change =
        json!({"profile": {"title": "Lead", "costCenter": null, "departmentNumber": "R&D"}});
    let a = t.api.patch("/users/pat@example.com", &t.sys, change).await;
    expect(&a, 200);
    assert_eq!(
        a.body["profile"],
        json!({"title": "Lead", "employeeNumber": "E-9", "department": "R&D"})
    );
    let a = t
        .api
        .patch(
            "/users/pat@example.com",
            &t.sys,
            json!({"profile": {"title": "X", "shoeSize": "44"}}),
        )
        .await;
    expect(&a, 400);
    let entry = common::server::read(&t.ldap, &dn, &["title", "departmentNumber"]).await;
    assert!(entry.contains("title: Lead\n"), "{entry}");
    assert!(entry.contains("departmentNumber: R&D\n"), "{entry}");
}
