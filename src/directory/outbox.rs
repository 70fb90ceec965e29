//! The outbox: notices are never lost and never early. A use case calls
//! [`Outbox::enqueue`] inside the write transaction of the change that causes
//! the notice, so the entries (one per configured channel) commit or vanish
//! with it. Each channel then has a delivery thread that reads its due
//! entries, hands each to the channel, and records the outcome: `sent`, or a
//! retry with a doubling pause (1 s up to [`MAX_PAUSE`]) until the entry
//! expires or runs out of attempts (`failed`). Entries survive restarts, so a
//! crash between the commit and the delivery delivers after the restart; a
//! crash after the channel took an entry but before `sent` was written sends
//! it again (at least once: a webhook receiver can use the entry's id to
//! drop repeats). Delivered and failed entries are kept for `keep` and then
//! pruned. With no channel configured, the `log` channel writes each notice
//! to the log.

use super::model::{Millis, now};
use super::notice::{Delivery, Notice, OutboxEntry};
use crate::store::{Store, StoreResult, Tx};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The longest pause between two attempts.
const MAX_PAUSE: Millis = 15 * 60 * 1000;
/// The first pause after a failed attempt.
const FIRST_PAUSE: Millis = 1000;
/// How long a delivery thread sleeps when nothing is due (a commit wakes it).
const IDLE: Duration = Duration::from_secs(30);
/// Entries one pass of a delivery thread handles.
const BATCH: usize = 64;
/// How often delivered and failed entries are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// A way notices leave the server.
pub trait Channel: Send + Sync {
    /// Its name in the outbox and the admin API (`mail`, `webhook`, `log`).
    fn name(&self) -> &'static str;
    /// Whether an entry needs recipients (mail): without any, none is written.
    fn needs_recipients(&self) -> bool {
        false
    }
    /// Delivers one entry, blocking until the other side took it or refused;
    /// the error says why, for the outbox and the log, and holds no secret.
    fn send(&self, entry: &OutboxEntry) -> Result<(), String>;
    /// Mails `body` to `to` now, outside the outbox: for a message that
    /// carries a secret, which the store must never hold (a reset code).
    /// Channels that are no mail refuse.
    fn mail_now(&self, _to: &str, _subject: &str, _body: &str) -> Result<(), String> {
        Err("not a mail channel".into())
    }
}

/// The log channel: what the server uses when no other is configured.
pub struct LogChannel;

impl Channel for LogChannel {
    fn name(&self) -> &'static str {
        "log"
    }
    fn send(&self, entry: &OutboxEntry) -> Result<(), String> {
        super::notify::log(&entry.notice);
        Ok(())
    }
}

/// How long entries live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// A pending entry older than this fails as expired.
    pub expire_after: Millis,
    /// Attempts at most (`None`: until it expires).
    pub max_attempts: Option<u32>,
    /// Delivered and failed entries are kept this long.
    pub keep: Millis,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        OutboxPolicy {
            expire_after: 3 * 24 * 3600 * 1000,
            max_attempts: None,
            keep: 7 * 24 * 3600 * 1000,
        }
    }
}

/// Counts since the server started, for `/metrics`.
#[derive(Default)]
pub struct OutboxCounts {
    pub queued: AtomicU64,
    pub sent: AtomicU64,
    pub failed: AtomicU64,
    /// Attempts that failed and will be retried.
    pub retried: AtomicU64,
}

/// The channels and what the delivery threads share.
pub struct Outbox {
    channels: Vec<Arc<dyn Channel>>,
    policy: OutboxPolicy,
    /// In a server set, this node's name: it delivers the entries it wrote.
    node: Option<String>,
    /// Set by [`Self::enqueue`]; a commit that finds it set wakes the threads.
    dirty: AtomicBool,
    signal: Signal,
    pub counts: OutboxCounts,
}

/// Wakes the delivery threads, or stops them.
#[derive(Default)]
struct Signal {
    state: Mutex<Wake>,
    cond: Condvar,
}

#[derive(Default)]
struct Wake {
    /// One bit per delivery thread (by channel index): woken since it last looked.
    kicked: u64,
    stop: bool,
}

impl Outbox {
    /// The outbox over `channels`; the log channel alone when there are none.
    pub fn new(mut channels: Vec<Arc<dyn Channel>>, policy: OutboxPolicy) -> Outbox {
        if channels.is_empty() {
            channels.push(Arc::new(LogChannel));
        }
        Outbox {
            channels,
            policy,
            node: None,
            dirty: AtomicBool::new(false),
            signal: Signal::default(),
            counts: OutboxCounts::default(),
        }
    }

    /// Whether a mail relay is configured.
    pub fn mails(&self) -> bool {
        self.channels.iter().any(|c| c.needs_recipients())
    }

    /// Mails a message that carries a secret through the mail channel, now
    /// and once (see [`Channel::mail_now`]).
    pub fn mail_now(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        match self.channels.iter().find(|c| c.needs_recipients()) {
            Some(mail) => mail.mail_now(to, subject, body),
            None => Err("no mail relay is configured".into()),
        }
    }

    /// In a server set: entries are marked with `node`, and this node
    /// delivers only those (every node holds them all; one sends each).
    pub fn deliver_only_from(&mut self, node: &str) {
        self.node = Some(node.to_owned());
    }

    /// Whether this node delivers `entry`.
    fn ours(&self, entry: &OutboxEntry) -> bool {
        entry.origin == self.node
    }

    /// The configured channels' names.
    pub fn channel_names(&self) -> Vec<&'static str> {
        self.channels.iter().map(|c| c.name()).collect()
    }

    /// Writes `notice` for every channel, in the caller's transaction, with
    /// its recipients as they are in that transaction.
    pub fn enqueue(&self, tx: &mut Tx, notice: Notice) -> StoreResult<()> {
        let to = super::notify::recipients(tx, &notice)?;
        let created = now();
        for channel in &self.channels {
            if channel.needs_recipients() && to.is_empty() {
                continue;
            }
            tx.add_outbox(OutboxEntry {
                id: 0,
                channel: channel.name().to_owned(),
                notice: notice.clone(),
                to: if channel.needs_recipients() {
                    to.clone()
                } else {
                    Vec::new()
                },
                created,
                attempts: 0,
                next_attempt: created,
                state: Delivery::Pending,
                last_error: None,
                done: None,
                origin: self.node.clone(),
            })?;
            self.counts.queued.fetch_add(1, Ordering::Relaxed);
        }
        self.dirty.store(true, Ordering::Release);
        Ok(())
    }

    /// After a commit: wakes the delivery threads if the transaction (or an
    /// earlier one that failed) wrote to the outbox.
    pub fn committed(&self) {
        if self.dirty.swap(false, Ordering::AcqRel) {
            self.wake();
        }
    }

    /// Wakes every delivery thread (a commit, a retry asked for).
    pub fn wake(&self) {
        if let Ok(mut w) = self.signal.state.lock() {
            w.kicked = u64::MAX;
            self.signal.cond.notify_all();
        }
    }

    /// Waits until woken, stopped, or `timeout`; `false` once stopped.
    fn wait(&self, index: usize, timeout: Duration) -> bool {
        let bit = 1u64 << (index % 64);
        let Ok(guard) = self.signal.state.lock() else {
            return false;
        };
        let waited = self
            .signal
            .cond
            .wait_timeout_while(guard, timeout, |w| !w.stop && w.kicked & bit == 0);
        match waited {
            Ok((mut w, _)) => {
                w.kicked &= !bit;
                !w.stop
            }
            Err(_) => false,
        }
    }

    fn stopped(&self) -> bool {
        self.signal.state.lock().map_or(true, |w| w.stop)
    }

    fn stop(&self) {
        if let Ok(mut w) = self.signal.state.lock() {
            w.stop = true;
            self.signal.cond.notify_all();
        }
    }
}

/// The delivery threads; dropping this stops them (after the attempt each
/// may be in).
pub struct Workers {
    outbox: Arc<Outbox>,
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.outbox.stop();
    }
}

impl Workers {
    /// Fails the pending entries of channels no longer configured, then
    /// starts one delivery thread per channel.
    pub fn start(store: &Store, outbox: Arc<Outbox>) -> std::io::Result<Workers> {
        // Looked for first: a start with nothing to fail writes nothing.
        let names = outbox.channel_names();
        let stray = store.read(|tx| {
            let pending = tx.outbox_pending(None, usize::MAX)?;
            Ok::<_, crate::store::StoreError>(
                pending.iter().any(|(_, _, c)| !names.contains(&c.as_str())),
            )
        });
        if stray.unwrap_or(true)
            && let Err(e) = store.write(|tx| orphans(tx, &outbox))
        {
            tracing::error!(error = %e, "cannot fail the notices of removed channels");
        }
        for index in 0..outbox.channels.len() {
            let (store, outbox) = (store.clone(), outbox.clone());
            let name = outbox.channels[index].name();
            std::thread::Builder::new()
                .name(format!("dirgate-{name}"))
                .spawn(move || deliver_loop(&store, &outbox, index))?;
        }
        Ok(Workers { outbox })
    }
}

/// Pending entries whose channel is gone fail at once: nothing would send them.
fn orphans(tx: &mut Tx, outbox: &Outbox) -> StoreResult<()> {
    let names = outbox.channel_names();
    for (id, _, channel) in tx.outbox_pending(None, usize::MAX)? {
        if !names.contains(&channel.as_str())
            && let Some(mut entry) = tx.outbox_entry(id)?
            && outbox.ours(&entry)
        {
            entry.state = Delivery::Failed;
            entry.last_error = Some(format!("the {channel} channel is no longer configured"));
            entry.done = Some(now());
            tx.put_outbox(&entry)?;
        }
    }
    Ok(())
}

/// One channel's delivery thread.
fn deliver_loop(store: &Store, outbox: &Outbox, index: usize) {
    let channel = &outbox.channels[index];
    let mut pruned: Option<std::time::Instant> = None;
    loop {
        if index == 0 && pruned.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
            prune(store, outbox.policy.keep);
            pruned = Some(std::time::Instant::now());
        }
        let pause = match deliver_due(store, outbox, channel.as_ref()) {
            Ok(pause) => pause,
            Err(e) => {
                tracing::error!(error = %e, channel = channel.name(), "outbox unreadable");
                IDLE
            }
        };
        if !outbox.wait(index, pause) {
            return;
        }
    }
}

/// Delivers the channel's due entries; answers how long to wait for the next.
fn deliver_due(store: &Store, outbox: &Outbox, channel: &dyn Channel) -> StoreResult<Duration> {
    let pending = store.read(|tx| tx.outbox_pending(Some(channel.name()), usize::MAX))?;
    let t = now();
    let mut done = 0;
    // When the next attempt is due: entries not due yet, and those this pass
    // tried and left pending. Entries another node of a server set delivers
    // are not waited for here.
    let mut soonest: Option<Millis> = None;
    let mut note = |due: Millis| soonest = Some(soonest.map_or(due, |s| s.min(due)));
    for (id, due, _) in &pending {
        if *due > t {
            note(*due);
            continue;
        }
        if outbox.stopped() || done == BATCH {
            return Ok(Duration::ZERO);
        }
        let Some(entry) = store.read(|tx| tx.outbox_entry(*id))? else {
            continue;
        };
        if !outbox.ours(&entry) {
            continue;
        }
        let entry = attempt(outbox, channel, entry);
        store.write_again(|tx| tx.put_outbox(&entry))?;
        if entry.state == Delivery::Pending {
            note(entry.next_attempt);
        }
        done += 1;
    }
    Ok(soonest.map_or(IDLE, |due| {
        Duration::from_millis(due.saturating_sub(now()).clamp(0, IDLE.as_millis() as i64) as u64)
    }))
}

/// One attempt at `entry`, and where it stands after it.
fn attempt(outbox: &Outbox, channel: &dyn Channel, mut entry: OutboxEntry) -> OutboxEntry {
    let policy = outbox.policy;
    let t = now();
    let counts = &outbox.counts;
    if t.saturating_sub(entry.created) > policy.expire_after {
        return give_up(counts, entry, "expired before it could be delivered".into());
    }
    entry.attempts += 1;
    match channel.send(&entry) {
        Ok(()) => {
            entry.state = Delivery::Sent;
            entry.done = Some(now());
            counts.sent.fetch_add(1, Ordering::Relaxed);
            entry
        }
        Err(why) if policy.max_attempts.is_some_and(|m| entry.attempts >= m) => {
            give_up(counts, entry, why)
        }
        Err(why) => {
            tracing::warn!(channel = channel.name(), id = entry.id, attempt = entry.attempts,
                error = %why, "notice not delivered; will retry");
            let shift = entry.attempts.saturating_sub(1).min(20);
            let pause = FIRST_PAUSE.saturating_mul(1 << shift).min(MAX_PAUSE);
            entry.next_attempt = now().saturating_add(pause);
            entry.last_error = Some(why);
            counts.retried.fetch_add(1, Ordering::Relaxed);
            entry
        }
    }
}

fn give_up(counts: &OutboxCounts, mut entry: OutboxEntry, why: String) -> OutboxEntry {
    tracing::error!(channel = %entry.channel, id = entry.id, kind = entry.notice.kind(),
        error = %why, "notice given up");
    entry.state = Delivery::Failed;
    entry.last_error = Some(why);
    entry.done = Some(now());
    counts.failed.fetch_add(1, Ordering::Relaxed);
    entry
}

/// Deletes delivered and failed entries older than `keep`, a slice at a time.
fn prune(store: &Store, keep: Millis) {
    let cutoff = now().saturating_sub(keep);
    loop {
        match store.write(|tx| tx.prune_outbox(cutoff, 1000)) {
            Ok(1000) => continue,
            Ok(_) => return,
            Err(e) => {
                tracing::error!(error = %e, "outbox could not be pruned");
                return;
            }
        }
    }
}
