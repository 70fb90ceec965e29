//! Backups through the core: who may take one (`Action::Backup`, the system
//! administrator's: a backup holds every password hash), its audit event,
//! and the scheduled backups the server takes itself. The copy is the
//! store's (`store::backup`): one read snapshot, writes go on meanwhile.

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::{Change, Directory, Request};
use crate::store::{BackupError, BackupHeader};
use std::io::Write;
use std::path::Path;

fn internal(e: BackupError) -> Error {
    Error::Internal(format!("backup: {e}"))
}

impl Directory {
    /// Whether `req` may take a backup (front ends ask before they answer).
    pub fn may_back_up(&self, req: &Request) -> Result<()> {
        self.authorize(req, Action::Backup, Target::default())
    }

    /// Writes a backup of the whole directory to `out` as `req`; the audit
    /// trail records it first (so the backup holds its own event).
    pub fn backup<W: Write>(&self, req: &Request, out: W) -> Result<(BackupHeader, W)> {
        self.may_back_up(req)?;
        // Bind events up to now belong in the copy.
        self.journal().flush();
        let change = Change {
            action: "server.backup",
            target: "",
            target_id: None,
            org: None,
            detail: None,
        };
        self.write(req, |tx| self.log(tx, req, change.clone()))?;
        self.store().backup(out).map_err(internal)
    }

    /// A scheduled backup into the file `path` (the server's own: no actor).
    pub fn scheduled_backup(&self, path: &Path) -> Result<BackupHeader> {
        self.journal().flush();
        crate::store::backup_to_file(self.store(), path).map_err(internal)
    }
}
