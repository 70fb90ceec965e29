//! Admin bearer tokens: a credential for the admin API that acts as the account
//! that issued it, with that account's standing at each call (a delegate moved
//! out of its organization loses the token's powers with it). Issuing one is
//! managing one's own credential, like changing one's own password, so the policy
//! decides it through [`Action::ChangeOwnPassword`] on the owner.

use super::acl::{Action, Actor, ActorKind, Rank, Target};
use super::auth::{Issued, scope_org, system_actor};
use super::error::{Error, Result};
use super::model::{Lifecycle, Millis, Scope, Token, TokenKind, now};
use super::tokens::{TOKEN_PREFIX, parse_token};
use super::{Change, Directory, Request, password};
use uuid::Uuid;

/// The action and target that decide who may see and revoke `token`: SCIM tokens
/// belong to whoever may issue them in their scope, admin tokens to their owner.
pub(crate) fn managed_by(token: &Token) -> (Action, Target) {
    match (token.kind, token.owner) {
        (TokenKind::Admin, Some(owner)) => (
            Action::ChangeOwnPassword,
            Target::subject(None, owner, Rank::Member),
        ),
        _ => (Action::IssueToken, Target::org(scope_org(token.scope))),
    }
}

impl Directory {
    /// Issues an admin token for the requesting account, working for `lifetime`
    /// milliseconds (a session) or until revoked; the secret is in the answer
    /// only. Tokens, services and anonymous callers cannot get one.
    pub fn issue_admin_token(
        &self,
        req: &Request,
        description: Option<String>,
        lifetime: Option<Millis>,
    ) -> Result<Issued<Token>> {
        if lifetime.is_some_and(|l| l <= 0) {
            return Err(Error::invalid("a token's lifetime must be positive"));
        }
        let owner = match req.actor.kind {
            ActorKind::System | ActorKind::User(_) => req.actor.id,
            _ => None,
        };
        let id = Uuid::new_v4();
        let secret = password::random_secret(32)?;
        let full = format!("{TOKEN_PREFIX}{}_{secret}", id.simple());
        self.write(req, |tx| {
            let me = owner.unwrap_or_default();
            let target = Target::subject(None, me, Rank::Member);
            self.authorize(req, Action::ChangeOwnPassword, target)?;
            let token = Token {
                id,
                kind: TokenKind::Admin,
                scope: Scope::Server,
                description: description.clone(),
                secret_sha256: password::sha256(&secret),
                created_by: req.actor.name.clone(),
                owner,
                expires: lifetime.map(|l| now().saturating_add(l)),
                created: now(),
            };
            let change = Change {
                action: "token.issue",
                target: &id.to_string(),
                target_id: Some(id),
                org: None,
                detail: Some("kind=admin".into()),
            };
            self.log(tx, req, change)?;
            tx.put_token(&token)?;
            Ok(Issued {
                record: token,
                secret: full.clone(),
            })
        })
    }

    /// Ends a session: revokes the admin token `presented`, which must be
    /// one the caller may manage (its own).
    pub fn revoke_presented_token(&self, req: &Request, presented: &str) -> Result<()> {
        let (id, _) = parse_token(presented).ok_or(Error::InvalidCredentials)?;
        self.revoke_token(req, id)
    }

    /// The actor an admin token stands for: its owner as it is now. A token of
    /// a deleted, disabled or locked-out-of-state account is `InvalidCredentials`.
    pub fn authenticate_admin_token(&self, presented: &str) -> Result<Actor> {
        let (id, secret) = parse_token(presented).ok_or(Error::InvalidCredentials)?;
        let max_depth = self.settings().max_role_depth;
        self.read(|tx| {
            let token = tx.token(id)?.ok_or(Error::InvalidCredentials)?;
            let sound = token.kind == TokenKind::Admin
                && token.expires.is_none_or(|e| now() < e)
                && password::ct_eq(&password::sha256(secret), &token.secret_sha256);
            let owner = token
                .owner
                .filter(|_| sound)
                .ok_or(Error::InvalidCredentials)?;
            if let Some(admin) = tx.system_admin()?.filter(|a| a.id == owner) {
                return Ok(system_actor(&admin));
            }
            let user = tx
                .user(owner)?
                .filter(|u| u.state == Lifecycle::Active)
                .ok_or(Error::InvalidCredentials)?;
            super::auth::actor_for_user(tx, &user, max_depth)
        })
    }
}
