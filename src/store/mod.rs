//! The embedded store: the only module that imports redb. It persists the core's
//! records, keeps every index table in step with them inside the same write
//! transaction, appends the change log, and owns the schema version and its
//! migrations. Callers get one [`Tx`] per operation through [`Store::read`] and
//! [`Store::write`]; a write commits only if the closure returns `Ok`, so every
//! operation is all or nothing. redb is synchronous: call these off the async
//! worker threads.

mod apps;
mod backup;
mod batch;
mod cache;
mod codec;
mod fresh;
mod group;
mod install;
mod migrate;
mod outbox;
mod physical;
mod read;
mod replicated;
mod snapshot;
mod tables;
mod user_writes;
mod write;

use redb::{Database, ReadableDatabase};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use backup::{
    BackupError, BackupHeader, backup_to_file, restore as restore_backup, verify as verify_backup,
};
pub use fresh::HeadSource;
pub use migrate::SCHEMA_VERSION;
pub use physical::{Op, WriteSet, WriteSetError};
pub use replicated::Replicator;
pub use snapshot::Snapshot;

/// Errors of the store. Callers map them to "internal error"; the text is for logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the store {0} is in use by another process (is another dirgate running with the same data_dir?)"
    )]
    Locked(PathBuf),
    #[error("redb: {0}")]
    Db(#[from] redb::Error),
    #[error("stored {what} could not be decoded: {msg}")]
    Corrupt { what: &'static str, msg: String },
    #[error(
        "the store's schema version {found} is newer than this dirgate understands ({supported})"
    )]
    TooNew { found: u32, supported: u32 },
    /// A unique index already holds the key for another record: the use case
    /// should have caught it, so this is the store's last line of defence.
    #[error("{index} '{key}' is already taken")]
    Duplicate { index: &'static str, key: String },
    /// A counter reached its end (no uidNumber left to allocate).
    #[error("no {0} left to allocate")]
    Exhausted(&'static str),
    #[error("write attempted in a read transaction")]
    ReadOnly,
    /// A shared write was dropped unfinished (the thread running its batch panicked).
    #[error("the write was abandoned before it finished")]
    Abandoned,
    /// A shared write was committed but the fsync that makes it durable failed.
    #[error("the change could not be made durable: {0}")]
    Unsynced(String),
    /// In a server set: another node's write reached the log first, so this
    /// one (computed before it) was not applied.
    #[error("another node wrote first (log position {now}); the write was not applied")]
    Moved { now: u64 },
    /// In a server set: the log cannot be reached, so nothing is written.
    #[error("the server set's log is unreachable: {0}")]
    Unavailable(String),
    /// In a server set: this copy has been out of step with the log for
    /// longer than it may answer reads.
    #[error("this node has not been in step with its server set for {secs} s")]
    Stale { secs: u64 },
}

/// Every redb error type funnels into [`StoreError::Db`].
macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.into())
            }
        }
    )*};
}
from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

pub type StoreResult<T> = Result<T, StoreError>;

/// A handle on the open database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    group: Arc<group::GroupCommit>,
    combiner: Arc<batch::Combiner>,
    /// Write transactions begun (committed or not); see [`Store::writes_begun`].
    writes: Arc<AtomicU64>,
    /// In a server set, where every write goes before it commits.
    replicator: Arc<std::sync::OnceLock<Arc<dyn Replicator>>>,
    /// In a server set, how stale this copy may answer reads.
    fresh: Arc<fresh::Freshness>,
    /// In a server set with consistent reads, where the log's head is learned.
    heads: Arc<std::sync::OnceLock<Arc<dyn HeadSource>>>,
}

/// Counts of the store's work since it opened.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StoreStats {
    /// Write transactions committed (each without an fsync of its own).
    pub commits: u64,
    /// Durable commits (fsyncs) run by the group commit; `commits / syncs`
    /// is how many writes shared one.
    pub syncs: u64,
    /// Time spent in them.
    pub sync_seconds: f64,
    /// Shared-write batches run, and the writes they held.
    pub shared_batches: u64,
    pub shared_writes: u64,
}

/// One transaction: reads in both kinds, writes only through `&mut` in
/// [`Store::write`].
pub struct Tx {
    inner: Inner,
    /// The changes so far, when the transaction records them
    /// ([`Store::write_recorded`]).
    log: Option<Box<physical::Log>>,
    /// In a server set, the log position the transaction was computed on.
    base: Option<u64>,
}

enum Inner {
    Read(redb::ReadTransaction, Box<cache::ReadCache>),
    // Boxed: a write transaction is several times larger than a read one.
    Write(Box<redb::WriteTransaction>),
}

/// Bounds of the page cache's size when `[store] cache_mb` is not set.
const MIN_AUTO_CACHE: u64 = 8 << 20;
const MAX_AUTO_CACHE: u64 = 1 << 30;

/// redb's page cache (reads, and the write buffer of an open write
/// transaction, at most half of it) for a store file of `file_bytes`, unless
/// `[store] cache_mb` says otherwise: a quarter of the file, between 8 MiB
/// and 1 GiB. Why sized to the file:
/// - redb's default, 1 GiB, let one 100,000-row import hold hundreds of
///   megabytes of dirty pages; capped, a large write spills to the file
///   before its commit instead (issue 6: a 100,000-row import in at most
///   300 MB; 8 MiB on an empty store: 5.9 s and 144 MB peak, against 5.6 s
///   and 213 MB with 64 MiB).
/// - A small directory's pages all fit in a small cache, and a larger one
///   only fills with pages that writes leave behind (audit events of every
///   bind: a 10,000-user daemon warm after the benchmark's workloads held
///   114 MB with 64 MiB of cache, 40 MB with 8 MiB, searching as fast).
/// - A large one misses more: every miss is a `pread` and a fresh page
///   (`PagedCachedFile::read` in a profile). At 1,000,000 users (2.2 GB
///   file) equality searches ran ~19,000/s with 64 MiB and ~21,000/s with
///   512 MiB once warm, at 700 MB resident (slapd maps 1.4 GB).
pub fn auto_cache_bytes(file_bytes: u64) -> usize {
    let bytes = (file_bytes / 4).clamp(MIN_AUTO_CACHE, MAX_AUTO_CACHE);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// The cache of a bulk write that makes a store of about `final_bytes` (a
/// load, a restore): [`auto_cache_bytes`] of that size, and at least 64 MiB,
/// since half of it is the write buffer the whole write goes through.
pub fn bulk_cache_bytes(final_bytes: u64) -> usize {
    auto_cache_bytes(final_bytes).max(64 << 20)
}

/// [`auto_cache_bytes`] for the store file at `path` as it is now (none
/// yet: the smallest cache).
pub fn cache_for(path: &Path) -> usize {
    auto_cache_bytes(std::fs::metadata(path).map_or(0, |m| m.len()))
}

impl Store {
    /// Opens (or creates) the store file and brings its schema up to date,
    /// with a page cache sized to the file ([`cache_for`]).
    /// `first_id_number` seeds uidNumber/gidNumber allocation in a new store.
    pub fn open(path: &Path, first_id_number: u32) -> StoreResult<Store> {
        Self::open_sized(path, first_id_number, cache_for(path))
    }

    /// [`Self::open`] with `cache_bytes` of page cache (`[store] cache_mb`).
    pub fn open_sized(path: &Path, first_id_number: u32, cache_bytes: usize) -> StoreResult<Store> {
        let db = redb::Builder::new()
            .set_cache_size(cache_bytes)
            .create(path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked(path.to_path_buf()),
                other => other.into(),
            })?;
        let store = Store {
            db: Arc::new(db),
            group: Arc::default(),
            combiner: Arc::default(),
            writes: Arc::default(),
            replicator: Arc::default(),
            fresh: Arc::default(),
            heads: Arc::default(),
        };
        store.write(|tx| migrate::run(tx, first_id_number))?;
        Ok(store)
    }

    /// Runs `f` in a read transaction: a consistent snapshot, never blocked
    /// by writers. In a server set it is refused ([`StoreError::Stale`])
    /// once this copy has been out of step longer than its bound.
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        self.check_fresh()?;
        self.read_any(f)
    }

    /// [`Self::read`] however stale the copy is: for the node's own
    /// bookkeeping (its log position), never for answers.
    fn read_any<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let txn = self.db.begin_read().map_err(StoreError::from)?;
        f(&Tx {
            inner: Inner::Read(txn, Box::default()),
            log: None,
            base: None,
        })
    }

    /// Runs `f` in a write transaction and commits if it returns `Ok`; on
    /// `Err` nothing it did is kept. Returns once the commit is durable, an
    /// fsync it shares with the writes committed alongside (`group`).
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut tx = self.begin_nondurable()?;
        let out = f(&mut tx)?;
        self.commit(tx)?;
        self.settle()?;
        Ok(out)
    }

    /// Like [`Self::write`], and also answers every row the transaction
    /// changed, in order: the write-set another copy of the store replays
    /// with [`Self::apply`] to hold the same rows.
    pub fn write_recorded<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<(T, WriteSet), E> {
        let mut tx = self.begin_nondurable()?;
        tx.log.get_or_insert_with(Box::default);
        let out = f(&mut tx)?;
        let ops = tx
            .log
            .as_ref()
            .map(|l| l.borrow().clone())
            .unwrap_or_default();
        self.commit(tx)?;
        self.settle()?;
        Ok((out, WriteSet { ops }))
    }

    /// Replays a write-set recorded on another copy of the store, in one
    /// durable transaction.
    pub fn apply(&self, ws: &WriteSet) -> Result<(), WriteSetError> {
        self.write(|tx| tx.apply(ws))
    }

    /// A write transaction whose commit skips the fsync; the group commit
    /// makes it durable.
    fn begin_nondurable(&self) -> StoreResult<Tx> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        let mut txn = self.db.begin_write()?;
        txn.set_durability(redb::Durability::None)
            .map_err(|e| StoreError::Db(redb::Error::from(e)))?;
        let mut tx = Tx {
            inner: Inner::Write(Box::new(txn)),
            log: None,
            base: None,
        };
        if self.replicator.get().is_some() {
            tx.log = Some(Box::default());
            tx.base = Some(replicated::position_in(&tx)?);
        }
        Ok(tx)
    }

    /// How many write transactions [`Self::write`] and [`Self::write_shared`]
    /// have begun: when it has not moved, nothing changed (a harness skips
    /// restoring a [`Snapshot`] then).
    pub fn writes_begun(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// What the store has done since it opened, for `/metrics`.
    pub fn stats(&self) -> StoreStats {
        let (commits, syncs, sync_nanos) = self.group.counts();
        let relaxed = Ordering::Relaxed;
        StoreStats {
            commits,
            syncs,
            sync_seconds: sync_nanos as f64 / 1e9,
            shared_batches: self.combiner.batches.load(relaxed),
            shared_writes: self.combiner.batched.load(relaxed),
        }
    }

    /// Makes the commit that just returned durable before its caller is
    /// answered: on a single node by the group commit (an fsync shared with
    /// the commits around it). In a server set a commit is durable once the
    /// log holds it (etcd's quorum): a node that crashes before its own
    /// fsync applies its lost commits again from the log, or copies a peer,
    /// so its commits need none; the node syncs now and then instead
    /// ([`Self::sync_now`]).
    fn settle(&self) -> StoreResult<()> {
        let ticket = self.group.committed();
        if self.replicator.get().is_some() {
            return Ok(());
        }
        self.group.make_durable(ticket, || self.sync())
    }

    /// Puts every commit so far on disk (a server set's node does, before
    /// it tells its peers the position it holds).
    pub fn sync_now(&self) -> StoreResult<()> {
        self.sync()
    }

    /// A durable empty commit: puts every earlier non-durable commit on disk.
    fn sync(&self) -> StoreResult<()> {
        let txn = self.db.begin_write()?;
        txn.commit()?;
        Ok(())
    }
}

/// Opens `$def` in whichever kind of transaction `$tx` holds and evaluates
/// `$body` with it bound to `$t` (both table types implement redb's readable
/// traits, so one body serves both).
macro_rules! with_table {
    ($tx:expr, $open:ident, $def:expr, |$t:ident| $body:expr) => {
        match &$tx.inner {
            $crate::store::Inner::Read(r, _) => {
                let $t = r.$open($def)?;
                $body
            }
            $crate::store::Inner::Write(w) => {
                let $t = w.$open($def)?;
                $body
            }
        }
    };
}
pub(crate) use with_table;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod migrate_tests;

#[cfg(test)]
mod last_login_tests;

#[cfg(test)]
mod read_tests;
