//! Use cases for users: create, read and change (profile, flags, lifecycle
//! state, password hash), and the helpers every account use case shares. Holds
//! the membership rules: a user is in at most one organization, and seats cap an
//! organization's users that are not disabled. Moving, deleting, unlocking and
//! setting a password are in `accounts`.

use super::acl::{Action, AttrClass, Rank, Target};
use super::error::{Error, Result};
use super::kept::Kept;
use super::model::{AccountFlags, Lifecycle, Rights, SecretHash, User, now};
use super::names::{check_email, check_text, split_login};
use super::orgs::org_by_id;
use super::profile::Profile;
use super::roles::grants_of;
use super::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

/// Names an organization the way front ends know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrgRef {
    Name(String),
    Id(Uuid),
    /// Explicitly in no organization (`ou=people`, `ou=groups`), even for an
    /// actor whose own organization would otherwise be the default.
    NoOrg,
}

/// A password as it arrives: typed by a person, or a hash migrated from elsewhere.
#[derive(Clone, PartialEq, Eq)]
pub enum NewPassword {
    Plain(String),
    /// `{SSHA}`, `{SSHA256}`, `{SSHA512}`, `{ARGON2}` or an argon2 PHC string.
    Hashed(String),
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// A new user. `org: None` places it in the actor's own organization when the
/// actor is bound to one (a delegate, an organization token), else in none.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub login: String,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub org: Option<OrgRef>,
    pub state: Lifecycle,
    pub flags: AccountFlags,
    pub external_id: Option<String>,
    pub password: Option<NewPassword>,
    /// Descriptive attributes (what identity providers push over SCIM).
    pub profile: super::profile::Profile,
    /// Attributes kept as the client wrote them.
    pub attrs: Kept,
    /// Given POSIX numbers; dirgate allocates the ones missing.
    pub uid_number: Option<u32>,
    pub gid_number: Option<u32>,
    /// The organizational unit of its organization it sits in.
    pub unit: Option<Uuid>,
    /// The id a load keeps (see `identity`); `None`: a new one.
    pub id: Option<Uuid>,
    /// When the account expires (see [`User::expires`]).
    pub expires: Option<crate::directory::model::Millis>,
    /// When its password was set, as a load or an LDAP add says (by
    /// default: now, when it has one).
    pub password_changed: Option<crate::directory::model::Millis>,
}

impl NewUser {
    /// Whose password a new account's is, for the password policy, once
    /// its organization is known.
    pub fn password_for(&self, org: Option<Uuid>) -> super::credentials::PasswordFor {
        let names = [
            self.given_name.as_deref(),
            self.family_name.as_deref(),
            self.display_name.as_deref(),
        ];
        super::credentials::PasswordFor::account(&self.login, &names, org)
    }

    /// A provisioned user with only a login.
    pub fn new(login: impl Into<String>) -> NewUser {
        NewUser {
            login: login.into(),
            email: None,
            given_name: None,
            family_name: None,
            display_name: None,
            org: None,
            state: Lifecycle::Provisioned,
            flags: AccountFlags::default(),
            external_id: None,
            password: None,
            profile: Default::default(),
            attrs: Kept::default(),
            uid_number: None,
            gid_number: None,
            unit: None,
            id: None,
            expires: None,
            password_changed: None,
        }
    }
}

/// Changes to a user; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    pub login: Option<String>,
    pub email: Option<Option<String>>,
    pub given_name: Option<Option<String>>,
    pub family_name: Option<Option<String>>,
    pub display_name: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub flags: Option<AccountFlags>,
    pub state: Option<Lifecycle>,
    pub password: Option<NewPassword>,
    /// Replaces the whole descriptive profile.
    pub profile: Option<Profile>,
    /// Replaces every attribute kept as written.
    pub attrs: Option<Kept>,
    pub uid_number: Option<u32>,
    pub gid_number: Option<u32>,
    /// Places the user in another unit of its organization (`Some(None)`:
    /// directly in the organization).
    pub unit: Option<Option<Uuid>>,
    /// Refuse with `Conflict` unless the user is still at this version
    /// (checked inside the transaction: HTTP If-Match).
    pub if_version: Option<u64>,
    /// Sets (`Some(Some(t))`) or clears the account's expiry.
    pub expires: Option<Option<crate::directory::model::Millis>>,
    /// Says when the password was set (`shadowLastChange`), which moves
    /// its expiry: an administrator's change, like the account's expiry.
    pub password_changed: Option<Option<crate::directory::model::Millis>>,
}

/// The profile fields a user may be allowed to change on its own account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileField {
    Email,
    GivenName,
    FamilyName,
    DisplayName,
}

impl ProfileField {
    /// What users change themselves unless configured otherwise: how they are
    /// called, not how they are reached or identified.
    pub const DEFAULT_SELF_SERVICE: [ProfileField; 3] = [
        ProfileField::GivenName,
        ProfileField::FamilyName,
        ProfileField::DisplayName,
    ];

    /// The configuration's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileField::Email => "email",
            ProfileField::GivenName => "given_name",
            ProfileField::FamilyName => "family_name",
            ProfileField::DisplayName => "display_name",
        }
    }

    /// The configuration's spelling (`email`, `given_name`, …).
    pub fn parse(name: &str) -> Option<ProfileField> {
        match name.trim().to_ascii_lowercase().as_str() {
            "email" | "mail" => Some(ProfileField::Email),
            "given_name" | "givenname" => Some(ProfileField::GivenName),
            "family_name" | "familyname" | "sn" => Some(ProfileField::FamilyName),
            "display_name" | "displayname" => Some(ProfileField::DisplayName),
            _ => None,
        }
    }
}

/// The user or a "not found" error.
pub(crate) fn user_by_id(tx: &Tx, id: Uuid) -> Result<User> {
    tx.user(id)?
        .ok_or_else(|| Error::not_found(format!("user {id}")))
}

/// The user's standing in its organization, for the policy's rank rule: its
/// Organization Administrator, a delegate, a holder of rights there, or a
/// plain member.
pub(crate) fn rank_of(tx: &Tx, user: &User, max_depth: usize) -> Result<Rank> {
    if let Some(org) = user.org {
        if org_by_id(tx, org)?.admin == Some(user.id) {
            return Ok(Rank::OrgAdmin);
        }
        if user.flags.delegate {
            return Ok(Rank::Delegate);
        }
    }
    Ok(Rank::holding(rights_in_org(tx, user, max_depth)?))
}

/// The rights `user` holds where it is, through its roles (nested ones and
/// server-wide ones included): those of its organization's roles, or for a
/// user in no organization, of server-wide roles.
fn rights_in_org(tx: &Tx, user: &User, max_depth: usize) -> Result<Rights> {
    let grants = grants_of(tx, user.id, max_depth)?;
    Ok(Rights::of(
        grants
            .into_iter()
            .filter(|(scope, _)| scope.covers(user.org))
            .map(|(_, right)| right),
    ))
}

/// The policy target for reading `user`. Reading does not depend on the
/// account's rank, so its roles are not walked: for [`Action::Read`] only.
pub(crate) fn read_target(user: &User) -> Target {
    Target::subject(user.org, user.id, Rank::Member)
}

impl Directory {
    /// The user `id`, wanted for `action`: absent, or out of the actor's
    /// reach, it is the same "user <id> not found" (see [`Directory::known`]).
    pub(crate) fn user_for(
        &self,
        tx: &Tx,
        req: &Request,
        action: Action,
        id: Uuid,
    ) -> Result<User> {
        let user = user_by_id(tx, id)?;
        self.known(req, action, read_target(&user), || format!("user {id}"))?;
        Ok(user)
    }

    /// The policy target for acting on `user`, with its rank.
    pub(crate) fn target_of(&self, tx: &Tx, user: &User) -> Result<Target> {
        let rank = rank_of(tx, user, self.settings().max_role_depth)?;
        Ok(Target::subject(user.org, user.id, rank))
    }
}

/// Refuses a user that would take a seat its organization does not have.
pub(crate) fn ensure_seat(tx: &Tx, old: Option<&User>, new: &User) -> Result<()> {
    let Some(org_id) = new.org.filter(|_| new.state.holds_seat()) else {
        return Ok(());
    };
    if old.is_some_and(|o| o.org == new.org && o.state.holds_seat()) {
        return Ok(());
    }
    // The seat count alone: every new user pays this check.
    let seats = tx
        .org_seats(org_id)?
        .ok_or_else(|| Error::not_found(format!("organization {org_id}")))?;
    let used = tx.seats_used(org_id)?;
    if used >= u64::from(seats) {
        return Err(Error::SeatsExhausted {
            org: org_by_id(tx, org_id)?.name,
            used,
            seats,
        });
    }
    Ok(())
}

pub(super) fn check_optional_text(what: &str, value: &Option<String>) -> Result<()> {
    value.as_deref().map_or(Ok(()), |v| check_text(what, v))
}

impl Directory {
    /// Checks a login's syntax, its suffix and its uniqueness (ignoring case).
    pub(super) fn check_login(&self, tx: &Tx, login: &str, me: Option<Uuid>) -> Result<()> {
        let (_, suffix) = split_login(login)?;
        match suffix {
            Some(s) if tx.suffix(s)?.is_none() => {
                return Err(Error::invalid(format!(
                    "login suffix '{s}' of '{login}' does not exist; the system administrator adds login suffixes"
                )));
            }
            None if self.settings().require_suffix => {
                return Err(Error::invalid(format!(
                    "login '{login}' must be name@suffix with an existing login suffix"
                )));
            }
            _ => {}
        }
        match tx.user_by_login(login)? {
            Some(other) if Some(other.id) != me => {
                Err(Error::exists(format!("login {}", other.login)))
            }
            _ => Ok(()),
        }
    }

    /// A new account's password hashed under its organization's password
    /// policy (where it goes is resolved as the creation will).
    pub(crate) fn new_account_hash(
        &self,
        req: &Request,
        new: &NewUser,
    ) -> Result<Option<SecretHash>> {
        if new.password.is_none() {
            return Ok(None);
        }
        let org = self.read(|tx| self.placement(tx, req, new.org.as_ref()));
        self.audit_refusal(req, &org);
        self.hash_checked(new.password.as_ref(), &new.password_for(org?))
    }

    /// Resolves where a new user goes (see [`NewUser`]).
    fn placement(&self, tx: &Tx, req: &Request, org: Option<&OrgRef>) -> Result<Option<Uuid>> {
        match org {
            Some(o) => self.org_ref_for(tx, req, Action::CreateUser, o),
            None => Ok(req.actor.home_org()),
        }
    }

    pub fn create_user(&self, req: &Request, new: NewUser) -> Result<User> {
        let hash = self.new_account_hash(req, &new)?;
        self.create_user_shared(req, new, hash)
    }

    /// Creates a user in a transaction it may share with concurrent creates
    /// (an identity provider's clients), so they pay one commit together.
    pub(crate) fn create_user_shared(
        &self,
        req: &Request,
        new: NewUser,
        hash: Option<SecretHash>,
    ) -> Result<User> {
        let (dir, r) = (self.clone(), req.clone());
        self.write_shared(req, move |tx| {
            dir.create_user_in(tx, &r, new.clone(), hash.clone())
        })
    }

    /// The body of [`Self::create_user`], for use cases that create many users in
    /// one transaction (bulk import).
    pub(crate) fn create_user_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        new: NewUser,
        hash: Option<SecretHash>,
    ) -> Result<User> {
        check_new_user(&new)?;
        let org = self.placement(tx, req, new.org.as_ref())?;
        self.authorize(req, Action::CreateUser, Target::org(org))?;
        super::units::check_unit_of(tx, org, new.unit)?;
        if new.flags.delegate {
            self.authorize(req, Action::AppointDelegate, Target::org(org))?;
            if org.is_none() {
                return Err(Error::invalid("a delegate needs an organization"));
            }
        }
        self.check_login(tx, &new.login, None)?;
        let id = self.new_id(tx, req, new.id)?;
        let uid_number = match new.uid_number {
            Some(n) => {
                check_uid_number(tx, n, None)?;
                n
            }
            None => tx.next_id_number()?,
        };
        let t = now();
        let hash_set = hash.is_some();
        let mut user = User {
            id,
            login: new.login,
            email: new.email,
            given_name: new.given_name,
            family_name: new.family_name,
            display_name: new.display_name,
            org,
            unit: new.unit,
            state: new.state,
            flags: new.flags,
            external_id: new.external_id,
            password: hash,
            recovery: None,
            lockout: Default::default(),
            created: t,
            modified: t,
            last_login: None,
            uid_number,
            // Without a given group, the user's own number (a user private
            // group's gid, when one is made).
            gid_number: new.gid_number.unwrap_or(uid_number),
            version: 0,
            profile: new.profile,
            attrs: new.attrs,
            password_changed: new.password_changed.or(hash_set.then_some(t)),
            password_history: Vec::new(),
            grace_used: 0,
            expires: new.expires,
            resets_asked: Vec::new(),
            second_factor: None,
        };
        ensure_seat(tx, None, &user)?;
        let change = Change {
            action: "user.create",
            target: &user.login,
            target_id: Some(id),
            org,
            detail: Some(format!("state={}", user.state.as_str())),
        };
        user.version = self.log(tx, req, change)?;
        tx.put_user(&user)?;
        Ok(user)
    }

    /// A user, if the actor may read it; otherwise "not found", so its existence
    /// is not revealed.
    pub fn get_user(&self, req: &Request, id: Uuid) -> Result<User> {
        self.read(|tx| {
            let user = user_by_id(tx, id)?;
            self.authorize(req, Action::Read, read_target(&user))
                .map_err(|_| Error::not_found(format!("user {id}")))?;
            Ok(user)
        })
    }

    /// The user a front end is about to change, refused unless the actor may
    /// read it (see [`Directory::authorize_visible`]).
    pub(crate) fn user_to_change(&self, tx: &Tx, req: &Request, id: Uuid) -> Result<User> {
        let user = user_by_id(tx, id)?;
        let target = self.target_of(tx, &user)?;
        self.authorize_visible(req, Action::ModifyUser, target, || format!("user {id}"))?;
        Ok(user)
    }

    /// Whether the actor may see `user`'s security attributes (lock state,
    /// failed logins, last login): the policy's [`AttrClass::Security`], the
    /// same rule LDAP renders `pwdFailureTime` and `dirgateLastLogin` by.
    pub fn may_see_security(&self, req: &Request, user: &User) -> bool {
        let target = Target::subject(user.org, user.id, Rank::Member);
        self.policy()
            .may_see(&req.actor, AttrClass::Security, &target)
    }

    /// A user by login (ignoring case), under the same visibility rule.
    pub fn get_user_by_login(&self, req: &Request, login: &str) -> Result<User> {
        let id = self.read(|tx| {
            tx.user_by_login(login)?
                .map(|u| u.id)
                .ok_or_else(|| Error::not_found(format!("user {login}")))
        })?;
        // A hidden user is "not found" by the name asked for, never by its id.
        self.get_user(req, id).map_err(|e| match e {
            Error::NotFound(_) => Error::not_found(format!("user {login}")),
            other => other,
        })
    }
}

/// Refuses a uidNumber another user holds (`me` may keep its own).
pub(super) fn check_uid_number(tx: &Tx, n: u32, me: Option<Uuid>) -> Result<()> {
    match tx.user_by_uid_number(n)? {
        Some(holder) if Some(holder) != me => Err(Error::taken(format!(
            "uidNumber {n} is already in use; uid numbers are unique among users"
        ))),
        _ => Ok(()),
    }
}

fn check_new_user(new: &NewUser) -> Result<()> {
    new.attrs.check()?;
    if let Some(e) = &new.email {
        check_email(e)?;
    }
    check_optional_text("given name", &new.given_name)?;
    check_optional_text("family name", &new.family_name)?;
    check_optional_text("display name", &new.display_name)?;
    check_optional_text("external id", &new.external_id)
}
