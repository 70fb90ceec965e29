//! The log's head for reads that must see every write acknowledged before
//! they began (`cluster.consistent_reads`). Each such read needs a head
//! learned after it arrived; concurrent readers share one etcd call, as
//! writers share an fsync in the group commit: a reader waits for the call
//! in flight to end, then for the next one, which began after it came.

use super::log::Log;
use crate::store::{HeadSource, StoreError, StoreResult};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

#[derive(Default)]
struct State {
    /// Calls begun so far, and whether one is in flight.
    started: u64,
    in_flight: bool,
    /// The last call that ended: its number and its answer.
    ended: u64,
    answer: Option<Result<u64, String>>,
}

/// Heads learned from the log, shared by concurrent readers.
pub struct Heads {
    log: Arc<Log>,
    state: Mutex<State>,
    ended: Condvar,
}

impl Heads {
    pub fn new(log: Arc<Log>) -> Heads {
        Heads {
            log,
            state: Mutex::default(),
            ended: Condvar::new(),
        }
    }
}

impl HeadSource for Heads {
    fn head(&self) -> StoreResult<u64> {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // A call counts only if it begins after this reader came.
        let wanted = s.started + 1;
        loop {
            if s.ended >= wanted {
                return match &s.answer {
                    Some(Ok(head)) => Ok(*head),
                    Some(Err(why)) => Err(StoreError::Unavailable(why.clone())),
                    None => Err(StoreError::Unavailable("no answer".into())),
                };
            }
            if s.in_flight {
                s = self.ended.wait(s).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            s.in_flight = true;
            s.started += 1;
            let number = s.started;
            drop(s);
            let answer = self.log.head().map_err(|e| e.to_string());
            s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            s.in_flight = false;
            s.ended = number;
            s.answer = Some(answer);
            self.ended.notify_all();
        }
    }
}
