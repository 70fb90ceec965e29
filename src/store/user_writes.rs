//! Typed writes of users: the user record with its login, email, external
//! id, cn and number indexes, its organization membership and seat count,
//! and their removal (split from `write`, which holds the shared index
//! helpers and the other records).

use super::codec::org_key;
use super::tables::*;
use super::{StoreResult, Tx};
use crate::directory::model::*;
use crate::directory::names::{fold, loose_key};
use std::collections::BTreeSet;
use uuid::Uuid;

impl Tx {
    /// Records a login at `at` in [`LAST_LOGINS`] when the user exists and
    /// the table holds no time within `precision` before `at` (the caller
    /// compared the record's own, read with the table's); true when it
    /// wrote. The record stays as it is: a bind costs one small row, not a
    /// decoded and rewritten record.
    pub fn touch_last_login(
        &mut self,
        id: Uuid,
        at: Millis,
        precision: Millis,
    ) -> StoreResult<bool> {
        match self.last_login(id)? {
            Some(t) if at - t < precision => return Ok(false),
            // A row goes with its record (a deletion removes both).
            Some(_) => {}
            None if !self.user_exists(id)? => return Ok(false),
            None => {}
        }
        self.table(LAST_LOGINS)?
            .insert(id.as_u128(), at.to_le_bytes().as_slice())?;
        Ok(true)
    }

    /// Rewrites a user read in this transaction whose changes touch no
    /// indexed field (its failed-check count): the
    /// journal's writes after binds. [`Self::put_user`] would re-read and
    /// decode the old record to compare every index key; with a bind per
    /// user at 100,000 users that was a sixth of the journal's CPU (perf).
    pub fn put_user_unindexed(&mut self, user: &User) -> StoreResult<()> {
        debug_assert!(
            self.stored_user(user.id)?
                .is_some_and(|old| old.login == user.login
                    && old.email == user.email
                    && old.external_id == user.external_id
                    && old.org == user.org
                    && old.unit == user.unit
                    && old.state == user.state
                    && old.uid_number == user.uid_number
                    && old.gid_number == user.gid_number
                    && cn_keys(&old) == cn_keys(user)
                    && email_keys(&old) == email_keys(user)),
            "put_user_unindexed changed an indexed field"
        );
        self.put_record(USERS, "user", user.id, user)
    }

    /// Stores a user and brings every index, membership list and seat counter in
    /// line with it.
    pub fn put_user(&mut self, user: &User) -> StoreResult<()> {
        let old = self.stored_user(user.id)?;
        let old = old.as_ref();
        let old_login = old.map(|o| fold(&o.login));
        self.rekey(
            USER_BY_LOGIN,
            "login",
            old_login.as_deref(),
            &fold(&user.login),
            user.id,
        )?;
        let old_email = old.and_then(|o| o.email.as_deref()).map(fold);
        let new_email = user.email.as_deref().map(fold);
        self.set_str_entry(
            USER_BY_EMAIL,
            old_email.as_deref(),
            new_email.as_deref(),
            user.id,
        )?;
        self.set_str_entries(
            USER_BY_ANY_EMAIL,
            &old.map(email_keys).unwrap_or_default(),
            &email_keys(user),
            user.id,
        )?;
        self.set_str_entry(
            USER_BY_EXTERNAL_ID,
            old.and_then(|o| o.external_id.as_deref()),
            user.external_id.as_deref(),
            user.id,
        )?;
        self.set_str_entries(
            USER_BY_CN,
            &old.map(cn_keys).unwrap_or_default(),
            &cn_keys(user),
            user.id,
        )?;
        let old_uid = old.map(|o| o.uid_number);
        self.renumber(UID_NUMBERS, "uidNumber", old_uid, user.uid_number, user.id)?;
        let old_gid = old.map(|o| o.gid_number);
        if old_gid != Some(user.gid_number) {
            if let Some(g) = old_gid {
                self.set_entry(USER_GIDS, g, user.id, false)?;
            }
            self.set_entry(USER_GIDS, user.gid_number, user.id, true)?;
        }
        self.place_user(old, user)?;
        self.put_record(USERS, "user", user.id, user)
    }

    /// Organization membership and seat counts, old placement → new placement.
    fn place_user(&mut self, old: Option<&User>, new: &User) -> StoreResult<()> {
        let before = old.map(|o| (o.org, o.state.holds_seat()));
        let after = (new.org, new.state.holds_seat());
        if before == Some(after) {
            return Ok(());
        }
        if let Some((org, seat)) = before {
            self.set_entry(ORG_USERS, org_key(org), new.id, false)?;
            if let (Some(org), true) = (org, seat) {
                self.add_seats(org, -1)?;
            }
        }
        self.set_entry(ORG_USERS, org_key(after.0), new.id, true)?;
        if let (Some(org), true) = after {
            self.add_seats(org, 1)?;
        }
        Ok(())
    }

    /// Removes a user with its indexes and memberships.
    pub fn delete_user(&mut self, id: Uuid) -> StoreResult<()> {
        let Some(old) = self.stored_user(id)? else {
            return Ok(());
        };
        self.release(USER_BY_LOGIN, &fold(&old.login))?;
        self.set_str_entry(
            USER_BY_EMAIL,
            old.email.as_deref().map(fold).as_deref(),
            None,
            id,
        )?;
        self.set_str_entries(USER_BY_ANY_EMAIL, &email_keys(&old), &BTreeSet::new(), id)?;
        self.set_str_entry(USER_BY_EXTERNAL_ID, old.external_id.as_deref(), None, id)?;
        self.set_str_entries(USER_BY_CN, &cn_keys(&old), &BTreeSet::new(), id)?;
        self.table(UID_NUMBERS)?.remove(old.uid_number)?;
        self.set_entry(USER_GIDS, old.gid_number, id, false)?;
        self.set_entry(ORG_USERS, org_key(old.org), id, false)?;
        if let (Some(org), true) = (old.org, old.state.holds_seat()) {
            self.add_seats(org, -1)?;
        }
        self.drop_memberships(id)?;
        self.table(LAST_LOGINS)?.remove(id.as_u128())?;
        self.remove_record(USERS, id)
    }
}

/// A user's keys in the common-name index: every `cn` it shows, loosely keyed.
pub(super) fn cn_keys(user: &User) -> BTreeSet<String> {
    user.common_names().iter().map(|c| loose_key(c)).collect()
}

/// A user's keys in the any-email index: every address it has, folded.
pub(super) fn email_keys(user: &User) -> BTreeSet<String> {
    let profile = user.profile.emails.iter().map(|c| c.value.as_str());
    user.email
        .as_deref()
        .into_iter()
        .chain(profile)
        .map(fold)
        .filter(|e| !e.is_empty())
        .collect()
}
