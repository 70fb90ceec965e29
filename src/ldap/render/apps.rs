//! Entries of applications: `cn=<app>,ou=applications,<base>` for a
//! server-wide one, `cn=<app>,ou=applications,ou=<Org>,<base>` for an
//! organization's. Each is a groupOfNames and groupOfUniqueNames whose
//! `member` / `uniqueMember` values are the users who have it now (through
//! the roles that carry it, nested ones included) and whom the reader may
//! read, so that an application's LDAP configuration needs one filter,
//! `(memberOf=cn=gitea,ou=applications,…)`. Users show the applications
//! they have in `memberOf`; `dirgateCarriedBy` names the roles that give
//! it. Read-only over LDAP: applications are made over the admin API, and
//! who has one follows roles.
//!
//! An export writes what a load makes the application from again: an
//! applicationProcess (its members are computed, and groupOfNames needs at
//! least one) with `dirgateCarriedBy`, `dirgateRequestable` when it is set,
//! and its URL and description. An organization's approvers and default
//! role, and the links to a service account or token, are not exported.

use super::super::entry::Entry;
use super::{Renderer, boolean_value, operational, owned, push_opt};
use crate::directory::Result;
use crate::directory::model::{Application, Organization};
use crate::directory::view::Seen;
use crate::ldap::tree::Node;
use uuid::Uuid;

/// The classes of an application's entry.
pub const APP_CLASSES: &[&str] = &[
    "top",
    "groupOfNames",
    "groupOfUniqueNames",
    "dirgateApplication",
];
/// Its classes in an export (see the module documentation).
pub const APP_EXPORT_CLASSES: &[&str] = &["top", "applicationProcess", "dirgateApplication"];

impl Renderer<'_> {
    /// `ou=applications,ou=<Org>`.
    pub(super) fn apps_entry(&self, org: &Organization) -> Entry {
        let what = format!("Applications of {}", org.name);
        let dn = self.tree.apps_dn(&Some(org.name.clone()));
        self.container(dn, "applications", &what)
    }

    pub(super) fn app_entry(&mut self, a: &Application) -> Result<Entry> {
        let org = self.org_name(a.org)?;
        let dn = self.tree.app_dn(a, &org);
        let mut e = Entry::new(dn.clone());
        let (classes, structural) = match self.export {
            true => (APP_EXPORT_CLASSES, "applicationProcess"),
            false => (APP_CLASSES, "groupOfNames"),
        };
        e.push("objectClass", owned(classes));
        e.push("cn", vec![a.name.clone()]);
        push_opt(&mut e, "description", &a.description);
        push_opt(&mut e, "labeledURI", &a.url);
        if a.requestable || !self.export {
            let requestable = boolean_value(a.requestable).to_owned();
            e.push("dirgateRequestable", vec![requestable]);
        }
        let carriers = self.carriers(a.id)?;
        e.push("dirgateCarriedBy", carriers);
        if !self.export {
            let members = self.app_members(a.id)?;
            e.push("member", members.clone());
            e.push("uniqueMember", members);
        }
        if self.operational {
            let (id, created, modified) = (Some(a.id), Some(a.created), Some(a.modified));
            operational(&mut e, &dn, structural, id, created, modified, false);
        }
        Ok(e)
    }

    /// DNs of the roles that carry `app` that the reader may read.
    fn carriers(&mut self, app: Uuid) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for role in self.tx.roles_of_app(app)? {
            if let Some((org, dn)) = self.role_ref(role)?
                && self.may_read(Node::Role(role), org, None)
            {
                out.push(dn);
            }
        }
        Ok(out)
    }

    /// DNs of the users who have `app` that the reader may read.
    fn app_members(&mut self, app: Uuid) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for id in self.tx.users_with(app)? {
            if let Some(u) = self.tx.user(id)?
                && self.may_read(Node::User(id), u.org, Some(id))
            {
                out.push(self.user_dn_of(&u)?);
            }
        }
        Ok(out)
    }

    /// DNs of the applications that `roles` (a user's, nested ones
    /// included) carry and the reader may see.
    pub(super) fn app_dns(&mut self, roles: &[Uuid]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for app in self.tx.apps_of_roles(roles)? {
            if let Some(a) = self.tx.app(app)?
                && self.tx.may_read(Seen::App, a.org, None)
            {
                let org = self.org_name(a.org)?;
                out.push(self.tree.app_dn(&a, &org));
            }
        }
        Ok(out)
    }
}
