//! Background work at scrape time: the outbox (notices queued, sent,
//! failed, retried, and pending now) and the import jobs (previews,
//! confirms applied and refused, rows written). The counts live where the
//! work happens (`directory::outbox`, `import`); these counters follow them.

use crate::directory::Directory;
use crate::import::Imports;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub(super) struct WorkCounters {
    queued: Counter,
    sent: Counter,
    failed: Counter,
    retried: Counter,
    pending: Gauge,
    previews: Counter,
    applied: Counter,
    refused: Counter,
    rows: Counter,
}

/// Brings `c` up to `source`.
fn follow(c: &Counter, source: &AtomicU64) {
    c.inc_by(source.load(Ordering::Relaxed).saturating_sub(c.get()));
}

impl WorkCounters {
    pub(super) fn register(&self, registry: &mut Registry) {
        let counters = [
            (
                "notices_queued",
                "Notices written to the outbox, one per channel",
                &self.queued,
            ),
            ("notices_sent", "Notices a channel took", &self.sent),
            (
                "notices_failed",
                "Notices given up (expired, out of attempts)",
                &self.failed,
            ),
            (
                "notices_retried",
                "Delivery attempts that failed and will be retried",
                &self.retried,
            ),
            (
                "import_previews",
                "Import files read and planned into a preview",
                &self.previews,
            ),
            (
                "import_applied",
                "Import previews confirmed and applied",
                &self.applied,
            ),
            ("import_refused", "Import confirms refused", &self.refused),
            ("import_rows", "Rows written by applied imports", &self.rows),
        ];
        for (name, help, c) in counters {
            registry.register(name, help, c.clone());
        }
        registry.register(
            "notices_pending",
            "Notices waiting for delivery",
            self.pending.clone(),
        );
    }

    pub(super) fn update_outbox(&self, dir: &Directory) {
        let c = &dir.outbox().counts;
        follow(&self.queued, &c.queued);
        follow(&self.sent, &c.sent);
        follow(&self.failed, &c.failed);
        follow(&self.retried, &c.retried);
        if let Ok(n) = dir.notices_pending() {
            self.pending.set(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }

    pub(super) fn update_imports(&self, imports: &Imports) {
        let c = imports.counts();
        follow(&self.previews, &c.previews);
        follow(&self.applied, &c.applied);
        follow(&self.refused, &c.refused);
        follow(&self.rows, &c.rows);
    }
}
