//! One node of a server set: its store joins the log (catches up to the
//! head before the node serves, then follows on a thread of its own that
//! reconnects when etcd goes away) and from then on commits every write
//! only once the log holds it (`store::Replicator`). A second thread looks
//! at etcd's head once a second: what `/healthz`, `/readyz` and `/metrics`
//! show, and the moments the store is known to be in step, which bound how
//! stale its reads may be (`cluster.max_staleness_secs`); the same thread
//! announces the node and compacts (`keeper`). A node that never joined
//! starts as `start` says; one whose next entry was compacted away catches
//! up from a peer's snapshot (`snapshot`).

use super::etcd::{Etcd, EtcdError};
use super::keeper::Keeper;
use super::log::{Log, LogError};
use super::members::Members;
use super::now_ms;
use super::snapshot::Peers;
use super::start::start_from;
use crate::config::ClusterConfig;
use crate::store::{Replicator, Store, StoreError, StoreResult, WriteSet};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a joining node may take to apply the log (or install a
/// snapshot) before it gives up.
pub(super) const CATCH_UP: Duration = Duration::from_secs(600);
/// The pause before asking again when no peer could give a snapshot.
const SNAPSHOT_RETRY: Duration = Duration::from_secs(5);
/// The pause before the follower reconnects after the stream broke.
const RECONNECT: Duration = Duration::from_millis(500);
/// How often the node asks etcd for the log's head.
pub(super) const LOOK_EVERY: Duration = Duration::from_secs(1);

/// What the node counts for `/metrics`.
pub struct Counts {
    /// From an entry's append on another node to its apply here.
    pub lag: Histogram,
    /// Entries written by other nodes and applied here.
    pub applied: AtomicU64,
    /// This node's writes the log took.
    pub appends: AtomicU64,
    /// This node's writes that lost the race to another node's and ran again.
    pub races: AtomicU64,
}

impl Default for Counts {
    fn default() -> Counts {
        Counts {
            // 100 µs to about 6.5 s, doubling.
            lag: Histogram::new(exponential_buckets(0.000_1, 2.0, 17)),
            applied: AtomicU64::default(),
            appends: AtomicU64::default(),
            races: AtomicU64::default(),
        }
    }
}

/// The log as the store's replicator.
struct Appender {
    log: Arc<Log>,
    view: Arc<View>,
}

impl Replicator for Appender {
    fn append(&self, base: u64, ws: &WriteSet) -> StoreResult<u64> {
        let counts = &self.view.counts;
        match self.log.append(base, ws) {
            Ok(position) => {
                counts.appends.fetch_add(1, Ordering::Relaxed);
                Ok(position)
            }
            Err(LogError::Moved { now, .. }) => {
                counts.races.fetch_add(1, Ordering::Relaxed);
                Err(StoreError::Moved { now })
            }
            Err(other) => Err(StoreError::Unavailable(other.to_string())),
        }
    }
}

/// A joined node; dropping it stops its threads and waits for them (a
/// watch span at most), so the store file is free once it is gone.
pub struct Node {
    pub name: String,
    stop: Arc<AtomicBool>,
    view: Arc<View>,
    threads: Vec<JoinHandle<()>>,
    /// The set's shared secret: what peers present to this node.
    secret: String,
    /// Where peers reach this node's HTTP listener, once it listens.
    advertised: Arc<Mutex<Option<String>>>,
}

/// What `/healthz` shows of a node: its name, the log position its store
/// holds, and the log's head as etcd had it at the last look. A thread of
/// the node looks once a second, so a flood of `/healthz` (which anyone may
/// ask) costs etcd nothing.
pub struct View {
    name: String,
    log: Arc<Log>,
    store: Store,
    last: Mutex<Option<Status>>,
    /// The previous look: when, and the head then.
    previous: Mutex<Option<(u64, u64)>>,
    pub counts: Counts,
}

/// A node's state at one moment.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Status {
    pub node: String,
    /// `following` (etcd answers) or `cut-off` (it does not: no writes).
    pub state: &'static str,
    /// The last log entry this node applied.
    pub position: u64,
    /// The newest entry in etcd (absent when cut off).
    pub head: Option<u64>,
    /// Whether entries exist that this node has not applied yet.
    pub behind: Option<bool>,
    /// Seconds since the node last knew it held the log's head.
    pub stale_secs: f64,
    /// Whether it answers reads (it is not staler than its bound).
    pub reads: bool,
    /// Whether it takes writes (etcd answers).
    pub writes: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Status {
    /// Ready to serve: reads and writes.
    pub fn ready(&self) -> bool {
        self.reads && self.writes
    }
}

impl View {
    /// The node's state at the last look (looking now if none was taken).
    pub fn status(&self) -> Status {
        let last = self.last.lock().ok().and_then(|l| l.clone());
        last.unwrap_or_else(|| self.look())
    }

    /// Asks etcd for the head (one call), compares, and keeps the answer.
    pub(super) fn refresh(&self) {
        let now = self.look();
        if let Ok(mut last) = self.last.lock() {
            *last = Some(now);
        }
    }

    /// One look. The store is in step as of this look when it holds the
    /// head etcd answers now, and as of the previous look when it holds the
    /// head etcd answered then (under a steady flow of writes it is rarely
    /// exactly at the head, but it soon holds what existed a second ago).
    fn look(&self) -> Status {
        let at = now_ms();
        let position = self.store.log_position().unwrap_or(0);
        let head = self.log.head();
        if let Ok(head) = head {
            let previous = self
                .previous
                .lock()
                .ok()
                .and_then(|mut p| p.replace((at, head)));
            if position >= head {
                self.store.mark_fresh(at);
            } else if let Some((then, _)) = previous.filter(|(_, h)| position >= *h) {
                self.store.mark_fresh(then);
            }
        }
        let stale = self.store.staleness().unwrap_or_default();
        let reads = self.store.read(|tx| tx.last_seq()).is_ok();
        let mut status = Status {
            node: self.name.clone(),
            state: "following",
            position,
            head: None,
            behind: None,
            stale_secs: stale.as_secs_f64(),
            reads,
            writes: true,
            error: None,
        };
        match head {
            Ok(head) => {
                status.head = Some(head);
                status.behind = Some(head > position);
            }
            Err(e) => {
                status.state = "cut-off";
                status.writes = false;
                status.error = Some(e.to_string());
            }
        }
        status
    }
}

impl Node {
    /// The node as `/healthz` shows it.
    pub fn view(&self) -> Arc<View> {
        self.view.clone()
    }

    /// The set's shared secret, which peers asking for a snapshot present.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Tells peers, from the next announcement on, where this node's HTTP
    /// listener is (`http(s)://host:port`).
    pub fn advertise(&self, url: String) {
        if let Ok(mut a) = self.advertised.lock() {
            *a = Some(url);
        }
    }
}

/// The URL peers reach a listener bound at `addr` by: the address itself,
/// or the host name when it listens on every address.
pub fn default_url(addr: std::net::SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    if addr.ip().is_unspecified() {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_else(|_| "localhost".into());
        return format!("{scheme}://{host}:{}", addr.port());
    }
    format!("{scheme}://{addr}")
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        // What was applied or written since the last announcement, on disk.
        if let Err(e) = self.view.store.sync_now() {
            tracing::warn!(error = %e, "could not sync the store");
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, LogError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(|e| LogError::Store(StoreError::Unavailable(e.to_string())))
}

/// Joins `store` to the server set `config` describes: follows the log
/// (from a peer's snapshot when etcd no longer keeps the entries it
/// needs), waits until the store holds its head, then routes every write
/// through it. `data_dir` receives a snapshot before it is installed.
pub fn join(
    store: &Store,
    config: &ClusterConfig,
    data_dir: &std::path::Path,
) -> Result<Node, LogError> {
    let tls = client_tls(config)?;
    let etcd = || Etcd::with_tls(config.etcd_endpoints.clone(), config.timeout, tls.clone());
    let log = Arc::new(Log::new(etcd(), &config.prefix));
    let head = log.head()?;
    let members = Members::new(etcd(), &config.prefix);
    let secret = members.secret()?;
    let stop = Arc::new(AtomicBool::new(false));
    let view = Arc::new(View {
        name: config.node_name.clone(),
        log: log.clone(),
        store: store.clone(),
        last: Mutex::new(None),
        previous: Mutex::new(None),
        counts: Counts::default(),
    });
    let peers = Peers {
        members: Members::new(etcd(), &config.prefix),
        me: config.node_name.clone(),
        secret: secret.clone(),
        data_dir: data_dir.to_path_buf(),
        timeout: config.timeout,
        tls: tls.clone(),
    };
    start_from(store, &log, head, &peers)?;
    let mut node = Node {
        name: config.node_name.clone(),
        stop: stop.clone(),
        view: view.clone(),
        threads: Vec::new(),
        secret: secret.clone(),
        advertised: Arc::new(Mutex::new(config.advertise_url.clone())),
    };
    {
        let (store, stop, view) = (store.clone(), stop.clone(), view.clone());
        let follower = Log::new(etcd(), &config.prefix);
        node.threads.push(spawn("dirgate-follower", move || {
            follow(&follower, &store, &stop, &peers, &view.counts)
        })?);
    }
    if !store.wait_for(head, CATCH_UP) {
        return Err(LogError::Store(StoreError::Unavailable(format!(
            "could not apply the log up to {head} within {} s",
            CATCH_UP.as_secs()
        ))));
    }
    store.bound_staleness(config.max_staleness);
    if config.consistent_reads {
        store.read_through(Arc::new(super::heads::Heads::new(log.clone())));
    }
    store.replicate_through(Arc::new(Appender {
        log,
        view: view.clone(),
    }));
    tracing::info!(node = %config.node_name, position = head, "joined the server set");
    let keeper = Keeper {
        members,
        store: store.clone(),
        name: config.node_name.clone(),
        advertised: node.advertised.clone(),
        compact_every: config.compact_every,
        forget_after: config.forget_after,
    };
    node.threads.push(spawn("dirgate-node-status", move || {
        keeper.run(&view, &stop)
    })?);
    Ok(node)
}

/// The TLS of the node's calls to etcd and to its peers, from the files
/// `[cluster]` names.
fn client_tls(config: &ClusterConfig) -> Result<ureq::tls::TlsConfig, LogError> {
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let built = (|| {
        let ca = config.ca_file.as_deref().map(read).transpose()?;
        let identity = match &config.identity {
            Some((c, k)) => Some((read(c)?, read(k)?)),
            None => None,
        };
        let identity = identity.as_ref().map(|(c, k)| (c.as_slice(), k.as_slice()));
        crate::client_tls::config(ca.as_deref(), identity, "cluster")
    })();
    built.map_err(|e| LogError::Store(StoreError::Unavailable(e)))
}

/// Sleeps `d`, waking early when `stop` is set.
pub(super) fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < d && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        slept += step;
    }
}

/// Follows the log until `stop`, one watch span after another,
/// reconnecting after a pause when the stream breaks, and installing a
/// peer's snapshot when etcd no longer keeps what it needs: entries
/// compacted away, or the parts of a large entry gone with their lease.
fn follow(log: &Log, store: &Store, stop: &AtomicBool, peers: &Peers, counts: &Counts) {
    let mut applied = |appended_ms: u64| {
        counts.applied.fetch_add(1, Ordering::Relaxed);
        let lag = now_ms().saturating_sub(appended_ms);
        counts.lag.observe(lag as f64 / 1000.0);
    };
    while !stop.load(Ordering::Relaxed) {
        let needed = match log.follow(store, stop, &mut applied) {
            Ok(()) => continue,
            // A watch may start at the compacted revision itself.
            Err(LogError::Etcd(EtcdError::Compacted(at))) => at.saturating_sub(1).max(1),
            Err(LogError::PartsGone { position }) => position,
            Err(e) => {
                tracing::warn!(node = %peers.me, error = %e, "following the log stopped; reconnecting");
                sleep_unless(stop, RECONNECT);
                continue;
            }
        };
        tracing::warn!(
            node = %peers.me,
            position = store.log_position().unwrap_or(0),
            needed,
            "etcd no longer keeps the log entries this node needs; asking a peer for a snapshot"
        );
        if let Err(e) = peers.catch_up(store, needed) {
            tracing::warn!(node = %peers.me, error = %e, "no snapshot installed; trying again");
            sleep_unless(stop, SNAPSHOT_RETRY);
        }
    }
}
