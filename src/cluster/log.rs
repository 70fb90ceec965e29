//! The replicated log of write-sets: one etcd key (`<prefix>/log`) whose
//! successive values are the committed write-sets of the whole server set,
//! in order; an entry's position is the etcd revision that wrote it. A node
//! appends with a compare on the position its store holds, so an append
//! computed on a stale copy is refused (the fence: two nodes creating the
//! same login at once, one wins), and every node applies the entries in
//! order by watching the key from the position after its own. An entry is a
//! format byte, the time it was appended (milliseconds since the epoch, on
//! the appending node's clock: how far behind a follower applies it), and
//! the write-set.

use super::etcd::{Etcd, EtcdError, Put};
use crate::store::{Store, StoreError, WriteSet, WriteSetError};
use std::sync::atomic::{AtomicBool, Ordering};

/// The entry format this build writes and reads.
const ENTRY_FORMAT: u8 = 1;
/// The format byte and the append time.
const ENTRY_HEAD: usize = 9;

/// One log entry applied by [`Log::follow`].
#[derive(Clone, Copy, Debug)]
pub struct Applied {
    pub position: u64,
    /// When the appending node wrote it (ms since the epoch).
    pub appended_ms: u64,
}

fn now_ms() -> u64 {
    u64::try_from(crate::directory::model::now()).unwrap_or(0)
}

/// The bytes etcd holds for `ws`.
fn entry(ws: &WriteSet) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENTRY_HEAD + 64);
    out.push(ENTRY_FORMAT);
    out.extend_from_slice(&now_ms().to_le_bytes());
    out.extend_from_slice(&ws.encode());
    out
}

/// An entry's append time and write-set.
fn parse(bytes: &[u8]) -> Result<(u64, WriteSet), LogError> {
    match bytes.split_first() {
        Some((&ENTRY_FORMAT, rest)) if rest.len() >= ENTRY_HEAD - 1 => {
            let (at, ws) = rest.split_at(ENTRY_HEAD - 1);
            let at = u64::from_le_bytes(at.try_into().unwrap_or_default());
            Ok((at, WriteSet::decode(ws)?))
        }
        Some((format, _)) => Err(LogError::Format(*format)),
        None => Err(LogError::Format(0)),
    }
}

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
    /// An entry written by a build that formats them otherwise.
    #[error(
        "a log entry in format {0}, which this build does not read: run one version on every node"
    )]
    Format(u8),
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
        match self.etcd.put_if(&self.key, base, &entry(ws))? {
            Put::Done(position) => Ok(position),
            Put::Moved(now) => Err(LogError::Moved { base, now }),
        }
    }

    /// Applies every entry after `store`'s position, in order, as they
    /// come, for one watch span ([`super::etcd::WATCH_SPAN`]) or until
    /// `stop` is set (checked between entries); `applied` hears of each. An
    /// error says why the stream broke; call again to go on either way.
    pub fn follow(
        &self,
        store: &Store,
        stop: &AtomicBool,
        applied: &mut dyn FnMut(Applied),
    ) -> Result<(), LogError> {
        let from = store.log_position()? + 1;
        for event in self.etcd.watch(&self.key, from)? {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let event = event?;
            let (appended_ms, ws) = parse(&event.value)?;
            if store.apply_at(&ws, event.revision)? {
                applied(Applied {
                    position: event.revision,
                    appended_ms,
                });
            }
        }
        Ok(())
    }
}
