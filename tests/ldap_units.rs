//! The tree a tenant brings: organizational units inside an organization at
//! any depth (`ou=People`, `ou=Groups`, departments), holding users and
//! groups that belong to the organization for every rule. Driven by
//! OpenLDAP's own clients.

mod common;

use common::server::{BASE, admin, find, read, run, start, write_as};

fn org_a(rest: &str) -> String {
    format!("{rest},ou=Acme-A,{BASE}")
}

const TREE: &str = "dn: ou=People,ou=Acme-A,dc=example,dc=com
objectClass: organizationalUnit
ou: People
description: Everyone

dn: ou=Berlin,ou=People,ou=Acme-A,dc=example,dc=com
objectClass: organizationalUnit
ou: Berlin
l: Berlin

dn: ou=Groups,ou=Acme-A,dc=example,dc=com
objectClass: organizationalUnit
ou: Groups

dn: uid=zoe@example.com,ou=Berlin,ou=People,ou=Acme-A,dc=example,dc=com
objectClass: inetOrgPerson
cn: Zoe
sn: Z
userPassword: zoe-pw

dn: cn=devs,ou=Groups,ou=Acme-A,dc=example,dc=com
objectClass: groupOfNames
cn: devs
member: uid=zoe@example.com,ou=Berlin,ou=People,ou=Acme-A,dc=example,dc=com
member: uid=alice@example.com,ou=Acme-A,dc=example,dc=com
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_brings_its_own_units() {
    let l = start("").await;
    let (rc, out) = admin(&l, "ldapadd", TREE).await;
    assert_eq!(rc, 0, "{out}");
    let zoe = org_a("uid=zoe@example.com,ou=Berlin,ou=People");
    let devs = org_a("cn=devs,ou=Groups");
    // Units are entries with what was written; users and groups sit in them.
    let berlin = read(&l, &org_a("ou=Berlin,ou=People"), &["*"]).await;
    assert!(berlin.contains("l: Berlin\n"), "{berlin}");
    let entry = read(&l, &zoe, &["memberOf"]).await;
    assert!(entry.contains(&format!("memberOf: {devs}\n")), "{entry}");
    let mut units = find(&l, "(&(objectClass=organizationalUnit)(ou=*))").await;
    units.sort();
    for want in [
        org_a("ou=People"),
        org_a("ou=Berlin,ou=People"),
        org_a("ou=Groups"),
    ] {
        assert!(units.contains(&want), "{want} in {units:?}");
    }
    // Subtree and one-level searches follow the units.
    let people = org_a("ou=People");
    let args = |scope: &'static str| {
        vec![
            "-x".to_owned(),
            "-LLL".into(),
            "-H".into(),
            l.url.clone(),
            "-D".into(),
            l.admin_dn.clone(),
            "-w".into(),
            l.admin_pw.clone(),
            "-b".into(),
            people.clone(),
            "-s".into(),
            scope.into(),
            "(uid=*)".into(),
            "1.1".into(),
        ]
    };
    let sub: Vec<String> = args("sub");
    let sub: Vec<&str> = sub.iter().map(String::as_str).collect();
    let (_, out) = run("ldapsearch", &sub).await;
    assert_eq!(common::server::dns(&out), vec![zoe.clone()]);
    let one: Vec<String> = args("one");
    let one: Vec<&str> = one.iter().map(String::as_str).collect();
    let (_, out) = run("ldapsearch", &one).await;
    assert!(common::server::dns(&out).is_empty(), "{out}");
    // Zoe binds with the DN she has, not with a shortened one.
    let who = |dn: &str| ["-x", "-H", &l.url, "-D", dn, "-w", "zoe-pw"].map(str::to_owned);
    let ok = who(&zoe);
    assert_eq!(
        run("ldapwhoami", &ok.each_ref().map(String::as_str))
            .await
            .0,
        0
    );
    let short = org_a("uid=zoe@example.com");
    let bad = who(&short);
    assert_eq!(
        run("ldapwhoami", &bad.each_ref().map(String::as_str))
            .await
            .0,
        49
    );
    // She belongs to Acme-A for every rule: its delegate (bob) changes her,
    // another organization's administrator does not even see the unit.
    let change = format!("dn: {zoe}\nchangetype: modify\nreplace: title\ntitle: Dev\n-\n");
    let bob = org_a("uid=bob@example.com");
    assert_eq!(write_as(&l, &bob, "pw", "ldapmodify", &change).await.0, 0);
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    let (rc, out) = write_as(&l, &carol, "pw", "ldapmodify", &change).await;
    assert!(rc == 32 || rc == 50, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_move_users_within_and_refuse_deletion_while_full() {
    let l = start("").await;
    assert_eq!(admin(&l, "ldapadd", TREE).await.0, 0);
    let berlin = org_a("ou=Berlin,ou=People");
    assert_eq!(run_delete(&l, &berlin).await, 66, "Zoe is still in Berlin");
    // A move between units of one organization keeps her memberships.
    let zoe = org_a("uid=zoe@example.com,ou=Berlin,ou=People");
    let (rc, out) = run(
        "ldapmodrdn",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            &l.admin_dn,
            "-w",
            &l.admin_pw,
            "-s",
            &org_a("ou=People"),
            &zoe,
            "uid=zoe@example.com",
        ],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let moved = org_a("uid=zoe@example.com,ou=People");
    let entry = read(&l, &moved, &["memberOf"]).await;
    assert!(
        entry.contains(&format!("memberOf: {}\n", org_a("cn=devs,ou=Groups"))),
        "{entry}"
    );
    assert_eq!(run_delete(&l, &berlin).await, 0);
    // `roles` directly in an organization is dirgate's own container.
    let roles = format!(
        "dn: {}\nobjectClass: organizationalUnit\nou: roles\n",
        org_a("ou=roles")
    );
    assert_eq!(admin(&l, "ldapadd", &roles).await.0, 68);
}

async fn run_delete(l: &common::server::Ldap, dn: &str) -> i32 {
    run(
        "ldapdelete",
        &["-x", "-H", &l.url, "-D", &l.admin_dn, "-w", &l.admin_pw, dn],
    )
    .await
    .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_keeps_no_password() {
    let l = start("").await;
    // organizationalUnit allows userPassword; dirgate keeps passwords
    // (hashed) on accounts only, so a unit given one is refused, not kept
    // as written and shown.
    let ldif = format!(
        "dn: {}\nobjectClass: organizationalUnit\nou: Vault\nuserPassword: secret\n",
        org_a("ou=Vault")
    );
    let (rc, out) = admin(&l, "ldapadd", &ldif).await;
    assert_eq!(rc, 53, "{out}");
    assert!(find(&l, "(ou=Vault)").await.is_empty());
}

/// `ldapmodrdn` on a unit: a new name, another place in its organization;
/// everything below follows (its DN changes, its memberships stay). Refused
/// and changing nothing: into itself (19), out of the organization (53), a
/// name taken there (68); a right holder may read units but not rename them
/// (50); another organization's unit is as absent as a missing one (32).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_are_renamed_and_moved_inside_their_organization() {
    let l = start("").await;
    let (rc, out) = admin(&l, "ldapadd", TREE).await;
    assert_eq!(rc, 0, "{out}");
    let modrdn = |dn: String, rdn: &str, sup: Option<String>, delete: bool| {
        let mut ldif = format!(
            "dn: {dn}\nchangetype: modrdn\nnewrdn: {rdn}\ndeleteoldrdn: {}\n",
            u8::from(delete)
        );
        if let Some(sup) = sup {
            ldif.push_str(&format!("newsuperior: {sup}\n"));
        }
        ldif
    };
    // Berlin becomes Berlin-Mitte, keeping its old name as an ou value.
    let ldif = modrdn(org_a("ou=Berlin,ou=People"), "ou=Berlin-Mitte", None, false);
    let (rc, out) = admin(&l, "ldapmodify", &ldif).await;
    assert_eq!(rc, 0, "{out}");
    let unit = read(&l, &org_a("ou=Berlin-Mitte,ou=People"), &["ou", "l"]).await;
    assert!(
        unit.contains("ou: Berlin\n") && unit.contains("ou: Berlin-Mitte\n"),
        "{unit}"
    );
    assert!(unit.contains("l: Berlin\n"), "{unit}");
    let zoe = org_a("uid=zoe@example.com,ou=Berlin-Mitte,ou=People");
    let entry = read(&l, &zoe, &["memberOf"]).await;
    assert!(entry.contains("memberOf: cn=devs,ou=Groups"), "{entry}");
    // Moved up, directly into the organization, and renamed back.
    let ldif = modrdn(
        org_a("ou=Berlin-Mitte,ou=People"),
        "ou=Berlin",
        Some(format!("ou=Acme-A,{BASE}")),
        true,
    );
    let (rc, out) = admin(&l, "ldapmodify", &ldif).await;
    assert_eq!(rc, 0, "{out}");
    let zoe = org_a("uid=zoe@example.com,ou=Berlin");
    let (rc, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &zoe, "-w", "zoe-pw"],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let unit = read(&l, &org_a("ou=Berlin"), &["ou"]).await;
    assert!(!unit.contains("ou: Berlin-Mitte"), "{unit}");

    let before = read(&l, &org_a("ou=People"), &["*"]).await;
    // People moves into Berlin (Berlin is no longer below it) ...
    let into_berlin = modrdn(
        org_a("ou=People"),
        "ou=People",
        Some(org_a("ou=Berlin")),
        true,
    );
    let (rc, out) = admin(&l, "ldapmodify", &into_berlin).await;
    assert_eq!(rc, 0, "{out}");
    let people = org_a("ou=People,ou=Berlin");
    for (ldif, code) in [
        // ... so Berlin into People would be inside itself;
        (
            modrdn(org_a("ou=Berlin"), "ou=Berlin", Some(people.clone()), true),
            19,
        ),
        // out of the organization;
        (
            modrdn(
                org_a("ou=Groups"),
                "ou=Groups",
                Some(format!("ou=Acme-B,{BASE}")),
                true,
            ),
            53,
        ),
        // a name another unit there has.
        (modrdn(org_a("ou=Groups"), "ou=Berlin", None, true), 68),
    ] {
        let (rc, out) = admin(&l, "ldapmodify", &ldif).await;
        assert_eq!(rc, code, "{ldif}\n{out}");
    }
    let back = modrdn(people, "ou=People", Some(format!("ou=Acme-A,{BASE}")), true);
    let (rc, out) = admin(&l, "ldapmodify", &back).await;
    assert_eq!(rc, 0, "{out}");
    assert_eq!(read(&l, &org_a("ou=People"), &["*"]).await, before);

    // alice holds account-unlock in Acme-A: she reads units, she does not rename them.
    let alice = org_a("uid=alice@example.com");
    let ldif = modrdn(org_a("ou=Groups"), "ou=Teams", None, true);
    let (rc, out) = write_as(&l, &alice, "pw", "ldapmodify", &ldif).await;
    assert_eq!(rc, 50, "{out}");
    // Nor change or delete them.
    let groups_dn = org_a("ou=Groups");
    let describe =
        format!("dn: {groups_dn}\nchangetype: modify\nreplace: description\ndescription: x\n");
    let (rc, out) = write_as(&l, &alice, "pw", "ldapmodify", &describe).await;
    assert_eq!(rc, 50, "{out}");
    let (rc, out) = write_as(
        &l,
        &alice,
        "pw",
        "ldapmodify",
        &format!("dn: {groups_dn}\nchangetype: delete\n"),
    )
    .await;
    assert_eq!(rc, 50, "{out}");
    // carol (Acme-B) cannot tell Acme-A's unit from a missing one.
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    let (rc, out) = write_as(&l, &carol, "pw", "ldapmodify", &ldif).await;
    assert_eq!(rc, 32, "{out}");
    let missing = modrdn(org_a("ou=Nowhere"), "ou=Teams", None, true);
    let (rc2, out2) = write_as(&l, &carol, "pw", "ldapmodify", &missing).await;
    assert_eq!(
        (rc, out.contains("matched DN: dc=example,dc=com")),
        (rc2, out2.contains("matched DN: dc=example,dc=com")),
        "{out}\n{out2}"
    );
    let groups = read(&l, &org_a("ou=Groups"), &["ou"]).await;
    assert!(groups.contains("ou: Groups\n"), "{groups}");
}
