//! Notices and the outbox's records: plain data with serde derives, so the
//! store can keep them and the core can decide what they mean. A notice names
//! an account and an organization, never a secret. An [`OutboxEntry`] is one
//! notice on its way through one channel (mail, webhook, the log): written in
//! the transaction of the change that caused it, then moved to `sent` or
//! `failed` by that channel's delivery thread (`super::outbox`). Imports no
//! protocol crate and no redb.

use super::model::Millis;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What happened that someone should hear about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// A user (`login`) asked for access to an application; its
    /// organization's approvers should decide.
    AccessRequested {
        login: String,
        org: Option<Uuid>,
        app: Uuid,
        app_name: String,
    },
    /// A request of `login` left pending: `outcome` is approved, rejected
    /// or expired.
    RequestDecided {
        login: String,
        org: Option<Uuid>,
        app_name: String,
        outcome: String,
    },
}

impl Notice {
    /// The notice's name in logs, webhook payloads and the admin API.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Invitation { .. } => "invitation",
            Notice::ReadyForValidation { .. } => "ready-for-validation",
            Notice::Validated { .. } => "validated",
            Notice::AccountLocked { .. } => "account-locked",
            Notice::ImportCompleted { .. } => "bulk-update-completed",
            Notice::AccessRequested { .. } => "access-requested",
            Notice::RequestDecided { .. } => "request-decided",
        }
    }

    /// The account's login and its organization.
    pub fn parts(&self) -> (&str, Option<Uuid>) {
        match self {
            Notice::Invitation { login, org }
            | Notice::ReadyForValidation { login, org }
            | Notice::Validated { login, org }
            | Notice::AccountLocked { login, org }
            | Notice::ImportCompleted { login, org, .. }
            | Notice::AccessRequested { login, org, .. }
            | Notice::RequestDecided { login, org, .. } => (login, *org),
        }
    }

    /// What happened, beyond the account and the organization (counts of an
    /// import); never a secret.
    pub fn detail(&self) -> Option<String> {
        match self {
            Notice::ImportCompleted { summary, .. } => Some(summary.clone()),
            Notice::AccessRequested { app_name, .. } => Some(format!("application {app_name}")),
            Notice::RequestDecided {
                app_name, outcome, ..
            } => Some(format!("application {app_name}: {outcome}")),
            _ => None,
        }
    }
}

/// Where an outbox entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Not delivered yet; tried again at `next_attempt`.
    Pending,
    /// The channel took it.
    Sent,
    /// Given up: expired, or out of attempts.
    Failed,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Pending => "pending",
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Delivery> {
        [Delivery::Pending, Delivery::Sent, Delivery::Failed]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// One notice to deliver through one channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Position in the outbox, given by the store; also the idempotency key
    /// a webhook receiver sees.
    pub id: u64,
    /// The channel's name (`mail`, `webhook`, `log`).
    pub channel: String,
    pub notice: Notice,
    /// The recipients' addresses, resolved when the notice was written (mail).
    pub to: Vec<String>,
    pub created: Millis,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// When a pending entry is tried next.
    pub next_attempt: Millis,
    pub state: Delivery,
    /// Why the last attempt failed (a relay's answer, a status; never a secret).
    pub last_error: Option<String>,
    /// When it was sent or given up.
    pub done: Option<Millis>,
    /// In a server set, the node that wrote it: the one that delivers it
    /// (every node holds every entry; `None` on a single node).
    #[serde(default)]
    pub origin: Option<String>,
}
