//! The Access page of the console, over HTTP against the standard test
//! directory: a session is listed among the caller's tokens and revoking it
//! signs out; a delegate issues admin tokens of its own and nothing else;
//! the system administrator issues a SCIM token for an organization (the
//! secret shown once, and it works), a service account (its password shown
//! once, and it binds over LDAP) and login suffixes, and reads the
//! server's settings. Pages are never cached.

mod common;

use common::admin::setup;
use common::web::Web;
use reqwest::StatusCode;

/// The secret a page shows once.
fn secret(body: &str) -> String {
    let start = body.find(r#"<p class="secret"><code>"#).expect(body) + 24;
    let end = body[start..].find("</code>").unwrap() + start;
    body[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_sessions_services_and_suffixes() {
    let t = setup().await;
    let web = Web::new(&t);
    let bob = web.sign_in("bob@example.com", "pw").await;
    let a = web
        .client
        .get(format!("{}/access", web.base))
        .header("cookie", &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(a.headers()["cache-control"], "no-store");
    let p = web.get("/access", Some(&bob)).await;
    assert!(
        p.body
            .contains("console session <strong>(this session)</strong>"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("Login suffixes"), "{}", p.body);

    // bob manages his own admin tokens only.
    assert!(!p.body.contains(r#"value="scim""#), "{}", p.body);
    assert!(!p.body.contains("Service accounts"), "{}", p.body);
    let issue = [
        ("action", "issue"),
        ("kind", "admin"),
        ("description", "script"),
    ];
    let p = web.post("/access", &bob, &issue).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let token = secret(&p.body);
    let me = web
        .client
        .get(format!("{}/admin/v1/users/alice@example.com", web.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let scim = [("action", "issue"), ("kind", "scim")];
    let p = web.post("/access", &bob, &scim).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);

    // The system administrator: a SCIM token for Acme-A, shown once.
    let sys = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let issue = [
        ("action", "issue"),
        ("kind", "scim"),
        ("organization", "Acme-A"),
        ("description", "Okta"),
    ];
    let p = web.post("/access", &sys, &issue).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let token = secret(&p.body);
    assert!(
        p.body.contains("<td>SCIM</td><td>Acme-A</td><td>Okta"),
        "{}",
        p.body
    );
    let users = web
        .client
        .get(format!("{}/scim/v2/Users", web.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), StatusCode::OK);
    let p = web.get("/access", Some(&sys)).await;
    assert!(!p.body.contains(&token), "shown twice: {}", p.body);

    // An admin token acts as its owner: an organization is refused, not dropped.
    let scoped = [
        ("action", "issue"),
        ("kind", "admin"),
        ("organization", "Acme-A"),
    ];
    let p = web.post("/access", &sys, &scoped).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("only a SCIM token takes an organization"),
        "{}",
        p.body
    );

    // A service account, its password shown once; it binds over LDAP.
    let add = [
        ("action", "add-service"),
        ("name", "gitea"),
        ("organization", "Acme-A"),
    ];
    let p = web.post("/access", &sys, &add).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let password = secret(&p.body);
    let dn = format!("cn=gitea,ou=services,{}", common::server::BASE);
    let (code, out) = common::server::run(
        "ldapwhoami",
        &["-x", "-H", &t.ldap.url, "-D", &dn, "-w", &password],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let again = web.post("/access", &sys, &add).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);

    // So are the server's settings.
    let p = web.get("/settings", Some(&sys)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("argon2id memory") && p.body.contains("[lockout]"),
        "{}",
        p.body
    );
    let p = web.get("/access", Some(&bob)).await;
    assert!(!p.body.contains(r#"href="/settings""#), "{}", p.body);
    let p = web.get("/settings", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);

    // Suffixes are the system administrator's.
    let p = web
        .post(
            "/access",
            &sys,
            &[("action", "add-suffix"), ("name", "globex.test")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("<span>globex.test</span>"), "{}", p.body);
    let p = web
        .post(
            "/access",
            &bob,
            &[("action", "add-suffix"), ("name", "evil.test")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);

    // Revoking this session signs out.
    let p = web.get("/access", Some(&bob)).await;
    let at = p.body.find("(this session)").unwrap();
    let id_at = p.body[at..].find(r#"name="id" value=""#).unwrap() + at + 17;
    let id = p.body[id_at..id_at + 36].to_owned();
    let p = web
        .post("/access", &bob, &[("action", "revoke"), ("id", &id)])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = web.get("/access", Some(&bob)).await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/sign-in")
    );
}
