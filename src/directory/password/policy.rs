//! The password policy (`[password_policy]`, OpenLDAP ppolicy's knobs under
//! plainer names): what a new password must be (a minimum length, character
//! classes, not the account's login or names, none of its last N), and how
//! long one lasts (a maximum age, a warning period before it, a number of
//! grace logins after it). An organization may set any of these
//! differently ([`PolicyOverride`]). Pure rules: the use cases apply them
//! wherever a password is set and at every login (`credentials`).

use crate::directory::model::{Millis, User};
use serde::{Deserialize, Serialize};

const DAY: Millis = 24 * 3600 * 1000;

/// Most previous passwords a policy may remember (each is one argon2id check
/// when a password is set).
pub const MAX_HISTORY: usize = 24;

/// The policy in force (server-wide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Fewest characters (Unicode scalar values).
    pub min_length: usize,
    /// Fewest character classes (lower case, upper case, digits, others).
    pub min_classes: usize,
    /// Refuse a password that contains the login's name or the person's
    /// given or family name (three characters or more, ignoring case).
    pub reject_names: bool,
    /// How many previous passwords may not be used again (0: any).
    pub history: usize,
    /// How long a password lasts; 0: for ever.
    pub max_age: Millis,
    /// How long before it expires a login is warned.
    pub warn: Millis,
    /// Logins allowed with an expired password (each one warned).
    pub grace_logins: u32,
    /// Whether users may set a forgotten password with a code mailed to
    /// them (see `mailed_reset`).
    pub mailed_reset: bool,
    /// Whether LDAP binds of users need the password followed by a second
    /// factor's code (users without one cannot bind until they enrol; the
    /// "No 2nd Factor" flag exempts an account).
    pub require_second_factor: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            min_classes: 0,
            reject_names: true,
            history: 0,
            max_age: 0,
            warn: 14 * DAY,
            grace_logins: 0,
            mailed_reset: true,
            require_second_factor: false,
        }
    }
}

/// What one organization sets differently from the server's policy
/// (every field optional: `None` keeps the server's value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyOverride {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_classes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_names: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<usize>,
    /// In days, as configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_logins: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailed_reset: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_second_factor: Option<bool>,
}

impl PolicyOverride {
    pub fn is_empty(&self) -> bool {
        *self == PolicyOverride::default()
    }

    /// Refuses values no policy may have: which key, and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.min_length.is_some_and(|n| !(1..=1024).contains(&n)) {
            let why = "must be 1 to 1024 (an empty password is never taken)";
            return Err(("min_length", why.into()));
        }
        if self.min_classes.is_some_and(|n| n > 4) {
            let why =
                "must be 0 to 4: there are four classes (lower case, upper case, digits, others)";
            return Err(("min_classes", why.into()));
        }
        if self.history.is_some_and(|n| n > MAX_HISTORY) {
            let why = format!(
                "must be at most {MAX_HISTORY} (each one is an argon2id check when a password is set)"
            );
            return Err(("history", why));
        }
        Ok(())
    }
}

/// Where a password stands at a login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    /// Not expiring soon (or never).
    Fresh,
    /// Expires in this many seconds.
    Expiring(u64),
    /// Expired; this many grace logins are left (0: refused).
    Expired { grace_left: u32 },
}

/// Who a new password is for: what it may not contain.
#[derive(Clone, Debug, Default)]
pub struct Owner {
    pub login: String,
    pub names: Vec<String>,
}

impl Owner {
    pub fn of(user: &User) -> Owner {
        let mut names: Vec<String> = [&user.given_name, &user.family_name, &user.display_name]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        names.extend(user.attrs.get("cn").iter().cloned());
        Owner {
            login: user.login.clone(),
            names,
        }
    }
}

/// The character classes a password uses.
fn classes(password: &str) -> usize {
    let has = |f: fn(&char) -> bool| password.chars().any(|c| f(&c));
    [
        has(|c| c.is_lowercase()),
        has(|c| c.is_uppercase()),
        has(|c| c.is_numeric()),
        has(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|h| *h)
    .count()
}

/// The parts of a login and of names a password may not contain: the
/// login's local part, and each word of three characters or more.
fn forbidden(owner: &Owner) -> Vec<String> {
    let local = owner.login.split('@').next().unwrap_or_default();
    std::iter::once(local)
        .chain(owner.names.iter().flat_map(|n| n.split_whitespace()))
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3)
        .collect()
}

impl PasswordPolicy {
    /// This policy with what `o` sets instead.
    pub fn with(&self, o: &PolicyOverride) -> PasswordPolicy {
        let days = |d: Option<u32>, default| d.map_or(default, |n| Millis::from(n) * DAY);
        PasswordPolicy {
            min_length: o.min_length.unwrap_or(self.min_length),
            min_classes: o.min_classes.unwrap_or(self.min_classes),
            reject_names: o.reject_names.unwrap_or(self.reject_names),
            history: o.history.unwrap_or(self.history),
            max_age: days(o.max_age_days, self.max_age),
            warn: days(o.warn_days, self.warn),
            grace_logins: o.grace_logins.unwrap_or(self.grace_logins),
            mailed_reset: o.mailed_reset.unwrap_or(self.mailed_reset),
            require_second_factor: o
                .require_second_factor
                .unwrap_or(self.require_second_factor),
        }
    }

    /// Why `password` breaks the policy for `owner`, or `None`. Never
    /// echoes the password.
    pub fn quality(&self, password: &str, owner: &Owner) -> Option<String> {
        let length = password.chars().count();
        if length < self.min_length {
            return Some(format!(
                "the password is too short: it needs at least {} characters",
                self.min_length
            ));
        }
        if classes(password) < self.min_classes {
            return Some(format!(
                "the password needs characters of at least {} of these kinds: lower case, upper case, digits, others",
                self.min_classes
            ));
        }
        if self.reject_names {
            let lower = password.to_lowercase();
            if forbidden(owner).iter().any(|w| lower.contains(w.as_str())) {
                return Some(
                    "the password contains the account's login or name; choose one that does not"
                        .to_owned(),
                );
            }
        }
        None
    }

    /// When a password set at `changed` expires (`None`: never, as for one
    /// whose change time is unknown, like slapd without pwdChangedTime).
    pub fn expires(&self, changed: Option<Millis>) -> Option<Millis> {
        (self.max_age > 0)
            .then_some(changed)
            .flatten()
            .map(|c| c.saturating_add(self.max_age))
    }

    /// Where `user`'s password stands at `now`.
    pub fn age(&self, user: &User, now: Millis) -> Age {
        let Some(expires) = self.expires(user.password_changed) else {
            return Age::Fresh;
        };
        if now >= expires {
            let grace_left = self.grace_logins.saturating_sub(user.grace_used);
            return Age::Expired { grace_left };
        }
        let left = expires - now;
        if left <= self.warn {
            Age::Expiring(u64::try_from(left / 1000).unwrap_or(0))
        } else {
            Age::Fresh
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner {
            login: "ann.lee@example.com".into(),
            names: vec!["Ann".into(), "Lee-Smith".into()],
        }
    }

    #[test]
    fn quality_rules_say_which_rule_a_password_breaks() {
        let p = PasswordPolicy {
            min_length: 10,
            min_classes: 3,
            ..PasswordPolicy::default()
        };
        assert!(
            p.quality("short", &owner())
                .unwrap()
                .contains("at least 10")
        );
        assert!(
            p.quality("alllowercase", &owner())
                .unwrap()
                .contains("3 of")
        );
        assert!(
            p.quality("Ann.Lee-2026!", &owner())
                .unwrap()
                .contains("login")
        );
        assert!(
            p.quality("xLEE-SMITHx9", &owner())
                .unwrap()
                .contains("name")
        );
        assert_eq!(p.quality("Blue-Kettle-42", &owner()), None);
        // Non-ASCII letters count as letters, by characters not bytes.
        assert_eq!(classes("éÉ1"), 3);
        let short = PasswordPolicy {
            min_length: 4,
            ..PasswordPolicy::default()
        };
        assert_eq!(short.quality("ééé€", &owner()), None);
    }

    #[test]
    fn age_warns_then_expires_with_grace_logins() {
        let p = PasswordPolicy {
            max_age: 30 * DAY,
            warn: 5 * DAY,
            grace_logins: 2,
            ..PasswordPolicy::default()
        };
        let mut u: User = serde_json::from_value(serde_json::json!({
            "id": uuid::Uuid::nil(), "login": "a@x.org", "state": "active", "created": 0,
            "modified": 0, "uid_number": 1, "gid_number": 1, "version": 0
        }))
        .unwrap();
        u.password_changed = Some(0);
        assert_eq!(p.age(&u, DAY), Age::Fresh);
        assert_eq!(p.age(&u, 26 * DAY), Age::Expiring(4 * 24 * 3600));
        assert_eq!(p.age(&u, 30 * DAY), Age::Expired { grace_left: 2 });
        u.grace_used = 2;
        assert_eq!(p.age(&u, 31 * DAY), Age::Expired { grace_left: 0 });
        // Unknown change time, or no maximum age: never expires.
        u.password_changed = None;
        assert_eq!(p.age(&u, 99 * DAY), Age::Fresh);
        let forever = PasswordPolicy::default();
        assert_eq!(forever.expires(Some(0)), None);
    }
}
