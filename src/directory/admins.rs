//! Use cases for administrators: the system administrator appoints (or replaces)
//! an organization's one Organization Administrator, who gets a one-time recovery
//! code; the Organization Administrator appoints and removes its Delegated
//! Administrators; the recovery code resets the Organization Administrator's
//! password once and is replaced by a fresh one.

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::model::{AccountFlags, Organization, SecretHash, User, now};
use super::password;
use super::users::{UserChanges, read_target, user_by_id};
use super::{Change, Directory, Request};
use uuid::Uuid;

/// A recovery code in clear: shown once, stored only as a hash.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(pub String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

/// Who administers an organization, as an actor may see it.
#[derive(Clone, Debug, Default)]
pub struct Administrators {
    /// The Organization Administrator, if there is one the actor may read.
    pub org_admin: Option<User>,
    /// Its Delegated Administrators the actor may read, by login.
    pub delegates: Vec<User>,
}

impl Directory {
    /// The Organization Administrator and the delegates of `org` (one the
    /// actor may read: from [`Directory::get_org`]), every one of them, not
    /// a page of the members.
    pub fn org_administrators(&self, req: &Request, org: &Organization) -> Result<Administrators> {
        self.read(|tx| {
            let mut found = Administrators::default();
            for user in tx.users()? {
                let is_admin = org.admin == Some(user.id);
                if user.org != Some(org.id) || !(is_admin || user.flags.delegate) {
                    continue;
                }
                if self
                    .authorize(req, Action::Read, read_target(&user))
                    .is_err()
                {
                    continue;
                }
                if user.flags.delegate {
                    found.delegates.push(user.clone());
                }
                if is_admin {
                    found.org_admin = Some(user);
                }
            }
            found.delegates.sort_by_key(|u| u.login.to_lowercase());
            Ok(found)
        })
    }

    fn new_recovery_code(&self) -> Result<(RecoveryCode, SecretHash)> {
        let code = password::random_secret(15)?;
        let hash = self.hashing().hash(&code)?;
        Ok((RecoveryCode(code), hash))
    }

    /// Makes `user` (a member of the organization) its Organization Administrator,
    /// replacing any previous one, and returns the new administrator's recovery code.
    pub fn appoint_org_admin(&self, req: &Request, org: &str, user: Uuid) -> Result<RecoveryCode> {
        let (code, hash) = self.new_recovery_code()?;
        self.write(req, |tx| {
            let mut org = self.org_named_for(tx, req, Action::AppointOrgAdmin, org)?;
            self.authorize(req, Action::AppointOrgAdmin, Target::org(Some(org.id)))?;
            let mut admin = user_by_id(tx, user)?;
            if admin.org != Some(org.id) {
                return Err(Error::invalid(format!(
                    "{} is not a member of {}; move the user there first",
                    admin.login, org.name
                )));
            }
            if let Some(previous) = org.admin.filter(|p| *p != user) {
                let mut previous = user_by_id(tx, previous)?;
                previous.recovery = None;
                previous.modified = now();
                tx.put_user(&previous)?;
            }
            let change = Change {
                action: "org.appoint-admin",
                target: &org.name,
                target_id: Some(org.id),
                org: Some(org.id),
                detail: Some(admin.login.clone()),
            };
            let version = self.log(tx, req, change)?;
            org.admin = Some(user);
            org.version = version;
            org.modified = now();
            admin.recovery = Some(hash.clone());
            admin.version = version;
            admin.modified = now();
            tx.put_org(&org)?;
            tx.put_user(&admin)?;
            Ok(code.clone())
        })
    }

    /// Leaves the organization without an Organization Administrator.
    pub fn remove_org_admin(&self, req: &Request, org: &str) -> Result<()> {
        self.write(req, |tx| {
            let mut org = self.org_named_for(tx, req, Action::AppointOrgAdmin, org)?;
            self.authorize(req, Action::AppointOrgAdmin, Target::org(Some(org.id)))?;
            let Some(previous) = org.admin else {
                return Ok(());
            };
            let mut previous = user_by_id(tx, previous)?;
            let change = Change {
                action: "org.remove-admin",
                target: &org.name,
                target_id: Some(org.id),
                org: Some(org.id),
                detail: Some(previous.login.clone()),
            };
            org.version = self.log(tx, req, change)?;
            org.admin = None;
            org.modified = now();
            previous.recovery = None;
            tx.put_org(&org)?;
            tx.put_user(&previous)?;
            Ok(())
        })
    }

    /// Appoints (`true`) or removes (`false`) a Delegated Administrator of the
    /// user's own organization.
    pub fn set_delegate(&self, req: &Request, user: Uuid, delegate: bool) -> Result<User> {
        let current = self.read(|tx| user_by_id(tx, user))?;
        let flags = AccountFlags {
            delegate,
            ..current.flags
        };
        let changes = UserChanges {
            flags: Some(flags),
            ..Default::default()
        };
        self.update_user(req, user, changes)
    }

    /// Resets the Organization Administrator's password with its recovery code.
    /// The code is used up; the answer is the next one.
    pub fn reset_with_recovery_code(
        &self,
        req: &Request,
        login: &str,
        code: &str,
        new_password: &str,
    ) -> Result<RecoveryCode> {
        if new_password.is_empty() {
            return Err(Error::invalid("the password is empty"));
        }
        let found = self.read(|tx| Ok(tx.user_by_login(login)?))?;
        let Some((user, stored)) = found.as_ref().and_then(|u| Some((u, u.recovery.as_ref()?)))
        else {
            // An unknown login, or one with no recovery code, costs what a
            // real check costs: the answer's timing must not tell which
            // logins are Organization Administrators.
            self.hashing().verify(None, code)?;
            return Err(Error::InvalidCredentials);
        };
        self.hashing()
            .verify(Some(stored), code)?
            .ok_or(Error::InvalidCredentials)?;
        let keep = self.read(|tx| self.policy_for(tx, user.org))?.history;
        let whose = super::credentials::PasswordFor::of(user, keep);
        let pw = super::users::NewPassword::Plain(new_password.to_owned());
        let new_hash = self
            .hash_checked(Some(&pw), &whose)?
            .ok_or_else(|| Error::invalid("the password is empty"))?;
        let (next, next_hash) = self.new_recovery_code()?;
        self.write(req, |tx| {
            let mut user = user_by_id(tx, user.id)?;
            // The code must still be the one we checked (not replaced meanwhile).
            if user.recovery.as_ref() != Some(stored) {
                return Err(Error::InvalidCredentials);
            }
            let change = Change {
                action: "user.recovery-reset",
                target: &user.login,
                target_id: Some(user.id),
                org: user.org,
                detail: None,
            };
            user.version = self.log(tx, req, change)?;
            let keep = self.policy_for(tx, user.org)?.history;
            user.set_password(new_hash.clone(), keep, now());
            user.recovery = Some(next_hash.clone());
            user.lockout = Default::default();
            user.modified = now();
            tx.put_user(&user)?;
            Ok(next.clone())
        })
    }
}
