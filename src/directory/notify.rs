//! Notifications to people (invitation, ready for validation, validated,
//! account locked, bulk update completed). Every notice is written to the log (target
//! `dirgate::notify`) and handed to the configured [`Channel`]s (a webhook,
//! `crate::webhook`; mail, `crate::smtp`), which deliver it without blocking the
//! caller, with its recipients' addresses resolved here: the user for an
//! invitation or validation, the organization's administrators for "ready for
//! validation" and "account locked", and the importing actor plus the
//! organization's administrators for "bulk update completed". A notice names the account and the
//! organization, never a secret, so a registration token travels only in the
//! administrator's API answer.

use crate::store::{Store, Tx};
use std::sync::Arc;
use uuid::Uuid;

/// Where notices go besides the log. Implementations queue and return at once.
pub trait Channel: Send + Sync {
    /// `to`: the recipients' email addresses (may be empty).
    fn deliver(&self, notice: &Notice, to: &[String]);
}

/// The default: the log only.
pub struct LogOnly;

impl Channel for LogOnly {
    fn deliver(&self, _: &Notice, _: &[String]) {}
}

/// Several channels at once.
pub struct Fanout(pub Vec<Arc<dyn Channel>>);

impl Channel for Fanout {
    fn deliver(&self, notice: &Notice, to: &[String]) {
        for c in &self.0 {
            c.deliver(notice, to);
        }
    }
}

/// Logs `notice` and hands it, with its recipients, to `channel`.
pub fn dispatch(channel: &Arc<dyn Channel>, store: &Store, notice: &Notice) {
    send(notice);
    let to =
        store
            .read(|tx| recipients(tx, notice))
            .unwrap_or_else(|e: crate::store::StoreError| {
                tracing::error!(error = %e, "cannot resolve notification recipients");
                Vec::new()
            });
    channel.deliver(notice, &to);
}

/// The email addresses a notice is for.
fn recipients(tx: &Tx, notice: &Notice) -> crate::store::StoreResult<Vec<String>> {
    let (login, org) = notice.parts();
    let mut to = Vec::new();
    match notice {
        Notice::Invitation { .. } | Notice::Validated { .. } => {
            if let Some(email) = tx.user_by_login(login)?.and_then(|u| u.email) {
                to.push(email);
            }
        }
        Notice::ReadyForValidation { .. } | Notice::AccountLocked { .. } => {
            administrators(tx, org, &mut to)?;
        }
        Notice::ImportCompleted { .. } => {
            // The actor's own address when it is a person's account (the
            // system administrator has none), then the organization's
            // administrators, each address once.
            if let Some(email) = tx.user_by_login(login)?.and_then(|u| u.email) {
                to.push(email);
            }
            administrators(tx, org, &mut to)?;
            let mut seen = std::collections::HashSet::new();
            to.retain(|e| seen.insert(e.to_ascii_lowercase()));
        }
    }
    Ok(to)
}

/// Adds the addresses of `org`'s Organization Administrator and delegates.
fn administrators(
    tx: &Tx,
    org: Option<Uuid>,
    to: &mut Vec<String>,
) -> crate::store::StoreResult<()> {
    let Some(org) = org.and_then(|o| tx.org(o).ok().flatten()) else {
        return Ok(());
    };
    for id in tx.users_in(Some(org.id))? {
        if let Some(u) = tx.user(id)?
            && (org.admin == Some(u.id) || u.flags.delegate)
            && let Some(email) = u.email
        {
            to.push(email);
        }
    }
    Ok(())
}

/// What happened that someone should hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A new user was created and may register (with the token its
    /// administrator received).
    Invitation { login: String, org: Option<Uuid> },
    /// A user registered; the organization's administrators should validate it.
    ReadyForValidation { login: String, org: Option<Uuid> },
    /// An administrator validated the user: it may log in.
    Validated { login: String, org: Option<Uuid> },
    /// Failed password checks locked the account; its administrators may unlock it.
    AccountLocked { login: String, org: Option<Uuid> },
    /// A bulk import was confirmed and applied. `login` is the actor who
    /// confirmed it; `org` the one organization the file touched (`None`:
    /// several, or none); `summary` names the import and its counts.
    ImportCompleted {
        login: String,
        org: Option<Uuid>,
        summary: String,
    },
}

impl Notice {
    /// The notice's name in logs and webhook payloads.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Invitation { .. } => "invitation",
            Notice::ReadyForValidation { .. } => "ready-for-validation",
            Notice::Validated { .. } => "validated",
            Notice::AccountLocked { .. } => "account-locked",
            Notice::ImportCompleted { .. } => "bulk-update-completed",
        }
    }

    /// The account's login and its organization.
    pub fn parts(&self) -> (&str, Option<Uuid>) {
        match self {
            Notice::Invitation { login, org }
            | Notice::ReadyForValidation { login, org }
            | Notice::Validated { login, org }
            | Notice::AccountLocked { login, org }
            | Notice::ImportCompleted { login, org, .. } => (login, *org),
        }
    }

    /// What happened, beyond the account and the organization (counts of an
    /// import); never a secret.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Notice::ImportCompleted { summary, .. } => Some(summary),
            _ => None,
        }
    }
}

/// Writes `notice` to the log.
fn send(notice: &Notice) {
    let (login, org) = notice.parts();
    let org = org.map(|o| o.to_string()).unwrap_or_default();
    tracing::info!(target: "dirgate::notify", kind = notice.kind(), user = login, org = %org, "notification");
}
