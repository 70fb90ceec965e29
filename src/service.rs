//! The daemon's side of systemd's service protocol (`Type=notify`, through
//! the `sd-notify` crate): READY=1 once every listener is bound and the
//! store is open, RELOADING=1 then READY=1 around a SIGHUP reload,
//! STOPPING=1 at shutdown, and, when the unit sets `WatchdogSec=`, WATCHDOG=1
//! every half period for as long as the store answers a read: a daemon whose
//! store hangs is restarted by systemd rather than left answering nothing.
//! Without `NOTIFY_SOCKET` (not run by systemd) each call does nothing.

use crate::directory::Directory;
use sd_notify::NotifyState;
use tokio_util::sync::CancellationToken;

/// Tells the service manager what happened; a failure is logged, never
/// fatal (the daemon serves either way).
fn notify(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify the service manager");
    }
}

/// Every listener is bound: the service is up.
pub fn ready() {
    notify(&[NotifyState::Ready, NotifyState::Status("serving")]);
}

/// A reload (SIGHUP) begins; `reloaded` ends it.
pub fn reloading() {
    match NotifyState::monotonic_usec_now() {
        Ok(now) => notify(&[NotifyState::Reloading, now]),
        Err(_) => notify(&[NotifyState::Reloading]),
    }
}

pub fn reloaded() {
    notify(&[NotifyState::Ready, NotifyState::Status("serving")]);
}

/// Shutdown begins.
pub fn stopping() {
    notify(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

/// Pings systemd's watchdog every half `WatchdogSec=` while the store
/// answers a read transaction (the health check `/healthz` makes), until
/// `shutdown`. Does nothing when the unit has no watchdog.
pub fn spawn_watchdog(dir: Directory, shutdown: CancellationToken) {
    let Some(period) = sd_notify::watchdog_enabled() else {
        return;
    };
    let every = (period / 2).max(std::time::Duration::from_millis(10));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            let probe = dir
                .blocking(|d| Ok(d.store().read(|tx| tx.last_seq())?))
                .await;
            match probe {
                Ok(_) => notify(&[NotifyState::Watchdog]),
                Err(e) => {
                    tracing::error!(error = %e, "store check failed; not pinging the watchdog")
                }
            }
        }
    });
}
