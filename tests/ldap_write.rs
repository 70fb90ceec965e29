//! LDAP writes driven by OpenLDAP's own clients (ldapadd, ldapmodify,
//! ldapdelete, ldapmodrdn) against dirgate in-process: the result codes of
//! the schema checks, atomic multi-change modifies, moves between
//! organizations, unlock by clearing pwdAccountLockedTime, and the
//! cross-organization table of who may write where.

mod common;

use common::server::{BASE, admin, dns, read, run, start, write_as};

fn a(login: &str) -> String {
    format!("uid={login}@example.com,ou=Acme-A,{BASE}")
}

fn b(login: &str) -> String {
    format!("uid={login}@example.com,ou=Acme-B,{BASE}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_adds_every_kind_of_entry() {
    let l = start("").await;
    let ldif = include_str!("fixtures/acme-c.ldif");
    let (rc, out) = admin(&l, "ldapadd", ldif).await;
    assert_eq!(rc, 0, "{out}");
    let erin = format!("uid=erin@example.com,ou=Acme-C,{BASE}");
    let entry = read(&l, &erin, &["mail", "memberOf", "dirgateLifecycleState"]).await;
    assert!(entry.contains("mail: erin@mail.example.com"), "{entry}");
    assert!(
        entry.contains(&format!("memberOf: cn=Crew,ou=roles,ou=Acme-C,{BASE}")),
        "{entry}"
    );
    assert!(entry.contains("dirgateLifecycleState: active"), "{entry}");
    // The password given in the entry works, and so does the service's.
    let (rc, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &erin, "-w", "secret-1"],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let svc = format!("cn=app,ou=services,{BASE}");
    let (rc, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-LLL",
            "-H",
            &l.url,
            "-D",
            &svc,
            "-w",
            "app-secret",
            "-b",
            BASE,
            "(uid=*)",
            "1.1",
        ],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    assert_eq!(
        dns(&out),
        vec![erin.clone()],
        "the service reads its scope only"
    );
    // Adding the same login again, in any case, is entryAlreadyExists.
    let again = format!(
        "dn: uid=ERIN@example.com,ou=Acme-A,{BASE}\nobjectClass: inetOrgPerson\ncn: E\nsn: G\n"
    );
    assert_eq!(admin(&l, "ldapadd", &again).await.0, 68);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_checks_answer_the_right_codes_and_change_nothing() {
    let l = start("").await;
    let user = |extra: &str| {
        format!(
            "dn: uid=frank@example.com,ou=Acme-A,{BASE}\nobjectClass: inetOrgPerson\ncn: Frank\n{extra}"
        )
    };
    let cases: Vec<(String, i32)> = vec![
        // inetOrgPerson (person) requires sn.
        (user(""), 65),
        (user("sn: F\nfavouriteColour: blue\n"), 17),
        (
            user("sn: F\nmemberOf: cn=Staff,ou=roles,ou=Acme-A,dc=example,dc=com\n"),
            53,
        ),
        (
            user("sn: F\nentryUUID: 2b1c8a3e-0000-4000-8000-000000000000\n"),
            53,
        ),
        (user("sn: F\nmail: not-an-address\n"), 19),
        // displayName is single-valued (RFC 2798).
        (user("sn: F\ndisplayName: A\ndisplayName: B\n"), 19),
        (
            user(
                "sn: F\nobjectClass: dirgateAccount\ndirgateDelegate: TRUE\ndirgateDelegate: FALSE\n",
            ),
            19,
        ),
        // POSIX numbers need posixAccount; a manager must be a DN.
        (user("sn: F\nuidNumber: 5000\n"), 65),
        (user("sn: F\nmanager: not a DN\n"), 21),
        // groupOfNames on a user entry.
        (user("sn: F\nobjectClass: groupOfNames\n"), 65),
        (
            format!(
                "dn: uid=frank@example.com,ou=Nowhere,{BASE}\nobjectClass: inetOrgPerson\ncn: F\nsn: F\n"
            ),
            32,
        ),
        (
            format!("dn: ou=Bad Name,{BASE}\nobjectClass: organizationalUnit\nou: Bad Name\n"),
            19,
        ),
        (
            format!(
                "dn: cn=frank,ou=Acme-A,{BASE}\nobjectClass: inetOrgPerson\ncn: frank\nsn: F\n"
            ),
            64,
        ),
    ];
    for (ldif, code) in cases {
        let (rc, out) = admin(&l, "ldapadd", &ldif).await;
        assert_eq!(rc, code, "{ldif}\n{out}");
    }
    let (_, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-LLL",
            "-H",
            &l.url,
            "-D",
            &l.admin_dn,
            "-w",
            &l.admin_pw,
            "-b",
            BASE,
            "(uid=frank*)",
            "1.1",
        ],
    )
    .await;
    assert!(dns(&out).is_empty(), "nothing was added: {out}");
    // noSuchObject names the deepest existing entry.
    let (rc, out) = admin(
        &l,
        "ldapadd",
        &format!(
            "dn: uid=x@example.com,ou=Nowhere,{BASE}\nobjectClass: inetOrgPerson\ncn: x\nsn: x\n"
        ),
    )
    .await;
    assert_eq!(rc, 32);
    assert!(out.contains(&format!("matched DN: {BASE}")), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modify_applies_every_change_or_none() {
    let l = start("").await;
    let alice = a("alice");
    let ok = format!(
        "dn: {alice}\nchangetype: modify\nreplace: mail\nmail: alice.smith@mail.example.com\n-\nadd: displayName\ndisplayName: Alice S.\n-\nreplace: dirgateStorageQuota\ndirgateStorageQuota: 100\n-\nincrement: dirgateStorageQuota\ndirgateStorageQuota: 5\n-\n"
    );
    let (rc, out) = admin(&l, "ldapmodify", &ok).await;
    assert_eq!(rc, 0, "{out}");
    let entry = read(
        &l,
        &alice,
        &["mail", "displayName", "cn", "dirgateStorageQuota"],
    )
    .await;
    for want in [
        "mail: alice.smith@mail.example.com",
        "displayName: Alice S.",
        "cn: Alice S.",
        "dirgateStorageQuota: 105",
    ] {
        assert!(entry.contains(want), "{want} missing in {entry}");
    }
    // The second change fails, so the first must not land either.
    let bad = format!(
        "dn: {alice}\nchangetype: modify\nreplace: givenName\ngivenName: Alicia\n-\ndelete: description\n-\n"
    );
    let (rc, out) = admin(&l, "ldapmodify", &bad).await;
    assert_eq!(rc, 16, "{out}");
    let entry = read(&l, &alice, &["givenName"]).await;
    assert!(entry.contains("givenName: Alice\n"), "{entry}");
    for (change, code) in [
        ("replace: uidNumber\nuidNumber: -5\n", 19),
        ("delete: uidNumber\n", 65),
        // The RDN's value must stay: renaming is modify DN's (slapd: 64).
        ("replace: uid\nuid: other@example.com\n", 64),
        ("add: displayName\ndisplayName: A\ndisplayName: B\n", 19),
        ("add: givenName\ngivenName: Alice\n", 20),
        (
            "replace: modifyTimestamp\nmodifyTimestamp: 20200101000000Z\n",
            53,
        ),
        (
            "replace: dirgateLifecycleState\ndirgateLifecycleState: sleeping\n",
            21,
        ),
    ] {
        let ldif = format!("dn: {alice}\nchangetype: modify\n{change}-\n");
        let (rc, out) = admin(&l, "ldapmodify", &ldif).await;
        assert_eq!(rc, code, "{change}\n{out}");
    }
    // Members: delete one, add another, in one modify of the role.
    let staff = format!("cn=Staff,ou=roles,ou=Acme-A,{BASE}");
    let members = format!(
        "dn: {staff}\nchangetype: modify\ndelete: member\nmember: {}\n-\nadd: member\nmember: {}\n-\n",
        a("bob"),
        a("alice")
    );
    let (rc, out) = admin(&l, "ldapmodify", &members).await;
    assert_eq!(rc, 20, "alice is already a member: {out}");
    let members = format!(
        "dn: {staff}\nchangetype: modify\ndelete: member\nmember: {}\n-\n",
        a("bob")
    );
    let (rc, out) = admin(&l, "ldapmodify", &members).await;
    assert_eq!(rc, 0, "{out}");
    let entry = read(&l, &staff, &["member", "memberUid"]).await;
    assert!(!entry.contains("bob@"), "{entry}");
    assert!(entry.contains("memberUid: alice@example.com"), "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_and_modrdn_follow_the_organization_rules() {
    let l = start("").await;
    let (rc, out) = run(
        "ldapdelete",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            &l.admin_dn,
            "-w",
            &l.admin_pw,
            &format!("ou=Acme-B,{BASE}"),
        ],
    )
    .await;
    assert_eq!(rc, 66, "{out}");
    // Move carol from Acme-B to Acme-A and rename her, in one operation.
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
            "-r",
            "-s",
            &format!("ou=Acme-A,{BASE}"),
            &b("carol"),
            "uid=caroline@example.com",
        ],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let moved = read(&l, &a("caroline"), &["uid", "entryUUID"]).await;
    assert!(moved.contains("uid: caroline@example.com"), "{moved}");
    // Acme-B is empty now and can go.
    let (rc, out) = run(
        "ldapdelete",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            &l.admin_dn,
            "-w",
            &l.admin_pw,
            &format!("ou=Acme-B,{BASE}"),
        ],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let (rc, _) = run(
        "ldapdelete",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            &l.admin_dn,
            "-w",
            &l.admin_pw,
            &format!("ou=people,{BASE}"),
        ],
    )
    .await;
    assert_eq!(rc, 53);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_writes_inside_its_organization_only() {
    let l = start("").await;
    let bob = a("bob");
    let new_user = |org: &str| {
        format!(
            "dn: uid=gina@example.com,ou={org},{BASE}\nobjectClass: inetOrgPerson\ncn: Gina\nsn: G\n"
        )
    };
    // (operation, ldif, expected code) for bob, delegate of Acme-A. What
    // lies in Acme-B is out of his reach: as if it did not exist (32).
    let cells: Vec<(&str, String, i32)> = vec![
        ("ldapadd", new_user("Acme-B"), 32),
        (
            "ldapadd",
            format!("dn: ou=Acme-Z,{BASE}\nobjectClass: organizationalUnit\nou: Acme-Z\n"),
            50,
        ),
        (
            "ldapadd",
            format!("dn: cn=Global,ou=groups,{BASE}\nobjectClass: groupOfNames\ncn: Global\n"),
            50,
        ),
        (
            "ldapadd",
            format!(
                "dn: uid=gina@example.com,ou=people,{BASE}\nobjectClass: inetOrgPerson\ncn: G\nsn: G\n"
            ),
            50,
        ),
        (
            "ldapmodify",
            format!(
                "dn: {}\nchangetype: modify\nreplace: sn\nsn: Changed\n-\n",
                b("carol")
            ),
            32,
        ),
        (
            "ldapmodify",
            format!(
                "dn: ou=Acme-A,{BASE}\nchangetype: modify\nreplace: dirgateSeats\ndirgateSeats: 99\n-\n"
            ),
            50,
        ),
        ("ldapdelete", b("carol"), 32),
        ("ldapadd", new_user("Acme-A"), 0),
        (
            "ldapmodify",
            format!(
                "dn: {}\nchangetype: modify\nreplace: sn\nsn: Changed\n-\n",
                a("alice")
            ),
            0,
        ),
        (
            "ldapmodify",
            format!(
                "dn: cn=Staff,ou=roles,ou=Acme-A,{BASE}\nchangetype: modify\nadd: member\nmember: uid=gina@example.com,ou=Acme-A,{BASE}\n-\n"
            ),
            0,
        ),
    ];
    for (cmd, ldif, code) in cells {
        let (rc, out) = if cmd == "ldapdelete" {
            run(cmd, &["-x", "-H", &l.url, "-D", &bob, "-w", "pw", &ldif]).await
        } else {
            write_as(&l, &bob, "pw", cmd, &ldif).await
        };
        assert_eq!(rc, code, "{cmd} {ldif}\n{out}");
    }
    let carol = read(&l, &b("carol"), &["sn"]).await;
    assert!(
        carol.contains("sn: White"),
        "refusals changed nothing: {carol}"
    );
    let seats = read(&l, &format!("ou=Acme-A,{BASE}"), &["dirgateSeats"]).await;
    assert!(seats.contains("dirgateSeats: 10"), "{seats}");
    // Refusals are in the audit trail.
    l.dir.flush_journal();
    let denied = l
        .dir
        .store()
        .read(|tx| tx.changes(0, 10_000))
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == "bob@example.com" && e.action == "denied")
        .count();
    assert!(denied >= 6, "{denied} refusals audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_pwd_account_locked_time_unlocks() {
    let l = start("[lockout]\nthreshold = 2\n").await;
    let carol = b("carol");
    for _ in 0..2 {
        run(
            "ldapwhoami",
            &["-x", "-H", &l.url, "-D", &carol, "-w", "wrong"],
        )
        .await;
    }
    let dir = l.dir.clone();
    tokio::task::spawn_blocking(move || dir.flush_journal())
        .await
        .unwrap();
    let (rc, _) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &carol, "-w", "pw"],
    )
    .await;
    assert_eq!(rc, 49, "locked");
    let unlock = format!("dn: {carol}\nchangetype: modify\ndelete: pwdAccountLockedTime\n-\n");
    // bob's unlock right (Staff carries account-unlock) stops at Acme-A,
    // where his sight stops too.
    assert_eq!(
        write_as(&l, &a("bob"), "pw", "ldapmodify", &unlock).await.0,
        32
    );
    let (rc, out) = admin(&l, "ldapmodify", &unlock).await;
    assert_eq!(rc, 0, "{out}");
    let (rc, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &carol, "-w", "pw"],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    // A delegate unlocks an account of its own organization.
    let alice = a("alice");
    for _ in 0..2 {
        run(
            "ldapwhoami",
            &["-x", "-H", &l.url, "-D", &alice, "-w", "wrong"],
        )
        .await;
    }
    let dir = l.dir.clone();
    tokio::task::spawn_blocking(move || dir.flush_journal())
        .await
        .unwrap();
    let locked = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &alice, "-w", "pw"],
    )
    .await;
    assert_eq!(locked.0, 49, "alice is locked");
    let unlock = format!("dn: {alice}\nchangetype: modify\ndelete: pwdAccountLockedTime\n-\n");
    let (rc, out) = write_as(&l, &a("bob"), "pw", "ldapmodify", &unlock).await;
    assert_eq!(rc, 0, "{out}");
    let (rc, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &alice, "-w", "pw"],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_never_half_apply() {
    let l = start("").await;
    let alice = a("alice");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (url, dn, pw, alice) = (
            l.url.clone(),
            l.admin_dn.clone(),
            l.admin_pw.clone(),
            alice.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (conn, mut ldap) = ldap3::LdapConnAsync::new(&url).await.unwrap();
            ldap3::drive!(conn);
            ldap.simple_bind(&dn, &pw).await.unwrap().success().unwrap();
            let given = format!("Given{i}");
            let family = format!("Family{i}");
            let mods = vec![
                ldap3::Mod::Replace(
                    "givenName",
                    std::collections::HashSet::from([given.as_str()]),
                ),
                ldap3::Mod::Replace("sn", std::collections::HashSet::from([family.as_str()])),
            ];
            ldap.modify(&alice, mods).await.unwrap().rc
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 0);
    }
    // Each modify set both names together: they must still belong together.
    let entry = read(&l, &alice, &["givenName", "sn"]).await;
    let given = entry
        .lines()
        .find_map(|x| x.strip_prefix("givenName: Given"))
        .unwrap();
    let family = entry
        .lines()
        .find_map(|x| x.strip_prefix("sn: Family"))
        .unwrap();
    assert_eq!(given, family, "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_change_their_self_service_attributes_only() {
    let l = start("[users]\nself_service = [\"display_name\"]\n").await;
    let carol = b("carol");
    let change = |attr: &str, value: &str| {
        format!("dn: {carol}\nchangetype: modify\nreplace: {attr}\n{attr}: {value}\n-\n")
    };
    let (rc, out) = write_as(
        &l,
        &carol,
        "pw",
        "ldapmodify",
        &change("displayName", "Caz"),
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    for (attr, value) in [
        ("mail", "carol@elsewhere.example"),
        ("givenName", "Caroline"),
        ("dirgateDelegate", "TRUE"),
    ] {
        let (rc, out) = write_as(&l, &carol, "pw", "ldapmodify", &change(attr, value)).await;
        assert_eq!(rc, 50, "{attr}: {out}");
    }
    // A new password through userPassword, then a bind with it.
    let (rc, out) = write_as(
        &l,
        &carol,
        "pw",
        "ldapmodify",
        &change("userPassword", "n3w-pass"),
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let (rc, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &carol, "-w", "n3w-pass"],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    // Nobody else's (another organization's: as if it did not exist).
    let other = format!(
        "dn: {}\nchangetype: modify\nreplace: displayName\ndisplayName: X\n-\n",
        a("alice")
    );
    assert_eq!(
        write_as(&l, &carol, "n3w-pass", "ldapmodify", &other)
            .await
            .0,
        32
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_ssha_hashes_bind_and_count_failures_like_any_other() {
    // Extra lines land in the test server's [passwords] section.
    let l = start("rehash_on_login = false\n[lockout]\nthreshold = 2\n").await;
    let hash = dirgate::directory::password::ssha("s3cret", b"8bytesalt");
    let dn = format!("uid=olga@example.com,ou=Acme-A,{BASE}");
    let ldif =
        format!("dn: {dn}\nobjectClass: inetOrgPerson\ncn: Olga\nsn: O\nuserPassword: {hash}\n");
    assert_eq!(admin(&l, "ldapadd", &ldif).await.0, 0);
    let bind = |pw: &'static str| {
        let (url, dn) = (l.url.clone(), dn.clone());
        async move {
            run("ldapwhoami", &["-x", "-H", &url, "-D", &dn, "-w", pw])
                .await
                .0
        }
    };
    assert_eq!(bind("s3cret").await, 0);
    assert_eq!(bind("wrong").await, 49);
    assert_eq!(bind("wrong").await, 49);
    let dir = l.dir.clone();
    tokio::task::spawn_blocking(move || dir.flush_journal())
        .await
        .unwrap();
    assert_eq!(bind("s3cret").await, 49, "two failures lock it");
    l.dir.flush_journal();
    let events = l.dir.store().read(|tx| tx.changes(0, 10_000)).unwrap();
    let binds = events
        .iter()
        .filter(|e| e.action == "bind" && e.target.starts_with("olga@"))
        .count();
    assert_eq!(binds, 4, "every attempt is audited");
}
