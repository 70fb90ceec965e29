//! The export form of entries (`Renderer::export`). What an LDIF export
//! writes differs from what a search shows only so that slapadd and
//! `dirgate load-ldif` both take it, and loading it gives the same
//! directory back:
//!
//! - values dirgate computes (`memberOf`, `dirgateOrganizationAdmin`, the
//!   lockout state, the last login) are left out: no load could write them;
//! - dirgate's own attributes appear only when they say more than a load
//!   without them gives (a lifecycle state other than `active`, a flag that
//!   is set, a seat count), and their class with them, so a directory that
//!   came from slapd goes back to slapd without dirgate's schema;
//! - the login shell dirgate derives from `[posix] login_shell` is left
//!   out (a load derives it again);
//! - password hashes are written when the policy lets the actor export
//!   secrets, argon2 ones with the `{ARGON2}` scheme slapd's argon2 module
//!   and dirgate both read.
//!
//! Roles without classes take their export form in `roles`.

use super::super::entry::Entry;
use super::super::schema::AttributeType;
use super::Renderer;
use crate::directory::acl::{Action, Target};
use crate::directory::model::{FLAGS, Lifecycle, SecretHash, User};

/// The class that holds a user's dirgate attributes.
const ACCOUNT_CLASS: &str = "dirgateAccount";

impl Renderer<'_> {
    /// A password hash as an export writes it, when this renderer exports
    /// and the policy lets its actor export secrets.
    pub(super) fn exported_secret(&self, hash: Option<&SecretHash>) -> Option<String> {
        let hash = hash?;
        if !self.export {
            return None;
        }
        if !self.tx.allows(Action::ExportSecrets, Target::default()) {
            return None;
        }
        Some(match hash.0.strip_prefix('$') {
            Some(_) => format!("{{ARGON2}}{}", hash.0),
            None => hash.0.clone(),
        })
    }
}

/// Whether an export writes this user value (see the module comment).
pub(super) fn keeps_user_value(ty: &AttributeType, values: &[String], derived: bool) -> bool {
    let only = |v: &str| values.len() == 1 && values[0].eq_ignore_ascii_case(v);
    // Derived values a load gives anyway (the configured shell, the
    // password policy's ages) are left out.
    let defaulted = ["loginShell", "shadowMax", "shadowWarning"];
    if ty.has_name("dirgateOrganizationAdmin")
        || (derived && defaulted.iter().any(|n| ty.has_name(n)))
    {
        return false;
    }
    if ty.has_name("dirgateLifecycleState") {
        return !only(Lifecycle::Active.as_str());
    }
    if FLAGS.iter().any(|f| ty.has_name(f.ldap)) {
        return !only("FALSE");
    }
    true
}

/// Drops `dirgateAccount` from an exported user's classes when its client
/// did not name it and none of its attributes is written.
pub(super) fn finish_user(e: &mut Entry, u: &User) {
    let named = (u.attrs.get("objectClass").iter()).any(|c| c.eq_ignore_ascii_case(ACCOUNT_CLASS));
    let used = e
        .attrs
        .iter()
        .any(|a| a.ty.canonical().starts_with("dirgate"));
    if named || used {
        return;
    }
    for attr in e.attrs.iter_mut() {
        if attr.ty.has_name("objectClass") {
            attr.values
                .retain(|c| !c.eq_ignore_ascii_case(ACCOUNT_CLASS));
        }
    }
}
