//! The nodes of a server set as etcd knows them (`<prefix>/nodes/<name>`):
//! each node announces, every few seconds, where peers reach it (its HTTP
//! URL, for snapshots) and the log position it holds. From that list the
//! log is compacted: etcd may drop every entry all remembered nodes hold
//! (a node not heard from for `forget_after` is forgotten; when it comes
//! back it installs a snapshot). Also the set's shared secret
//! (`<prefix>/secret`), created by the first node: what peers present to
//! each other.

use super::etcd::{Etcd, EtcdError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One node's announcement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    /// The base URL of its HTTP listener (none until it listens).
    pub url: Option<String>,
    /// The last log entry it applied.
    pub position: u64,
    /// When it announced this (ms since the epoch, its clock).
    pub seen_ms: u64,
}

/// The set's members and secret in etcd.
pub struct Members {
    etcd: Etcd,
    prefix: String,
}

impl Members {
    pub fn new(etcd: Etcd, prefix: &str) -> Members {
        Members {
            etcd,
            prefix: prefix.trim_end_matches('/').to_owned(),
        }
    }

    fn dir(&self) -> String {
        format!("{}/nodes/", self.prefix)
    }

    /// Writes (or refreshes) `m`'s announcement.
    pub fn announce(&self, m: &Member) -> Result<(), EtcdError> {
        let value = serde_json::to_vec(m).map_err(|e| EtcdError::Protocol(e.to_string()))?;
        self.etcd
            .put(format!("{}{}", self.dir(), m.name).as_bytes(), &value)
    }

    /// Every announcement (unreadable ones skipped).
    pub fn list(&self) -> Result<Vec<Member>, EtcdError> {
        let rows = self.etcd.range_prefix(self.dir().as_bytes())?;
        Ok(rows
            .iter()
            .filter_map(|(_, v)| serde_json::from_slice(v).ok())
            .collect())
    }

    /// The set's shared secret, created now if this is the first node.
    pub fn secret(&self) -> Result<String, EtcdError> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| EtcdError::Protocol(e.to_string()))?;
        let fresh: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!("{}/secret", self.prefix);
        let stored = self.etcd.create_or_get(key.as_bytes(), fresh.as_bytes())?;
        String::from_utf8(stored).map_err(|e| EtcdError::Protocol(e.to_string()))
    }

    /// Compacts etcd's history up to `revision`.
    pub fn compact(&self, revision: u64) -> Result<(), EtcdError> {
        self.etcd.compact(revision)
    }
}

/// Up to where the log may be compacted: the lowest position among the
/// members heard from within `forget_after` of `now_ms` (none: nothing).
pub fn compactable(members: &[Member], now_ms: u64, forget_after: Duration) -> Option<u64> {
    let forget = u64::try_from(forget_after.as_millis()).unwrap_or(u64::MAX);
    members
        .iter()
        .filter(|m| now_ms.saturating_sub(m.seen_ms) <= forget)
        .map(|m| m.position)
        .min()
        .filter(|p| *p > 0)
}

/// The members a node at risk of missing entries up to `needed` may take a
/// snapshot from: others, reachable, holding at least `needed`, the most
/// recently heard first.
pub fn snapshot_sources(members: &[Member], me: &str, needed: u64) -> Vec<Member> {
    let mut out: Vec<Member> = members
        .iter()
        .filter(|m| m.name != me && m.url.is_some() && m.position >= needed)
        .cloned()
        .collect();
    out.sort_by_key(|m| std::cmp::Reverse(m.seen_ms));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, position: u64, seen_ms: u64) -> Member {
        Member {
            name: name.into(),
            url: Some(format!("http://{name}")),
            position,
            seen_ms,
        }
    }

    #[test]
    fn the_log_is_compacted_up_to_the_slowest_remembered_node() {
        let day = Duration::from_secs(86_400);
        let now = 100 * 86_400_000;
        let set = [m("a", 50, now), m("b", 20, now - 1000), m("c", 90, now)];
        assert_eq!(compactable(&set, now, day), Some(20));
        // b has been silent longer than forget_after: no longer waited for.
        let set = [m("a", 50, now), m("b", 20, now - 2 * 86_400_000)];
        assert_eq!(compactable(&set, now, day), Some(50));
        assert_eq!(compactable(&[], now, day), None);
        assert_eq!(compactable(&[m("a", 0, now)], now, day), None);
    }

    #[test]
    fn snapshots_come_from_others_that_hold_enough() {
        let mut quiet = m("d", 99, 1);
        quiet.url = None;
        let set = [
            m("a", 50, 5),
            m("b", 20, 9),
            m("c", 90, 7),
            quiet,
            m("me", 99, 9),
        ];
        let names: Vec<String> = snapshot_sources(&set, "me", 40)
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(names, ["c", "a"]);
    }
}
