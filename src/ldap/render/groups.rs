//! Entries of roles (as `roles` describes them, with their members by DN
//! and by login), of user private groups (`tree::private_groups`) and of
//! service accounts (applicationProcess, simpleSecurityObject).

use super::super::entry::Entry;
use super::roles::{Form, Members, role_values, structural};
use super::{Renderer, SERVICE_CLASSES, operational, owned, push_opt};
use crate::directory::Result;
use crate::directory::model::{Member, Role, Scope, ServiceAccount, User};
use crate::ldap::tree::Node;
use uuid::Uuid;

impl Renderer<'_> {
    /// A user's private group: `cn` its login, its gidNumber, no members
    /// (the user's gidNumber makes it the primary group). Its times are the
    /// user's; it has no entryUUID of its own, being no record.
    pub(super) fn private_group_entry(&mut self, u: &User) -> Result<Entry> {
        let dn = self.tree.dn_of(self.tx, Node::PrivateGroup(u.id))?;
        let mut e = Entry::new(dn.clone());
        e.push("objectClass", owned(&["top", "posixGroup"]));
        e.push("cn", vec![u.login.clone()]);
        e.push("gidNumber", vec![u.gid_number.to_string()]);
        let about = format!("User private group of {}", u.login);
        e.push("description", vec![about]);
        if self.operational {
            let (created, modified) = (Some(u.created), Some(u.modified));
            operational(&mut e, &dn, "posixGroup", None, created, modified, false);
        }
        Ok(e)
    }

    pub(super) fn role_entry(&mut self, r: &Role) -> Result<Entry> {
        let dn = self.role_dn_of(r)?;
        let mut e = Entry::new(dn.clone());
        let members = self.members(r.id)?;
        let form = if self.export {
            Form::Export
        } else {
            Form::Read
        };
        role_values(r, &members, form, &mut |ty, values, _| {
            e.push_typed(ty, values)
        });
        if self.member_of {
            let of = self.member_of_dns(r.id)?;
            if !of.is_empty() {
                e.push("memberOf", of);
            }
        }
        if self.operational {
            operational(
                &mut e,
                &dn,
                structural(r),
                Some(r.id),
                Some(r.created),
                Some(r.modified),
                false,
            );
        }
        Ok(e)
    }

    /// Member DNs (users and roles) and the logins of user members.
    fn members(&mut self, role: Uuid) -> Result<Members> {
        let mut dns = Vec::new();
        let mut uids = Vec::new();
        for m in self.tx.role_members(role)? {
            match m {
                Member::User(id) => {
                    if let Some(u) = self.tx.user(id)? {
                        dns.push(self.user_dn_of(&u)?);
                        uids.push(u.login);
                    }
                }
                Member::Role(id) => {
                    if let Some(dn) = self.role_dn(id)? {
                        dns.push(dn);
                    }
                }
            }
        }
        Ok(Members { dns, logins: uids })
    }

    pub(super) fn service_entry(&mut self, s: &ServiceAccount) -> Entry {
        let dn = self.tree.service_dn(s);
        let mut e = Entry::new(dn.clone());
        e.push("objectClass", owned(SERVICE_CLASSES));
        e.push("cn", vec![s.name.clone()]);
        push_opt(&mut e, "description", &s.description);
        let scope = match s.scope {
            Scope::Server => self.tree.base_str().to_owned(),
            Scope::Org(o) => self
                .tx
                .org(o)
                .ok()
                .flatten()
                .map(|o| self.tree.org_entry_dn(&o))
                .unwrap_or_default(),
        };
        e.push("dirgateReadScope", vec![scope]);
        e.push(
            "userPassword",
            self.exported_secret(Some(&s.password))
                .into_iter()
                .collect(),
        );
        if self.operational {
            operational(
                &mut e,
                &dn,
                "applicationProcess",
                Some(s.id),
                Some(s.created),
                Some(s.modified),
                false,
            );
        }
        e
    }
}
