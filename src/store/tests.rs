//! Store tests on real redb files: indexes follow their records (the any-email
//! index included), a failed write keeps nothing, data survives a reopen, the
//! schema version migrates and a newer one is refused, and a second open of the
//! same file is refused.

use super::*;
use crate::directory::model::*;
use uuid::Uuid;

pub(super) fn open() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("s.redb"), 100).unwrap();
    (tmp, store)
}

pub(super) fn user(login: &str, email: &str, org: Option<Uuid>, n: u32) -> User {
    User {
        id: Uuid::new_v4(),
        login: login.into(),
        email: Some(email.into()),
        given_name: None,
        family_name: None,
        display_name: None,
        org,
        unit: None,
        state: Lifecycle::Active,
        flags: AccountFlags::default(),
        external_id: Some("ext-1".into()),
        password: None,
        recovery: None,
        lockout: Lockout::default(),
        created: 0,
        modified: 0,
        last_login: None,
        uid_number: n,
        gid_number: n,
        version: 0,
        profile: Default::default(),
        attrs: Default::default(),
        password_changed: None,
        password_history: Vec::new(),
        grace_used: 0,
        expires: None,
        resets_asked: Vec::new(),
        second_factor: None,
    }
}

pub(super) fn sample_role() -> Role {
    Role {
        id: Uuid::new_v4(),
        name: "R".into(),
        org: None,
        unit: None,
        rights: vec![],
        description: None,
        external_id: None,
        gid_number: 2,
        created: 0,
        modified: 0,
        version: 0,
        attrs: Default::default(),
    }
}

pub(super) fn org(name: &str) -> Organization {
    Organization {
        attrs: Default::default(),
        id: Uuid::new_v4(),
        name: name.into(),
        seats: 10,
        description: None,
        admin: None,
        created: 0,
        modified: 0,
        version: 0,
        password_policy: Default::default(),
    }
}

#[test]
fn indexes_follow_the_record() {
    let (_tmp, store) = open();
    let a = org("A");
    let mut u = user("Ann@x.org", "ann@x.org", Some(a.id), 100);
    store
        .write(|tx| {
            tx.put_org(&a)?;
            tx.put_user(&u)
        })
        .unwrap();
    store
        .read(|tx| {
            assert_eq!(tx.user_by_login("ann@X.ORG")?.map(|x| x.id), Some(u.id));
            assert_eq!(tx.users_by_email("ANN@x.org")?, vec![u.id]);
            assert_eq!(tx.users_by_external_id("ext-1")?, vec![u.id]);
            assert_eq!(tx.user_by_uid_number(100)?, Some(u.id));
            assert_eq!(tx.users_by_gid_number(100)?, vec![u.id]);
            assert_eq!(tx.users_in(Some(a.id))?, vec![u.id]);
            assert_eq!(tx.seats_used(a.id)?, 1);
            Ok::<_, StoreError>(())
        })
        .unwrap();
    // Rename, re-mail, renumber, leave the organization, disable.
    u.login = "anna@x.org".into();
    u.email = Some("anna@x.org".into());
    u.uid_number = 101;
    u.gid_number = 500;
    u.org = None;
    u.state = Lifecycle::Disabled;
    store.write(|tx| tx.put_user(&u)).unwrap();
    store
        .read(|tx| {
            assert!(tx.user_by_login("ann@x.org")?.is_none());
            assert_eq!(tx.user_by_login("anna@x.org")?.map(|x| x.id), Some(u.id));
            assert!(tx.users_by_email("ann@x.org")?.is_empty());
            assert_eq!(tx.user_by_uid_number(100)?, None);
            assert_eq!(tx.user_by_uid_number(101)?, Some(u.id));
            assert!(tx.users_by_gid_number(100)?.is_empty());
            assert_eq!(tx.users_by_gid_number(500)?, vec![u.id]);
            assert!(tx.users_in(Some(a.id))?.is_empty());
            assert_eq!(tx.users_in(None)?, vec![u.id]);
            assert_eq!(tx.seats_used(a.id)?, 0);
            Ok::<_, StoreError>(())
        })
        .unwrap();
    store.write(|tx| tx.delete_user(u.id)).unwrap();
    store
        .read(|tx| {
            assert!(tx.user(u.id)?.is_none());
            assert!(tx.user_by_login("anna@x.org")?.is_none());
            assert!(tx.users_by_external_id("ext-1")?.is_empty());
            assert!(tx.users_in(None)?.is_empty());
            assert_eq!(tx.user_by_uid_number(101)?, None);
            assert!(tx.users_by_gid_number(500)?.is_empty());
            Ok::<_, StoreError>(())
        })
        .unwrap();
}

#[test]
fn unique_indexes_refuse_a_second_holder() {
    let (_tmp, store) = open();
    let first = user("same@x.org", "a@x.org", None, 1);
    let second = user("SAME@x.org", "b@x.org", None, 2);
    store.write(|tx| tx.put_user(&first)).unwrap();
    let err = store.write(|tx| tx.put_user(&second)).unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { index: "login", .. }),
        "{err}"
    );
    let clash = user("other@x.org", "c@x.org", None, 1);
    let err = store.write(|tx| tx.put_user(&clash)).unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
}

#[test]
fn a_failed_write_keeps_nothing() {
    let (_tmp, store) = open();
    let u = user("gone@x.org", "g@x.org", None, 7);
    let out: Result<(), StoreError> = store.write(|tx| {
        tx.put_user(&u)?;
        tx.next_id_number()?;
        Err(StoreError::ReadOnly)
    });
    assert!(out.is_err());
    store
        .read(|tx| {
            assert!(tx.user(u.id)?.is_none());
            assert!(tx.user_by_login("gone@x.org")?.is_none());
            assert_eq!(tx.user_by_uid_number(7)?, None);
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(store.write(|tx| tx.next_id_number()).unwrap(), 100);
}

#[test]
fn memberships_are_kept_both_ways_and_dropped_with_the_member() {
    let (_tmp, store) = open();
    let u = user("m@x.org", "m@x.org", None, 1);
    let role = sample_role();
    store
        .write(|tx| {
            tx.put_user(&u)?;
            tx.put_role(&role)?;
            tx.add_member(role.id, u.id)
        })
        .unwrap();
    let (members, of) = store
        .read(|tx| Ok::<_, StoreError>((tx.role_members(role.id)?, tx.member_of(u.id)?)))
        .unwrap();
    assert_eq!(members, vec![Member::User(u.id)]);
    assert_eq!(of, vec![role.id]);
    store.write(|tx| tx.delete_user(u.id)).unwrap();
    assert!(
        store
            .read(|tx| tx.role_members(role.id))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn data_survives_a_reopen_and_the_file_is_locked_while_open() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.redb");
    let u = user("keep@x.org", "k@x.org", None, 1);
    {
        let store = Store::open(&path, 1).unwrap();
        store.write(|tx| tx.put_user(&u)).unwrap();
        let second = Store::open(&path, 1);
        assert!(matches!(second, Err(StoreError::Locked(_))));
    }
    let store = Store::open(&path, 1).unwrap();
    assert_eq!(store.read(|tx| tx.user(u.id)).unwrap(), Some(u));
}

#[test]
fn the_schema_version_migrates_and_a_newer_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.redb");
    {
        let store = Store::open(&path, 1).unwrap();
        assert_eq!(
            store.write(|tx| migrate::version(tx)).unwrap(),
            SCHEMA_VERSION
        );
        // Pretend the file predates versioning: the migration runs again, idempotently.
        store.write(|tx| migrate::set_version(tx, 0)).unwrap();
    }
    {
        let store = Store::open(&path, 1).unwrap();
        assert_eq!(
            store.write(|tx| migrate::version(tx)).unwrap(),
            SCHEMA_VERSION
        );
        store
            .write(|tx| migrate::set_version(tx, SCHEMA_VERSION + 1))
            .unwrap();
    }
    let err = Store::open(&path, 1).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
}

#[test]
fn the_change_log_is_append_only_and_ordered() {
    let (_tmp, store) = open();
    let event = |action: &str| crate::directory::audit::Event {
        seq: 0,
        time: 1,
        actor: "t".into(),
        actor_id: None,
        action: action.into(),
        target: "x".into(),
        target_id: None,
        org: None,
        protocol: crate::directory::audit::Protocol::Internal,
        source: None,
        outcome: crate::directory::audit::Outcome::Success,
        detail: None,
    };
    let seqs: Vec<u64> = ["a", "b", "c"]
        .iter()
        .map(|a| store.write(|tx| tx.log(event(a))).unwrap())
        .collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    let after_one = store.read(|tx| tx.changes(1, 10)).unwrap();
    assert_eq!(
        after_one.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let newest = store
        .read(|tx| tx.changes_newest_first(2, |_| true))
        .unwrap();
    assert_eq!(
        newest.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["c", "b"]
    );
}

#[test]
fn version_2_builds_the_common_name_index_for_older_stores() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.redb");
    let mut u = user("cn@x.org", "cn@x.org", None, 5);
    u.display_name = Some("Ann  Lee".into());
    {
        let store = Store::open(&path, 1).unwrap();
        store.write(|tx| tx.put_user(&u)).unwrap();
        // Make it look like a version-1 store: no common-name index yet.
        store
            .write(|tx| {
                let w = tx.unrecorded()?;
                w.delete_multimap_table(tables::USER_BY_CN)?;
                w.delete_multimap_table(tables::ROLE_BY_CN)?;
                migrate::set_version(tx, 1)
            })
            .unwrap();
    }
    let store = Store::open(&path, 1).unwrap();
    assert_eq!(
        store.write(|tx| migrate::version(tx)).unwrap(),
        SCHEMA_VERSION
    );
    let found = store.read(|tx| tx.users_by_cn_key("annlee")).unwrap();
    assert_eq!(found, vec![u.id]);
    // And it follows changes from then on.
    u.display_name = Some("Ann Other".into());
    store.write(|tx| tx.put_user(&u)).unwrap();
    assert!(
        store
            .read(|tx| tx.users_by_cn_key("annlee"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.read(|tx| tx.users_by_cn_key("annother")).unwrap(),
        vec![u.id]
    );
}

#[test]
fn pruning_drops_old_events_in_order_and_keeps_the_newest() {
    let (_tmp, store) = open();
    let event = |time: Millis| crate::directory::audit::Event {
        seq: 0,
        time,
        actor: "t".into(),
        actor_id: None,
        action: "bind".into(),
        target: "x".into(),
        target_id: None,
        org: None,
        protocol: crate::directory::audit::Protocol::Internal,
        source: None,
        outcome: crate::directory::audit::Outcome::Success,
        detail: None,
    };
    for t in [10, 20, 30, 40, 5] {
        store.write(|tx| tx.log(event(t))).unwrap();
    }
    // Oldest first, and it stops at the first event inside the window (40),
    // even though a later one (5) is older: the log is kept in order.
    assert_eq!(store.write(|tx| tx.prune_changes(35, 100)).unwrap(), 3);
    let left: Vec<u64> = store
        .read(|tx| tx.changes(0, 10))
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(left, vec![4, 5]);
    // Everything is old now, but the newest event stays so numbering goes on.
    assert_eq!(store.write(|tx| tx.prune_changes(1000, 100)).unwrap(), 1);
    assert_eq!(store.read(|tx| tx.last_seq()).unwrap(), 5);
    assert_eq!(store.write(|tx| tx.log(event(50))).unwrap(), 6);
    // The batch bound holds.
    for t in 60..70 {
        store.write(|tx| tx.log(event(t))).unwrap();
    }
    assert_eq!(store.write(|tx| tx.prune_changes(1000, 4)).unwrap(), 4);
}

fn contact(value: &str) -> crate::directory::profile::Contact {
    crate::directory::profile::Contact {
        value: value.into(),
        ..Default::default()
    }
}

#[test]
fn every_address_is_indexed_and_follows_the_record() {
    let (_tmp, store) = open();
    let mut u = user("ann@x.org", "Ann@x.org", None, 7);
    u.profile.emails = vec![contact("ann@x.org"), contact("Ann.Home@y.org")];
    let mut v = user("bea@x.org", "ann.home@y.org", None, 8);
    v.external_id = None;
    store
        .write(|tx| {
            tx.put_user(&u)?;
            tx.put_user(&v)
        })
        .unwrap();
    let any = |e: &str| {
        let mut found = store.read(|tx| tx.users_by_any_email(e)).unwrap();
        found.sort();
        found
    };
    let mut both = vec![u.id, v.id];
    both.sort();
    assert_eq!(any("ANN.HOME@y.org"), both);
    assert_eq!(any("ann@x.org"), vec![u.id]);
    // The primary-address index keeps its meaning (binds, LDAP `mail`).
    let primary = store
        .read(|tx| tx.users_by_email("ann.home@y.org"))
        .unwrap();
    assert_eq!(primary, vec![v.id]);
    // Dropping an address drops its key; the others stay.
    u.profile.emails = vec![contact("ann@x.org")];
    store.write(|tx| tx.put_user(&u)).unwrap();
    assert_eq!(any("ann.home@y.org"), vec![v.id]);
    assert_eq!(any("ann@x.org"), vec![u.id]);
    store.write(|tx| tx.delete_user(v.id)).unwrap();
    assert!(any("ann.home@y.org").is_empty());
}

#[test]
fn version_3_indexes_every_email_of_older_stores() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.redb");
    let mut u = user("em@x.org", "em@x.org", None, 5);
    u.profile.emails = vec![contact("em@x.org"), contact("em@home.org")];
    {
        let store = Store::open(&path, 1).unwrap();
        store.write(|tx| tx.put_user(&u)).unwrap();
        // Make it look like a version-2 store: no any-email index yet.
        store
            .write(|tx| {
                tx.unrecorded()?
                    .delete_multimap_table(tables::USER_BY_ANY_EMAIL)?;
                migrate::set_version(tx, 2)
            })
            .unwrap();
    }
    let store = Store::open(&path, 1).unwrap();
    assert_eq!(
        store.write(|tx| migrate::version(tx)).unwrap(),
        SCHEMA_VERSION
    );
    for e in ["em@x.org", "EM@home.org"] {
        assert_eq!(
            store.read(|tx| tx.users_by_any_email(e)).unwrap(),
            vec![u.id]
        );
    }
}

#[test]
fn allocation_skips_numbers_clients_gave() {
    let (_tmp, store) = open();
    // The counter starts at 100 in these tests: a user given 100 and a
    // group given 101 push the next allocation to 102.
    let u = user("given@x.org", "g@x.org", None, 100);
    store.write(|tx| tx.put_user(&u)).unwrap();
    let role = Role {
        gid_number: 101,
        ..sample_role()
    };
    store.write(|tx| tx.put_role(&role)).unwrap();
    assert_eq!(store.write(|tx| tx.next_id_number()).unwrap(), 102);
    assert_eq!(store.write(|tx| tx.next_id_number()).unwrap(), 103);
}

#[test]
fn a_user_and_a_group_may_share_a_number() {
    let (_tmp, store) = open();
    // A user private group: uidNumber 5000 and a group with gidNumber 5000.
    let u = user("upg@x.org", "u@x.org", None, 5000);
    let role = Role {
        gid_number: 5000,
        ..sample_role()
    };
    store.write(|tx| tx.put_user(&u)).unwrap();
    store.write(|tx| tx.put_role(&role)).unwrap();
    let other = Role {
        id: Uuid::new_v4(),
        name: "other".into(),
        ..role.clone()
    };
    let err = store.write(|tx| tx.put_role(&other)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Duplicate {
                index: "gidNumber",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn version_4_splits_the_id_number_index_of_older_stores() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.redb");
    let u = user("num@x.org", "num@x.org", None, 5);
    let role = Role {
        gid_number: 6,
        ..sample_role()
    };
    {
        let store = Store::open(&path, 1).unwrap();
        store.write(|tx| tx.put_user(&u)).unwrap();
        store.write(|tx| tx.put_role(&role)).unwrap();
        // Make it look like a version-3 store: one shared number index.
        store
            .write(|tx| {
                let w = tx.unrecorded()?;
                w.delete_table(tables::UID_NUMBERS)?;
                w.delete_table(tables::GROUP_GIDS)?;
                w.delete_multimap_table(tables::USER_GIDS)?;
                let mut old = w.open_table(tables::BY_ID_NUMBER)?;
                old.insert(5, u.id.as_u128())?;
                old.insert(6, role.id.as_u128())?;
                drop(old);
                migrate::set_version(tx, 3)
            })
            .unwrap();
    }
    let store = Store::open(&path, 1).unwrap();
    assert_eq!(
        store.write(|tx| migrate::version(tx)).unwrap(),
        SCHEMA_VERSION
    );
    store
        .read(|tx| {
            assert_eq!(tx.user_by_uid_number(5)?, Some(u.id));
            assert_eq!(tx.users_by_gid_number(5)?, vec![u.id]);
            assert_eq!(tx.role_by_gid_number(6)?, Some(role.id));
            Ok::<_, StoreError>(())
        })
        .unwrap();
    // The shared table of earlier versions is gone.
    store
        .write(|tx| {
            let w = tx.unrecorded()?;
            assert!(
                !w.list_tables()?
                    .any(|t| redb::TableHandle::name(&t) == "idx_id_number")
            );
            Ok::<_, StoreError>(())
        })
        .unwrap();
}

/// A role as dirgate wrote it before roles kept what LDAP clients wrote:
/// the same fields without `attrs`.
#[derive(serde::Serialize)]
struct RoleBeforeAttrs {
    id: Uuid,
    name: String,
    org: Option<Uuid>,
    rights: Vec<Right>,
    description: Option<String>,
    external_id: Option<String>,
    gid_number: u32,
    created: Millis,
    modified: Millis,
    version: u64,
}

#[test]
fn roles_written_before_they_kept_attributes_load_without_any() {
    let (_tmp, store) = open();
    let old = RoleBeforeAttrs {
        id: Uuid::new_v4(),
        name: "Old".into(),
        org: None,
        rights: vec![Right::UserManagement],
        description: Some("from an older store".into()),
        external_id: None,
        gid_number: 9,
        created: 1,
        modified: 2,
        version: 3,
    };
    let bytes = codec::encode("role", &old).unwrap();
    store
        .write(|tx| {
            let w = tx.unrecorded()?;
            w.open_table(tables::ROLES)?
                .insert(old.id.as_u128(), bytes.as_slice())?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let role = store.read(|tx| tx.role(old.id)).unwrap().unwrap();
    assert!(role.attrs.is_empty());
    assert_eq!(role.common_names(), ["Old"]);
    assert_eq!(role.descriptions(), ["from an older store"]);
    assert_eq!(role.rights, [Right::UserManagement]);
}
