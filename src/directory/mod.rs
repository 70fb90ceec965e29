//! The core: the directory's model, its rules and its one access policy, as use
//! cases that front ends (LDAP, SCIM, the admin API, the importer) call with an
//! [`Actor`](acl::Actor) they built from a credential. Imports no protocol crate
//! and no redb: persistence goes through [`crate::store`], whose transactions make
//! each use case all or nothing.
//!
//! - `model`: the records; `names`, `email`: syntax rules; `acl`: the policy;
//! - `password`: hashing and secrets; `hash_pool`: the bounded threads every
//!   argon2id computation runs on; `audit`: events;
//! - `orgs`, `users`, `roles`, `admins`, `auth`, `admin_tokens`: the use cases,
//!   one file each (users span three: `users` creates and reads,
//!   `user_updates` changes attributes, `accounts` moves, deletes, unlocks and
//!   sets passwords); `queries`: administrators' lists and the audit query;
//!   `registration`: invitation, registration, validation; `notify`: notices;
//!   `reports`: reports from the store and the audit trail; `services`: service
//!   accounts; `tokens`: bearer tokens; `units`: organizational units inside
//!   organizations; `exports`: what an LDIF export may hold, and its audit;
//!   `identity`: the ids and times a load keeps; `offers`: the account
//!   actions a front end may offer an actor (the console's buttons).
//! - `imports`: bulk import planning and applying (one transaction per file).
//! - `schema`: the attribute types and object classes (OIDs, syntaxes,
//!   matching rules, single or multi-valued, which classes allow what),
//!   copied from OpenLDAP's schemas plus dirgate's own; LDAP serves it and
//!   checks every write against it.
//! - `profile`: descriptive user attributes; `attributes`: the columns the
//!   other front ends add to the schema's rows: the SCIM name, profile
//!   field and import column of each text SCIM and LDAP share; `kept`:
//!   attributes kept as written; `posix`, `certificates`: the kept values SCIM writes field by
//!   field (POSIX identity, X.509 certificates); `scim_view`: the reads and
//!   all-or-nothing role writes the SCIM front end needs.

pub mod accounts;
pub mod acl;
pub mod admin_tokens;
pub mod admins;
pub mod app_records;
pub mod apps;
pub mod attributes;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod bootstrap;
pub mod certificates;
pub mod credentials;
pub mod email;
pub mod error;
pub mod exports;
pub mod flags;
pub mod hash_pool;
pub mod identity;
pub mod imports;
pub mod journal;
pub mod kept;
pub mod known;
pub mod mailed_reset;
pub mod members;
pub mod model;
pub mod names;
pub mod notice;
pub mod notices;
pub mod notify;
pub mod offers;
pub mod orgs;
pub mod outbox;
pub mod password;
pub mod peers;
pub mod posix;
pub mod principal;
pub mod profile;
pub mod queries;
pub mod registration;
pub mod reports;
pub mod roles;
pub mod schema;
pub mod scim_view;
pub mod second_factor;
pub mod services;
pub mod tokens;
pub mod units;
pub mod user_updates;
pub mod users;
pub mod view;

use crate::store::{Store, Tx};
use acl::{Action, Actor, Policy, Target};
use audit::{Event, Origin, Outcome};
pub use error::{Error, Result};
use model::now;
use std::sync::Arc;
use uuid::Uuid;

/// Settings the core reads, validated from the configuration at start-up.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Logins must be `name@suffix` with an existing suffix (else bare names pass).
    pub require_suffix: bool,
    pub hash: password::HashParams,
    /// How deep roles may nest inside roles.
    pub max_role_depth: usize,
    /// Replace imported or outdated hashes with argon2id at the next login.
    pub rehash_on_login: bool,
    pub lockout: LockoutPolicy,
    pub policy: Policy,
    /// What users may change on their own account (besides the password).
    pub self_service: Vec<users::ProfileField>,
    /// Days the audit trail keeps events; 0 keeps them forever.
    pub audit_retention_days: u32,
    /// What POSIX accounts show when nobody wrote the value.
    pub posix: PosixDefaults,
    /// Threads that compute argon2id (each holds the memory cost while it runs).
    pub hash_workers: usize,
    /// argon2id jobs that may wait for a thread; past it, checks answer busy.
    pub hash_queue: usize,
    /// How long an access request waits for a decision before it expires.
    pub request_ttl: model::Millis,
    /// What passwords must be, and how long they last.
    pub password_policy: password::policy::PasswordPolicy,
}

/// The `[posix]` defaults: shown for a POSIX account that has no value of
/// its own, never stored (changing them changes every such account).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PosixDefaults {
    /// `homeDirectory`, with `{login}` replaced by the user's login.
    pub home_directory: String,
    /// `loginShell`; `None` shows none.
    pub login_shell: Option<String>,
    /// Whether LDAP shows a posixGroup of its own for each posixAccount user
    /// whose gidNumber is its uidNumber (`ldap::tree::private_groups`).
    pub private_groups: bool,
}

impl Default for PosixDefaults {
    fn default() -> Self {
        PosixDefaults {
            home_directory: "/home/{login}".to_owned(),
            login_shell: Some("/bin/bash".to_owned()),
            private_groups: false,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            require_suffix: true,
            hash: password::HashParams::default(),
            max_role_depth: 16,
            rehash_on_login: true,
            lockout: LockoutPolicy::default(),
            policy: Policy::default(),
            self_service: users::ProfileField::DEFAULT_SELF_SERVICE.to_vec(),
            audit_retention_days: 365,
            posix: PosixDefaults::default(),
            hash_workers: hash_pool::default_workers(),
            hash_queue: hash_pool::DEFAULT_QUEUE,
            request_ttl: 14 * 24 * 3600 * 1000,
            password_policy: password::policy::PasswordPolicy::default(),
        }
    }
}

/// When failed password checks lock an account (OpenLDAP ppolicy's
/// pwdMaxFailure, pwdFailureCountInterval and pwdLockoutDuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures that lock the account; 0 turns lockout off.
    pub threshold: u32,
    /// Only failures this recent count.
    pub window: model::Millis,
    /// How long a lock lasts; 0 = until an administrator unlocks it.
    pub duration: model::Millis,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            threshold: 5,
            window: 5 * 60 * 1000,
            duration: 15 * 60 * 1000,
        }
    }
}

impl LockoutPolicy {
    /// Whether `lockout` keeps the account locked at `now`.
    pub fn is_locked(&self, lockout: &model::Lockout, now: model::Millis) -> bool {
        match lockout.locked_at {
            None => false,
            Some(_) if self.duration == 0 => true,
            Some(at) => now < at.saturating_add(self.duration),
        }
    }

    /// Records a failure at `now`: drops failures outside the window and locks
    /// when the threshold is reached. Returns true when this failure locked it.
    pub fn record_failure(&self, lockout: &mut model::Lockout, now: model::Millis) -> bool {
        if self.threshold == 0 {
            return false;
        }
        if lockout.locked_at.is_some() && !self.is_locked(lockout, now) {
            // An expired lock starts a fresh count.
            *lockout = model::Lockout::default();
        }
        lockout
            .failures
            .retain(|t| now.saturating_sub(*t) < self.window);
        lockout.failures.push(now);
        let reached = lockout.failures.len() >= self.threshold as usize;
        if reached && lockout.locked_at.is_none() {
            lockout.locked_at = Some(now);
            return true;
        }
        false
    }
}

/// Who asks, and through which door: every use case takes one.
#[derive(Clone, Debug)]
pub struct Request {
    pub actor: Actor,
    pub origin: Origin,
}

impl Request {
    /// dirgate acting on its own behalf (bootstrap, tests).
    pub fn internal() -> Request {
        Request {
            actor: Actor::internal(),
            origin: Origin::internal(),
        }
    }
}

/// The directory service: the store plus the rules. Cheap to clone.
#[derive(Clone)]
pub struct Directory {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    settings: Settings,
    journal: journal::Journal,
    hashing: hash_pool::HashPool,
    outbox: Arc<outbox::Outbox>,
    /// Declared after `journal`, whose thread may still enqueue: the
    /// delivery threads stop when this drops.
    _delivery: outbox::Workers,
    /// In a server set, the SHA-256 of the secret its nodes present.
    peer_secret: std::sync::OnceLock<Vec<u8>>,
    /// Mailed reset requests per address (see `mailed_reset`).
    resets: mailed_reset::AddressLimiter,
}

/// What a change log entry says about one change; [`Directory::write`] turns it
/// into an [`Event`] with the request's actor and origin.
#[derive(Clone)]
pub(crate) struct Change<'a> {
    pub action: &'static str,
    pub target: &'a str,
    pub target_id: Option<Uuid>,
    pub org: Option<Uuid>,
    pub detail: Option<String>,
}

impl Directory {
    /// The directory over `store`, notices going to the log only; starts the
    /// journal writer, the password-hashing and the notice delivery threads.
    pub fn new(store: Store, settings: Settings) -> Result<Directory> {
        let outbox = outbox::Outbox::new(Vec::new(), outbox::OutboxPolicy::default());
        Directory::with_outbox(store, settings, outbox)
    }

    /// Like [`Self::new`], with notices going through `outbox`'s channels.
    pub fn with_outbox(
        store: Store,
        settings: Settings,
        outbox: outbox::Outbox,
    ) -> Result<Directory> {
        let outbox = Arc::new(outbox);
        let retention = (settings.audit_retention_days > 0)
            .then(|| model::Millis::from(settings.audit_retention_days) * 24 * 3600 * 1000);
        let journal = journal::Journal::start(store.clone(), retention, outbox.clone())
            .map_err(|e| Error::Internal(format!("cannot start the journal thread: {e}")))?;
        let hashing =
            hash_pool::HashPool::start(settings.hash, settings.hash_workers, settings.hash_queue)
                .map_err(|e| {
                Error::Internal(format!("cannot start the password-hashing threads: {e}"))
            })?;
        let delivery = outbox::Workers::start(&store, outbox.clone()).map_err(|e| {
            Error::Internal(format!("cannot start the notice delivery threads: {e}"))
        })?;
        Ok(Directory {
            inner: Arc::new(Inner {
                store,
                settings,
                journal,
                hashing,
                _delivery: delivery,
                outbox,
                peer_secret: std::sync::OnceLock::new(),
                resets: Default::default(),
            }),
        })
    }

    /// Writes `notice` to the outbox in the caller's transaction: it is
    /// delivered once that transaction commits, and never if it does not.
    pub(crate) fn notify(&self, tx: &mut Tx, notice: notify::Notice) -> Result<()> {
        Ok(self.inner.outbox.enqueue(tx, notice)?)
    }

    /// The outbox (its channels and counts).
    pub fn outbox(&self) -> &outbox::Outbox {
        &self.inner.outbox
    }

    /// The background writer for bind audit events and last-login times.
    pub fn journal(&self) -> &journal::Journal {
        &self.inner.journal
    }

    /// Waits until every queued audit event is committed (tests, shutdown).
    pub fn flush_journal(&self) {
        self.inner.journal.flush();
    }

    /// Whether requests wait for the server set's head before they are
    /// served (`cluster.consistent_reads`); front ends then call
    /// [`Self::await_head`] first.
    pub fn waits_for_head(&self) -> bool {
        self.inner.store.waits_for_head()
    }

    /// Waits until this node holds every write acknowledged anywhere in its
    /// server set before now (unavailable if it cannot get there in time).
    pub fn await_head(&self) -> Result<()> {
        Ok(self.inner.store.await_head()?)
    }

    /// Where argon2id runs: every password hash and slow check goes here.
    pub fn hashing(&self) -> &hash_pool::HashPool {
        &self.inner.hashing
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn policy(&self) -> &Policy {
        &self.inner.settings.policy
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Runs a use case on the blocking thread pool, off the async workers
    /// (redb is synchronous and may take milliseconds). A use case that hashes
    /// a password waits there for the hashing pool, which does the work.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Directory) -> Result<T> + Send + 'static,
    {
        let dir = self.clone();
        tokio::task::spawn_blocking(move || f(&dir))
            .await
            .map_err(|e| Error::Internal(format!("background task: {e}")))?
    }

    /// Asks the policy; a refusal is written to the audit trail by [`Self::write`].
    pub(crate) fn authorize(&self, req: &Request, action: Action, target: Target) -> Result<()> {
        Ok(self
            .inner
            .settings
            .policy
            .authorize(&req.actor, action, &target)?)
    }

    /// Refuses `action` on a target the actor may not even read, before a
    /// front end works a change out against the stored record (LDAP modify
    /// applies its value operations to the stored attributes): otherwise
    /// "no such value" or "value exists" would answer questions about a record
    /// out of the actor's reach. The refusal names `action`, what was tried;
    /// a target the actor may not know of is `what` not found.
    pub(crate) fn authorize_visible(
        &self,
        req: &Request,
        action: Action,
        target: Target,
        what: impl FnOnce() -> String,
    ) -> Result<()> {
        self.known(req, action, target, what)?;
        if self.authorize(req, Action::Read, target).is_err() {
            self.authorize(req, action, target)?;
            return self.authorize(req, Action::Read, target);
        }
        Ok(())
    }

    /// Runs a use case in one write transaction. A refusal by the policy aborts it
    /// and is then audited in a transaction of its own, so refusals leave a trace
    /// but never a partial change.
    pub(crate) fn write<T>(&self, req: &Request, f: impl FnMut(&mut Tx) -> Result<T>) -> Result<T> {
        let out = self.inner.store.write_again(f);
        self.inner.outbox.committed();
        self.audit_refusal(req, &out);
        out
    }

    /// Like [`Self::write`] for a use case that may share its transaction
    /// with concurrent ones ([`Store::write_shared`]): `f` may run more than
    /// once, on another thread, and must change nothing outside `tx`.
    pub(crate) fn write_shared<T: Send + 'static>(
        &self,
        req: &Request,
        f: impl FnMut(&mut Tx) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let out = self.inner.store.write_shared(f);
        self.audit_refusal(req, &out);
        out
    }

    /// Writes a policy refusal to the audit trail in a transaction of its own.
    pub(crate) fn audit_refusal<T>(&self, req: &Request, out: &Result<T>) {
        let denied = match out {
            Err(Error::Denied(denied)) => denied,
            Err(Error::Hidden { denied, .. }) => &**denied,
            _ => return,
        };
        {
            let detail = format!("{:?} refused", denied.action);
            let change = Change {
                action: "denied",
                target: "",
                target_id: denied.target.subject,
                org: denied.target.org,
                detail: Some(detail),
            };
            let event = self.event(req, &change, Outcome::Denied);
            if let Err(e) = self.inner.store.write(|tx| tx.log(event)) {
                tracing::error!(error = %e, "could not audit a refusal");
            }
        }
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.inner.store.read(f)
    }

    /// Builds the audit event for a change made on behalf of `req`.
    pub(crate) fn event(&self, req: &Request, c: &Change<'_>, outcome: Outcome) -> Event {
        Event {
            seq: 0,
            time: now(),
            actor: req.actor.name.clone(),
            actor_id: req.actor.id,
            action: c.action.to_owned(),
            target: c.target.to_owned(),
            target_id: c.target_id,
            org: c.org,
            protocol: req.origin.protocol,
            source: req.origin.source.clone(),
            outcome,
            detail: c.detail.clone(),
        }
    }

    /// Appends a successful change to the log and returns its sequence number,
    /// which becomes the changed record's version.
    pub(crate) fn log(&self, tx: &mut Tx, req: &Request, c: Change<'_>) -> Result<u64> {
        Ok(tx.log(self.event(req, &c, Outcome::Success))?)
    }
}
