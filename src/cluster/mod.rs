//! A server set (issue 14): several dirgate nodes serve one directory, with
//! the order of writes agreed in etcd and every read local. `etcd`: the
//! client (etcd's JSON gateway); `log`: the replicated log of write-sets
//! that each node appends to and follows into its own store
//! (`store::physical` records and replays them), each entry inline or in
//! parts (`entry`); `members`: the nodes'
//! announcements, the compaction they allow and the set's shared secret;
//! `node`: one node's threads (following, looking, announcing, compacting,
//! catching up from a peer's snapshot). Without a `[cluster]` section
//! dirgate runs as a single node and none of this runs.

pub mod entry;
pub mod etcd;
pub mod log;
pub mod members;
pub mod node;
pub mod snapshot;
