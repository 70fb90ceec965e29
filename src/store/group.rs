//! Group commit. Each write transaction commits without an fsync of its own
//! (redb's `Durability::None`); before its caller is answered, one durable
//! empty commit makes it, and every other write committed meanwhile, reach
//! the disk together. Concurrent writers (8 SCIM clients, the journal, LDAP
//! adds) thus share fsyncs instead of queueing one each, while each caller
//! still returns only once its change is durable.

use super::StoreResult;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// Counts non-durable commits and how far the disk has caught up.
#[derive(Default)]
pub(super) struct GroupCommit {
    state: Mutex<State>,
    synced: Condvar,
    /// Durable commits run, and the time they took (for `/metrics`).
    syncs: AtomicU64,
    sync_nanos: AtomicU64,
}

#[derive(Default)]
struct State {
    /// Non-durable commits so far; a commit's ticket is its number.
    committed: u64,
    /// Every commit with a ticket up to this one is on disk.
    durable: u64,
    /// A thread is running the durable commit.
    syncing: bool,
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is plain counters, valid even if a holder panicked.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a ticket for a commit that has just returned.
    pub(super) fn committed(&self) -> u64 {
        let mut s = self.lock();
        s.committed += 1;
        s.committed
    }

    /// Commits so far, durable commits run, and nanoseconds spent in them.
    pub(super) fn counts(&self) -> (u64, u64, u64) {
        let committed = self.lock().committed;
        (
            committed,
            self.syncs.load(Ordering::Relaxed),
            self.sync_nanos.load(Ordering::Relaxed),
        )
    }

    /// Returns once the commit with `ticket` is durable. The first waiter
    /// with nobody syncing runs `sync` (a durable commit, which covers every
    /// commit that returned before it began); the others wait for it.
    pub(super) fn make_durable(
        &self,
        ticket: u64,
        sync: impl Fn() -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut s = self.lock();
        loop {
            if s.durable >= ticket {
                return Ok(());
            }
            if s.syncing {
                s = self.synced.wait(s).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            s.syncing = true;
            let target = s.committed;
            drop(s);
            let start = Instant::now();
            let result = sync();
            let took = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.syncs.fetch_add(1, Ordering::Relaxed);
            self.sync_nanos.fetch_add(took, Ordering::Relaxed);
            s = self.lock();
            s.syncing = false;
            if result.is_ok() {
                s.durable = s.durable.max(target);
            }
            self.synced.notify_all();
            // A failed sync is this caller's error; waiters try again.
            result?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn one_sync_covers_every_commit_before_it() {
        let g = GroupCommit::default();
        let syncs = AtomicU64::new(0);
        let a = g.committed();
        let b = g.committed();
        g.make_durable(b, || {
            syncs.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .unwrap();
        // a was committed before the sync began: no second sync for it.
        g.make_durable(a, || panic!("a is already durable"))
            .unwrap();
        assert_eq!(syncs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn concurrent_writers_share_syncs_and_all_become_durable() {
        let g = Arc::new(GroupCommit::default());
        let syncs = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (g, syncs) = (g.clone(), syncs.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let t = g.committed();
                        g.make_durable(t, || {
                            syncs.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(1));
                            Ok(())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let s = g.lock();
        assert_eq!(s.durable, 400);
        assert!(syncs.load(Ordering::SeqCst) < 400, "syncs were shared");
    }

    #[test]
    fn a_failed_sync_is_retried_by_the_next_waiter() {
        let g = GroupCommit::default();
        let t = g.committed();
        let err = g.make_durable(t, || Err(crate::store::StoreError::ReadOnly));
        assert!(err.is_err());
        g.make_durable(t, || Ok(())).unwrap();
    }
}
