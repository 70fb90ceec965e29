//! Use cases for service accounts: the bind accounts applications use to read
//! one organization's subtree or the whole tree. Creating one through the admin
//! API answers its generated password once; an LDAP add brings its own. Only a
//! hash is kept.

use super::acl::{Action, Target};
use super::auth::{Issued, scope_org};
use super::error::{Error, Result};
use super::model::{Scope, SecretHash, ServiceAccount, now};
use super::names::check_service_name;
use super::{Change, Directory, Request, password};
use crate::store::Tx;
use uuid::Uuid;

/// A service account to create.
#[derive(Clone)]
pub struct NewService<'a> {
    pub name: &'a str,
    pub scope: Scope,
    pub description: Option<String>,
    /// The id a load keeps (see `identity`); `None`: a new one.
    pub id: Option<Uuid>,
}

impl Directory {
    /// Creates a service account reading `scope`; its password is in the answer only.
    pub fn create_service_account(
        &self,
        req: &Request,
        name: &str,
        scope: Scope,
        description: Option<String>,
    ) -> Result<Issued<ServiceAccount>> {
        let secret = password::random_secret(24)?;
        let hash = self.hashing().hash(&secret)?;
        let new = NewService {
            name,
            scope,
            description,
            id: None,
        };
        let record = self.write(req, |tx| {
            self.create_service_account_in(tx, req, new.clone(), hash.clone())
        })?;
        Ok(Issued { record, secret })
    }

    /// The body of [`Self::create_service_account`] inside a caller's
    /// transaction, with the password already hashed.
    pub(crate) fn create_service_account_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        new: NewService<'_>,
        hash: SecretHash,
    ) -> Result<ServiceAccount> {
        let NewService {
            name,
            scope,
            description,
            id,
        } = new;
        check_service_name(name)?;
        self.authorize(
            req,
            Action::ManageServiceAccounts,
            Target::org(scope_org(scope)),
        )?;
        if let Scope::Org(org) = scope {
            super::orgs::org_by_id(tx, org)?;
        }
        if let Some(existing) = tx.service_by_name(name)? {
            return Err(Error::exists(format!("service account {}", existing.name)));
        }
        let id = self.new_id(tx, req, id)?;
        let change = Change {
            action: "service.create",
            target: name,
            target_id: Some(id),
            org: scope_org(scope),
            detail: None,
        };
        let version = self.log(tx, req, change)?;
        let t = now();
        let svc = ServiceAccount {
            id,
            name: name.to_owned(),
            scope,
            password: hash,
            description,
            created: t,
            modified: t,
            version,
        };
        tx.put_service(&svc)?;
        Ok(svc)
    }

    pub fn delete_service_account(&self, req: &Request, name: &str) -> Result<()> {
        self.write(req, |tx| self.delete_service_account_in(tx, req, name))
    }

    /// The body of [`Self::delete_service_account`] inside a caller's transaction.
    pub(crate) fn delete_service_account_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        name: &str,
    ) -> Result<()> {
        let svc = tx
            .service_by_name(name)?
            .ok_or_else(|| Error::not_found(format!("service account {name}")))?;
        let target = Target::org(scope_org(svc.scope));
        self.known(req, Action::ManageServiceAccounts, target, || {
            format!("service account {name}")
        })?;
        self.authorize(
            req,
            Action::ManageServiceAccounts,
            Target::org(scope_org(svc.scope)),
        )?;
        let change = Change {
            action: "service.delete",
            target: &svc.name,
            target_id: Some(svc.id),
            org: scope_org(svc.scope),
            detail: None,
        };
        self.log(tx, req, change)?;
        tx.delete_service(svc.id)?;
        Ok(())
    }
}
