//! The nested objects of a user body in the admin API that patch a part of
//! the user field by field: account flags (`flags`), and the deserializer
//! that tells a field left out from one set to `null`.

use crate::directory::model::AccountFlags;
use schemars::JsonSchema;
use serde::Deserialize;

/// Account flags as the API accepts them: each one optional, merged into the
/// user's current flags.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct FlagsPatch {
    delegate: Option<bool>,
    unsigned_containers: Option<bool>,
    release_protections: Option<bool>,
    cloud_recovery: Option<bool>,
    no_second_factor: Option<bool>,
    /// `null` clears the quota.
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<u64>")]
    storage_quota: Option<Option<u64>>,
}

impl FlagsPatch {
    pub(super) fn apply(&self, f: &AccountFlags) -> AccountFlags {
        AccountFlags {
            delegate: self.delegate.unwrap_or(f.delegate),
            unsigned_containers: self.unsigned_containers.unwrap_or(f.unsigned_containers),
            release_protections: self.release_protections.unwrap_or(f.release_protections),
            cloud_recovery: self.cloud_recovery.unwrap_or(f.cloud_recovery),
            no_second_factor: self.no_second_factor.unwrap_or(f.no_second_factor),
            storage_quota: self.storage_quota.unwrap_or(f.storage_quota),
        }
    }
}

/// `absent` → None, `null` → Some(None), a value → Some(Some(v)).
pub(super) mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}
