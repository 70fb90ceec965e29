//! Last-login times in their own table: a touch writes one row (not the
//! record), keeps to its precision, is read back merged into the user, goes
//! with the user's deletion, and is never written for a user that does not
//! exist; a time a record kept from before the table stays visible.

use super::tests::{open, user};
use super::*;
use uuid::Uuid;

const MINUTE: i64 = 60_000;

#[test]
fn a_touch_writes_one_row_and_reads_back_merged() {
    let (_tmp, store) = open();
    let u = user("ll@x.org", "ll@x.org", None, 3);
    store.write(|tx| tx.put_user(&u)).unwrap();
    let record = |store: &Store| store.read(|tx| tx.stored_user(u.id)).unwrap().unwrap();
    let version = record(&store).version;
    let wrote = store
        .write(|tx| tx.touch_last_login(u.id, 10 * MINUTE, 15 * MINUTE))
        .unwrap();
    assert!(wrote);
    let seen = store.read(|tx| tx.user(u.id)).unwrap().unwrap();
    assert_eq!(seen.last_login, Some(10 * MINUTE));
    // The record itself is untouched: same version, no time in it.
    let kept = record(&store);
    assert_eq!((kept.version, kept.last_login), (version, None));
    // Within the precision nothing is written; past it the time moves.
    let again = store
        .write(|tx| tx.touch_last_login(u.id, 20 * MINUTE, 15 * MINUTE))
        .unwrap();
    assert!(!again);
    assert!(
        store
            .write(|tx| tx.touch_last_login(u.id, 26 * MINUTE, 15 * MINUTE))
            .unwrap()
    );
    let users = store.read(|tx| tx.users()).unwrap();
    assert_eq!(users[0].last_login, Some(26 * MINUTE));
    // Deleting the user deletes its row.
    store.write(|tx| tx.delete_user(u.id)).unwrap();
    let row = store.read(|tx| tx.last_login(u.id)).unwrap();
    assert_eq!(row, None);
}

#[test]
fn no_row_for_a_missing_user_and_an_older_record_time_stays() {
    let (_tmp, store) = open();
    let ghost = Uuid::new_v4();
    let wrote = store
        .write(|tx| tx.touch_last_login(ghost, MINUTE, 15 * MINUTE))
        .unwrap();
    assert!(!wrote);
    assert_eq!(store.read(|tx| tx.last_login(ghost)).unwrap(), None);
    // A record written before the table existed kept its own time.
    let mut u = user("old@x.org", "old@x.org", None, 4);
    u.last_login = Some(5 * MINUTE);
    store.write(|tx| tx.put_user(&u)).unwrap();
    let seen = store.read(|tx| tx.user(u.id)).unwrap().unwrap();
    assert_eq!(seen.last_login, Some(5 * MINUTE));
    store
        .write(|tx| tx.touch_last_login(u.id, 40 * MINUTE, 15 * MINUTE))
        .unwrap();
    let seen = store.read(|tx| tx.user(u.id)).unwrap().unwrap();
    assert_eq!(seen.last_login, Some(40 * MINUTE));
}
