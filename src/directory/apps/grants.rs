//! Who has an application: roles carry applications, and a user has every
//! application of every role it sits in, nested roles included. Giving a
//! role an application or taking it off is a change of the role (role
//! management in its organization); nothing else is stored, so access
//! follows memberships at once. Also who approves an application's requests
//! in an organization (the users it named, and the members of the roles it
//! named).

use super::usable_in;
use crate::directory::acl::{Action, Target};
use crate::directory::error::{Error, Result};
use crate::directory::members::users_within;
use crate::directory::model::{Application, Member, Role, now};
use crate::directory::roles::member_of_closure;
use crate::directory::{Change, Directory, Request};
use crate::store::Tx;
use std::collections::BTreeSet;
use uuid::Uuid;

impl Directory {
    /// Makes role `role_id` carry application `app_id`: its members (and
    /// the members of the roles inside it) have the application.
    pub fn add_role_app(&self, req: &Request, role_id: Uuid, app_id: Uuid) -> Result<Role> {
        self.write(req, |tx| self.link_role_app(tx, req, role_id, app_id, true))
    }

    /// Takes application `app_id` off role `role_id`; it stops being the
    /// default role of any organization for it.
    pub fn remove_role_app(&self, req: &Request, role_id: Uuid, app_id: Uuid) -> Result<Role> {
        self.write(req, |tx| {
            self.link_role_app(tx, req, role_id, app_id, false)
        })
    }

    pub(crate) fn link_role_app(
        &self,
        tx: &mut Tx,
        req: &Request,
        role_id: Uuid,
        app_id: Uuid,
        carry: bool,
    ) -> Result<Role> {
        let mut role = self.role_for(tx, req, Action::ModifyRole, role_id)?;
        self.authorize(req, Action::ModifyRole, Target::org(role.org))?;
        let mut app = self.app_for(tx, req, Action::ModifyRole, app_id)?;
        if carry && !usable_in(&app, role.org) {
            return Err(Error::invalid(format!(
                "application {} belongs to another organization than role {}; a role carries its own organization's applications and server-wide ones",
                app.name, role.name
            )));
        }
        let carries = tx.apps_of_role(role_id)?.contains(&app_id);
        if carries == carry {
            return Ok(role);
        }
        let change = Change {
            action: if carry {
                "role.add-application"
            } else {
                "role.remove-application"
            },
            target: &role.name,
            target_id: Some(role_id),
            org: role.org,
            detail: Some(app.name.clone()),
        };
        role.version = self.log(tx, req, change)?;
        role.modified = now();
        tx.link_app(role_id, app_id, carry)?;
        tx.put_role(&role)?;
        if !carry && clear_default(&mut app, role_id) {
            tx.put_app(&app)?;
        }
        Ok(role)
    }

    /// The applications role `role_id` carries itself, that the actor may see.
    pub fn role_apps(&self, req: &Request, role_id: Uuid) -> Result<Vec<Application>> {
        self.read(|tx| {
            let role = self.role_for(tx, req, Action::Read, role_id)?;
            self.authorize(req, Action::Read, Target::org(role.org))
                .map_err(|_| Error::not_found(format!("role {role_id}")))?;
            let mut out = Vec::new();
            for id in tx.apps_of_role(role_id)? {
                if let Some(app) = tx.app(id)?
                    && self
                        .authorize(req, Action::SeeApplication, Target::org(app.org))
                        .is_ok()
                {
                    out.push(app);
                }
            }
            out.sort_by_key(|a| a.name.to_lowercase());
            Ok(out)
        })
    }

    /// The roles of `org` that carry application `app_id` themselves and
    /// that the actor may read, by name: where an approval may put a user.
    pub fn app_roles(&self, req: &Request, app_id: Uuid, org: Uuid) -> Result<Vec<Role>> {
        self.read(|tx| {
            self.app_for(tx, req, Action::SeeApplication, app_id)?;
            let mut out = Vec::new();
            for id in tx.roles_of_app(app_id)? {
                if let Some(role) = tx.role(id)?.filter(|r| r.org == Some(org))
                    && self
                        .authorize(req, Action::Read, Target::org(role.org))
                        .is_ok()
                {
                    out.push(role);
                }
            }
            out.sort_by_key(|r| r.name.to_lowercase());
            Ok(out)
        })
    }

    /// The applications the actor itself has (none for who is no user).
    pub fn my_apps(&self, req: &Request) -> Result<Vec<Uuid>> {
        match (&req.actor.kind, req.actor.id) {
            (crate::directory::acl::ActorKind::User(_), Some(me)) => {
                self.read(|tx| apps_of(tx, me, self.settings().max_role_depth))
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Whether the actor may make or manage applications owned by `org`
    /// (`None`: server-wide ones), or set `org`'s approvers.
    pub fn may_manage_apps(&self, req: &Request, org: Option<Uuid>) -> bool {
        self.authorize(req, Action::ManageApplications, Target::org(org))
            .is_ok()
    }

    /// The users who have application `app_id` that the actor may read, by id.
    pub fn app_users(&self, req: &Request, app_id: Uuid) -> Result<Vec<Uuid>> {
        self.read(|tx| {
            self.app_for(tx, req, Action::SeeApplication, app_id)?;
            let mut out = Vec::new();
            for id in users_with(tx, app_id, self.settings().max_role_depth)? {
                if let Some(u) = tx.user(id)?
                    && self
                        .authorize(req, Action::Read, crate::directory::users::read_target(&u))
                        .is_ok()
                {
                    out.push(id);
                }
            }
            Ok(out)
        })
    }
}

/// Clears `role` as a default role of `app` anywhere; true if it was one.
pub(crate) fn clear_default(app: &mut Application, role: Uuid) -> bool {
    let mut changed = false;
    for s in app.orgs.clone() {
        if s.default_role == Some(role) {
            let mut s = s;
            s.default_role = None;
            app.set_in_org(s);
            changed = true;
        }
    }
    changed
}

/// Every user who has `app`: the members of each role carrying it, nested
/// roles included.
pub fn users_with(tx: &Tx, app: Uuid, max_depth: usize) -> Result<BTreeSet<Uuid>> {
    let mut out = BTreeSet::new();
    for role in tx.roles_of_app(app)? {
        out.extend(users_within(tx, Member::Role(role), max_depth)?);
    }
    Ok(out)
}

/// The applications `member` (a user or a role) has through the roles it
/// sits in, nested ones included; each once.
pub fn apps_of(tx: &Tx, member: Uuid, max_depth: usize) -> Result<Vec<Uuid>> {
    apps_of_roles(tx, &member_of_closure(tx, member, max_depth)?)
}

/// The applications `roles` carry themselves, each once.
pub fn apps_of_roles(tx: &Tx, roles: &[Uuid]) -> Result<Vec<Uuid>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for &role in roles {
        for app in tx.apps_of_role(role)? {
            if seen.insert(app) {
                out.push(app);
            }
        }
    }
    Ok(out)
}

/// Whether `user` has `app` now.
pub fn has_app(tx: &Tx, user: Uuid, app: Uuid, max_depth: usize) -> Result<bool> {
    Ok(apps_of(tx, user, max_depth)?.contains(&app))
}

/// Whether `user` is one of the approvers `org` named for `app`.
pub fn is_approver(
    tx: &Tx,
    app: &Application,
    org: Uuid,
    user: Uuid,
    depth: usize,
) -> Result<bool> {
    let named = app.in_org(org).approvers;
    if named.contains(&Member::User(user)) {
        return Ok(true);
    }
    let roles = member_of_closure(tx, user, depth)?;
    Ok(named
        .iter()
        .any(|m| matches!(m, Member::Role(r) if roles.contains(r))))
}

/// The users `org` named as approvers of `app` (members of named roles
/// included, nested ones too), who still belong to `org`.
pub fn approver_ids(tx: &Tx, app: Uuid, org: Uuid) -> crate::store::StoreResult<Vec<Uuid>> {
    let Some(app) = tx.app(app)? else {
        return Ok(Vec::new());
    };
    let mut out = BTreeSet::new();
    for m in app.in_org(org).approvers {
        // Bounded like every role walk (the depth is not configurable, so
        // the default is the one in force); a store error ends the list.
        match users_within(tx, m, crate::directory::Settings::default().max_role_depth) {
            Ok(ids) => out.extend(ids),
            Err(crate::directory::Error::Store(e)) => return Err(e),
            Err(_) => {}
        }
    }
    let mut kept = Vec::new();
    for id in out {
        if tx.user(id)?.is_some_and(|u| u.org == Some(org)) {
            kept.push(id);
        }
    }
    Ok(kept)
}
