//! Registration and validation: creating a provisioned user issues a
//! single-use registration token (kept as a SHA-256 hash, expiring after
//! [`REGISTRATION_TTL`]); the user presents it with a new password and becomes
//! `registered`; an administrator then validates it (`registered` → `active`)
//! after checking the person out of band. Each step sends a notice.

use super::acl::Action;
use super::auth::Issued;
use super::credentials::PasswordFor;
use super::error::{Error, Result};
use super::model::{Lifecycle, Millis, Scope, Token, TokenKind, User, now};
use super::notify::Notice;
use super::tokens::{TOKEN_PREFIX, parse_token};
use super::users::{NewPassword, NewUser};
use super::{Change, Directory, Request, password};
use crate::store::Tx;
use uuid::Uuid;

/// How long a registration token works.
pub const REGISTRATION_TTL: Millis = 7 * 24 * 60 * 60 * 1000;

impl Directory {
    /// Creates a user; a `provisioned` one also gets a registration token, in
    /// the same transaction. The token's secret is in the answer only.
    pub fn invite_user(&self, req: &Request, new: NewUser) -> Result<(User, Option<String>)> {
        let hash = self.new_account_hash(req, &new)?;
        let out = self.write(req, |tx| {
            let user = self.create_user_in(tx, req, new.clone(), hash.clone())?;
            let secret = match user.state {
                Lifecycle::Provisioned => Some(self.put_registration(tx, req, &user)?.secret),
                _ => None,
            };
            Ok((user, secret))
        })?;
        Ok(out)
    }

    /// Issues a fresh registration token for a provisioned user (a lost or
    /// expired invitation); earlier ones stop working.
    pub fn reinvite_user(&self, req: &Request, id: Uuid) -> Result<String> {
        let secret = self.write(req, |tx| {
            let user = self.user_for(tx, req, Action::ModifyUser, id)?;
            self.authorize(req, Action::ModifyUser, self.target_of(tx, &user)?)?;
            if user.state != Lifecycle::Provisioned {
                return Err(Error::conflict(format!(
                    "{} is {}; only provisioned users register",
                    user.login,
                    user.state.as_str()
                )));
            }
            Ok(self.put_registration(tx, req, &user)?.secret)
        })?;
        Ok(secret)
    }

    /// Replaces the user's registration tokens with a new one, and invites
    /// the user (the notice carries no token).
    fn put_registration(&self, tx: &mut Tx, req: &Request, user: &User) -> Result<Issued<Token>> {
        for old in tx.tokens()? {
            if old.kind == TokenKind::Registration && old.owner == Some(user.id) {
                tx.delete_token(old.id)?;
            }
        }
        let id = Uuid::new_v4();
        let secret = password::random_secret(32)?;
        let t = now();
        let token = Token {
            id,
            kind: TokenKind::Registration,
            scope: Scope::of(user.org),
            description: None,
            secret_sha256: password::sha256(&secret),
            created_by: req.actor.name.clone(),
            owner: Some(user.id),
            expires: Some(t.saturating_add(REGISTRATION_TTL)),
            created: t,
        };
        let change = Change {
            action: "user.invite",
            target: &user.login,
            target_id: Some(user.id),
            org: user.org,
            detail: None,
        };
        self.log(tx, req, change)?;
        tx.put_token(&token)?;
        let invitation = Notice::Invitation {
            login: user.login.clone(),
            org: user.org,
        };
        self.notify(tx, invitation)?;
        Ok(Issued {
            record: token,
            secret: format!("{TOKEN_PREFIX}{}_{secret}", id.simple()),
        })
    }

    /// The user sets its password with its registration token and becomes
    /// `registered`. A wrong, used or expired token is `InvalidCredentials`.
    pub fn register(&self, req: &Request, presented: &str, new_password: &str) -> Result<User> {
        if new_password.is_empty() {
            return Err(Error::invalid("the password is empty"));
        }
        let (token_id, secret) = parse_token(presented).ok_or(Error::InvalidCredentials)?;
        // Check the token before paying for argon2, so junk costs nothing;
        // its holder may set the password, which the policy then checks.
        let whose = self.read(|tx| {
            let token = sound_registration(tx, token_id, secret)?;
            let owner = token.owner.ok_or(Error::InvalidCredentials)?;
            let user = tx.user(owner)?.ok_or(Error::InvalidCredentials)?;
            Ok(PasswordFor::of(&user, 0))
        })?;
        let pw = NewPassword::Plain(new_password.to_owned());
        let hash = self.hash_checked(Some(&pw), &whose)?;
        let user = self.write(req, |tx| {
            let token = sound_registration(tx, token_id, secret)?;
            let owner = token.owner.ok_or(Error::InvalidCredentials)?;
            let mut user = tx
                .user(owner)?
                .filter(|u| u.state == Lifecycle::Provisioned)
                .ok_or(Error::InvalidCredentials)?;
            // Single use: the token goes whatever happens next in this transaction.
            tx.delete_token(token.id)?;
            let change = Change {
                action: "user.register",
                target: &user.login,
                target_id: Some(user.id),
                org: user.org,
                detail: None,
            };
            user.version = self.log(tx, req, change)?;
            user.state = Lifecycle::Registered;
            if let Some(hash) = hash.clone() {
                let keep = self.policy_for(tx, user.org)?.history;
                user.set_password(hash, keep, now());
            }
            user.modified = now();
            tx.put_user(&user)?;
            let ready = Notice::ReadyForValidation {
                login: user.login.clone(),
                org: user.org,
            };
            self.notify(tx, ready)?;
            Ok(user)
        })?;
        Ok(user)
    }

    /// An administrator validates a registered user (`registered` → `active`).
    pub fn validate_user(&self, req: &Request, id: Uuid) -> Result<User> {
        let user = self.write(req, |tx| {
            let mut user = self.user_for(tx, req, Action::ValidateUser, id)?;
            self.authorize(req, Action::ValidateUser, self.target_of(tx, &user)?)?;
            if user.state != Lifecycle::Registered {
                return Err(Error::conflict(format!(
                    "{} is {}; only registered users are validated",
                    user.login,
                    user.state.as_str()
                )));
            }
            let change = Change {
                action: "user.validate",
                target: &user.login,
                target_id: Some(id),
                org: user.org,
                detail: None,
            };
            user.version = self.log(tx, req, change)?;
            user.state = Lifecycle::Active;
            user.modified = now();
            tx.put_user(&user)?;
            let validated = Notice::Validated {
                login: user.login.clone(),
                org: user.org,
            };
            self.notify(tx, validated)?;
            Ok(user)
        })?;
        Ok(user)
    }
}

/// The registration token `id` if `secret` is its secret and it has not
/// expired; otherwise `InvalidCredentials`.
fn sound_registration(tx: &Tx, id: Uuid, secret: &str) -> Result<Token> {
    let token = tx.token(id)?.ok_or(Error::InvalidCredentials)?;
    let sound = token.kind == TokenKind::Registration
        && token.expires.is_some_and(|e| now() < e)
        && password::ct_eq(&password::sha256(secret), &token.secret_sha256);
    if sound {
        Ok(token)
    } else {
        Err(Error::InvalidCredentials)
    }
}
