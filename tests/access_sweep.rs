//! Leaks found by the access-control sweep of every front end: each test is a
//! question an administrator of one organization (or an anonymous client)
//! could ask to learn something about another organization, and checks that
//! the answer tells it nothing it may not read. The fixes are in the core;
//! these drive the real server (LDAP clients, the admin API) or the core on a
//! real store where the front end adds nothing. The LDAP cases are in
//! tests/access_sweep_ldap.rs.

mod common;

use common::admin::{expect, setup, user_id};
use common::server::{BASE, run};
use dirgate::directory::Error;
use dirgate::directory::imports::{ImportOptions, ImportRow};
use dirgate::directory::users::UserChanges;
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
            // Carol is out of reach for both: as if she did not exist.
            answers[0].1.contains("No such object (32)"),
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

fn import_row(line: usize, login: &str) -> ImportRow {
    ImportRow {
        line,
        login: login.into(),
        organization: "Acme-A".into(),
        delegate: false,
        email: login.into(),
        given_name: None,
        family_name: None,
        display_name: None,
        texts: Vec::new(),
    }
}

/// A delegate's import file naming a login it may not read learns that the
/// login is taken (uniqueness, as on any create) but not where the account
/// lives: the row's refusal does not name the other organization, nor say
/// that the account is in none.
#[test]
fn an_import_row_does_not_say_where_a_hidden_login_lives() {
    let f = common::fixture();
    let sys = common::system(&f.dir);
    let del = common::active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, del.id, true).unwrap();
    common::active_user(&f.dir, "bea@example.com", Some("Acme-B"));
    common::active_user(&f.dir, "pia@example.com", None);
    let req = common::login(&f.dir, "del@example.com");
    let rows = [
        import_row(2, "bea@example.com"),
        import_row(3, "pia@example.com"),
    ];
    let plan = f
        .dir
        .plan_import(&req, &rows, &ImportOptions::default())
        .unwrap();
    assert_eq!(plan.problems.len(), 2, "{:?}", plan.problems);
    for p in &plan.problems {
        assert!(p.reason.contains("already exists"), "{p:?}");
        assert!(!p.reason.contains("Acme-B"), "{p:?}");
        assert!(!p.reason.contains("organization"), "{p:?}");
    }
    // The system administrator, who reads both, is told where they are.
    let plan = f
        .dir
        .plan_import(&sys, &rows, &ImportOptions::default())
        .unwrap();
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!(plan.rows[0].from_organization.as_deref(), Some("Acme-B"));
}

/// A change with a stale version (HTTP If-Match) to a user the caller may not
/// change is refused by the policy, not answered with a conflict that names
/// the user.
#[test]
fn a_stale_version_does_not_name_a_user_outside_reach() {
    let f = common::fixture();
    let sys = common::system(&f.dir);
    let del = common::active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, del.id, true).unwrap();
    let bea = common::active_user(&f.dir, "bea@example.com", Some("Acme-B"));
    let req = common::login(&f.dir, "del@example.com");
    for changes in [
        UserChanges {
            display_name: Some(Some("Bea".into())),
            if_version: Some(bea.version + 7),
            ..Default::default()
        },
        UserChanges {
            if_version: Some(bea.version + 7),
            ..Default::default()
        },
    ] {
        let e = f.dir.update_user(&req, bea.id, changes).unwrap_err();
        assert!(matches!(e, Error::Hidden { .. }), "{e}");
        // Her login, not three letters a random id may hold too.
        assert!(!e.to_string().contains("bea@"), "{e}");
    }
    // Whoever may change it still hears of the conflict.
    let changes = UserChanges {
        display_name: Some(Some("Bea".into())),
        if_version: Some(bea.version + 7),
        ..Default::default()
    };
    let e = f.dir.update_user(&sys, bea.id, changes).unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e}");
}

/// A lifecycle change the account cannot make (`active` → `registered`)
/// says why, naming the current state: a caller that may not change the
/// account is refused by the policy instead, whatever state it asks for.
#[test]
fn a_refused_state_change_does_not_reveal_the_state() {
    use dirgate::directory::model::Lifecycle;
    let f = common::fixture();
    let sys = common::system(&f.dir);
    let del = common::active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, del.id, true).unwrap();
    let bea = common::active_user(&f.dir, "bea@example.com", Some("Acme-B"));
    let req = common::login(&f.dir, "del@example.com");
    for state in Lifecycle::ALL {
        let changes = UserChanges {
            state: Some(state),
            ..Default::default()
        };
        let e = f.dir.update_user(&req, bea.id, changes).unwrap_err();
        assert!(matches!(e, Error::Hidden { .. }), "{state:?}: {e}");
    }
    let changes = UserChanges {
        state: Some(Lifecycle::Registered),
        ..Default::default()
    };
    let e = f.dir.update_user(&sys, bea.id, changes).unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e}");
}

/// The admin API shows a user's lock state, failed logins and last login
/// only to whom the policy shows them over LDAP (the security class:
/// holders of `account-unlock` there and the system administrator), not to
/// everyone who may read the user, such as a holder of `role-management`.
#[tokio::test]
async fn the_admin_api_shows_security_attributes_by_the_policy() {
    use common::http::Auth;
    use dirgate::directory::model::{Lifecycle, Member, Right};
    use dirgate::directory::roles::NewRole;
    use dirgate::directory::users::{NewPassword, NewUser, OrgRef};
    let t = setup().await;
    let sys = common::system(&t.ldap.dir);
    let new = NewUser {
        org: Some(OrgRef::Name("Acme-A".into())),
        state: Lifecycle::Active,
        password: Some(NewPassword::Plain("pw".into())),
        ..NewUser::new("ed@example.com")
    };
    let ed = t.ldap.dir.create_user(&sys, new).unwrap();
    let editors = NewRole {
        name: "Editors".into(),
        org: Some(OrgRef::Name("Acme-A".into())),
        rights: vec![Right::RoleManagement],
        ..NewRole::default()
    };
    let editors = t.ldap.dir.create_role(&sys, editors).unwrap();
    t.ldap
        .dir
        .add_member(&sys, editors.id, Member::User(ed.id))
        .unwrap();
    let ed_auth = Auth::basic("ed@example.com", "pw");
    let keys = ["locked", "failedLogins", "lastLogin"];
    let cases = [
        (&t.sys, "/users/alice@example.com", true),
        (&t.bob, "/users/alice@example.com", true),
        (&ed_auth, "/users/alice@example.com", false),
        (&ed_auth, "/users/ed@example.com", false),
        (&ed_auth, "/users?organization=Acme-A", false),
        (&t.bob, "/users?organization=Acme-A", true),
    ];
    for (auth, path, shown) in cases {
        let a = t.api.get(path, auth).await;
        expect(&a, 200);
        let users = match a.body.get("items") {
            Some(items) => items.as_array().unwrap().clone(),
            None => vec![a.body.clone()],
        };
        assert!(!users.is_empty(), "{path}");
        for u in users {
            for key in keys {
                assert_eq!(u.get(key).is_some(), shown, "{path} {key}: {u}");
            }
        }
    }
}

/// A role change with a stale version (SCIM If-Match) to a role of another
/// organization is refused by the policy, not answered with a conflict that
/// names the role.
#[test]
fn a_stale_role_version_does_not_name_a_role_outside_reach() {
    use dirgate::directory::roles::{NewRole, RoleChanges};
    use dirgate::directory::users::OrgRef;
    let f = common::fixture();
    let sys = common::system(&f.dir);
    let del = common::active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, del.id, true).unwrap();
    let ops = NewRole {
        name: "Ops".into(),
        org: Some(OrgRef::Name("Acme-B".into())),
        ..NewRole::default()
    };
    let ops = f.dir.create_role(&sys, ops).unwrap();
    let req = common::login(&f.dir, "del@example.com");
    let stale = Some(ops.version + 7);
    let e = f
        .dir
        .change_role(&req, ops.id, RoleChanges::default(), None, stale)
        .unwrap_err();
    assert!(matches!(e, Error::Hidden { .. }), "{e}");
    let e = f
        .dir
        .change_role(&sys, ops.id, RoleChanges::default(), None, stale)
        .unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e}");
}
