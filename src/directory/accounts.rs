//! Use cases that act on an existing account as a whole rather than on its
//! attributes: moving it between organizations (which strips every right held
//! in the old one), deleting it, unlocking it, and setting its password. The
//! attribute changes and creation are in `users`.

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::model::User;
use super::model::now;
use super::orgs::org_by_id;
use super::user_updates::password_action;
use super::users::{NewPassword, OrgRef, UserChanges, ensure_seat};
use super::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

impl Directory {
    /// Assigns a user to `dest` (`None` = no organization). A move strips every
    /// right held in the old organization: its roles, delegation, and the
    /// Organization Administrator post. Checked against the policy at both ends.
    pub fn move_user(&self, req: &Request, id: Uuid, dest: Option<OrgRef>) -> Result<User> {
        self.write(req, |tx| self.move_user_in(tx, req, id, dest.clone()))
    }

    /// The body of [`Self::move_user`] inside a caller's transaction.
    pub(crate) fn move_user_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        dest: Option<OrgRef>,
    ) -> Result<User> {
        let old = self.user_for(tx, req, Action::MoveUser, id)?;
        let dest = match &dest {
            Some(o) => self.org_ref_for(tx, req, Action::MoveUser, o)?,
            None => None,
        };
        self.authorize(req, Action::MoveUser, self.target_of(tx, &old)?)?;
        self.authorize(req, Action::MoveUser, Target::org(dest))?;
        if dest == old.org {
            return Ok(old);
        }
        let mut user = old.clone();
        self.leave_org(tx, &mut user)?;
        user.org = dest;
        // Units belong to the organization left behind.
        user.unit = None;
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
        let asked = tx.requests_of_user(user.id)?;
        let why = "the user left the organization";
        super::apps::requests::close_where(tx, asked, |r| r.org != org_id, why)?;
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
        let (dir, r) = (self.clone(), req.clone());
        self.write_shared(req, move |tx| dir.delete_user_in(tx, &r, id))
    }

    /// The body of [`Self::delete_user`] inside a caller's transaction.
    pub(crate) fn delete_user_in(&self, tx: &mut Tx, req: &Request, id: Uuid) -> Result<()> {
        let mut user = self.user_for(tx, req, Action::DeleteUser, id)?;
        self.authorize(req, Action::DeleteUser, self.target_of(tx, &user)?)?;
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
        let mut user = self.user_for(tx, req, Action::UnlockUser, id)?;
        self.authorize(req, Action::UnlockUser, self.target_of(tx, &user)?)?;
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
        // The policy answers before the old password is looked at: checked
        // the other way round, "wrong old password" against "refused" would
        // tell anyone whether a guess at someone else's password is right,
        // with no bind counted toward lockout.
        let (current, target) = self.read(|tx| {
            let user = self.user_for(tx, req, Action::ResetPassword, id)?;
            let target = self.target_of(tx, &user)?;
            Ok((user, target))
        })?;
        let allowed = self.authorize(req, password_action(req, &current), target);
        if allowed.is_err() {
            self.audit_refusal(req, &allowed);
            return allowed;
        }
        if let Some(old) = old_password {
            let ok = match current.password.as_ref() {
                Some(h) => self.hashing().verify(Some(h), old)?,
                None => None,
            };
            if ok.is_none() {
                self.wrong_old_password(req, &current);
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
