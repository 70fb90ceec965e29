//! Shared write transactions. Many small concurrent writes (an identity
//! provider's SCIM clients creating users) spend most of a transaction's cost
//! on what every transaction pays once: copying the B-tree pages it touches
//! and flushing them at commit. [`Store::write_shared`] lets concurrent callers
//! combine: the first to arrive leads, takes every write queued meanwhile, runs
//! them one after another in one redb transaction and commits them together,
//! while the others wait for their outcome.
//!
//! Each write stays all or nothing. redb has no savepoints inside a dirty
//! transaction, so a write that fails cannot be undone alone: the leader drops
//! the whole transaction, keeps that write's error as its answer (it saw the
//! state the writes before it left, a valid serial order in which it changed
//! nothing) and runs the remaining writes again in a new transaction. That is
//! why a shared write is `FnMut` and must keep no effect outside its `Tx`.

use super::{Store, StoreError, StoreResult, Tx};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// Most writes one transaction takes, so a burst never makes one caller wait
/// behind an unbounded batch.
const MAX_BATCH: usize = 64;

/// The queue of writes waiting for a leader.
#[derive(Default)]
pub(super) struct Combiner {
    state: Mutex<Queue>,
    led: Condvar,
    /// Batches run and the writes they held (for `/metrics`).
    pub(super) batches: std::sync::atomic::AtomicU64,
    pub(super) batched: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Queue {
    jobs: Vec<Box<dyn Job>>,
    leading: bool,
}

/// One caller's write with its outcome, type-erased so a batch may mix them.
trait Job: Send {
    /// Runs the write in `tx`; false when it failed (its error is its outcome).
    fn attempt(&mut self, tx: &mut Tx) -> bool;
    /// Makes `e` the outcome: the batch holding this write could not commit.
    fn fail(&mut self, e: StoreError);
    /// Marks the outcome as final: until then, dropping the job (a panic
    /// unwinding through the leader) answers "abandoned", since an attempt's
    /// outcome means nothing before its transaction commits.
    fn settle(&mut self);
}

/// Where a caller finds its outcome. Filled when the job is dropped, so a
/// job lost to a panicking leader still answers its caller.
type Slot<T, E> = Arc<Mutex<Option<Result<T, E>>>>;

struct Write<F, T, E: From<StoreError>> {
    f: F,
    out: Option<Result<T, E>>,
    settled: bool,
    slot: Slot<T, E>,
}

impl<F, T, E> Job for Write<F, T, E>
where
    F: FnMut(&mut Tx) -> Result<T, E> + Send,
    T: Send,
    E: From<StoreError> + Send,
{
    fn attempt(&mut self, tx: &mut Tx) -> bool {
        let out = (self.f)(tx);
        let ok = out.is_ok();
        self.out = Some(out);
        ok
    }

    fn fail(&mut self, e: StoreError) {
        self.out = Some(Err(e.into()));
    }

    fn settle(&mut self) {
        self.settled = true;
    }
}

impl<F, T, E: From<StoreError>> Drop for Write<F, T, E> {
    fn drop(&mut self) {
        let out = match self.out.take() {
            Some(out) if self.settled => out,
            _ => Err(StoreError::Abandoned.into()),
        };
        *lock(&self.slot) = Some(out);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Both mutexes hold plain data, valid even if a holder panicked.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Hands leadership back even if the leader panics, so waiters take over.
struct Resign<'a>(&'a Combiner);

impl Drop for Resign<'_> {
    fn drop(&mut self) {
        lock(&self.0.state).leading = false;
        self.0.led.notify_all();
    }
}

/// Boxes a write with the slot its caller reads the outcome from.
fn job<F, T, E>(f: F) -> (Box<dyn Job>, Slot<T, E>)
where
    F: FnMut(&mut Tx) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let slot: Slot<T, E> = Arc::default();
    let job = Box::new(Write {
        f,
        out: None,
        settled: false,
        slot: slot.clone(),
    });
    (job, slot)
}

impl Store {
    /// Like [`Store::write`], but the transaction may be shared with other
    /// concurrent `write_shared` callers (see the module comment). `f` may run
    /// more than once, on another thread, and must have no effect outside
    /// `tx`; only its last run's outcome is returned. Returns once the
    /// change is durable. `f` must not call `write_shared` itself.
    pub fn write_shared<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnMut(&mut Tx) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (job, slot) = job(f);
        let combiner = &*self.combiner;
        let mut q = lock(&combiner.state);
        q.jobs.push(job);
        loop {
            // Checked under the queue lock, and the leader fills slots before
            // it takes that lock to resign: no wake-up is lost.
            if let Some(out) = lock(&slot).take() {
                return out;
            }
            if q.leading {
                q = combiner.led.wait(q).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            q.leading = true;
            let take = q.jobs.len().min(MAX_BATCH);
            let jobs: Vec<_> = q.jobs.drain(..take).collect();
            drop(q);
            let relaxed = std::sync::atomic::Ordering::Relaxed;
            combiner.batches.fetch_add(1, relaxed);
            combiner.batched.fetch_add(jobs.len() as u64, relaxed);
            {
                let _resign = Resign(combiner);
                self.run_batch(jobs);
            }
            q = lock(&combiner.state);
        }
    }

    /// Commits `jobs` together, dropping out each one that fails, then makes
    /// the commit durable. Dropping the jobs hands their outcomes over.
    fn run_batch(&self, mut jobs: Vec<Box<dyn Job>>) {
        let mut failed = Vec::new();
        // In a server set, a batch that lost the race to the log runs again
        // on the copy that now holds the winner (its writes are re-runnable).
        let mut races = 0;
        while !jobs.is_empty() {
            match self.try_batch(&mut jobs) {
                Ok(None) => break,
                Err(StoreError::Moved { .. }) if races < super::replicated::RACES => races += 1,
                Ok(Some(i)) => {
                    let mut job = jobs.remove(i);
                    job.settle();
                    failed.push(job);
                }
                Err(_) => {
                    // The transaction itself failed (begin or commit): give
                    // each write its own, and so its own error.
                    for job in &mut jobs {
                        self.run_alone(job.as_mut());
                    }
                    return;
                }
            }
        }
        if jobs.is_empty() {
            return;
        }
        if let Err(e) = self.settle() {
            // The changes are committed but their fsync failed: report it to
            // each caller as the store error it is.
            let msg = e.to_string();
            for job in &mut jobs {
                job.fail(StoreError::Unsynced(msg.clone()));
            }
        }
        jobs.iter_mut().for_each(|job| job.settle());
    }

    /// Runs every job in one non-durable transaction and commits it. Returns
    /// the index of the first job that failed (and then commits nothing).
    fn try_batch(&self, jobs: &mut [Box<dyn Job>]) -> StoreResult<Option<usize>> {
        let mut tx = self.begin_nondurable()?;
        for (i, job) in jobs.iter_mut().enumerate() {
            if !job.attempt(&mut tx) {
                return Ok(Some(i));
            }
        }
        self.commit(tx)?;
        Ok(None)
    }

    fn run_alone(&self, job: &mut dyn Job) {
        let out = self.write(|tx| {
            if job.attempt(tx) {
                Ok(())
            } else {
                // Its error is already its outcome; abort the transaction.
                Err(StoreError::Abandoned)
            }
        });
        if let Err(e) = out
            && !matches!(e, StoreError::Abandoned)
        {
            job.fail(e);
        }
        job.settle();
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
