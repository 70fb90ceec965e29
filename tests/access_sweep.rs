//! Leaks found by the access-control sweep of every front end: each test is a
//! question an administrator of one organization (or an anonymous client)
//! could ask to learn something about another organization, and checks that
//! the answer tells it nothing it may not read. The fixes are in the core;
//! these drive the real server (LDAP clients, the admin API) or the core on a
//! real store where the front end adds nothing.

mod common;

use common::admin::{expect, setup, user_id};
use common::server::{BASE, run};
use serde_json::json;

/// Password Modify with an old password must not tell whether the old
/// password is right when the caller may not change that password: the
/// policy answers first, the same way for a right and a wrong guess, so
/// nobody can test passwords there without binds (which count toward
/// lockout and are audited as failures).
#[tokio::test]
async fn password_modify_does_not_test_old_passwords_for_those_refused() {
    let t = setup().await;
    let url = &t.ldap.url;
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    let bob = format!("uid=bob@example.com,ou=Acme-A,{BASE}");
    let anonymous: Vec<&str> = vec!["-x", "-H", url];
    let as_bob: Vec<&str> = vec!["-x", "-H", url, "-D", &bob, "-w", "pw"];
    for (who, base) in [("anonymous", anonymous), ("bob", as_bob)] {
        let mut answers = Vec::new();
        for guess in ["pw", "wrong"] {
            let mut args = base.clone();
            args.extend(["-a", guess, "-s", "stolen", &carol]);
            let (code, out) = run("ldappasswd", &args).await;
            assert_ne!(code, 0, "{who} changed carol's password: {out}");
            answers.push((code, out));
        }
        assert_eq!(
            answers[0], answers[1],
            "{who}: a right and a wrong old password get different answers"
        );
        assert!(
            answers[0].1.contains("Insufficient access (50)"),
            "{who}: {:?}",
            answers[0]
        );
    }
    // And carol's password is what it was.
    let (code, out) = run("ldapwhoami", &["-x", "-H", url, "-D", &carol, "-w", "pw"]).await;
    assert_eq!(code, 0, "{out}");
}

/// Adding a member by id that the caller may not read must not name it (nor
/// its organization) in the refusal: it is "not found", as when reading it.
#[tokio::test]
async fn a_role_member_outside_reach_is_not_named() {
    let t = setup().await;
    let carol = user_id(&t, "carol@example.com").await;
    let roles = t.api.get("/roles?organization=Acme-A", &t.sys).await;
    expect(&roles, 200);
    let staff = roles.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Staff")
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .unwrap();
    let a = t
        .api
        .post(
            &format!("/roles/{staff}/members"),
            &t.bob,
            json!({"user": carol}),
        )
        .await;
    expect(&a, 404);
    assert!(!a.body.to_string().contains("carol"), "{a:?}");
    assert!(!a.body.to_string().contains("Acme-B"), "{a:?}");
    // The system administrator, who reads carol, still hears why.
    let a = t
        .api
        .post(
            &format!("/roles/{staff}/members"),
            &t.sys,
            json!({"user": carol}),
        )
        .await;
    expect(&a, 400);
    assert!(a.body.to_string().contains("carol"), "{a:?}");
}
