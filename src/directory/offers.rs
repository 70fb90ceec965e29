//! What a front end may offer an actor: the lifecycle and lock actions the
//! policy allows on an account it shows (the account's state deciding which
//! make sense), whether it may add, change or delete organizations (seats, administrators), and whether it
//! may read the audit trail. The console shows a
//! button for each; the use case asks the policy again when it runs, so an
//! offer is a courtesy, never the check.

use super::acl::{Action, ActorKind, Target};
use super::error::Result;
use super::model::{Lifecycle, Organization, Role, User};
use super::{Directory, Request};

/// The actions an actor may take on one account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountActions {
    pub disable: bool,
    pub enable: bool,
    /// registered → active, after the administrator checked the person.
    pub validate: bool,
    pub unlock: bool,
    /// Set its password without knowing the current one.
    pub reset_password: bool,
    /// A fresh registration token for an account that has not registered.
    pub reinvite: bool,
    /// Remove its second factor (a lost phone).
    pub reset_second_factor: bool,
}

/// What an actor may change on one organization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrgActions {
    /// Its seat count.
    pub seats: bool,
    /// Appoint, replace or remove its Organization Administrator.
    pub org_admin: bool,
    /// Appoint and remove its Delegated Administrators.
    pub delegates: bool,
    /// Delete it (an empty one).
    pub delete: bool,
}

/// What an actor may manage of applications' credentials.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccessActions {
    pub scim_tokens: bool,
    pub services: bool,
    pub suffixes: bool,
}

impl Directory {
    /// The actions `req` may take on each of `users`, in order.
    pub fn account_actions(&self, req: &Request, users: &[User]) -> Result<Vec<AccountActions>> {
        self.read(|tx| {
            users
                .iter()
                .map(|u| {
                    let target = self.target_of(tx, u)?;
                    let may = |a| self.authorize(req, a, target).is_ok();
                    Ok(AccountActions {
                        disable: u.state != Lifecycle::Disabled && may(Action::ModifyUser),
                        enable: u.state == Lifecycle::Disabled && may(Action::ModifyUser),
                        validate: u.state == Lifecycle::Registered && may(Action::ValidateUser),
                        unlock: u.lockout.locked_at.is_some() && may(Action::UnlockUser),
                        reset_password: req.actor.id != Some(u.id) && may(Action::ResetPassword),
                        reinvite: u.state == Lifecycle::Provisioned && may(Action::ModifyUser),
                        reset_second_factor: super::second_factor::enrolled(u)
                            && req.actor.id != Some(u.id)
                            && may(Action::ResetSecondFactor),
                    })
                })
                .collect()
        })
    }

    /// Whether the actor administers anyone: the system administrator, a
    /// token, or a user who is an Organization Administrator, a delegate or
    /// holds a right from a role. A plain member administers nobody, and a
    /// console shows it its own account only (what it may do elsewhere, the
    /// use cases still decide).
    pub fn administers(&self, req: &Request) -> bool {
        match &req.actor.kind {
            ActorKind::User(p) => p.org_admin || p.delegate || !p.grants.is_empty(),
            ActorKind::System | ActorKind::Internal | ActorKind::Token { .. } => true,
            ActorKind::Anonymous | ActorKind::Service { .. } | ActorKind::Peer => false,
        }
    }

    /// The name of the organization the actor works in, read alone (a
    /// console shows it on every page).
    pub fn home_org_name(&self, req: &Request) -> Option<String> {
        let home = req.actor.home_org()?;
        self.read(|tx| super::orgs::org_by_id(tx, home))
            .ok()
            .map(|o| o.name)
    }

    /// Whether `req` may create users in some organization.
    pub fn may_create_users(&self, req: &Request) -> Result<bool> {
        Ok(!self.placement_choices(req, 1)?.orgs.is_empty())
    }

    /// Whether `req` may create organizations (the system administrator).
    pub fn may_create_orgs(&self, req: &Request) -> bool {
        self.authorize(req, Action::CreateOrganization, Target::default())
            .is_ok()
    }

    /// Whether `req` may delete `org` (an empty one: the delete itself
    /// refuses one that still holds users, roles or units).
    pub fn may_delete_org(&self, req: &Request, org: &Organization) -> bool {
        self.authorize(req, Action::DeleteOrganization, Target::org(Some(org.id)))
            .is_ok()
    }

    /// What `req` may change on `org`.
    pub fn org_actions(&self, req: &Request, org: &Organization) -> OrgActions {
        let may = |a| self.authorize(req, a, Target::org(Some(org.id))).is_ok();
        OrgActions {
            seats: may(Action::ModifyOrganization),
            org_admin: may(Action::AppointOrgAdmin),
            delegates: may(Action::AppointDelegate),
            delete: may(Action::DeleteOrganization),
        }
    }

    /// Whether `req` may add roles where it works (its organization, or
    /// server-wide roles for the system administrator).
    pub fn may_create_roles(&self, req: &Request) -> bool {
        self.authorize(req, Action::CreateRole, Target::org(req.actor.home_org()))
            .is_ok()
    }

    /// Whether `req` may change `role` (its rights and members: each change
    /// is still checked against the ranks and rights involved) and delete it.
    pub fn role_actions(&self, req: &Request, role: &Role) -> (bool, bool) {
        let may = |a| self.authorize(req, a, Target::org(role.org)).is_ok();
        (may(Action::ModifyRole), may(Action::DeleteRole))
    }

    /// What `req` may manage of the credentials applications use, where it
    /// works: SCIM tokens, service accounts, and login suffixes.
    pub fn access_actions(&self, req: &Request) -> AccessActions {
        let home = Target::org(req.actor.home_org());
        AccessActions {
            scim_tokens: self.authorize(req, Action::IssueToken, home).is_ok(),
            services: self
                .authorize(req, Action::ManageServiceAccounts, home)
                .is_ok(),
            suffixes: self
                .authorize(req, Action::ManageSuffixes, Target::default())
                .is_ok(),
        }
    }

    /// The server's settings, to whoever may read them (the system
    /// administrator).
    pub fn read_settings(&self, req: &Request) -> Result<&super::Settings> {
        self.authorize(req, Action::ReadSettings, Target::default())?;
        Ok(self.settings())
    }

    /// Whether `req` may read the server's settings.
    pub fn may_read_settings(&self, req: &Request) -> bool {
        self.authorize(req, Action::ReadSettings, Target::default())
            .is_ok()
    }

    /// Whether `req` may read the reports of its scope.
    pub fn may_read_reports(&self, req: &Request) -> bool {
        self.authorize(req, Action::ReadReports, Target::org(req.actor.home_org()))
            .is_ok()
    }

    /// Whether `req` may read the audit trail of its scope (its own
    /// organization, or everything for the system administrator).
    pub fn may_read_audit(&self, req: &Request) -> bool {
        self.authorize(req, Action::ReadAudit, Target::org(req.actor.home_org()))
            .is_ok()
    }
}
