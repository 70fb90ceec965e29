//! Reading the outbox: the notices pending, sent and failed, newest first,
//! for the system administrator (`Action::ReadNotices`), who runs the mail
//! relay and the webhook they go through. Recipients' addresses are in the
//! answer, so nobody else reads it.

use super::acl::{Action, Target};
use super::error::Result;
use super::notice::{Delivery, OutboxEntry};
use super::{Directory, Request};

/// Which notices to list.
#[derive(Clone, Debug, Default)]
pub struct NoticeQuery {
    pub state: Option<Delivery>,
    pub channel: Option<String>,
    /// Only ids below this one (the next page).
    pub before: Option<u64>,
    pub limit: usize,
}

/// The most notices one answer holds.
const MAX_LIMIT: usize = 1000;

impl Directory {
    /// Outbox entries matching `q`, newest first.
    pub fn notices(&self, req: &Request, q: &NoticeQuery) -> Result<Vec<OutboxEntry>> {
        self.authorize(req, Action::ReadNotices, Target::default())?;
        // Lockouts reach the outbox through the journal: show them.
        self.journal().flush();
        let limit = q.limit.clamp(1, MAX_LIMIT);
        self.read(|tx| {
            let keep = |e: &OutboxEntry| {
                q.state.is_none_or(|s| e.state == s)
                    && q.channel.as_deref().is_none_or(|c| e.channel == c)
            };
            Ok(tx.outbox_newest_first(q.before, limit, keep)?)
        })
    }

    /// How many notices wait for delivery (for `/metrics`).
    pub fn notices_pending(&self) -> Result<u64> {
        self.read(|tx| Ok(tx.outbox_pending_count()?))
    }
}
