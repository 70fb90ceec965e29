//! The directory's records: organizations, login suffixes, users, roles, service
//! accounts, bearer tokens and the system administrator. Plain data with serde
//! derives so the store can persist them; the rules that keep them consistent live
//! in the use-case modules beside this one, never here. Imports no protocol crate
//! and no redb.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Milliseconds since the Unix epoch, UTC. One clock type for every record so
/// LDAP (GeneralizedTime) and SCIM (RFC 3339) render from the same value.
pub type Millis = i64;

/// The current time in [`Millis`].
pub fn now() -> Millis {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as Millis
}

/// Where a service account may read, a token may act, or a role's rights apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "organization")]
pub enum Scope {
    /// The whole server.
    Server,
    /// One organization (by id).
    Org(Uuid),
}

impl Scope {
    /// The scope an organization-or-none value names: `None` is the whole server.
    pub fn of(org: Option<Uuid>) -> Scope {
        org.map_or(Scope::Server, Scope::Org)
    }

    /// Whether a target in `org` (None = in no organization) lies inside this scope.
    pub fn covers(self, org: Option<Uuid>) -> bool {
        match self {
            Scope::Server => true,
            Scope::Org(own) => org == Some(own),
        }
    }
}

/// A stored password hash (a PHC string or an imported `{SSHA}`-style value).
/// Its own type so `Debug` never prints it and nothing formats it by accident.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretHash(pub String);

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(<redacted>)")
    }
}

/// An organization: an LDAP OU with its own administrators and a seat count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: Uuid,
    /// Shown as written; unique ignoring case.
    pub name: String,
    /// Caps the organization's users that are not disabled.
    pub seats: u32,
    #[serde(default)]
    pub description: Option<String>,
    /// The one Organization Administrator, a member of this organization.
    #[serde(default)]
    pub admin: Option<Uuid>,
    /// Attributes kept as an LDAP client wrote them on the organization's OU
    /// (its object classes, `l`, `telephoneNumber`, further `description`
    /// values, …); absent in old records.
    #[serde(default, skip_serializing_if = "super::kept::Kept::is_empty")]
    pub attrs: super::kept::Kept,
    pub created: Millis,
    pub modified: Millis,
    /// Change-log sequence number of the last change: the ETag source.
    pub version: u64,
    /// What its password policy sets differently from the server's.
    #[serde(
        default,
        skip_serializing_if = "super::password::policy::PolicyOverride::is_empty"
    )]
    pub password_policy: super::password::policy::PolicyOverride,
}

/// A login suffix (`example.com` in `alice@example.com`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suffix {
    /// Shown as written; unique ignoring case.
    pub name: String,
    pub created: Millis,
}

/// The account lifecycle. Only `Active` accounts authenticate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    /// Created; cannot log in yet.
    Provisioned,
    /// The user set a password with its registration token.
    Registered,
    /// Validated by an administrator (or pushed by an identity provider).
    Active,
    /// Frees the seat, keeps the history.
    Disabled,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 4] = [
        Lifecycle::Provisioned,
        Lifecycle::Registered,
        Lifecycle::Active,
        Lifecycle::Disabled,
    ];

    /// Every state but `Disabled` occupies a seat of the user's organization.
    pub fn holds_seat(self) -> bool {
        self != Lifecycle::Disabled
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Provisioned => "provisioned",
            Lifecycle::Registered => "registered",
            Lifecycle::Active => "active",
            Lifecycle::Disabled => "disabled",
        }
    }

    /// Parses a state name ignoring case.
    pub fn parse(s: &str) -> Option<Lifecycle> {
        Lifecycle::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

pub use super::app_records::{AccessRequest, AppInOrg, Application, RequestState};
pub use super::flags::{AccountFlags, FLAGS, Flag};

/// A TOTP second factor (RFC 6238: HMAC-SHA1, six digits, 30-second
/// steps), as the account enrolled it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactor {
    /// The shared secret (20 random bytes). Codes are checked against it,
    /// so it is kept as it is; it is shown once, at enrolment, and never
    /// rendered (a backup holds it, as it holds password hashes).
    pub secret: Vec<u8>,
    /// Whether a first code confirmed it: until then nothing asks for it.
    pub confirmed: bool,
    /// The latest time step a code was taken at: each code works once.
    pub last_step: u64,
    /// The SHA-256 of each unused recovery code.
    #[serde(default)]
    pub recovery: Vec<Vec<u8>>,
    pub created: Millis,
}

/// Failed-bind bookkeeping for lockout.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Lockout {
    /// Times of recent failed password checks (inside the counting window).
    pub failures: Vec<Millis>,
    /// Set while the account is locked.
    pub locked_at: Option<Millis>,
}

/// A person's account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    /// `name@suffix`, shown as written; unique across the server ignoring case.
    pub login: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// At most one organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    /// The organizational unit of `org` the user sits in (`None`: directly
    /// in the organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Uuid>,
    pub state: Lifecycle,
    #[serde(default)]
    pub flags: AccountFlags,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretHash>,
    /// Hash of the Organization Administrator's one-time recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<SecretHash>,
    #[serde(default)]
    pub lockout: Lockout,
    pub created: Millis,
    pub modified: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<Millis>,
    pub uid_number: u32,
    pub gid_number: u32,
    pub version: u64,
    /// Descriptive attributes pushed by identity providers (absent in old records).
    #[serde(default, skip_serializing_if = "super::profile::Profile::is_empty")]
    pub profile: super::profile::Profile,
    /// Attributes kept as a client wrote them (absent in old records).
    #[serde(default, skip_serializing_if = "super::kept::Kept::is_empty")]
    pub attrs: super::kept::Kept,
    /// When its password was last set (`pwdChangedTime`; `None` in older
    /// records: such a password never expires, as in slapd).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_changed: Option<Millis>,
    /// Hashes of its previous passwords, newest first, as many as the
    /// password policy's history keeps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub password_history: Vec<SecretHash>,
    /// Logins made with the password expired (the policy's grace logins).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub grace_used: u32,
    /// When the account expires: logins fail after it, as for a disabled
    /// account (LDAP shows it as `shadowExpire`, a day number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Millis>,
    /// When a mailed reset was last asked for (the past hour's, newest
    /// last): the per-account limit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resets_asked: Vec<Millis>,
    /// Its TOTP second factor, once it began enrolling one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactor>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl User {
    /// Makes `hash` the password, set now: the one it replaces goes to the
    /// history (keeping `keep`), and the grace logins start again.
    pub fn set_password(&mut self, hash: SecretHash, keep: usize, at: Millis) {
        if let Some(old) = self.password.replace(hash) {
            self.password_history.insert(0, old);
        }
        self.password_history.truncate(keep);
        self.password_changed = Some(at);
        self.grace_used = 0;
    }

    /// Whether the account has expired at `now`.
    pub fn expired(&self, now: Millis) -> bool {
        self.expires.is_some_and(|e| now >= e)
    }

    /// The user's common name: the first `cn` a client wrote, else one
    /// derived for people — the display name, else given + family name, else
    /// the login. The one place dirgate derives a name.
    pub fn common_name(&self) -> String {
        if let Some(cn) = self.attrs.get("cn").first() {
            return cn.clone();
        }
        self.derived_name()
    }

    /// Every common name: the ones written, or the derived one.
    pub fn common_names(&self) -> Vec<String> {
        match self.attrs.get("cn") {
            [] => vec![self.derived_name()],
            written => written.to_vec(),
        }
    }

    /// The home directory: the one written, else `template` with `{login}`
    /// replaced (`[posix] home_directory`).
    pub fn home_directory(&self, template: &str) -> String {
        match self.attrs.get("homeDirectory").first() {
            Some(h) => h.clone(),
            None => template.replace("{login}", &self.login),
        }
    }

    /// Every email address, the primary one first, each once (ignoring
    /// case): what LDAP shows as `mail`.
    pub fn mail_values(&self) -> Vec<String> {
        let mut out: Vec<String> = self.email.iter().cloned().collect();
        for c in &self.profile.emails {
            if !out.iter().any(|m| m.eq_ignore_ascii_case(&c.value)) {
                out.push(c.value.clone());
            }
        }
        out
    }

    fn derived_name(&self) -> String {
        if let Some(d) = self.display_name.as_deref().filter(|d| !d.is_empty()) {
            return d.to_owned();
        }
        let parts: Vec<&str> = [self.given_name.as_deref(), self.family_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            self.login.clone()
        } else {
            parts.join(" ")
        }
    }
}

/// An administrative right a role may carry; it applies only inside the role's
/// organization (or everywhere, for a server-wide role).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Right {
    UserManagement,
    RoleManagement,
    /// The documents call it MFA Unlock.
    AccountUnlock,
}

impl Right {
    pub const ALL: [Right; 3] = [
        Right::UserManagement,
        Right::RoleManagement,
        Right::AccountUnlock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Right::UserManagement => "user-management",
            Right::RoleManagement => "role-management",
            Right::AccountUnlock => "account-unlock",
        }
    }

    /// Parses a right name ignoring case (`MFA-unlock` is accepted as the
    /// documents' name for account-unlock).
    pub fn parse(s: &str) -> Option<Right> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("mfa-unlock") || s.eq_ignore_ascii_case("mfa unlock") {
            return Some(Right::AccountUnlock);
        }
        Right::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
    }
}

/// A set of rights: a bit per [`Right`], so that the policy's targets that
/// carry one stay `Copy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rights(u8);

impl Rights {
    pub fn of(rights: impl IntoIterator<Item = Right>) -> Rights {
        Rights(rights.into_iter().fold(0, |bits, r| bits | Rights::bit(r)))
    }

    fn bit(right: Right) -> u8 {
        1 << (right as u8)
    }

    pub fn contains(self, right: Right) -> bool {
        self.0 & Rights::bit(right) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The rights in the set, in [`Right::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Right> {
        Right::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

/// A role (an LDAP group): belongs to one organization or to the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub id: Uuid,
    /// Unique within its organization ignoring case.
    pub name: String,
    /// `None` = a server-wide role.
    #[serde(default)]
    pub org: Option<Uuid>,
    /// The organizational unit of `org` the role sits in (`None`: the
    /// organization's own roles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Uuid>,
    /// Sorted, without duplicates.
    #[serde(default)]
    pub rights: Vec<Right>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    pub gid_number: u32,
    pub created: Millis,
    pub modified: Millis,
    pub version: u64,
    /// Attributes kept as an LDAP client wrote them (absent in old records
    /// and on roles made by SCIM or the admin API): the object classes it
    /// named, every `cn` and `description` when there are more than the name
    /// and the description above, `owner`, `seeAlso`, `businessCategory`, …
    #[serde(default, skip_serializing_if = "super::kept::Kept::is_empty")]
    pub attrs: super::kept::Kept,
}

impl Role {
    /// Every common name: the ones written, or the role's name.
    pub fn common_names(&self) -> Vec<String> {
        match self.attrs.get("cn") {
            [] => vec![self.name.clone()],
            written => written.to_vec(),
        }
    }

    /// Every description: the ones written, or the one description.
    pub fn descriptions(&self) -> Vec<String> {
        match self.attrs.get("description") {
            [] => self.description.iter().cloned().collect(),
            written => written.to_vec(),
        }
    }
}

/// An organizational unit a tenant brings inside its organization
/// (`ou=People,ou=<Org>`, departments), at any depth. Users and roles in it
/// belong to the organization for every rule; the unit only places them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: Uuid,
    pub org: Uuid,
    /// The enclosing unit (`None`: directly in the organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Uuid>,
    /// Shown as written; unique among its siblings ignoring case.
    pub name: String,
    /// The attributes its entry carries besides `ou`, as written.
    #[serde(default, skip_serializing_if = "super::kept::Kept::is_empty")]
    pub attrs: super::kept::Kept,
    pub created: Millis,
    pub modified: Millis,
    pub version: u64,
}

/// A member of a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Member {
    User(Uuid),
    Role(Uuid),
}

impl Member {
    pub fn id(self) -> Uuid {
        match self {
            Member::User(id) | Member::Role(id) => id,
        }
    }
}

/// An application's bind account, reading one organization or the whole tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceAccount {
    pub id: Uuid,
    /// Unique ignoring case; the `cn` of its entry under `ou=services`.
    pub name: String,
    pub scope: Scope,
    pub password: SecretHash,
    #[serde(default)]
    pub description: Option<String>,
    pub created: Millis,
    pub modified: Millis,
    pub version: u64,
}

/// What a bearer token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// SCIM provisioning by an identity provider.
    Scim,
    /// The admin API, acting as the account that issued it (`owner`) with that
    /// account's standing at the time of each call.
    Admin,
    /// A new user's single-use invitation to set its password (`owner`).
    Registration,
    /// A forgotten password's single-use reset code, mailed to `owner`.
    Reset,
}

/// A bearer token; only a hash of its secret is kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub id: Uuid,
    pub kind: TokenKind,
    pub scope: Scope,
    #[serde(default)]
    pub description: Option<String>,
    /// SHA-256 of the secret part (the secret is 256 random bits, so a fast hash is
    /// enough: there is nothing to brute-force).
    pub secret_sha256: Vec<u8>,
    /// Who issued it, as shown in the audit trail.
    pub created_by: String,
    /// The account an admin token acts as (`None` for SCIM tokens).
    #[serde(default)]
    pub owner: Option<Uuid>,
    /// When it stops working (`None` = until revoked).
    #[serde(default)]
    pub expires: Option<Millis>,
    pub created: Millis,
}

/// The one system administrator (`cn=admin,<base>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemAdmin {
    pub id: Uuid,
    pub login: String,
    pub password: SecretHash,
    pub created: Millis,
    pub modified: Millis,
}
