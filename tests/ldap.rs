//! LDAP v3 against a running dirgate, driven by OpenLDAP's own clients
//! (ldapsearch, ldapwhoami, ldappasswd, ldapcompare) and the ldap3 crate:
//! binds, every filter type, scopes, attribute selection, paging, sorting,
//! limits, visibility per actor, the root DSE and schema, extended operations,
//! and the Notice of Disconnection for oversized messages.

mod common;

use common::server::{BASE, Ldap, dns, run, start};

/// The DN of a user of Acme-A.
fn a(login: &str) -> String {
    format!("uid={login},ou=Acme-A,{BASE}")
}

/// ldapsearch as the system administrator, returning (code, output).
async fn search_as_admin(l: &Ldap, args: &[&str]) -> (i32, String) {
    let mut all = vec!["-x", "-H", &l.url, "-D", &l.admin_dn, "-w", &l.admin_pw];
    all.extend_from_slice(args);
    run("ldapsearch", &all).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binds_by_dn_login_and_email_and_refuses_alike() {
    let l = start("").await;
    let alice = a("alice@example.com");
    for name in [
        alice.as_str(),
        "alice@example.com",
        "alice@mail.example.com",
        "ALICE@EXAMPLE.COM",
    ] {
        let (code, out) = run("ldapwhoami", &["-x", "-H", &l.url, "-D", name, "-w", "pw"]).await;
        assert_eq!(code, 0, "{name}: {out}");
        assert_eq!(out.trim(), format!("dn:{alice}"), "{name}");
    }
    let (code, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &l.admin_dn, "-w", &l.admin_pw],
    )
    .await;
    assert_eq!(
        (code, out.trim()),
        (0, format!("dn:{}", l.admin_dn).as_str())
    );
    for (name, pw) in [
        (alice.as_str(), "wrong"),
        ("nobody@example.com", "pw"),
        ("uid=x,ou=Acme-A,dc=example,dc=com", "pw"),
    ] {
        let (code, out) = run("ldapwhoami", &["-x", "-H", &l.url, "-D", name, "-w", pw]).await;
        assert_eq!(code, 49, "{name}: {out}");
        assert!(out.contains("Invalid credentials"), "{out}");
    }
    // RFC 4513 §5.1.2: a DN with an empty password is not a login.
    let (code, out) = run("ldapwhoami", &["-x", "-H", &l.url, "-D", &alice, "-w", ""]).await;
    assert_eq!(code, 53, "{out}");
    let (code, out) = run("ldapwhoami", &["-x", "-H", &l.url]).await;
    assert_eq!((code, out.trim()), (0, "anonymous"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_filter_type_matches_like_slapd() {
    let l = start("").await;
    let cases: &[(&str, &[&str])] = &[
        ("(uid=alice@example.com)", &["alice"]),
        ("(UID=ALICE@example.com)", &["alice"]),
        ("(mail=bob@mail.example.com)", &["bob"]),
        ("(commonName=Alice Smith)", &["alice"]),
        ("(surname=jones)", &["bob"]),
        // A supertype covers its subtypes (cn, sn, givenName are names).
        ("(name=Alice Smith)", &["alice"]),
        ("(cn=*o*)", &["bob", "carol", "dave"]),
        ("(cn=c*e)", &["carol"]),
        (
            "(&(objectClass=inetOrgPerson)(!(uid=alice@example.com)))",
            &["bob", "carol", "dave"],
        ),
        (
            "(|(uid=carol@example.com)(mail=dave@mail.example.com))",
            &["carol", "dave"],
        ),
        ("(uidNumber>=10002)", &["carol", "dave"]),
        ("(uidNumber<=10000)", &["alice"]),
        ("(givenName~=alyce)", &[]),
        ("(givenName~=ALICE)", &["alice"]),
        ("(mail=*)", &["alice", "bob", "carol", "dave"]),
        ("(uid:caseExactMatch:=alice@example.com)", &["alice"]),
        ("(uid:caseExactMatch:=ALICE@example.com)", &[]),
        ("(ou:dn:=Acme-B)", &["carol"]),
        (
            "(memberOf=cn=Staff,ou=roles,ou=Acme-A,dc=example,dc=com)",
            &["alice", "bob"],
        ),
        (
            "(memberOf:1.2.840.113556.1.4.1941:=cn=Everyone,ou=roles,ou=Acme-A,dc=example,dc=com)",
            &["alice", "bob"],
        ),
        ("(dirgateDelegate=TRUE)", &["bob"]),
        ("(uidNumber=abc)", &[]),
        ("(!(uidNumber=abc))", &[]),
    ];
    for (filter, expect) in cases {
        let (code, out) = search_as_admin(
            &l,
            &[
                "-b",
                BASE,
                "-LLL",
                &format!("(&(objectClass=person){filter})"),
                "1.1",
            ],
        )
        .await;
        assert_eq!(code, 0, "{filter}: {out}");
        let mut got: Vec<String> = dns(&out)
            .iter()
            .map(|d| {
                d.trim_start_matches("uid=")
                    .split('@')
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        got.sort();
        assert_eq!(got, *expect, "{filter}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_selection_limits_and_missing_bases() {
    let l = start("").await;
    let (_, out) = search_as_admin(
        &l,
        &["-b", BASE, "-s", "base", "-LLL", "(objectClass=*)", "1.1"],
    )
    .await;
    assert_eq!(dns(&out), vec![BASE.to_owned()]);
    let (_, out) = search_as_admin(
        &l,
        &["-b", BASE, "-s", "one", "-LLL", "(objectClass=*)", "1.1"],
    )
    .await;
    assert_eq!(
        dns(&out).len(),
        6,
        "people, groups, services, applications and two organizations: {out}"
    );
    let acme_a = format!("ou=Acme-A,{BASE}");
    let (_, out) = search_as_admin(
        &l,
        &["-b", &acme_a, "-s", "sub", "-LLL", "(objectClass=*)", "1.1"],
    )
    .await;
    assert_eq!(
        dns(&out).len(),
        6,
        "the OU, ou=roles, two roles, two users: {out}"
    );
    // Selection: named attributes (aliases answer with the canonical name),
    // "+" for operational ones, typesOnly.
    let alice = a("alice@example.com");
    let (_, out) = search_as_admin(
        &l,
        &[
            "-b",
            &alice,
            "-s",
            "base",
            "-LLL",
            "(objectClass=*)",
            "commonName",
            "MAIL",
        ],
    )
    .await;
    assert!(
        out.contains("cn: Alice Smith") && out.contains("mail: alice@mail.example.com"),
        "{out}"
    );
    assert!(!out.contains("uid:"), "{out}");
    let (_, out) =
        search_as_admin(&l, &["-b", &alice, "-s", "base", "-LLL", "(objectClass=*)"]).await;
    assert!(
        out.contains("uidNumber: 10000")
            && !out.contains("entryUUID")
            && !out.contains("userPassword"),
        "{out}"
    );
    let (_, out) = search_as_admin(
        &l,
        &["-b", &alice, "-s", "base", "-LLL", "(objectClass=*)", "+"],
    )
    .await;
    for attr in [
        "entryUUID:",
        "entryDN:",
        "createTimestamp:",
        "modifyTimestamp:",
        "hasSubordinates:",
        "subschemaSubentry:",
        "memberOf:",
    ] {
        assert!(out.contains(attr), "{attr} missing: {out}");
    }
    assert!(!out.contains("\nuid:"), "{out}");
    let (_, out) = search_as_admin(
        &l,
        &[
            "-b",
            &alice,
            "-s",
            "base",
            "-LLL",
            "-A",
            "(objectClass=*)",
            "cn",
        ],
    )
    .await;
    assert!(out.lines().any(|l| l.trim() == "cn:"), "typesOnly: {out}");
    // cn equality goes through the common-name index for users, roles and
    // service accounts, and still matches by caseIgnoreMatch.
    for (filter, expect) in [
        (
            "(cn=ALICE   smith)",
            format!("uid=alice@example.com,ou=Acme-A,{BASE}"),
        ),
        ("(cn=staff)", format!("cn=Staff,ou=roles,ou=Acme-A,{BASE}")),
        ("(cn=READER)", format!("cn=reader,ou=services,{BASE}")),
    ] {
        let (_, out) = search_as_admin(&l, &["-b", BASE, "-LLL", filter, "1.1"]).await;
        assert_eq!(dns(&out), vec![expect], "{filter}");
    }
    let (_, out) = search_as_admin(&l, &["-b", BASE, "-LLL", "(cn=alicesmith)", "1.1"]).await;
    assert!(
        dns(&out).is_empty(),
        "the loose key must not loosen the match: {out}"
    );
    // Client size limit: sizeLimitExceeded with the entries so far.
    let (code, out) =
        search_as_admin(&l, &["-b", BASE, "-z", "2", "(objectClass=person)", "1.1"]).await;
    assert_eq!(code, 4, "{out}");
    assert_eq!(dns(&out).len(), 2);
    // A missing base answers noSuchObject with the deepest existing ancestor.
    let missing = format!("uid=nobody,{acme_a}");
    let (code, out) = search_as_admin(&l, &["-b", &missing, "(objectClass=*)"]).await;
    assert_eq!(code, 32, "{out}");
    assert!(out.contains(&format!("matchedDN: {acme_a}")), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paged_results_walk_everything_once() {
    let l = start("").await;
    let (code, out) = search_as_admin(
        &l,
        &["-b", BASE, "-E", "pr=2/noprompt", "(objectClass=*)", "1.1"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let paged = dns(&out);
    let (_, all) = search_as_admin(&l, &["-b", BASE, "(objectClass=*)", "1.1"]).await;
    let mut all = dns(&all);
    let mut got = paged.clone();
    got.sort();
    all.sort();
    assert_eq!(got, all);
    assert!(out.matches("pagedresults: cookie=").count() >= 5, "{out}");
    assert!(
        out.trim_end().ends_with("# numEntries: 15") || out.contains("cookie=\n"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_sort_orders_and_reports() {
    let l = start("").await;
    let (code, out) = search_as_admin(
        &l,
        &["-b", BASE, "-E", "sss=-uid", "(objectClass=person)", "uid"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let uids: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("uid: "))
        .collect();
    assert_eq!(
        uids,
        [
            "dave@example.com",
            "carol@example.com",
            "bob@example.com",
            "alice@example.com"
        ]
    );
    assert!(out.contains("sortResult: (0)"), "{out}");
    let (_, out) = search_as_admin(
        &l,
        &[
            "-b",
            BASE,
            "-E",
            "sss=sn/uidNumber",
            "(objectClass=person)",
            "sn",
        ],
    )
    .await;
    let sns: Vec<&str> = out.lines().filter_map(|l| l.strip_prefix("sn: ")).collect();
    assert_eq!(sns, ["Brown", "Jones", "Smith", "White"]);
    let (_, out) = search_as_admin(
        &l,
        &[
            "-b",
            BASE,
            "-E",
            "sss=nosuchattr",
            "(objectClass=person)",
            "1.1",
        ],
    )
    .await;
    assert!(
        out.contains("sortResult: (16)"),
        "unknown attribute → noSuchAttribute: {out}"
    );
}

/// RFC 2891 §1.2: the sort response control's value is `SEQUENCE { sortResult
/// ENUMERATED, attributeType [0] OPTIONAL }`, and slapd leaves attributeType
/// out. python-ldap rejects the control when anything else follows the code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sort_response_control_is_what_slapd_sends() {
    use ldap3::controls::RawControl;
    use ldap3::{LdapConnAsync, Scope};
    let l = start("").await;
    let (code, out) = search_as_admin(
        &l,
        &["-b", BASE, "-E", "sss=cn", "(objectClass=person)", "cn"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("sortResult: (0)"), "{out}");
    assert!(!out.to_lowercase().contains("error"), "{out}");
    // The bytes on the wire, as a client without an RFC 2891 decoder sees them.
    let (conn, mut ldap) = LdapConnAsync::new(&l.url).await.unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(&l.admin_dn, &l.admin_pw)
        .await
        .unwrap()
        .success()
        .unwrap();
    let sort_by_cn = RawControl {
        ctype: "1.2.840.113556.1.4.473".into(),
        crit: false,
        val: Some(vec![0x30, 0x06, 0x30, 0x04, 0x04, 0x02, b'c', b'n']),
    };
    let res = ldap
        .with_controls(sort_by_cn)
        .search(BASE, Scope::Subtree, "(objectClass=person)", vec!["1.1"])
        .await
        .unwrap();
    let done = res.1;
    assert_eq!(done.rc, 0, "{done:?}");
    let sort = done
        .ctrls
        .iter()
        .find(|c| c.1.ctype == "1.2.840.113556.1.4.474")
        .expect("a sort response control");
    assert_eq!(
        sort.1.val.as_deref(),
        Some(&[0x30, 0x03, 0x0a, 0x01, 0x00][..])
    );
    ldap.unbind().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_actor_sees_what_the_policy_allows() {
    let l = start("").await;
    let count = |out: &str| dns(out).len();
    let person = "(objectClass=person)";
    // The service account reads its organization only.
    let svc = format!("cn=reader,ou=services,{BASE}");
    let (code, out) = run(
        "ldapsearch",
        &[
            "-x", "-H", &l.url, "-D", &svc, "-w", &l.svc_pw, "-b", BASE, "-LLL", person, "1.1",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(count(&out), 2, "alice and bob of Acme-A: {out}");
    // The delegate of Acme-A reads Acme-A.
    let (_, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            "bob@example.com",
            "-w",
            "pw",
            "-b",
            BASE,
            "-LLL",
            person,
            "1.1",
        ],
    )
    .await;
    assert_eq!(count(&out), 2, "{out}");
    // A plain user reads itself.
    let (_, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            "carol@example.com",
            "-w",
            "pw",
            "-b",
            BASE,
            "-LLL",
            person,
            "1.1",
        ],
    )
    .await;
    assert_eq!(
        dns(&out),
        vec![format!("uid=carol@example.com,ou=Acme-B,{BASE}")]
    );
    // Another organization's subtree does not exist for the delegate of Acme-A.
    let acme_b = format!("ou=Acme-B,{BASE}");
    let (code, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            "bob@example.com",
            "-w",
            "pw",
            "-b",
            &acme_b,
            "(objectClass=*)",
            "1.1",
        ],
    )
    .await;
    assert_eq!(code, 32, "{out}");
    assert!(out.contains(&format!("matchedDN: {BASE}")), "{out}");
    // Anonymous reads nothing but the root DSE and the schema.
    let (_, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-b",
            BASE,
            "-LLL",
            "(objectClass=*)",
            "1.1",
        ],
    )
    .await;
    assert_eq!(count(&out), 0, "{out}");
    let (code, out) = run(
        "ldapsearch",
        &["-x", "-H", &l.url, "-b", "", "-s", "base", "-LLL", "+"],
    )
    .await;
    assert_eq!(code, 0);
    assert!(out.contains(&format!("namingContexts: {BASE}")), "{out}");
    assert!(
        out.contains("supportedControl: 1.2.840.113556.1.4.319"),
        "{out}"
    );
    let (_, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-b",
            "cn=Subschema",
            "-s",
            "base",
            "-LLL",
            "-o",
            "ldif-wrap=no",
            "objectClasses",
            "attributeTypes",
        ],
    )
    .await;
    assert!(
        out.contains("2.25.67141403340874273517597062156128082222.1.2.1 NAME 'dirgateAccount'"),
        "{out}"
    );
    assert!(out.contains("NAME 'dirgateLifecycleState'"), "{out}");
    // Security attributes (last login, lockout): administrators of the
    // account's organization only.
    let alice = a("alice@example.com");
    assert_eq!(
        run(
            "ldapwhoami",
            &["-x", "-H", &l.url, "-D", &alice, "-w", "pw"]
        )
        .await
        .0,
        0
    );
    // last-login is written by the journal thread; wait for it.
    let dir = l.dir.clone();
    tokio::task::spawn_blocking(move || dir.flush_journal())
        .await
        .unwrap();
    let (_, as_admin) = search_as_admin(
        &l,
        &["-b", &alice, "-s", "base", "-LLL", "dirgateLastLogin"],
    )
    .await;
    assert!(as_admin.contains("dirgateLastLogin:"), "{as_admin}");
    let (_, as_delegate) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            "bob@example.com",
            "-w",
            "pw",
            "-b",
            &alice,
            "-s",
            "base",
            "-LLL",
            "dirgateLastLogin",
        ],
    )
    .await;
    assert!(as_delegate.contains("dirgateLastLogin:"), "{as_delegate}");
    let (_, as_service) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            &svc,
            "-w",
            &l.svc_pw,
            "-b",
            &alice,
            "-s",
            "base",
            "-LLL",
            "dirgateLastLogin",
        ],
    )
    .await;
    assert_eq!(dns(&as_service).len(), 1, "{as_service}");
    assert!(!as_service.contains("dirgateLastLogin:"), "{as_service}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_passwd_and_whoami() {
    let l = start("").await;
    let alice = a("alice@example.com");
    let admin = ["-x", "-H", &l.url, "-D", &l.admin_dn, "-w", &l.admin_pw];
    let mut args = admin.to_vec();
    args.extend([alice.as_str(), "mail:ALICE@mail.example.com"]);
    assert_eq!(run("ldapcompare", &args).await.0, 6);
    args.pop();
    args.push("givenName:Bob");
    assert_eq!(run("ldapcompare", &args).await.0, 5);
    args.pop();
    args.push("title:x");
    assert_eq!(run("ldapcompare", &args).await.0, 16, "no such attribute");
    args.pop();
    args.push("bogusAttr:x");
    assert_eq!(
        run("ldapcompare", &args).await.0,
        17,
        "undefined attribute type"
    );
    // A user changes its own password with the old one.
    let (code, out) = run(
        "ldappasswd",
        &[
            "-x", "-H", &l.url, "-D", &alice, "-w", "pw", "-a", "pw", "-s", "new-pw",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        run(
            "ldapwhoami",
            &["-x", "-H", &l.url, "-D", &alice, "-w", "new-pw"]
        )
        .await
        .0,
        0
    );
    // ...not with a wrong old one.
    let (code, out) = run(
        "ldappasswd",
        &[
            "-x", "-H", &l.url, "-D", &alice, "-w", "new-pw", "-a", "nope", "-s", "x",
        ],
    )
    .await;
    assert_ne!(code, 0);
    assert!(out.contains("Invalid credentials (49)"), "{out}");
    // The administrator resets it, and a generated password is returned.
    let mut args = admin.to_vec();
    args.push(&alice);
    let (code, out) = run("ldappasswd", &args).await;
    assert_eq!(code, 0, "{out}");
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("New password: "))
        .unwrap();
    assert_eq!(
        run(
            "ldapwhoami",
            &["-x", "-H", &l.url, "-D", &alice, "-w", generated]
        )
        .await
        .0,
        0
    );
    // Nor can an anonymous client (which may see nobody: as if alice did
    // not exist), and without a user named there is nothing to change.
    let (code, out) = run("ldappasswd", &["-x", "-H", &l.url, "-s", "x", &alice]).await;
    assert_ne!(code, 0);
    assert!(out.contains("No such object (32)"), "{out}");
    let (code, out) = run("ldappasswd", &["-x", "-H", &l.url, "-s", "x"]).await;
    assert_ne!(code, 0);
    assert!(out.contains("Server is unwilling to perform (53)"), "{out}");
    // A plain user cannot reset someone else's password (another
    // organization's user is out of its reach: as if it did not exist).
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    let (code, out) = run(
        "ldappasswd",
        &[
            "-x", "-H", &l.url, "-D", &carol, "-w", "pw", "-s", "x", &alice,
        ],
    )
    .await;
    assert_ne!(code, 0);
    assert!(out.contains("No such object (32)"), "{out}");
}

/// RFC 3062 §2: a Password Modify response has a value only when it carries a
/// generated password (`SEQUENCE { genPasswd [0] }`); otherwise none at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_modify_answers_a_value_only_with_a_generated_password() {
    use ldap3::LdapConnAsync;
    use ldap3::exop::PasswordModify;
    let l = start("").await;
    let bob = a("bob@example.com");
    let admin = ["-x", "-H", &l.url, "-D", &l.admin_dn, "-w", &l.admin_pw];
    let bind_as_bob = |pw: String| {
        let url = l.url.clone();
        let bob = bob.clone();
        async move { run("ldapwhoami", &["-x", "-H", &url, "-D", &bob, "-w", &pw]).await }
    };
    // ldappasswd -s: a set password, nothing printed back.
    let mut args = admin.to_vec();
    args.extend(["-s", "set-pw", bob.as_str()]);
    let (code, out) = run("ldappasswd", &args).await;
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("New password"), "{out}");
    assert_eq!(bind_as_bob("set-pw".into()).await.0, 0);
    // ldappasswd without -s: the server generates one and returns it.
    let mut args = admin.to_vec();
    args.push(&bob);
    let (code, out) = run("ldappasswd", &args).await;
    assert_eq!(code, 0, "{out}");
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("New password: "))
        .unwrap_or_else(|| panic!("a generated password: {out}"));
    assert_eq!(bind_as_bob(generated.to_owned()).await.0, 0);
    // The bytes on the wire, as a client that decodes the value sees them.
    let (conn, mut ldap) = LdapConnAsync::new(&l.url).await.unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(&l.admin_dn, &l.admin_pw)
        .await
        .unwrap()
        .success()
        .unwrap();
    let set = PasswordModify {
        user_id: Some(&bob),
        old_pass: None,
        new_pass: Some("wire-pw"),
    };
    let (exop, _) = ldap.extended(set).await.unwrap().success().unwrap();
    assert_eq!((exop.name, exop.val), (None, None));
    let generate = PasswordModify {
        user_id: Some(&bob),
        old_pass: None,
        new_pass: None,
    };
    let (exop, _) = ldap.extended(generate).await.unwrap().success().unwrap();
    let val = exop.val.expect("a value with the generated password");
    assert_eq!(&val[..2], [0x30, val.len() as u8 - 2]);
    assert_eq!(&val[2..4], [0x80, val.len() as u8 - 4]);
    let pw = String::from_utf8(val[4..].to_vec()).unwrap();
    assert_eq!(bind_as_bob(pw).await.0, 0);
    ldap.unbind().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ldap3_client_pages_and_sees_the_same_directory() {
    use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
    use ldap3::{LdapConnAsync, Scope, SearchEntry};
    let l = start("").await;
    let (conn, mut ldap) = LdapConnAsync::new(&l.url).await.unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(&l.admin_dn, &l.admin_pw)
        .await
        .unwrap()
        .success()
        .unwrap();
    let adapters: Vec<Box<dyn Adapter<_, _>>> =
        vec![Box::new(EntriesOnly::new()), Box::new(PagedResults::new(2))];
    let mut stream = ldap
        .streaming_search_with(
            adapters,
            BASE,
            Scope::Subtree,
            "(objectClass=person)",
            vec!["uid"],
        )
        .await
        .unwrap();
    let mut uids = Vec::new();
    while let Some(entry) = stream.next().await.unwrap() {
        let e = SearchEntry::construct(entry);
        uids.extend(e.attrs.get("uid").cloned().unwrap_or_default());
    }
    stream.finish().await.success().unwrap();
    uids.sort();
    assert_eq!(
        uids,
        [
            "alice@example.com",
            "bob@example.com",
            "carol@example.com",
            "dave@example.com"
        ]
    );
    ldap.unbind().await.unwrap();
    // The children scope (draft-sermersheim-ldap-subordinate-scope), which the
    // ldap3 client does not offer: ldapsearch -s children.
    let (_, out) = search_as_admin(
        &l,
        &[
            "-b",
            &format!("ou=Acme-B,{BASE}"),
            "-s",
            "children",
            "-LLL",
            "(objectClass=*)",
            "1.1",
        ],
    )
    .await;
    assert_eq!(dns(&out).len(), 2, "ou=roles and carol: {out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_messages_get_a_notice_of_disconnection() {
    use futures_util::{SinkExt, StreamExt};
    use ldap3_proto::proto::{LdapAddRequest, LdapMsg, LdapOp, LdapPartialAttribute};
    let l = start("[ldap]\nmax_message_bytes = 4096\n").await;
    let stream = tokio::net::TcpStream::connect(l.addr).await.unwrap();
    let mut framed =
        tokio_util::codec::Framed::new(stream, ldap3_proto::LdapCodec::new(Some(1 << 20), None));
    let big = LdapMsg {
        msgid: 1,
        op: LdapOp::AddRequest(LdapAddRequest {
            dn: format!("uid=x,{BASE}"),
            attributes: vec![LdapPartialAttribute {
                atype: "description".into(),
                vals: vec![vec![b'x'; 10_000]],
            }],
        }),
        ctrl: vec![],
    };
    framed.send(big).await.unwrap();
    let reply = tokio::time::timeout(std::time::Duration::from_secs(5), framed.next())
        .await
        .expect("an answer, not silence")
        .unwrap()
        .unwrap();
    match reply.op {
        LdapOp::ExtendedResponse(r) => {
            assert_eq!(r.name.as_deref(), Some("1.3.6.1.4.1.1466.20036"));
            assert!(r.res.message.contains("too large"), "{}", r.res.message);
        }
        other => panic!("expected a notice of disconnection, got {other:?}"),
    }
    assert_eq!(reply.msgid, 0);
}

/// Reads the next message, or fails after a few seconds of silence.
async fn next_msg(
    framed: &mut tokio_util::codec::Framed<tokio::net::TcpStream, ldap3_proto::LdapCodec>,
) -> ldap3_proto::proto::LdapMsg {
    use futures_util::StreamExt;
    tokio::time::timeout(std::time::Duration::from_secs(5), framed.next())
        .await
        .expect("an answer, not silence")
        .expect("a message, not a closed connection")
        .expect("a well-formed message")
}

fn notice_reason(msg: &ldap3_proto::proto::LdapMsg) -> String {
    match &msg.op {
        ldap3_proto::proto::LdapOp::ExtendedResponse(r)
            if r.name.as_deref() == Some("1.3.6.1.4.1.1466.20036") =>
        {
            r.res.message.clone()
        }
        other => panic!("expected a notice of disconnection, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_and_idle_ones_are_told_why() {
    let l = start("[ldap]\nmax_connections = 1\nidle_timeout_secs = 1\n").await;
    let connect = || async {
        let s = tokio::net::TcpStream::connect(l.addr).await.unwrap();
        tokio_util::codec::Framed::new(s, ldap3_proto::LdapCodec::default())
    };
    let mut first = connect().await;
    // Give the server a moment to count the first connection.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut second = connect().await;
    assert!(notice_reason(&next_msg(&mut second).await).contains("too many connections"));
    // The first one, left idle, is closed with a reason after a second.
    assert!(notice_reason(&next_msg(&mut first).await).contains("idle"));
}

/// Sends a simple bind on a raw connection and returns its result code.
async fn raw_bind(
    framed: &mut tokio_util::codec::Framed<tokio::net::TcpStream, ldap3_proto::LdapCodec>,
    dn: &str,
    pw: &str,
) -> ldap3_proto::proto::LdapResultCode {
    use futures_util::SinkExt;
    use ldap3_proto::proto::{LdapBindCred, LdapBindRequest, LdapMsg, LdapOp};
    let bind = LdapBindRequest {
        version: 3,
        dn: dn.into(),
        cred: LdapBindCred::Simple(pw.into()),
    };
    let msg = LdapMsg {
        msgid: 1,
        op: LdapOp::BindRequest(bind),
        ctrl: vec![],
    };
    framed.send(msg).await.unwrap();
    match next_msg(framed).await.op {
        LdapOp::BindResponse(r) => r.res.code,
        other => panic!("expected a bind response, got {other:?}"),
    }
}

/// `[ldap] unbound_idle_timeout_secs`: connections that have not bound, or
/// bound anonymously, are closed (with a reason) after the short timeout; a
/// bound one idle as long is still served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbound_connections_are_closed_sooner_than_bound_ones() {
    use futures_util::SinkExt;
    use ldap3_proto::proto::{LdapExtendedRequest, LdapMsg, LdapOp, LdapResultCode};
    let l = start("[ldap]\nunbound_idle_timeout_secs = 1\nidle_timeout_secs = 30\n").await;
    let connect = || async {
        let s = tokio::net::TcpStream::connect(l.addr).await.unwrap();
        tokio_util::codec::Framed::new(s, ldap3_proto::LdapCodec::default())
    };
    let mut silent = connect().await;
    let mut anonymous = connect().await;
    let mut bound = connect().await;
    assert_eq!(
        raw_bind(&mut anonymous, "", "").await,
        LdapResultCode::Success
    );
    let code = raw_bind(&mut bound, &l.admin_dn, &l.admin_pw).await;
    assert_eq!(code, LdapResultCode::Success);
    let started = std::time::Instant::now();
    for c in [&mut silent, &mut anonymous] {
        assert!(notice_reason(&next_msg(c).await).contains("not bound"));
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let whoami = LdapMsg {
        msgid: 2,
        op: LdapOp::ExtendedRequest(LdapExtendedRequest {
            name: "1.3.6.1.4.1.4203.1.11.3".into(),
            value: None,
        }),
        ctrl: vec![],
    };
    bound.send(whoami).await.unwrap();
    match next_msg(&mut bound).await.op {
        LdapOp::ExtendedResponse(r) => assert_eq!(r.res.code, LdapResultCode::Success),
        other => panic!("the bound connection was not served: {other:?}"),
    }
}

/// `[ldap] max_connections_per_address` (every test connection comes from
/// 127.0.0.1): a connection over it is told why and closed; closing one
/// makes room again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_per_address_cap_are_told_why() {
    let l = start("[ldap]\nmax_connections_per_address = 2\n").await;
    let connect = || async {
        let s = tokio::net::TcpStream::connect(l.addr).await.unwrap();
        tokio_util::codec::Framed::new(s, ldap3_proto::LdapCodec::default())
    };
    let first = connect().await;
    let _second = connect().await;
    // Give the server a moment to count both.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut third = connect().await;
    let why = notice_reason(&next_msg(&mut third).await);
    assert!(why.contains("from this address"), "{why}");
    drop(first);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut again = connect().await;
    let code = raw_bind(&mut again, "", "").await;
    assert_eq!(code, ldap3_proto::proto::LdapResultCode::Success);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_binds_lock_the_account_and_admins_see_the_ppolicy_attributes() {
    let l = start("[lockout]\nthreshold = 2\nduration_secs = 0\n").await;
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    for _ in 0..2 {
        let (code, _) = run(
            "ldapwhoami",
            &["-x", "-H", &l.url, "-D", &carol, "-w", "bad"],
        )
        .await;
        assert_eq!(code, 49);
    }
    let dir = l.dir.clone();
    tokio::task::spawn_blocking(move || dir.flush_journal())
        .await
        .unwrap();
    let (code, out) = run(
        "ldapwhoami",
        &["-x", "-H", &l.url, "-D", &carol, "-w", "pw"],
    )
    .await;
    assert_eq!(
        code, 49,
        "locked accounts answer like wrong passwords: {out}"
    );
    let (_, out) = search_as_admin(
        &l,
        &[
            "-b",
            &carol,
            "-s",
            "base",
            "-LLL",
            "pwdAccountLockedTime",
            "pwdFailureTime",
        ],
    )
    .await;
    assert!(out.contains("pwdAccountLockedTime: "), "{out}");
    assert_eq!(out.matches("pwdFailureTime: ").count(), 2, "{out}");
    // A service account reading the organization sees the entry, not its
    // lockout state (that is for administrators of the account).
    for _ in 0..2 {
        run(
            "ldapwhoami",
            &["-x", "-H", &l.url, "-D", "alice@example.com", "-w", "bad"],
        )
        .await;
    }
    let dir = l.dir.clone();
    tokio::task::spawn_blocking(move || dir.flush_journal())
        .await
        .unwrap();
    let alice = a("alice@example.com");
    let (_, as_admin) = search_as_admin(
        &l,
        &["-b", &alice, "-s", "base", "-LLL", "pwdAccountLockedTime"],
    )
    .await;
    assert!(as_admin.contains("pwdAccountLockedTime: "), "{as_admin}");
    let svc = format!("cn=reader,ou=services,{BASE}");
    let (_, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-H",
            &l.url,
            "-D",
            &svc,
            "-w",
            &l.svc_pw,
            "-b",
            &alice,
            "-s",
            "base",
            "-LLL",
            "pwdAccountLockedTime",
            "uid",
        ],
    )
    .await;
    assert!(out.contains("uid: alice@example.com"), "{out}");
    assert!(!out.contains("pwdAccountLockedTime"), "{out}");
}
