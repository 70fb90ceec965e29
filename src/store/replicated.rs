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

const LOG_POSITION_KEY: &str = "log_position";

fn position_in(tx: &Tx) -> StoreResult<u64> {
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

impl Store {
    /// The position of the last log entry this copy holds (0: none).
    pub fn log_position(&self) -> StoreResult<u64> {
        self.read(position_in)
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
        let ticket = self.group.committed();
        self.group.make_durable(ticket, || self.sync())?;
        Ok(out)
    }

    /// Applies the log entry at `position` (written on another copy, or on
    /// this one before a crash lost the local commit); an entry at or below
    /// the position this copy holds is skipped, so following the log twice
    /// changes nothing. Answers whether it was applied.
    pub fn apply_at(&self, ws: &WriteSet, position: u64) -> Result<bool, WriteSetError> {
        self.write(|tx| {
            if position <= position_in(tx)? {
                return Ok(false);
            }
            tx.apply(ws)?;
            set_position(tx, position)?;
            Ok(true)
        })
    }
}
