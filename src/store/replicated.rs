//! Writes ordered by a log outside the store (issue 14, a server set): the
//! store keeps the position of the last log entry it holds (`META`
//! `log_position`), a write computed here is committed only once the log took
//! it at the position it was computed on ([`Store::write_replicated`]), and
//! entries written elsewhere are applied in order ([`Store::apply_at`]). The
//! position is written in the same transaction as the rows, so a crash
//! never leaves the two apart. What the log is (etcd) is not the store's
//! business: it is a closure.

use super::physical::WriteSet;
use super::tables::META;
use super::{Inner, Store, StoreError, StoreResult, Tx, WriteSetError};
use redb::ReadableTable;
use std::sync::Arc;

const LOG_POSITION_KEY: &str = "log_position";

pub(super) fn position_in(tx: &Tx) -> StoreResult<u64> {
    super::with_table!(tx, open_table, META, |t| Ok(t
        .get(LOG_POSITION_KEY)?
        .and_then(|v| v.value().try_into().ok().map(u64::from_le_bytes))
        .unwrap_or(0)))
}

fn set_position(tx: &Tx, position: u64) -> StoreResult<()> {
    // Not recorded: each copy writes its own position as it applies.
    let w = tx.unrecorded()?;
    w.open_table(META)?
        .insert(LOG_POSITION_KEY, position.to_le_bytes().as_slice())?;
    Ok(())
}

/// Where a server set's writes go before they commit: the log (etcd). The
/// store hands it each transaction's write-set with the position it was
/// computed on.
pub trait Replicator: Send + Sync {
    /// Appends `ws`, computed on a store at position `base`, and answers its
    /// position; [`StoreError::Moved`] when the log moved on since `base`,
    /// [`StoreError::Unavailable`] when it cannot be reached.
    fn append(&self, base: u64, ws: &WriteSet) -> StoreResult<u64>;
}

/// How long a write that lost the race waits for this copy to apply the
/// write that won, before it answers.
const CATCH_UP: std::time::Duration = std::time::Duration::from_secs(5);

/// Times a write runs again after another node's write came first.
pub(super) const RACES: usize = 5;

impl Store {
    /// From now on every write goes through `replicator` before it commits
    /// (a server set); a store takes one, once.
    pub fn replicate_through(&self, replicator: Arc<dyn Replicator>) -> bool {
        self.replicator.set(replicator).is_ok()
    }

    /// Commits `tx`; in a server set only once the log holds its write-set
    /// (a transaction that changed nothing appends nothing), with the
    /// position it got. A write that lost the race waits until this copy
    /// applied the winner, so the caller's next attempt sees it.
    pub(super) fn commit(&self, mut tx: Tx) -> StoreResult<()> {
        if let (Some(r), Some(base)) = (self.replicator.get(), tx.base) {
            let ops = tx.log.take().map(|l| l.into_inner()).unwrap_or_default();
            if !ops.is_empty() {
                let position = match r.append(base, &WriteSet { ops }) {
                    Err(StoreError::Moved { now }) => {
                        drop(tx);
                        self.wait_for(now, CATCH_UP);
                        return Err(StoreError::Moved { now });
                    }
                    other => other?,
                };
                set_position(&tx, position)?;
            }
        }
        match tx.inner {
            Inner::Write(txn) => txn.commit()?,
            Inner::Read(..) => return Err(StoreError::ReadOnly),
        }
        Ok(())
    }

    /// Waits until this copy holds the log entry at `position` (applied by
    /// the follower), or `timeout`; whether it does.
    pub fn wait_for(&self, position: u64, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if self.log_position().is_ok_and(|p| p >= position) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Like [`Self::write`] for a write that may run more than once: in a
    /// server set, when another node's write reached the log first, this
    /// copy applies it and `f` runs again on the result, a few times at
    /// most, so `f` must change nothing outside its `Tx`. On a single node
    /// it runs once.
    pub fn write_again<T, E: From<StoreError>>(
        &self,
        mut f: impl FnMut(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut races = 0;
        loop {
            let mut tx = self.begin_nondurable()?;
            let out = f(&mut tx)?;
            match self.commit(tx) {
                Ok(()) => {
                    self.settle()?;
                    return Ok(out);
                }
                // `commit` waited until this copy holds the winner.
                Err(StoreError::Moved { .. }) if races < RACES => races += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The position of the last log entry this copy holds (0: none).
    pub fn log_position(&self) -> StoreResult<u64> {
        self.read_any(position_in)
    }

    /// Runs `f` recorded, on the store as of its log position `base`, and
    /// hands the write-set to `append(base, &ws)` while the transaction is
    /// still open: `Ok(position)` means the log holds it there, and the rows
    /// commit with that position; an error (the log moved on since `base`,
    /// or it cannot be reached) leaves nothing. No other write of this copy
    /// runs meanwhile (redb has one writer), so `base` is what `f` read.
    pub fn write_replicated<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
        append: impl FnOnce(u64, &WriteSet) -> Result<u64, E>,
    ) -> Result<T, E> {
        let mut tx = self.begin_nondurable()?;
        tx.log = Some(Box::default());
        let base = position_in(&tx)?;
        let out = f(&mut tx)?;
        let ops = tx.log.take().map(|l| l.into_inner()).unwrap_or_default();
        let position = append(base, &WriteSet { ops })?;
        set_position(&tx, position)?;
        match tx.inner {
            Inner::Write(txn) => txn.commit().map_err(StoreError::from)?,
            Inner::Read(..) => return Err(StoreError::ReadOnly.into()),
        }
        self.settle()?;
        Ok(out)
    }

    /// Applies the log entry at `position` (written on another copy, or on
    /// this one before a crash lost the local commit); an entry at or below
    /// the position this copy holds is skipped, so following the log twice
    /// changes nothing. Answers whether it was applied.
    pub fn apply_at(&self, ws: &WriteSet, position: u64) -> Result<bool, WriteSetError> {
        let mut tx = self.begin_nondurable()?;
        // Applying is this copy's own business: it never goes back to the log.
        tx.log = None;
        tx.base = None;
        if position <= position_in(&tx)? {
            return Ok(false);
        }
        tx.apply(ws)?;
        set_position(&tx, position)?;
        self.commit(tx)?;
        self.settle()?;
        Ok(true)
    }
}
