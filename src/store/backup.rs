//! Backups: the whole store copied from one read transaction (a consistent
//! snapshot; writers go on meanwhile) into a stream, and a stream loaded
//! into a new store file. The format is redb-independent: a header (magic,
//! format version, schema version, change-log head, time), then for each
//! table its name and its rows as length-prefixed key and value bytes (redb's
//! own encodings of each table's types), then an end mark and the SHA-256 of
//! everything before it. A restore checks the checksum over the whole file
//! before it writes anything, refuses a newer schema, and bounds every
//! length it reads, so a damaged or foreign file is refused, not loaded.
//! The table list and the row encoding are `super::physical`'s.

use super::StoreError;
use super::physical::{add_bytes, each_table, put_bytes};
use super::tables::*;
use crate::directory::model::Millis;
use redb::{
    Key, MultimapTableDefinition, MultimapTableHandle, ReadTransaction, ReadableDatabase,
    ReadableMultimapTable, ReadableTable, TableDefinition, TableHandle, Value, WriteTransaction,
};
use sha2::{Digest, Sha256};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

const MAGIC: &[u8; 15] = b"DIRGATE BACKUP\0";
const FORMAT: u32 = 1;
const TABLE: u8 = 1;
const ROW: u8 = 2;
const END: u8 = 3;
/// The largest key or value a restore accepts (records are kilobytes).
const MAX_FIELD: u32 = 64 << 20;

/// What a backup says about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupHeader {
    pub schema: u32,
    /// The change log's newest sequence number at the snapshot: the restored
    /// store holds every change up to it and none after.
    pub changes: u64,
    pub created: Millis,
}

/// Why a backup could not be written or restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not a dirgate backup")]
    NotABackup,
    #[error("the backup is damaged: its checksum does not match its content")]
    Damaged,
    #[error("the backup is damaged: {0}")]
    Malformed(String),
    #[error("the backup's format {0} is newer than this dirgate reads ({FORMAT})")]
    FormatTooNew(u32),
    #[error(
        "the backup's schema version {0} is newer than this dirgate understands ({1}); restore it with a newer dirgate"
    )]
    SchemaTooNew(u32, u32),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Every redb error type is a store error here too.
macro_rules! via_store {
    ($($t:ty),*) => {$(
        impl From<$t> for BackupError {
            fn from(e: $t) -> Self {
                BackupError::Store(e.into())
            }
        }
    )*};
}
via_store!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// Writes the records and the checksum.
struct Writer<W: Write> {
    out: W,
    sum: Sha256,
}

impl<W: Write> Writer<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.sum.update(bytes);
        self.out.write_all(bytes)
    }

    fn field(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| std::io::Error::other("a record is larger than 4 GiB"))?;
        self.put(&len.to_le_bytes())?;
        self.put(bytes)
    }

    fn table(&mut self, name: &str) -> std::io::Result<()> {
        let len = u8::try_from(name.len()).map_err(|_| std::io::Error::other("table name"))?;
        self.put(&[TABLE, len])?;
        self.put(name.as_bytes())
    }

    fn row(&mut self, key: &[u8], value: &[u8]) -> std::io::Result<()> {
        self.put(&[ROW])?;
        self.field(key)?;
        self.field(value)
    }

    fn finish(mut self) -> std::io::Result<W> {
        self.put(&[END])?;
        let digest = self.sum.finalize();
        self.out.write_all(&digest)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn exists(txn: &ReadTransaction, name: &str, multimap: bool) -> Result<bool, BackupError> {
    Ok(if multimap {
        txn.list_multimap_tables()?.any(|t| t.name() == name)
    } else {
        txn.list_tables()?.any(|t| t.name() == name)
    })
}

fn dump_plain<K: Key + 'static, V: Value + 'static, W: Write>(
    txn: &ReadTransaction,
    def: TableDefinition<K, V>,
    w: &mut Writer<W>,
) -> Result<(), BackupError> {
    if !exists(txn, def.name(), false)? {
        return Ok(());
    }
    w.table(def.name())?;
    for row in txn.open_table(def)?.iter()? {
        let (k, v) = row?;
        w.row(
            K::as_bytes(&k.value()).as_ref(),
            V::as_bytes(&v.value()).as_ref(),
        )?;
    }
    Ok(())
}

fn dump_multi<K: Key + 'static, V: Key + 'static, W: Write>(
    txn: &ReadTransaction,
    def: MultimapTableDefinition<K, V>,
    w: &mut Writer<W>,
) -> Result<(), BackupError> {
    if !exists(txn, def.name(), true)? {
        return Ok(());
    }
    w.table(def.name())?;
    for row in txn.open_multimap_table(def)?.iter()? {
        let (k, values) = row?;
        let key = K::as_bytes(&k.value()).as_ref().to_vec();
        for v in values {
            w.row(&key, V::as_bytes(&v?.value()).as_ref())?;
        }
    }
    Ok(())
}

impl super::Store {
    /// Writes a backup of everything committed so far to `out`, from one
    /// read transaction; returns its header.
    pub fn backup<W: Write>(&self, out: W) -> Result<(BackupHeader, W), BackupError> {
        let txn = self.db.begin_read()?;
        let header = BackupHeader {
            schema: schema_version(&txn)?,
            changes: txn
                .open_table(CHANGELOG)?
                .last()?
                .map_or(0, |(k, _)| k.value()),
            created: crate::directory::model::now(),
        };
        let mut w = Writer {
            out,
            sum: Sha256::new(),
        };
        w.put(MAGIC)?;
        w.put(&FORMAT.to_le_bytes())?;
        w.put(&header.schema.to_le_bytes())?;
        w.put(&header.changes.to_le_bytes())?;
        w.put(&header.created.to_le_bytes())?;
        macro_rules! plain {
            ($def:expr) => {
                dump_plain(&txn, $def, &mut w)?
            };
        }
        macro_rules! multi {
            ($def:expr) => {
                dump_multi(&txn, $def, &mut w)?
            };
        }
        each_table!(plain, multi);
        Ok((header, w.finish()?))
    }
}

fn schema_version(txn: &ReadTransaction) -> Result<u32, BackupError> {
    let meta = txn.open_table(META)?;
    let raw = meta.get(super::migrate::VERSION_KEY)?;
    Ok(raw
        .and_then(|v| v.value().try_into().ok().map(u32::from_le_bytes))
        .unwrap_or(0))
}

/// Reads exactly `n` bytes.
fn read_n<R: Read, const N: usize>(r: &mut R) -> Result<[u8; N], BackupError> {
    let mut buf = [0u8; N];
    r.read_exact(&mut buf).map_err(truncated)?;
    Ok(buf)
}

fn truncated(e: std::io::Error) -> BackupError {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => BackupError::Malformed("it ends early".into()),
        _ => BackupError::Io(e),
    }
}

/// Checks the file's checksum and reads its header, without loading it.
pub fn verify(path: &Path) -> Result<BackupHeader, BackupError> {
    let len = std::fs::metadata(path)?.len();
    if len < (MAGIC.len() + 4 + 4 + 8 + 8 + 1 + 32) as u64 {
        return Err(BackupError::NotABackup);
    }
    let mut r = BufReader::new(std::fs::File::open(path)?);
    let header = read_header(&mut r)?;
    let mut sum = Sha256::new();
    sum.update(header_bytes(&header));
    let mut left = len - 32 - header_len();
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        r.read_exact(&mut buf[..want]).map_err(truncated)?;
        sum.update(&buf[..want]);
        left -= want as u64;
    }
    let stored: [u8; 32] = read_n(&mut r)?;
    if sum.finalize().as_slice() != stored {
        return Err(BackupError::Damaged);
    }
    Ok(header)
}

fn header_len() -> u64 {
    (MAGIC.len() + 4 + 4 + 8 + 8) as u64
}

fn header_bytes(h: &BackupHeader) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&h.schema.to_le_bytes());
    out.extend_from_slice(&h.changes.to_le_bytes());
    out.extend_from_slice(&h.created.to_le_bytes());
    out
}

pub(super) fn read_header<R: Read>(r: &mut R) -> Result<BackupHeader, BackupError> {
    let magic: [u8; 15] = read_n(r).map_err(|_| BackupError::NotABackup)?;
    if &magic != MAGIC {
        return Err(BackupError::NotABackup);
    }
    let format = u32::from_le_bytes(read_n(r)?);
    if format > FORMAT {
        return Err(BackupError::FormatTooNew(format));
    }
    Ok(BackupHeader {
        schema: u32::from_le_bytes(read_n(r)?),
        changes: u64::from_le_bytes(read_n(r)?),
        created: i64::from_le_bytes(read_n(r)?),
    })
}

/// Loads the backup at `path` into a new store file `target` (which must not
/// exist), after checking it whole. The new store is at the backup's schema
/// version; [`super::Store::open`] migrates it if it is older.
pub fn restore(path: &Path, target: &Path) -> Result<BackupHeader, BackupError> {
    let header = verify(path)?;
    let supported = super::SCHEMA_VERSION;
    if header.schema > supported {
        return Err(BackupError::SchemaTooNew(header.schema, supported));
    }
    let mut r = BufReader::new(std::fs::File::open(path)?);
    read_header(&mut r)?;
    let db = redb::Builder::new()
        .set_cache_size(super::bulk_cache_bytes(std::fs::metadata(path)?.len()))
        .create(target)?;
    let txn = db.begin_write()?;
    load_tables(&txn, &mut r)?;
    txn.commit()?;
    Ok(header)
}

/// A row's key and value bytes.
type Row = (Vec<u8>, Vec<u8>);

/// One table's rows, until the next table or the end.
struct Rows<'r, R: Read> {
    r: &'r mut R,
    /// The record that ended the rows: the next table's name, or `None` (end).
    next: Option<Option<String>>,
}

impl<R: Read> Rows<'_, R> {
    fn field(&mut self) -> Result<Vec<u8>, BackupError> {
        let len = u32::from_le_bytes(read_n(self.r)?);
        if len > MAX_FIELD {
            return Err(BackupError::Malformed(format!("a field of {len} bytes")));
        }
        let mut buf = vec![0; len as usize];
        self.r.read_exact(&mut buf).map_err(truncated)?;
        Ok(buf)
    }

    /// The next row, or `None` once the table ends.
    fn row(&mut self) -> Result<Option<Row>, BackupError> {
        if self.next.is_some() {
            return Ok(None);
        }
        match read_n::<_, 1>(self.r)?[0] {
            ROW => Ok(Some((self.field()?, self.field()?))),
            TABLE => {
                self.next = Some(Some(table_name(self.r)?));
                Ok(None)
            }
            END => {
                self.next = Some(None);
                Ok(None)
            }
            other => Err(BackupError::Malformed(format!("record kind {other}"))),
        }
    }
}

fn table_name<R: Read>(r: &mut R) -> Result<String, BackupError> {
    // One byte: a name is at most 255 bytes.
    let len = read_n::<_, 1>(r)?[0];
    let mut buf = vec![0; usize::from(len)];
    r.read_exact(&mut buf).map_err(truncated)?;
    String::from_utf8(buf).map_err(|_| BackupError::Malformed("a table name".into()))
}

/// A row that does not fit its table, as a damaged backup.
fn shape(e: super::WriteSetError) -> BackupError {
    match e {
        super::WriteSetError::Malformed(m) => BackupError::Malformed(m),
        super::WriteSetError::Store(e) => BackupError::Store(e),
    }
}

fn load_plain<K: Key + 'static, V: Value + 'static, R: Read>(
    txn: &WriteTransaction,
    def: TableDefinition<K, V>,
    rows: &mut Rows<'_, R>,
) -> Result<(), BackupError> {
    let mut t = txn.open_table(def)?;
    while let Some((k, v)) = rows.row()? {
        put_bytes(&mut t, &def, &k, &v).map_err(shape)?;
    }
    Ok(())
}

fn load_multi<K: Key + 'static, V: Key + 'static, R: Read>(
    txn: &WriteTransaction,
    def: MultimapTableDefinition<K, V>,
    rows: &mut Rows<'_, R>,
) -> Result<(), BackupError> {
    let mut t = txn.open_multimap_table(def)?;
    while let Some((k, v)) = rows.row()? {
        add_bytes(&mut t, &def, &k, &v).map_err(shape)?;
    }
    Ok(())
}

pub(super) fn load_tables<R: Read>(txn: &WriteTransaction, r: &mut R) -> Result<(), BackupError> {
    let mut next = match read_n::<_, 1>(r)?[0] {
        TABLE => Some(table_name(r)?),
        END => None,
        other => return Err(BackupError::Malformed(format!("record kind {other}"))),
    };
    while let Some(name) = next.take() {
        let mut rows = Rows {
            r: &mut *r,
            next: None,
        };
        let mut found = false;
        macro_rules! plain {
            ($def:expr) => {
                if !found && $def.name() == name {
                    found = true;
                    load_plain(txn, $def, &mut rows)?;
                }
            };
        }
        macro_rules! multi {
            ($def:expr) => {
                if !found && $def.name() == name {
                    found = true;
                    load_multi(txn, $def, &mut rows)?;
                }
            };
        }
        each_table!(plain, multi);
        if !found {
            return Err(BackupError::Malformed(format!("an unknown table '{name}'")));
        }
        next = rows.next.flatten();
    }
    Ok(())
}

/// Writes a backup of `store` to the file `path` (replaced only once whole:
/// it is written beside it and renamed), mode 0600: it holds password hashes.
pub fn backup_to_file(store: &super::Store, path: &Path) -> Result<BackupHeader, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    let partial = path.with_extension("partial");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)?;
    let written = store.backup(BufWriter::new(file)).and_then(|(h, w)| {
        let file = w
            .into_inner()
            .map_err(|e| BackupError::Io(e.into_error()))?;
        file.sync_all()?;
        Ok(h)
    });
    match written {
        Ok(h) => {
            std::fs::rename(&partial, path)?;
            Ok(h)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{open, user};
    use super::*;

    /// A backup's rows: everything between the header and the checksum.
    fn rows_of(store: &super::super::Store) -> Vec<u8> {
        let (_, bytes) = store.backup(Vec::new()).unwrap();
        bytes[header_len() as usize..bytes.len() - 32].to_vec()
    }

    fn written(store: &super::super::Store, dir: &Path) -> std::path::PathBuf {
        let path = dir.join("b.backup");
        backup_to_file(store, &path).unwrap();
        path
    }

    #[test]
    fn a_restored_store_holds_exactly_what_was_backed_up() {
        let (tmp, store) = open();
        for n in 0..20 {
            let u = user(&format!("u{n}@x.org"), &format!("u{n}@x.org"), None, n);
            store.write(|tx| tx.put_user(&u)).unwrap();
        }
        let path = written(&store, tmp.path());
        let later = user("later@x.org", "l@x.org", None, 99);
        store.write(|tx| tx.put_user(&later)).unwrap();

        let target = tmp.path().join("restored.redb");
        let header = restore(&path, &target).unwrap();
        assert_eq!(header.schema, crate::store::SCHEMA_VERSION);
        let restored = super::super::Store::open(&target, 10_000).unwrap();
        // Deleting the later user gives the tables as they were at the backup
        // (no change-log events are written at this level).
        store.write(|tx| tx.delete_user(later.id)).unwrap();
        assert_eq!(rows_of(&restored), rows_of(&store));
        assert!(
            restored
                .read(|tx| tx.user_by_login("later@x.org"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_damaged_or_foreign_file_is_refused() {
        let (tmp, store) = open();
        let path = written(&store, tmp.path());
        let good = std::fs::read(&path).unwrap();
        let target = tmp.path().join("t.redb");

        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        assert!(matches!(restore(&path, &target), Err(BackupError::Damaged)));
        assert!(!target.exists(), "a damaged backup left a store");

        std::fs::write(&path, &good[..good.len() - 10]).unwrap();
        assert!(restore(&path, &target).is_err());
        std::fs::write(
            &path,
            b"SQLite format 3\0 and more bytes than a header needs",
        )
        .unwrap();
        assert!(matches!(
            restore(&path, &target),
            Err(BackupError::NotABackup)
        ));

        // A schema from a newer dirgate, with a checksum that matches.
        let mut newer = good[..good.len() - 32].to_vec();
        newer[MAGIC.len() + 4..MAGIC.len() + 8].copy_from_slice(&999u32.to_le_bytes());
        let sum = Sha256::digest(&newer);
        newer.extend_from_slice(&sum);
        std::fs::write(&path, &newer).unwrap();
        assert!(matches!(
            restore(&path, &target),
            Err(BackupError::SchemaTooNew(999, _))
        ));
        assert!(!target.exists());
    }
}
