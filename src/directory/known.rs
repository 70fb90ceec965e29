//! "May it see?" before "may it do?". What an actor may not see, it cannot
//! tell apart from what does not exist: a use case that finds the record a
//! caller named asks [`Policy::may_know`](super::acl::Policy::may_know)
//! before the policy's verdict on the action, and answers a record out of
//! the actor's reach exactly as a missing one ([`Error::Hidden`], which
//! every front end maps as "not found" and the audit trail records as the
//! refusal it is). Front ends that name records their own way (LDAP DNs)
//! ask [`Directory::know_record`].

use super::acl::{Action, Denied, Target};
use super::auth::scope_org;
use super::error::{Error, Result};
use super::users::read_target;
use super::{Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

/// A record a front end named, for [`Directory::know_record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    Org(Uuid),
    Unit(Uuid),
    User(Uuid),
    Role(Uuid),
    Service(Uuid),
    App(Uuid),
}

impl Directory {
    /// `what` not found, exactly as when it does not exist, unless the
    /// actor may know of `target`. `action` is what it was wanted for, as
    /// the audit trail records the refusal.
    pub(crate) fn known(
        &self,
        req: &Request,
        action: Action,
        target: Target,
        what: impl FnOnce() -> String,
    ) -> Result<()> {
        if self.may_know(req, target) {
            return Ok(());
        }
        let denied = Denied {
            actor: req.actor.name.clone(),
            action,
            target,
        };
        Err(Error::Hidden {
            what: what(),
            denied: Box::new(denied),
        })
    }

    /// Whether the actor may know that `target` exists.
    pub fn may_know(&self, req: &Request, target: Target) -> bool {
        self.policy().may_know(&req.actor, &target)
    }

    /// Refuses a record the actor may not know exists ([`Error::Hidden`],
    /// audited as a refused read); a record that is gone passes (the caller
    /// answers for it as for any other missing one).
    pub fn know_record(&self, tx: &Tx, req: &Request, record: Record) -> Result<()> {
        if let Record::App(id) = record {
            return match tx.app(id)? {
                Some(app) => self.app_known(req, &app),
                None => Ok(()),
            };
        }
        let target = match record {
            Record::App(_) => None,
            Record::Org(id) => Some(Target::org(Some(id))),
            Record::Unit(id) => tx.unit(id)?.map(|u| Target::org(Some(u.org))),
            Record::User(id) => tx.user(id)?.map(|u| read_target(&u)),
            Record::Role(id) => tx.role(id)?.map(|r| Target::org(r.org)),
            Record::Service(id) => tx.service(id)?.map(|s| Target::org(scope_org(s.scope))),
        };
        match target {
            Some(t) => self.known(req, Action::Read, t, || "entry".to_owned()),
            None => Ok(()),
        }
    }
}
