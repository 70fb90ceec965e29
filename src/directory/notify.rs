//! Notifications to people (invitation, ready for validation, validated,
//! account locked). The one channel today is the log (target `dirgate::notify`):
//! a notice names the account and the organization, never a secret, so a
//! registration token travels only in the administrator's API answer.

use uuid::Uuid;

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
    fn kind(&self) -> &'static str {
        match self {
            Notice::Invitation { .. } => "invitation",
            Notice::ReadyForValidation { .. } => "ready-for-validation",
            Notice::Validated { .. } => "validated",
            Notice::AccountLocked { .. } => "account-locked",
        }
    }

    fn parts(&self) -> (&str, Option<Uuid>) {
        match self {
            Notice::Invitation { login, org }
            | Notice::ReadyForValidation { login, org }
            | Notice::Validated { login, org }
            | Notice::AccountLocked { login, org } => (login, *org),
        }
    }
}

/// Delivers `notice` on the configured channel (the log).
pub fn send(notice: &Notice) {
    let (login, org) = notice.parts();
    let org = org.map(|o| o.to_string()).unwrap_or_default();
    tracing::info!(target: "dirgate::notify", kind = notice.kind(), user = login, org = %org, "notification");
}
