//! The background journal writer: bind audit events and last-login touches go
//! through a channel to one thread that writes whatever has queued up in a
//! single transaction, so a burst of binds costs one commit, not one each. Binds
//! are answered without waiting for it (a bind changes nothing but the trail);
//! every change to the directory itself is still logged inside its own
//! transaction. [`Journal::flush`] waits until everything sent is committed.

use super::LockoutPolicy;
use super::audit::Event;
use super::model::Millis;
use super::outbox::Outbox;
use crate::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use uuid::Uuid;

/// Most items written in one transaction.
const BATCH: usize = 4096;
/// How long the writer collects items before committing them. A redb commit
/// costs far more than writing one event, so a short window turns thousands of
/// binds per second into a few hundred commits; a flush commits at once.
const WINDOW: std::time::Duration = std::time::Duration::from_millis(10);
/// How often the writer looks at the queue inside a window. It sleeps in
/// between instead of waiting on the queue: waiting, every item sent woke it
/// (a context switch per bind, ~15 of a rebind's 65 µs of server CPU at
/// 19,000 binds/s); now a sender finds nobody waiting and wakes nobody. A
/// flush waits at most this long.
const TICK: std::time::Duration = std::time::Duration::from_millis(1);
/// Items that may wait; senders block beyond it rather than lose audit events.
const QUEUE: usize = 65_536;

/// Boxed events keep an item small: `sync_channel(QUEUE)` allocates all of
/// its slots at start, and with the event inline (200 bytes an item) that
/// was 12.5 MB of every daemon's memory from the first second (massif).
enum Item {
    Event(Box<Event>),
    LastLogin(Uuid, Millis),
    /// A failed password check: counted, and the account locked past the
    /// threshold (with an audit event), inside the batch's transaction.
    Failure(Uuid, Millis, LockoutPolicy, Box<Event>),
    /// A successful check clears the failure count.
    ClearFailures(Uuid),
    Flush(SyncSender<()>),
}

/// The sending side. Dropping it lets the writer drain the queue and stop, and
/// waits for that, so the store is closed cleanly (redb otherwise repairs the
/// file at the next start).
pub struct Journal {
    tx: Option<SyncSender<Item>>,
    writer: Option<std::thread::JoinHandle<()>>,
    /// Accounts locked by failed password checks since start.
    lockouts: Arc<AtomicU64>,
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(w) = self.writer.take()
            && w.join().is_err()
        {
            tracing::error!("journal writer panicked");
        }
    }
}

impl Journal {
    /// Starts the writer thread for `store`; it also drops audit events older
    /// than `retention` (never, when `None`).
    pub fn start(
        store: Store,
        retention: Option<Millis>,
        outbox: Arc<Outbox>,
    ) -> std::io::Result<Journal> {
        let (tx, rx) = sync_channel(QUEUE);
        let lockouts = Arc::new(AtomicU64::new(0));
        let counted = lockouts.clone();
        let writer = std::thread::Builder::new()
            .name("dirgate-journal".into())
            .spawn(move || writer(store, rx, retention, outbox, counted))?;
        Ok(Journal {
            tx: Some(tx),
            writer: Some(writer),
            lockouts,
        })
    }

    pub fn event(&self, event: Event) {
        self.send(Item::Event(Box::new(event)));
    }

    /// Records a successful login time (coarse: the caller decides when).
    pub fn last_login(&self, user: Uuid, at: Millis) {
        self.send(Item::LastLogin(user, at));
    }

    /// Counts a failed password check against a user (see [`LockoutPolicy`]);
    /// `locked` is the audit event to write if this failure locks it.
    pub fn failure(&self, user: Uuid, at: Millis, policy: LockoutPolicy, locked: Event) {
        self.send(Item::Failure(user, at, policy, Box::new(locked)));
    }

    pub fn clear_failures(&self, user: Uuid) {
        self.send(Item::ClearFailures(user));
    }

    /// Accounts locked by failed password checks since start.
    pub fn lockouts(&self) -> u64 {
        self.lockouts.load(Ordering::Relaxed)
    }

    /// Returns once everything sent before is committed.
    pub fn flush(&self) {
        let (done, wait) = sync_channel(1);
        self.send(Item::Flush(done));
        let _ = wait.recv();
    }

    fn send(&self, item: Item) {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(item).is_ok());
        if !sent {
            tracing::error!("journal writer is gone; an audit record was lost");
        }
    }
}

/// How often the writer looks for audit events past their retention.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
/// Most events one pruning transaction deletes, so it never holds the
/// writer long; a backlog goes over several rounds.
const PRUNE_BATCH: usize = 10_000;

/// Deletes audit events older than `retention`, in bounded transactions.
fn prune(store: &Store, retention: Millis) {
    let cutoff = super::model::now().saturating_sub(retention);
    loop {
        match store.write(|tx| tx.prune_changes(cutoff, PRUNE_BATCH)) {
            Ok(n) if n == PRUNE_BATCH => continue,
            Ok(n) => {
                if n > 0 {
                    tracing::info!(deleted = n, "audit events past their retention deleted");
                }
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "could not prune the audit trail");
                return;
            }
        }
    }
}

/// A batch: `first`, then what arrives within [`WINDOW`] (looked at every
/// [`TICK`]), up to [`BATCH`] items or a flush.
fn collect(rx: &Receiver<Item>, first: Item) -> Vec<Item> {
    let mut batch = vec![first];
    let deadline = std::time::Instant::now() + WINDOW;
    loop {
        while batch.len() < BATCH {
            if matches!(batch.last(), Some(Item::Flush(_))) {
                return batch;
            }
            match rx.try_recv() {
                Ok(item) => batch.push(item),
                Err(_) => break,
            }
        }
        let now = std::time::Instant::now();
        if batch.len() >= BATCH || now >= deadline {
            return batch;
        }
        std::thread::sleep(TICK.min(deadline - now));
    }
}

/// The writer thread: batches what was sent, writes each batch in one
/// transaction with the notices it caused (and counts lockouts).
fn writer(
    store: Store,
    rx: Receiver<Item>,
    retention: Option<Millis>,
    outbox: Arc<Outbox>,
    lockouts: Arc<AtomicU64>,
) {
    let mut pruned_at: Option<std::time::Instant> = None;
    loop {
        if let Some(keep) = retention
            && pruned_at.is_none_or(|t| t.elapsed() >= PRUNE_EVERY)
        {
            prune(&store, keep);
            pruned_at = Some(std::time::Instant::now());
        }
        let first = match rx.recv_timeout(PRUNE_EVERY) {
            Ok(item) => item,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
        let batch = collect(&rx, first);
        // Flushes alone have nothing to write: what was sent before them is
        // committed already, batches being written in order.
        if batch.iter().all(|item| matches!(item, Item::Flush(_))) {
            release(batch);
            continue;
        }
        // The flushes are answered once the batch is in; the rest is written
        // in a transaction that may run again (a server set's lost race).
        let (flushes, items): (Vec<Item>, Vec<Item>) = batch
            .into_iter()
            .partition(|item| matches!(item, Item::Flush(_)));
        let waiters: Vec<SyncSender<()>> = flushes
            .into_iter()
            .filter_map(|item| match item {
                Item::Flush(done) => Some(done),
                _ => None,
            })
            .collect();
        let mut locked = 0;
        let written = store.write_again(|tx| {
            locked = 0;
            let mut events = Vec::new();
            for item in &items {
                match item {
                    Item::Event(e) => events.push((**e).clone()),
                    Item::LastLogin(id, at) => {
                        tx.touch_last_login(*id, *at, super::auth::LAST_LOGIN_PRECISION)?;
                    }
                    Item::Failure(id, at, policy, event) => {
                        if let Some(mut user) = tx.user(*id)? {
                            if policy.record_failure(&mut user.lockout, *at) {
                                let notice = super::notify::Notice::AccountLocked {
                                    login: user.login.clone(),
                                    org: user.org,
                                };
                                outbox.enqueue(tx, notice)?;
                                events.push((**event).clone());
                                locked += 1;
                            }
                            tx.put_user(&user)?;
                        }
                    }
                    Item::ClearFailures(id) => {
                        if let Some(mut user) = tx.user(*id)?
                            && user.lockout != Default::default()
                        {
                            user.lockout = Default::default();
                            tx.put_user_unindexed(&user)?;
                        }
                    }
                    Item::Flush(_) => {}
                }
            }
            tx.log_all(events)?;
            Ok::<_, crate::store::StoreError>(())
        });
        match written {
            Ok(()) => {
                lockouts.fetch_add(locked, Ordering::Relaxed);
                outbox.committed();
            }
            Err(e) => tracing::error!(error = %e, "journal batch could not be written"),
        }
        for w in waiters {
            let _ = w.send(());
        }
    }
}

/// Answers the flushes of a batch that needs no transaction.
fn release(batch: Vec<Item>) {
    for item in batch {
        if let Item::Flush(done) = item {
            let _ = done.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    /// The queue's slots are allocated up front: an item must stay small.
    #[test]
    fn items_are_small() {
        let size = std::mem::size_of::<super::Item>();
        assert!(size <= 64, "a journal item takes {size} bytes");
    }
}
