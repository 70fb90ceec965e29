//! The other nodes of this node's server set (issue 14), as callers: a node
//! that fell behind what etcd keeps asks a peer for a snapshot of its store.
//! A peer proves itself with the set's shared secret (kept in etcd, where
//! anyone who can read it can already write the set's log); the core keeps
//! only its SHA-256 and compares in constant time. What a peer may do is
//! the policy's business: take a backup (`Action::Backup`), nothing else.

use super::acl::{Actor, ActorKind};
use super::error::{Error, Result};
use super::{Directory, password};

impl Directory {
    /// Trusts callers that present `secret` as peers (set once, when the
    /// node joins its server set); whether it was set now.
    pub fn trust_peers(&self, secret: &str) -> bool {
        self.inner.peer_secret.set(password::sha256(secret)).is_ok()
    }

    /// The node `name` presenting `secret`, as an actor; invalid credentials
    /// when it is not the set's secret, or the node is in no set.
    pub fn authenticate_peer(&self, name: &str, secret: &str) -> Result<Actor> {
        let known = self
            .inner
            .peer_secret
            .get()
            .ok_or(Error::InvalidCredentials)?;
        if !password::ct_eq(&password::sha256(secret), known) {
            return Err(Error::InvalidCredentials);
        }
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
            .take(64)
            .collect();
        Ok(Actor {
            kind: ActorKind::Peer,
            id: None,
            name: format!("peer:{name}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Request;
    use crate::directory::acl::Action;

    #[test]
    fn a_peer_needs_the_secret_and_may_only_take_a_backup() {
        let tmp = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&tmp.path().join("t.redb"), 10_000).unwrap();
        let dir = Directory::new(store, Default::default()).unwrap();
        assert!(matches!(
            dir.authenticate_peer("n2", "s3cret-s3cret-s3cret"),
            Err(Error::InvalidCredentials)
        ));
        assert!(dir.trust_peers("s3cret-s3cret-s3cret"));
        assert!(!dir.trust_peers("another"));
        assert!(matches!(
            dir.authenticate_peer("n2", "wrong"),
            Err(Error::InvalidCredentials)
        ));
        let peer = dir
            .authenticate_peer("n2\n<x>", "s3cret-s3cret-s3cret")
            .unwrap();
        assert_eq!(peer.name, "peer:n2x");
        let req = Request {
            actor: peer,
            origin: Request::internal().origin,
        };
        assert!(dir.may_back_up(&req).is_ok());
        let policy = crate::directory::acl::Policy::default();
        for action in [
            Action::Read,
            Action::ReadTree,
            Action::ReadAudit,
            Action::CreateUser,
        ] {
            assert!(
                policy
                    .authorize(&req.actor, action, &Default::default())
                    .is_err(),
                "{action:?}"
            );
        }
    }
}
