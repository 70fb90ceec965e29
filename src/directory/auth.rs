//! Credentials: turning a password into an [`Actor`] and the system
//! administrator's bootstrap (bearer tokens are in `tokens`, service accounts
//! in `services`). Failures are one indistinguishable `InvalidCredentials`;
//! unknown accounts still pay for a hash check so timing does not tell them
//! apart either. argon2id work goes through the hashing pool
//! ([`super::hash_pool`]); when its queue is full a check fails with `Busy`,
//! unaudited: no password was checked.

use super::acl::{Actor, ActorKind, UserPowers};
use super::audit::Outcome;
use super::error::{Error, Result};
use super::model::{
    Lifecycle, Millis, Organization, Scope, SecretHash, ServiceAccount, SystemAdmin, User, now,
};
use super::password::policy::PasswordPolicy;
use super::password::{self, Verified};
use super::roles::grants_of;
use super::second_factor::{self, Need};
use super::view::View;
use super::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

pub use super::bootstrap::{Bootstrap, SYSTEM_ADMIN_LOGIN};
pub use super::principal::{Issued, Principal};

/// last-login is rewritten at most this often, so binds rarely become writes.
pub(super) const LAST_LOGIN_PRECISION: Millis = 15 * 60 * 1000;

/// Where [`Directory::authenticate_cheap`] left a password check.
pub enum Attempt {
    /// Checked in place: the outcome.
    Done(Result<Actor>),
    /// To be checked by the hashing pool with [`Directory::finish_check`].
    Slow(SlowCheck),
}

/// The account a slow check found, read once.
pub struct SlowCheck(Box<Found>);

/// What a login names: the principal, its account and, for a user, its
/// standing and the password policy of its organization.
struct Found {
    who: Principal,
    account: Option<Account>,
    standing: Option<Actor>,
    policy: PasswordPolicy,
    /// What the sign-in must present besides the password.
    need: Need,
}

impl Found {
    /// The password to verify and the second factor's code, as presented
    /// (a code follows the password when one is needed).
    fn presented<'p>(&self, presented: &'p str) -> (&'p str, Option<&'p str>) {
        match self.need {
            Need::Code => match second_factor::split(presented) {
                Some((password, code)) => (password, Some(code)),
                None => (presented, None),
            },
            _ => (presented, None),
        }
    }
}

/// The account a password check found.
enum Account {
    System(SystemAdmin),
    User(Box<User>),
    Service(ServiceAccount),
}

impl Account {
    fn hash(&self) -> Option<&SecretHash> {
        match self {
            Account::System(a) => Some(&a.password),
            Account::User(u) => u.password.as_ref(),
            Account::Service(s) => Some(&s.password),
        }
    }
}

/// Builds the actor for a user, resolving its standing from the store.
pub fn actor_for_user(tx: &Tx, user: &User, max_depth: usize) -> Result<Actor> {
    let org = user.org.map(|o| tx.org(o)).transpose()?.flatten();
    actor_in(tx, user, org.as_ref(), max_depth)
}

/// [`actor_for_user`] with the user's organization already read.
fn actor_in(tx: &Tx, user: &User, org: Option<&Organization>, max_depth: usize) -> Result<Actor> {
    let org_admin = org.is_some_and(|o| o.admin == Some(user.id));
    let powers = UserPowers {
        org: user.org,
        org_admin,
        delegate: user.flags.delegate && user.org.is_some(),
        grants: grants_of(tx, user.id, max_depth)?,
    };
    Ok(Actor {
        kind: ActorKind::User(powers),
        id: Some(user.id),
        name: user.login.clone(),
    })
}

pub(crate) fn system_actor(admin: &SystemAdmin) -> Actor {
    Actor {
        kind: ActorKind::System,
        id: Some(admin.id),
        name: admin.login.clone(),
    }
}

impl Directory {
    /// Checks a password and returns the actor it authenticates. Wrong password,
    /// unknown account, inactive or locked account: all `InvalidCredentials`.
    /// Every attempt is audited.
    pub fn authenticate(&self, req: &Request, who: &Principal, password: &str) -> Result<Actor> {
        let who = who.clone();
        self.authenticate_with(req, |_| Ok(who), password)
    }

    /// Like [`Self::authenticate`], with the principal resolved by `resolve` in
    /// the same read transaction that finds the account and its standing (a
    /// front end maps its own names, such as LDAP DNs, there).
    pub fn authenticate_with(
        &self,
        req: &Request,
        resolve: impl FnOnce(&View<'_>) -> Result<Principal>,
        password: &str,
    ) -> Result<Actor> {
        let found = self.find_for_login(req, resolve)?;
        self.check_password(req, found, password)
    }

    /// [`Self::authenticate_with`] for async front ends: reads the account on
    /// the blocking pool, then finishes as [`Self::finish_check`] does, so no
    /// thread waits for argon2id.
    pub async fn authenticate_async(
        &self,
        req: Request,
        resolve: impl FnOnce(&View<'_>) -> Result<Principal> + Send + 'static,
        password: String,
    ) -> Result<Actor> {
        let attempt = {
            let (req, password) = (req.clone(), password.clone());
            self.blocking(move |d| Ok(d.authenticate_cheap(&req, resolve, &password)))
                .await?
        };
        match attempt {
            Attempt::Done(outcome) => outcome,
            Attempt::Slow(slow) => self.finish_check(req, slow, password).await,
        }
    }

    /// [`Self::authenticate_with`] in two steps, for front ends that would
    /// rather not hop to another thread when the check costs no more than
    /// reading the account: the stored hash is a salted SHA-2/SHA-1 one
    /// (`{SSHA}` family, verified in about a microsecond) and no argon2id
    /// rehash is due. Then the attempt is [`Attempt::Done`]. Otherwise
    /// (argon2id checks, rehashes and unknown accounts, which pay for an
    /// argon2id check too) it is [`Attempt::Slow`], carrying what was read, and
    /// the caller finishes it with [`Self::finish_check`], without reading
    /// the account again.
    pub fn authenticate_cheap(
        &self,
        req: &Request,
        resolve: impl FnOnce(&View<'_>) -> Result<Principal>,
        password: &str,
    ) -> Attempt {
        let found = match self.find_for_login(req, resolve) {
            Ok(found) => found,
            Err(e) => return Attempt::Done(Err(e)),
        };
        let cheap = found
            .account
            .as_ref()
            .and_then(Account::hash)
            .is_some_and(password::is_cheap);
        if !cheap || self.settings().rehash_on_login {
            return Attempt::Slow(SlowCheck(Box::new(found)));
        }
        Attempt::Done(self.check_password(req, found, password))
    }

    /// Finishes an [`Attempt::Slow`]: the check waits in the hashing pool's
    /// queue as a task, not a thread (or is refused as busy at once); the
    /// audit, the lockout count and any rehash then run on the blocking pool.
    pub async fn finish_check(
        &self,
        req: Request,
        slow: SlowCheck,
        password: String,
    ) -> Result<Actor> {
        let stored = slow.0.account.as_ref().and_then(Account::hash);
        let (pw, _) = slow.0.presented(&password);
        let verified = self.hashing().verify_async(stored, pw).await?;
        self.blocking(move |d| d.conclude(&req, *slow.0, verified, &password))
            .await
    }

    /// The account a login names and its standing, in one read transaction.
    fn find_for_login(
        &self,
        req: &Request,
        resolve: impl FnOnce(&View<'_>) -> Result<Principal>,
    ) -> Result<Found> {
        let max_depth = self.settings().max_role_depth;
        self.read(|tx| {
            // Names are resolved before anyone is authenticated.
            let anonymous = Actor::anonymous();
            let who = resolve(&self.view_of(tx, &anonymous))?;
            let account = find_account(tx, &who)?;
            // The actor is cheap to build and needs the same snapshot; the
            // organization is read once for it and for the password policy.
            let server = self.settings().password_policy;
            let (standing, policy, need) = match &account {
                Some(Account::User(u)) => {
                    let org = u.org.map(|o| tx.org(o)).transpose()?.flatten();
                    let policy = org
                        .as_ref()
                        .map_or(server, |o| server.with(&o.password_policy));
                    let need = second_factor::need(u, &policy, req.origin.protocol);
                    let actor = actor_in(tx, u, org.as_ref(), max_depth)?;
                    (Some(actor), policy, need)
                }
                _ => (None, server, Need::Nothing),
            };
            Ok(Found {
                who,
                account,
                standing,
                policy,
                need,
            })
        })
    }

    /// Verifies the password against what [`Self::find_for_login`] found
    /// (an unknown account against a dummy hash, at the same cost), waiting
    /// on this thread for the hashing pool.
    fn check_password(&self, req: &Request, found: Found, password: &str) -> Result<Actor> {
        let stored = found.account.as_ref().and_then(Account::hash);
        let (pw, _) = found.presented(password);
        let verified = self.hashing().verify(stored, pw)?;
        self.conclude(req, found, verified, password)
    }

    /// Acts on a check's outcome. Wrong password or code, unknown account,
    /// inactive or locked account: all `InvalidCredentials`. Every attempt
    /// is audited. `presented` is what the client sent (with any code).
    fn conclude(
        &self,
        req: &Request,
        found: Found,
        verified: Option<Verified>,
        presented: &str,
    ) -> Result<Actor> {
        let (password, code) = found.presented(presented);
        let Found {
            who,
            account,
            standing,
            policy: password_policy,
            need,
        } = found;
        let who = &who;
        let name = principal_name(who, account.as_ref());
        let policy = self.settings().lockout;
        let usable = account
            .as_ref()
            .is_some_and(|a| can_log_in(a, &policy, now()));
        match (account, verified) {
            (Some(Account::User(u)), Some(_))
                if usable && !password.is_empty() && !self.factor_taken(req, &u, need, code)? =>
            {
                self.audit_bind(req, &name, Some(u.id), Outcome::Failure);
                // A wrong code counts toward lockout, as a wrong password
                // does: guessing six digits is bounded the same way. A
                // missing one guesses nothing.
                if code.is_some() {
                    self.count_failure(req, &u);
                }
                Err(Error::InvalidCredentials)
            }
            (Some(Account::User(u)), Some(_))
                if usable
                    && !password.is_empty()
                    && self.out_of_grace(req, &u, &password_policy)? =>
            {
                self.audit_bind(req, &name, Some(u.id), Outcome::Failure);
                Err(Error::PasswordExpired)
            }
            (Some(account), Some(verified)) if usable && !password.is_empty() => {
                self.after_success(req, account, standing, verified, password)
            }
            (account, verified) => {
                let id = account.as_ref().map(account_id);
                self.audit_bind(req, &name, id, Outcome::Failure);
                // A wrong password counts toward lockout; a right one on a
                // locked account does not (it is refused all the same).
                if let (Some(Account::User(u)), None) = (&account, verified) {
                    self.count_failure(req, u);
                }
                Err(Error::InvalidCredentials)
            }
        }
    }

    /// Rehashes an outdated hash (in its own transaction, when enabled), queues
    /// the audit event and a coarse last-login refresh, and builds the actor.
    fn after_success(
        &self,
        req: &Request,
        account: Account,
        standing: Option<Actor>,
        verified: Verified,
        password: &str,
    ) -> Result<Actor> {
        if verified == Verified::Rehash && self.settings().rehash_on_login {
            // The rehash can wait for a later login: a busy hashing pool must
            // not turn a right password into a refusal.
            match self.hashing().hash(password) {
                Ok(hash) => self.store().write(|tx| rehash(tx, &account, hash))?,
                Err(Error::Busy) => tracing::debug!("rehash skipped: the hashing pool is busy"),
                Err(e) => return Err(e),
            }
        }
        let actor = match &account {
            Account::System(admin) => system_actor(admin),
            Account::Service(svc) => service_actor(svc),
            Account::User(user) => {
                let t = now();
                if user.lockout != Default::default() {
                    self.journal().clear_failures(user.id);
                }
                if user
                    .last_login
                    .is_none_or(|l| t - l >= LAST_LOGIN_PRECISION)
                {
                    self.journal().last_login(user.id, t);
                }
                match standing {
                    Some(actor) => actor,
                    None => {
                        self.read(|tx| actor_for_user(tx, user, self.settings().max_role_depth))?
                    }
                }
            }
        };
        let change = Change {
            action: "bind",
            target: &actor.name,
            target_id: actor.id,
            org: actor_org(&actor),
            detail: None,
        };
        self.journal()
            .event(self.event(req, &change, Outcome::Success));
        Ok(actor)
    }

    fn count_failure(&self, req: &Request, user: &User) {
        let change = Change {
            action: "user.locked",
            target: &user.login,
            target_id: Some(user.id),
            org: user.org,
            detail: Some(format!(
                "{} failed password checks",
                self.settings().lockout.threshold
            )),
        };
        let locked = self.event(req, &change, Outcome::Success);
        self.journal()
            .failure(user.id, now(), self.settings().lockout, locked);
    }

    /// A wrong old password given to change a password: audited and counted
    /// toward lockout like a failed bind, so a caller allowed to change the
    /// password (an administrator resetting it) cannot test guesses at the
    /// user's current one there without limit.
    pub(super) fn wrong_old_password(&self, req: &Request, user: &User) {
        let change = Change {
            action: "password.change",
            target: &user.login,
            target_id: Some(user.id),
            org: user.org,
            detail: Some("wrong old password".into()),
        };
        self.journal()
            .event(self.event(req, &change, Outcome::Failure));
        self.count_failure(req, user);
    }

    fn audit_bind(&self, req: &Request, name: &str, id: Option<Uuid>, outcome: Outcome) {
        let change = Change {
            action: "bind",
            target: name,
            target_id: id,
            org: None,
            detail: None,
        };
        self.journal().event(self.event(req, &change, outcome));
    }
}

/// Stores a fresh hash for the account, re-reading it inside the transaction.
fn rehash(tx: &mut Tx, account: &Account, hash: SecretHash) -> Result<()> {
    match account {
        Account::System(_) => {
            if let Some(mut admin) = tx.system_admin()? {
                admin.password = hash;
                tx.put_system_admin(&admin)?;
            }
        }
        Account::User(u) => {
            if let Some(mut user) = tx.user(u.id)? {
                user.password = Some(hash);
                tx.put_user(&user)?;
            }
        }
        Account::Service(s) => {
            if let Some(mut svc) = tx.service(s.id)? {
                svc.password = hash;
                tx.put_service(&svc)?;
            }
        }
    }
    Ok(())
}

fn find_account(tx: &Tx, who: &Principal) -> Result<Option<Account>> {
    Ok(match who {
        Principal::SystemAdmin => tx.system_admin()?.map(Account::System),
        Principal::Login(login) => {
            if login.eq_ignore_ascii_case(SYSTEM_ADMIN_LOGIN) {
                tx.system_admin()?.map(Account::System)
            } else {
                tx.user_by_login(login)?.map(|u| Account::User(Box::new(u)))
            }
        }
        Principal::Email(email) => match tx.users_by_email(email)?.as_slice() {
            // An address shared by several accounts names none of them.
            [one] => tx.user(*one)?.map(|u| Account::User(Box::new(u))),
            _ => None,
        },
        Principal::Service(name) => tx.service_by_name(name)?.map(Account::Service),
        Principal::User(id) => tx.user(*id)?.map(|u| Account::User(Box::new(u))),
        // What `uid=<login>,ou=<Org>` names: a user directly in the
        // organization, not one in a unit of it (whose DN says the unit).
        Principal::UserIn { id, org } => tx
            .user(*id)?
            .filter(|u| u.org == *org && u.unit.is_none())
            .map(|u| Account::User(Box::new(u))),
    })
}

/// Only active, unlocked users whose account has not expired log in;
/// administrators and services always may.
fn can_log_in(account: &Account, lockout: &super::LockoutPolicy, at: Millis) -> bool {
    match account {
        Account::User(u) => {
            u.state == Lifecycle::Active && !lockout.is_locked(&u.lockout, at) && !u.expired(at)
        }
        Account::System(_) | Account::Service(_) => true,
    }
}

fn account_id(account: &Account) -> Uuid {
    match account {
        Account::System(a) => a.id,
        Account::User(u) => u.id,
        Account::Service(s) => s.id,
    }
}

fn principal_name(who: &Principal, account: Option<&Account>) -> String {
    match (account, who) {
        (Some(Account::User(u)), _) => u.login.clone(),
        (Some(Account::System(a)), _) => a.login.clone(),
        (Some(Account::Service(s)), _) => format!("service:{}", s.name),
        (None, Principal::Login(l) | Principal::Email(l) | Principal::Service(l)) => l.clone(),
        (None, Principal::SystemAdmin) => SYSTEM_ADMIN_LOGIN.into(),
        (None, Principal::User(id) | Principal::UserIn { id, .. }) => id.to_string(),
    }
}

fn service_actor(svc: &ServiceAccount) -> Actor {
    Actor {
        kind: ActorKind::Service { scope: svc.scope },
        id: Some(svc.id),
        name: format!("service:{}", svc.name),
    }
}

fn actor_org(actor: &Actor) -> Option<Uuid> {
    match &actor.kind {
        ActorKind::User(p) => p.org,
        ActorKind::Service { scope } | ActorKind::Token { scope } => scope_org(*scope),
        _ => None,
    }
}

pub(crate) fn scope_org(scope: Scope) -> Option<Uuid> {
    match scope {
        Scope::Server => None,
        Scope::Org(o) => Some(o),
    }
}
