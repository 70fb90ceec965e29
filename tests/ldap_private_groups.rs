//! User private groups (`[posix] user_private_groups = true`), driven by
//! OpenLDAP's clients: each posixAccount user whose gidNumber is its
//! uidNumber shows a posixGroup `cn=<login>` with that number in its
//! organization's `ou=roles`, found by every filter a client uses for
//! groups, read by whoever may read the user and nobody else, never
//! written, left out of the export, and gone when a real group holds the
//! number. Off (the default), there is none.

mod common;

use common::server::{BASE, Ldap, find, run, start, write_as};

const ON: &str = "[posix]\nuser_private_groups = true";

fn a(login: &str) -> String {
    format!("uid={login}@example.com,ou=Acme-A,{BASE}")
}

fn upg(login: &str) -> String {
    format!("cn={login}@example.com,ou=roles,ou=Acme-A,{BASE}")
}

/// ldapsearch as `who`, values unwrapped; (exit code, output).
async fn search_as(
    l: &Ldap,
    who: &str,
    pw: &str,
    base: &str,
    scope: &str,
    filter: &str,
) -> (i32, String) {
    let args = [
        "-x",
        "-LLL",
        "-o",
        "ldif-wrap=no",
        "-H",
        &l.url,
        "-D",
        who,
        "-w",
        pw,
        "-b",
        base,
        "-s",
        scope,
        filter,
    ];
    run("ldapsearch", &args).await
}

async fn admin_search(l: &Ldap, base: &str, scope: &str, filter: &str) -> (i32, String) {
    search_as(l, &l.admin_dn, &l.admin_pw, base, scope, filter).await
}

fn value(out: &str, name: &str) -> String {
    let prefix = format!("{name}: ");
    out.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_posix_user_shows_a_private_group_clients_find() {
    let l = start(ON).await;
    let (rc, alice) = admin_search(&l, &a("alice"), "base", "(objectClass=*)").await;
    assert_eq!(rc, 0, "{alice}");
    let gid = value(&alice, "gidNumber");
    assert_eq!(gid, value(&alice, "uidNumber"), "{alice}");

    let (rc, group) = admin_search(&l, &upg("alice"), "base", "(objectClass=*)").await;
    assert_eq!(rc, 0, "{group}");
    for line in [
        "objectClass: posixGroup",
        "cn: alice@example.com",
        &format!("gidNumber: {gid}"),
    ] {
        assert!(group.contains(&format!("{line}\n")), "{line}: {group}");
    }
    assert!(!group.contains("memberUid"), "{group}");

    // The filters SSSD and nss-pam-ldapd send find it.
    for filter in [
        format!("(&(objectClass=posixGroup)(gidNumber={gid}))"),
        "(&(objectClass=posixGroup)(cn=alice@example.com))".to_owned(),
        format!("(&(gidNumber={gid})(!(objectClass=posixAccount)))"),
    ] {
        assert_eq!(find(&l, &filter).await, vec![upg("alice")], "{filter}");
    }
    // It sits in ou=roles beside the organization's roles.
    let roles = format!("ou=roles,ou=Acme-A,{BASE}");
    let (rc, out) = admin_search(&l, &roles, "one", "(objectClass=posixGroup)").await;
    assert_eq!(rc, 0, "{out}");
    let dns = common::server::dns(&out);
    assert!(
        dns.contains(&upg("alice")) && dns.contains(&upg("bob")),
        "{dns:?}"
    );
    assert!(dns.iter().any(|d| d.starts_with("cn=Staff,")), "{dns:?}");

    // Computed, not stored: the export leaves it out.
    let api = common::http::Api::new(l.server.http_addr);
    let sys = common::http::Auth::basic(&l.admin_dn, &l.admin_pw);
    let export = api.get("/export", &sys).await;
    assert_eq!(export.status, 200, "{export:?}");
    let text = export.body.as_str().unwrap();
    assert!(text.contains("dn: cn=Staff,ou=roles,ou=Acme-A"), "{text}");
    assert!(!text.contains("dn: cn=alice@example.com"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_group_is_read_as_its_user_and_never_written() {
    let l = start(ON).await;
    // carol (Acme-B) may not read alice, so not her group either: the same
    // answer as for a DN that does not exist.
    let carol = format!("uid=carol@example.com,ou=Acme-B,{BASE}");
    let hidden = search_as(&l, &carol, "pw", &upg("alice"), "base", "(objectClass=*)").await;
    let missing = search_as(&l, &carol, "pw", &upg("nobody"), "base", "(objectClass=*)").await;
    assert_eq!(hidden.0, missing.0, "{hidden:?} {missing:?}");
    assert_eq!(hidden.0, 32, "{hidden:?}");
    assert!(
        find(&l, "(cn=carol@example.com)")
            .await
            .contains(&format!("cn=carol@example.com,ou=roles,ou=Acme-B,{BASE}"))
    );

    for (cmd, ldif) in [
        (
            "ldapmodify",
            format!(
                "dn: {}\nchangetype: modify\nreplace: description\ndescription: x\n",
                upg("alice")
            ),
        ),
        (
            "ldapmodify",
            format!("dn: {}\nchangetype: delete\n", upg("alice")),
        ),
        (
            "ldapmodify",
            format!(
                "dn: {}\nchangetype: modrdn\nnewrdn: cn=other\ndeleteoldrdn: 1\n",
                upg("alice")
            ),
        ),
        (
            "ldapadd",
            format!(
                "dn: {}\nobjectClass: posixGroup\ncn: alice@example.com\ngidNumber: 1\n",
                upg("alice")
            ),
        ),
    ] {
        let (rc, out) = write_as(&l, &l.admin_dn, &l.admin_pw, cmd, &ldif).await;
        assert!(rc == 53 || rc == 68, "{ldif}\n{out}");
    }
    assert_eq!(find(&l, "(cn=alice@example.com)").await, vec![upg("alice")]);

    // A real group holding the number takes its place.
    let (_, alice) = admin_search(&l, &a("alice"), "base", "(objectClass=*)").await;
    let gid = value(&alice, "gidNumber");
    let devs = format!(
        "dn: cn=devs,ou=roles,ou=Acme-A,{BASE}\nobjectClass: posixGroup\ncn: devs\ngidNumber: {gid}\n"
    );
    let (rc, out) = write_as(&l, &l.admin_dn, &l.admin_pw, "ldapadd", &devs).await;
    assert_eq!(rc, 0, "{out}");
    let filter = format!("(&(objectClass=posixGroup)(gidNumber={gid}))");
    assert_eq!(
        find(&l, &filter).await,
        vec![format!("cn=devs,ou=roles,ou=Acme-A,{BASE}")]
    );
    assert!(find(&l, "(cn=alice@example.com)").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_option_there_are_no_private_groups() {
    let l = start("").await;
    assert!(find(&l, "(cn=alice@example.com)").await.is_empty());
    let (rc, out) = admin_search(&l, &upg("alice"), "base", "(objectClass=*)").await;
    assert_eq!(rc, 32, "{out}");
}
