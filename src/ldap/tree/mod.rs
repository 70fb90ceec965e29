//! The one mapping between the directory and the LDAP tree, both ways: which
//! node a DN names (or the deepest existing ancestor, for matchedDN), the DN of
//! each record, and each node's children. The layout is DESIGN.md's:
//! `ou=<Org>` with `uid=<login>` users and `ou=roles` holding `cn=<role>`, and
//! the organizational units a tenant brings (`ou=People,ou=<Org>`, at any
//! depth) holding users, roles and more units; `ou=people`, `ou=groups` and
//! `ou=services` for what belongs to no organization. Applications sit in
//! `ou=applications` (server-wide ones) and `ou=applications,ou=<Org>` (an
//! organization's own).

pub mod private_groups;

use super::dn::{Dn, Rdn, escape_value};
use crate::directory::Result;
use crate::directory::model::{Application, Organization, Role, ServiceAccount, User};
use crate::directory::view::View;
use uuid::Uuid;

/// The fixed containers directly below the base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Branch {
    People,
    Groups,
    Services,
    Applications,
}

impl Branch {
    pub const ALL: [Branch; 4] = [
        Branch::People,
        Branch::Groups,
        Branch::Services,
        Branch::Applications,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Branch::People => "people",
            Branch::Groups => "groups",
            Branch::Services => "services",
            Branch::Applications => APPLICATIONS,
        }
    }

    fn parse(value: &str) -> Option<Branch> {
        Branch::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(value.trim()))
    }
}

/// One entry of the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// The base entry (`dc=example,dc=com`).
    Base,
    Branch(Branch),
    Org(Uuid),
    /// `ou=roles,ou=<Org>`.
    RolesOf(Uuid),
    /// An organizational unit inside an organization, at any depth.
    Unit(Uuid),
    User(Uuid),
    Role(Uuid),
    Service(Uuid),
    /// The user private group of a user (`private_groups`), by user id.
    PrivateGroup(Uuid),
    /// `ou=applications,ou=<Org>`.
    AppsOf(Uuid),
    /// An application: who has it now.
    App(Uuid),
}

/// What a DN names.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    Found(Node),
    /// Nothing there; `matched` is the deepest existing ancestor ("" when none).
    Missing {
        matched: String,
    },
}

/// The tree's shape around a configured base DN.
#[derive(Clone, Debug)]
pub struct Tree {
    base: Dn,
    base_str: String,
}

const ROLES: &str = "roles";
const APPLICATIONS: &str = "applications";

impl Tree {
    pub fn new(base: Dn) -> Tree {
        let base_str = base.to_string();
        Tree { base, base_str }
    }

    pub fn base(&self) -> &Dn {
        &self.base
    }

    pub fn base_str(&self) -> &str {
        &self.base_str
    }

    /// The node a DN names, or its deepest existing ancestor.
    pub fn resolve(&self, tx: &View<'_>, dn: &Dn) -> Result<Resolved> {
        let Some(rel) = dn.relative_to(&self.base) else {
            return Ok(Resolved::Missing {
                matched: String::new(),
            });
        };
        // RDNs from the top down: rel is leftmost-first.
        let mut path = rel.iter().rev();
        let mut node = Node::Base;
        for rdn in &mut path {
            match self.step(tx, node, rdn)? {
                Some(next) => node = next,
                None => {
                    return Ok(Resolved::Missing {
                        matched: self.dn_of(tx, node)?,
                    });
                }
            }
        }
        Ok(Resolved::Found(node))
    }

    /// The child of `parent` named by `rdn`, if it exists.
    fn step(&self, tx: &View<'_>, parent: Node, rdn: &Rdn) -> Result<Option<Node>> {
        let single = |attr: &str| match rdn.avas() {
            [ava] if ava.attr_is(attr) => Some(ava.value.as_str()),
            _ => None,
        };
        Ok(match parent {
            Node::Base => match single("ou") {
                Some(v) => match Branch::parse(v) {
                    Some(b) => Some(Node::Branch(b)),
                    None => tx.org_id_by_name(v)?.map(Node::Org),
                },
                None => None,
            },
            Node::Branch(Branch::People) => match single("uid") {
                Some(v) => user_placed(tx, v, None, None)?,
                None => None,
            },
            Node::Branch(Branch::Groups) => match single("cn") {
                Some(v) => match tx.role_by_name(None, v)? {
                    Some(r) => Some(Node::Role(r.id)),
                    None => private_groups::by_login(tx, v, None)?,
                },
                None => None,
            },
            Node::Branch(Branch::Services) => match single("cn") {
                Some(v) => tx.service_by_name(v)?.map(|s| Node::Service(s.id)),
                None => None,
            },
            Node::Branch(Branch::Applications) => match single("cn") {
                Some(v) => tx.app_by_name(None, v)?.map(|a| Node::App(a.id)),
                None => None,
            },
            Node::AppsOf(org) => match single("cn") {
                Some(v) => tx.app_by_name(Some(org), v)?.map(|a| Node::App(a.id)),
                None => None,
            },
            Node::Org(org) => match (single("uid"), single("ou")) {
                (Some(v), _) => user_in(tx, v, org, None)?,
                (_, Some(v)) if v.eq_ignore_ascii_case(ROLES) => Some(Node::RolesOf(org)),
                (_, Some(v)) if v.eq_ignore_ascii_case(APPLICATIONS) && owns_apps(tx, org)? => {
                    Some(Node::AppsOf(org))
                }
                (_, Some(v)) => tx.unit_by_name(org, None, v)?.map(|u| Node::Unit(u.id)),
                _ => None,
            },
            Node::RolesOf(org) => match single("cn") {
                Some(v) => match role_in(tx, v, org, None)? {
                    Some(role) => Some(role),
                    None => private_groups::by_login(tx, v, Some(org))?,
                },
                None => None,
            },
            Node::Unit(id) => {
                let Some(unit) = tx.unit(id)? else {
                    return Ok(None);
                };
                match (single("uid"), single("ou"), single("cn")) {
                    (Some(v), _, _) => user_in(tx, v, unit.org, Some(id))?,
                    (_, Some(v), _) => tx
                        .unit_by_name(unit.org, Some(id), v)?
                        .map(|u| Node::Unit(u.id)),
                    (_, _, Some(v)) => role_in(tx, v, unit.org, Some(id))?,
                    _ => None,
                }
            }
            Node::User(_)
            | Node::Role(_)
            | Node::Service(_)
            | Node::PrivateGroup(_)
            | Node::App(_) => None,
        })
    }

    /// The DN of a node (an empty string if its record vanished meanwhile).
    pub fn dn_of(&self, tx: &View<'_>, node: Node) -> Result<String> {
        Ok(match node {
            Node::Base => self.base_str.clone(),
            Node::Branch(b) => self.branch_dn(b),
            Node::Org(id) => tx
                .org_name(id)?
                .map(|name| self.org_dn(&name))
                .unwrap_or_default(),
            Node::RolesOf(id) => tx
                .org_name(id)?
                .map(|name| self.roles_dn(&name))
                .unwrap_or_default(),
            Node::Unit(id) => self.unit_dn(tx, id)?,
            Node::AppsOf(id) => tx
                .org_name(id)?
                .map(|name| self.apps_dn(&Some(name)))
                .unwrap_or_default(),
            Node::App(id) => match tx.app(id)? {
                Some(a) => self.app_dn(&a, &org_name(tx, a.org)?),
                None => String::new(),
            },
            Node::User(id) => match tx.user(id)? {
                Some(u) => match u.unit {
                    Some(unit) => self.user_dn_in(&u, &self.unit_dn(tx, unit)?),
                    None => self.user_dn(&u, &org_name(tx, u.org)?),
                },
                None => String::new(),
            },
            Node::Role(id) => match tx.role(id)? {
                Some(r) => match r.unit {
                    Some(unit) => self.role_dn_in(&r, &self.unit_dn(tx, unit)?),
                    None => self.role_dn(&r, &org_name(tx, r.org)?),
                },
                None => String::new(),
            },
            Node::Service(id) => tx
                .service(id)?
                .map(|s| self.service_dn(&s))
                .unwrap_or_default(),
            Node::PrivateGroup(id) => match tx.user(id)? {
                Some(u) => {
                    let parent = self.dn_of(tx, private_groups::parent(&u))?;
                    format!("cn={},{parent}", escape_value(&u.login))
                }
                None => String::new(),
            },
        })
    }

    pub fn branch_dn(&self, b: Branch) -> String {
        format!("ou={},{}", b.name(), self.base_str)
    }

    pub fn org_dn(&self, name: &str) -> String {
        format!("ou={},{}", escape_value(name), self.base_str)
    }

    pub fn roles_dn(&self, org: &str) -> String {
        format!("ou={ROLES},{}", self.org_dn(org))
    }

    /// The container of an organization's applications, or of the
    /// server-wide ones (`org: None`).
    pub fn apps_dn(&self, org: &Option<String>) -> String {
        match org {
            Some(o) => format!("ou={APPLICATIONS},{}", self.org_dn(o)),
            None => self.branch_dn(Branch::Applications),
        }
    }

    /// `org` is the application's organization name, `None` when server-wide.
    pub fn app_dn(&self, app: &Application, org: &Option<String>) -> String {
        format!("cn={},{}", escape_value(&app.name), self.apps_dn(org))
    }

    /// `org` is the user's organization name, `None` for ou=people.
    pub fn user_dn(&self, user: &User, org: &Option<String>) -> String {
        let uid = escape_value(&user.login);
        match org {
            Some(o) => format!("uid={uid},{}", self.org_dn(o)),
            None => format!("uid={uid},{}", self.branch_dn(Branch::People)),
        }
    }

    /// A user's DN below the entry `parent` (a unit's DN).
    pub fn user_dn_in(&self, user: &User, parent: &str) -> String {
        format!("uid={},{parent}", escape_value(&user.login))
    }

    /// A role's DN below the entry `parent` (a unit's DN).
    pub fn role_dn_in(&self, role: &Role, parent: &str) -> String {
        format!("cn={},{parent}", escape_value(&role.name))
    }

    /// A unit's DN: its name, its enclosing units', its organization's (an
    /// empty string if a record vanished meanwhile).
    pub fn unit_dn(&self, tx: &View<'_>, id: Uuid) -> Result<String> {
        let mut rdns = Vec::new();
        let mut next = Some(id);
        let mut org = None;
        // Units nest as deep as clients made them; a cycle (never written by
        // the core) cannot loop forever.
        while let Some(id) = next.filter(|_| rdns.len() < MAX_UNIT_DEPTH) {
            let Some(unit) = tx.unit(id)? else {
                return Ok(String::new());
            };
            rdns.push(format!("ou={}", escape_value(&unit.name)));
            org = Some(unit.org);
            next = unit.parent;
        }
        let Some(org) = org_name(tx, org)? else {
            return Ok(String::new());
        };
        Ok(format!("{},{}", rdns.join(","), self.org_dn(&org)))
    }

    pub fn role_dn(&self, role: &Role, org: &Option<String>) -> String {
        let cn = escape_value(&role.name);
        match org {
            Some(o) => format!("cn={cn},{}", self.roles_dn(o)),
            None => format!("cn={cn},{}", self.branch_dn(Branch::Groups)),
        }
    }

    pub fn service_dn(&self, svc: &ServiceAccount) -> String {
        format!(
            "cn={},{}",
            escape_value(&svc.name),
            self.branch_dn(Branch::Services)
        )
    }

    pub fn org_entry_dn(&self, org: &Organization) -> String {
        self.org_dn(&org.name)
    }

    /// Direct children of a node.
    pub fn children(&self, tx: &View<'_>, node: Node) -> Result<Vec<Node>> {
        Ok(match node {
            Node::Base => {
                let mut out: Vec<Node> = Branch::ALL.into_iter().map(Node::Branch).collect();
                out.extend(tx.orgs()?.into_iter().map(|o| Node::Org(o.id)));
                out
            }
            Node::Branch(Branch::People) => {
                tx.users_in(None)?.into_iter().map(Node::User).collect()
            }
            Node::Branch(Branch::Groups) => {
                let mut out: Vec<Node> = tx.roles_in(None)?.into_iter().map(Node::Role).collect();
                out.extend(private_groups::of_org(tx, None)?);
                out
            }
            Node::Branch(Branch::Services) => tx
                .services()?
                .into_iter()
                .map(|s| Node::Service(s.id))
                .collect(),
            Node::Branch(Branch::Applications) => {
                tx.apps_in(None)?.into_iter().map(Node::App).collect()
            }
            Node::AppsOf(org) => tx.apps_in(Some(org))?.into_iter().map(Node::App).collect(),
            Node::Org(org) => self.contents(tx, org, None)?,
            Node::RolesOf(org) => {
                let units = !tx.units_in(org)?.is_empty();
                let mut out = Vec::new();
                for id in tx.roles_in(Some(org))? {
                    if !units || tx.role(id)?.is_some_and(|r| r.unit.is_none()) {
                        out.push(Node::Role(id));
                    }
                }
                out.extend(private_groups::of_org(tx, Some(org))?);
                out
            }
            Node::Unit(id) => match tx.unit(id)? {
                Some(unit) => self.contents(tx, unit.org, Some(id))?,
                None => Vec::new(),
            },
            Node::User(_)
            | Node::Role(_)
            | Node::Service(_)
            | Node::PrivateGroup(_)
            | Node::App(_) => Vec::new(),
        })
    }

    /// What sits directly in organization `org` (`unit: None`) or in one of
    /// its units: units, users, and (in a unit) roles; the organization
    /// itself also holds its roles container. Records are read only when
    /// the organization has units at all.
    fn contents(&self, tx: &View<'_>, org: Uuid, unit: Option<Uuid>) -> Result<Vec<Node>> {
        let units = tx.units_in(org)?;
        let mut out = Vec::new();
        if unit.is_none() {
            out.push(Node::RolesOf(org));
            if owns_apps(tx, org)? {
                out.push(Node::AppsOf(org));
            }
        }
        out.extend(
            units
                .iter()
                .filter(|u| u.parent == unit)
                .map(|u| Node::Unit(u.id)),
        );
        let users = tx.users_in(Some(org))?;
        if units.is_empty() {
            out.extend(users.into_iter().map(Node::User));
            return Ok(out);
        }
        for id in users {
            if tx.user(id)?.is_some_and(|u| u.unit == unit) {
                out.push(Node::User(id));
            }
        }
        if unit.is_some() {
            for id in tx.roles_in(Some(org))? {
                if tx.role(id)?.is_some_and(|r| r.unit == unit) {
                    out.push(Node::Role(id));
                }
            }
        }
        Ok(out)
    }

    /// Every node below `node` (not including it), parents before children.
    pub fn descendants(&self, tx: &View<'_>, node: Node) -> Result<Vec<Node>> {
        let mut out = Vec::new();
        let mut stack = self.children(tx, node)?;
        stack.reverse();
        while let Some(n) = stack.pop() {
            out.push(n);
            let mut kids = self.children(tx, n)?;
            kids.reverse();
            stack.extend(kids);
        }
        Ok(out)
    }

    /// Whether `node` lies at or below `base` (for candidates found by index).
    pub fn is_within(&self, tx: &View<'_>, node: Node, base: Node) -> Result<bool> {
        if base == Node::Base || node == base {
            return Ok(true);
        }
        Ok(self
            .parent(tx, node)?
            .is_some_and(|p| p == base || self.is_within(tx, p, base).unwrap_or(false)))
    }

    /// The parent of a node (None for the base).
    pub fn parent(&self, tx: &View<'_>, node: Node) -> Result<Option<Node>> {
        Ok(match node {
            Node::Base => None,
            Node::Branch(_) | Node::Org(_) => Some(Node::Base),
            Node::RolesOf(org) | Node::AppsOf(org) => Some(Node::Org(org)),
            Node::App(id) => tx.app(id)?.map(|a| match a.org {
                Some(o) => Node::AppsOf(o),
                None => Node::Branch(Branch::Applications),
            }),
            Node::Unit(id) => tx.unit(id)?.map(|u| match u.parent {
                Some(p) => Node::Unit(p),
                None => Node::Org(u.org),
            }),
            Node::User(id) => tx.user(id)?.map(|u| match (u.unit, u.org) {
                (Some(unit), _) => Node::Unit(unit),
                (None, Some(o)) => Node::Org(o),
                (None, None) => Node::Branch(Branch::People),
            }),
            Node::Role(id) => tx.role(id)?.map(|r| match (r.unit, r.org) {
                (Some(unit), _) => Node::Unit(unit),
                (None, Some(o)) => Node::RolesOf(o),
                (None, None) => Node::Branch(Branch::Groups),
            }),
            Node::Service(_) => Some(Node::Branch(Branch::Services)),
            Node::PrivateGroup(id) => tx.user(id)?.map(|u| private_groups::parent(&u)),
        })
    }
}

/// Whether `org` owns applications: only then does it show the container
/// `ou=applications,ou=<Org>` (most organizations use the server's).
fn owns_apps(tx: &View<'_>, org: Uuid) -> Result<bool> {
    Ok(!tx.apps_in(Some(org))?.is_empty())
}

/// How deep units may nest (a bound on walks up the tree, not a rule).
const MAX_UNIT_DEPTH: usize = 64;

/// The user with `login` if it sits exactly in `unit` of `org`.
fn user_in(tx: &View<'_>, login: &str, org: Uuid, unit: Option<Uuid>) -> Result<Option<Node>> {
    user_placed(tx, login, Some(org), unit)
}

/// The user with this login if it sits exactly in `org` and `unit`. Reads
/// the placement alone: a bind's DN is resolved before the user is read,
/// and decoding the whole record here doubled that work.
fn user_placed(
    tx: &View<'_>,
    login: &str,
    org: Option<Uuid>,
    unit: Option<Uuid>,
) -> Result<Option<Node>> {
    let Some(id) = tx.user_id_by_login(login)? else {
        return Ok(None);
    };
    Ok(tx
        .user_place(id)?
        .filter(|&place| place == (org, unit))
        .map(|_| Node::User(id)))
}

/// The role named `name` if it sits exactly in `unit` of `org`.
fn role_in(tx: &View<'_>, name: &str, org: Uuid, unit: Option<Uuid>) -> Result<Option<Node>> {
    Ok(tx
        .role_by_name(Some(org), name)?
        .filter(|r| r.unit == unit)
        .map(|r| Node::Role(r.id)))
}

/// The name of an optional organization, for DNs (the rest of its record
/// is not decoded: ~3% of a load's CPU when it was).
pub fn org_name(tx: &View<'_>, org: Option<Uuid>) -> Result<Option<String>> {
    match org {
        Some(id) => Ok(tx.org_name(id)?),
        None => Ok(None),
    }
}
