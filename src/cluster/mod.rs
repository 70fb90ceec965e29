//! A server set (issue 14): several dirgate nodes serve one directory, with
//! the order of writes agreed in etcd and every read local. `etcd`: the
//! client (etcd's JSON gateway); `log`: the replicated log of write-sets
//! that each node appends to and follows into its own store
//! (`store::physical` records and replays them). Not wired to the daemon
//! yet: without a `[cluster]` section dirgate runs as a single node.

pub mod etcd;
pub mod log;
pub mod node;
