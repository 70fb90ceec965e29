//! A server set (issue 14): several dirgate nodes serve one directory, with
//! the order of writes agreed in etcd and every read local. `etcd`: the
//! client (etcd's JSON gateway); `log`: the replicated log of write-sets
//! that each node appends to and follows into its own store
//! (`store::physical` records and replays them), each entry inline or in
//! parts (`entry`); `members`: the nodes'
//! announcements, the compaction they allow and the set's shared secret;
//! `node`: one node's threads (following, looking, catching up from a
//! peer's snapshot), `keeper` (announcing, compacting), `start` (where a
//! node that never joined begins) and `heads` (the head that consistent
//! reads wait for). Without a `[cluster]` section
//! dirgate runs as a single node and none of this runs.

pub mod entry;
pub mod etcd;
mod heads;
mod keeper;
pub mod log;
pub mod members;
pub mod node;
pub mod snapshot;
mod start;

/// Now, in milliseconds since the epoch: the clock of append times,
/// announcements and staleness marks.
fn now_ms() -> u64 {
    u64::try_from(crate::directory::model::now()).unwrap_or(0)
}
