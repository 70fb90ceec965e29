//! Read-only use cases for administrators: users by organization, state and
//! text with offset paging; roles and their members; service accounts; the audit
//! trail by organization, actor, action and time. Every row passes the policy
//! (`Read`, `ReadAudit`, `ManageServiceAccounts`) before it is returned.

use super::acl::{Action, Target};
use super::audit::Event;
use super::error::{Error, Result};
use super::model::{Lifecycle, Member, Millis, Role, ServiceAccount, User};
use super::roles::role_by_id;
use super::users::{OrgRef, read_target};
use super::{Directory, Request};
use crate::store::Tx;
use std::collections::HashMap;
use uuid::Uuid;

/// Most rows one query returns.
pub const MAX_LIMIT: usize = 1000;

/// Which users to list. Paging is by offset over the users sorted by login.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    pub org: Option<OrgRef>,
    pub state: Option<Lifecycle>,
    /// Matched ignoring case against login, email and names.
    pub text: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

/// One page of results and how many matched in all.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub total: usize,
    pub items: Vec<T>,
}

/// Which audit events to return, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// `None`: the actor's own organization, or everything for the system administrator.
    pub org: Option<OrgRef>,
    pub actor: Option<String>,
    /// An exact action (`user.create`) or a prefix ending in `.` (`user.`).
    pub action: Option<String>,
    /// Events about one record (an account's history).
    pub target_id: Option<Uuid>,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub limit: usize,
}

impl Directory {
    /// The organization a query names, as the actor may know it.
    fn resolve_org(&self, tx: &Tx, req: &Request, action: Action, org: &OrgRef) -> Result<Uuid> {
        self.org_ref_for(tx, req, action, org)?
            .ok_or_else(|| Error::invalid("name an organization"))
    }
}

fn matches_text(user: &User, needle: &str) -> bool {
    [
        Some(&user.login),
        user.email.as_ref(),
        user.given_name.as_ref(),
        user.family_name.as_ref(),
        user.display_name.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|v| v.to_lowercase().contains(needle))
}

fn clamp(limit: usize) -> usize {
    if limit == 0 {
        MAX_LIMIT
    } else {
        limit.min(MAX_LIMIT)
    }
}

impl Directory {
    /// The users the actor may read that match `q`, one page of them.
    pub fn list_users(&self, req: &Request, q: &UserQuery) -> Result<Page<User>> {
        let needle = q.text.as_deref().map(|t| t.trim().to_lowercase());
        self.read(|tx| {
            let org = q
                .org
                .as_ref()
                .map(|o| self.resolve_org(tx, req, Action::Read, o))
                .transpose()?;
            let mut all = Vec::new();
            for user in tx.users()? {
                let wanted = org.is_none_or(|o| user.org == Some(o))
                    && q.state.is_none_or(|s| user.state == s)
                    && needle.as_deref().is_none_or(|n| matches_text(&user, n));
                if wanted
                    && self
                        .authorize(req, Action::Read, read_target(&user))
                        .is_ok()
                {
                    all.push(user);
                }
            }
            all.sort_by_key(|u| u.login.to_lowercase());
            let total = all.len();
            let items = all
                .into_iter()
                .skip(q.offset)
                .take(clamp(q.limit))
                .collect();
            Ok(Page { total, items })
        })
    }

    /// The roles the actor may read, in one organization or all it sees.
    pub fn list_roles(&self, req: &Request, org: Option<&OrgRef>) -> Result<Vec<Role>> {
        self.read(|tx| {
            let org = org
                .map(|o| self.resolve_org(tx, req, Action::Read, o))
                .transpose()?;
            let mut roles: Vec<Role> = tx
                .roles()?
                .into_iter()
                .filter(|r| org.is_none_or(|o| r.org == Some(o)))
                .filter(|r| {
                    self.authorize(req, Action::Read, Target::org(r.org))
                        .is_ok()
                })
                .collect();
            roles.sort_by_key(|r| r.name.to_lowercase());
            Ok(roles)
        })
    }

    /// A role's direct members, if the actor may read the role.
    pub fn role_members(&self, req: &Request, id: Uuid) -> Result<Vec<Member>> {
        self.read(|tx| {
            let role = role_by_id(tx, id)?;
            self.authorize(req, Action::Read, Target::org(role.org))
                .map_err(|_| Error::not_found(format!("role {id}")))?;
            Ok(tx.role_members(id)?)
        })
    }

    /// The service accounts the actor may manage.
    pub fn list_service_accounts(&self, req: &Request) -> Result<Vec<ServiceAccount>> {
        let mut all = self.read(|tx| Ok(tx.services()?))?;
        all.retain(|s| {
            let target = Target::org(super::auth::scope_org(s.scope));
            self.policy()
                .authorize(&req.actor, Action::ManageServiceAccounts, &target)
                .is_ok()
        });
        all.sort_by_key(|s| s.name.to_lowercase());
        Ok(all)
    }

    /// Audit events matching `q`, newest first. Without an organization the
    /// actor reads its own organization's trail (the whole trail needs the
    /// right to read it server-wide).
    pub fn query_audit(&self, req: &Request, q: &AuditQuery) -> Result<Vec<Event>> {
        // Binds reach the trail through the journal a moment after they are
        // answered: the trail read right after one shows it.
        self.journal().flush();
        self.read(|tx| {
            let org = match &q.org {
                Some(o) => Some(self.resolve_org(tx, req, Action::ReadAudit, o)?),
                None => req.actor.home_org(),
            };
            self.authorize(req, Action::ReadAudit, Target::org(org))?;
            let keep = |e: &Event| {
                org.is_none_or(|o| e.org == Some(o))
                    && q.actor
                        .as_deref()
                        .is_none_or(|a| e.actor.eq_ignore_ascii_case(a))
                    && q.action
                        .as_deref()
                        .is_none_or(|a| action_matches(&e.action, a))
                    && q.target_id.is_none_or(|t| e.target_id == Some(t))
                    && q.since.is_none_or(|s| e.time >= s)
                    && q.until.is_none_or(|u| e.time < u)
            };
            Ok(tx.changes_newest_first(clamp(q.limit), keep)?)
        })
    }

    /// An organization the actor may read, with its seats in use.
    pub fn org_usage(
        &self,
        req: &Request,
        name: &str,
    ) -> Result<(super::model::Organization, u64)> {
        let org = self.get_org(req, name)?;
        let used = self.read(|tx| Ok(tx.seats_used(org.id)?))?;
        Ok((org, used))
    }

    /// The organizations the actor may read, each with its seats in use,
    /// in one read after the listing (not one per organization).
    pub fn list_org_usage(&self, req: &Request) -> Result<Vec<(super::model::Organization, u64)>> {
        let orgs = self.list_orgs(req)?;
        self.read(|tx| {
            orgs.into_iter()
                .map(|o| {
                    let used = tx.seats_used(o.id)?;
                    Ok((o, used))
                })
                .collect()
        })
    }

    /// Organization names by id, for showing records the actor already holds.
    pub fn org_names(&self) -> Result<HashMap<Uuid, String>> {
        let orgs = self.read(|tx| Ok(tx.orgs()?))?;
        Ok(orgs.into_iter().map(|o| (o.id, o.name)).collect())
    }
}

fn action_matches(action: &str, wanted: &str) -> bool {
    if wanted.ends_with('.') {
        action.starts_with(wanted)
    } else {
        action == wanted
    }
}
