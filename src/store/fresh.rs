//! How stale a copy may be and still answer reads (issue 14: a node cut off
//! from its server set keeps serving reads for a while, then refuses them).
//! The node marks the copy fresh whenever it knows it held the log's head
//! at some moment; [`Store::read`] refuses once that moment lies further
//! back than the bound. Without a bound (a single node) nothing is checked
//! beyond one atomic load. With consistent reads a front end also waits,
//! before each request, until the copy holds the log's head as it was when
//! the request came ([`Store::await_head`]).

use super::{Store, StoreError, StoreResult};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where consistent reads learn the log's head (a server set's node).
pub trait HeadSource: Send + Sync {
    /// The log's head, learned after this call began.
    fn head(&self) -> StoreResult<u64>;
}

/// How long a consistent read waits for the copy to apply the head.
const HEAD_WAIT: Duration = Duration::from_secs(5);

/// The bound and the last moment the copy was known to be in step.
#[derive(Debug, Default)]
pub(super) struct Freshness {
    /// The bound in milliseconds; 0: none.
    max_ms: AtomicU64,
    /// Milliseconds since the epoch.
    fresh_at_ms: AtomicU64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Store {
    /// From now on reads are refused once the copy was last known to be in
    /// step more than `max` ago (counted from now). Zero: never.
    pub fn bound_staleness(&self, max: Duration) {
        self.fresh
            .fresh_at_ms
            .fetch_max(now_ms(), Ordering::Relaxed);
        let ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        self.fresh.max_ms.store(ms, Ordering::Relaxed);
    }

    /// The copy held the log's head at `at_ms` (ms since the epoch).
    pub fn mark_fresh(&self, at_ms: u64) {
        self.fresh.fresh_at_ms.fetch_max(at_ms, Ordering::Relaxed);
    }

    /// How long ago the copy was last known to be in step (`None`: no bound
    /// is kept, a single node).
    pub fn staleness(&self) -> Option<Duration> {
        if self.fresh.max_ms.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let at = self.fresh.fresh_at_ms.load(Ordering::Relaxed);
        Some(Duration::from_millis(now_ms().saturating_sub(at)))
    }

    /// From now on [`Self::await_head`] waits for the head `heads` gives.
    pub fn read_through(&self, heads: std::sync::Arc<dyn HeadSource>) -> bool {
        self.heads.set(heads).is_ok()
    }

    /// Whether requests wait for the log's head before they read.
    pub fn waits_for_head(&self) -> bool {
        self.heads.get().is_some()
    }

    /// Waits until the copy holds the log's head as it is now (nothing to
    /// wait for without consistent reads); unavailable when etcd does not
    /// answer or the copy does not get there in time.
    pub fn await_head(&self) -> StoreResult<()> {
        let Some(heads) = self.heads.get() else {
            return Ok(());
        };
        let head = heads.head()?;
        if self.wait_for(head, HEAD_WAIT) {
            return Ok(());
        }
        Err(StoreError::Unavailable(format!(
            "this node has not applied the log up to {head} yet"
        )))
    }

    /// Refuses a read when the copy is staler than its bound.
    pub(super) fn check_fresh(&self) -> StoreResult<()> {
        let max = self.fresh.max_ms.load(Ordering::Relaxed);
        if max == 0 {
            return Ok(());
        }
        let behind = now_ms().saturating_sub(self.fresh.fresh_at_ms.load(Ordering::Relaxed));
        if behind > max {
            return Err(StoreError::Stale {
                secs: behind / 1000,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open;
    use super::*;

    #[test]
    fn reads_stop_once_the_copy_is_staler_than_its_bound_and_resume_when_marked() {
        let (_tmp, store) = open();
        let read = |s: &Store| s.read(|tx| tx.last_seq());
        assert!(read(&store).is_ok());
        assert_eq!(store.staleness(), None);
        store.bound_staleness(Duration::from_millis(50));
        assert!(read(&store).is_ok());
        std::thread::sleep(Duration::from_millis(120));
        assert!(matches!(read(&store), Err(StoreError::Stale { .. })));
        // The node's own look at its position is not refused.
        assert!(store.log_position().is_ok());
        store.mark_fresh(now_ms());
        assert!(read(&store).is_ok());
        assert!(
            store
                .staleness()
                .is_some_and(|s| s < Duration::from_millis(50))
        );
    }
}
