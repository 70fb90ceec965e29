//! Leaks found by the access-control sweep of every front end: each test is a
//! question an administrator of one organization (or an anonymous client)
//! could ask to learn something about another organization, and checks that
//! the answer tells it nothing it may not read. The fixes are in the core;
//! these drive the real server (LDAP clients, the admin API) or the core on a
//! real store where the front end adds nothing.

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
        assert!(matches!(e, Error::Denied(_)), "{e}");
        assert!(!e.to_string().contains("bea"), "{e}");
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
        assert!(matches!(e, Error::Denied(_)), "{state:?}: {e}");
    }
    let changes = UserChanges {
        state: Some(Lifecycle::Registered),
        ..Default::default()
    };
    let e = f.dir.update_user(&sys, bea.id, changes).unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e}");
}

/// An LDAP modify on an entry the caller may not read must be refused before
/// the change is worked out against the stored values: deleting a value the
/// entry lacks (noSuchAttribute) or adding one it has
/// (attributeOrValueExists) would otherwise test, one guess at a time, what
/// the entry holds. Every guess gets the same refusal.
#[tokio::test]
async fn ldap_modify_does_not_test_values_of_entries_out_of_reach() {
    use dirgate::directory::model::Member;
    use dirgate::directory::roles::NewRole;
    use dirgate::directory::users::OrgRef;
    use ldap3::{LdapConnAsync, Mod};
    use std::collections::HashSet;
    let t = setup().await;
    let sys = common::system(&t.ldap.dir);
    let carol_id = t
        .ldap
        .dir
        .get_user_by_login(&sys, "carol@example.com")
        .unwrap()
        .id;
    let ops = NewRole {
        name: "Ops".into(),
        org: Some(OrgRef::Name("Acme-B".into())),
        ..NewRole::default()
    };
    let ops = t.ldap.dir.create_role(&sys, ops).unwrap();
    t.ldap
        .dir
        .add_member(&sys, ops.id, Member::User(carol_id))
        .unwrap();
    let (conn, mut ldap) = LdapConnAsync::new(&t.ldap.url).await.unwrap();
    ldap3::drive!(conn);
    let bob = format!("uid=bob@example.com,ou=Acme-A,{BASE}");
    ldap.simple_bind(&bob, "pw")
        .await
        .unwrap()
        .success()
        .unwrap();
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    let role = format!("cn=Ops,ou=roles,ou=Acme-B,{BASE}");
    let member = carol.clone();
    let other = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
    let guesses = [
        (
            &carol,
            "mail",
            "carol@mail.example.com",
            "guess@mail.example.com",
        ),
        (&carol, "givenName", "Carol", "Guess"),
        (&role, "member", member.as_str(), other.as_str()),
    ];
    for (dn, attr, held, not_held) in guesses {
        for value in [held, not_held] {
            for change in [
                Mod::Delete(attr, HashSet::from([value])),
                Mod::Add(attr, HashSet::from([value])),
            ] {
                let what = format!("{change:?} on {dn}");
                let res = ldap.modify(dn, vec![change]).await.unwrap();
                assert_eq!(res.rc, 50, "{what}: {res:?}");
            }
        }
    }
    // Nothing changed.
    let carol_now = t.ldap.dir.get_user(&sys, carol_id).unwrap();
    assert_eq!(carol_now.given_name.as_deref(), Some("Carol"));
}

/// `memberOf` names only roles the reader may read (as SCIM's `groups`
/// does): a delegate reading its own user does not learn the name of a
/// server-wide role that user is in, nor can a filter on it find the user.
#[tokio::test]
async fn member_of_names_only_roles_the_reader_may_read() {
    use dirgate::directory::model::Member;
    use dirgate::directory::roles::NewRole;
    use dirgate::directory::users::OrgRef;
    use ldap3::LdapConnAsync;
    let t = setup().await;
    let sys = common::system(&t.ldap.dir);
    let alice_id = t
        .ldap
        .dir
        .get_user_by_login(&sys, "alice@example.com")
        .unwrap()
        .id;
    let auditors = NewRole {
        name: "Auditors".into(),
        org: Some(OrgRef::NoOrg),
        ..NewRole::default()
    };
    let auditors = t.ldap.dir.create_role(&sys, auditors).unwrap();
    t.ldap
        .dir
        .add_member(&sys, auditors.id, Member::User(alice_id))
        .unwrap();
    let server_role = format!("cn=Auditors,ou=groups,{BASE}");
    let alice = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
    let (conn, mut ldap) = LdapConnAsync::new(&t.ldap.url).await.unwrap();
    ldap3::drive!(conn);
    // The system administrator sees the membership.
    ldap.simple_bind(&t.ldap.admin_dn, &t.ldap.admin_pw)
        .await
        .unwrap()
        .success()
        .unwrap();
    let seen = base_search(&mut ldap, &alice, "(objectClass=*)").await;
    assert!(seen[0]["memberOf"].contains(&server_role), "{seen:?}");
    // Bob, a delegate of Acme-A, reads alice but not the server-wide role.
    let bob = format!("uid=bob@example.com,ou=Acme-A,{BASE}");
    ldap.simple_bind(&bob, "pw")
        .await
        .unwrap()
        .success()
        .unwrap();
    let seen = base_search(&mut ldap, &alice, "(objectClass=*)").await;
    assert_eq!(seen.len(), 1, "bob reads alice");
    let of = seen[0].get("memberOf").cloned().unwrap_or_default();
    assert!(!of.contains(&server_role), "{of:?}");
    assert!(
        of.iter().any(|d| d.starts_with("cn=Staff,")),
        "bob still sees alice's roles in Acme-A: {of:?}"
    );
    for filter in [
        format!("(memberOf={server_role})"),
        format!("(memberOf:1.2.840.113556.1.4.1941:={server_role})"),
    ] {
        assert!(
            base_search(&mut ldap, &alice, &filter).await.is_empty(),
            "{filter}"
        );
    }
}

/// The attributes of `dn` if it matches `filter`, asking for `memberOf`.
async fn base_search(
    ldap: &mut ldap3::Ldap,
    dn: &str,
    filter: &str,
) -> Vec<std::collections::HashMap<String, Vec<String>>> {
    let (rs, _) = ldap
        .search(dn, ldap3::Scope::Base, filter, vec!["memberOf"])
        .await
        .unwrap()
        .success()
        .unwrap();
    rs.into_iter()
        .map(|e| ldap3::SearchEntry::construct(e).attrs)
        .collect()
}

/// An LDAP add or rename aimed at another organization is refused by the
/// policy whether or not the entry it names exists there: "already exists"
/// would confirm a role name, or where a login lives, out of the caller's
/// reach. (Inside its reach, the core still answers entryAlreadyExists.)
#[tokio::test]
async fn ldap_add_and_rename_do_not_confirm_entries_out_of_reach() {
    use dirgate::directory::roles::NewRole;
    use dirgate::directory::users::OrgRef;
    use ldap3::LdapConnAsync;
    use std::collections::HashSet;
    let t = setup().await;
    let sys = common::system(&t.ldap.dir);
    let ops = NewRole {
        name: "Ops".into(),
        org: Some(OrgRef::Name("Acme-B".into())),
        ..NewRole::default()
    };
    t.ldap.dir.create_role(&sys, ops).unwrap();
    let (conn, mut ldap) = LdapConnAsync::new(&t.ldap.url).await.unwrap();
    ldap3::drive!(conn);
    let bob = format!("uid=bob@example.com,ou=Acme-A,{BASE}");
    ldap.simple_bind(&bob, "pw")
        .await
        .unwrap()
        .success()
        .unwrap();
    let role = |cn: &str| format!("cn={cn},ou=roles,ou=Acme-B,{BASE}");
    let user = |uid: &str| format!("uid={uid},ou=Acme-B,{BASE}");
    let group = vec![("objectClass", HashSet::from(["groupOfNames"]))];
    let person = vec![
        ("objectClass", HashSet::from(["inetOrgPerson"])),
        ("sn", HashSet::from(["X"])),
        ("cn", HashSet::from(["X"])),
    ];
    for (dn, attrs) in [
        (role("Ops"), group.clone()),
        (role("Nope"), group.clone()),
        (user("carol@example.com"), person.clone()),
        (user("zed@example.com"), person.clone()),
    ] {
        let res = ldap.add(&dn, attrs).await.unwrap();
        assert_eq!(res.rc, 50, "add {dn}: {res:?}");
    }
    let alice = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
    let b = format!("ou=Acme-B,{BASE}");
    for rdn in ["uid=carol@example.com", "uid=zed@example.com"] {
        let res = ldap.modifydn(&alice, rdn, true, Some(&b)).await.unwrap();
        assert_eq!(res.rc, 50, "rename to {rdn}: {res:?}");
    }
    // Inside its organization, bob hears that a role exists.
    let staff = format!("cn=Staff,ou=roles,ou=Acme-A,{BASE}");
    let res = ldap.add(&staff, group).await.unwrap();
    assert_eq!(res.rc, 68, "{res:?}");
}

/// Compare on an entry the caller may not read answers noSuchObject for a
/// right and a wrong value alike (never compareTrue/compareFalse), and a
/// search based inside another organization finds nothing there. Checks the
/// LDAP read paths the sweep found sound.
#[tokio::test]
async fn ldap_compare_and_search_do_not_reach_into_another_organization() {
    let t = setup().await;
    let url = &t.ldap.url;
    let bob = format!("uid=bob@example.com,ou=Acme-A,{BASE}");
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    let mut answers = Vec::new();
    for value in ["mail:carol@mail.example.com", "mail:guess@mail.example.com"] {
        let args = ["-x", "-H", url, "-D", &bob, "-w", "pw", &carol, value];
        answers.push(run("ldapcompare", &args).await);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, 32, "{:?}", answers[0]);
    for base in [carol.clone(), format!("ou=Acme-B,{BASE}")] {
        let args = [
            "-x",
            "-H",
            url,
            "-D",
            &bob,
            "-w",
            "pw",
            "-b",
            &base,
            "-s",
            "sub",
            "(objectClass=*)",
        ];
        let (code, out) = run("ldapsearch", &args).await;
        assert_eq!(code, 32, "{base}: {out}");
        assert!(!out.lines().any(|l| l.starts_with("dn:")), "{base}: {out}");
    }
}

/// Naming another organization's user as a member of one's own role over
/// LDAP is answered as naming nobody: the answer does not confirm that
/// the DN exists.
#[tokio::test]
async fn ldap_member_values_out_of_reach_are_names_of_nothing() {
    use ldap3::{LdapConnAsync, Mod};
    use std::collections::HashSet;
    let t = setup().await;
    let (conn, mut ldap) = LdapConnAsync::new(&t.ldap.url).await.unwrap();
    ldap3::drive!(conn);
    let bob = format!("uid=bob@example.com,ou=Acme-A,{BASE}");
    ldap.simple_bind(&bob, "pw")
        .await
        .unwrap()
        .success()
        .unwrap();
    let staff = format!("cn=Staff,ou=roles,ou=Acme-A,{BASE}");
    let mut answers = Vec::new();
    for (attr, value) in [
        ("member", format!("uid=carol@example.com,ou=Acme-B,{BASE}")),
        ("member", format!("uid=zed@example.com,ou=Acme-B,{BASE}")),
        ("memberUid", "carol@example.com".to_owned()),
        ("memberUid", "zed@example.com".to_owned()),
    ] {
        let change = Mod::Add(attr, HashSet::from([value.as_str()]));
        let res = ldap.modify(&staff, vec![change]).await.unwrap();
        answers.push((res.rc, res.text.replace(&value, "<value>")));
    }
    assert_eq!(answers[0], answers[1], "{answers:?}");
    assert_eq!(answers[2], answers[3], "{answers:?}");
    assert_eq!(answers[0].0, 19, "{answers:?}");
}

/// A search or compare below an organization the caller may not read
/// answers noSuchObject with the same matchedDN as below one that does not
/// exist: matchedDN is the deepest entry the caller may read, so it does
/// not confirm that the organization (or one of its entries) exists.
#[tokio::test]
async fn matched_dn_names_only_entries_the_caller_may_read() {
    use ldap3::{LdapConnAsync, Scope};
    let t = setup().await;
    let (conn, mut ldap) = LdapConnAsync::new(&t.ldap.url).await.unwrap();
    ldap3::drive!(conn);
    let bob = format!("uid=bob@example.com,ou=Acme-A,{BASE}");
    ldap.simple_bind(&bob, "pw")
        .await
        .unwrap()
        .success()
        .unwrap();
    let mut answers = Vec::new();
    for dn in [
        format!("uid=zed@example.com,ou=Acme-B,{BASE}"),
        format!("uid=zed@example.com,ou=Acme-Nope,{BASE}"),
        format!("uid=carol@example.com,ou=Acme-B,{BASE}"),
        format!("cn=Nope,ou=roles,ou=Acme-B,{BASE}"),
    ] {
        let cmp = ldap.compare(&dn, "sn", "X").await.unwrap().0;
        let found = ldap
            .search(&dn, Scope::Base, "(objectClass=*)", vec!["1.1"])
            .await
            .unwrap();
        answers.push((dn, cmp.rc, cmp.matched, found.1.rc, found.1.matched));
    }
    for (dn, cmp_rc, cmp_matched, search_rc, search_matched) in answers {
        assert_eq!((cmp_rc, search_rc), (32, 32), "{dn}");
        assert_eq!(cmp_matched, BASE, "compare {dn}");
        assert_eq!(search_matched, BASE, "search {dn}");
    }
    // Below its own organization, bob hears how far the DN goes.
    let dn = format!("uid=zed@example.com,ou=Acme-A,{BASE}");
    let cmp = ldap.compare(&dn, "sn", "X").await.unwrap().0;
    assert_eq!(cmp.matched, format!("ou=Acme-A,{BASE}"));
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
    assert!(matches!(e, Error::Denied(_)), "{e}");
    let e = f
        .dir
        .change_role(&sys, ops.id, RoleChanges::default(), None, stale)
        .unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e}");
}
