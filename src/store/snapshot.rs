//! Snapshots a harness can return the whole store to: a redb ephemeral
//! savepoint, restored in a write transaction of its own. The fuzzers run
//! millions of inputs against one directory and need each to start from the
//! same records, or one input's writes would change what the next one does
//! (and crashes would not reproduce alone). The daemon never takes one: while
//! a snapshot is alive, redb keeps every page freed after it.

use super::{Store, StoreError, StoreResult};

/// The store as it was when [`Store::snapshot`] was called; valid while the
/// store is open and no earlier snapshot has been restored.
pub struct Snapshot(redb::Savepoint);

impl Store {
    /// Takes a snapshot of everything committed so far.
    pub fn snapshot(&self) -> StoreResult<Snapshot> {
        let txn = self.db.begin_write()?;
        let savepoint = txn.ephemeral_savepoint().map_err(redb::Error::from)?;
        txn.commit()?;
        Ok(Snapshot(savepoint))
    }

    /// Puts every table back as it was at `snapshot`, durably, and returns a
    /// new snapshot of that same state. Restoring one savepoint over and over
    /// would be slower each time (redb keeps every page freed since it was
    /// taken, and a restore walks that list), so the old one is dropped.
    /// Writes running on other threads must have finished first.
    pub fn restore(&self, snapshot: Snapshot) -> StoreResult<Snapshot> {
        let mut txn = self.db.begin_write()?;
        txn.restore_savepoint(&snapshot.0)
            .map_err(|e| StoreError::Db(e.into()))?;
        txn.commit()?;
        drop(snapshot);
        self.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{open, user};
    use super::*;

    #[test]
    fn a_restore_drops_later_writes_and_can_be_repeated() {
        let (_tmp, store) = open();
        let kept = user("kept@x.org", "k@x.org", None, 1);
        store.write(|tx| tx.put_user(&kept)).unwrap();
        let mut snapshot = store.snapshot().unwrap();
        for n in 2..5 {
            let later = user("later@x.org", "l@x.org", None, n);
            store.write(|tx| tx.put_user(&later)).unwrap();
            snapshot = store.restore(snapshot).unwrap();
            store
                .read(|tx| {
                    assert!(tx.user(kept.id)?.is_some());
                    assert!(tx.user(later.id)?.is_none());
                    assert!(tx.user_by_login("later@x.org")?.is_none());
                    Ok::<_, StoreError>(())
                })
                .unwrap();
        }
    }
}
