//! Reads and writes shaped for a provisioning front end (SCIM): users and roles
//! listed with what the actor may see, each with its memberships resolved, and
//! role changes whose name, attributes and member list change in one
//! transaction. Visibility and every change go through the policy, here in the
//! core; the front end only shapes the answers. Imports no protocol crate.

use super::acl::{Action, ActorKind, Target};
use super::error::{Error, Result};
use super::model::{Member, Role, Scope, User};
use super::profile::Profile;
use super::roles::{NewRole, RoleChanges, member_of_closure, role_by_id};
use super::users::{NewUser, read_target, user_by_id};
use super::{Directory, Request};
use crate::store::Tx;
use std::collections::BTreeSet;
use uuid::Uuid;

/// A user with the roles it is in (id, name, direct rather than through
/// nested roles).
#[derive(Clone, Debug)]
pub struct UserView {
    pub user: User,
    pub groups: Vec<(Uuid, String, bool)>,
    /// The name of the user's organization, if any.
    pub org_name: Option<String>,
}

/// A role with its direct members (member, display name); `members` is empty
/// when they were not asked for.
#[derive(Clone, Debug)]
pub struct RoleView {
    pub role: Role,
    pub members: Vec<(Member, String)>,
}

/// How to find candidate users: an index when the question allows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserLookup {
    All,
    /// Login, ignoring case.
    Login(String),
    /// Any of the user's email addresses, ignoring case.
    Email(String),
    /// External id, exactly.
    ExternalId(String),
}

/// The new member list of a role, replacing the old one.
pub type MemberList = Vec<Member>;

impl Directory {
    /// Creates a user with its descriptive profile, in one transaction.
    pub fn create_user_with_profile(
        &self,
        req: &Request,
        new: NewUser,
        profile: Profile,
    ) -> Result<User> {
        let hash = self.new_account_hash(req, &new)?;
        // One record write: the profile goes in with the user.
        let new = NewUser { profile, ..new };
        self.create_user_shared(req, new, hash)
    }

    /// The users the actor may read, narrowed by `lookup`, in no particular order.
    pub fn view_users(&self, req: &Request, lookup: &UserLookup) -> Result<Vec<UserView>> {
        self.read(|tx| {
            let candidates = self.candidate_users(tx, req, lookup)?;
            let mut out = Vec::with_capacity(candidates.len());
            for user in candidates {
                if self
                    .authorize(req, Action::Read, read_target(&user))
                    .is_ok()
                {
                    out.push(self.user_view(tx, req, user)?);
                }
            }
            Ok(out)
        })
    }

    /// One user the actor may read, or "not found".
    pub fn view_user(&self, req: &Request, id: Uuid) -> Result<UserView> {
        self.read(|tx| {
            let user = user_by_id(tx, id)?;
            self.authorize(req, Action::Read, read_target(&user))
                .map_err(|_| Error::not_found(format!("user {id}")))?;
            self.user_view(tx, req, user)
        })
    }

    fn candidate_users(&self, tx: &Tx, req: &Request, lookup: &UserLookup) -> Result<Vec<User>> {
        let ids = match lookup {
            UserLookup::All => return self.users_in_reach(tx, req),
            UserLookup::Login(l) => tx.user_id_by_login(l)?.into_iter().collect(),
            // Every address is indexed, secondary ones included: the hits are
            // every candidate, and the filter then decides among them.
            UserLookup::Email(e) => tx.users_by_any_email(e)?,
            UserLookup::ExternalId(x) => tx.users_by_external_id(x)?,
        };
        let mut out = Vec::new();
        for id in ids {
            out.extend(tx.user(id)?);
        }
        Ok(out)
    }

    /// Every user an organization-bound token could reach (its organization's),
    /// else every user; the policy still decides each one.
    fn users_in_reach(&self, tx: &Tx, req: &Request) -> Result<Vec<User>> {
        if let ActorKind::Token {
            scope: Scope::Org(org),
        } = req.actor.kind
        {
            let mut out = Vec::new();
            for id in tx.users_in(Some(org))? {
                out.extend(tx.user(id)?);
            }
            return Ok(out);
        }
        Ok(tx.users()?)
    }

    fn user_view(&self, tx: &Tx, req: &Request, user: User) -> Result<UserView> {
        let direct = tx.member_of(user.id)?;
        let all = member_of_closure(tx, user.id, self.settings().max_role_depth)?;
        let mut groups = Vec::new();
        for id in all {
            if let Some(role) = tx.role(id)?.filter(|r| self.may_read_role(req, r)) {
                groups.push((role.id, role.name, direct.contains(&id)));
            }
        }
        let org_name = match user.org {
            Some(o) => tx.org(o)?.map(|o| o.name),
            None => None,
        };
        Ok(UserView {
            user,
            groups,
            org_name,
        })
    }

    fn may_read_role(&self, req: &Request, role: &Role) -> bool {
        self.authorize(req, Action::Read, Target::org(role.org))
            .is_ok()
    }

    /// The roles the actor may read; with their members when `members` is true.
    pub fn view_roles(&self, req: &Request, members: bool) -> Result<Vec<RoleView>> {
        self.read(|tx| {
            let roles = match req.actor.kind {
                ActorKind::Token {
                    scope: Scope::Org(org),
                } => {
                    let mut out = Vec::new();
                    for id in tx.roles_in(Some(org))? {
                        out.extend(tx.role(id)?);
                    }
                    out
                }
                _ => tx.roles()?,
            };
            let mut out = Vec::new();
            for role in roles.into_iter().filter(|r| self.may_read_role(req, r)) {
                out.push(self.role_view(tx, role, members)?);
            }
            Ok(out)
        })
    }

    /// One role the actor may read, or "not found".
    pub fn view_role(&self, req: &Request, id: Uuid, members: bool) -> Result<RoleView> {
        self.read(|tx| {
            let role = role_by_id(tx, id)?;
            if !self.may_read_role(req, &role) {
                return Err(Error::not_found(format!("role {id}")));
            }
            self.role_view(tx, role, members)
        })
    }

    fn role_view(&self, tx: &Tx, role: Role, members: bool) -> Result<RoleView> {
        let mut out = Vec::new();
        if members {
            for m in tx.role_members(role.id)? {
                let name = match m {
                    Member::User(id) => tx.user(id)?.map(|u| u.common_name()),
                    Member::Role(id) => tx.role(id)?.map(|r| r.name),
                };
                out.extend(name.map(|n| (m, n)));
            }
        }
        Ok(RoleView { role, members: out })
    }

    /// Which kind of member `id` is, if the actor may read it; else "not found",
    /// so a front end can turn member ids into [`Member`]s without guessing.
    pub fn resolve_member(&self, req: &Request, id: Uuid) -> Result<Member> {
        self.read(|tx| {
            if let Some(user) = tx.user(id)? {
                if self
                    .authorize(req, Action::Read, read_target(&user))
                    .is_ok()
                {
                    return Ok(Member::User(id));
                }
            } else if tx.role(id)?.is_some_and(|r| self.may_read_role(req, &r)) {
                return Ok(Member::Role(id));
            }
            Err(Error::not_found(format!("member {id}")))
        })
    }

    /// Creates a role with its members, all or nothing.
    pub fn create_role_with_members(
        &self,
        req: &Request,
        new: NewRole,
        members: MemberList,
    ) -> Result<Role> {
        // Shared with concurrent writes, as user writes are.
        let (dir, r) = (self.clone(), req.clone());
        self.write_shared(req, move |tx| {
            let role = dir.create_role_in(tx, &r, new.clone())?;
            dir.set_members_in(tx, &r, role, &members)
        })
    }

    /// Changes a role and (when given) replaces its member list, all or nothing;
    /// with `if_version`, only while the role is still at that version.
    pub fn change_role(
        &self,
        req: &Request,
        id: Uuid,
        changes: RoleChanges,
        members: Option<MemberList>,
        if_version: Option<u64>,
    ) -> Result<Role> {
        let (dir, req_in) = (self.clone(), req.clone());
        self.write_shared(req, move |tx| {
            let (req, this) = (&req_in, &dir);
            let current = this.role_for(tx, req, Action::ModifyRole, id)?;
            // The conflict names the role: only once the policy allows the change.
            this.authorize(req, Action::ModifyRole, Target::org(current.org))?;
            if if_version.is_some_and(|v| v != current.version) {
                return Err(Error::conflict(format!(
                    "role {} changed since the version this change was based on",
                    current.name
                )));
            }
            let touches = changes.name.is_some()
                || changes.rights.is_some()
                || changes.description.is_some()
                || changes.external_id.is_some();
            let mut role = if touches {
                this.update_role_in(tx, req, id, &changes)?
            } else {
                current
            };
            if let Some(members) = &members {
                role = this.set_members_in(tx, req, role, members)?;
            }
            Ok(role)
        })
    }

    fn set_members_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        mut role: Role,
        members: &[Member],
    ) -> Result<Role> {
        let wanted: BTreeSet<Member> = members.iter().copied().collect();
        let current: BTreeSet<Member> = tx.role_members(role.id)?.into_iter().collect();
        for gone in current.difference(&wanted) {
            role = self.remove_member_in(tx, req, role.id, gone.id())?;
        }
        for added in wanted.difference(&current) {
            role = self.add_member_in(tx, req, role.id, *added)?;
        }
        Ok(role)
    }
}
