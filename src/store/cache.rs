//! Tables opened once per read transaction. Opening a redb table walks the
//! table directory, and a search reads the same few tables for every entry it
//! renders; a read transaction keeps each hot table open after first use.

use super::StoreResult;

use redb::{
    MultimapTableDefinition, MultimapTableHandle, ReadOnlyMultimapTable, ReadOnlyTable,
    TableDefinition, TableHandle,
};
use std::cell::OnceCell;

const RECORDS: [&str; 7] = [
    "orgs",
    "users",
    "roles",
    "services",
    "tokens",
    "apps",
    "last_logins",
];
const UNIQUE: [&str; 4] = [
    "idx_org_name",
    "idx_login",
    "idx_role_name",
    "idx_service_name",
];
/// The application tables too: `memberOf` reads the applications of each
/// role a user sits in, and listing an organization asks whether it owns any.
const MULTI: [&str; 7] = [
    "org_users",
    "org_roles",
    "role_members",
    "member_of",
    "role_apps",
    "app_roles",
    "org_apps",
];

/// The open tables of one read transaction.
#[derive(Default)]
pub struct ReadCache {
    records: [OnceCell<ReadOnlyTable<u128, &'static [u8]>>; 7],
    unique: [OnceCell<ReadOnlyTable<&'static str, u128>>; 4],
    multi: [OnceCell<ReadOnlyMultimapTable<u128, u128>>; 7],
}

fn slot(names: &[&str], name: &str) -> Option<usize> {
    names.iter().position(|n| *n == name)
}

/// Returns the cached table in `cells[slot]`, opening it on first use; a
/// table without a slot is opened each time into `spare`.
fn cached<'c, T>(
    cells: &'c [OnceCell<T>],
    slot: Option<usize>,
    spare: &'c OnceCell<T>,
    open: impl FnOnce() -> StoreResult<T>,
) -> StoreResult<&'c T> {
    let cell = slot.and_then(|i| cells.get(i)).unwrap_or(spare);
    if let Some(t) = cell.get() {
        return Ok(t);
    }
    let table = open()?;
    Ok(cell.get_or_init(|| table))
}

impl ReadCache {
    pub fn record<'c>(
        &'c self,
        txn: &redb::ReadTransaction,
        def: TableDefinition<'static, u128, &'static [u8]>,
        spare: &'c OnceCell<ReadOnlyTable<u128, &'static [u8]>>,
    ) -> StoreResult<&'c ReadOnlyTable<u128, &'static [u8]>> {
        let slot = slot(&RECORDS, def.name());
        cached(&self.records, slot, spare, || Ok(txn.open_table(def)?))
    }

    pub fn unique<'c>(
        &'c self,
        txn: &redb::ReadTransaction,
        def: TableDefinition<'static, &'static str, u128>,
        spare: &'c OnceCell<ReadOnlyTable<&'static str, u128>>,
    ) -> StoreResult<&'c ReadOnlyTable<&'static str, u128>> {
        let slot = slot(&UNIQUE, def.name());
        cached(&self.unique, slot, spare, || Ok(txn.open_table(def)?))
    }

    pub fn multi<'c>(
        &'c self,
        txn: &redb::ReadTransaction,
        def: MultimapTableDefinition<'static, u128, u128>,
        spare: &'c OnceCell<ReadOnlyMultimapTable<u128, u128>>,
    ) -> StoreResult<&'c ReadOnlyMultimapTable<u128, u128>> {
        let slot = slot(&MULTI, def.name());
        cached(&self.multi, slot, spare, || {
            Ok(txn.open_multimap_table(def)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tables::*;

    #[test]
    fn every_slot_names_a_real_table() {
        let defs: Vec<&str> = [ORGS, USERS, ROLES, SERVICES, TOKENS, APPS, LAST_LOGINS]
            .iter()
            .map(|d| d.name())
            .collect();
        assert_eq!(defs, RECORDS);
        let unique: Vec<&str> = [ORG_BY_NAME, USER_BY_LOGIN, ROLE_BY_NAME, SERVICE_BY_NAME]
            .iter()
            .map(|d| d.name())
            .collect();
        assert_eq!(unique, UNIQUE);
        let multi: Vec<&str> = [
            ORG_USERS,
            ORG_ROLES,
            ROLE_MEMBERS,
            MEMBER_OF,
            ROLE_APPS,
            APP_ROLES,
            ORG_APPS,
        ]
        .iter()
        .map(|d| d.name())
        .collect();
        assert_eq!(multi, MULTI);
    }
}
