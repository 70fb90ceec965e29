//! The shadow password attributes (RFC 2307's `shadowAccount`) that SSSD and
//! pam_ldap read with `ldap_pwd_policy = shadow`, as a user entry shows
//! them. The day the password was last set (`shadowLastChange`) and the day
//! the account expires (`shadowExpire`) are the core's fields
//! (`password_changed`, `expires`), so a client that writes them changes
//! those fields and what dirgate's own binds enforce. The maximum age and the
//! warning period (`shadowMax`, `shadowWarning`) come from the password
//! policy in force for the user, unless a client wrote its own, which is
//! kept as written (as slapd keeps it: the client that reads it enforces it).
//! An entry shows them when the policy has a maximum age, the account an
//! expiry, or a client gave it the class; otherwise entries look as before.

use crate::directory::model::{Millis, User};
use crate::directory::password::policy::PasswordPolicy;

/// The auxiliary class that allows the attributes.
pub const CLASS: &str = "shadowAccount";

/// The attributes the core's fields hold: never kept as written.
pub const FIELDS: [&str; 2] = ["shadowLastChange", "shadowExpire"];

/// Shadow dates count whole days since 1970-01-01 (UTC).
pub const DAY: Millis = 24 * 3600 * 1000;

/// The day `t` falls on. An expiry inside a day shows as that day, so a
/// client that enforces it refuses the account no later than dirgate does.
pub fn day(t: Millis) -> i64 {
    t.div_euclid(DAY)
}

/// Whether the user's entry shows the shadow attributes (and the class).
pub fn shown(u: &User, policy: &PasswordPolicy) -> bool {
    policy.max_age > 0
        || u.expires.is_some()
        || (u.attrs.get("objectClass").iter()).any(|c| c.eq_ignore_ascii_case(CLASS))
}

/// Whether `name` (canonical) is one of the shadow attributes.
pub fn is_shadow(name: &str) -> bool {
    name.starts_with("shadow")
}

/// The values the entry shows: the fields' days, and the policy's ages
/// where no client wrote its own (derived: a modify does not store them).
pub fn values(
    u: &User,
    policy: &PasswordPolicy,
    want: &dyn Fn(&str) -> bool,
    push: &mut dyn FnMut(&str, Vec<String>, bool),
) {
    if let Some(t) = u.password_changed.filter(|_| want(FIELDS[0])) {
        push(FIELDS[0], vec![day(t).to_string()], false);
    }
    if policy.max_age > 0 {
        for (name, age) in [
            ("shadowMax", policy.max_age),
            ("shadowWarning", policy.warn),
        ] {
            if want(name) && u.attrs.get(name).is_empty() {
                push(name, vec![day(age).to_string()], true);
            }
        }
    }
    if let Some(t) = u.expires.filter(|_| want(FIELDS[1])) {
        push(FIELDS[1], vec![day(t).to_string()], false);
    }
}
