//! The outbox's tables: every notice entry by id, and the ids still pending
//! with when each is due. [`Tx::put_outbox`] keeps the two in step, so a
//! pending entry is always in the index and a delivered one never is.

use super::codec::{decode, encode};
use super::tables::{OUTBOX, OUTBOX_PENDING};
use super::{StoreResult, Tx, with_table};
use crate::directory::model::Millis;
use crate::directory::notice::{Delivery, OutboxEntry};
use redb::{ReadableTable, ReadableTableMetadata};

impl Tx {
    /// Adds `entry` under the next id and returns that id.
    pub fn add_outbox(&mut self, mut entry: OutboxEntry) -> StoreResult<u64> {
        let last = self.table(OUTBOX)?.last()?.map_or(0, |(k, _)| k.value());
        entry.id = last + 1;
        self.put_outbox(&entry)?;
        Ok(entry.id)
    }

    /// Writes `entry` (new or updated) and its place in the pending index.
    pub fn put_outbox(&mut self, entry: &OutboxEntry) -> StoreResult<()> {
        let bytes = encode("outbox entry", entry)?;
        self.table(OUTBOX)?.insert(entry.id, bytes.as_slice())?;
        let mut pending = self.table(OUTBOX_PENDING)?;
        if entry.state == Delivery::Pending {
            let due = pending_value(entry.next_attempt, &entry.channel);
            pending.insert(entry.id, due.as_slice())?;
        } else {
            pending.remove(entry.id)?;
        }
        Ok(())
    }

    pub fn outbox_entry(&self, id: u64) -> StoreResult<Option<OutboxEntry>> {
        with_table!(self, open_table, OUTBOX, |t| match t.get(id)? {
            Some(v) => Ok(Some(decode("outbox entry", v.value())?)),
            None => Ok(None),
        })
    }

    /// Pending ids of `channel` (every channel: `None`) with when each is
    /// due, oldest first, up to `limit`.
    pub fn outbox_pending(
        &self,
        channel: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(u64, Millis, String)>> {
        with_table!(self, open_table, OUTBOX_PENDING, |t| {
            let mut out = Vec::new();
            for row in t.iter()? {
                let (k, v) = row?;
                let (due, name) = pending_parts(v.value());
                if channel.is_none_or(|c| c == name) {
                    out.push((k.value(), due, name.to_owned()));
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            Ok(out)
        })
    }

    /// How many entries are pending.
    pub fn outbox_pending_count(&self) -> StoreResult<u64> {
        with_table!(self, open_table, OUTBOX_PENDING, |t| Ok(t.len()?))
    }

    /// Entries newest first, up to `limit`, that `keep` accepts, starting
    /// below id `before` (paging).
    pub fn outbox_newest_first(
        &self,
        before: Option<u64>,
        limit: usize,
        mut keep: impl FnMut(&OutboxEntry) -> bool,
    ) -> StoreResult<Vec<OutboxEntry>> {
        with_table!(self, open_table, OUTBOX, |t| {
            let mut out = Vec::new();
            for row in t.range(..before.unwrap_or(u64::MAX))?.rev() {
                let entry: OutboxEntry = decode("outbox entry", row?.1.value())?;
                if keep(&entry) {
                    out.push(entry);
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            Ok(out)
        })
    }

    /// Deletes up to `max` delivered or failed entries done before `cutoff`,
    /// oldest first; pending ones stay whatever their age (they expire into
    /// `failed` first). The newest entry always stays: its id is where the
    /// next one continues.
    pub fn prune_outbox(&mut self, cutoff: Millis, max: usize) -> StoreResult<usize> {
        let mut t = self.table(OUTBOX)?;
        let newest = t.last()?.map(|(k, _)| k.value());
        let mut doomed = Vec::new();
        for row in t.iter()? {
            let (k, v) = row?;
            if Some(k.value()) == newest || doomed.len() >= max {
                break;
            }
            let entry: OutboxEntry = decode("outbox entry", v.value())?;
            // Ids follow creation: nothing later can be done before `cutoff`.
            if entry.created >= cutoff {
                break;
            }
            if entry.done.is_some_and(|d| d < cutoff) {
                doomed.push(entry.id);
            }
        }
        for id in &doomed {
            t.remove(*id)?;
        }
        Ok(doomed.len())
    }
}

/// A pending entry's index value: when it is due (little-endian), then its
/// channel's name.
pub(super) fn pending_value(due: Millis, channel: &str) -> Vec<u8> {
    let mut out = due.to_le_bytes().to_vec();
    out.extend_from_slice(channel.as_bytes());
    out
}

fn pending_parts(bytes: &[u8]) -> (Millis, &str) {
    let (due, name) = bytes.split_at(bytes.len().min(8));
    let due = due.try_into().map_or(0, Millis::from_le_bytes);
    (due, std::str::from_utf8(name).unwrap_or(""))
}
