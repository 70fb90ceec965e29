//! Forgotten passwords, reset with a code mailed to the account's address.
//!
//! Asking ([`Directory::ask_mailed_reset`]) names a login or a mail
//! address. Front ends answer at once, the same words whether or not an
//! account matches, and run the use case afterwards, so neither the answer
//! nor its time tells who exists. The use case is bounded twice: per
//! address typed, in memory ([`AddressLimiter`], so a stranger's junk never
//! reaches the store), and per account, in its record (so a server set
//! counts once). For a matching account, it records the request and its
//! outcome in the audit trail: a code mailed, or why not (the policy keeps
//! accounts with administrative standing out, the organization turned the
//! reset off, the account is not active or has no address, no mail relay).
//! A code is a single-use token ([`TokenKind::Reset`]) kept as a SHA-256
//! hash, working for [`CODE_TTL`]; a new one replaces the account's earlier
//! one. The code goes straight to the mail relay, never through the
//! outbox, so the store never holds it.
//!
//! Using the code ([`Directory::reset_with_code`]) sets a new password
//! through the password policy (quality and history); a refused password
//! leaves the code usable, a set one spends it.

use super::acl::Action;
use super::auth::actor_for_user;
use super::credentials::PasswordFor;
use super::error::{Error, Result};
use super::model::{Lifecycle, Millis, Scope, Token, TokenKind, User, now};
use super::tokens::{TOKEN_PREFIX, parse_token};
use super::users::NewPassword;
use super::{Change, Directory, Request, password};
use crate::store::Tx;
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

/// How long a mailed code works.
pub const CODE_TTL: Millis = 30 * 60 * 1000;
/// Requests one account may receive in an hour (each one mails a code).
pub const PER_ACCOUNT: usize = 3;
/// Requests naming one address (login or mail, ignoring case) in an hour.
pub const PER_ADDRESS: usize = 5;
const HOUR: Millis = 3600 * 1000;
/// Addresses the limiter follows at most: beyond, new ones wait for the
/// hour to free room (a flood of made-up addresses costs the flooder).
const TRACKED: usize = 10_000;
/// The longest address taken (RFC 5321's path limit).
const MAX_ADDRESS: usize = 320;

/// The per-address limit, in memory.
#[derive(Default)]
pub struct AddressLimiter {
    seen: Mutex<HashMap<String, Vec<Millis>>>,
}

impl AddressLimiter {
    /// Whether one more request for `address` may go on at `at` (counted).
    fn admit(&self, address: &str, at: Millis) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        let recent = |t: &Millis| at.saturating_sub(*t) < HOUR;
        if seen.len() >= TRACKED && !seen.contains_key(address) {
            seen.retain(|_, times| times.iter().any(recent));
            if seen.len() >= TRACKED {
                return false;
            }
        }
        let times = seen.entry(address.to_owned()).or_default();
        times.retain(recent);
        if times.len() >= PER_ADDRESS {
            return false;
        }
        times.push(at);
        true
    }
}

/// What a request for a matching account came to.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// A code (token `id`, `secret`) to mail to this address.
    Mail {
        to: String,
        id: Uuid,
        secret: String,
    },
    /// Nothing sent, and why (for the audit trail).
    Refused(&'static str),
}

impl Directory {
    /// Asks for a reset code for the account `address` names (its login,
    /// else its only mail address). Answers nothing either way: the front
    /// end has answered already. Errors are the store's.
    pub fn ask_mailed_reset(&self, req: &Request, address: &str) -> Result<()> {
        if !self.admit_reset(address) {
            return Ok(());
        }
        self.issue_for(req, address)
    }

    /// The per-address limit (and the address's length), counted.
    fn admit_reset(&self, address: &str) -> bool {
        let address = normalized(address);
        if address.is_empty() || address.len() > MAX_ADDRESS {
            return false;
        }
        let admitted = self.inner.resets.admit(&address, now());
        if !admitted {
            tracing::info!("mailed reset: too many requests for one address");
        }
        admitted
    }

    /// [`Self::ask_mailed_reset`] once the address was admitted.
    fn issue_for(&self, req: &Request, address: &str) -> Result<()> {
        let address = normalized(address);
        let at = now();
        let Some(id) = self.read(|tx| account_named(tx, &address))? else {
            return Ok(());
        };
        // An account that had its hour's requests: nothing to write.
        if self.read(|tx| Ok(tx.user(id)?.is_some_and(|u| !room_for_one_more(&u, at))))? {
            tracing::info!("mailed reset: too many requests for one account");
            return Ok(());
        }
        let outcome = self.write(req, |tx| self.issue_reset(tx, req, id))?;
        if let Some((user, Outcome::Mail { to, id, secret })) = outcome {
            self.mail_code(req, &user, &to, id, &secret)?;
        }
        Ok(())
    }

    /// [`Self::ask_mailed_reset`] on the blocking pool, after the caller
    /// has answered: what front ends call, so that nothing of the outcome,
    /// its time included, reaches the asker.
    /// The per-address limit is asked first, on the caller's thread, so a
    /// flood spawns no work beyond what the limiter admits.
    pub fn ask_mailed_reset_later(&self, req: Request, address: String) {
        if !self.admit_reset(&address) {
            return;
        }
        let dir = self.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = dir.issue_for(&req, &address) {
                tracing::warn!("mailed reset: {e}");
            }
        });
    }

    /// Counts the request on the account and, if everything allows it,
    /// issues its code; the outcome goes to the audit trail. `None`: the
    /// account had its hour's requests already (nothing is written).
    fn issue_reset(&self, tx: &mut Tx, req: &Request, id: Uuid) -> Result<Option<(User, Outcome)>> {
        let Some(mut user) = tx.user(id)? else {
            return Ok(None);
        };
        let at = now();
        // Asked again inside the write: a concurrent request may have
        // taken the last place since the read.
        if !room_for_one_more(&user, at) {
            return Ok(None);
        }
        user.resets_asked.retain(|t| at.saturating_sub(*t) < HOUR);
        user.resets_asked.push(at);
        tx.put_user(&user)?;
        let outcome = self.reset_outcome(tx, &user)?;
        let detail = match &outcome {
            Outcome::Mail { .. } => "code issued".to_owned(),
            Outcome::Refused(why) => format!("refused: {why}"),
        };
        if let Outcome::Mail { id, secret, .. } = &outcome {
            self.put_reset_token(tx, req, &user, *id, secret)?;
        }
        let change = Change {
            action: "password.reset-request",
            target: &user.login,
            target_id: Some(user.id),
            org: user.org,
            detail: Some(detail),
        };
        self.log(tx, req, change)?;
        Ok(Some((user, outcome)))
    }

    /// Whether `user` may have a code, and the code (its token's text).
    fn reset_outcome(&self, tx: &Tx, user: &User) -> Result<Outcome> {
        if let Some(why) = self.reset_refusal(tx, user)? {
            return Ok(Outcome::Refused(why));
        }
        Ok(Outcome::Mail {
            to: user.email.clone().unwrap_or_default(),
            id: Uuid::new_v4(),
            secret: password::random_secret(24)?,
        })
    }

    /// Why `user` may not reset its password by mail, or `None`.
    fn reset_refusal(&self, tx: &Tx, user: &User) -> Result<Option<&'static str>> {
        let actor = actor_for_user(tx, user, self.settings().max_role_depth)?;
        let target = self.target_of(tx, user)?;
        Ok(
            if (self.policy())
                .authorize(&actor, Action::ResetByMail, &target)
                .is_err()
            {
                Some("accounts with administrative rights are reset by an administrator")
            } else if user.state != Lifecycle::Active {
                Some("the account is not active")
            } else if !self.policy_for(tx, user.org)?.mailed_reset {
                Some("turned off for the account's organization")
            } else if !self.outbox().mails() {
                Some("no mail relay is configured ([notify] smtp_host)")
            } else if user.email.is_none() {
                Some("the account has no mail address")
            } else {
                None
            },
        )
    }

    /// Replaces the account's reset token with token `id` for `secret`.
    fn put_reset_token(
        &self,
        tx: &mut Tx,
        req: &Request,
        user: &User,
        id: Uuid,
        secret: &str,
    ) -> Result<()> {
        for old in tx.tokens()? {
            if old.kind == TokenKind::Reset && old.owner == Some(user.id) {
                tx.delete_token(old.id)?;
            }
        }
        let t = now();
        tx.put_token(&Token {
            id,
            kind: TokenKind::Reset,
            scope: Scope::of(user.org),
            description: None,
            secret_sha256: password::sha256(secret),
            created_by: req.actor.name.clone(),
            owner: Some(user.id),
            expires: Some(t.saturating_add(CODE_TTL)),
            created: t,
        })?;
        Ok(())
    }

    /// Mails the code; a failed mail spends it and is audited.
    fn mail_code(
        &self,
        req: &Request,
        user: &User,
        to: &str,
        id: Uuid,
        secret: &str,
    ) -> Result<()> {
        let code = format!("{TOKEN_PREFIX}{}_{secret}", id.simple());
        let minutes = CODE_TTL / 60_000;
        let subject = "Reset your directory password";
        let body = format!(
            "Someone (we hope you) asked to reset the password of {login}.\n\n\
             Your code, which works once within {minutes} minutes:\n\n{code}\n\n\
             Enter it on the console's \"Forgot your password?\" page, or run\n\
             dirgate password reset with it. If you did not ask, ignore this mail:\n\
             your password stays as it is.\n",
            login = user.login
        );
        let Err(why) = self.outbox().mail_now(to, subject, &body) else {
            return Ok(());
        };
        tracing::warn!(login = %user.login, "mailed reset: the mail was not sent: {why}");
        self.write(req, |tx| {
            tx.delete_token(id)?;
            let change = Change {
                action: "password.reset-request",
                target: &user.login,
                target_id: Some(user.id),
                org: user.org,
                detail: Some(format!("the mail was not sent: {why}")),
            };
            self.log(tx, req, change)?;
            Ok(())
        })
    }

    /// Sets the password of the account `code` was mailed to. A wrong,
    /// used or expired code, or an account that may no longer reset by
    /// mail, is `InvalidCredentials`; a password the policy refuses is
    /// `WeakPassword`, and the code still works.
    pub fn reset_with_code(&self, req: &Request, code: &str, new_password: &str) -> Result<User> {
        let (id, secret) = parse_token(code).ok_or(Error::InvalidCredentials)?;
        // The code first, before paying for argon2: junk costs nothing.
        let whose = self.read(|tx| {
            let user = self.reset_account(tx, id, secret)?;
            let keep = self.policy_for(tx, user.org)?.history;
            Ok(PasswordFor::of(&user, keep))
        })?;
        let pw = NewPassword::Plain(new_password.to_owned());
        let hash = self
            .hash_checked(Some(&pw), &whose)?
            .ok_or_else(|| Error::invalid("the password is empty"))?;
        self.write(req, |tx| {
            let mut user = self.reset_account(tx, id, secret)?;
            // Single use: the token goes with the change.
            tx.delete_token(id)?;
            let keep = self.policy_for(tx, user.org)?.history;
            user.set_password(hash.clone(), keep, now());
            let change = Change {
                action: "password.reset",
                target: &user.login,
                target_id: Some(user.id),
                org: user.org,
                detail: Some("with a mailed code".into()),
            };
            user.version = self.log(tx, req, change)?;
            user.modified = now();
            tx.put_user(&user)?;
            Ok(user)
        })
    }

    /// The account a sound code is for, if it may still reset by mail.
    fn reset_account(&self, tx: &Tx, id: Uuid, secret: &str) -> Result<User> {
        let token = tx.token(id)?.ok_or(Error::InvalidCredentials)?;
        let sound = token.kind == TokenKind::Reset
            && token.expires.is_some_and(|e| now() < e)
            && password::ct_eq(&password::sha256(secret), &token.secret_sha256);
        let user = match token.owner {
            Some(owner) if sound => tx.user(owner)?.ok_or(Error::InvalidCredentials)?,
            _ => return Err(Error::InvalidCredentials),
        };
        // What allowed the code must still hold (standing, state, switch).
        match self.reset_refusal(tx, &user)? {
            None => Ok(user),
            Some(_) => Err(Error::InvalidCredentials),
        }
    }
}

/// How addresses are compared: trimmed, in lower case.
fn normalized(address: &str) -> String {
    address.trim().to_lowercase()
}

/// Whether `user` may be asked for once more in the hour before `at`.
fn room_for_one_more(user: &User, at: Millis) -> bool {
    let recent = user.resets_asked.iter();
    recent.filter(|t| at.saturating_sub(**t) < HOUR).count() < PER_ACCOUNT
}

/// The account a request names: its login, else the one account with
/// that mail address (several: none, as nobody can tell which is meant).
fn account_named(tx: &Tx, address: &str) -> Result<Option<Uuid>> {
    if let Some(u) = tx.user_by_login(address)? {
        return Ok(Some(u.id));
    }
    Ok(match tx.users_by_email(address)?.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_limited_per_hour_and_freed_after() {
        let l = AddressLimiter::default();
        for _ in 0..PER_ADDRESS {
            assert!(l.admit("ann@example.com", 1000));
        }
        assert!(!l.admit("ann@example.com", 2000));
        assert!(l.admit("bo@example.com", 2000));
        assert!(l.admit("ann@example.com", 1000 + HOUR));
    }
}
