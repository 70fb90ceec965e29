//! One node of a server set: its store joins the log (catches up to the
//! head before the node serves, then follows on a thread of its own that
//! reconnects when etcd goes away) and from then on commits every write
//! only once the log holds it (`store::Replicator`).

use super::etcd::Etcd;
use super::log::{Log, LogError};
use crate::config::ClusterConfig;
use crate::store::{Replicator, Store, StoreError, StoreResult, WriteSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long a joining node may take to apply the log before it gives up.
const CATCH_UP: Duration = Duration::from_secs(120);
/// The pause before the follower reconnects after the stream broke.
const RECONNECT: Duration = Duration::from_millis(500);

/// The log as the store's replicator.
struct Appender(Arc<Log>);

impl Replicator for Appender {
    fn append(&self, base: u64, ws: &WriteSet) -> StoreResult<u64> {
        self.0.append(base, ws).map_err(|e| match e {
            LogError::Moved { now, .. } => StoreError::Moved { now },
            other => StoreError::Unavailable(other.to_string()),
        })
    }
}

/// A joined node; dropping it stops the follower at its next entry.
pub struct Node {
    pub name: String,
    stop: Arc<AtomicBool>,
    view: Arc<View>,
}

/// What `/healthz` shows of a node: its name, the log position its store
/// holds, and the log's head as etcd had it at the last look. A thread of
/// the node looks once a second, so a flood of `/healthz` (which anyone may
/// ask) costs etcd nothing.
pub struct View {
    name: String,
    log: Arc<Log>,
    store: Store,
    last: std::sync::Mutex<Option<Status>>,
}

/// How often the node asks etcd for the log's head.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// A node's state at one moment.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
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

    fn look(&self) -> Status {
        let position = self.store.log_position().unwrap_or(0);
        match self.log.head() {
            Ok(head) => Status {
                node: self.name.clone(),
                state: "following",
                position,
                head: Some(head),
                behind: Some(head > position),
                error: None,
            },
            Err(e) => Status {
                node: self.name.clone(),
                state: "cut-off",
                position,
                head: None,
                behind: None,
                error: Some(e.to_string()),
            },
        }
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
    }
}

/// Joins `store` to the server set `config` describes: follows the log,
/// waits until the store holds its head, then routes every write through it.
pub fn join(store: &Store, config: &ClusterConfig) -> Result<Node, LogError> {
    let etcd = || Etcd::new(config.etcd_endpoints.clone(), config.timeout);
    let log = Arc::new(Log::new(etcd(), &config.prefix));
    let head = log.head()?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let (store, stop) = (store.clone(), stop.clone());
        let follower = Log::new(etcd(), &config.prefix);
        let name = config.node_name.clone();
        std::thread::Builder::new()
            .name("dirgate-follower".into())
            .spawn(move || follow(&follower, &store, &stop, &name))
            .map_err(|e| LogError::Store(StoreError::Unavailable(e.to_string())))?;
    }
    if !store.wait_for(head, CATCH_UP) {
        return Err(LogError::Store(StoreError::Unavailable(format!(
            "could not apply the log up to {head} within {} s",
            CATCH_UP.as_secs()
        ))));
    }
    store.replicate_through(Arc::new(Appender(log.clone())));
    tracing::info!(node = %config.node_name, position = head, "joined the server set");
    let view = Arc::new(View {
        name: config.node_name.clone(),
        log,
        store: store.clone(),
        last: std::sync::Mutex::new(None),
    });
    {
        let (view, stop) = (view.clone(), stop.clone());
        std::thread::Builder::new()
            .name("dirgate-node-status".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    view.refresh();
                    std::thread::sleep(LOOK_EVERY);
                }
            })
            .map_err(|e| LogError::Store(StoreError::Unavailable(e.to_string())))?;
    }
    Ok(Node {
        name: config.node_name.clone(),
        stop,
        view,
    })
}

/// Follows the log until `stop`, reconnecting when the stream breaks.
fn follow(log: &Log, store: &Store, stop: &AtomicBool, name: &str) {
    while !stop.load(Ordering::Relaxed) {
        match log.follow(store, stop) {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(node = name, error = %e, "following the log stopped; reconnecting");
                std::thread::sleep(RECONNECT);
            }
        }
    }
}
