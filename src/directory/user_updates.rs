//! Use cases that change an existing user's attributes: profile fields, login,
//! account flags (turning `delegate` on or off is an appointment), lifecycle
//! state and password, each change checked against the policy as the kind of
//! change it is (self-service or administration). Creation and reads are in
//! `users`; moves, deletion and unlocking in `accounts`.

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::model::{AccountFlags, Lifecycle, SecretHash, User, now};
use super::names::check_email;
use super::users::{
    OrgRef, ProfileField, UserChanges, check_optional_text, check_uid_number, ensure_seat,
};
use super::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

/// An optional text field: its name, the requested change, the field itself.
type FieldChange<'a> = (
    &'static str,
    &'a Option<Option<String>>,
    &'a mut Option<String>,
);

impl Directory {
    pub fn update_user(&self, req: &Request, id: Uuid, changes: UserChanges) -> Result<User> {
        let hash = self.changed_password(req, id, &changes)?;
        self.write(req, |tx| {
            self.update_user_in(tx, req, id, &changes, hash.clone())
        })
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
        let hash = self.changed_password(req, id, &changes)?;
        // Shared with concurrent writes: an identity provider's clients
        // updating many users pay one commit together.
        let (dir, r) = (self.clone(), req.clone());
        self.write_shared(req, move |tx| {
            let user = dir.update_user_in(tx, &r, id, &changes, hash.clone())?;
            match dest.clone() {
                Some(dest) => dir.move_user_in(tx, &r, id, Some(dest)),
                None => Ok(user),
            }
        })
    }

    /// The new password of a change, hashed once the actor may set it and
    /// the password policy accepts it (see `credentials`).
    fn changed_password(
        &self,
        req: &Request,
        id: Uuid,
        changes: &UserChanges,
    ) -> Result<Option<SecretHash>> {
        match &changes.password {
            Some(pw) => self.new_password_for(req, id, pw).map(Some),
            None => Ok(None),
        }
    }

    /// The body of [`Self::update_user`] inside a caller's transaction, with the
    /// new password (if any) already hashed by [`Self::new_password_for`].
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
            let old = self.user_for(tx, req, Action::ModifyUser, id)?;
            let target = self.target_of(tx, &old)?;
            let mut user = old.clone();
            let mut what = Vec::new();
            self.apply_profile(tx, req, target, &mut user, changes, &mut what)?;
            if let Some(flags) = &changes.flags {
                self.apply_flags(req, target, &mut user, flags, &mut what)?;
            }
            if let Some(state) = changes.state.filter(|s| *s != old.state) {
                let action = match transition(old.state, state) {
                    Ok(action) => action,
                    Err(why) => {
                        // Why the transition is impossible tells the current
                        // state: only for those who may change the account.
                        self.authorize(req, Action::ModifyUser, target)?;
                        return Err(why);
                    }
                };
                self.authorize(req, action, target)?;
                user.state = state;
                what.push(format!("state={}", state.as_str()));
            }
            if let Some(hash) = hash {
                self.authorize(req, password_action(req, &old), target)?;
                let keep = self.policy_for(tx, user.org)?.history;
                user.set_password(hash, keep, now());
                what.push("password".into());
            }
            if let Some(expires) = changes.expires.filter(|e| *e != old.expires) {
                self.authorize(req, Action::ModifyUser, target)?;
                user.expires = expires;
                what.push("expires".into());
            }
            if let Some(at) = changes
                .password_changed
                .filter(|t| *t != old.password_changed)
            {
                self.authorize(req, Action::ModifyUser, target)?;
                user.password_changed = at;
                what.push("passwordChanged".into());
            }
            if what.is_empty() {
                // A change to nothing must still be one the actor may make,
                // or it would hand back a user the actor may not even read.
                self.authorize(req, self.profile_action(req, &old, changes), target)?;
            }
            // Only once the policy has allowed the change: the conflict
            // names the user, which a refused caller must not learn.
            if changes.if_version.is_some_and(|v| v != old.version) {
                return Err(Error::conflict(format!(
                    "user {} changed since the version this change was based on",
                    old.login
                )));
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
            || c.profile.is_some()
            || c.attrs.is_some()
            || c.uid_number.is_some()
            || c.gid_number.is_some()
            || c.unit.is_some();
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
        if let Some(a) = c.attrs.as_ref().filter(|a| **a != user.attrs) {
            user.attrs = a.clone();
            what.push("attributes".into());
        }
        if let Some(n) = c.uid_number.filter(|n| *n != user.uid_number) {
            check_uid_number(tx, n, Some(user.id))?;
            user.uid_number = n;
            what.push(format!("uidNumber={n}"));
        }
        if let Some(n) = c.gid_number.filter(|n| *n != user.gid_number) {
            user.gid_number = n;
            what.push(format!("gidNumber={n}"));
        }
        if let Some(unit) = c.unit.filter(|u| *u != user.unit) {
            super::units::check_unit_of(tx, user.org, unit)?;
            user.unit = unit;
            what.push("unit".into());
        }
        Ok(())
    }

    /// Editing one's own self-service fields, or administering an account.
    fn profile_action(&self, req: &Request, user: &User, c: &UserChanges) -> Action {
        let allowed = |f: ProfileField| self.settings().self_service.contains(&f);
        let own = req.actor.id == Some(user.id)
            && c.login.is_none()
            && c.external_id.is_none()
            && c.profile.is_none()
            && c.attrs.is_none()
            && c.uid_number.is_none()
            && c.gid_number.is_none()
            && c.unit.is_none()
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
pub(super) fn password_action(req: &Request, user: &User) -> Action {
    if req.actor.id == Some(user.id) {
        Action::ChangeOwnPassword
    } else {
        Action::ResetPassword
    }
}

fn check_changes(c: &UserChanges) -> Result<()> {
    if let Some(a) = &c.attrs {
        a.check()?;
    }
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
