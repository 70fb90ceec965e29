//! The reports on access requests, read from the request records (not the
//! audit trail, whose retention may be shorter): open requests per
//! organization, and decisions per day. The scope and the policy's check
//! are `reports`'; this builds the tables.

use crate::directory::error::Result;
use crate::directory::model::{AccessRequest, Millis, RequestState, now};
use crate::directory::reports::{DAY, Report, rfc3339};
use crate::store::Tx;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Requests of `org` (every organization's for `None`), as they stand now.
fn requests(tx: &Tx, org: Option<Uuid>) -> Result<Vec<AccessRequest>> {
    let all = match org {
        Some(o) => {
            let mut out = Vec::new();
            for id in tx.requests_of_org(o)? {
                out.extend(tx.access_request(id)?);
            }
            out
        }
        None => tx.access_requests()?,
    };
    let t = now();
    Ok(all
        .into_iter()
        .map(|mut r| {
            if r.state == RequestState::Pending && r.expires <= t {
                r.state = RequestState::Expired;
                r.decided = r.decided.or(Some(r.expires));
            }
            r
        })
        .collect())
}

/// One row per organization with pending requests: how many, and since when.
pub(crate) fn open_requests(
    tx: &Tx,
    org: Option<Uuid>,
    names: &HashMap<Uuid, String>,
) -> Result<Report> {
    let mut by_org: BTreeMap<String, (u64, Millis)> = BTreeMap::new();
    for r in requests(tx, org)? {
        if r.state == RequestState::Pending {
            let name = names.get(&r.org).cloned().unwrap_or_default();
            let entry = by_org.entry(name).or_insert((0, r.created));
            entry.0 += 1;
            entry.1 = entry.1.min(r.created);
        }
    }
    Ok(Report {
        columns: vec!["organization", "pending", "oldest"],
        rows: by_org
            .into_iter()
            .map(|(name, (n, oldest))| vec![name, n.to_string(), rfc3339(oldest)])
            .collect(),
    })
}

/// One row per day since `since` (UTC, days without any included): how
/// many requests were approved, rejected, withdrawn and expired.
pub(crate) fn decisions_per_day(tx: &Tx, org: Option<Uuid>, since: Millis) -> Result<Report> {
    const STATES: [RequestState; 4] = [
        RequestState::Approved,
        RequestState::Rejected,
        RequestState::Withdrawn,
        RequestState::Expired,
    ];
    let (first, last) = (since.div_euclid(DAY), now().div_euclid(DAY));
    let mut days: BTreeMap<Millis, [u64; 4]> = (first..=last).map(|d| (d, [0; 4])).collect();
    for r in requests(tx, org)? {
        let slot = STATES.iter().position(|s| *s == r.state);
        if let (Some(slot), Some(at)) = (slot, r.decided)
            && let Some(day) = days.get_mut(&at.div_euclid(DAY))
        {
            day[slot] += 1;
        }
    }
    Ok(Report {
        columns: vec!["day", "approved", "rejected", "withdrawn", "expired"],
        rows: days
            .into_iter()
            .map(|(day, counts)| {
                let date = rfc3339(day * DAY);
                let mut row = vec![date.get(..10).unwrap_or(&date).to_owned()];
                row.extend(counts.iter().map(u64::to_string));
                row
            })
            .collect(),
    })
}
