//! Who hears of a notice (invitation, ready for validation, validated,
//! account locked, bulk update completed), and its log line (target
//! `dirgate::notify`). Recipients' addresses are resolved here, in the
//! transaction that writes the notice to the outbox (`super::outbox`): the user for an
//! invitation or validation, the organization's administrators for "ready for
//! validation" and "account locked", and the importing actor plus the
//! organization's administrators for "bulk update completed". A notice names the account and the
//! organization, never a secret, so a registration token travels only in the
//! administrator's API answer.

pub use super::notice::Notice;
use crate::store::Tx;
use uuid::Uuid;

/// The email addresses a notice is for.
pub(super) fn recipients(tx: &Tx, notice: &Notice) -> crate::store::StoreResult<Vec<String>> {
    let (login, org) = notice.parts();
    let mut to = Vec::new();
    match notice {
        Notice::Invitation { .. } | Notice::Validated { .. } | Notice::RequestDecided { .. } => {
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
        }
        Notice::AccessRequested { app, .. } => {
            // The approvers the organization named for the application;
            // without any, its administrators (who always may decide).
            let named = org.map_or(Ok(Vec::new()), |o| super::apps::approver_ids(tx, *app, o))?;
            for id in &named {
                if let Some(email) = tx.user(*id)?.and_then(|u| u.email) {
                    to.push(email);
                }
            }
            if named.is_empty() {
                administrators(tx, org, &mut to)?;
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    to.retain(|e| seen.insert(e.to_ascii_lowercase()));
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

/// Writes `notice` to the log (the `log` channel's delivery).
pub(super) fn log(notice: &Notice) {
    let (login, org) = notice.parts();
    let org = org.map(|o| o.to_string()).unwrap_or_default();
    tracing::info!(target: "dirgate::notify", kind = notice.kind(), user = login, org = %org, "notification");
}
