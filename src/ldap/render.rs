//! Builds the LDAP entry of each tree node straight from its store record:
//! users as `users` describes them (inetOrgPerson, posixAccount and
//! dirgateAccount by default); roles as `roles` does (the classes their
//! client named, else groupOfNames, groupOfUniqueNames and posixGroup);
//! organizations and containers as organizationalUnit. Which entries and
//! which attribute classes an actor sees is the core policy's answer;
//! `userPassword` is never rendered, except into an export by an actor the
//! policy lets export secrets. The export form (`Renderer::export`) leaves
//! out what dirgate computes and what a load would give anyway.

use super::entry::Entry;
use super::schema::{SUBSCHEMA_DN, boolean_value, generalized_time};
use super::tree::{Branch, Node, Tree};
use crate::directory::PosixDefaults;
use crate::directory::Result;
use crate::directory::acl::AttrClass;
use crate::directory::model::{Millis, Organization, Role, Unit, User};
use crate::directory::password::policy::PasswordPolicy;
use crate::directory::view::{Seen, View};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub mod addresses;
mod apps;
mod export;
mod groups;
pub mod manager;
pub mod orgs;
pub mod roles;
pub mod shadow;
pub mod users;

/// The object classes of each kind of entry, as rendered and as writes accept.
pub const USER_CLASSES: &[&str] = &[
    "top",
    "person",
    "organizationalPerson",
    "inetOrgPerson",
    "posixAccount",
    "dirgateAccount",
];
/// The classes of a role made without classes of its own (see `roles`).
pub const ROLE_CLASSES: &[&str] = &[
    "top",
    "groupOfNames",
    "groupOfUniqueNames",
    "posixGroup",
    "dirgateRole",
];
pub const ORG_CLASSES: &[&str] = &["top", "organizationalUnit", "dirgateOrganization"];
pub const SERVICE_CLASSES: &[&str] = &[
    "top",
    "applicationProcess",
    "simpleSecurityObject",
    "dirgateServiceAccount",
];

fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// Renders entries for one actor within one read transaction, caching what many
/// entries share (organization names, role DNs).
pub struct Renderer<'a> {
    pub tx: &'a View<'a>,
    pub tree: &'a Tree,
    posix: &'a PosixDefaults,
    /// Compute memberOf only when the search can use it (it costs lookups).
    pub member_of: bool,
    /// Render operational attributes (entryUUID, timestamps, …) only when the
    /// search asks for them or filters on them.
    pub operational: bool,
    /// Render entries as an LDIF export writes them (see `ldap::export`):
    /// no computed values, dirgate's own attributes only when they say more
    /// than their default, roles without classes in a form slapd accepts,
    /// password hashes when the policy lets the actor export secrets.
    pub export: bool,
    /// When set, the only user attributes of a user entry worth building (what
    /// the search selects or filters on); `None` = all of them.
    pub only: Option<HashSet<&'static str>>,
    orgs: HashMap<Uuid, Option<Organization>>,
    /// Organization names for DNs, read without the rest of the record.
    org_names: HashMap<Uuid, Option<String>>,
    role_refs: HashMap<Uuid, Option<(Option<Uuid>, String)>>,
    unit_dns: HashMap<Uuid, String>,
    /// The user attribute groups `only` needs, worked out at the first user.
    groups: Option<users::Groups>,
}

impl<'a> Renderer<'a> {
    pub fn new(tx: &'a View<'a>, tree: &'a Tree) -> Self {
        Renderer {
            tx,
            tree,
            posix: &tx.settings().posix,
            member_of: true,
            operational: true,
            export: false,
            only: None,
            orgs: HashMap::new(),
            org_names: HashMap::new(),
            role_refs: HashMap::new(),
            unit_dns: HashMap::new(),
            groups: None,
        }
    }

    /// May the actor read `node` (in `org`, about `subject`)? The view's
    /// answer, from the core policy.
    fn may_read(&self, node: Node, org: Option<Uuid>, subject: Option<Uuid>) -> bool {
        let seen = match node {
            Node::Base | Node::Branch(_) => Seen::Tree,
            Node::Service(_) => Seen::Service,
            _ => Seen::Entry,
        };
        self.tx.may_read(seen, org, subject)
    }

    fn may_see(&self, class: AttrClass, org: Option<Uuid>, subject: Option<Uuid>) -> bool {
        self.tx.may_see(class, org, subject)
    }

    /// The entry of `node` as this actor may see it; `None` when it is hidden
    /// from the actor or no longer exists.
    pub fn render(&mut self, node: Node) -> Result<Option<Entry>> {
        match node {
            Node::Base => Ok(self.may_read(node, None, None).then(|| self.base_entry())),
            // An export writes the branch only when it holds applications.
            Node::Branch(Branch::Applications)
                if self.export && self.tx.apps_in(None)?.is_empty() =>
            {
                Ok(None)
            }
            Node::Branch(b) => Ok(self
                .may_read(node, None, None)
                .then(|| self.branch_entry(b))),
            Node::Org(id) => match self.tx.org(id)? {
                Some(o) if self.may_read(node, Some(id), None) => Ok(Some(self.org_entry(&o))),
                _ => Ok(None),
            },
            Node::RolesOf(id) => match self.tx.org(id)? {
                Some(o) if self.may_read(node, Some(id), None) => Ok(Some(self.roles_entry(&o))),
                _ => Ok(None),
            },
            Node::Unit(id) => match self.tx.unit(id)? {
                Some(u) if self.may_read(node, Some(u.org), None) => self.unit_entry(&u).map(Some),
                _ => Ok(None),
            },
            Node::User(id) => match self.tx.user(id)? {
                Some(u) if self.may_read(node, u.org, Some(u.id)) => self.user_entry(&u).map(Some),
                _ => Ok(None),
            },
            Node::Role(id) => match self.tx.role(id)? {
                Some(r) if self.may_read(node, r.org, None) => self.role_entry(&r).map(Some),
                _ => Ok(None),
            },
            Node::Service(id) => match self.tx.service(id)? {
                Some(s) if self.tx.may_read_service(&s) => Ok(Some(self.service_entry(&s))),
                _ => Ok(None),
            },
            // Computed, so an export (which writes what is stored) leaves it out.
            Node::PrivateGroup(id) => match self.tx.user(id)? {
                Some(u) if !self.export && self.may_read(node, u.org, Some(u.id)) => {
                    self.private_group_entry(&u).map(Some)
                }
                _ => Ok(None),
            },
            Node::AppsOf(id) => match self.tx.org(id)? {
                Some(o) if self.may_read(node, Some(id), None) => Ok(Some(self.apps_entry(&o))),
                _ => Ok(None),
            },
            Node::App(id) => match self.tx.app(id)? {
                Some(a) if self.tx.may_read(Seen::App, a.org, None) => self.app_entry(&a).map(Some),
                _ => Ok(None),
            },
        }
    }

    /// An organization record, read once per renderer.
    fn org(&mut self, id: Uuid) -> Result<Option<&Organization>> {
        if !self.orgs.contains_key(&id) {
            let org = self.tx.org(id)?;
            self.orgs.insert(id, org);
        }
        Ok(self.orgs.get(&id).and_then(Option::as_ref))
    }

    /// The password policy in force for a user of `org` (the shadow
    /// attributes show its ages).
    fn policy_of(&mut self, org: Option<Uuid>) -> Result<PasswordPolicy> {
        let server = self.tx.settings().password_policy;
        Ok(match org {
            Some(id) => self
                .org(id)?
                .map_or(server, |o| server.with(&o.password_policy)),
            None => server,
        })
    }

    fn org_name(&mut self, org: Option<Uuid>) -> Result<Option<String>> {
        let Some(id) = org else {
            return Ok(None);
        };
        if let Some(name) = self.org_names.get(&id) {
            return Ok(name.clone());
        }
        let name = match self.orgs.get(&id) {
            Some(org) => org.as_ref().map(|o| o.name.clone()),
            None => self.tx.org_name(id)?,
        };
        self.org_names.insert(id, name.clone());
        Ok(name)
    }

    /// A role's organization and DN, read once per renderer.
    fn role_ref(&mut self, id: Uuid) -> Result<Option<(Option<Uuid>, String)>> {
        if let Some(found) = self.role_refs.get(&id) {
            return Ok(found.clone());
        }
        let found = match self.tx.role(id)? {
            Some(r) => Some((r.org, self.role_dn_of(&r)?)),
            None => None,
        };
        self.role_refs.insert(id, found.clone());
        Ok(found)
    }

    /// A unit's DN, built once per renderer.
    fn unit_dn(&mut self, id: Uuid) -> Result<String> {
        if let Some(dn) = self.unit_dns.get(&id) {
            return Ok(dn.clone());
        }
        let dn = self.tree.unit_dn(self.tx, id)?;
        self.unit_dns.insert(id, dn.clone());
        Ok(dn)
    }

    /// A user's DN: in its unit, its organization or `ou=people`.
    pub(super) fn user_dn_of(&mut self, u: &User) -> Result<String> {
        Ok(match u.unit {
            Some(unit) => self.tree.user_dn_in(u, &self.unit_dn(unit)?),
            None => {
                let org = self.org_name(u.org)?;
                self.tree.user_dn(u, &org)
            }
        })
    }

    /// A role's DN: in its unit, its organization's roles or `ou=groups`.
    pub(super) fn role_dn_of(&mut self, r: &Role) -> Result<String> {
        Ok(match r.unit {
            Some(unit) => self.tree.role_dn_in(r, &self.unit_dn(unit)?),
            None => {
                let org = self.org_name(r.org)?;
                self.tree.role_dn(r, &org)
            }
        })
    }

    fn role_dn(&mut self, id: Uuid) -> Result<Option<String>> {
        Ok(self.role_ref(id)?.map(|(_, dn)| dn))
    }

    fn base_entry(&self) -> Entry {
        let dn = self.tree.base_str().to_owned();
        let mut e = Entry::new(dn.clone());
        let (class, attr, value) = match self.tree.base().rdn().and_then(|r| r.avas().first()) {
            Some(ava) if ava.attr_is("dc") => ("domain", "dc", ava.value.clone()),
            Some(ava) if ava.attr_is("o") => ("organization", "o", ava.value.clone()),
            Some(ava) if ava.attr_is("ou") => ("organizationalUnit", "ou", ava.value.clone()),
            Some(ava) => ("extensibleObject", "description", ava.value.clone()),
            None => ("extensibleObject", "description", String::new()),
        };
        e.push("objectClass", vec!["top".into(), class.into()]);
        e.push(attr, vec![value]);
        if self.operational {
            operational(&mut e, &dn, class, None, None, None, true);
        }
        e
    }

    fn container(&self, dn: String, name: &str, description: &str) -> Entry {
        let mut e = Entry::new(dn.clone());
        e.push(
            "objectClass",
            vec!["top".into(), "organizationalUnit".into()],
        );
        e.push("ou", vec![name.to_owned()]);
        e.push("description", vec![description.to_owned()]);
        if self.operational {
            operational(&mut e, &dn, "organizationalUnit", None, None, None, true);
        }
        e
    }

    fn branch_entry(&self, b: Branch) -> Entry {
        let what = match b {
            Branch::People => "Users in no organization",
            Branch::Groups => "Server-wide roles",
            Branch::Services => "Service accounts for applications",
            Branch::Applications => "Server-wide applications: each one's members have access",
        };
        self.container(self.tree.branch_dn(b), b.name(), what)
    }

    fn roles_entry(&self, org: &Organization) -> Entry {
        let what = format!("Roles of {}", org.name);
        self.container(self.tree.roles_dn(&org.name), "roles", &what)
    }

    fn unit_entry(&mut self, unit: &Unit) -> Result<Entry> {
        let dn = self.unit_dn(unit.id)?;
        let mut e = Entry::new(dn.clone());
        for (name, values) in unit_values(unit) {
            e.push(&name, values);
        }
        if self.operational {
            let (id, created, modified) = (Some(unit.id), Some(unit.created), Some(unit.modified));
            operational(
                &mut e,
                &dn,
                "organizationalUnit",
                id,
                created,
                modified,
                true,
            );
        }
        Ok(e)
    }

    fn user_entry(&mut self, u: &User) -> Result<Entry> {
        let dn = self.user_dn_of(u)?;
        let mut e = Entry::new(dn.clone());
        let account =
            (self.only.as_ref()).is_none_or(|set| set.iter().any(|n| n.starts_with("dirgate")));
        let org_admin = match u.org {
            _ if self.export => None,
            Some(o) if account => Some(self.org(o)?.is_some_and(|o| o.admin == Some(u.id))),
            Some(_) => None,
            None => Some(false),
        };
        let groups = *self.groups.get_or_insert_with(|| match &self.only {
            Some(set) => users::Groups::of(set.iter().copied()),
            None => users::Groups::ALL,
        });
        // The organization's policy only when the shadow attributes (or
        // the classes they add) may be shown: most searches skip the lookup.
        let policy = if groups.shadow() {
            self.policy_of(u.org)?
        } else {
            self.tx.settings().password_policy
        };
        let only = self.only.as_ref();
        // Build only what the search can use: values are allocated per entry.
        let want = |name: &str| only.is_none_or(|set| set.contains(name));
        let export = self.export;
        users::user_values(
            u,
            self.posix,
            &policy,
            org_admin,
            &want,
            groups,
            &mut |ty, values, derived| {
                if !export || export::keeps_user_value(ty, &values, derived) {
                    e.push_typed(ty, values)
                }
            },
        );
        if u.profile.manager_id.is_some() && want("manager") {
            let dn = manager::manager_dn(self.tx, self.tree, u)?;
            e.push("manager", dn.into_iter().collect());
        }
        if self.member_of {
            let roles = self.tx.member_of_closure(u.id)?;
            let mut dns = self.role_dns(&roles)?;
            dns.extend(self.app_dns(&roles)?);
            if !dns.is_empty() {
                e.push("memberOf", dns);
            }
        }
        if export {
            export::finish_user(&mut e, u);
            e.push(
                "userPassword",
                self.exported_secret(u.password.as_ref())
                    .into_iter()
                    .collect(),
            );
        } else {
            self.security_attrs(&mut e, u);
        }
        if self.operational {
            operational(
                &mut e,
                &dn,
                "inetOrgPerson",
                Some(u.id),
                Some(u.created),
                Some(u.modified),
                false,
            );
            // As slapd's ppolicy shows it, to whoever reads the entry; an
            // export leaves it out (a load sets the password anew).
            if let Some(t) = u.password_changed.filter(|_| !export) {
                e.push("pwdChangedTime", vec![generalized_time(t)]);
            }
        }
        Ok(e)
    }
}

impl<'a> Renderer<'a> {
    /// Lockout state and last login: for administrators of the account only.
    fn security_attrs(&self, e: &mut Entry, u: &User) {
        if !self.may_see(AttrClass::Security, u.org, Some(u.id)) {
            return;
        }
        if let Some(t) = u.last_login {
            e.push("dirgateLastLogin", vec![generalized_time(t)]);
        }
        if !u.lockout.failures.is_empty() {
            e.push(
                "pwdFailureTime",
                u.lockout
                    .failures
                    .iter()
                    .map(|t| generalized_time(*t))
                    .collect(),
            );
        }
        if let Some(t) = u.lockout.locked_at {
            e.push("pwdAccountLockedTime", vec![generalized_time(t)]);
        }
    }

    /// DNs of every role the member is in that the actor may read, nested
    /// roles included.
    /// The rule of [`crate::directory::roles::visible_member_of`] (a role is
    /// named only to who may read it), with the roles read once per renderer
    /// rather than once per entry: memberOf is rendered for every entry of a
    /// search that asks for it.
    pub fn member_of_dns(&mut self, id: Uuid) -> Result<Vec<String>> {
        let roles = self.tx.member_of_closure(id)?;
        self.role_dns(&roles)
    }

    /// The DNs of `roles` that the actor may read.
    fn role_dns(&mut self, roles: &[Uuid]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for &role in roles {
            if let Some((org, dn)) = self.role_ref(role)?
                && self.may_read(Node::Role(role), org, None)
            {
                out.push(dn);
            }
        }
        Ok(out)
    }
}

/// A unit's attributes as LDAP shows them: the classes and values written,
/// `organizationalUnit` and its name when nobody wrote them.
pub fn unit_values(unit: &Unit) -> Vec<(String, Vec<String>)> {
    let or = |name: &str, default: Vec<String>| match unit.attrs.get(name) {
        [] => default,
        written => written.to_vec(),
    };
    let mut out = vec![
        (
            "objectClass".to_owned(),
            or("objectClass", owned(&["top", "organizationalUnit"])),
        ),
        ("ou".to_owned(), or("ou", vec![unit.name.clone()])),
    ];
    for (name, values) in unit.attrs.iter() {
        if !matches!(name, "objectClass" | "ou") {
            out.push((name.to_owned(), values.to_vec()));
        }
    }
    out
}

fn push_opt(e: &mut Entry, name: &str, value: &Option<String>) {
    if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
        e.push(name, vec![v.clone()]);
    }
}

/// The operational attributes every entry carries (returned only on request).
fn operational(
    e: &mut Entry,
    dn: &str,
    structural: &str,
    id: Option<Uuid>,
    created: Option<Millis>,
    modified: Option<Millis>,
    has_children: bool,
) {
    e.push("entryDN", vec![dn.to_owned()]);
    if let Some(id) = id {
        e.push("entryUUID", vec![id.hyphenated().to_string()]);
    }
    if let Some(t) = created {
        e.push("createTimestamp", vec![generalized_time(t)]);
    }
    if let Some(t) = modified {
        e.push("modifyTimestamp", vec![generalized_time(t)]);
    }
    e.push("structuralObjectClass", vec![structural.to_owned()]);
    e.push(
        "hasSubordinates",
        vec![boolean_value(has_children).to_owned()],
    );
    e.push("subschemaSubentry", vec![SUBSCHEMA_DN.to_owned()]);
}
