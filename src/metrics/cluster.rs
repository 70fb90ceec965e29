//! A server-set node's metrics (issue 14), read at scrape time from the
//! node's last look and counts: its log position and etcd's head, whether
//! etcd answers, how stale it is, and how long entries written elsewhere
//! take to be applied here (the replication lag). Registered only when the
//! node is in a set.

use crate::cluster::node::View;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub(super) struct ClusterMetrics {
    view: Arc<View>,
    position: Gauge,
    head: Gauge,
    connected: Gauge,
    stale: Gauge<f64, AtomicU64>,
    applied: Counter,
    appends: Counter,
    races: Counter,
}

impl ClusterMetrics {
    pub(super) fn new(view: Arc<View>, registry: &mut Registry) -> ClusterMetrics {
        let m = ClusterMetrics {
            view,
            position: Gauge::default(),
            head: Gauge::default(),
            connected: Gauge::default(),
            stale: Gauge::default(),
            applied: Counter::default(),
            appends: Counter::default(),
            races: Counter::default(),
        };
        let r = registry;
        r.register(
            "cluster_log_position",
            "The last log entry this node applied",
            m.position.clone(),
        );
        r.register(
            "cluster_log_head",
            "The newest log entry in etcd, at the node's last look",
            m.head.clone(),
        );
        r.register(
            "cluster_connected",
            "1 when etcd answered the node's last look (it takes writes), 0 when cut off",
            m.connected.clone(),
        );
        r.register(
            "cluster_staleness_seconds",
            "Time since the node last knew it held the log's head",
            m.stale.clone(),
        );
        r.register(
            "cluster_apply_lag_seconds",
            "From an entry's append on another node to its apply on this one",
            m.view.counts.lag.clone(),
        );
        r.register(
            "cluster_applied",
            "Log entries written by other nodes and applied here",
            m.applied.clone(),
        );
        r.register(
            "cluster_appends",
            "This node's writes the log took",
            m.appends.clone(),
        );
        r.register(
            "cluster_append_races",
            "This node's writes that lost the race to another node's and ran again",
            m.races.clone(),
        );
        m
    }

    pub(super) fn update(&self) {
        let s = self.view.status();
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.position.set(int(s.position));
        self.head.set(int(s.head.unwrap_or(0)));
        self.connected.set(i64::from(s.writes));
        self.stale.set(s.stale_secs);
        let c = &self.view.counts;
        for (counter, source) in [
            (&self.applied, &c.applied),
            (&self.appends, &c.appends),
            (&self.races, &c.races),
        ] {
            counter.inc_by(source.load(Ordering::Relaxed).saturating_sub(counter.get()));
        }
    }
}
