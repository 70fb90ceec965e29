//! A user's POSIX identity over the admin API: `posix` in a user's view,
//! and the same object in a create or change body, each field optional
//! (`null` removes a kept one). The core checks and keeps the values
//! ([`PosixKept`]); LDAP shows them as posixAccount and ldapPublicKey.

use super::user_fields::double_option;
use crate::directory::Result as CoreResult;
use crate::directory::kept::Kept;
use crate::directory::model::User;
use crate::directory::posix::{self, PosixKept};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// Changes to a user's POSIX identity; a field left out stays as it is.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PosixPatch {
    /// Unique among users; allocated when a new user has none.
    uid_number: Option<u32>,
    /// Allocated when a new user has none.
    gid_number: Option<u32>,
    /// `null`: LDAP shows the configured default again.
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    home_directory: Option<Option<String>>,
    /// `null`: LDAP shows the configured default again.
    #[serde(default, deserialize_with = "double_option::deserialize")]
    #[schemars(with = "Option<String>")]
    login_shell: Option<Option<String>>,
    /// Replaces every key; `[]` removes them.
    ssh_public_keys: Option<Vec<String>>,
}

/// What a patch changes on a user: its numbers and its kept attributes.
pub struct PosixChange {
    pub uid_number: Option<u32>,
    pub gid_number: Option<u32>,
    pub attrs: Option<Kept>,
}

impl PosixPatch {
    /// The change this patch makes to a user keeping `kept` (a new user:
    /// nothing kept yet).
    pub fn change(&self, kept: &Kept) -> CoreResult<PosixChange> {
        let fields = PosixKept {
            home_directory: self.home_directory.clone(),
            login_shell: self.login_shell.clone(),
            ssh_public_keys: self.ssh_public_keys.clone(),
        };
        fields.check()?;
        let attrs = fields.apply_to(kept);
        Ok(PosixChange {
            uid_number: self.uid_number,
            gid_number: self.gid_number,
            attrs: (attrs != *kept).then_some(attrs),
        })
    }
}

/// The `posix` object of a user's view.
pub fn view(u: &User) -> Value {
    let (home, shell, keys) = posix::of(&u.attrs);
    json!({
        "uidNumber": u.uid_number,
        "gidNumber": u.gid_number,
        "homeDirectory": home,
        "loginShell": shell,
        "sshPublicKeys": keys,
    })
}
