//! The LDAP half of the access-control sweep (see tests/access_sweep.rs):
//! an administrator of one organization, or an anonymous client, asking over
//! LDAP (modify, add, rename, compare, search, member values, matchedDN,
//! memberOf) what another organization holds, and getting nothing it may
//! not read. OpenLDAP's clients and the ldap3 crate against the in-process
//! server.

mod common;

use common::admin::{T, setup};
use dirgate::directory::model::Member;
use dirgate::directory::roles::NewRole;
use dirgate::directory::users::OrgRef;

/// Creates role `name` in `org` holding the user `login`, as the system
/// administrator.
fn role_holding(t: &T, name: &str, org: OrgRef, login: &str) {
    let (dir, sys) = (&t.ldap.dir, common::system(&t.ldap.dir));
    let member = dir.get_user_by_login(&sys, login).unwrap().id;
    let role = NewRole {
        name: name.into(),
        org: Some(org),
        ..NewRole::default()
    };
    let role = dir.create_role(&sys, role).unwrap();
    dir.add_member(&sys, role.id, Member::User(member)).unwrap();
}
use common::server::{BASE, run};

/// An LDAP modify on an entry the caller may not read must be refused before
/// the change is worked out against the stored values: deleting a value the
/// entry lacks (noSuchAttribute) or adding one it has
/// (attributeOrValueExists) would otherwise test, one guess at a time, what
/// the entry holds. Every guess gets the same refusal.
#[tokio::test]
async fn ldap_modify_does_not_test_values_of_entries_out_of_reach() {
    use ldap3::{LdapConnAsync, Mod};
    use std::collections::HashSet;
    let t = setup().await;
    role_holding(
        &t,
        "Ops",
        OrgRef::Name("Acme-B".into()),
        "carol@example.com",
    );
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
                // Out of reach: as if the entry did not exist (issue 13.5).
                assert_eq!(res.rc, 32, "{what}: {res:?}");
            }
        }
    }
    // Nothing changed.
    let sys = common::system(&t.ldap.dir);
    let carol_now = t
        .ldap
        .dir
        .get_user_by_login(&sys, "carol@example.com")
        .unwrap();
    assert_eq!(carol_now.given_name.as_deref(), Some("Carol"));
}

/// `memberOf` names only roles the reader may read (as SCIM's `groups`
/// does): a delegate reading its own user does not learn the name of a
/// server-wide role that user is in, nor can a filter on it find the user.
#[tokio::test]
async fn member_of_names_only_roles_the_reader_may_read() {
    use ldap3::LdapConnAsync;
    let t = setup().await;
    role_holding(&t, "Auditors", OrgRef::NoOrg, "alice@example.com");
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

/// An LDAP add or rename aimed at another organization is answered alike
/// (noSuchObject, as the organization is out of reach) whether or not the
/// entry it names exists there: "already exists"
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
        // Acme-B is out of bob's reach: as if it did not exist.
        assert_eq!(res.rc, 32, "add {dn}: {res:?}");
        assert_eq!(res.matched, BASE, "add {dn}: {res:?}");
    }
    let alice = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
    let b = format!("ou=Acme-B,{BASE}");
    for rdn in ["uid=carol@example.com", "uid=zed@example.com"] {
        let res = ldap.modifydn(&alice, rdn, true, Some(&b)).await.unwrap();
        assert_eq!(res.rc, 32, "rename to {rdn}: {res:?}");
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

/// A wrong old password in Password Modify counts toward lockout like a
/// failed bind: whoever may change a password (the user, an administrator
/// resetting it) cannot test guesses at the current one there without limit.
#[tokio::test]
async fn wrong_old_passwords_count_toward_lockout() {
    let t = setup().await;
    let url = &t.ldap.url;
    let alice = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
    let admin: Vec<&str> = vec![
        "-x",
        "-H",
        url,
        "-D",
        &t.ldap.admin_dn,
        "-w",
        &t.ldap.admin_pw,
    ];
    // The default threshold is five failed checks.
    for guess in ["g1", "g2", "g3", "g4", "g5"] {
        let mut args = admin.clone();
        args.extend(["-a", guess, "-s", "new-pw", &alice]);
        let (code, out) = run("ldappasswd", &args).await;
        assert_ne!(code, 0, "{out}");
        assert!(out.contains("Invalid credentials (49)"), "{out}");
    }
    t.ldap.dir.flush_journal();
    // Locked: the right password no longer binds.
    let (code, out) = run("ldapwhoami", &["-x", "-H", url, "-D", &alice, "-w", "pw"]).await;
    assert_eq!(code, 49, "alice was not locked: {out}");
}
