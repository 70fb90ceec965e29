//! Where a node that never held a log position starts. The set's log does
//! not hold the whole directory (a set may start from a directory loaded
//! offline, and etcd compacts), so a new node copies a peer's snapshot. A
//! node whose store already holds a directory starts a new set with it (its
//! first entry marks that), and may not join a set that has begun.

use super::log::{Log, LogError};
use super::node::{CATCH_UP, LOOK_EVERY};
use super::snapshot::Peers;
use crate::store::{Store, StoreError, WriteSet};

/// Readies `store` (at position 0 or beyond) to follow a log whose head is
/// `head`.
pub(super) fn start_from(
    store: &Store,
    log: &Log,
    head: u64,
    peers: &Peers,
) -> Result<(), LogError> {
    if store.log_position()? > 0 {
        return Ok(());
    }
    let empty = store.read(|tx| tx.holds_nothing())?;
    let refuse = |why: &str| Err(LogError::Store(StoreError::Unavailable(why.into())));
    match (head, empty) {
        (0, true) => Ok(()),
        (0, false) => match log.append(0, &WriteSet::default()) {
            Ok(position) => {
                store.apply_at(&WriteSet::default(), position)?;
                tracing::info!(position, "this node's directory starts the server set");
                Ok(())
            }
            Err(LogError::Moved { .. }) => refuse(
                "another node started the server set first: this node's directory is not in \
                 it (start this node with an empty data_dir to copy the set)",
            ),
            Err(e) => Err(e),
        },
        (_, false) => refuse(
            "this node's store holds a directory that is not in the server set (it never \
             joined one, and the set's log has begun): start it with an empty data_dir to copy \
             the set",
        ),
        (_, true) => {
            let deadline = std::time::Instant::now() + CATCH_UP;
            loop {
                match peers.catch_up(store, 1) {
                    Ok(_) => return Ok(()),
                    Err(e) if std::time::Instant::now() < deadline => {
                        tracing::info!(error = %e, "waiting for a peer to copy");
                        std::thread::sleep(LOOK_EVERY);
                    }
                    Err(e) => return refuse(&e.to_string()),
                }
            }
        }
    }
}
