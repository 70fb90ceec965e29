//! Use cases for users: create, read, change, move between organizations, delete,
//! and passwords. Holds the membership rules: a user is in at most one
//! organization; assigning it elsewhere moves it and strips every right it held in
//! the old one; seats cap an organization's users that are not disabled.

use super::acl::{Action, Rank, Target};
use super::error::{Error, Result};
use super::model::{AccountFlags, Lifecycle, SecretHash, User, now};
use super::names::{check_email, check_text, split_login};
use super::orgs::{org_by_id, org_named};
use super::password;
use super::profile::Profile;
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
}

impl NewUser {
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
    /// Refuse with `Conflict` unless the user is still at this version
    /// (checked inside the transaction: HTTP If-Match).
    pub if_version: Option<u64>,
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

/// An optional text field: its name, the requested change, the field itself.
type FieldChange<'a> = (
    &'static str,
    &'a Option<Option<String>>,
    &'a mut Option<String>,
);

/// The user or a "not found" error.
pub(crate) fn user_by_id(tx: &Tx, id: Uuid) -> Result<User> {
    tx.user(id)?
        .ok_or_else(|| Error::not_found(format!("user {id}")))
}

/// The user's standing in its organization, for the policy's rank rule.
pub(crate) fn rank_of(tx: &Tx, user: &User) -> Result<Rank> {
    if let Some(org) = user.org {
        if org_by_id(tx, org)?.admin == Some(user.id) {
            return Ok(Rank::OrgAdmin);
        }
        if user.flags.delegate {
            return Ok(Rank::Delegate);
        }
    }
    Ok(Rank::Member)
}

/// The policy target for acting on `user`.
pub(crate) fn target_of(tx: &Tx, user: &User) -> Result<Target> {
    Ok(Target::subject(user.org, user.id, rank_of(tx, user)?))
}

/// Refuses a user that would take a seat its organization does not have.
pub(crate) fn ensure_seat(tx: &Tx, old: Option<&User>, new: &User) -> Result<()> {
    let Some(org_id) = new.org.filter(|_| new.state.holds_seat()) else {
        return Ok(());
    };
    if old.is_some_and(|o| o.org == new.org && o.state.holds_seat()) {
        return Ok(());
    }
    let org = org_by_id(tx, org_id)?;
    let used = tx.seats_used(org_id)?;
    if used >= u64::from(org.seats) {
        return Err(Error::SeatsExhausted {
            org: org.name,
            used,
            seats: org.seats,
        });
    }
    Ok(())
}

fn check_optional_text(what: &str, value: &Option<String>) -> Result<()> {
    value.as_deref().map_or(Ok(()), |v| check_text(what, v))
}

impl Directory {
    /// Checks a login's syntax, its suffix and its uniqueness (ignoring case).
    fn check_login(&self, tx: &Tx, login: &str, me: Option<Uuid>) -> Result<()> {
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

    /// Resolves where a new user goes (see [`NewUser`]).
    fn placement(&self, tx: &Tx, req: &Request, org: Option<&OrgRef>) -> Result<Option<Uuid>> {
        match org {
            Some(OrgRef::Name(name)) => Ok(Some(org_named(tx, name)?.id)),
            Some(OrgRef::Id(id)) => Ok(Some(org_by_id(tx, *id)?.id)),
            Some(OrgRef::NoOrg) => Ok(None),
            None => Ok(req.actor.home_org()),
        }
    }

    /// Hashes a new password before any transaction opens (argon2 is slow).
    pub(crate) fn hash_new(&self, pw: Option<&NewPassword>) -> Result<Option<SecretHash>> {
        match pw {
            None => Ok(None),
            Some(NewPassword::Plain(p)) if p.is_empty() => {
                Err(Error::invalid("the password is empty"))
            }
            Some(NewPassword::Plain(p)) => Ok(Some(password::hash(&self.settings().hash, p)?)),
            Some(NewPassword::Hashed(h)) if password::is_known_hash(h) => {
                Ok(Some(SecretHash(h.clone())))
            }
            Some(NewPassword::Hashed(_)) => Err(Error::invalid(
                "unknown password hash scheme; use {SSHA}, {SSHA256}, {SSHA512}, {ARGON2} or $argon2id$",
            )),
        }
    }

    pub fn create_user(&self, req: &Request, new: NewUser) -> Result<User> {
        let hash = self.hash_new(new.password.as_ref())?;
        self.write(req, |tx| self.create_user_in(tx, req, new, hash))
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
        if new.flags.delegate {
            self.authorize(req, Action::AppointDelegate, Target::org(org))?;
            if org.is_none() {
                return Err(Error::invalid("a delegate needs an organization"));
            }
        }
        self.check_login(tx, &new.login, None)?;
        let id = Uuid::new_v4();
        let number = tx.next_id_number()?;
        let t = now();
        let mut user = User {
            id,
            login: new.login,
            email: new.email,
            given_name: new.given_name,
            family_name: new.family_name,
            display_name: new.display_name,
            org,
            state: new.state,
            flags: new.flags,
            external_id: new.external_id,
            password: hash,
            recovery: None,
            lockout: Default::default(),
            created: t,
            modified: t,
            last_login: None,
            uid_number: number,
            gid_number: number,
            version: 0,
            profile: Profile::default(),
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
            self.authorize(req, Action::Read, target_of(tx, &user)?)
                .map_err(|_| Error::not_found(format!("user {id}")))?;
            Ok(user)
        })
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

    pub fn update_user(&self, req: &Request, id: Uuid, changes: UserChanges) -> Result<User> {
        let hash = self.hash_new(changes.password.as_ref())?;
        self.write(req, |tx| self.update_user_in(tx, req, id, &changes, hash))
    }

    /// Changes a user and, when `dest` is given, moves it there, in one
    /// transaction (a SCIM PUT that also changes the organization).
    pub fn update_and_move_user(
        &self,
        req: &Request,
        id: Uuid,
        changes: UserChanges,
        dest: Option<OrgRef>,
    ) -> Result<User> {
        let hash = self.hash_new(changes.password.as_ref())?;
        self.write(req, |tx| {
            let user = self.update_user_in(tx, req, id, &changes, hash)?;
            match dest {
                Some(dest) => self.move_user_in(tx, req, id, Some(dest)),
                None => Ok(user),
            }
        })
    }

    /// The body of [`Self::update_user`] inside a caller's transaction, with the
    /// new password (if any) already hashed by [`Self::hash_new`].
    pub(crate) fn update_user_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        changes: &UserChanges,
        hash: Option<SecretHash>,
    ) -> Result<User> {
        check_changes(changes)?;
        {
            let old = user_by_id(tx, id)?;
            if changes.if_version.is_some_and(|v| v != old.version) {
                return Err(Error::conflict(format!(
                    "user {} changed since the version this change was based on",
                    old.login
                )));
            }
            let target = target_of(tx, &old)?;
            let mut user = old.clone();
            let mut what = Vec::new();
            self.apply_profile(tx, req, target, &mut user, changes, &mut what)?;
            if let Some(flags) = &changes.flags {
                self.apply_flags(req, target, &mut user, flags, &mut what)?;
            }
            if let Some(state) = changes.state.filter(|s| *s != old.state) {
                self.authorize(req, transition(old.state, state)?, target)?;
                user.state = state;
                what.push(format!("state={}", state.as_str()));
            }
            if let Some(hash) = hash {
                self.authorize(req, password_action(req, &old), target)?;
                user.password = Some(hash);
                what.push("password".into());
            }
            if what.is_empty() {
                return Ok(old);
            }
            ensure_seat(tx, Some(&old), &user)?;
            let change = Change {
                action: "user.modify",
                target: &user.login,
                target_id: Some(id),
                org: user.org,
                detail: Some(what.join(", ")),
            };
            user.version = self.log(tx, req, change)?;
            user.modified = now();
            tx.put_user(&user)?;
            Ok(user)
        }
    }

    /// Login, email, names and external id: ordinary modifications.
    fn apply_profile(
        &self,
        tx: &Tx,
        req: &Request,
        target: Target,
        user: &mut User,
        c: &UserChanges,
        what: &mut Vec<String>,
    ) -> Result<()> {
        let touches = c.login.is_some()
            || c.email.is_some()
            || c.given_name.is_some()
            || c.family_name.is_some()
            || c.display_name.is_some()
            || c.external_id.is_some()
            || c.profile.is_some();
        if !touches {
            return Ok(());
        }
        self.authorize(req, self.profile_action(req, user, c), target)?;
        if let Some(login) = c.login.as_ref().filter(|l| **l != user.login) {
            self.check_login(tx, login, Some(user.id))?;
            what.push(format!("login {} -> {login}", user.login));
            user.login = login.clone();
        }
        let fields: [FieldChange<'_>; 5] = [
            ("email", &c.email, &mut user.email),
            ("givenName", &c.given_name, &mut user.given_name),
            ("familyName", &c.family_name, &mut user.family_name),
            ("displayName", &c.display_name, &mut user.display_name),
            ("externalId", &c.external_id, &mut user.external_id),
        ];
        for (name, change, field) in fields {
            if let Some(v) = change.as_ref().filter(|v| *v != field) {
                *field = v.clone();
                what.push(name.to_owned());
            }
        }
        if let Some(p) = c.profile.as_ref().filter(|p| **p != user.profile) {
            user.profile = p.clone();
            what.push("profile".into());
        }
        Ok(())
    }

    /// Editing one's own self-service fields, or administering an account.
    fn profile_action(&self, req: &Request, user: &User, c: &UserChanges) -> Action {
        let allowed = |f: ProfileField| self.settings().self_service.contains(&f);
        let own = req.actor.id == Some(user.id)
            && c.login.is_none()
            && c.external_id.is_none()
            && (c.email.is_none() || allowed(ProfileField::Email))
            && (c.given_name.is_none() || allowed(ProfileField::GivenName))
            && (c.family_name.is_none() || allowed(ProfileField::FamilyName))
            && (c.display_name.is_none() || allowed(ProfileField::DisplayName));
        if own {
            Action::EditOwnProfile
        } else {
            Action::ModifyUser
        }
    }

    /// Account flags; turning `delegate` on or off is an appointment.
    fn apply_flags(
        &self,
        req: &Request,
        target: Target,
        user: &mut User,
        flags: &AccountFlags,
        what: &mut Vec<String>,
    ) -> Result<()> {
        if *flags == user.flags {
            return Ok(());
        }
        if flags.delegate != user.flags.delegate {
            self.authorize(req, Action::AppointDelegate, Target::org(user.org))?;
            if flags.delegate && user.org.is_none() {
                return Err(Error::invalid("a delegate needs an organization"));
            }
        }
        let others_changed = AccountFlags {
            delegate: user.flags.delegate,
            ..flags.clone()
        } != user.flags;
        if others_changed {
            self.authorize(req, Action::ModifyUser, target)?;
        }
        user.flags = flags.clone();
        what.push("flags".into());
        Ok(())
    }

    /// Assigns a user to `dest` (`None` = no organization). A move strips every
    /// right held in the old organization: its roles, delegation, and the
    /// Organization Administrator post. Checked against the policy at both ends.
    pub fn move_user(&self, req: &Request, id: Uuid, dest: Option<OrgRef>) -> Result<User> {
        self.write(req, |tx| self.move_user_in(tx, req, id, dest))
    }

    /// The body of [`Self::move_user`] inside a caller's transaction.
    pub(crate) fn move_user_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        dest: Option<OrgRef>,
    ) -> Result<User> {
        let old = user_by_id(tx, id)?;
        let dest = match &dest {
            Some(OrgRef::Name(n)) => Some(org_named(tx, n)?.id),
            Some(OrgRef::Id(i)) => Some(org_by_id(tx, *i)?.id),
            Some(OrgRef::NoOrg) | None => None,
        };
        self.authorize(req, Action::MoveUser, target_of(tx, &old)?)?;
        self.authorize(req, Action::MoveUser, Target::org(dest))?;
        if dest == old.org {
            return Ok(old);
        }
        let mut user = old.clone();
        self.leave_org(tx, &mut user)?;
        user.org = dest;
        ensure_seat(tx, Some(&old), &user)?;
        let to = match dest {
            Some(d) => org_by_id(tx, d)?.name,
            None => "(none)".into(),
        };
        let change = Change {
            action: "user.move",
            target: &user.login,
            target_id: Some(id),
            org: dest,
            detail: Some(format!("to {to}")),
        };
        user.version = self.log(tx, req, change)?;
        user.modified = now();
        tx.put_user(&user)?;
        Ok(user)
    }

    /// Strips what a user holds in its current organization (before it leaves it).
    pub(crate) fn leave_org(&self, tx: &mut Tx, user: &mut User) -> Result<()> {
        let Some(org_id) = user.org else {
            return Ok(());
        };
        for role in tx.member_of(user.id)? {
            if tx.role(role)?.is_some_and(|r| r.org == Some(org_id)) {
                tx.remove_member(role, user.id)?;
            }
        }
        user.flags.delegate = false;
        let mut org = org_by_id(tx, org_id)?;
        if org.admin == Some(user.id) {
            org.admin = None;
            user.recovery = None;
            tx.put_org(&org)?;
        }
        Ok(())
    }

    /// Deletes a user and its memberships; its audit history stays.
    pub fn delete_user(&self, req: &Request, id: Uuid) -> Result<()> {
        self.write(req, |tx| self.delete_user_in(tx, req, id))
    }

    /// The body of [`Self::delete_user`] inside a caller's transaction.
    pub(crate) fn delete_user_in(&self, tx: &mut Tx, req: &Request, id: Uuid) -> Result<()> {
        let mut user = user_by_id(tx, id)?;
        self.authorize(req, Action::DeleteUser, target_of(tx, &user)?)?;
        self.leave_org(tx, &mut user)?;
        let change = Change {
            action: "user.delete",
            target: &user.login,
            target_id: Some(id),
            org: user.org,
            detail: None,
        };
        self.log(tx, req, change)?;
        // Its admin and registration tokens would only linger unusable.
        for token in tx.tokens()? {
            if token.owner == Some(id) {
                tx.delete_token(token.id)?;
            }
        }
        tx.delete_user(id)?;
        Ok(())
    }

    /// Unlocks an account locked by failed password checks (the
    /// `account-unlock` right in its organization, or the system administrator).
    pub fn unlock_user(&self, req: &Request, id: Uuid) -> Result<User> {
        self.write(req, |tx| self.unlock_user_in(tx, req, id))
    }

    /// The body of [`Self::unlock_user`] inside a caller's transaction.
    pub(crate) fn unlock_user_in(&self, tx: &mut Tx, req: &Request, id: Uuid) -> Result<User> {
        let mut user = user_by_id(tx, id)?;
        self.authorize(req, Action::UnlockUser, target_of(tx, &user)?)?;
        if user.lockout == Default::default() {
            return Ok(user);
        }
        let change = Change {
            action: "user.unlock",
            target: &user.login,
            target_id: Some(id),
            org: user.org,
            detail: None,
        };
        user.version = self.log(tx, req, change)?;
        user.lockout = Default::default();
        user.modified = now();
        tx.put_user(&user)?;
        Ok(user)
    }

    /// Sets a password: one's own (with the old one, which must match) or
    /// another's as an administrator.
    pub fn set_password(
        &self,
        req: &Request,
        id: Uuid,
        old_password: Option<&str>,
        new_password: &str,
    ) -> Result<()> {
        let current = self.read(|tx| user_by_id(tx, id))?;
        if let Some(old) = old_password {
            let ok = current
                .password
                .as_ref()
                .and_then(|h| password::verify(&self.settings().hash, h, old));
            if ok.is_none() {
                return Err(Error::InvalidCredentials);
            }
        }
        let changes = UserChanges {
            password: Some(NewPassword::Plain(new_password.to_owned())),
            ..Default::default()
        };
        self.update_user(req, id, changes).map(|_| ())
    }
}

/// The policy action a lifecycle transition needs, or why it is not a transition
/// an administrator can make.
fn transition(from: Lifecycle, to: Lifecycle) -> Result<Action> {
    use Lifecycle::*;
    match (from, to) {
        (_, Disabled) | (Disabled, Active) => Ok(Action::ModifyUser),
        (Provisioned | Registered, Active) => Ok(Action::ValidateUser),
        _ => Err(Error::invalid(format!(
            "an account cannot go from {} to {}: registration sets 'registered', validation sets 'active'",
            from.as_str(),
            to.as_str()
        ))),
    }
}

/// Changing one's own password, or resetting someone else's.
fn password_action(req: &Request, user: &User) -> Action {
    if req.actor.id == Some(user.id) {
        Action::ChangeOwnPassword
    } else {
        Action::ResetPassword
    }
}

fn check_new_user(new: &NewUser) -> Result<()> {
    if let Some(e) = &new.email {
        check_email(e)?;
    }
    check_optional_text("given name", &new.given_name)?;
    check_optional_text("family name", &new.family_name)?;
    check_optional_text("display name", &new.display_name)?;
    check_optional_text("external id", &new.external_id)
}

fn check_changes(c: &UserChanges) -> Result<()> {
    if let Some(Some(e)) = &c.email {
        check_email(e)?;
    }
    for (what, v) in [
        ("given name", &c.given_name),
        ("family name", &c.family_name),
        ("display name", &c.display_name),
        ("external id", &c.external_id),
    ] {
        if let Some(v) = v {
            check_optional_text(what, v)?;
        }
    }
    Ok(())
}
