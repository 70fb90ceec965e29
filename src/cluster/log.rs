//! The replicated log of write-sets: one etcd key (`<prefix>/log`) whose
//! successive values are the committed write-sets of the whole server set,
//! in order; an entry's position is the etcd revision that wrote it. A node
//! appends with a compare on the position its store holds, so an append
//! computed on a stale copy is refused (the fence: two nodes creating the
//! same login at once, one wins), and every node applies the entries in
//! order by watching the key from the position after its own. An entry
//! carries the time it was appended (milliseconds since the epoch, on the
//! appending node's clock: how far behind a follower applies it) and the
//! write-set, inline or in parts (`super::entry`).

use super::entry::{self, Entry, EntryError};
use super::etcd::{Etcd, EtcdError, Put};
use super::now_ms;
use crate::store::{Store, StoreError, WriteSet, WriteSetError};
use std::sync::atomic::{AtomicBool, Ordering};

/// How long an entry's parts stay in etcd: a node that comes to the entry
/// later than this copies a peer instead.
const PARTS_TTL_SECS: u64 = 3600;

/// Why an append or the following stopped.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// Another node appended since the position the write was computed on.
    #[error("the log moved on to {now} since {base}: catch up and run the write again")]
    Moved { base: u64, now: u64 },
    #[error("{0}")]
    Etcd(#[from] EtcdError),
    #[error("{0}")]
    Apply(#[from] WriteSetError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Entry(#[from] EntryError),
    /// The parts of the entry at `position` are no longer in etcd: this
    /// node must copy a peer that holds it.
    #[error("the parts of log entry {position} are gone from etcd")]
    PartsGone { position: u64 },
}

/// The log of one server set.
pub struct Log {
    etcd: Etcd,
    key: Vec<u8>,
    /// `<prefix>/parts/`: where entries in parts keep them.
    parts: String,
}

impl Log {
    /// The log under `prefix` (e.g. `/dirgate/prod`) in `etcd`.
    pub fn new(etcd: Etcd, prefix: &str) -> Log {
        let prefix = prefix.trim_end_matches('/');
        Log {
            etcd,
            key: format!("{prefix}/log").into_bytes(),
            parts: format!("{prefix}/parts/"),
        }
    }

    /// The newest entry's position (0: empty).
    pub fn head(&self) -> Result<u64, LogError> {
        Ok(self.etcd.revision_of(&self.key)?)
    }

    /// Appends `ws`, computed on a store at position `base`; its position.
    pub fn append(&self, base: u64, ws: &WriteSet) -> Result<u64, LogError> {
        let value = self.entry(ws)?;
        match self.etcd.put_if(&self.key, base, &value)? {
            Put::Done(position) => Ok(position),
            Put::Moved(now) => Err(LogError::Moved { base, now }),
        }
    }

    /// The entry for `ws`: inline, or (too large for one etcd request) a
    /// reference to parts written now, under a lease. Parts of an append
    /// that then loses the race are left to their lease.
    fn entry(&self, ws: &WriteSet) -> Result<Vec<u8>, LogError> {
        let plain = ws.encoded_len();
        if plain <= entry::INLINE_MAX {
            return Ok(entry::inline(now_ms(), &ws.encode()));
        }
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| EtcdError::Protocol(e.to_string()))?;
        let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let prefix = format!("{}{id}/", self.parts);
        let made = entry::in_parts(now_ms(), plain, |w| ws.encode_to(w), &prefix)
            .map_err(|e| EtcdError::Protocol(format!("compressing a write-set: {e}")))?;
        let lease = self.etcd.lease(PARTS_TTL_SECS)?;
        for (key, part) in made.parts() {
            self.etcd.put_leased(key.as_bytes(), part, lease)?;
        }
        Ok(made.entry)
    }

    /// The write-set of the entry at `position`, fetching its parts.
    fn read(&self, value: &[u8], position: u64) -> Result<(u64, WriteSet), LogError> {
        match entry::parse(value)? {
            Entry::Inline { at, bytes } => Ok((at, WriteSet::decode(&bytes)?)),
            Entry::InParts { at, parts } => {
                let mut pieces = Vec::with_capacity(parts.count as usize);
                for n in 0..parts.count {
                    match self.etcd.get(parts.key(n).as_bytes())? {
                        Some(p) => pieces.push(p),
                        None => return Err(LogError::PartsGone { position }),
                    }
                }
                let bytes = entry::join(&parts, &pieces)?;
                Ok((at, WriteSet::decode(&bytes)?))
            }
        }
    }

    /// Applies every entry after `store`'s position, in order, as they
    /// come, for one watch span ([`super::etcd::WATCH_SPAN`]) or until
    /// `stop` is set (checked between entries); `applied` hears of each,
    /// with the time it was appended (ms since the epoch). An error says why
    /// the stream broke; call again to go on either way.
    pub fn follow(
        &self,
        store: &Store,
        stop: &AtomicBool,
        applied: &mut dyn FnMut(u64),
    ) -> Result<(), LogError> {
        let from = store.log_position()? + 1;
        for event in self.etcd.watch(&self.key, from)? {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let event = event?;
            // This node's own writes are here already: not even read.
            if event.revision <= store.log_position()? {
                continue;
            }
            let (appended_ms, ws) = self.read(&event.value, event.revision)?;
            if store.apply_at(&ws, event.revision)? {
                applied(appended_ms);
            }
        }
        Ok(())
    }
}
