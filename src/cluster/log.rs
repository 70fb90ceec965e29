//! The replicated log of write-sets: one etcd key (`<prefix>/log`) whose
//! successive values are the committed write-sets of the whole server set,
//! in order; an entry's position is the etcd revision that wrote it. A node
//! appends with a compare on the position its store holds, so an append
//! computed on a stale copy is refused (the fence: two nodes creating the
//! same login at once, one wins), and every node applies the entries in
//! order by watching the key from the position after its own.

use super::etcd::{Etcd, EtcdError, Put};
use crate::store::{Store, StoreError, WriteSet, WriteSetError};
use std::sync::atomic::{AtomicBool, Ordering};

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
}

/// The log of one server set.
pub struct Log {
    etcd: Etcd,
    key: Vec<u8>,
}

impl Log {
    /// The log under `prefix` (e.g. `/dirgate/prod`) in `etcd`.
    pub fn new(etcd: Etcd, prefix: &str) -> Log {
        Log {
            etcd,
            key: format!("{}/log", prefix.trim_end_matches('/')).into_bytes(),
        }
    }

    /// The newest entry's position (0: empty).
    pub fn head(&self) -> Result<u64, LogError> {
        Ok(self.etcd.revision_of(&self.key)?)
    }

    /// Appends `ws`, computed on a store at position `base`; its position.
    pub fn append(&self, base: u64, ws: &WriteSet) -> Result<u64, LogError> {
        match self.etcd.put_if(&self.key, base, &ws.encode())? {
            Put::Done(position) => Ok(position),
            Put::Moved(now) => Err(LogError::Moved { base, now }),
        }
    }

    /// Applies every entry after `store`'s position, in order, and goes on
    /// as they come, until `stop` is set (checked between entries) or the
    /// stream breaks (the error says why; call again to resume).
    pub fn follow(&self, store: &Store, stop: &AtomicBool) -> Result<(), LogError> {
        let from = store.log_position()? + 1;
        for event in self.etcd.watch(&self.key, from)? {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let event = event?;
            let ws = WriteSet::decode(&event.value)?;
            store.apply_at(&ws, event.revision)?;
        }
        Err(LogError::Etcd(EtcdError::Unavailable(
            "the watch ended".into(),
        )))
    }
}
