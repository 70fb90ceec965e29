//! Connection caps for a listener's accept loop: a total (`max_connections`)
//! and one per client address (`max_connections_per_address`). An accepted
//! connection holds a [`Held`] until it closes; the accept loop closes one
//! over either cap at once. Without the per-address cap, one client opening
//! connections and holding them takes every slot, and with them the listener
//! from everyone else. Addresses are compared as IPs (an IPv4-mapped IPv6
//! address as its IPv4 one); ports do not matter. Imports no protocol crate.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How often refusals are reported in the log, at most: a flood of
/// connections would otherwise flood the log too.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// The caps of one listener (or of several sharing them).
pub struct Caps {
    /// Names the listener's settings in log lines (`ldap`, `http`).
    name: &'static str,
    /// The total cap (at least one).
    max: usize,
    slots: Arc<Semaphore>,
    /// Most connections from one address; 0 = no such cap.
    per_address: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    refused: AtomicU64,
    started: Instant,
    /// Refusals counted and time (ms since `started`) at the last log line.
    logged: Mutex<(u64, u64)>,
}

/// Why a connection was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Every slot is taken.
    Total,
    /// The client's address holds `max_connections_per_address` already.
    PerAddress,
}

/// An admitted connection's place: its slot and its address's count, both
/// given back when it is dropped.
pub struct Held {
    _slot: OwnedSemaphorePermit,
    addr: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Caps {
    /// At most `max` connections (at least one), `per_address` from one
    /// address (0: no per-address cap).
    pub fn new(name: &'static str, max: usize, per_address: usize) -> Caps {
        Caps {
            name,
            max: max.max(1),
            slots: Arc::new(Semaphore::new(max.max(1))),
            per_address,
            open: Arc::new(Mutex::new(HashMap::new())),
            refused: AtomicU64::new(0),
            started: Instant::now(),
            logged: Mutex::new((0, 0)),
        }
    }

    /// Admits a connection from `peer`, or says which cap it is over (and
    /// logs refusals now and then).
    pub fn admit(&self, peer: SocketAddr) -> Result<Held, Refused> {
        let addr = peer.ip().to_canonical();
        let admitted = self.take(addr);
        if let Err(why) = admitted {
            self.note_refusal(why);
        }
        admitted
    }

    fn take(&self, addr: IpAddr) -> Result<Held, Refused> {
        let mut open = lock(&self.open);
        let count = open.get(&addr).copied().unwrap_or(0);
        if self.per_address > 0 && count >= self.per_address {
            return Err(Refused::PerAddress);
        }
        let slot = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refused::Total)?;
        open.insert(addr, count + 1);
        Ok(Held {
            _slot: slot,
            addr,
            open: self.open.clone(),
        })
    }

    fn note_refusal(&self, why: Refused) {
        let refused = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
        let now = self.started.elapsed().as_millis() as u64;
        let Ok(mut last) = self.logged.try_lock() else {
            return;
        };
        if last.0 == 0 || now.saturating_sub(last.1) >= LOG_EVERY.as_millis() as u64 {
            let key = match why {
                Refused::Total => "max_connections",
                Refused::PerAddress => "max_connections_per_address",
            };
            tracing::warn!(
                listener = self.name,
                refused = refused - last.0,
                "connections refused: {}.{key} reached",
                self.name
            );
            *last = (refused, now);
        }
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.max.saturating_sub(self.slots.available_permits())
    }

    /// Connections refused since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = lock(&self.open);
        match open.get_mut(&self.addr) {
            Some(n) if *n > 1 => *n -= 1,
            _ => {
                open.remove(&self.addr);
            }
        }
    }
}

/// The counts stay consistent even if a holder panicked: every change is a
/// single insert or remove.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40000)
    }

    #[test]
    fn per_address_then_total() {
        let caps = Caps::new("test", 3, 2);
        let a1 = caps.admit(at("10.0.0.1")).unwrap();
        let _a2 = caps.admit(at("10.0.0.1")).unwrap();
        assert_eq!(caps.admit(at("10.0.0.1")).err(), Some(Refused::PerAddress));
        // The same address written as IPv4-mapped IPv6 counts as itself.
        let mapped = caps.admit(at("::ffff:10.0.0.1"));
        assert_eq!(mapped.err(), Some(Refused::PerAddress));
        let _b = caps.admit(at("10.0.0.2")).unwrap();
        assert_eq!(caps.admit(at("10.0.0.3")).err(), Some(Refused::Total));
        drop(a1);
        assert!(caps.admit(at("10.0.0.1")).is_ok());
        assert_eq!(caps.refused(), 3);
    }

    #[test]
    fn zero_means_no_per_address_cap_and_counts_are_forgotten() {
        let caps = Caps::new("test", 10, 0);
        let held: Vec<_> = (0..10).map(|_| caps.admit(at("::1")).unwrap()).collect();
        drop(held);
        assert!(lock(&caps.open).is_empty());
    }
}
