//! The password-hashing pool: every argon2id computation (checks for binds and
//! other logins, the dummy check for unknown names, rehash on login, hashes of
//! new passwords from every front end) runs on a few threads of its own, fed by
//! a bounded queue (`[passwords] hash_workers`, `hash_queue`). A check that
//! finds the queue full fails at once with [`Error::Busy`] instead of waiting.
//!
//! Why: each argon2id computation holds its whole memory cost (19 MiB by
//! default) while it runs. On tokio's blocking pool, a flood of failing binds
//! ran hundreds at once (the pool grows to 512 threads), and glibc kept the
//! memory of every thread's arena afterwards: gigabytes. Here at most
//! `hash_workers` run at once, on the same few threads, so the memory is
//! bounded and reused. Cheap `{SSHA}`-style checks never come here.
//! Imports no protocol crate and no redb.

use super::error::{Error, Result};
use super::model::SecretHash;
use super::password::{self, HashParams, Verified};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default queue length: checks that may wait for a worker.
pub const DEFAULT_QUEUE: usize = 64;

/// One computation, with the sending half of its answer inside.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// How long the pool waits idle before it hands its freed memory back.
const IDLE_RELEASE: Duration = Duration::from_secs(1);

/// How often a full queue is reported in the log, at most.
const BUSY_LOG_EVERY: Duration = Duration::from_secs(10);

/// The default number of workers: one per core.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The queue and the threads that drain it. Dropping it (with the last
/// `Directory`) closes the queue; the threads finish their job and end.
pub struct HashPool {
    queue: SyncSender<Job>,
    params: HashParams,
    refused: AtomicU64,
    started: Instant,
    /// `refused` count and time (ms since `started`) of the last busy log line.
    last_log: Mutex<(u64, u64)>,
}

impl HashPool {
    /// Starts `workers` threads (at least one) behind a queue of `queue`
    /// waiting jobs (0: only a worker that is free takes a job).
    pub fn start(params: HashParams, workers: usize, queue: usize) -> std::io::Result<HashPool> {
        let (tx, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        let used = Arc::new(AtomicBool::new(false));
        for i in 0..workers.max(1) {
            let (rx, used) = (rx.clone(), used.clone());
            std::thread::Builder::new()
                .name(format!("dirgate-hash-{i}"))
                .spawn(move || work(&rx, &used))?;
        }
        Ok(HashPool {
            queue: tx,
            params,
            refused: AtomicU64::new(0),
            started: Instant::now(),
            last_log: Mutex::new((0, 0)),
        })
    }

    /// Hashes a new password, waiting on this thread for a worker.
    pub fn hash(&self, password: &str) -> Result<SecretHash> {
        let (params, password) = (self.params, password.to_owned());
        self.run(move || password::hash(&params, &password))?
    }

    /// Checks `password` against `stored` (`None`: against a dummy hash, so
    /// an unknown account costs what a known one does), waiting on this
    /// thread. Cheap schemes are checked in place.
    pub fn verify(&self, stored: Option<&SecretHash>, password: &str) -> Result<Option<Verified>> {
        if let Some(stored) = stored.filter(|s| password::is_cheap(s)) {
            return Ok(password::verify(&self.params, stored, password));
        }
        self.run(check(self.params, stored.cloned(), password.to_owned()))
    }

    /// [`Self::verify`] for async callers: the task waits, no thread does.
    pub async fn verify_async(
        &self,
        stored: Option<&SecretHash>,
        password: &str,
    ) -> Result<Option<Verified>> {
        if let Some(stored) = stored.filter(|s| password::is_cheap(s)) {
            return Ok(password::verify(&self.params, stored, password));
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job = check(self.params, stored.cloned(), password.to_owned());
        self.submit(Box::new(move || {
            let _ = tx.send(job());
        }))?;
        rx.await.map_err(|_| lost())
    }

    /// Runs `f` on a worker and waits for it on this thread.
    fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let (tx, rx) = sync_channel(1);
        self.submit(Box::new(move || {
            let _ = tx.send(f());
        }))?;
        rx.recv().map_err(|_| lost())
    }

    /// Queues a job, or refuses it at once when the queue is full.
    fn submit(&self, job: Job) -> Result<()> {
        match self.queue.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.note_refusal();
                Err(Error::Busy)
            }
            Err(TrySendError::Disconnected(_)) => Err(lost()),
        }
    }

    /// Counts a refusal and logs the count now and then, not once per
    /// refusal: a flood would otherwise flood the log too.
    fn note_refusal(&self) {
        let refused = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
        let now = self.started.elapsed().as_millis() as u64;
        let Ok(mut last) = self.last_log.try_lock() else {
            return;
        };
        if last.0 == 0 || now.saturating_sub(last.1) >= BUSY_LOG_EVERY.as_millis() as u64 {
            tracing::warn!(
                refused = refused - last.0,
                "password checks refused: the hashing queue is full (passwords.hash_queue)"
            );
            *last = (refused, now);
        }
    }

    /// Password checks refused as busy since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// The job for one check: against the stored hash, or the dummy one.
fn check(
    params: HashParams,
    stored: Option<SecretHash>,
    password: String,
) -> impl FnOnce() -> Option<Verified> + Send + 'static {
    move || match stored {
        Some(stored) => password::verify(&params, &stored, &password),
        None => {
            // Same cost as a real check, so timing does not reveal the account.
            let _ = password::verify(&params, password::dummy_hash(&params), &password);
            None
        }
    }
}

/// A worker: takes jobs until the queue is closed. A job that panics is
/// logged and the worker goes on, so the pool never shrinks.
///
/// After [`IDLE_RELEASE`] without a job, the worker waiting on the queue
/// frees the argon2 working memory kept for the next computations and hands
/// it back to the system (once per busy spell): kept for ever, 19 MiB per
/// worker were most of a small directory's resident memory. While checks
/// keep coming the memory is reused as before.
fn work(queue: &Mutex<Receiver<Job>>, used: &AtomicBool) {
    loop {
        let next = match queue.lock() {
            Ok(rx) => rx.recv_timeout(IDLE_RELEASE),
            Err(poisoned) => poisoned.into_inner().recv_timeout(IDLE_RELEASE),
        };
        let job = match next {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                if used.swap(false, Ordering::Relaxed) {
                    password::release_memory();
                    crate::memory::release_freed();
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("a password-hashing job panicked");
        }
        // Marked once the job is over and its buffer is back in the stash:
        // marked before, a release by another worker during a long job came
        // too early for that buffer and left it kept until the next job.
        used.store(true, Ordering::Relaxed);
    }
}

fn lost() -> Error {
    Error::Internal("the password-hashing threads stopped".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> HashParams {
        HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn hashes_and_checks_on_its_threads() {
        let pool = HashPool::start(cheap(), 1, 1).unwrap();
        let h = pool.hash("pw").unwrap();
        assert_eq!(
            pool.verify(Some(&h), "pw").unwrap(),
            Some(Verified::Current)
        );
        assert_eq!(pool.verify(Some(&h), "px").unwrap(), None);
        assert_eq!(pool.verify(None, "pw").unwrap(), None);
    }

    /// With the one worker held and the one queue place taken, the next
    /// check is refused at once, and the pool works again once freed.
    #[test]
    fn a_full_queue_answers_busy_at_once() {
        let pool = HashPool::start(cheap(), 1, 1).unwrap();
        let (hold, held) = sync_channel::<()>(0);
        let (started, running) = sync_channel::<()>(0);
        pool.submit(Box::new(move || {
            let _ = started.send(());
            let _ = held.recv();
        }))
        .unwrap();
        running.recv().unwrap();
        pool.submit(Box::new(|| {})).unwrap();
        let at = Instant::now();
        assert!(matches!(pool.verify(None, "pw"), Err(Error::Busy)));
        assert!(matches!(pool.hash("pw"), Err(Error::Busy)));
        assert!(at.elapsed() < Duration::from_secs(1));
        assert_eq!(pool.refused(), 2);
        drop(hold);
        // The queued job may still hold its place for a moment.
        let again = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            pool.hash("pw").is_ok()
        });
        assert!(again);
    }

    #[test]
    fn cheap_hashes_are_checked_in_place() {
        let pool = HashPool::start(cheap(), 1, 0).unwrap();
        let ssha = SecretHash(password::ssha("pw", b"saltsalt"));
        assert_eq!(
            pool.verify(Some(&ssha), "pw").unwrap(),
            Some(Verified::Rehash)
        );
    }
}
