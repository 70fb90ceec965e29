//! Entries of roles (groupOfNames, groupOfUniqueNames, posixGroup,
//! dirgateRole, with their members by DN and by login) and of service
//! accounts (applicationProcess, simpleSecurityObject).

use super::super::entry::Entry;
use super::{ROLE_CLASSES, Renderer, SERVICE_CLASSES, operational, owned, push_opt};
use crate::directory::Result;
use crate::directory::model::{Member, Role, Scope, ServiceAccount};
use uuid::Uuid;

impl Renderer<'_> {
    pub(super) fn role_entry(&mut self, r: &Role) -> Result<Entry> {
        let dn = self.role_dn_of(r)?;
        let mut e = Entry::new(dn.clone());
        e.push("objectClass", owned(ROLE_CLASSES));
        e.push("cn", vec![r.name.clone()]);
        e.push("gidNumber", vec![r.gid_number.to_string()]);
        push_opt(&mut e, "description", &r.description);
        let (dns, uids) = self.members(r.id)?;
        if !dns.is_empty() {
            e.push("member", dns.clone());
            e.push("uniqueMember", dns);
        }
        if !uids.is_empty() {
            e.push("memberUid", uids);
        }
        if !r.rights.is_empty() {
            e.push(
                "dirgateRight",
                r.rights.iter().map(|x| x.as_str().to_owned()).collect(),
            );
        }
        push_opt(&mut e, "dirgateExternalId", &r.external_id);
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
                "groupOfNames",
                Some(r.id),
                Some(r.created),
                Some(r.modified),
                false,
            );
        }
        Ok(e)
    }

    /// Member DNs (users and roles) and the logins of user members.
    fn members(&mut self, role: Uuid) -> Result<(Vec<String>, Vec<String>)> {
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
        Ok((dns, uids))
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
