//! A node's housekeeping, on its status thread beside the looks at etcd's
//! head: every few seconds it syncs its store and announces the position
//! it holds and where peers reach it; every `compact_every` it compacts
//! etcd's history up to what every remembered node holds.

use super::etcd::EtcdError;
use super::members::{Member, Members, compactable};
use super::node::{LOOK_EVERY, View, sleep_unless};
use super::now_ms;
use crate::store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the node announces itself to its peers (more often when
/// `forget_after` is short: a live node is heard from thrice within it).
const ANNOUNCE_EVERY: Duration = Duration::from_secs(5);

/// The status thread's work besides looking: announcing and compacting.
pub(super) struct Keeper {
    pub(super) members: Members,
    pub(super) store: Store,
    pub(super) name: String,
    pub(super) advertised: Arc<Mutex<Option<String>>>,
    pub(super) compact_every: Duration,
    pub(super) forget_after: Duration,
}

impl Keeper {
    pub(super) fn run(&self, view: &View, stop: &AtomicBool) {
        let (mut announced, mut compacted) =
            (None::<std::time::Instant>, std::time::Instant::now());
        let (mut compacted_to, mut url) = (0, None);
        while !stop.load(Ordering::Relaxed) {
            view.refresh();
            // A node that just started listening is announced at once, so
            // that a peer needing a snapshot finds it.
            let now_url = self.advertised.lock().ok().and_then(|a| a.clone());
            let every = ANNOUNCE_EVERY.min(self.forget_after / 3);
            if announced.is_none_or(|at| at.elapsed() >= every) || now_url != url {
                match self.announce(now_url.clone()) {
                    Ok(()) => url = now_url,
                    Err(e) => tracing::debug!(error = %e, "could not announce the node"),
                }
                announced = Some(std::time::Instant::now());
            }
            if !self.compact_every.is_zero() && compacted.elapsed() >= self.compact_every {
                compacted = std::time::Instant::now();
                match self.compact(compacted_to) {
                    Ok(to) => compacted_to = to,
                    Err(e) => tracing::warn!(error = %e, "could not compact the log"),
                }
            }
            sleep_unless(stop, LOOK_EVERY);
        }
    }

    /// Announces the node with the position its store holds on disk (its
    /// commits skip the fsync: the log keeps them), so compaction never
    /// passes what it would need to replay after a crash.
    fn announce(&self, url: Option<String>) -> Result<(), EtcdError> {
        let position = self.store.log_position().unwrap_or(0);
        if let Err(e) = self.store.sync_now() {
            tracing::warn!(error = %e, "could not sync the store");
            return Ok(());
        }
        self.members.announce(&Member {
            name: self.name.clone(),
            url,
            position,
            seen_ms: now_ms(),
        })
    }

    /// Compacts up to what every remembered node holds, when that moved
    /// past `done`; the revision compacted to.
    fn compact(&self, done: u64) -> Result<u64, EtcdError> {
        let members = self.members.list()?;
        match compactable(&members, now_ms(), self.forget_after) {
            Some(to) if to > done => {
                self.members.compact(to)?;
                tracing::debug!(revision = to, "compacted the log");
                Ok(to)
            }
            _ => Ok(done),
        }
    }
}
