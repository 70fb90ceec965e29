//! Faithful user entries, driven by OpenLDAP's own clients: a user keeps
//! every attribute its object classes allow with the values the client
//! wrote (several `mail` and `cn` values, `title`, `manager`, POSIX numbers
//! and shell, SSH keys), searches find them by those values, POSIX numbers
//! are kept as given and allocated only when missing, derived values stay
//! derived, and a refused write leaves the entry exactly as it was.

mod common;

use common::server::{BASE, admin, find, read, start};

fn a(login: &str) -> String {
    format!("uid={login}@example.com,ou=Acme-A,{BASE}")
}

const GRACE: &str = "objectClass: top
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: shadowAccount
objectClass: ldapPublicKey
uid: grace@example.com
cn: Grace Hopper
cn: Amazing Grace
sn: Hopper
givenName: Grace
mail: grace@mail.example.com
mail: g.hopper@alias.example.com
title: Rear Admiral
telephoneNumber: +1 555 0100
telephoneNumber: +1 555 0101
employeeNumber: 1906
departmentNumber: 42
description: Wrote the first compiler
manager: uid=bob@example.com,ou=Acme-A,dc=example,dc=com
uidNumber: 1500
gidNumber: 100
homeDirectory: /home/grace
loginShell: /bin/zsh
gecos: Grace Hopper
shadowLastChange: 19000
sshPublicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGrace grace@laptop
";

async fn add_grace(l: &common::server::Ldap) {
    let ldif = format!("dn: {}\n{GRACE}", a("grace"));
    let (rc, out) = admin(l, "ldapadd", &ldif).await;
    assert_eq!(rc, 0, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_keeps_every_attribute_it_was_added_with() {
    let l = start("").await;
    add_grace(&l).await;
    let entry = read(&l, &a("grace"), &["*"]).await;
    for line in GRACE.lines() {
        assert!(
            entry.contains(&format!("{line}\n")),
            "{line} missing in\n{entry}"
        );
    }
    assert!(entry.contains("objectClass: dirgateAccount\n"), "{entry}");
    // No value nobody wrote: the organization shows through the DN only.
    assert!(!entry.contains("\nou: "), "{entry}");
    for filter in [
        "(title=rear admiral)",
        "(mail=G.Hopper@alias.example.com)",
        "(cn=amazing grace)",
        "(uidNumber=1500)",
        "(&(objectClass=posixAccount)(gidNumber=100))",
        "(objectClass=ldapPublicKey)",
        "(employeeNumber=1906)",
        "(telephoneNumber=+15550101)",
        "(manager=uid=BOB@example.com,ou=Acme-A,dc=example,dc=com)",
        "(&(loginShell=/bin/zsh)(sshPublicKey=*))",
    ] {
        assert_eq!(find(&l, filter).await, vec![a("grace")], "{filter}");
    }
    // `(ou=Acme-A)` finds the organization, not its users.
    assert_eq!(
        find(&l, "(ou=Acme-A)").await,
        vec![format!("ou=Acme-A,{BASE}")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn common_names_and_display_names_are_each_their_own() {
    let l = start("").await;
    let alice = a("alice");
    // Alice came from the core with a derived common name.
    let set_display = format!(
        "dn: {alice}\nchangetype: modify\nreplace: displayName\ndisplayName: Alice S.\n-\nadd: title\ntitle: Engineer\n-\n"
    );
    assert_eq!(admin(&l, "ldapmodify", &set_display).await.0, 0);
    let entry = read(&l, &alice, &["cn", "displayName", "title"]).await;
    assert!(entry.contains("cn: Alice S.\n"), "still derived: {entry}");
    assert!(entry.contains("title: Engineer\n"), "{entry}");
    // Writing cn keeps it, leaves displayName alone, and a second value is kept.
    let set_cn = format!(
        "dn: {alice}\nchangetype: modify\nreplace: cn\ncn: Alice Cee\n-\nadd: cn\ncn: Al\n-\n"
    );
    let (rc, out) = admin(&l, "ldapmodify", &set_cn).await;
    assert_eq!(rc, 0, "{out}");
    let entry = read(&l, &alice, &["cn", "displayName"]).await;
    assert!(entry.contains("cn: Alice Cee\ncn: Al\n"), "{entry}");
    assert!(entry.contains("displayName: Alice S.\n"), "{entry}");
    assert_eq!(find(&l, "(cn=al)").await, vec![alice.clone()]);
    // And a new display name no longer changes the written cn.
    let again =
        format!("dn: {alice}\nchangetype: modify\nreplace: displayName\ndisplayName: A.\n-\n");
    assert_eq!(admin(&l, "ldapmodify", &again).await.0, 0);
    let entry = read(&l, &alice, &["cn"]).await;
    assert!(entry.contains("cn: Alice Cee\n"), "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_leaves_the_entry_exactly_as_it_was() {
    let l = start("").await;
    add_grace(&l).await;
    let grace = a("grace");
    let before = read(&l, &grace, &["*", "+"]).await;
    let bob_uid = read(&l, &a("bob"), &["uidNumber"]).await;
    let bob_uid = bob_uid
        .lines()
        .find_map(|l| l.strip_prefix("uidNumber: "))
        .unwrap()
        .to_owned();
    for (change, code) in [
        // A good change, then another user's uidNumber: 19, neither lands.
        (
            format!(
                "replace: title\ntitle: Commodore\n-\nreplace: uidNumber\nuidNumber: {bob_uid}\n"
            ),
            19,
        ),
        // A good change, then an attribute no class allows.
        (
            "add: mobile\nmobile: 555\n-\nadd: member\nmember: cn=x\n".to_owned(),
            65,
        ),
        // The last cn (person requires one), then a bad syntax.
        ("delete: cn\n".to_owned(), 65),
        (
            "replace: title\ntitle: X\n-\nreplace: manager\nmanager: nobody\n".to_owned(),
            21,
        ),
        // Taking posixAccount away while the numbers stay.
        (
            "delete: objectClass\nobjectClass: posixAccount\n".to_owned(),
            65,
        ),
    ] {
        let ldif = format!("dn: {grace}\nchangetype: modify\n{change}-\n");
        let (rc, out) = admin(&l, "ldapmodify", &ldif).await;
        assert_eq!(rc, code, "{change}\n{out}");
        assert_eq!(read(&l, &grace, &["*", "+"]).await, before, "{change}");
    }
    // A second user may share the group but not the uidNumber.
    let clash = format!(
        "dn: {}\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\ncn: H\nsn: H\nuidNumber: 1500\ngidNumber: 100\nhomeDirectory: /home/h\n",
        a("henry")
    );
    let (rc, out) = admin(&l, "ldapadd", &clash).await;
    assert_eq!(rc, 19, "{out}");
    assert!(find(&l, "(uid=henry@example.com)").await.is_empty());
    let ok = clash.replace("uidNumber: 1500", "uidNumber: 1501");
    assert_eq!(admin(&l, "ldapadd", &ok).await.0, 0);
    let mut group = find(&l, "(gidNumber=100)").await;
    group.sort();
    assert_eq!(group, vec![a("grace"), a("henry")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posix_values_are_allocated_or_shown_by_default_only_when_missing() {
    let l = start("[posix]\nhome_directory = \"/u/{login}\"\nlogin_shell = \"/bin/sh\"\n").await;
    let ivy = a("ivy");
    let ldif = format!(
        "dn: {ivy}\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\ncn: Ivy\nsn: Ivy\n"
    );
    assert_eq!(admin(&l, "ldapadd", &ldif).await.0, 0);
    let entry = read(
        &l,
        &ivy,
        &["uidNumber", "gidNumber", "homeDirectory", "loginShell"],
    )
    .await;
    let uid: u32 = entry
        .lines()
        .find_map(|l| l.strip_prefix("uidNumber: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(uid >= 10_000, "{entry}");
    assert!(entry.contains(&format!("gidNumber: {uid}\n")), "{entry}");
    assert!(
        entry.contains("homeDirectory: /u/ivy@example.com\n"),
        "{entry}"
    );
    assert!(entry.contains("loginShell: /bin/sh\n"), "{entry}");
    // Written values replace the defaults and are kept.
    let change = format!(
        "dn: {ivy}\nchangetype: modify\nreplace: loginShell\nloginShell: /bin/fish\n-\nreplace: uidNumber\nuidNumber: 2000\n-\n"
    );
    assert_eq!(admin(&l, "ldapmodify", &change).await.0, 0);
    let entry = read(&l, &ivy, &["uidNumber", "loginShell"]).await;
    assert!(entry.contains("uidNumber: 2000\n"), "{entry}");
    assert!(entry.contains("loginShell: /bin/fish\n"), "{entry}");
    // An entry without posixAccount shows no POSIX attributes at all.
    let plain = format!(
        "dn: {}\nobjectClass: inetOrgPerson\ncn: J\nsn: J\n",
        a("jo")
    );
    assert_eq!(admin(&l, "ldapadd", &plain).await.0, 0);
    let entry = read(&l, &a("jo"), &["*"]).await;
    assert!(!entry.contains("uidNumber"), "{entry}");
    assert!(!entry.contains("loginShell"), "{entry}");
    assert!(!entry.contains("objectClass: posixAccount"), "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_keep_their_given_gid_numbers() {
    let l = start("").await;
    let group = |name: &str, gid: u32| {
        format!(
            "dn: cn={name},ou=roles,ou=Acme-A,{BASE}\nobjectClass: groupOfNames\nobjectClass: posixGroup\ncn: {name}\ngidNumber: {gid}\nmember: {}\n",
            a("alice")
        )
    };
    assert_eq!(admin(&l, "ldapadd", &group("devs", 5000)).await.0, 0);
    // A user may share a group's number (a user private group)...
    let upg = format!(
        "dn: {}\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\ncn: U\nsn: U\nuidNumber: 5000\ngidNumber: 5000\nhomeDirectory: /home/u\n",
        a("upg")
    );
    assert_eq!(admin(&l, "ldapadd", &upg).await.0, 0);
    // ...another group may not.
    let (rc, out) = admin(&l, "ldapadd", &group("ops", 5000)).await;
    assert_eq!(rc, 19, "{out}");
    assert_eq!(admin(&l, "ldapadd", &group("ops", 5001)).await.0, 0);
    let devs = format!("cn=devs,ou=roles,ou=Acme-A,{BASE}");
    let renumber = |gid: u32| {
        format!("dn: {devs}\nchangetype: modify\nreplace: gidNumber\ngidNumber: {gid}\n-\n")
    };
    assert_eq!(admin(&l, "ldapmodify", &renumber(5001)).await.0, 19);
    assert_eq!(admin(&l, "ldapmodify", &renumber(5002)).await.0, 0);
    let mut found = find(&l, "(gidNumber=5002)").await;
    found.sort();
    assert_eq!(found, vec![devs]);
}
