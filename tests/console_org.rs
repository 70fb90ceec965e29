//! One organization's console page, over HTTP against the standard test
//! directory: the system administrator changes its seats, appoints its
//! Organization Administrator (the recovery code shown once), appoints and
//! removes delegates and is told what keeps it from being deleted; bob, a
//! delegate, sees his organization without those forms and is refused when
//! he posts them anyway; another organization answers him as one that does
//! not exist. A plain member is shown its own account only.

mod common;

use common::admin::{expect, setup};
use common::web::Web;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_page_offers_what_the_policy_allows() {
    let t = setup().await;
    let web = Web::new(&t);
    let sys = web.sign_in(&t.ldap.admin_dn, &t.ldap.admin_pw).await;
    let p = web.get("/organizations", Some(&sys)).await;
    assert!(
        p.body.contains(r#"href="/organizations/Acme-A""#),
        "{}",
        p.body
    );

    let p = web.get("/organizations/Acme-A", Some(&sys)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    for needle in [
        "bob@example.com",
        "<dd>10</dd>",
        "Appoint delegate",
        "Change seats",
    ] {
        assert!(p.body.contains(needle), "{needle}: {}", p.body);
    }

    let p = web
        .post(
            "/organizations/Acme-A",
            &sys,
            &[("action", "seats"), ("seats", "12")],
        )
        .await;
    assert!(p.body.contains("Acme-A now has 12 seats."), "{}", p.body);
    let p = web
        .post(
            "/organizations/Acme-A",
            &sys,
            &[("action", "seats"), ("seats", "many")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("whole number"), "{}", p.body);

    let appoint = [("action", "appoint-admin"), ("login", "alice@example.com")];
    let p = web.post("/organizations/Acme-A", &sys, &appoint).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("recovery code, shown this once: "),
        "{}",
        p.body
    );
    let a = t.api.get("/admins/Acme-A", &t.sys).await;
    expect(&a, 200);
    assert_eq!(a.body["orgAdmin"]["login"], "alice@example.com");
    // Not a member: said on the page, nothing changes.
    let carol = [("action", "appoint-admin"), ("login", "carol@example.com")];
    let p = web.post("/organizations/Acme-A", &sys, &carol).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("not a member of Acme-A"), "{}", p.body);
    let nobody = [("action", "add-delegate"), ("login", "nobody@example.com")];
    let p = web.post("/organizations/Acme-A", &sys, &nobody).await;
    assert!(
        p.body.contains("No account nobody@example.com"),
        "{}",
        p.body
    );

    // bob reads his organization, without the forms; posting is refused.
    let bob = web.sign_in("bob@example.com", "pw").await;
    let p = web.get("/organizations/Acme-A", Some(&bob)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("alice@example.com"), "{}", p.body);
    for absent in [
        "Change seats",
        "appoint-admin",
        "Appoint delegate",
        "Delete Acme-A",
    ] {
        assert!(!p.body.contains(absent), "{absent}: {}", p.body);
    }
    // His navigation leads to his organization, not to the server's list.
    assert!(
        p.body
            .contains(r#"<a href="/organizations/Acme-A">Organization</a>"#),
        "{}",
        p.body
    );
    assert!(!p.body.contains(r#"href="/organizations""#), "{}", p.body);
    let grab = [("action", "appoint-admin"), ("login", "bob@example.com")];
    let p = web.post("/organizations/Acme-A", &bob, &grab).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let theirs = web.get("/organizations/Acme-B", Some(&bob)).await;
    let nothing = web.get("/organizations/Nowhere", Some(&bob)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.status, nothing.status);

    // A plain member's console is its own account.
    let dave = web.sign_in("dave@example.com", "pw").await;
    let p = web.get("/users", Some(&dave)).await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/account")
    );
    let p = web.get("/account", Some(&dave)).await;
    assert_eq!(p.status, StatusCode::OK);
    for absent in [
        r#"href="/users""#,
        r#"href="/organizations"#,
        r#"href="/imports""#,
    ] {
        assert!(!p.body.contains(absent), "{absent}: {}", p.body);
    }

    // alice, now the Organization Administrator, removes bob's delegation.
    let alice = web.sign_in("alice@example.com", "pw").await;
    let undelegate = [("action", "remove-delegate"), ("login", "bob@example.com")];
    let p = web.post("/organizations/Acme-A", &alice, &undelegate).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("no longer a Delegated Administrator"),
        "{}",
        p.body
    );
    let a = t.api.get("/admins/Acme-A", &t.sys).await;
    assert_eq!(a.body["delegates"], serde_json::json!([]));

    // Deleting an organization that holds users says what remains.
    let p = web
        .post("/organizations/Acme-B", &sys, &[("action", "delete")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("still has 1 user(s)"), "{}", p.body);
    let p = web
        .post("/organizations", &sys, &[("name", "Empty"), ("seats", "1")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = web
        .post("/organizations/Empty", &sys, &[("action", "delete")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location, "/organizations");
}
