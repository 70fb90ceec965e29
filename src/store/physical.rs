//! Physical changes: every row a write transaction puts or deletes, by table
//! name and redb's own bytes for the key and value. A [`Tx`] opened with
//! [`super::Store::write_recorded`] records them as its [`WriteSet`] (tables
//! open for writing only through [`Tx::table`] and [`Tx::multimap`], whose
//! wrappers record each change and reach redb's reads through `Deref`), and
//! [`Tx::apply`] replays a write-set on another copy of the store, giving
//! the same rows: the change is deterministic, so no use case runs twice.
//! This is what a server set agrees on the order of (issue 14); backups
//! (`super::backup`) use the same table list and byte-level rows.

use super::tables::*;
use super::{Inner, StoreError, StoreResult, Tx};
use redb::{
    Key, MultimapTableDefinition, MultimapTableHandle, TableDefinition, TableHandle, Value,
    WriteTransaction,
};
use std::borrow::Borrow;
use std::cell::RefCell;
use std::ops::Deref;

/// Runs `$plain!(DEF)` for each plain table and `$multi!(DEF)` for each
/// multimap table: the one list of the store's tables that backups and
/// write-sets address by name.
macro_rules! each_table {
    ($plain:ident, $multi:ident) => {{
        $plain!(META);
        $plain!(ORGS);
        $plain!(USERS);
        $plain!(ROLES);
        $plain!(SERVICES);
        $plain!(TOKENS);
        $plain!(SUFFIXES);
        $plain!(ORG_BY_NAME);
        $plain!(USER_BY_LOGIN);
        $multi!(USER_BY_EMAIL);
        $multi!(USER_BY_ANY_EMAIL);
        $multi!(USER_BY_EXTERNAL_ID);
        $multi!(USER_BY_CN);
        $multi!(ROLE_BY_CN);
        $plain!(BY_ID_NUMBER);
        $plain!(UID_NUMBERS);
        $plain!(GROUP_GIDS);
        $multi!(USER_GIDS);
        $plain!(ROLE_BY_NAME);
        $plain!(SERVICE_BY_NAME);
        $multi!(ORG_USERS);
        $multi!(ORG_ROLES);
        $plain!(SEATS_USED);
        $multi!(ROLE_MEMBERS);
        $multi!(MEMBER_OF);
        $plain!(UNITS);
        $plain!(UNIT_BY_NAME);
        $multi!(ORG_UNITS);
        $plain!(CHANGELOG);
        $plain!(OUTBOX);
        $plain!(OUTBOX_PENDING);
        $plain!(APPS);
        $plain!(APP_BY_NAME);
        $multi!(APP_BY_CN);
        $multi!(ORG_APPS);
        $multi!(ROLE_APPS);
        $multi!(APP_ROLES);
        $plain!(REQUESTS);
        $multi!(ORG_REQUESTS);
        $multi!(USER_REQUESTS);
        $plain!(OPEN_REQUESTS);
        $plain!(LAST_LOGINS);
    }};
}
pub(super) use each_table;

/// One physical change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A plain table's row set to a value.
    Put {
        table: String,
        key: Vec<u8>,
        value: Vec<u8>,
    },
    /// A plain table's row removed (a no-op where there was none).
    Delete { table: String, key: Vec<u8> },
    /// A multimap table's (key, value) pair added.
    Add {
        table: String,
        key: Vec<u8>,
        value: Vec<u8>,
    },
    /// A multimap table's (key, value) pair removed.
    Remove {
        table: String,
        key: Vec<u8>,
        value: Vec<u8>,
    },
}

/// Every change of one committed write transaction, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteSet {
    pub ops: Vec<Op>,
}

/// Why bytes are not a write-set, or a write-set does not fit this store.
#[derive(Debug, thiserror::Error)]
pub enum WriteSetError {
    #[error("a write-set is malformed: {0}")]
    Malformed(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl Op {
    /// Its kind's byte, table, key and value (none for a delete).
    fn parts(&self) -> (u8, &str, &[u8], Option<&[u8]>) {
        match self {
            Op::Put { table, key, value } => (PUT, table, key, Some(value)),
            Op::Delete { table, key } => (DELETE, table, key, None),
            Op::Add { table, key, value } => (ADD, table, key, Some(value)),
            Op::Remove { table, key, value } => (REMOVE, table, key, Some(value)),
        }
    }
}

const PUT: u8 = 1;
const DELETE: u8 = 2;
const ADD: u8 = 3;
const REMOVE: u8 = 4;
/// The largest key or value a write-set carries (records are kilobytes).
const MAX_FIELD: usize = 64 << 20;

impl WriteSet {
    /// `[kind][name length][name][key length][key]([value length][value])`
    /// per change, lengths as little-endian u32 (the name's as one byte).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        // Writing to a Vec cannot fail.
        let _ = self.encode_to(&mut out);
        out
    }

    /// The length of [`Self::encode`]'s bytes, without making them.
    pub fn encoded_len(&self) -> usize {
        self.ops
            .iter()
            .map(|op| {
                let (_, table, key, value) = op.parts();
                2 + table.len() + 4 + key.len() + value.map_or(0, |v| 4 + v.len())
            })
            .sum()
    }

    /// Writes [`Self::encode`]'s bytes to `out` as they are made, so a large
    /// write-set can be compressed without a plain copy of it in memory.
    pub fn encode_to<W: std::io::Write + ?Sized>(&self, out: &mut W) -> std::io::Result<()> {
        for op in &self.ops {
            let (kind, table, key, value) = op.parts();
            out.write_all(&[kind, table.len() as u8])?;
            out.write_all(table.as_bytes())?;
            out.write_all(&(key.len() as u32).to_le_bytes())?;
            out.write_all(key)?;
            if let Some(v) = value {
                out.write_all(&(v.len() as u32).to_le_bytes())?;
                out.write_all(v)?;
            }
        }
        Ok(())
    }

    pub fn decode(mut bytes: &[u8]) -> Result<WriteSet, WriteSetError> {
        let mut ops = Vec::new();
        while let Some((&kind, rest)) = bytes.split_first() {
            bytes = rest;
            let len = field_of(&mut bytes, 1)?[0];
            let table = String::from_utf8(field_of(&mut bytes, usize::from(len))?)
                .map_err(|_| WriteSetError::Malformed("a table name".into()))?;
            let key = sized(&mut bytes)?;
            ops.push(match kind {
                PUT => Op::Put {
                    table,
                    key,
                    value: sized(&mut bytes)?,
                },
                DELETE => Op::Delete { table, key },
                ADD => Op::Add {
                    table,
                    key,
                    value: sized(&mut bytes)?,
                },
                REMOVE => Op::Remove {
                    table,
                    key,
                    value: sized(&mut bytes)?,
                },
                other => return Err(WriteSetError::Malformed(format!("change kind {other}"))),
            });
        }
        Ok(WriteSet { ops })
    }
}

/// The next `n` bytes.
fn field_of(bytes: &mut &[u8], n: usize) -> Result<Vec<u8>, WriteSetError> {
    if bytes.len() < n {
        return Err(WriteSetError::Malformed("it ends early".into()));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head.to_vec())
}

/// A field with its little-endian u32 length before it.
fn sized(bytes: &mut &[u8]) -> Result<Vec<u8>, WriteSetError> {
    let len = field_of(bytes, 4)?;
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    if len > MAX_FIELD {
        return Err(WriteSetError::Malformed("a field is too large".into()));
    }
    field_of(bytes, len)
}

/// Where a recording transaction keeps its changes.
pub(super) type Log = RefCell<Vec<Op>>;

/// A plain table open for writing: reads through `Deref`, writes recorded.
pub(super) struct Table<'t, K: Key + 'static, V: Value + 'static> {
    inner: redb::Table<'t, K, V>,
    name: String,
    log: Option<&'t Log>,
}

impl<'t, K: Key + 'static, V: Value + 'static> Deref for Table<'t, K, V> {
    type Target = redb::Table<'t, K, V>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl<K: Key + 'static, V: Value + 'static> Table<'_, K, V> {
    pub(super) fn insert<'k, 'v>(
        &mut self,
        key: impl Borrow<K::SelfType<'k>>,
        value: impl Borrow<V::SelfType<'v>>,
    ) -> StoreResult<()> {
        if let Some(log) = self.log {
            log.borrow_mut().push(Op::Put {
                table: self.name.clone(),
                key: K::as_bytes(key.borrow()).as_ref().to_vec(),
                value: V::as_bytes(value.borrow()).as_ref().to_vec(),
            });
        }
        self.inner.insert(key, value)?;
        Ok(())
    }

    pub(super) fn remove<'k>(&mut self, key: impl Borrow<K::SelfType<'k>>) -> StoreResult<()> {
        if let Some(log) = self.log {
            log.borrow_mut().push(Op::Delete {
                table: self.name.clone(),
                key: K::as_bytes(key.borrow()).as_ref().to_vec(),
            });
        }
        self.inner.remove(key)?;
        Ok(())
    }
}

/// A multimap table open for writing: reads through `Deref`, writes recorded.
pub(super) struct Multimap<'t, K: Key + 'static, V: Key + 'static> {
    inner: redb::MultimapTable<'t, K, V>,
    name: String,
    log: Option<&'t Log>,
}

impl<'t, K: Key + 'static, V: Key + 'static> Deref for Multimap<'t, K, V> {
    type Target = redb::MultimapTable<'t, K, V>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl<K: Key + 'static, V: Key + 'static> Multimap<'_, K, V> {
    pub(super) fn insert<'k, 'v>(
        &mut self,
        key: impl Borrow<K::SelfType<'k>>,
        value: impl Borrow<V::SelfType<'v>>,
    ) -> StoreResult<()> {
        if let Some(log) = self.log {
            log.borrow_mut().push(Op::Add {
                table: self.name.clone(),
                key: K::as_bytes(key.borrow()).as_ref().to_vec(),
                value: V::as_bytes(value.borrow()).as_ref().to_vec(),
            });
        }
        self.inner.insert(key, value)?;
        Ok(())
    }

    pub(super) fn remove<'k, 'v>(
        &mut self,
        key: impl Borrow<K::SelfType<'k>>,
        value: impl Borrow<V::SelfType<'v>>,
    ) -> StoreResult<()> {
        if let Some(log) = self.log {
            log.borrow_mut().push(Op::Remove {
                table: self.name.clone(),
                key: K::as_bytes(key.borrow()).as_ref().to_vec(),
                value: V::as_bytes(value.borrow()).as_ref().to_vec(),
            });
        }
        self.inner.remove(key, value)?;
        Ok(())
    }
}

impl Tx {
    /// The write transaction itself, for migrations, which every node runs
    /// on its own copy and which are not recorded.
    pub(super) fn unrecorded(&self) -> StoreResult<&WriteTransaction> {
        match &self.inner {
            Inner::Write(w) => Ok(w),
            Inner::Read(..) => Err(StoreError::ReadOnly),
        }
    }

    /// `def` open for writing, its changes recorded when the transaction is.
    pub(super) fn table<K: Key + 'static, V: Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
    ) -> StoreResult<Table<'_, K, V>> {
        let log = self.log.as_deref();
        Ok(Table {
            inner: self.unrecorded()?.open_table(def)?,
            // Only a recording transaction pays for the name.
            name: log.map(|_| def.name().to_owned()).unwrap_or_default(),
            log,
        })
    }

    /// `def` open for writing, its changes recorded when the transaction is.
    pub(super) fn multimap<K: Key + 'static, V: Key + 'static>(
        &self,
        def: MultimapTableDefinition<K, V>,
    ) -> StoreResult<Multimap<'_, K, V>> {
        let log = self.log.as_deref();
        Ok(Multimap {
            inner: self.unrecorded()?.open_multimap_table(def)?,
            name: log.map(|_| def.name().to_owned()).unwrap_or_default(),
            log,
        })
    }

    /// Replays `ws` in this transaction (unrecorded).
    pub fn apply(&mut self, ws: &WriteSet) -> Result<(), WriteSetError> {
        let w = self.unrecorded()?;
        for op in &ws.ops {
            apply_op(w, op)?;
        }
        Ok(())
    }
}

/// Whether `bytes` can be read as a `T` without redb panicking: the right
/// width for fixed-width types, UTF-8 for text, anything for bytes.
pub(super) fn fits<T: Value>(bytes: &[u8]) -> bool {
    match T::fixed_width() {
        Some(w) => bytes.len() == w,
        None => T::type_name() != <&str>::type_name() || std::str::from_utf8(bytes).is_ok(),
    }
}

fn misfit(table: &str) -> WriteSetError {
    WriteSetError::Malformed(format!("a row of {table} has the wrong shape"))
}

/// Puts `key`, `value` (redb's bytes) into the plain table `def`.
pub(super) fn put_bytes<K: Key + 'static, V: Value + 'static>(
    t: &mut redb::Table<'_, K, V>,
    def: &TableDefinition<K, V>,
    key: &[u8],
    value: &[u8],
) -> Result<(), WriteSetError> {
    if !fits::<K>(key) || !fits::<V>(value) {
        return Err(misfit(def.name()));
    }
    t.insert(K::from_bytes(key), V::from_bytes(value))
        .map_err(StoreError::from)?;
    Ok(())
}

/// Adds the pair `key`, `value` (redb's bytes) to the multimap table `def`.
pub(super) fn add_bytes<K: Key + 'static, V: Key + 'static>(
    t: &mut redb::MultimapTable<'_, K, V>,
    def: &MultimapTableDefinition<K, V>,
    key: &[u8],
    value: &[u8],
) -> Result<(), WriteSetError> {
    if !fits::<K>(key) || !fits::<V>(value) {
        return Err(misfit(def.name()));
    }
    t.insert(K::from_bytes(key), V::from_bytes(value))
        .map_err(StoreError::from)?;
    Ok(())
}

fn apply_op(w: &WriteTransaction, op: &Op) -> Result<(), WriteSetError> {
    let (name, key, value) = match op {
        Op::Put { table, key, value }
        | Op::Add { table, key, value }
        | Op::Remove { table, key, value } => (table, key, Some(value)),
        Op::Delete { table, key } => (table, key, None),
    };
    let mut found = false;
    macro_rules! plain {
        ($def:expr) => {
            if !found && $def.name() == name {
                found = true;
                let mut t = w.open_table($def).map_err(StoreError::from)?;
                match (op, value) {
                    (Op::Put { .. }, Some(v)) => put_bytes(&mut t, &$def, key, v)?,
                    (Op::Delete { .. }, _) => {
                        if !fits_key(&$def, key) {
                            return Err(misfit(name));
                        }
                        t.remove(key_of(&$def, key)).map_err(StoreError::from)?;
                    }
                    _ => return Err(misfit(name)),
                }
            }
        };
    }
    macro_rules! multi {
        ($def:expr) => {
            if !found && $def.name() == name {
                found = true;
                let mut t = w.open_multimap_table($def).map_err(StoreError::from)?;
                match (op, value) {
                    (Op::Add { .. }, Some(v)) => add_bytes(&mut t, &$def, key, v)?,
                    (Op::Remove { .. }, Some(v)) => {
                        if !fits_pair(&$def, key, v) {
                            return Err(misfit(name));
                        }
                        let (k, v) = pair_of(&$def, key, v);
                        t.remove(k, v).map_err(StoreError::from)?;
                    }
                    _ => return Err(misfit(name)),
                }
            }
        };
    }
    each_table!(plain, multi);
    if !found {
        return Err(WriteSetError::Malformed(format!(
            "an unknown table '{name}'"
        )));
    }
    Ok(())
}

fn fits_key<K: Key + 'static, V: Value + 'static>(_: &TableDefinition<K, V>, key: &[u8]) -> bool {
    fits::<K>(key)
}

fn key_of<'a, K: Key + 'static, V: Value + 'static>(
    _: &TableDefinition<K, V>,
    key: &'a [u8],
) -> K::SelfType<'a> {
    K::from_bytes(key)
}

fn fits_pair<K: Key + 'static, V: Key + 'static>(
    _: &MultimapTableDefinition<K, V>,
    key: &[u8],
    value: &[u8],
) -> bool {
    fits::<K>(key) && fits::<V>(value)
}

fn pair_of<'a, K: Key + 'static, V: Key + 'static>(
    _: &MultimapTableDefinition<K, V>,
    key: &'a [u8],
    value: &'a [u8],
) -> (K::SelfType<'a>, V::SelfType<'a>) {
    (K::from_bytes(key), V::from_bytes(value))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{open, org, sample_role, user};
    use super::super::{Store, backup_to_file, restore_backup};
    use super::*;
    use crate::directory::audit::Event;

    fn event() -> Event {
        use crate::directory::audit::{Outcome, Protocol};
        Event {
            seq: 0,
            time: 1,
            actor: "t".into(),
            actor_id: None,
            action: "a".into(),
            target: "x".into(),
            target_id: None,
            org: None,
            protocol: Protocol::Internal,
            source: None,
            outcome: Outcome::Success,
            detail: None,
        }
    }

    /// A backup's rows: everything between its header and its checksum.
    fn rows(store: &Store) -> Vec<u8> {
        let (_, bytes) = store.backup(Vec::new()).unwrap();
        bytes[39..bytes.len() - 32].to_vec()
    }

    #[test]
    fn replaying_write_sets_gives_the_same_rows() {
        let (tmp, a) = open();
        // B starts as a copy of A.
        let file = tmp.path().join("a.backup");
        backup_to_file(&a, &file).unwrap();
        restore_backup(&file, &tmp.path().join("b.redb")).unwrap();
        let b = Store::open(&tmp.path().join("b.redb"), 10_000).unwrap();

        let acme = org("Acme");
        let mut ann = user("ann@x.org", "ann@x.org", Some(acme.id), 1);
        let bob = user("bob@x.org", "bob@x.org", Some(acme.id), 2);
        let role = sample_role();
        let mut sets = Vec::new();
        let mut run = |f: &dyn Fn(&mut Tx) -> StoreResult<()>| {
            let ((), ws) = a.write_recorded(|tx| f(tx)).unwrap();
            sets.push(ws);
        };
        run(&|tx| tx.put_org(&acme));
        run(&|tx| {
            tx.put_user(&ann)?;
            tx.put_user(&bob)?;
            tx.put_role(&role)?;
            tx.add_member(role.id, ann.id)?;
            tx.add_member(role.id, bob.id)?;
            tx.next_id_number()?;
            tx.log(event()).map(|_| ())
        });
        ann.email = Some("ann@elsewhere.org".into());
        ann.login = "ann2@x.org".into();
        run(&|tx| tx.put_user(&ann));
        run(&|tx| tx.delete_user(bob.id));
        assert!(sets.iter().all(|ws| !ws.ops.is_empty()));
        assert!(
            sets[3]
                .ops
                .iter()
                .any(|op| matches!(op, Op::Remove { table, .. } if table == "member_of"))
        );
        for ws in &sets {
            let bytes = ws.encode();
            assert_eq!(bytes.len(), ws.encoded_len());
            let mut streamed = Vec::new();
            ws.encode_to(&mut streamed).unwrap();
            assert_eq!(streamed, bytes);
            let carried = WriteSet::decode(&bytes).unwrap();
            assert_eq!(&carried, ws);
            b.apply(&carried).unwrap();
        }
        assert_eq!(rows(&a), rows(&b));
        let moved = b.read(|tx| tx.user_by_login("ann2@x.org")).unwrap();
        assert_eq!(moved.map(|u| u.id), Some(ann.id));
    }

    #[test]
    fn a_write_set_that_does_not_fit_is_refused() {
        let (_tmp, store) = open();
        let wrong = |table: &str, key: Vec<u8>| WriteSet {
            ops: vec![Op::Put {
                table: table.into(),
                key,
                value: vec![1],
            }],
        };
        // A u128 key of 3 bytes, an unknown table, a truncated encoding.
        assert!(matches!(
            store.apply(&wrong("users", vec![1, 2, 3])),
            Err(WriteSetError::Malformed(_))
        ));
        assert!(store.apply(&wrong("nowhere", vec![0; 16])).is_err());
        let bytes = wrong("users", vec![0; 16]).encode();
        assert!(WriteSet::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(WriteSet::decode(&[9, 1, b'x', 0, 0, 0, 0]).is_err());
        // Nothing was written by the refused ones.
        assert!(store.read(|tx| tx.users()).unwrap().is_empty());
    }
}
