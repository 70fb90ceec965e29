//! Shared-write tests on a real redb file: a batch commits every write that
//! succeeds, a write that fails keeps nothing of itself and does not undo the
//! others, a write that fails in a batch is answered with its own error, a
//! panicking batch answers "abandoned" rather than a success it never
//! committed, and concurrent callers all get their own outcome.

use super::super::tests::{open, user};
use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use uuid::Uuid;

fn outcome<T, E>(slot: &Slot<T, E>) -> Result<T, E> {
    lock(slot).take().expect("the job answered")
}

fn login_exists(store: &Store, login: &str) -> bool {
    store.read(|tx| tx.user_by_login(login)).unwrap().is_some()
}

/// A write that stores a user with `login`, counting its runs.
fn create(
    login: &'static str,
    n: u32,
    runs: Arc<AtomicUsize>,
) -> impl FnMut(&mut Tx) -> StoreResult<Uuid> + Send + 'static {
    move |tx: &mut Tx| {
        runs.fetch_add(1, Ordering::SeqCst);
        let u = user(login, &format!("{login}@x.org"), None, n);
        tx.put_user(&u)?;
        Ok(u.id)
    }
}

#[test]
fn a_failed_write_keeps_nothing_and_the_others_commit() {
    let (_tmp, store) = open();
    let runs = Arc::new(AtomicUsize::new(0));
    let (a, a_out) = job(create("a", 1, runs.clone()));
    // Writes its user, then fails: the write must vanish with its error.
    let (bad, bad_out) = job(|tx: &mut Tx| -> StoreResult<()> {
        tx.put_user(&user("bad", "bad@x.org", None, 2))?;
        Err(StoreError::ReadOnly)
    });
    let (c, c_out) = job(create("c", 3, runs.clone()));
    store.run_batch(vec![a, bad, c]);
    assert!(outcome(&a_out).is_ok());
    assert!(matches!(outcome(&bad_out), Err(StoreError::ReadOnly)));
    assert!(outcome(&c_out).is_ok());
    assert!(login_exists(&store, "a") && login_exists(&store, "c"));
    assert!(!login_exists(&store, "bad"));
    // "a" ran before the failure and again in the retried batch; "c" once.
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[test]
fn a_conflict_inside_one_batch_is_the_later_writes_error() {
    let (_tmp, store) = open();
    let runs = Arc::new(AtomicUsize::new(0));
    let (first, first_out) = job(create("same", 1, runs.clone()));
    let (second, second_out) = job(create("SAME", 2, runs.clone()));
    store.run_batch(vec![first, second]);
    let id = outcome(&first_out).expect("the first write commits");
    assert!(matches!(
        outcome(&second_out),
        Err(StoreError::Duplicate { .. })
    ));
    let stored = store.read(|tx| tx.user_by_login("same")).unwrap().unwrap();
    assert_eq!(stored.id, id);
}

#[test]
fn a_panicking_batch_answers_abandoned_not_success() {
    let (_tmp, store) = open();
    let runs = Arc::new(AtomicUsize::new(0));
    let (a, a_out) = job(create("a", 1, runs));
    let (boom, _) = job(|_: &mut Tx| -> StoreResult<()> { panic!("a bug in a use case") });
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.run_batch(vec![a, boom]);
    }));
    assert!(caught.is_err());
    assert!(matches!(outcome(&a_out), Err(StoreError::Abandoned)));
    assert!(!login_exists(&store, "a"));
}

#[test]
fn concurrent_callers_each_get_their_own_outcome() {
    let (_tmp, store) = open();
    let threads: Vec<_> = (0..8u32)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..25u32)
                    .map(|i| {
                        let login = format!("u{t}-{i}");
                        // Every fifth write fails after writing.
                        let fails = i % 5 == 0;
                        let l = login.clone();
                        let out = store.write_shared(move |tx| {
                            let u = user(&l, &format!("{l}@x.org"), None, t * 100 + i);
                            tx.put_user(&u)?;
                            if fails {
                                return Err(StoreError::ReadOnly);
                            }
                            Ok(u.id)
                        });
                        (login, fails, out)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        for (login, fails, out) in t.join().unwrap() {
            assert_eq!(out.is_err(), fails, "{login}");
            let stored = store.read(|tx| tx.user_by_login(&login)).unwrap();
            assert_eq!(stored.map(|u| u.id), out.ok(), "{login}");
        }
    }
}
