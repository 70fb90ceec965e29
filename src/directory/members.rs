//! Membership of roles: adding and removing members (users and nested
//! roles), the rules that keep an organization's role to its own
//! organization's members and nesting free of cycles and bounded in depth,
//! and the rank rule for the accounts whose rights a membership change
//! gives or takes (every account inside a role that carries rights).

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::model::{Member, Right, Role, now};
use super::roles::{member_of_closure, role_by_id};
use super::users::user_by_id;
use super::{Change, Directory, Request};
use crate::store::Tx;
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

impl Directory {
    /// Adds a member. Whoever adds a member to a role that carries rights (itself
    /// or through the roles containing it) must hold those rights.
    pub fn add_member(&self, req: &Request, role_id: Uuid, member: Member) -> Result<Role> {
        self.write(req, |tx| self.add_member_in(tx, req, role_id, member))
    }

    /// The body of [`Self::add_member`] inside a caller's transaction.
    pub(crate) fn add_member_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        role_id: Uuid,
        member: Member,
    ) -> Result<Role> {
        let mut role = self.role_for(tx, req, Action::ModifyRole, role_id)?;
        self.authorize(req, Action::ModifyRole, Target::org(role.org))?;
        let (name, member_org) = self.member_facts(tx, req, member)?;
        if role.org.is_some() && member_org != role.org {
            return Err(Error::invalid(format!(
                "{name} is not in the role's organization; an organization's roles hold only its own users and roles"
            )));
        }
        if let Member::Role(inner) = member {
            self.check_nesting(tx, &role, inner, member_org)?;
        }
        let carried = self.carried_rights(tx, &role)?;
        self.authorize_grants(req, role.org, &carried)?;
        if !carried.is_empty() {
            self.authorize_holders(tx, req, member)?;
        }
        if tx.member_of(member.id())?.contains(&role_id) {
            return Ok(role);
        }
        let change = Change {
            action: "role.add-member",
            target: &role.name,
            target_id: Some(role_id),
            org: role.org,
            detail: Some(name),
        };
        role.version = self.log(tx, req, change)?;
        role.modified = now();
        tx.add_member(role_id, member.id())?;
        tx.put_role(&role)?;
        Ok(role)
    }

    pub fn remove_member(&self, req: &Request, role_id: Uuid, member: Uuid) -> Result<Role> {
        self.write(req, |tx| self.remove_member_in(tx, req, role_id, member))
    }

    /// The body of [`Self::remove_member`] inside a caller's transaction.
    pub(crate) fn remove_member_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        role_id: Uuid,
        member: Uuid,
    ) -> Result<Role> {
        let mut role = self.role_for(tx, req, Action::ModifyRole, role_id)?;
        self.authorize(req, Action::ModifyRole, Target::org(role.org))?;
        if !tx.member_of(member)?.contains(&role_id) {
            return Err(Error::not_found(format!(
                "member {member} of role {}",
                role.name
            )));
        }
        if !self.carried_rights(tx, &role)?.is_empty() {
            let member = match tx.user(member)? {
                Some(_) => Member::User(member),
                None => Member::Role(member),
            };
            self.authorize_holders(tx, req, member)?;
        }
        let change = Change {
            action: "role.remove-member",
            target: &role.name,
            target_id: Some(role_id),
            org: role.org,
            detail: Some(member.to_string()),
        };
        role.version = self.log(tx, req, change)?;
        role.modified = now();
        tx.remove_member(role_id, member)?;
        tx.put_role(&role)?;
        Ok(role)
    }

    /// A member's display name and organization, or "not found" when it does
    /// not exist or the actor may not read it: the refusals that follow name
    /// the member, and would otherwise confirm another organization's user
    /// (with its login) to whoever guessed or saw its id.
    fn member_facts(
        &self,
        tx: &Tx,
        req: &Request,
        member: Member,
    ) -> Result<(String, Option<Uuid>)> {
        let (name, org, target) = match member {
            Member::User(id) => {
                let u = super::users::user_by_id(tx, id)?;
                let target = super::users::read_target(&u);
                (u.login, u.org, target)
            }
            Member::Role(id) => {
                let r = role_by_id(tx, id)?;
                (format!("role {}", r.name), r.org, Target::org(r.org))
            }
        };
        if self.authorize(req, Action::Read, target).is_err() {
            return Err(match member {
                Member::User(id) => Error::not_found(format!("user {id}")),
                Member::Role(id) => Error::not_found(format!("role {id}")),
            });
        }
        Ok((name, org))
    }

    /// Whether `member` exists and the actor may read it. A front end that
    /// turns names into members answers alike for the others, so that naming
    /// another organization's user tells nothing a missing one would not.
    pub(crate) fn member_readable(&self, tx: &Tx, req: &Request, member: Member) -> Result<bool> {
        match self.member_facts(tx, req, member) {
            Ok(_) => Ok(true),
            Err(Error::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Refuses a cycle, a server role inside an organization's role boundary
    /// mix-up, and nesting deeper than the configured limit.
    pub(super) fn check_nesting(
        &self,
        tx: &Tx,
        outer: &Role,
        inner: Uuid,
        inner_org: Option<Uuid>,
    ) -> Result<()> {
        if outer.org.is_none() && inner_org.is_some() {
            return Err(Error::invalid(
                "a server-wide role may contain users and server-wide roles, not an organization's roles",
            ));
        }
        let max = self.settings().max_role_depth;
        let above = member_of_closure(tx, outer.id, max)?;
        if inner == outer.id || above.contains(&inner) {
            return Err(Error::invalid(format!(
                "adding that role to {} would make a cycle",
                outer.name
            )));
        }
        if depth_above(tx, outer.id, max)? + depth_below(tx, inner, max)? + 1 > max {
            return Err(Error::invalid(format!(
                "roles may nest at most {max} levels deep"
            )));
        }
        Ok(())
    }

    /// Giving or taking rights acts on the accounts that gain or lose them:
    /// each user `member` stands for must be one the actor may act on (see
    /// [`Action::ChangeMembership`]).
    pub(super) fn authorize_holders(&self, tx: &Tx, req: &Request, member: Member) -> Result<()> {
        for id in users_within(tx, member, self.settings().max_role_depth)? {
            let user = user_by_id(tx, id)?;
            self.authorize(req, Action::ChangeMembership, self.target_of(tx, &user)?)?;
        }
        Ok(())
    }

    /// Rights of the role and of every role containing it: what a new member gains.
    pub(super) fn carried_rights(&self, tx: &Tx, role: &Role) -> Result<Vec<Right>> {
        let mut rights: BTreeSet<Right> = role.rights.iter().copied().collect();
        for id in member_of_closure(tx, role.id, self.settings().max_role_depth)? {
            if let Some(r) = tx.role(id)? {
                rights.extend(r.rights);
            }
        }
        Ok(rights.into_iter().collect())
    }
}

/// The users `member` stands for: itself, or every user inside a role,
/// nested roles included (each role once, at most `max_depth` levels down).
pub(super) fn users_within(tx: &Tx, member: Member, max_depth: usize) -> Result<BTreeSet<Uuid>> {
    let (mut users, mut seen) = (BTreeSet::new(), HashSet::new());
    let mut frontier = vec![member];
    for _ in 0..=max_depth {
        let mut next = Vec::new();
        for m in frontier {
            match m {
                Member::User(id) => {
                    users.insert(id);
                }
                Member::Role(id) if seen.insert(id) => next.extend(tx.role_members(id)?),
                Member::Role(_) => {}
            }
        }
        frontier = next;
    }
    Ok(users)
}

/// How many levels of roles sit above `role` (0 when it is in no role).
fn depth_above(tx: &Tx, role: Uuid, max: usize) -> Result<usize> {
    walk_depth(max, role, |id| tx.member_of(id).map_err(Error::from))
}

/// How many levels of roles sit inside `role` (1 for a role without role members).
fn depth_below(tx: &Tx, role: Uuid, max: usize) -> Result<usize> {
    let inner = walk_depth(max, role, |id| {
        Ok(tx
            .role_members(id)?
            .into_iter()
            .filter_map(|m| match m {
                Member::Role(r) => Some(r),
                Member::User(_) => None,
            })
            .collect())
    })?;
    Ok(inner + 1)
}

/// Longest chain of `next` steps from `start`, capped at `max + 1`.
fn walk_depth(max: usize, start: Uuid, next: impl Fn(Uuid) -> Result<Vec<Uuid>>) -> Result<usize> {
    let mut frontier = vec![start];
    let mut depth = 0;
    while !frontier.is_empty() && depth <= max {
        let mut following = Vec::new();
        for id in frontier {
            following.extend(next(id)?);
        }
        if following.is_empty() {
            break;
        }
        depth += 1;
        frontier = following;
    }
    Ok(depth)
}
