//! The LDIF export over the admin API (`GET /admin/v1/export`), on the
//! standard test directory served in-process: entries come parents first,
//! with what clients wrote and what dirgate keeps and nothing it computes;
//! dirgate's own attributes only where they say something; roles made
//! without classes in the form slapd takes; password hashes and service
//! accounts for the system administrator only; a delegate exports what it
//! may read (its organization) and nothing else; and an export loads into
//! an empty dirgate, which exports the same again, ids and times included.

mod common;

use common::admin::{expect, setup};
use common::http::Auth;
use common::server::BASE;
use dirgate::directory::Directory;
use dirgate::directory::model::Member;
use dirgate::ldap::dn::Dn;
use dirgate::ldap::ldif::{Record, parse};
use dirgate::ldap::tree::Tree;
use serde_json::json;

async fn export(t: &common::admin::T, query: &str, auth: &common::http::Auth) -> Vec<Record> {
    let a = t.api.get(&format!("/export{query}"), auth).await;
    expect(&a, 200);
    let text = a.body.as_str().unwrap_or_else(|| panic!("{a:?}"));
    parse(text).unwrap()
}

fn entry<'a>(records: &'a [Record], dn: &str) -> &'a Record {
    records
        .iter()
        .find(|r| r.dn.eq_ignore_ascii_case(dn))
        .unwrap_or_else(|| panic!("{dn} not exported"))
}

fn values(r: &Record, name: &str) -> Vec<String> {
    r.values(name).map(str::to_owned).collect()
}

fn a(rest: &str) -> String {
    format!("{rest},ou=Acme-A,{BASE}")
}

/// Every entry's parent comes before it.
fn parents_first(records: &[Record]) {
    for (i, r) in records.iter().enumerate().skip(1) {
        let dn = Dn::parse(&r.dn).unwrap();
        let parent = dn.parent().unwrap();
        assert!(
            records[..i]
                .iter()
                .any(|p| Dn::parse(&p.dn).unwrap() == parent),
            "{} comes before its parent",
            r.dn
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_administrator_exports_everything_parents_first() {
    let t = setup().await;
    let all = export(&t, "", &t.sys).await;
    assert_eq!(all[0].dn, BASE);
    parents_first(&all);
    let alice = entry(&all, &a("uid=alice@example.com"));
    let bob = entry(&all, &a("uid=bob@example.com"));
    // What dirgate computes is left out; what it keeps is there.
    for r in [alice, bob] {
        for computed in [
            "memberOf",
            "dirgateOrganizationAdmin",
            "entryDN",
            "structuralObjectClass",
            "hasSubordinates",
            "subschemaSubentry",
        ] {
            assert!(r.first(computed).is_none(), "{computed} in {r:?}");
        }
        for kept in ["entryUUID", "createTimestamp", "modifyTimestamp"] {
            assert!(r.first(kept).is_some(), "{kept} missing in {r:?}");
        }
        let hash = r.first("userPassword").unwrap();
        assert!(hash.starts_with("{ARGON2}$argon2id$"), "{hash}");
    }
    // dirgate's attributes only where they say something: alice is an
    // active member, bob a delegate.
    assert!(!values(alice, "objectClass").contains(&"dirgateAccount".to_owned()));
    assert!(alice.first("dirgateLifecycleState").is_none(), "{alice:?}");
    assert!(alice.first("dirgateDelegate").is_none(), "{alice:?}");
    assert!(alice.first("loginShell").is_none(), "derived: {alice:?}");
    assert_eq!(bob.first("dirgateDelegate"), Some("TRUE"));
    assert!(values(bob, "objectClass").contains(&"dirgateAccount".to_owned()));
    // A role made without classes: posixGroup with dirgate's marker class.
    let staff = entry(&all, &a("cn=Staff,ou=roles"));
    assert_eq!(
        values(staff, "objectClass"),
        ["top", "posixGroup", "dirgateGroup", "dirgateRole"]
    );
    assert_eq!(values(staff, "member").len(), 2);
    assert_eq!(values(staff, "uniqueMember").len(), 2);
    assert_eq!(values(staff, "memberUid").len(), 2);
    assert_eq!(staff.first("dirgateRight"), Some("account-unlock"));
    let org = entry(&all, &format!("ou=Acme-A,{BASE}"));
    assert_eq!(org.first("dirgateSeats"), Some("10"));
    // The service account, with the hash it cannot be loaded without.
    let reader = entry(&all, &format!("cn=reader,ou=services,{BASE}"));
    assert!(reader.first("userPassword").is_some());
    assert_eq!(
        reader.first("dirgateReadScope"),
        Some(format!("ou=Acme-A,{BASE}").as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_exports_its_organization_without_secrets() {
    let t = setup().await;
    let own = export(&t, "?organization=Acme-A", &t.bob).await;
    assert_eq!(own[0].dn, format!("ou=Acme-A,{BASE}"));
    parents_first(&own);
    let dns: Vec<String> = own.iter().map(|r| r.dn.clone()).collect();
    for want in [
        a("ou=roles"),
        a("uid=alice@example.com"),
        a("uid=bob@example.com"),
        a("cn=Staff,ou=roles"),
        a("cn=Everyone,ou=roles"),
    ] {
        assert!(dns.contains(&want), "{want} in {dns:?}");
    }
    assert!(own.iter().all(|r| r.first("userPassword").is_none()));
    // Another organization answers as one that does not exist.
    for query in ["?organization=Acme-B", "?organization=Nowhere"] {
        let a = t.api.get(&format!("/export{query}"), &t.bob).await;
        expect(&a, 404);
    }
    // The whole directory, as bob may read it: the skeleton and Acme-A.
    let whole = export(&t, "", &t.bob).await;
    let dns: Vec<&str> = whole.iter().map(|r| r.dn.as_str()).collect();
    assert!(dns.contains(&BASE));
    assert!(
        !dns.iter()
            .any(|d| d.contains("carol") || d.contains("dave")),
        "{dns:?}"
    );
    assert!(
        !dns.iter()
            .any(|d| d.contains("ou=services") && d.starts_with("cn="))
    );
    assert!(whole.iter().all(|r| r.first("userPassword").is_none()));
    let bad = t.api.get("/export?org=Acme-A", &t.bob).await;
    expect(&bad, 400);
    // The Organization Administrator too: its organization, no hashes.
    let appoint = json!({"user": "alice@example.com"});
    let a = t.api.put("/admins/Acme-A/org-admin", &t.sys, appoint).await;
    expect(&a, 200);
    let alice = Auth::basic("alice@example.com", "pw");
    let own = export(&t, "?organization=Acme-A", &alice).await;
    assert!(own.len() >= 5 && own.iter().all(|r| r.first("userPassword").is_none()));
    // Each export is in the audit trail, saying whether it held hashes.
    t.ldap.dir.flush_journal();
    let trail = t.api.get("/audit?action=directory.export", &t.sys).await;
    let details: Vec<String> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["actor"], e["detail"]))
        .collect();
    assert_eq!(details.len(), 3, "{details:?}");
    assert!(
        details
            .iter()
            .all(|d| d.contains("without password hashes")),
        "{details:?}"
    );
}

/// A store holding only the system administrator and the suffix.
fn empty_directory(tmp: &tempfile::TempDir) -> Directory {
    let store = dirgate::store::Store::open(&tmp.path().join("copy.redb"), 10_000).unwrap();
    let dir = Directory::new(store, common::cheap_settings()).unwrap();
    dir.bootstrap().unwrap().unwrap();
    dir.add_suffix(&common::system(&dir), "example.com")
        .unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_loads_into_an_empty_dirgate_and_exports_the_same() {
    let t = setup().await;
    // Applications too: a server-wide one that Staff (so alice and bob,
    // and Everyone through nesting) carries, and Acme-A's own.
    let gitea =
        serde_json::json!({"name": "gitea", "url": "https://git.example.com", "requestable": true});
    expect(&t.api.post("/applications", &t.sys, gitea).await, 201);
    let wiki = serde_json::json!({"name": "wiki", "description": "Notes"});
    expect(&t.api.post("/applications", &t.bob, wiki).await, 201);
    let staff_id = t.api.get("/roles?organization=Acme-A", &t.sys).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Staff")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for app in ["gitea", "wiki"] {
        let carry = serde_json::json!({ "application": app });
        let path = format!("/roles/{staff_id}/applications");
        expect(&t.api.post(&path, &t.bob, carry).await, 200);
    }
    let first = t.api.get("/export", &t.sys).await;
    expect(&first, 200);
    let text = first.body.as_str().unwrap().to_owned();
    let tmp = tempfile::tempdir().unwrap();
    let copy = tokio::task::spawn_blocking(move || {
        let dir = empty_directory(&tmp);
        let base = Dn::parse(BASE).unwrap();
        dirgate::ldap::load::load(&dir, &base, &text).unwrap();
        let again =
            dirgate::ldap::export::export(&dir, &Tree::new(base), &common::system(&dir), None)
                .unwrap();
        // The copy's roles: Staff still without classes, nesting kept.
        let roles = dir
            .store()
            .read(|tx| {
                let org = tx.org_by_name("Acme-A")?.unwrap().id;
                let staff = tx.role_by_name(Some(org), "Staff")?.unwrap();
                let everyone = tx.role_by_name(Some(org), "Everyone")?.unwrap();
                Ok::<_, dirgate::store::StoreError>((staff, tx.role_members(everyone.id)?))
            })
            .unwrap();
        (again.ldif, roles, tmp)
    })
    .await
    .unwrap();
    let (again, (staff, nested), _tmp) = copy;
    assert!(staff.attrs.is_empty(), "{:?}", staff.attrs);
    assert_eq!(nested, vec![Member::Role(staff.id)]);
    let first_text = first.body.as_str().unwrap();
    for wanted in [
        "dn: cn=gitea,ou=applications,dc=example,dc=com\nobjectClass: top\nobjectClass: applicationProcess",
        "dn: cn=wiki,ou=applications,ou=Acme-A,dc=example,dc=com",
        "dirgateCarriedBy: cn=Staff,ou=roles,ou=Acme-A,dc=example,dc=com",
        "dirgateRequestable: TRUE",
    ] {
        assert!(first_text.contains(wanted), "{wanted}: {first_text}");
    }
    // Ids and times included: a load keeps them.
    assert_eq!(again, first.body.as_str().unwrap());
}
