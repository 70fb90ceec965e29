//! The password policy applied (`password::policy` holds the rules): every
//! new password, wherever it is set (LDAP add, modify and Password Modify,
//! SCIM, the admin API, the console, registration, a recovery reset), is
//! hashed here, after the policy's checks: its quality, then (only once the
//! caller is allowed to set this account's password, so that nobody can
//! test guesses at someone's old passwords) the account's current and
//! previous passwords, each one argon2id check on the hashing pool. A hash
//! given as it is (an `{SSHA}` load) cannot be checked and is taken as
//! before. Also what a login learns of its password's age.

use super::Change;
use super::error::{Error, Result};
use super::model::{SecretHash, User, now};
use super::password::is_known_hash;
use super::password::policy::{Age, Owner, PasswordPolicy, PolicyOverride};
use super::user_updates::password_action;
use super::users::NewPassword;
use super::{Directory, Request};
use uuid::Uuid;

/// Whose new password is being set: what it may not contain, and the
/// hashes it may not match.
#[derive(Clone, Debug, Default)]
pub struct PasswordFor {
    pub owner: Owner,
    pub used: Vec<SecretHash>,
    /// Whose policy applies: the account's organization's (`None`: the
    /// server's).
    pub org: Option<Uuid>,
}

impl PasswordFor {
    /// A new account, with its login and names.
    pub fn account(login: &str, names: &[Option<&str>], org: Option<Uuid>) -> PasswordFor {
        PasswordFor {
            owner: Owner {
                login: login.to_owned(),
                names: names.iter().flatten().map(|n| (*n).to_owned()).collect(),
            },
            used: Vec::new(),
            org,
        }
    }

    /// An existing account: its current password and the `keep` before it
    /// may not come back (none when the policy keeps no history).
    pub fn of(user: &User, keep: usize) -> PasswordFor {
        let used = match keep {
            0 => Vec::new(),
            n => user
                .password
                .iter()
                .chain(user.password_history.iter().take(n))
                .cloned()
                .collect(),
        };
        PasswordFor {
            owner: Owner::of(user),
            used,
            org: user.org,
        }
    }
}

/// The server's policy with what `org` (if any) sets differently.
pub(crate) fn policy_in(
    tx: &crate::store::Tx,
    server: &PasswordPolicy,
    org: Option<Uuid>,
) -> Result<PasswordPolicy> {
    Ok(match org.map(|o| tx.org(o)).transpose()?.flatten() {
        Some(o) => server.with(&o.password_policy),
        None => *server,
    })
}

impl Directory {
    /// Hashes a new password after the password policy's checks (a given
    /// hash is taken as it is, if dirgate can verify it).
    pub(crate) fn hash_checked(
        &self,
        pw: Option<&NewPassword>,
        whose: &PasswordFor,
    ) -> Result<Option<SecretHash>> {
        match pw {
            None => Ok(None),
            Some(NewPassword::Plain(p)) if p.is_empty() => {
                Err(Error::invalid("the password is empty"))
            }
            Some(NewPassword::Plain(p)) => {
                let policy = self.read(|tx| self.policy_for(tx, whose.org))?;
                if let Some(why) = policy.quality(p, &whose.owner) {
                    return Err(Error::WeakPassword(why));
                }
                for old in &whose.used {
                    if self.hashing().verify(Some(old), p)?.is_some() {
                        return Err(Error::WeakPassword(format!(
                            "the password was used before: choose one that is not among the last {}",
                            policy.history
                        )));
                    }
                }
                Ok(Some(self.hashing().hash(p)?))
            }
            Some(NewPassword::Hashed(h)) if is_known_hash(h) => Ok(Some(SecretHash(h.clone()))),
            Some(NewPassword::Hashed(_)) => Err(Error::invalid(
                "a password hash dirgate cannot verify: use {SSHA}, {SSHA256}, {SSHA512}, \
                 {ARGON2}, $argon2id$, or {CRYPT} with SHA-crypt $5$/$6$ (at most 1,000,000 \
                 rounds), yescrypt $y$ (at most 64 MiB) or bcrypt $2b$ (cost at most 13); \
                 MD5-crypt and DES crypt are not verified",
            )),
        }
    }

    /// Hashes `pw` as the new password of user `id`: refused, as the
    /// policy says, unless the actor may set that account's password; then
    /// checked against the password policy and the account's history. The
    /// change itself still runs in a transaction of its own, which asks the
    /// policy again.
    pub fn new_password_for(
        &self,
        req: &Request,
        id: Uuid,
        pw: &NewPassword,
    ) -> Result<SecretHash> {
        let whose = self.read(|tx| {
            let user = self.user_for(tx, req, super::acl::Action::ModifyUser, id)?;
            let target = self.target_of(tx, &user)?;
            self.authorize(req, password_action(req, &user), target)?;
            // The organization's history, which may differ from the server's.
            let keep = self.policy_for(tx, user.org)?.history;
            Ok(PasswordFor::of(&user, keep))
        });
        self.audit_refusal(req, &whose);
        self.hash_checked(Some(pw), &whose?)?
            .ok_or_else(|| Error::invalid("the password is empty"))
    }

    /// A user whose password has expired (no grace login left) changes it
    /// with the old one, without a bind: an expired password binds no
    /// more, and RFC 3062 lets the old password authenticate the change. The old password is
    /// checked as a bind's is (an unknown or unusable account costs the
    /// same and answers the same; a wrong one is audited and counts toward
    /// lockout); then the change runs as the user, through the policy and
    /// the password policy like any other.
    /// `id: None` (a name that names no user) costs and answers as a
    /// wrong password does.
    pub fn change_expired_password(
        &self,
        req: &Request,
        id: Option<Uuid>,
        old: &str,
        new: &str,
    ) -> Result<()> {
        let lockout = self.settings().lockout;
        let depth = self.settings().max_role_depth;
        let found = self.read(|tx| match id.map(|id| tx.user(id)).transpose()?.flatten() {
            Some(u) => {
                let policy = self.policy_for(tx, u.org)?;
                Ok(Some((
                    super::auth::actor_for_user(tx, &u, depth)?,
                    u,
                    policy,
                )))
            }
            None => Ok(None),
        })?;
        let stored = found.as_ref().and_then(|(_, u, _)| u.password.as_ref());
        let verified = self.hashing().verify(stored, old)?;
        let t = super::model::now();
        let Some((actor, user, policy)) = found else {
            return Err(Error::InvalidCredentials);
        };
        // Only a password that binds no more is changed this way; any
        // other account answers as a wrong password does, so this is no
        // way to test guesses that a bind would not count.
        let expired = matches!(policy.age(&user, t), Age::Expired { grace_left: 0 });
        let usable = user.state == super::model::Lifecycle::Active
            && !lockout.is_locked(&user.lockout, t)
            && !user.expired(t);
        if verified.is_none() {
            self.wrong_old_password(req, &user);
            return Err(Error::InvalidCredentials);
        }
        if !usable || !expired || old.is_empty() {
            return Err(Error::InvalidCredentials);
        }
        let own = Request {
            actor,
            origin: req.origin.clone(),
        };
        let changes = super::users::UserChanges {
            password: Some(NewPassword::Plain(new.to_owned())),
            ..Default::default()
        };
        self.update_user(&own, user.id, changes).map(|_| ())
    }

    /// Where user `id`'s password stands now (what a login reports to a
    /// client that asks, as the LDAP password policy control does).
    pub fn password_age(&self, id: Uuid) -> Result<Age> {
        self.read(|tx| match tx.user(id)? {
            Some(u) => Ok(self.policy_for(tx, u.org)?.age(&u, super::model::now())),
            None => Ok(Age::Fresh),
        })
    }

    /// The password policy of `org`'s accounts (`None`: the server's).
    pub(crate) fn policy_for(
        &self,
        tx: &crate::store::Tx,
        org: Option<Uuid>,
    ) -> Result<PasswordPolicy> {
        policy_in(tx, &self.settings().password_policy, org)
    }

    /// Whether `user`'s right password has expired with no grace login
    /// left. A grace login it still has is used here (one write, counted
    /// on the record, in a transaction of its own).
    pub(super) fn out_of_grace(
        &self,
        req: &Request,
        user: &User,
        policy: &PasswordPolicy,
    ) -> Result<bool> {
        let Age::Expired { grace_left } = policy.age(user, now()) else {
            return Ok(false);
        };
        if grace_left == 0 {
            return Ok(true);
        }
        let change = Change {
            action: "password.grace-login",
            target: &user.login,
            target_id: Some(user.id),
            org: user.org,
            detail: Some(format!("{} grace login(s) left", grace_left - 1)),
        };
        self.write(req, |tx| {
            if let Some(mut u) = tx.user(user.id)? {
                u.grace_used = u.grace_used.saturating_add(1);
                u.version = self.log(tx, req, change.clone())?;
                tx.put_user(&u)?;
            }
            Ok(())
        })?;
        Ok(false)
    }

    /// Changes an organization's seat count, its password policy (what it
    /// sets differently from the server's), or both, in one transaction:
    /// the system administrator's, as the server's policy is.
    pub fn change_org(
        &self,
        req: &Request,
        name: &str,
        seats: Option<u32>,
        policy: Option<PolicyOverride>,
    ) -> Result<super::model::Organization> {
        if seats.is_none() && policy.is_none() {
            return Err(Error::invalid("give seats, passwordPolicy or both"));
        }
        if let Some(p) = &policy {
            p.check()
                .map_err(|(key, why)| Error::invalid(format!("passwordPolicy.{key} {why}")))?;
        }
        self.write(req, |tx| {
            if let Some(n) = seats {
                self.set_seats_in(tx, req, name, n)?;
            }
            // Read again as the seats left it (and answered as it stands).
            self.modify_org_in(tx, req, name, "password-policy", |org| match policy {
                Some(p) if org.password_policy != p => {
                    org.password_policy = p;
                    Some(())
                }
                _ => None,
            })
        })
    }

    /// Sets what organization `name`'s password policy sets differently
    /// from the server's (see [`Self::change_org`]).
    pub fn set_org_password_policy(
        &self,
        req: &Request,
        name: &str,
        policy: PolicyOverride,
    ) -> Result<super::model::Organization> {
        self.change_org(req, name, None, Some(policy))
    }
}
