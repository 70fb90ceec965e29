//! Prometheus metrics, exposed at `/metrics` on the HTTP listener in the
//! OpenMetrics text format (the `prometheus-client` crate, the Prometheus
//! project's own): LDAP operations by type and result code with their
//! latency, binds by outcome, HTTP requests by route and status with their
//! latency, connections open and refused on each listener, and the store's
//! size, commits, fsyncs (the group commit) and shared-write batches, and
//! accounts locked by failed password checks.
//! Counting is a few atomic adds per operation; what other parts already
//! count (connection caps, the store) is read at scrape time. One [`Metrics`] per server, so that servers in one process (the
//! tests) do not mix their counts. Imports no protocol crate.
//!
//! - `config`: the `[metrics]` section (on or off, a bearer token).

mod cluster;
pub mod config;
mod work;

use crate::conn_limit::Caps;
use crate::directory::Directory;
use crate::store::StoreStats;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The media type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LdapOp {
    op: &'static str,
    /// The LDAP result code (RFC 4511 §4.1.9), as its number.
    code: i64,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Op {
    op: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpRequest {
    /// The route's template (`/scim/v2/Users/{id}`), never the path itself:
    /// ids and logins would make one series each.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Listener {
    listener: &'static str,
}

/// Latency buckets: 50 µs to about 1.6 s, doubling.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

type Latencies<L> = Family<L, Histogram, fn() -> Histogram>;

/// The LDAP operations counted, in the order of [`OpHandles`].
const OPS: [&str; 11] = [
    "bind",
    "unbind",
    "search",
    "compare",
    "extended",
    "abandon",
    "add",
    "modify",
    "delete",
    "modify_dn",
    "other",
];

/// One operation's series, looked up once: the answer path then costs an
/// atomic add or two, not a hash and a lock per operation.
struct OpHandles {
    op: &'static str,
    seconds: Histogram,
    /// Result code 0, by far the most common.
    ok: Counter,
}

/// Every metric of one server.
pub struct Metrics {
    registry: Registry,
    ops: Vec<OpHandles>,
    bind_ok: Counter,
    bind_failed: Counter,
    ldap_ops: Family<LdapOp, Counter>,
    http_requests: Family<HttpRequest, Counter>,
    http_seconds: Latencies<Route>,
    connections_open: Family<Listener, Gauge>,
    connections_refused: Family<Listener, Counter>,
    store_bytes: Gauge,
    store: StoreCounters,
    /// Read at scrape time: each listener's caps, the store and its file.
    listeners: Mutex<Vec<(&'static str, Arc<Caps>)>>,
    watched_store: Mutex<Option<Directory>>,
    lockouts: Counter,
    store_file: Option<PathBuf>,
    work: work::WorkCounters,
    watched_imports: Mutex<Option<crate::import::Imports>>,
    /// In a server set, the node.
    cluster: Option<cluster::ClusterMetrics>,
}

/// The store's own counts, copied into counters at each scrape.
#[derive(Default)]
struct StoreCounters {
    commits: Counter,
    syncs: Counter,
    sync_seconds: Counter<f64, AtomicU64>,
    shared_batches: Counter,
    shared_writes: Counter,
}

impl StoreCounters {
    fn register(&self, registry: &mut Registry) {
        registry.register(
            "store_commits",
            "Write transactions committed",
            self.commits.clone(),
        );
        registry.register(
            "store_syncs",
            "Durable commits (fsyncs) of the group commit; commits / syncs is how many writes shared one",
            self.syncs.clone(),
        );
        registry.register(
            "store_sync_seconds",
            "Time spent making commits durable",
            self.sync_seconds.clone(),
        );
        registry.register(
            "store_shared_batches",
            "Batches of shared writes (SCIM, the admin API) run in one transaction",
            self.shared_batches.clone(),
        );
        registry.register(
            "store_shared_writes",
            "Writes those batches held; shared_writes / shared_batches is the mean batch size",
            self.shared_writes.clone(),
        );
    }

    /// Brings each counter up to the store's count.
    fn update(&self, s: StoreStats) {
        let up = |c: &Counter, v: u64| {
            c.inc_by(v.saturating_sub(c.get()));
        };
        up(&self.commits, s.commits);
        up(&self.syncs, s.syncs);
        up(&self.shared_batches, s.shared_batches);
        up(&self.shared_writes, s.shared_writes);
        let behind = s.sync_seconds - self.sync_seconds.get();
        if behind > 0.0 {
            self.sync_seconds.inc_by(behind);
        }
    }
}

impl Metrics {
    /// The metrics of a server whose store is the file `store_file` (none
    /// for a store in memory), and which is `node` of a server set.
    pub fn new(
        store_file: Option<PathBuf>,
        node: Option<Arc<crate::cluster::node::View>>,
    ) -> Metrics {
        let mut registry = Registry::with_prefix("dirgate");
        let ldap_ops = Family::<LdapOp, Counter>::default();
        let ldap_seconds = Latencies::<Op>::new_with_constructor(latency as fn() -> Histogram);
        let binds = Family::<Outcome, Counter>::default();
        let http_requests = Family::<HttpRequest, Counter>::default();
        let http_seconds = Latencies::<Route>::new_with_constructor(latency as fn() -> Histogram);
        let connections_open = Family::<Listener, Gauge>::default();
        let connections_refused = Family::<Listener, Counter>::default();
        let store_bytes = Gauge::default();
        registry.register(
            "ldap_operations",
            "LDAP operations answered, by operation and result code",
            ldap_ops.clone(),
        );
        registry.register(
            "ldap_operation_seconds",
            "Time to answer an LDAP operation, by operation",
            ldap_seconds.clone(),
        );
        registry.register(
            "ldap_binds",
            "LDAP binds by outcome (success, failure)",
            binds.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests (SCIM, admin API, console) by route and status",
            http_requests.clone(),
        );
        registry.register(
            "http_request_seconds",
            "Time to answer an HTTP request, by route",
            http_seconds.clone(),
        );
        registry.register(
            "connections_open",
            "Connections open, by listener",
            connections_open.clone(),
        );
        registry.register(
            "connections_refused",
            "Connections refused by the connection caps, by listener",
            connections_refused.clone(),
        );
        registry.register(
            "store_bytes",
            "Size of the store's file",
            store_bytes.clone(),
        );
        let store = StoreCounters::default();
        store.register(&mut registry);
        let lockouts = Counter::default();
        registry.register(
            "lockouts",
            "Accounts locked by failed password checks",
            lockouts.clone(),
        );
        let work = work::WorkCounters::default();
        work.register(&mut registry);
        let cluster = node.map(|view| cluster::ClusterMetrics::new(view, &mut registry));
        let ops = OPS
            .iter()
            .map(|op| OpHandles {
                op,
                seconds: ldap_seconds.get_or_create(&Op { op }).clone(),
                ok: ldap_ops.get_or_create(&LdapOp { op, code: 0 }).clone(),
            })
            .collect();
        let outcome = |outcome| binds.get_or_create(&Outcome { outcome }).clone();
        Metrics {
            registry,
            ops,
            bind_ok: outcome("success"),
            bind_failed: outcome("failure"),
            ldap_ops,
            http_requests,
            http_seconds,
            connections_open,
            connections_refused,
            store_bytes,
            store,
            watched_store: Mutex::new(None),
            lockouts,
            listeners: Mutex::new(Vec::new()),
            store_file,
            work,
            watched_imports: Mutex::new(None),
            cluster,
        }
    }

    /// Reports a listener's open and refused connections at each scrape.
    pub fn watch_listener(&self, name: &'static str, caps: Arc<Caps>) {
        let mut listeners = self.listeners.lock().unwrap_or_else(|p| p.into_inner());
        listeners.push((name, caps));
    }

    /// Reports the directory's lockouts and its store's commits, fsyncs and
    /// batches at each scrape.
    pub fn watch_directory(&self, dir: Directory) {
        *self.watched_store.lock().unwrap_or_else(|p| p.into_inner()) = Some(dir);
    }

    /// Reports the import jobs at each scrape.
    pub fn watch_imports(&self, imports: crate::import::Imports) {
        *self
            .watched_imports
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(imports);
    }

    /// Counts one answered LDAP operation (`op` one of the names `OPS`
    /// lists; any other counts as `other`).
    pub fn ldap_op(&self, op: &'static str, code: Option<i64>, took: Duration) {
        let Some(h) = self
            .ops
            .iter()
            .find(|h| h.op == op)
            .or_else(|| self.ops.last())
        else {
            return;
        };
        match code {
            Some(0) => h.ok.inc(),
            Some(code) => self
                .ldap_ops
                .get_or_create(&LdapOp { op: h.op, code })
                .inc(),
            None => 0,
        };
        if h.op == "bind" {
            match code {
                Some(0) => self.bind_ok.inc(),
                Some(_) => self.bind_failed.inc(),
                None => 0,
            };
        }
        h.seconds.observe(took.as_secs_f64());
    }

    /// Counts one answered HTTP request.
    pub fn http_request(&self, route: &str, status: u16, took: Duration) {
        let route = route.to_owned();
        self.http_requests
            .get_or_create(&HttpRequest {
                route: route.clone(),
                status,
            })
            .inc();
        self.http_seconds
            .get_or_create(&Route { route })
            .observe(took.as_secs_f64());
    }

    /// The exposition: what is read at scrape time is read now.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        {
            let listeners = self.listeners.lock().unwrap_or_else(|p| p.into_inner());
            for (listener, caps) in listeners.iter() {
                let label = Listener { listener };
                let open = i64::try_from(caps.open()).unwrap_or(i64::MAX);
                self.connections_open.get_or_create(&label).set(open);
                let refused = self.connections_refused.get_or_create(&label);
                refused.inc_by(caps.refused().saturating_sub(refused.get()));
            }
        }
        if let Some(dir) = self
            .watched_store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            self.store.update(dir.store().stats());
            let locked = dir.journal().lockouts();
            self.lockouts
                .inc_by(locked.saturating_sub(self.lockouts.get()));
            self.work.update_outbox(dir);
        }
        if let Some(imports) = self
            .watched_imports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            self.work.update_imports(imports);
        }
        if let Some(size) = self
            .store_file
            .as_ref()
            .and_then(|f| std::fs::metadata(f).ok())
        {
            self.store_bytes
                .set(i64::try_from(size.len()).unwrap_or(i64::MAX));
        }
        if let Some(c) = &self.cluster {
            c.update();
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}
