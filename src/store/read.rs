//! Typed reads, available in read and write transactions alike: records by id,
//! the unique and multi-valued indexes, memberships, seat counters and the change
//! log. Names are looked up case-folded.

use super::codec::{decode, org_key, role_name_key, unit_name_key};
use super::tables::*;
use super::{Inner, StoreResult, Tx, with_table};
use crate::directory::audit::Event;
use crate::directory::model::*;
use crate::directory::names::fold;
use redb::{ReadableMultimapTable, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::de::DeserializeOwned;
use std::cell::OnceCell;
use uuid::Uuid;

pub(super) const SYSTEM_ADMIN_KEY: &str = "system_admin";

impl Tx {
    pub(super) fn record<T: DeserializeOwned>(
        &self,
        def: TableDefinition<'static, u128, &'static [u8]>,
        what: &'static str,
        id: Uuid,
    ) -> StoreResult<Option<T>> {
        self.raw(def, id, |bytes| decode(what, bytes))
    }

    /// What `f` makes of the bytes stored under `id` in `def` (a read
    /// transaction keeps the table open for the next call).
    fn raw<T>(
        &self,
        def: TableDefinition<'static, u128, &'static [u8]>,
        id: Uuid,
        f: impl FnOnce(&[u8]) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        match &self.inner {
            Inner::Read(r, cache) => {
                let spare = OnceCell::new();
                let t = cache.record(r, def, &spare)?;
                t.get(id.as_u128())?.map(|v| f(v.value())).transpose()
            }
            Inner::Write(w) => {
                let t = w.open_table(def)?;
                t.get(id.as_u128())?.map(|v| f(v.value())).transpose()
            }
        }
    }

    pub(super) fn all<T: DeserializeOwned>(
        &self,
        def: TableDefinition<u128, &[u8]>,
        what: &'static str,
    ) -> StoreResult<Vec<T>> {
        with_table!(self, open_table, def, |t| {
            let mut out = Vec::with_capacity(t.len()? as usize);
            for row in t.iter()? {
                let (_, v) = row?;
                out.push(decode(what, v.value())?);
            }
            Ok(out)
        })
    }

    pub(super) fn unique(
        &self,
        def: TableDefinition<'static, &'static str, u128>,
        key: &str,
    ) -> StoreResult<Option<Uuid>> {
        let got = match &self.inner {
            Inner::Read(r, cache) => {
                let spare = OnceCell::new();
                cache.unique(r, def, &spare)?.get(key)?.map(|v| v.value())
            }
            Inner::Write(w) => w.open_table(def)?.get(key)?.map(|v| v.value()),
        };
        Ok(got.map(Uuid::from_u128))
    }

    pub fn org(&self, id: Uuid) -> StoreResult<Option<Organization>> {
        self.record(ORGS, "organization", id)
    }

    /// An organization's name alone. A user's DN needs nothing else, and
    /// decoding the whole record (its policy, its kept attributes) for each
    /// entry was ~4% of an equality search at 100,000 users (perf); the
    /// decoder skips the other fields without building them.
    pub fn org_name(&self, id: Uuid) -> StoreResult<Option<String>> {
        #[derive(serde::Deserialize)]
        struct Name {
            name: String,
        }
        Ok(self
            .record::<Name>(ORGS, "organization", id)?
            .map(|n| n.name))
    }

    /// An organization's seat count alone (a new user's seat check), without
    /// decoding the rest of its record.
    pub fn org_seats(&self, id: Uuid) -> StoreResult<Option<u32>> {
        #[derive(serde::Deserialize)]
        struct Seats {
            seats: u32,
        }
        Ok(self
            .record::<Seats>(ORGS, "organization", id)?
            .map(|s| s.seats))
    }

    pub fn org_by_name(&self, name: &str) -> StoreResult<Option<Organization>> {
        match self.unique(ORG_BY_NAME, &fold(name))? {
            Some(id) => self.org(id),
            None => Ok(None),
        }
    }

    /// The id of the organization with this name (ignoring case), without
    /// reading the record.
    pub fn org_id_by_name(&self, name: &str) -> StoreResult<Option<Uuid>> {
        self.unique(ORG_BY_NAME, &fold(name))
    }

    /// Every organization, in no particular order.
    pub fn orgs(&self) -> StoreResult<Vec<Organization>> {
        self.all(ORGS, "organization")
    }

    pub fn suffix(&self, name: &str) -> StoreResult<Option<Suffix>> {
        with_table!(
            self,
            open_table,
            SUFFIXES,
            |t| match t.get(fold(name).as_str())? {
                Some(v) => Ok(Some(decode("suffix", v.value())?)),
                None => Ok(None),
            }
        )
    }

    pub fn suffixes(&self) -> StoreResult<Vec<Suffix>> {
        with_table!(self, open_table, SUFFIXES, |t| {
            let mut out = Vec::new();
            for row in t.iter()? {
                out.push(decode("suffix", row?.1.value())?);
            }
            Ok(out)
        })
    }

    /// The user, with its last login from [`LAST_LOGINS`] where that is newer.
    pub fn user(&self, id: Uuid) -> StoreResult<Option<User>> {
        let Some(mut user) = self.stored_user(id)? else {
            return Ok(None);
        };
        self.merge_last_login(&mut user)?;
        Ok(Some(user))
    }

    /// The user's record as stored, without the last-login table: what a
    /// write compares index keys against.
    pub(super) fn stored_user(&self, id: Uuid) -> StoreResult<Option<User>> {
        self.record(USERS, "user", id)
    }

    fn merge_last_login(&self, user: &mut User) -> StoreResult<()> {
        if let Some(t) = self.last_login(user.id)? {
            user.last_login = user.last_login.max(Some(t));
        }
        Ok(())
    }

    /// The time in [`LAST_LOGINS`] (a record may hold an older one).
    pub(super) fn last_login(&self, id: Uuid) -> StoreResult<Option<Millis>> {
        let time = |bytes: &[u8]| Ok(bytes.try_into().ok().map(Millis::from_le_bytes));
        Ok(self.raw(LAST_LOGINS, id, time)?.flatten())
    }

    pub fn user_by_login(&self, login: &str) -> StoreResult<Option<User>> {
        match self.unique(USER_BY_LOGIN, &fold(login))? {
            Some(id) => self.user(id),
            None => Ok(None),
        }
    }

    /// Whether any user, role, organization, unit, service account or
    /// application has `id`, without decoding one (a load that keeps each
    /// entry's `entryUUID` asks once per entry).
    pub fn id_taken(&self, id: Uuid) -> StoreResult<bool> {
        for def in [USERS, ROLES, ORGS, UNITS, SERVICES, APPS] {
            if self.raw(def, id, |_| Ok(()))?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Where a user sits (organization, unit), without decoding the rest of
    /// its record or reading its last login: resolving a DN (every bind, every
    /// entry of a load) needs nothing else.
    pub fn user_place(&self, id: Uuid) -> StoreResult<Option<(Option<Uuid>, Option<Uuid>)>> {
        #[derive(serde::Deserialize)]
        struct Place {
            #[serde(default)]
            org: Option<Uuid>,
            #[serde(default)]
            unit: Option<Uuid>,
        }
        Ok(self
            .record::<Place>(USERS, "user", id)?
            .map(|p| (p.org, p.unit)))
    }

    /// The id of the user with this login (ignoring case), without reading the record.
    pub fn user_id_by_login(&self, login: &str) -> StoreResult<Option<Uuid>> {
        self.unique(USER_BY_LOGIN, &fold(login))
    }

    /// Users whose email is `email` (ignoring case).
    pub fn users_by_email(&self, email: &str) -> StoreResult<Vec<Uuid>> {
        self.multi_str(USER_BY_EMAIL, &fold(email))
    }

    /// Users with `email` (ignoring case) among any of their addresses, not
    /// only the primary one.
    pub fn users_by_any_email(&self, email: &str) -> StoreResult<Vec<Uuid>> {
        self.multi_str(USER_BY_ANY_EMAIL, &fold(email))
    }

    /// Users whose common name has this loose key (`names::loose_key`).
    pub fn users_by_cn_key(&self, key: &str) -> StoreResult<Vec<Uuid>> {
        self.multi_str(USER_BY_CN, key)
    }

    /// Roles whose name has this loose key.
    pub fn roles_by_cn_key(&self, key: &str) -> StoreResult<Vec<Uuid>> {
        self.multi_str(ROLE_BY_CN, key)
    }

    /// Users whose external id is exactly `external_id`.
    pub fn users_by_external_id(&self, external_id: &str) -> StoreResult<Vec<Uuid>> {
        self.multi_str(USER_BY_EXTERNAL_ID, external_id)
    }

    pub(super) fn multi_str(
        &self,
        def: redb::MultimapTableDefinition<&str, u128>,
        key: &str,
    ) -> StoreResult<Vec<Uuid>> {
        with_table!(self, open_multimap_table, def, |t| {
            let mut out = Vec::new();
            for v in t.get(key)? {
                out.push(Uuid::from_u128(v?.value()));
            }
            Ok(out)
        })
    }

    pub(super) fn multi(
        &self,
        def: redb::MultimapTableDefinition<'static, u128, u128>,
        key: u128,
    ) -> StoreResult<Vec<Uuid>> {
        let mut out = Vec::new();
        match &self.inner {
            Inner::Read(r, cache) => {
                let spare = OnceCell::new();
                for v in cache.multi(r, def, &spare)?.get(key)? {
                    out.push(Uuid::from_u128(v?.value()));
                }
            }
            Inner::Write(w) => {
                for v in w.open_multimap_table(def)?.get(key)? {
                    out.push(Uuid::from_u128(v?.value()));
                }
            }
        }
        Ok(out)
    }

    /// Every user, in no particular order.
    pub fn users(&self) -> StoreResult<Vec<User>> {
        let mut users: Vec<User> = self.all(USERS, "user")?;
        for user in &mut users {
            self.merge_last_login(user)?;
        }
        Ok(users)
    }

    /// Users of an organization (`None` = users in no organization).
    pub fn users_in(&self, org: Option<Uuid>) -> StoreResult<Vec<Uuid>> {
        self.multi(ORG_USERS, org_key(org))
    }

    /// How many of an organization's users hold a seat (are not disabled).
    pub fn seats_used(&self, org: Uuid) -> StoreResult<u64> {
        with_table!(self, open_table, SEATS_USED, |t| Ok(t
            .get(org.as_u128())?
            .map_or(0, |v| v.value())))
    }

    pub fn role(&self, id: Uuid) -> StoreResult<Option<Role>> {
        self.record(ROLES, "role", id)
    }

    pub fn role_by_name(&self, org: Option<Uuid>, name: &str) -> StoreResult<Option<Role>> {
        match self.unique(ROLE_BY_NAME, &role_name_key(org, &fold(name)))? {
            Some(id) => self.role(id),
            None => Ok(None),
        }
    }

    /// Every role, in no particular order.
    pub fn roles(&self) -> StoreResult<Vec<Role>> {
        self.all(ROLES, "role")
    }

    /// Roles of an organization (`None` = server-wide roles).
    pub fn roles_in(&self, org: Option<Uuid>) -> StoreResult<Vec<Uuid>> {
        self.multi(ORG_ROLES, org_key(org))
    }

    /// Direct members of a role (users and roles).
    pub fn role_members(&self, role: Uuid) -> StoreResult<Vec<Member>> {
        let ids = self.multi(ROLE_MEMBERS, role.as_u128())?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(if self.user_exists(id)? {
                Member::User(id)
            } else {
                Member::Role(id)
            });
        }
        Ok(out)
    }

    /// Roles that `member` (a user or a role) is directly in.
    pub fn member_of(&self, member: Uuid) -> StoreResult<Vec<Uuid>> {
        self.multi(MEMBER_OF, member.as_u128())
    }

    pub(super) fn user_exists(&self, id: Uuid) -> StoreResult<bool> {
        with_table!(self, open_table, USERS, |t| Ok(t
            .get(id.as_u128())?
            .is_some()))
    }

    pub fn unit(&self, id: Uuid) -> StoreResult<Option<Unit>> {
        with_table!(self, open_table, UNITS, |t| t
            .get(id.as_u128())?
            .map(|v| decode("unit", v.value()))
            .transpose())
    }

    /// The unit named `name` (ignoring case) directly in `parent` of `org`.
    pub fn unit_by_name(
        &self,
        org: Uuid,
        parent: Option<Uuid>,
        name: &str,
    ) -> StoreResult<Option<Unit>> {
        let key = unit_name_key(org, parent, &fold(name));
        let id: StoreResult<Option<Uuid>> = with_table!(self, open_table, UNIT_BY_NAME, |t| Ok(t
            .get(key.as_str())?
            .map(|v| Uuid::from_u128(v.value()))));
        match id? {
            Some(id) => self.unit(id),
            None => Ok(None),
        }
    }

    /// Every unit of an organization, at every depth.
    pub fn units_in(&self, org: Uuid) -> StoreResult<Vec<Unit>> {
        let ids = self.multi(ORG_UNITS, org.as_u128())?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.unit(id)?);
        }
        Ok(out)
    }

    /// The user holding a uidNumber.
    pub fn user_by_uid_number(&self, n: u32) -> StoreResult<Option<Uuid>> {
        with_table!(self, open_table, UID_NUMBERS, |t| Ok(t
            .get(n)?
            .map(|v| Uuid::from_u128(v.value()))))
    }

    /// The role holding a gidNumber.
    pub fn role_by_gid_number(&self, n: u32) -> StoreResult<Option<Uuid>> {
        with_table!(self, open_table, GROUP_GIDS, |t| Ok(t
            .get(n)?
            .map(|v| Uuid::from_u128(v.value()))))
    }

    /// Users whose primary gidNumber is `n`.
    pub fn users_by_gid_number(&self, n: u32) -> StoreResult<Vec<Uuid>> {
        with_table!(self, open_multimap_table, USER_GIDS, |t| {
            let mut out = Vec::new();
            for v in t.get(n)? {
                out.push(Uuid::from_u128(v?.value()));
            }
            Ok(out)
        })
    }

    pub fn service(&self, id: Uuid) -> StoreResult<Option<ServiceAccount>> {
        self.record(SERVICES, "service account", id)
    }

    pub fn service_by_name(&self, name: &str) -> StoreResult<Option<ServiceAccount>> {
        match self.unique(SERVICE_BY_NAME, &fold(name))? {
            Some(id) => self.service(id),
            None => Ok(None),
        }
    }

    pub fn services(&self) -> StoreResult<Vec<ServiceAccount>> {
        self.all(SERVICES, "service account")
    }

    pub fn token(&self, id: Uuid) -> StoreResult<Option<Token>> {
        self.record(TOKENS, "token", id)
    }

    pub fn tokens(&self) -> StoreResult<Vec<Token>> {
        self.all(TOKENS, "token")
    }

    pub fn system_admin(&self) -> StoreResult<Option<SystemAdmin>> {
        with_table!(self, open_table, META, |t| match t.get(SYSTEM_ADMIN_KEY)? {
            Some(v) => Ok(Some(decode("system administrator", v.value())?)),
            None => Ok(None),
        })
    }

    /// Change-log events with a sequence number above `after`, oldest first.
    pub fn changes(&self, after: u64, limit: usize) -> StoreResult<Vec<Event>> {
        with_table!(self, open_table, CHANGELOG, |t| {
            let mut out = Vec::new();
            for row in t.range(after.saturating_add(1)..)?.take(limit) {
                out.push(decode("event", row?.1.value())?);
            }
            Ok(out)
        })
    }

    /// Change-log events, newest first, up to `limit`, that `keep` accepts
    /// (audit queries).
    pub fn changes_newest_first(
        &self,
        limit: usize,
        mut keep: impl FnMut(&Event) -> bool,
    ) -> StoreResult<Vec<Event>> {
        with_table!(self, open_table, CHANGELOG, |t| {
            let mut out = Vec::new();
            for row in t.iter()?.rev() {
                let event: Event = decode("event", row?.1.value())?;
                if keep(&event) {
                    out.push(event);
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            Ok(out)
        })
    }

    /// The newest sequence number in the change log (0 when empty).
    /// Whether the store holds no directory yet: no system administrator,
    /// organization, user or role, and an empty change log (a store just
    /// created, or one `dirgate load-ldif` has not filled).
    pub fn holds_nothing(&self) -> StoreResult<bool> {
        let empty = |def: TableDefinition<'static, u128, &'static [u8]>| -> StoreResult<bool> {
            with_table!(self, open_table, def, |t| Ok(t.is_empty()?))
        };
        Ok(self.system_admin()?.is_none()
            && self.last_seq()? == 0
            && empty(ORGS)?
            && empty(USERS)?
            && empty(ROLES)?)
    }

    pub fn last_seq(&self) -> StoreResult<u64> {
        with_table!(self, open_table, CHANGELOG, |t| Ok(t
            .last()?
            .map_or(0, |(k, _)| k.value())))
    }
}
