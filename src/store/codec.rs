//! How records become bytes: MessagePack with field names, so adding a field
//! with a serde default needs no migration (renames and removals do). Also the
//! key encodings shared by the tables.

use super::{StoreError, StoreResult};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

pub fn encode<T: Serialize>(what: &'static str, value: &T) -> StoreResult<Vec<u8>> {
    rmp_serde::to_vec_named(value).map_err(|e| StoreError::Corrupt {
        what,
        msg: e.to_string(),
    })
}

pub fn decode<T: DeserializeOwned>(what: &'static str, bytes: &[u8]) -> StoreResult<T> {
    rmp_serde::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        what,
        msg: e.to_string(),
    })
}

/// Key of an optional organization in the membership tables: nil = none.
pub fn org_key(org: Option<Uuid>) -> u128 {
    org.map_or(0, |o| o.as_u128())
}

/// Key of a role name inside its organization.
pub fn role_name_key(org: Option<Uuid>, folded_name: &str) -> String {
    format!("{}/{folded_name}", Uuid::from_u128(org_key(org)).simple())
}

/// Key of a unit's name among its siblings.
pub fn unit_name_key(org: Uuid, parent: Option<Uuid>, folded_name: &str) -> String {
    format!(
        "{}/{}/{folded_name}",
        org.simple(),
        Uuid::from_u128(parent.map_or(0, |p| p.as_u128())).simple()
    )
}
