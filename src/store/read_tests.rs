//! Tests of what a store reads without decoding whole records (a user's
//! placement, an organization's name and seats, whether an id is taken) and
//! of the page cache's size, which follows the store file.

use super::tests::{open, org, sample_role, user};
use super::*;
use uuid::Uuid;

/// The cache follows the file: a quarter of it, between 8 MiB and 1 GiB;
/// bulk writes get at least 64 MiB.
#[test]
fn cache_is_sized_to_the_file() {
    const MIB: u64 = 1 << 20;
    assert_eq!(auto_cache_bytes(0), 8 << 20);
    assert_eq!(auto_cache_bytes(17 * MIB), 8 << 20);
    assert_eq!(auto_cache_bytes(216 * MIB), 54 << 20);
    assert_eq!(auto_cache_bytes(2200 * MIB), 550 << 20);
    assert_eq!(auto_cache_bytes(40_000 * MIB), 1 << 30);
    assert_eq!(bulk_cache_bytes(0), 64 << 20);
    assert_eq!(bulk_cache_bytes(2200 * MIB), 550 << 20);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.redb");
    assert_eq!(cache_for(&path), 8 << 20);
    std::fs::write(&path, vec![0u8; 64 << 20]).unwrap();
    assert_eq!(cache_for(&path), 16 << 20);
}

/// The partial reads answer what the whole records say, in read and in
/// write transactions: a user's placement, an organization's seats and
/// name, and whether an id is any record's.
#[test]
fn partial_reads_match_the_records() {
    let (_tmp, store) = open();
    let a = org("A");
    let mut u = user("ann", "ann@x.org", Some(a.id), 100);
    let loose = user("bob", "bob@x.org", None, 101);
    u.unit = Some(Uuid::new_v4());
    let role = sample_role();
    store
        .write(|tx| {
            tx.put_org(&a)?;
            tx.put_user(&u)?;
            tx.put_user(&loose)?;
            tx.put_role(&role)?;
            assert_eq!(tx.user_place(u.id)?, Some((Some(a.id), u.unit)));
            Ok::<_, StoreError>(())
        })
        .unwrap();
    store
        .read(|tx| {
            assert_eq!(tx.user_place(u.id)?, Some((Some(a.id), u.unit)));
            assert_eq!(tx.user_place(loose.id)?, Some((None, None)));
            assert_eq!(tx.user_place(a.id)?, None);
            assert_eq!(tx.org_seats(a.id)?, Some(10));
            assert_eq!(tx.org_seats(u.id)?, None);
            assert_eq!(tx.org_name(a.id)?.as_deref(), Some("A"));
            for id in [a.id, u.id, loose.id, role.id] {
                assert!(tx.id_taken(id)?, "{id}");
            }
            assert!(!tx.id_taken(Uuid::new_v4())?);
            Ok::<_, StoreError>(())
        })
        .unwrap();
}
