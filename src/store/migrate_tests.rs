//! Migrations tested on stores as the code before them wrote them: the
//! record layout stays, only the meaning of a value changes.

use super::tests::user;
use super::*;
use crate::directory::kept::Kept;

fn labeled(values: &[&str]) -> Kept {
    [(
        "labeledURI".to_owned(),
        values.iter().map(|v| (*v).to_owned()).collect(),
    )]
    .into_iter()
    .collect()
}

/// Version 6: the first `labeledURI` an LDAP client wrote becomes SCIM's
/// profile URL, label kept apart and further values kept as written; a
/// profile URL SCIM had set stays first.
#[test]
fn version_6_shares_labeled_uris_with_scim() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.redb");
    let mut ldap = user("l@x.org", "l@x.org", None, 5);
    ldap.attrs = labeled(&["https://l.example/ Home", "https://blog.example/"]);
    let mut scim = user("s@x.org", "s@x.org", None, 6);
    scim.profile.profile_url = Some("https://s.example/".into());
    scim.attrs = labeled(&["https://other.example/"]);
    let plain = user("p@x.org", "p@x.org", None, 7);
    {
        let store = Store::open(&path, 1).unwrap();
        store
            .write(|tx| {
                for u in [&ldap, &scim, &plain] {
                    tx.put_user(u)?;
                }
                migrate::set_version(tx, 5)
            })
            .unwrap();
    }
    let store = Store::open(&path, 1).unwrap();
    assert_eq!(
        store.write(|tx| migrate::version(tx)).unwrap(),
        SCHEMA_VERSION
    );
    let read = |id| store.read(|tx| tx.user(id)).unwrap().unwrap();
    let l = read(ldap.id);
    assert_eq!(l.profile.profile_url.as_deref(), Some("https://l.example/"));
    assert_eq!(
        l.profile.labeled_uri().as_deref(),
        Some("https://l.example/ Home")
    );
    assert_eq!(l.attrs.get("labeledURI"), ["https://blog.example/"]);
    assert_eq!(read(scim.id), scim);
    assert_eq!(read(plain.id), plain);
}
