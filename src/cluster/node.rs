//! One node of a server set: its store joins the log (catches up to the
//! head before the node serves, then follows on a thread of its own that
//! reconnects when etcd goes away) and from then on commits every write
//! only once the log holds it (`store::Replicator`). A second thread looks
//! at etcd's head once a second: what `/healthz`, `/readyz` and `/metrics`
//! show, and the moments the store is known to be in step, which bound how
//! stale its reads may be (`cluster.max_staleness_secs`).

use super::etcd::Etcd;
use super::log::{Applied, Log, LogError};
use crate::config::ClusterConfig;
use crate::store::{Replicator, Store, StoreError, StoreResult, WriteSet};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a joining node may take to apply the log before it gives up.
const CATCH_UP: Duration = Duration::from_secs(120);
/// The pause before the follower reconnects after the stream broke.
const RECONNECT: Duration = Duration::from_millis(500);
/// How often the node asks etcd for the log's head.
const LOOK_EVERY: Duration = Duration::from_secs(1);

fn now_ms() -> u64 {
    u64::try_from(crate::directory::model::now()).unwrap_or(0)
}

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
    fn refresh(&self) {
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
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, LogError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(|e| LogError::Store(StoreError::Unavailable(e.to_string())))
}

/// Joins `store` to the server set `config` describes: follows the log,
/// waits until the store holds its head, then routes every write through it.
pub fn join(store: &Store, config: &ClusterConfig) -> Result<Node, LogError> {
    let etcd = || Etcd::new(config.etcd_endpoints.clone(), config.timeout);
    let log = Arc::new(Log::new(etcd(), &config.prefix));
    let head = log.head()?;
    let stop = Arc::new(AtomicBool::new(false));
    let view = Arc::new(View {
        name: config.node_name.clone(),
        log: log.clone(),
        store: store.clone(),
        last: Mutex::new(None),
        previous: Mutex::new(None),
        counts: Counts::default(),
    });
    let mut node = Node {
        name: config.node_name.clone(),
        stop: stop.clone(),
        view: view.clone(),
        threads: Vec::new(),
    };
    {
        let (store, stop, view) = (store.clone(), stop.clone(), view.clone());
        let follower = Log::new(etcd(), &config.prefix);
        let name = config.node_name.clone();
        node.threads.push(spawn("dirgate-follower", move || {
            follow(&follower, &store, &stop, &name, &view.counts)
        })?);
    }
    if !store.wait_for(head, CATCH_UP) {
        return Err(LogError::Store(StoreError::Unavailable(format!(
            "could not apply the log up to {head} within {} s",
            CATCH_UP.as_secs()
        ))));
    }
    store.bound_staleness(config.max_staleness);
    store.replicate_through(Arc::new(Appender {
        log,
        view: view.clone(),
    }));
    tracing::info!(node = %config.node_name, position = head, "joined the server set");
    node.threads.push(spawn("dirgate-node-status", move || {
        while !stop.load(Ordering::Relaxed) {
            view.refresh();
            sleep_unless(&stop, LOOK_EVERY);
        }
    })?);
    Ok(node)
}

/// Sleeps `d`, waking early when `stop` is set.
fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < d && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        slept += step;
    }
}

/// Follows the log until `stop`, one watch span after another,
/// reconnecting after a pause when the stream breaks.
fn follow(log: &Log, store: &Store, stop: &AtomicBool, name: &str, counts: &Counts) {
    let mut applied = |a: Applied| {
        counts.applied.fetch_add(1, Ordering::Relaxed);
        let lag = now_ms().saturating_sub(a.appended_ms);
        counts.lag.observe(lag as f64 / 1000.0);
    };
    while !stop.load(Ordering::Relaxed) {
        if let Err(e) = log.follow(store, stop, &mut applied) {
            tracing::warn!(node = name, error = %e, "following the log stopped; reconnecting");
            sleep_unless(stop, RECONNECT);
        }
    }
}
