//! The schema version key and the migration steps that bring an older store up to
//! [`SCHEMA_VERSION`]. Each step runs inside the same write transaction that records
//! the new version, so a crash mid-migration leaves the old version intact.

use super::tables::*;
use super::{StoreError, StoreResult, Tx};
use crate::directory::attributes::share_written_profile_url;
use crate::directory::names::loose_key;
use redb::ReadableTable;

/// The layout this build writes and understands.
pub const SCHEMA_VERSION: u32 = 9;

pub(super) const VERSION_KEY: &str = "schema_version";
pub(super) const NEXT_ID_NUMBER_KEY: &str = "next_id_number";

/// One step: upgrades a store at version `to - 1` to version `to`.
struct Step {
    to: u32,
    apply: fn(&mut Tx, u32) -> StoreResult<()>,
}

/// Version 0 is a brand-new file (no version key yet).
const STEPS: &[Step] = &[
    Step {
        to: 1,
        apply: create_tables,
    },
    Step {
        to: 2,
        apply: index_common_names,
    },
    Step {
        to: 3,
        apply: index_every_email,
    },
    Step {
        to: 4,
        apply: split_id_numbers,
    },
    Step {
        to: 5,
        apply: create_unit_tables,
    },
    Step {
        to: 6,
        apply: share_profile_urls,
    },
    Step {
        to: 7,
        apply: create_outbox_tables,
    },
    Step {
        to: 8,
        apply: create_app_tables,
    },
    Step {
        to: 9,
        apply: create_last_login_table,
    },
];

/// Brings the store to [`SCHEMA_VERSION`], refusing a newer one.
pub fn run(tx: &mut Tx, first_id_number: u32) -> StoreResult<()> {
    let found = version(tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for step in STEPS.iter().filter(|s| s.to > found) {
        (step.apply)(tx, first_id_number)?;
        set_version(tx, step.to)?;
        tracing::info!(version = step.to, "store schema migrated");
    }
    Ok(())
}

/// The stored schema version (0 for a new, empty file).
pub fn version(tx: &Tx) -> StoreResult<u32> {
    let w = tx.unrecorded()?;
    let meta = w.open_table(META)?;
    let raw = meta.get(VERSION_KEY)?;
    Ok(raw
        .and_then(|v| v.value().try_into().ok().map(u32::from_le_bytes))
        .unwrap_or(0))
}

pub(super) fn set_version(tx: &mut Tx, v: u32) -> StoreResult<()> {
    let w = tx.unrecorded()?;
    let mut meta = w.open_table(META)?;
    meta.insert(VERSION_KEY, v.to_le_bytes().as_slice())?;
    Ok(())
}

/// Version 1: every table exists (so read transactions can open them) and the id
/// number counter is seeded.
fn create_tables(tx: &mut Tx, first_id_number: u32) -> StoreResult<()> {
    let w = tx.unrecorded()?;
    for def in [ORGS, USERS, ROLES, SERVICES, TOKENS] {
        w.open_table(def)?;
    }
    for def in [ORG_BY_NAME, USER_BY_LOGIN, ROLE_BY_NAME, SERVICE_BY_NAME] {
        w.open_table(def)?;
    }
    w.open_table(SUFFIXES)?;
    w.open_table(BY_ID_NUMBER)?;
    w.open_table(SEATS_USED)?;
    w.open_table(CHANGELOG)?;
    for def in [USER_BY_EMAIL, USER_BY_EXTERNAL_ID] {
        w.open_multimap_table(def)?;
    }
    for def in [ORG_USERS, ORG_ROLES, ROLE_MEMBERS, MEMBER_OF] {
        w.open_multimap_table(def)?;
    }
    let mut meta = w.open_table(META)?;
    if meta.get(NEXT_ID_NUMBER_KEY)?.is_none() {
        meta.insert(NEXT_ID_NUMBER_KEY, first_id_number.to_le_bytes().as_slice())?;
    }
    Ok(())
}

/// Version 2: the loose common-name indexes for users and roles, filled from
/// the records already stored.
fn index_common_names(tx: &mut Tx, _first_id_number: u32) -> StoreResult<()> {
    let users = tx.users()?;
    let roles = tx.roles()?;
    let w = tx.unrecorded()?;
    let mut by_cn = w.open_multimap_table(USER_BY_CN)?;
    for u in users {
        by_cn.insert(loose_key(&u.common_name()).as_str(), u.id.as_u128())?;
    }
    let mut role_by_cn = w.open_multimap_table(ROLE_BY_CN)?;
    for r in roles {
        role_by_cn.insert(loose_key(&r.name).as_str(), r.id.as_u128())?;
    }
    Ok(())
}

/// Version 3: the index of every address of every user (SCIM's
/// `emails.value eq` finds secondary addresses too), filled from the records.
fn index_every_email(tx: &mut Tx, _first_id_number: u32) -> StoreResult<()> {
    let users = tx.users()?;
    let w = tx.unrecorded()?;
    let mut any = w.open_multimap_table(USER_BY_ANY_EMAIL)?;
    for u in users {
        for key in super::user_writes::email_keys(&u) {
            any.insert(key.as_str(), u.id.as_u128())?;
        }
    }
    Ok(())
}

/// Version 4: uidNumbers and group gidNumbers get indexes of their own (a
/// client may give a user and a group the same number, as user private
/// groups do), and users' primary gidNumbers are indexed for lookups. Filled
/// from the records; the shared table of earlier versions is dropped.
fn split_id_numbers(tx: &mut Tx, _first_id_number: u32) -> StoreResult<()> {
    let users = tx.users()?;
    let roles = tx.roles()?;
    let w = tx.unrecorded()?;
    {
        let mut uids = w.open_table(UID_NUMBERS)?;
        let mut user_gids = w.open_multimap_table(USER_GIDS)?;
        for u in &users {
            uids.insert(u.uid_number, u.id.as_u128())?;
            user_gids.insert(u.gid_number, u.id.as_u128())?;
        }
        let mut groups = w.open_table(GROUP_GIDS)?;
        for r in &roles {
            groups.insert(r.gid_number, r.id.as_u128())?;
        }
    }
    w.delete_table(BY_ID_NUMBER)?;
    Ok(())
}

/// Version 5: the tables of organizational units inside organizations
/// (users and roles of older stores sit directly in their organization).
fn create_unit_tables(tx: &mut Tx, _first_id_number: u32) -> StoreResult<()> {
    let w = tx.unrecorded()?;
    w.open_table(UNITS)?;
    w.open_table(UNIT_BY_NAME)?;
    w.open_multimap_table(ORG_UNITS)?;
    Ok(())
}

/// Version 6: SCIM's `profileUrl` is the URL of LDAP's first `labeledURI`.
/// Older stores kept the values LDAP clients wrote apart from it; the first
/// becomes the profile URL where SCIM set none (see
/// `attributes::share_written_profile_url`). The records keep their
/// version: nothing was written, a value only became visible to SCIM.
fn share_profile_urls(tx: &mut Tx, _first_id_number: u32) -> StoreResult<()> {
    for mut user in tx.users()? {
        if share_written_profile_url(&mut user) {
            tx.put_user(&user)?;
        }
    }
    Ok(())
}

/// Version 7: the outbox (notices written with the change that causes them).
fn create_outbox_tables(tx: &mut Tx, _: u32) -> StoreResult<()> {
    let w = tx.unrecorded()?;
    w.open_table(OUTBOX)?;
    w.open_table(OUTBOX_PENDING)?;
    Ok(())
}

/// Version 9: last-login times apart from the records (read together with
/// them; a record's own older time stays until the record is next written).
fn create_last_login_table(tx: &mut Tx, _: u32) -> StoreResult<()> {
    tx.unrecorded()?.open_table(LAST_LOGINS)?;
    Ok(())
}

/// Version 8: applications, the roles that carry them, and access requests.
fn create_app_tables(tx: &mut Tx, _: u32) -> StoreResult<()> {
    let w = tx.unrecorded()?;
    for def in [APPS, REQUESTS] {
        w.open_table(def)?;
    }
    w.open_table(APP_BY_NAME)?;
    w.open_multimap_table(APP_BY_CN)?;
    w.open_table(OPEN_REQUESTS)?;
    for def in [ORG_APPS, ROLE_APPS, APP_ROLES, ORG_REQUESTS, USER_REQUESTS] {
        w.open_multimap_table(def)?;
    }
    Ok(())
}
