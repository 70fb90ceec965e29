//! Notifications to people (invitation, ready for validation, validated,
//! account locked). Every notice is written to the log (target
//! `dirgate::notify`) and handed to the configured [`Channel`] (a webhook, see
//! `crate::webhook`), which delivers it without blocking the caller. A notice
//! names the account and the organization, never a secret, so a registration
//! token travels only in the administrator's API answer.

use std::sync::Arc;
use uuid::Uuid;

/// Where notices go besides the log. Implementations queue and return at once.
pub trait Channel: Send + Sync {
    fn deliver(&self, notice: &Notice);
}

/// The default: the log only.
pub struct LogOnly;

impl Channel for LogOnly {
    fn deliver(&self, _: &Notice) {}
}

/// Logs `notice` and hands it to `channel`.
pub fn dispatch(channel: &Arc<dyn Channel>, notice: &Notice) {
    send(notice);
    channel.deliver(notice);
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
}

impl Notice {
    /// The notice's name in logs and webhook payloads.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Invitation { .. } => "invitation",
            Notice::ReadyForValidation { .. } => "ready-for-validation",
            Notice::Validated { .. } => "validated",
            Notice::AccountLocked { .. } => "account-locked",
        }
    }

    /// The account's login and its organization.
    pub fn parts(&self) -> (&str, Option<Uuid>) {
        match self {
            Notice::Invitation { login, org }
            | Notice::ReadyForValidation { login, org }
            | Notice::Validated { login, org }
            | Notice::AccountLocked { login, org } => (login, *org),
        }
    }
}

/// Writes `notice` to the log.
fn send(notice: &Notice) {
    let (login, org) = notice.parts();
    let org = org.map(|o| o.to_string()).unwrap_or_default();
    tracing::info!(target: "dirgate::notify", kind = notice.kind(), user = login, org = %org, "notification");
}
