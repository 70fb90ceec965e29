//! Bearer tokens: issuing (the secret answered once, only its SHA-256 kept),
//! revoking, listing what the actor may manage, and turning a presented SCIM
//! token back into its [`Actor`], compared in constant time.

use super::acl::{Action, Actor, ActorKind, Target};
use super::auth::{Issued, scope_org};
use super::error::{Error, Result};
use super::model::{Scope, Token, TokenKind, now};
use super::{Change, Directory, Request, password};
use uuid::Uuid;

/// Token secrets look like `dgt_<id>_<secret>` so the id finds the record and the
/// secret is compared against its hash.
pub(crate) const TOKEN_PREFIX: &str = "dgt_";
/// Longest secret a token's text may carry: issued ones have 43 characters
/// (32 random bytes in base64).
const MAX_SECRET: usize = 64;

impl Directory {
    /// Issues a bearer token for `scope`; the secret is in the answer only.
    pub fn issue_token(
        &self,
        req: &Request,
        kind: TokenKind,
        scope: Scope,
        description: Option<String>,
    ) -> Result<Issued<Token>> {
        if kind == TokenKind::Admin {
            return self.issue_admin_token(req, description, None);
        }
        let id = Uuid::new_v4();
        let secret = password::random_secret(32)?;
        let full = format!("{TOKEN_PREFIX}{}_{secret}", id.simple());
        self.write(req, |tx| {
            let org = scope_org(scope);
            self.authorize(req, Action::IssueToken, Target::org(org))?;
            let token = Token {
                id,
                kind,
                scope,
                description: description.clone(),
                secret_sha256: password::sha256(&secret),
                created_by: req.actor.name.clone(),
                owner: None,
                expires: None,
                created: now(),
            };
            let change = Change {
                action: "token.issue",
                target: &id.to_string(),
                target_id: Some(id),
                org,
                detail: None,
            };
            self.log(tx, req, change)?;
            tx.put_token(&token)?;
            Ok(Issued {
                record: token,
                secret: full.clone(),
            })
        })
    }

    /// Revokes a token: it stops working at once.
    pub fn revoke_token(&self, req: &Request, id: Uuid) -> Result<()> {
        self.write(req, |tx| {
            let token = tx
                .token(id)?
                .ok_or_else(|| Error::not_found(format!("token {id}")))?;
            let (action, target) = super::admin_tokens::managed_by(&token);
            self.known(req, action, target, || format!("token {id}"))?;
            self.authorize(req, action, target)?;
            let change = Change {
                action: "token.revoke",
                target: &id.to_string(),
                target_id: Some(id),
                org: scope_org(token.scope),
                detail: None,
            };
            self.log(tx, req, change)?;
            tx.delete_token(id)?;
            Ok(())
        })
    }

    /// The tokens the actor may manage.
    pub fn list_tokens(&self, req: &Request) -> Result<Vec<Token>> {
        let mut all = self.read(|tx| Ok(tx.tokens()?))?;
        all.retain(|t| {
            // A person's own single-use codes are nobody's to manage.
            if matches!(t.kind, TokenKind::Registration | TokenKind::Reset) {
                return false;
            }
            let (action, target) = super::admin_tokens::managed_by(t);
            self.policy().authorize(&req.actor, action, &target).is_ok()
        });
        all.sort_by_key(|t| t.created);
        Ok(all)
    }

    /// The actor a bearer token stands for, or `InvalidCredentials`.
    pub fn authenticate_token(&self, presented: &str) -> Result<Actor> {
        let (id, secret) = parse_token(presented).ok_or(Error::InvalidCredentials)?;
        // Front ends check tokens on their async workers: a secret no token
        // can have is refused before it is hashed, so its size bounds no work.
        if secret.len() > MAX_SECRET {
            return Err(Error::InvalidCredentials);
        }
        let token = self
            .read(|tx| Ok(tx.token(id)?))?
            .ok_or(Error::InvalidCredentials)?;
        // An admin token is no SCIM credential (it acts as a person).
        if token.kind != TokenKind::Scim
            || !password::ct_eq(&password::sha256(secret), &token.secret_sha256)
        {
            return Err(Error::InvalidCredentials);
        }
        Ok(Actor {
            kind: ActorKind::Token { scope: token.scope },
            id: Some(token.id),
            name: format!("token:{}", token.id),
        })
    }
}

/// `dgt_<32 hex id>_<secret>` → (id, secret).
pub(crate) fn parse_token(presented: &str) -> Option<(Uuid, &str)> {
    let rest = presented.trim().strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    Some((Uuid::try_parse(id).ok()?, secret))
}
