//! Use cases for roles (LDAP groups, SCIM Groups): create, change, delete
//! (membership is `members`). A role belongs to one organization or to the server; an
//! organization's role holds only that organization's users and roles, so its
//! rights never reach past the organization. Roles nest, without cycles and to a
//! bounded depth; [`member_of_closure`] computes nested membership (memberOf).
//! Changing who holds a role's rights (members, nesting, the rights, deleting
//! it) acts on every account whose rights change, under the policy's rank
//! rule.

use super::acl::{Action, Actor, Policy, Target};
use super::error::{Error, Result};
use super::kept::Kept;
use super::model::{Member, Right, Role, Scope, now};
use super::names::{check_role_name, check_text};
use super::users::OrgRef;
use super::{Change, Directory, Request};
use crate::store::Tx;
use std::collections::{BTreeSet, HashSet, VecDeque};
use uuid::Uuid;

/// A new role. `org: None` puts it in the actor's own organization when the actor
/// is bound to one, else makes it server-wide.
#[derive(Clone, Debug, Default)]
pub struct NewRole {
    pub name: String,
    pub org: Option<OrgRef>,
    pub rights: Vec<Right>,
    pub description: Option<String>,
    pub external_id: Option<String>,
    /// A given gidNumber; dirgate allocates one when it is missing.
    pub gid_number: Option<u32>,
    /// The organizational unit of its organization it sits in.
    pub unit: Option<Uuid>,
    /// What an LDAP client wrote besides the fields above (see [`Role::attrs`]).
    pub attrs: Kept,
    /// The id a load keeps (see `identity`); `None`: a new one.
    pub id: Option<Uuid>,
}

/// Changes to a role; `None` leaves a field alone.
#[derive(Clone, Debug, Default)]
pub struct RoleChanges {
    pub name: Option<String>,
    pub rights: Option<Vec<Right>>,
    pub description: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub gid_number: Option<u32>,
    /// Replaces everything kept as written (LDAP's view of the whole entry).
    /// Without it, a new name takes the old one's place among the kept
    /// `cn` values and a new description replaces every kept one.
    pub attrs: Option<Kept>,
}

/// Refuses a gidNumber another role holds (`me` may keep its own).
fn check_gid_number(tx: &Tx, n: u32, me: Option<Uuid>) -> Result<()> {
    match tx.role_by_gid_number(n)? {
        Some(holder) if Some(holder) != me => Err(Error::taken(format!(
            "gidNumber {n} is already in use; group numbers are unique among groups"
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn role_by_id(tx: &Tx, id: Uuid) -> Result<Role> {
    tx.role(id)?
        .ok_or_else(|| Error::not_found(format!("role {id}")))
}

/// Every role `member` is in, directly or through nested roles (breadth first,
/// each role once, at most `max_depth` levels up).
pub fn member_of_closure(tx: &Tx, member: Uuid, max_depth: usize) -> Result<Vec<Uuid>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut queue: VecDeque<(Uuid, usize)> = VecDeque::from([(member, 0)]);
    while let Some((id, depth)) = queue.pop_front() {
        if depth >= max_depth {
            continue;
        }
        for role in tx.member_of(id)? {
            if seen.insert(role) {
                out.push(role);
                queue.push_back((role, depth + 1));
            }
        }
    }
    Ok(out)
}

/// The roles `member` is in (as [`member_of_closure`]) that `actor` may read:
/// what `memberOf` shows. A role the reader may not read (a server-wide role
/// holding a user of its organization) is not named to it, as SCIM's
/// `groups` does not name it either.
pub fn visible_member_of(
    tx: &Tx,
    policy: &Policy,
    actor: &Actor,
    member: Uuid,
    max_depth: usize,
) -> Result<Vec<Role>> {
    let mut out = Vec::new();
    for id in member_of_closure(tx, member, max_depth)? {
        let readable = |r: &Role| {
            policy
                .authorize(actor, Action::Read, &Target::org(r.org))
                .is_ok()
        };
        out.extend(tx.role(id)?.filter(readable));
    }
    Ok(out)
}

/// The rights a member holds through its roles, each with where it applies.
pub fn grants_of(tx: &Tx, member: Uuid, max_depth: usize) -> Result<Vec<(Scope, Right)>> {
    let mut grants = BTreeSet::new();
    for id in member_of_closure(tx, member, max_depth)? {
        if let Some(role) = tx.role(id)? {
            for right in role.rights {
                grants.insert((scope_key(role.org), right));
            }
        }
    }
    Ok(grants
        .into_iter()
        .map(|(org, r)| (Scope::of(org.map(Uuid::from_u128)), r))
        .collect())
}

fn scope_key(org: Option<Uuid>) -> Option<u128> {
    org.map(|o| o.as_u128())
}

fn normalized_rights(rights: &[Right]) -> Vec<Right> {
    let set: BTreeSet<Right> = rights.iter().copied().collect();
    set.into_iter().collect()
}

impl Directory {
    /// The role `id`, wanted for `action`: absent, or out of the actor's
    /// reach, it is the same "role <id> not found" (see [`Directory::known`]).
    pub(crate) fn role_for(
        &self,
        tx: &Tx,
        req: &Request,
        action: Action,
        id: Uuid,
    ) -> Result<Role> {
        let role = role_by_id(tx, id)?;
        self.known(req, action, Target::org(role.org), || format!("role {id}"))?;
        Ok(role)
    }

    /// Where a new role goes (see [`NewRole`]).
    fn role_placement(&self, tx: &Tx, req: &Request, org: Option<&OrgRef>) -> Result<Option<Uuid>> {
        match org {
            Some(o) => self.org_ref_for(tx, req, Action::CreateRole, o),
            None => Ok(req.actor.home_org()),
        }
    }

    /// Every right in `rights` must be one the actor may grant in `org`.
    pub(super) fn authorize_grants(
        &self,
        req: &Request,
        org: Option<Uuid>,
        rights: &[Right],
    ) -> Result<()> {
        for right in rights {
            self.authorize(req, Action::GrantRight(*right), Target::org(org))?;
        }
        Ok(())
    }

    pub fn create_role(&self, req: &Request, new: NewRole) -> Result<Role> {
        self.write(req, |tx| self.create_role_in(tx, req, new.clone()))
    }

    /// The body of [`Self::create_role`] inside a caller's transaction.
    pub(crate) fn create_role_in(&self, tx: &mut Tx, req: &Request, new: NewRole) -> Result<Role> {
        check_role_name(&new.name)?;
        if let Some(d) = &new.description {
            check_text("description", d)?;
        }
        new.attrs.check()?;
        let org = self.role_placement(tx, req, new.org.as_ref())?;
        self.authorize(req, Action::CreateRole, Target::org(org))?;
        super::units::check_unit_of(tx, org, new.unit)?;
        let rights = normalized_rights(&new.rights);
        self.authorize_grants(req, org, &rights)?;
        if let Some(existing) = tx.role_by_name(org, &new.name)? {
            return Err(Error::exists(format!("role {}", existing.name)));
        }
        let id = self.new_id(tx, req, new.id)?;
        let gid = match new.gid_number {
            Some(n) => {
                check_gid_number(tx, n, None)?;
                n
            }
            None => tx.next_id_number()?,
        };
        let change = Change {
            action: "role.create",
            target: &new.name,
            target_id: Some(id),
            org,
            detail: Some(rights_text(&rights)),
        };
        let version = self.log(tx, req, change)?;
        let t = now();
        let role = Role {
            id,
            name: new.name,
            org,
            unit: new.unit,
            rights,
            description: new.description,
            external_id: new.external_id,
            gid_number: gid,
            created: t,
            modified: t,
            version,
            attrs: new.attrs,
        };
        tx.put_role(&role)?;
        Ok(role)
    }

    /// A role, if the actor may read it.
    pub fn get_role(&self, req: &Request, id: Uuid) -> Result<Role> {
        self.read(|tx| {
            let role = role_by_id(tx, id)?;
            self.authorize(req, Action::Read, Target::org(role.org))
                .map_err(|_| Error::not_found(format!("role {id}")))?;
            Ok(role)
        })
    }

    /// The role a front end is about to change, refused unless the actor may
    /// read it (see [`Directory::authorize_visible`]).
    pub(crate) fn role_to_change(&self, tx: &Tx, req: &Request, id: Uuid) -> Result<Role> {
        let role = role_by_id(tx, id)?;
        self.authorize_visible(req, Action::ModifyRole, Target::org(role.org), || {
            format!("role {id}")
        })?;
        Ok(role)
    }

    pub fn update_role(&self, req: &Request, id: Uuid, changes: RoleChanges) -> Result<Role> {
        self.write(req, |tx| self.update_role_in(tx, req, id, &changes))
    }

    /// The body of [`Self::update_role`] inside a caller's transaction.
    pub(crate) fn update_role_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        changes: &RoleChanges,
    ) -> Result<Role> {
        if let Some(n) = &changes.name {
            check_role_name(n)?;
        }
        let mut role = self.role_for(tx, req, Action::ModifyRole, id)?;
        self.authorize(req, Action::ModifyRole, Target::org(role.org))?;
        let mut what = Vec::new();
        if let Some(name) = changes.name.as_ref().filter(|n| **n != role.name) {
            if tx.role_by_name(role.org, name)?.is_some_and(|r| r.id != id) {
                return Err(Error::exists(format!("role {name}")));
            }
            what.push(format!("name {} -> {name}", role.name));
            let names = renamed(role.attrs.get("cn"), &role.name, name);
            role.attrs.set("cn", names);
            role.name = name.clone();
        }
        if let Some(rights) = &changes.rights {
            let rights = normalized_rights(rights);
            let added: Vec<Right> = rights
                .iter()
                .filter(|r| !role.rights.contains(r))
                .copied()
                .collect();
            self.authorize_grants(req, role.org, &added)?;
            if role.rights.iter().any(|r| !rights.contains(r)) {
                self.authorize_holders(tx, req, Member::Role(id))?;
            }
            if rights != role.rights {
                what.push(format!("rights={}", rights_text(&rights)));
                role.rights = rights;
            }
        }
        if let Some(d) = &changes.description {
            role.description = d.clone();
            role.attrs.set("description", Vec::new());
            what.push("description".into());
        }
        if let Some(e) = &changes.external_id {
            role.external_id = e.clone();
            what.push("externalId".into());
        }
        if let Some(n) = changes.gid_number.filter(|n| *n != role.gid_number) {
            check_gid_number(tx, n, Some(id))?;
            role.gid_number = n;
            what.push(format!("gidNumber={n}"));
        }
        if let Some(attrs) = changes.attrs.as_ref().filter(|a| **a != role.attrs) {
            attrs.check()?;
            role.attrs = attrs.clone();
            what.push("attributes".into());
        }
        let change = Change {
            action: "role.modify",
            target: &role.name,
            target_id: Some(id),
            org: role.org,
            detail: Some(what.join(", ")),
        };
        role.version = self.log(tx, req, change)?;
        role.modified = now();
        tx.put_role(&role)?;
        Ok(role)
    }

    pub fn delete_role(&self, req: &Request, id: Uuid) -> Result<()> {
        let (dir, r) = (self.clone(), req.clone());
        self.write_shared(req, move |tx| dir.delete_role_in(tx, &r, id))
    }

    /// The body of [`Self::delete_role`] inside a caller's transaction.
    pub(crate) fn delete_role_in(&self, tx: &mut Tx, req: &Request, id: Uuid) -> Result<()> {
        let role = self.role_for(tx, req, Action::DeleteRole, id)?;
        self.authorize(req, Action::DeleteRole, Target::org(role.org))?;
        if !self.carried_rights(tx, &role)?.is_empty() {
            self.authorize_holders(tx, req, Member::Role(id))?;
        }
        let change = Change {
            action: "role.delete",
            target: &role.name,
            target_id: Some(id),
            org: role.org,
            detail: None,
        };
        self.log(tx, req, change)?;
        super::apps::forget_role(tx, id)?;
        tx.delete_role(id)?;
        Ok(())
    }
}

/// The kept `cn` values after a rename from `old` to `new`: the new name
/// where the old one was (first when it was not there). None kept stays
/// none: the name alone is the role's one `cn`.
fn renamed(kept: &[String], old: &str, new: &str) -> Vec<String> {
    if kept.is_empty() {
        return Vec::new();
    }
    let mut names: Vec<String> = kept.to_vec();
    match names.iter().position(|n| n.eq_ignore_ascii_case(old)) {
        Some(i) => names[i] = new.to_owned(),
        None => names.insert(0, new.to_owned()),
    }
    let mut seen = HashSet::new();
    names.retain(|n| seen.insert(n.to_lowercase()));
    if names.len() == 1 { Vec::new() } else { names }
}

fn rights_text(rights: &[Right]) -> String {
    let names: Vec<&str> = rights.iter().map(|r| r.as_str()).collect();
    format!("rights=[{}]", names.join(","))
}
