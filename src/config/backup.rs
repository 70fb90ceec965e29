//! The `[backup]` section: scheduled backups the daemon takes itself, into
//! `dir`, every `interval_minutes`, keeping the newest `keep`. Without `dir`
//! there are none (`dirgate backup` still works). Defaults and validation
//! live here, beside the keys.

use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

const DEFAULT_INTERVAL_MINUTES: u64 = 24 * 60;
const DEFAULT_KEEP: usize = 7;

/// `[backup]` as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BackupSection {
    /// Where scheduled backups go (created, mode 0700); none: no schedule.
    dir: Option<PathBuf>,
    interval_minutes: Option<u64>,
    /// How many scheduled backups are kept (the oldest go).
    keep: Option<usize>,
}

/// `[backup]`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupConfig {
    pub dir: Option<PathBuf>,
    pub interval: Duration,
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            dir: None,
            interval: Duration::from_secs(DEFAULT_INTERVAL_MINUTES * 60),
            keep: DEFAULT_KEEP,
        }
    }
}

impl BackupSection {
    pub fn validate(&self) -> Result<BackupConfig, (&'static str, String)> {
        let d = BackupConfig::default();
        let minutes = self.interval_minutes.unwrap_or(DEFAULT_INTERVAL_MINUTES);
        if minutes == 0 {
            return Err(("backup.interval_minutes", "must be at least 1".into()));
        }
        let keep = self.keep.unwrap_or(d.keep);
        if keep == 0 {
            return Err(("backup.keep", "must be at least 1".into()));
        }
        Ok(BackupConfig {
            dir: self.dir.clone(),
            interval: Duration::from_secs(minutes.saturating_mul(60)),
            keep,
        })
    }
}
