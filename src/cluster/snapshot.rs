//! Catching up from a peer: a node whose next log entry etcd no longer
//! keeps (it was down while the log was compacted, or it is new) asks a
//! peer that holds at least that far for a snapshot of its store (the
//! peer's `GET /admin/v1/backup`, with the set's secret: the policy lets a
//! peer take a backup and nothing else), writes it beside its store, and
//! installs it in one transaction (`Store::install_backup`, which checks
//! it whole first). Following the log then goes on from the snapshot's
//! position.

use super::members::{Members, snapshot_sources};
use crate::store::{BackupError, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why no snapshot was installed.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("no peer announces a log position of at least {0} and a URL to ask")]
    NoSource(u64),
    #[error("{0}")]
    Members(#[from] super::etcd::EtcdError),
    #[error("the snapshot from {peer} failed: {why}")]
    Fetch { peer: String, why: String },
    #[error("the snapshot from {peer} could not be installed: {source}")]
    Install { peer: String, source: BackupError },
}

/// What a node needs to ask its peers.
pub struct Peers {
    pub members: Members,
    pub me: String,
    pub secret: String,
    /// Where the snapshot is written before it is installed.
    pub data_dir: PathBuf,
    pub timeout: Duration,
    /// For peers whose listener speaks https.
    pub tls: ureq::tls::TlsConfig,
}

/// How long one snapshot may take to arrive.
const TRANSFER: Duration = Duration::from_secs(30 * 60);

impl Peers {
    /// Installs a snapshot holding at least log position `needed` from the
    /// first peer that gives one; the store's position after it.
    pub fn catch_up(&self, store: &Store, needed: u64) -> Result<u64, SnapshotError> {
        let sources = snapshot_sources(&self.members.list()?, &self.me, needed);
        let mut last = SnapshotError::NoSource(needed);
        for peer in sources {
            let Some(url) = &peer.url else { continue };
            let partial = self.data_dir.join("snapshot.partial");
            let outcome = self
                .fetch(url, &partial)
                .map_err(|why| SnapshotError::Fetch {
                    peer: peer.name.clone(),
                    why,
                })
                .and_then(|()| {
                    store
                        .install_backup(&partial)
                        .map_err(|source| SnapshotError::Install {
                            peer: peer.name.clone(),
                            source,
                        })
                });
            let _ = std::fs::remove_file(&partial);
            match outcome {
                Ok(_) => {
                    let position = store.log_position().unwrap_or(0);
                    tracing::info!(peer = %peer.name, position, "installed a snapshot from a peer");
                    return Ok(position);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a snapshot from a peer failed; trying the next");
                    last = e;
                }
            }
        }
        Err(last)
    }

    /// Writes the peer's snapshot to `path` (mode 0600: it holds hashes).
    fn fetch(&self, url: &str, path: &Path) -> Result<(), String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(self.timeout))
            .timeout_recv_response(Some(self.timeout))
            .timeout_recv_body(Some(TRANSFER))
            .tls_config(self.tls.clone())
            .build()
            .into();
        let auth = format!("Peer {}:{}", self.me, self.secret);
        let mut answer = agent
            .get(&format!("{url}/admin/v1/backup"))
            .header("Authorization", &auth)
            .call()
            .map_err(|e| e.to_string())?;
        if !answer.status().is_success() {
            return Err(format!("{url} answered {}", answer.status().as_u16()));
        }
        let mut file = open_private(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut body = answer.body_mut().with_config().limit(u64::MAX).reader();
        std::io::copy(&mut body, &mut file).map_err(|e| e.to_string())?;
        file.flush().map_err(|e| e.to_string())
    }
}

fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}
