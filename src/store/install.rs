//! A snapshot installed into the live store (issue 14: a node of a server
//! set that fell behind what etcd keeps of the log). The snapshot is a
//! backup taken on a peer (`super::backup`'s format, checked whole before
//! anything is written); one durable write transaction empties every table
//! and loads the snapshot's tables, so readers see the old copy or the new
//! one, never a mix, and the store ends table for table as the peer's was. The `META` table comes with it, so the store's log
//! position becomes the peer's at the snapshot, and following the log goes
//! on from there.

use super::backup::{self, BackupError, BackupHeader};
use super::physical::each_table;
use super::tables::*;
use super::{SCHEMA_VERSION, Store};
use std::io::BufReader;
use std::path::Path;

impl Store {
    /// Replaces everything this store holds with the backup at `path`,
    /// which must be of this build's schema version; its header.
    pub fn install_backup(&self, path: &Path) -> Result<BackupHeader, BackupError> {
        let header = backup::verify(path)?;
        if header.schema != SCHEMA_VERSION {
            return Err(BackupError::Malformed(format!(
                "the snapshot's schema version is {}, this node's {SCHEMA_VERSION}: \
                 run one version of dirgate on every node",
                header.schema
            )));
        }
        let mut r = BufReader::new(std::fs::File::open(path)?);
        backup::read_header(&mut r)?;
        let txn = self.db.begin_write().map_err(super::StoreError::from)?;
        macro_rules! drop_plain {
            ($def:expr) => {
                txn.delete_table($def).map_err(super::StoreError::from)?;
            };
        }
        macro_rules! drop_multi {
            ($def:expr) => {
                txn.delete_multimap_table($def)
                    .map_err(super::StoreError::from)?;
            };
        }
        each_table!(drop_plain, drop_multi);
        backup::load_tables(&txn, &mut r)?;
        txn.commit().map_err(super::StoreError::from)?;
        Ok(header)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{open, user};
    use super::*;

    #[test]
    fn an_installed_snapshot_replaces_every_row() {
        let (tmp, source) = open();
        let kept = user("kept@x.org", "k@x.org", None, 1);
        source.write(|tx| tx.put_user(&kept)).unwrap();
        let path = tmp.path().join("snap.backup");
        backup::backup_to_file(&source, &path).unwrap();

        let (_tmp2, target) = open();
        let gone = user("gone@x.org", "g@x.org", None, 2);
        target.write(|tx| tx.put_user(&gone)).unwrap();
        target.install_backup(&path).unwrap();
        target
            .read(|tx| {
                assert!(tx.user_by_login("kept@x.org")?.is_some());
                assert!(tx.user_by_login("gone@x.org")?.is_none());
                assert!(tx.user(gone.id)?.is_none());
                Ok::<_, super::super::StoreError>(())
            })
            .unwrap();
        let rows = |s: &Store| s.backup(Vec::new()).unwrap().1[39..].to_vec();
        let (a, b) = (rows(&source), rows(&target));
        assert_eq!(a[..a.len() - 32], b[..b.len() - 32]);

        // A damaged snapshot changes nothing.
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(target.install_backup(&path).is_err());
        assert!(
            target
                .read(|tx| tx.user_by_login("kept@x.org"))
                .unwrap()
                .is_some()
        );
    }
}
