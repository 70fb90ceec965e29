//! Faithful groups, driven by OpenLDAP's own clients: a role keeps the
//! object classes its client named and every attribute they allow, and
//! shows its members under the attribute its classes name them by
//! (`uniqueMember` for a groupOfUniqueNames, `member` for a groupOfNames,
//! `memberUid` and `gidNumber` for a posixGroup), while members written
//! under any of them land in dirgate's one membership. Writes the classes
//! do not allow are objectClassViolation, unknown types
//! undefinedAttributeType, values of the wrong syntax invalidAttributeSyntax;
//! a refused write changes nothing. Roles made without classes keep the
//! shape they always had.

mod common;

use common::http::{Api, Auth};
use common::server::{BASE, Ldap, admin, find, run, start};
use dirgate::directory::model::Member;
use serde_json::json;

fn a(login: &str) -> String {
    format!("uid={login}@example.com,ou=Acme-A,{BASE}")
}

fn role_dn(name: &str) -> String {
    format!("cn={name},ou=roles,ou=Acme-A,{BASE}")
}

/// The entry `dn` as the administrator reads it, lines unwrapped.
async fn entry(l: &Ldap, dn: &str, attrs: &[&str]) -> String {
    let mut args = vec![
        "-x",
        "-LLL",
        "-o",
        "ldif-wrap=no",
        "-H",
        &l.url,
        "-D",
        &l.admin_dn,
        "-w",
        &l.admin_pw,
        "-b",
        dn,
        "-s",
        "base",
    ];
    args.extend_from_slice(attrs);
    let (rc, out) = run("ldapsearch", &args).await;
    assert_eq!(rc, 0, "{dn}: {out}");
    out
}

/// The values of `name` in ldapsearch output, in order.
fn values(entry: &str, name: &str) -> Vec<String> {
    let prefix = format!("{name}: ");
    entry
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(str::to_owned)
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

async fn add(l: &Ldap, ldif: &str) {
    let (rc, out) = admin(l, "ldapadd", ldif).await;
    assert_eq!(rc, 0, "{ldif}\n{out}");
}

async fn modify(l: &Ldap, dn: &str, change: &str) -> (i32, String) {
    admin(
        l,
        "ldapmodify",
        &format!("dn: {dn}\nchangetype: modify\n{change}"),
    )
    .await
}

fn unique_group() -> String {
    format!(
        "dn: {}
objectClass: top
objectClass: groupOfUniqueNames
cn: Auditors
cn: Audit team
description: Reads the books
description: Twice a year
businessCategory: finance
owner: {}
seeAlso: {}
o: Acme
ou: Finance
uniqueMember: {}
uniqueMember: {}
",
        role_dn("Auditors"),
        a("bob"),
        role_dn("Staff"),
        a("alice"),
        role_dn("Staff"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_keeps_its_classes_and_every_attribute_they_allow() {
    let l = start("").await;
    add(&l, &unique_group()).await;
    let dn = role_dn("Auditors");
    let e = entry(&l, &dn, &["*"]).await;
    assert_eq!(
        values(&e, "objectClass"),
        ["top", "groupOfUniqueNames"],
        "{e}"
    );
    assert_eq!(values(&e, "cn"), ["Auditors", "Audit team"], "{e}");
    assert_eq!(
        values(&e, "description"),
        ["Reads the books", "Twice a year"]
    );
    for (name, value) in [
        ("businessCategory", "finance".to_owned()),
        ("owner", a("bob")),
        ("seeAlso", role_dn("Staff")),
        ("o", "Acme".to_owned()),
        ("ou", "Finance".to_owned()),
    ] {
        assert_eq!(values(&e, name), [value], "{name}: {e}");
    }
    assert_eq!(
        sorted(values(&e, "uniqueMember")),
        sorted(vec![a("alice"), role_dn("Staff")])
    );
    // The members show under the class's attribute only.
    for absent in ["member", "memberUid", "gidNumber", "dirgateRight"] {
        assert!(values(&e, absent).is_empty(), "{absent}: {e}");
    }
    let ops = entry(&l, &dn, &["structuralObjectClass"]).await;
    assert_eq!(
        values(&ops, "structuralObjectClass"),
        ["groupOfUniqueNames"]
    );
    // Searches see the entry as it shows.
    for (filter, hit) in [
        (format!("(uniqueMember={})", a("alice")), true),
        (format!("(member={})", a("alice")), false),
        ("(objectClass=groupOfUniqueNames)".to_owned(), true),
        ("(objectClass=groupOfNames)".to_owned(), false),
        ("(cn=audit team)".to_owned(), true),
        ("(&(businessCategory=Finance)(o=acme))".to_owned(), true),
    ] {
        assert_eq!(find(&l, &filter).await.contains(&dn), hit, "{filter}");
    }
    // One membership: the core holds alice and Staff, and alice's memberOf
    // names the group.
    let alice = entry(&l, &a("alice"), &["memberOf"]).await;
    assert!(values(&alice, "memberOf").contains(&dn), "{alice}");
    let members = l
        .dir
        .store()
        .read(|tx| {
            let org = tx.org_by_name("Acme-A")?.unwrap().id;
            let role = tx.role_by_name(Some(org), "Auditors")?.unwrap();
            tx.role_members(role.id)
        })
        .unwrap();
    assert_eq!(members.len(), 2);
    assert!(members.iter().any(|m| matches!(m, Member::Role(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_class_names_members_its_own_way() {
    let l = start("").await;
    let names = format!(
        "dn: {}\nobjectClass: groupOfNames\ncn: Readers\nmember: {}\nmember: {}\n",
        role_dn("Readers"),
        a("alice"),
        a("bob")
    );
    add(&l, &names).await;
    let e = entry(&l, &role_dn("Readers"), &["*"]).await;
    assert_eq!(values(&e, "objectClass"), ["groupOfNames"]);
    assert_eq!(
        sorted(values(&e, "member")),
        sorted(vec![a("alice"), a("bob")])
    );
    for absent in ["uniqueMember", "memberUid", "gidNumber"] {
        assert!(values(&e, absent).is_empty(), "{absent}: {e}");
    }
    // A posixGroup lists logins and keeps the number it was given; members
    // written as memberUid are the same users.
    let posix = format!(
        "dn: {}\nobjectClass: posixGroup\ncn: devs\ngidNumber: 5100\nmemberUid: alice@example.com\ndescription: Developers\n",
        role_dn("devs")
    );
    add(&l, &posix).await;
    let e = entry(&l, &role_dn("devs"), &["*"]).await;
    assert_eq!(values(&e, "objectClass"), ["posixGroup"]);
    assert_eq!(values(&e, "gidNumber"), ["5100"]);
    assert_eq!(values(&e, "memberUid"), ["alice@example.com"]);
    assert!(values(&e, "member").is_empty(), "{e}");
    assert_eq!(
        find(&l, "(&(objectClass=posixGroup)(gidNumber=5100))").await,
        [role_dn("devs")]
    );
    // Adding a member by memberUid keeps nested roles of a group; the
    // membership stays one list whatever attribute wrote it.
    let (rc, out) = modify(
        &l,
        &role_dn("devs"),
        "add: memberUid\nmemberUid: bob@example.com\n-\n",
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let bob = entry(&l, &a("bob"), &["memberOf"]).await;
    assert!(values(&bob, "memberOf").contains(&role_dn("devs")), "{bob}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_the_classes_do_not_allow_are_refused_and_change_nothing() {
    let l = start("").await;
    add(&l, &unique_group()).await;
    let dn = role_dn("Auditors");
    let before = entry(&l, &dn, &["*", "+"]).await;
    for (change, code) in [
        // Not a member attribute of groupOfUniqueNames.
        (format!("add: member\nmember: {}\n-\n", a("bob")), 65),
        (
            "add: memberUid\nmemberUid: bob@example.com\n-\n".to_owned(),
            65,
        ),
        ("add: gidNumber\ngidNumber: 7000\n-\n".to_owned(), 65),
        ("add: mail\nmail: auditors@example.com\n-\n".to_owned(), 65),
        (
            "add: favouriteColour\nfavouriteColour: blue\n-\n".to_owned(),
            17,
        ),
        // owner and seeAlso are DNs.
        ("add: owner\nowner: not a dn\n-\n".to_owned(), 21),
        ("replace: seeAlso\nseeAlso: =broken\n-\n".to_owned(), 21),
        // Members are entries of this directory.
        (
            format!(
                "add: uniqueMember\nuniqueMember: uid=nobody@example.com,ou=Acme-A,{BASE}\n-\n"
            ),
            19,
        ),
        // The last class that allows the members cannot go alone.
        (
            "replace: objectClass\nobjectClass: groupOfNames\n-\n".to_owned(),
            65,
        ),
        // A valid change followed by a refused one: neither applies.
        (
            "add: businessCategory\nbusinessCategory: audit\n-\nadd: gidNumber\ngidNumber: 1\n-\n"
                .to_owned(),
            65,
        ),
    ] {
        let (rc, out) = modify(&l, &dn, &change).await;
        assert_eq!(rc, code, "{change}: {out}");
    }
    assert_eq!(entry(&l, &dn, &["*", "+"]).await, before);
    // Groups keep no passwords.
    let posix = format!(
        "dn: {}\nobjectClass: posixGroup\ncn: locked\ngidNumber: 5200\nuserPassword: secret\n",
        role_dn("locked")
    );
    let (rc, out) = admin(&l, "ldapadd", &posix).await;
    assert_eq!(rc, 53, "{out}");
    assert!(find(&l, "(cn=locked)").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modify_and_rename_keep_what_the_client_wrote() {
    let l = start("").await;
    add(&l, &unique_group()).await;
    let dn = role_dn("Auditors");
    let change = format!(
        "replace: uniqueMember\nuniqueMember: {}\n-\ndelete: description\ndescription: Twice a year\n-\nadd: businessCategory\nbusinessCategory: audit\n-\n",
        a("bob")
    );
    let (rc, out) = modify(&l, &dn, &change).await;
    assert_eq!(rc, 0, "{out}");
    let e = entry(&l, &dn, &["*"]).await;
    assert_eq!(values(&e, "uniqueMember"), [a("bob")]);
    assert_eq!(values(&e, "description"), ["Reads the books"]);
    assert_eq!(values(&e, "businessCategory"), ["finance", "audit"]);
    // The admin API's view: one description, the name.
    let role = l
        .dir
        .store()
        .read(|tx| {
            let org = tx.org_by_name("Acme-A")?.unwrap().id;
            tx.role_by_name(Some(org), "Auditors")
        })
        .unwrap()
        .unwrap();
    assert_eq!(role.description.as_deref(), Some("Reads the books"));
    // ldapmodrdn without -r keeps the old name as a cn value, as slapd does.
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
            &dn,
            "cn=Controllers",
        ],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let e = entry(&l, &role_dn("Controllers"), &["cn"]).await;
    assert_eq!(
        sorted(values(&e, "cn")),
        sorted(vec![
            "Controllers".into(),
            "Auditors".into(),
            "Audit team".into()
        ])
    );
    // With -r the old name goes.
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
            &role_dn("Controllers"),
            "cn=Checkers",
        ],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let e = entry(&l, &role_dn("Checkers"), &["cn"]).await;
    assert_eq!(
        sorted(values(&e, "cn")),
        sorted(vec![
            "Checkers".into(),
            "Auditors".into(),
            "Audit team".into()
        ])
    );
    // The admin API renames it in place of its name among the cn values,
    // and its one description replaces every one written.
    let api = Api::new(l.server.http_addr);
    let sys = Auth::basic(&l.admin_dn, &l.admin_pw);
    let body = json!({"name": "Verifiers", "description": "Only one"});
    let a = api.patch(&format!("/roles/{}", role.id), &sys, body).await;
    assert_eq!(a.status, 200, "{a:?}");
    let e = entry(&l, &role_dn("Verifiers"), &["cn", "description"]).await;
    assert_eq!(
        sorted(values(&e, "cn")),
        sorted(vec![
            "Verifiers".into(),
            "Auditors".into(),
            "Audit team".into()
        ])
    );
    assert_eq!(values(&e, "description"), ["Only one"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_made_without_classes_keep_their_shape() {
    let l = start("").await;
    // Staff was made by the core, as SCIM and the admin API make roles.
    let e = entry(&l, &role_dn("Staff"), &["*"]).await;
    assert_eq!(
        values(&e, "objectClass"),
        [
            "top",
            "groupOfNames",
            "groupOfUniqueNames",
            "posixGroup",
            "dirgateRole"
        ]
    );
    let both = sorted(vec![a("alice"), a("bob")]);
    assert_eq!(sorted(values(&e, "member")), both);
    assert_eq!(sorted(values(&e, "uniqueMember")), both);
    assert_eq!(values(&e, "memberUid").len(), 2);
    assert_eq!(values(&e, "gidNumber").len(), 1);
    // A write to it keeps it without classes of its own.
    let (rc, out) = modify(
        &l,
        &role_dn("Staff"),
        "add: businessCategory\nbusinessCategory: ops\n-\n",
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let e = entry(&l, &role_dn("Staff"), &["objectClass", "businessCategory"]).await;
    assert_eq!(values(&e, "objectClass").len(), 5, "{e}");
    assert_eq!(values(&e, "businessCategory"), ["ops"]);
    // An add naming dirgateGroup (how an export writes such roles) makes one.
    let ldif = format!(
        "dn: {}\nobjectClass: top\nobjectClass: posixGroup\nobjectClass: dirgateGroup\ncn: Restored\ngidNumber: 5300\nmember: {}\nuniqueMember: {}\nmemberUid: alice@example.com\n",
        role_dn("Restored"),
        a("alice"),
        a("alice")
    );
    add(&l, &ldif).await;
    let e = entry(&l, &role_dn("Restored"), &["*"]).await;
    assert_eq!(
        values(&e, "objectClass"),
        [
            "top",
            "groupOfNames",
            "groupOfUniqueNames",
            "posixGroup",
            "dirgateRole"
        ]
    );
    assert_eq!(values(&e, "member"), [a("alice")]);
    assert_eq!(values(&e, "gidNumber"), ["5300"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subschema_lists_the_default_shape_marker() {
    let l = start("").await;
    let (rc, out) = run(
        "ldapsearch",
        &[
            "-x",
            "-LLL",
            "-o",
            "ldif-wrap=no",
            "-H",
            &l.url,
            "-b",
            "cn=Subschema",
            "-s",
            "base",
            "objectClasses",
        ],
    )
    .await;
    assert_eq!(rc, 0, "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("NAME 'dirgateGroup'"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("AUXILIARY"), "{line}");
    assert!(line.contains("uniqueMember"), "{line}");
}
