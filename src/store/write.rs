//! Typed writes. Each `put_*` compares the new record with the stored one and
//! updates every index, membership table and seat counter it affects, so callers
//! cannot forget one; unique indexes refuse a key held by another record.

use super::codec::{encode, org_key, role_name_key, unit_name_key};
use super::migrate::NEXT_ID_NUMBER_KEY;
use super::read::SYSTEM_ADMIN_KEY as SYSTEM_ADMIN;
use super::tables::*;
use super::{StoreError, StoreResult, Tx};
use crate::directory::audit::Event;
use crate::directory::model::*;
use crate::directory::names::{fold, loose_key};
use redb::{MultimapTableDefinition, ReadableMultimapTable, ReadableTable, TableDefinition};
use std::collections::BTreeSet;
use uuid::Uuid;

impl Tx {
    pub(super) fn put_record<T: serde::Serialize>(
        &mut self,
        def: TableDefinition<u128, &[u8]>,
        what: &'static str,
        id: Uuid,
        value: &T,
    ) -> StoreResult<()> {
        let bytes = encode(what, value)?;
        let mut t = self.table(def)?;
        t.insert(id.as_u128(), bytes.as_slice())?;
        Ok(())
    }

    pub(super) fn remove_record(
        &mut self,
        def: TableDefinition<u128, &[u8]>,
        id: Uuid,
    ) -> StoreResult<()> {
        self.table(def)?.remove(id.as_u128())?;
        Ok(())
    }

    /// Points a unique key at `id`, refusing a key that names another record.
    fn claim(
        &mut self,
        def: TableDefinition<&str, u128>,
        index: &'static str,
        key: &str,
        id: Uuid,
    ) -> StoreResult<()> {
        let mut t = self.table(def)?;
        if let Some(holder) = t.get(key)?.map(|v| v.value())
            && holder != id.as_u128()
        {
            return Err(StoreError::Duplicate {
                index,
                key: key.to_owned(),
            });
        }
        t.insert(key, id.as_u128())?;
        Ok(())
    }

    pub(super) fn release(
        &mut self,
        def: TableDefinition<&str, u128>,
        key: &str,
    ) -> StoreResult<()> {
        self.table(def)?.remove(key)?;
        Ok(())
    }

    /// Moves a unique key from `old` to `new` when they differ.
    pub(super) fn rekey(
        &mut self,
        def: TableDefinition<&str, u128>,
        index: &'static str,
        old: Option<&str>,
        new: &str,
        id: Uuid,
    ) -> StoreResult<()> {
        if old == Some(new) {
            // Unchanged key: the index already points at this record.
            return Ok(());
        }
        if let Some(old) = old {
            self.release(def, old)?;
        }
        self.claim(def, index, new, id)
    }

    pub(super) fn set_str_entry(
        &mut self,
        def: MultimapTableDefinition<&str, u128>,
        old: Option<&str>,
        new: Option<&str>,
        id: Uuid,
    ) -> StoreResult<()> {
        if old == new {
            return Ok(());
        }
        let mut t = self.multimap(def)?;
        if let Some(old) = old {
            t.remove(old, id.as_u128())?;
        }
        if let Some(new) = new {
            t.insert(new, id.as_u128())?;
        }
        Ok(())
    }

    /// Like [`Self::set_str_entry`] for a record with several keys in one
    /// index: drops the keys it lost, adds the ones it gained.
    pub(super) fn set_str_entries(
        &mut self,
        def: MultimapTableDefinition<&str, u128>,
        old: &BTreeSet<String>,
        new: &BTreeSet<String>,
        id: Uuid,
    ) -> StoreResult<()> {
        if old == new {
            return Ok(());
        }
        let mut t = self.multimap(def)?;
        for gone in old.difference(new) {
            t.remove(gone.as_str(), id.as_u128())?;
        }
        for added in new.difference(old) {
            t.insert(added.as_str(), id.as_u128())?;
        }
        Ok(())
    }

    /// Adds (`present`) or removes `id` under `key` of a multimap index.
    pub(super) fn set_entry<K: redb::Key + 'static>(
        &mut self,
        def: MultimapTableDefinition<K, u128>,
        key: K::SelfType<'_>,
        id: Uuid,
        present: bool,
    ) -> StoreResult<()> {
        let mut t = self.multimap(def)?;
        if present {
            t.insert(&key, id.as_u128())?;
        } else {
            t.remove(&key, id.as_u128())?;
        }
        Ok(())
    }

    pub(super) fn add_seats(&mut self, org: Uuid, delta: i64) -> StoreResult<()> {
        let mut t = self.table(SEATS_USED)?;
        let used = t.get(org.as_u128())?.map_or(0, |v| v.value());
        let next = used.saturating_add_signed(delta);
        if next == 0 {
            t.remove(org.as_u128())?;
        } else {
            t.insert(org.as_u128(), next)?;
        }
        Ok(())
    }

    /// Allocates the next uidNumber/gidNumber: the counter's value, skipping
    /// numbers a client gave a user or group (as uid or gid), so an allocated
    /// number is free in both spaces (a user private group can share it).
    /// Each number in use is skipped at most once: the counter moves past it.
    pub fn next_id_number(&mut self) -> StoreResult<u32> {
        let w = self.unrecorded()?;
        let mut meta = self.table(META)?;
        let mut next = meta
            .get(NEXT_ID_NUMBER_KEY)?
            .and_then(|v| v.value().try_into().ok().map(u32::from_le_bytes))
            .unwrap_or(10_000);
        let uids = w.open_table(UID_NUMBERS)?;
        let groups = w.open_table(GROUP_GIDS)?;
        let user_gids = w.open_multimap_table(USER_GIDS)?;
        while uids.get(next)?.is_some()
            || groups.get(next)?.is_some()
            || !user_gids.get(next)?.is_empty()
        {
            next = next
                .checked_add(1)
                .ok_or(StoreError::Exhausted("id numbers"))?;
        }
        let after = next
            .checked_add(1)
            .ok_or(StoreError::Exhausted("id numbers"))?;
        meta.insert(NEXT_ID_NUMBER_KEY, after.to_le_bytes().as_slice())?;
        Ok(next)
    }

    /// Appends an event to the change log and returns its sequence number.
    pub fn log(&mut self, mut event: Event) -> StoreResult<u64> {
        let seq = self.last_seq()? + 1;
        event.seq = seq;
        let bytes = encode("event", &event)?;
        self.table(CHANGELOG)?.insert(seq, bytes.as_slice())?;
        Ok(seq)
    }

    /// Appends many events with one table open (the journal's batches).
    pub fn log_all(&mut self, events: Vec<Event>) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut seq = self.last_seq()?;
        let mut t = self.table(CHANGELOG)?;
        for mut event in events {
            seq += 1;
            event.seq = seq;
            let bytes = encode("event", &event)?;
            t.insert(seq, bytes.as_slice())?;
        }
        Ok(())
    }

    /// Deletes up to `max` change-log events older than `cutoff`, oldest
    /// first, and returns how many went. The newest event always stays: its
    /// sequence number is where the next one continues.
    pub fn prune_changes(&mut self, cutoff: Millis, max: usize) -> StoreResult<usize> {
        let mut t = self.table(CHANGELOG)?;
        let newest = t.last()?.map(|(k, _)| k.value());
        let mut doomed = Vec::new();
        for row in t.iter()? {
            let (k, v) = row?;
            let seq = k.value();
            if Some(seq) == newest || doomed.len() >= max {
                break;
            }
            let event: Event = super::codec::decode("event", v.value())?;
            if event.time >= cutoff {
                break;
            }
            doomed.push(seq);
        }
        for seq in &doomed {
            t.remove(*seq)?;
        }
        Ok(doomed.len())
    }

    pub fn put_org(&mut self, org: &Organization) -> StoreResult<()> {
        let old = self.org(org.id)?;
        let old_key = old.as_ref().map(|o| fold(&o.name));
        self.rekey(
            ORG_BY_NAME,
            "organization",
            old_key.as_deref(),
            &fold(&org.name),
            org.id,
        )?;
        self.put_record(ORGS, "organization", org.id, org)
    }

    /// Removes an organization record; the caller checks it is empty.
    pub fn delete_org(&mut self, id: Uuid) -> StoreResult<()> {
        if let Some(old) = self.org(id)? {
            self.release(ORG_BY_NAME, &fold(&old.name))?;
            self.table(SEATS_USED)?.remove(id.as_u128())?;
        }
        self.remove_record(ORGS, id)
    }

    pub fn put_suffix(&mut self, suffix: &Suffix) -> StoreResult<()> {
        let bytes = encode("suffix", suffix)?;
        let key = fold(&suffix.name);
        let mut t = self.table(SUFFIXES)?;
        t.insert(key.as_str(), bytes.as_slice())?;
        Ok(())
    }

    pub fn delete_suffix(&mut self, name: &str) -> StoreResult<()> {
        let key = fold(name);
        self.table(SUFFIXES)?.remove(key.as_str())?;
        Ok(())
    }

    /// Moves a unique number from `old` to `new`, refusing one another record holds.
    pub(super) fn renumber(
        &mut self,
        def: TableDefinition<u32, u128>,
        index: &'static str,
        old: Option<u32>,
        new: u32,
        id: Uuid,
    ) -> StoreResult<()> {
        if old == Some(new) {
            return Ok(());
        }
        let mut t = self.table(def)?;
        if let Some(holder) = t.get(new)?.map(|v| v.value())
            && holder != id.as_u128()
        {
            return Err(StoreError::Duplicate {
                index,
                key: new.to_string(),
            });
        }
        if let Some(old) = old {
            t.remove(old)?;
        }
        t.insert(new, id.as_u128())?;
        Ok(())
    }

    /// Takes `id` out of every role it is in, and (for a role) empties it.
    pub(super) fn drop_memberships(&mut self, id: Uuid) -> StoreResult<()> {
        for role in self.member_of(id)? {
            self.remove_member(role, id)?;
        }
        for member in self.role_members(id)? {
            self.remove_member(id, member.id())?;
        }
        Ok(())
    }

    pub fn put_role(&mut self, role: &Role) -> StoreResult<()> {
        let old = self.role(role.id)?;
        let old_key = old.as_ref().map(|o| role_name_key(o.org, &fold(&o.name)));
        let new_key = role_name_key(role.org, &fold(&role.name));
        self.rekey(
            ROLE_BY_NAME,
            "role name",
            old_key.as_deref(),
            &new_key,
            role.id,
        )?;
        let old_gid = old.as_ref().map(|o| o.gid_number);
        self.renumber(GROUP_GIDS, "gidNumber", old_gid, role.gid_number, role.id)?;
        if let Some(old) = old.as_ref().filter(|o| o.org != role.org) {
            self.set_entry(ORG_ROLES, org_key(old.org), role.id, false)?;
        }
        self.set_entry(ORG_ROLES, org_key(role.org), role.id, true)?;
        self.put_record(ROLES, "role", role.id, role)
    }

    /// Removes a role with its indexes and memberships (both ways).
    pub fn delete_role(&mut self, id: Uuid) -> StoreResult<()> {
        let Some(old) = self.role(id)? else {
            return Ok(());
        };
        self.release(ROLE_BY_NAME, &role_name_key(old.org, &fold(&old.name)))?;
        self.set_str_entry(ROLE_BY_CN, Some(&loose_key(&old.name)), None, id)?;
        self.table(GROUP_GIDS)?.remove(old.gid_number)?;
        self.set_entry(ORG_ROLES, org_key(old.org), id, false)?;
        self.drop_memberships(id)?;
        self.unlink_role_apps(id)?;
        self.remove_record(ROLES, id)
    }

    pub fn add_member(&mut self, role: Uuid, member: Uuid) -> StoreResult<()> {
        self.set_entry(ROLE_MEMBERS, role.as_u128(), member, true)?;
        self.set_entry(MEMBER_OF, member.as_u128(), role, true)
    }

    pub fn remove_member(&mut self, role: Uuid, member: Uuid) -> StoreResult<()> {
        self.set_entry(ROLE_MEMBERS, role.as_u128(), member, false)?;
        self.set_entry(MEMBER_OF, member.as_u128(), role, false)
    }

    pub fn put_unit(&mut self, unit: &Unit) -> StoreResult<()> {
        let old = self.unit(unit.id)?;
        let key = |u: &Unit| unit_name_key(u.org, u.parent, &fold(&u.name));
        let old_key = old.as_ref().map(key);
        self.rekey(
            UNIT_BY_NAME,
            "unit name",
            old_key.as_deref(),
            &key(unit),
            unit.id,
        )?;
        self.set_entry(ORG_UNITS, unit.org.as_u128(), unit.id, true)?;
        self.put_record(UNITS, "unit", unit.id, unit)
    }

    pub fn delete_unit(&mut self, id: Uuid) -> StoreResult<()> {
        let Some(old) = self.unit(id)? else {
            return Ok(());
        };
        self.release(
            UNIT_BY_NAME,
            &unit_name_key(old.org, old.parent, &fold(&old.name)),
        )?;
        self.set_entry(ORG_UNITS, old.org.as_u128(), id, false)?;
        self.remove_record(UNITS, id)
    }

    pub fn put_service(&mut self, svc: &ServiceAccount) -> StoreResult<()> {
        let old = self.service(svc.id)?;
        let old_key = old.as_ref().map(|o| fold(&o.name));
        self.rekey(
            SERVICE_BY_NAME,
            "service account",
            old_key.as_deref(),
            &fold(&svc.name),
            svc.id,
        )?;
        self.put_record(SERVICES, "service account", svc.id, svc)
    }

    pub fn delete_service(&mut self, id: Uuid) -> StoreResult<()> {
        if let Some(old) = self.service(id)? {
            self.release(SERVICE_BY_NAME, &fold(&old.name))?;
        }
        self.remove_record(SERVICES, id)
    }

    pub fn put_token(&mut self, token: &Token) -> StoreResult<()> {
        self.put_record(TOKENS, "token", token.id, token)
    }

    pub fn delete_token(&mut self, id: Uuid) -> StoreResult<()> {
        self.remove_record(TOKENS, id)
    }

    pub fn put_system_admin(&mut self, admin: &SystemAdmin) -> StoreResult<()> {
        let bytes = encode("system administrator", admin)?;
        let mut meta = self.table(META)?;
        meta.insert(SYSTEM_ADMIN, bytes.as_slice())?;
        Ok(())
    }
}
