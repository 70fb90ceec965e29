//! The web console over HTTP, against the standard test directory served
//! in-process (see `common::server`): signing in opens a session in a
//! `__Host-` cookie that is an expiring admin token; a wrong name and a
//! wrong password answer alike; the users page shows what the policy lets
//! the caller read (a delegate its organization, with no organization
//! picker); values are escaped; signing out revokes the session; unsafe
//! requests from another site are refused on the console and the admin API.
//! `console_browser.rs` walks the same pages in Chromium.

mod common;

use common::admin::{expect, setup};
use common::web::Web;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// bob, a delegate of Acme-A, invites ivy over the admin API; answers the
/// registration token (shown once).
async fn invite_ivy(t: &common::admin::T) -> String {
    let a = t
        .api
        .post("/users", &t.bob, json!({"login": "ivy@example.com"}))
        .await;
    expect(&a, 201);
    a.body["registrationToken"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_an_expiring_token_in_a_host_cookie_and_pages_follow_the_policy() {
    let t = setup().await;
    let web = Web::new(&t);
    let p = web.get("/users", None).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location, "/sign-in");
    let p = web.get("/sign-in", None).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains(r#"autocomplete="current-password""#),
        "{}",
        p.body
    );

    // A wrong password and a name nobody has answer the same.
    for (name, pw) in [("bob@example.com", "nope"), ("nobody@example.com", "pw")] {
        let form = [("name", name), ("password", pw)];
        let p = web
            .send(Method::POST, "/sign-in", None, Some(&form), &[])
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{name}");
        assert!(
            p.body.contains("The name or the password is wrong."),
            "{}",
            p.body
        );
        assert!(p.set_cookie.is_empty());
    }

    let form = [("name", "bob@example.com"), ("password", "pw")];
    let p = web
        .send(Method::POST, "/sign-in", None, Some(&form), &[])
        .await;
    let attrs: Vec<&str> = p.set_cookie.split("; ").collect();
    assert!(
        attrs[0].starts_with("__Host-dirgate=dg"),
        "{}",
        p.set_cookie
    );
    for a in [
        "Path=/",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Max-Age=28800",
    ] {
        assert!(attrs.contains(&a), "{a} missing: {}", p.set_cookie);
    }
    let bob = attrs[0].to_owned();

    // bob, a delegate of Acme-A, sees Acme-A and no organization picker.
    let p = web.get("/users", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("alice@example.com") && p.body.contains("bob@example.com"));
    assert!(!p.body.contains("carol@example.com") && !p.body.contains("dave@example.com"));
    assert!(!p.body.contains(r#"id="organization""#));
    assert!(p.body.contains("My account"));
    // Asking for another organization shows nothing of it.
    let p = web.get("/users?organization=Acme-B", Some(&bob)).await;
    assert!(!p.body.contains("carol@example.com"), "{}", p.body);
    // ... and answers as for an organization that does not exist.
    let none = web.get("/users?organization=Acme-Nope", Some(&bob)).await;
    assert_eq!(p.status, none.status);
    assert_eq!(
        p.body.replace("Acme-B", "X"),
        none.body.replace("Acme-Nope", "X")
    );

    // The session is one of bob's tokens, with its expiry.
    let tokens = t.api.get("/tokens", &t.bob).await;
    expect(&tokens, 200);
    let session = tokens.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["description"] == "console session");
    assert!(
        session.is_some_and(|s| !s["expires"].is_null()),
        "{:?}",
        tokens.body
    );

    // The system administrator sees everyone, can pick an organization, and search.
    let sys = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let p = web.get("/users", Some(&sys)).await;
    assert!(p.body.contains("carol@example.com") && p.body.contains("dave@example.com"));
    assert!(p.body.contains(r#"id="organization""#));
    assert!(!p.body.contains("My account"));
    let p = web.get("/users?q=CAROL&state=active", Some(&sys)).await;
    assert!(p.body.contains("carol@example.com") && !p.body.contains("alice@example.com"));
    assert!(
        p.body
            .contains("dirgate user list --state &#39;active&#39; --q &#39;CAROL&#39;"),
        "{}",
        p.body
    );

    // Signing out revokes the session: the cookie no longer opens a page.
    let same = [("sec-fetch-site", "same-origin")];
    let p = web
        .send(Method::POST, "/sign-out", Some(&bob), None, &same)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.set_cookie.contains("Max-Age=0"), "{}", p.set_cookie);
    assert_eq!(web.get("/users", Some(&bob)).await.location, "/sign-in");
    assert_eq!(
        web.get("/users", Some("__Host-dirgate=dg_forged"))
            .await
            .location,
        "/sign-in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_are_escaped() {
    let t = setup().await;
    let body = json!({"login": "mal@example.com", "organization": "Acme-A",
        "displayName": "<script>alert(1)</script>", "state": "active"});
    expect(&t.api.post("/users", &t.sys, body).await, 201);
    let web = Web::new(&t);
    let sys = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let p = web.get("/users?q=mal", Some(&sys)).await;
    assert!(
        p.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("<script>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_unsafe_requests_are_refused_on_the_console_and_the_admin_api() {
    let t = setup().await;
    let web = Web::new(&t);
    let bob = web.sign_in("bob@example.com", "pw").await;
    for evil in [
        [("sec-fetch-site", "cross-site")],
        [("origin", "https://evil.example")],
    ] {
        let p = web
            .send(Method::POST, "/sign-out", Some(&bob), None, &evil)
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{evil:?}");
    }
    // The session still works: nothing was done.
    assert_eq!(web.get("/users", Some(&bob)).await.status, StatusCode::OK);

    // A browser that cached the administrator's Basic credentials.
    let auth = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{}:{}", t.ldap.admin_dn, t.ldap.admin_pw)
        )
    );
    let org = [
        ("content-type", "application/json"),
        ("authorization", auth.as_str()),
    ];
    let post = |extra: Vec<(&'static str, &'static str)>, name: &'static str| {
        let mut headers = org.to_vec();
        headers.extend(extra);
        let client = web.client.clone();
        let url = format!("{}/admin/v1/organizations", web.base);
        async move {
            let mut r = client
                .post(url)
                .body(json!({"name": name, "seats": 5}).to_string());
            for (k, v) in headers {
                r = r.header(k, v);
            }
            r.send().await.unwrap().status()
        }
    };
    let cross = vec![("sec-fetch-site", "cross-site")];
    assert_eq!(post(cross, "Evil-Org").await, StatusCode::FORBIDDEN);
    let origin = vec![("origin", "http://evil.example")];
    assert_eq!(post(origin, "Evil-Org").await, StatusCode::FORBIDDEN);
    expect(&t.api.get("/organizations/Evil-Org", &t.sys).await, 404);
    // The CLI and scripts send neither header.
    assert_eq!(post(vec![], "Good-Org").await, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_changes_its_own_password_with_the_current_one() {
    let t = setup().await;
    let web = Web::new(&t);
    let alice = web.sign_in("alice@example.com", "pw").await;
    let p = web.get("/account", Some(&alice)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("alice@mail.example.com"), "{}", p.body);
    let change = |current: &'static str, new: &'static str, repeat: &'static str| {
        let form = [("current", current), ("new", new), ("repeat", repeat)];
        let (web, alice) = (&web, &alice);
        async move {
            web.send(
                Method::POST,
                "/account/password",
                Some(alice),
                Some(&form),
                &[],
            )
            .await
        }
    };
    for (current, new, repeat, says) in [
        (
            "nope",
            "n3w-secret",
            "n3w-secret",
            "The current password is wrong.",
        ),
        (
            "pw",
            "n3w-secret",
            "n3w-secreT",
            "The two new passwords differ.",
        ),
    ] {
        let p = change(current, new, repeat).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        assert!(p.body.contains(says), "{}", p.body);
    }
    // Her organization's password policy: the page says which rule.
    let stricter = json!({"passwordPolicy": {"minLength": 12}});
    expect(
        &t.api.patch("/organizations/Acme-A", &t.sys, stricter).await,
        200,
    );
    let p = change("pw", "n3w-secret", "n3w-secret").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("at least 12 characters"), "{}", p.body);
    let lenient = json!({"passwordPolicy": {}});
    expect(
        &t.api.patch("/organizations/Acme-A", &t.sys, lenient).await,
        200,
    );
    let p = change("pw", "n3w-secret", "n3w-secret").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Your password was changed."));
    web.sign_in("alice@example.com", "n3w-secret").await;
    let form = [("name", "alice@example.com"), ("password", "pw")];
    let p = web
        .send(Method::POST, "/sign-in", None, Some(&form), &[])
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
}

/// The users page offers the account actions the policy allows, and each
/// runs the core's use case: bob, a delegate of Acme-A, validates a
/// registered account, disables and enables alice; alice, a plain member,
/// is offered nothing; an account bob may not see answers as one that
/// does not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_actions_follow_the_policy() {
    let t = setup().await;
    let token = invite_ivy(&t).await;
    let reg = json!({"token": token, "password": "ivy-pw"});
    expect(
        &t.api
            .post("/register", &common::http::Auth::None, reg)
            .await,
        200,
    );

    let web = Web::new(&t);
    let bob = web.sign_in("bob@example.com", "pw").await;
    let alice = web.sign_in("alice@example.com", "pw").await;
    let p = web.get("/users", Some(&alice)).await;
    assert!(!p.body.contains(r#"name="action""#), "{}", p.body);
    let p = web.get("/users?q=ivy", Some(&bob)).await;
    assert!(p.body.contains(r#"value="validate""#), "{}", p.body);
    // The registration queue: who waits for validation.
    assert!(
        p.body
            .contains("1 account(s) registered and wait for validation"),
        "{}",
        p.body
    );

    let same = [("sec-fetch-site", "same-origin")];
    let act = |login: &'static str, action: &'static str| {
        let form = [("login", login), ("action", action), ("back", "/users?q=a")];
        let (web, bob) = (&web, &bob);
        async move {
            web.send(Method::POST, "/users/action", Some(bob), Some(&form), &same)
                .await
        }
    };
    let p = act("ivy@example.com", "validate").await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/users?q=a")
    );
    let state = |login: &'static str| {
        let t = &t;
        async move {
            let a = t.api.get(&format!("/users/{login}"), &t.sys).await;
            a.body["state"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(state("ivy@example.com").await, "active");
    act("alice@example.com", "disable").await;
    assert_eq!(state("alice@example.com").await, "disabled");
    let p = web.get("/users?q=alice", Some(&bob)).await;
    assert!(p.body.contains(r#"value="enable""#) && !p.body.contains(r#"value="disable""#));
    act("alice@example.com", "enable").await;
    assert_eq!(state("alice@example.com").await, "active");

    // carol is in Acme-B: the same answer as for nobody at all.
    let hidden = act("carol@example.com", "disable").await;
    let missing = act("nobody@example.com", "disable").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.status, missing.status);
    assert_eq!(
        hidden.body.replace("carol", "X"),
        missing.body.replace("nobody", "X")
    );
    assert_eq!(state("carol@example.com").await, "active");
    // Only back to this console's users list.
    let form = [
        ("login", "alice@example.com"),
        ("action", "disable"),
        ("back", "//evil.example/"),
    ];
    let p = web
        .send(
            Method::POST,
            "/users/action",
            Some(&bob),
            Some(&form),
            &same,
        )
        .await;
    assert_eq!(p.location, "/users");
}

/// Registration with the invitation's token, with no session: a bad token
/// and a used one answer alike; the account becomes `registered`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_person_registers_with_the_token() {
    let t = setup().await;
    let token = invite_ivy(&t).await;
    let web = Web::new(&t);
    assert!(
        web.get("/register", None)
            .await
            .body
            .contains(r#"name="token""#)
    );
    let register = |token: String, pw: &'static str, repeat: &'static str| {
        let web = &web;
        async move {
            let form = [
                ("token", token.as_str()),
                ("password", pw),
                ("repeat", repeat),
            ];
            web.send(Method::POST, "/register", None, Some(&form), &[])
                .await
        }
    };
    let p = register(token.clone(), "ivy-pw", "ivy-pX").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("The two passwords differ."));
    let forged = register(format!("{token}x"), "ivy-pw", "ivy-pw").await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let p = register(token.clone(), "ivy-pw", "ivy-pw").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("ivy@example.com is registered."),
        "{}",
        p.body
    );
    let a = t.api.get("/users/ivy@example.com", &t.sys).await;
    assert_eq!(a.body["state"], "registered");
    let used = register(token, "ivy-pw", "ivy-pw").await;
    assert_eq!((used.status, used.body), (forged.status, forged.body));
}

/// The Organizations page: the system administrator adds one (a refused
/// name is explained and kept in the form), sees seats in use and free,
/// and deletes an empty one; a non-empty one is refused with what remains.
/// A delegate sees its own organization and neither form nor button, and
/// posting them anyway is refused by the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizations_are_listed_added_and_deleted_as_the_policy_allows() {
    let t = setup().await;
    let web = Web::new(&t);
    let sys = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let bob = web.sign_in("bob@example.com", "pw").await;
    let same = [("sec-fetch-site", "same-origin")];
    let post = |cookie: &str, path: &'static str, form: Vec<(&'static str, &'static str)>| {
        let (web, cookie) = (&web, cookie.to_owned());
        async move {
            web.send(Method::POST, path, Some(&cookie), Some(&form), &same)
                .await
        }
    };
    let p = post(
        &sys,
        "/organizations",
        vec![("name", "roles"), ("seats", "3")],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("is reserved") && p.body.contains(r#"value="roles""#),
        "{}",
        p.body
    );
    let p = post(
        &sys,
        "/organizations",
        vec![("name", "Acme-C"), ("seats", "3")],
    )
    .await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/organizations")
    );
    let p = web.get("/organizations", Some(&sys)).await;
    assert!(
        p.body.contains("Acme-C") && p.body.contains("Add an organization"),
        "{}",
        p.body
    );
    // Acme-C: 3 seats, none in use, 3 free.
    let row = p
        .body
        .split("<tr>")
        .find(|r| r.contains(">Acme-C<"))
        .unwrap();
    assert!(row.contains("<td>3</td><td>0</td><td>3</td>"), "{row}");
    assert!(p.body.contains(r#"aria-label="Delete Acme-A""#));

    let p = web.get("/organizations", Some(&bob)).await;
    assert!(p.body.contains("Acme-A") && !p.body.contains("Acme-B") && !p.body.contains("Acme-C"));
    assert!(!p.body.contains("Add an organization") && !p.body.contains("aria-label=\"Delete"));
    let p = post(
        &bob,
        "/organizations",
        vec![("name", "Bobs"), ("seats", "1")],
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let p = post(&bob, "/organizations/delete", vec![("name", "Acme-A")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);

    let p = post(&sys, "/organizations/delete", vec![("name", "Acme-A")]).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(p.body.contains("user"), "{}", p.body);
    let p = post(&sys, "/organizations/delete", vec![("name", "Acme-C")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(
        !web.get("/organizations", Some(&sys))
            .await
            .body
            .contains("Acme-C")
    );
}

/// The audit trail page: a delegate reads its organization's events (an
/// account it created over the admin API); a plain member has no link and
/// is refused the page by the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_is_read_as_the_policy_allows() {
    let t = setup().await;
    invite_ivy(&t).await;
    let web = Web::new(&t);
    let bob = web.sign_in("bob@example.com", "pw").await;
    let alice = web.sign_in("alice@example.com", "pw").await;
    let p = web.get("/users", Some(&bob)).await;
    assert!(p.body.contains(r#"href="/audit""#), "{}", p.body);
    let p = web.get("/audit?action=user.", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let row = p
        .body
        .split("<tr><td>")
        .skip(1)
        .find(|r| r.contains("user.create"))
        .unwrap_or("");
    assert!(
        row.contains("ivy@example.com") && row.contains("Acme-A"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("dirgate audit --action &#39;user.&#39;"),
        "{}",
        p.body
    );
    assert!(
        !web.get("/users", Some(&alice))
            .await
            .body
            .contains(r#"href="/audit""#)
    );
    let p = web.get("/audit", Some(&alice)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
}

/// Every console answer forbids inline scripts, framing and type sniffing;
/// htmx is served from the daemon itself, so the console works air-gapped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_htmx_is_served_locally() {
    let t = setup().await;
    let web = Web::new(&t);
    for path in ["/sign-in", "/users", "/assets/console.css"] {
        let a = web
            .client
            .get(format!("{}{path}", web.base))
            .send()
            .await
            .unwrap();
        let csp = a.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(a.headers()["x-content-type-options"], "nosniff");
    }
    let page = web.get("/sign-in", None).await;
    assert!(
        page.body
            .contains(r#"<script src="/assets/htmx-2.0.11.min.js" defer></script>"#),
        "{}",
        page.body
    );
    let htmx = web.get("/assets/htmx-2.0.11.min.js", None).await;
    assert_eq!(htmx.status, StatusCode::OK);
    assert!(htmx.body.contains("htmx"), "not htmx");
}
