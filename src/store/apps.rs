//! Applications, the roles that carry them, and access requests: typed reads
//! and writes that keep each record's indexes in step inside the caller's
//! transaction (the name index, the owner's list, both directions of the
//! role ↔ application link, a request's organization, requester and, while it
//! is pending, its expiry).

use super::codec::{encode, org_key, role_name_key};
use super::tables::*;
use super::{StoreResult, Tx, with_table};
use crate::directory::app_records::{AccessRequest, Application, RequestState};
use crate::directory::model::Millis;
use crate::directory::names::{fold, loose_key};
use redb::ReadableTable;
use uuid::Uuid;

impl Tx {
    pub fn app(&self, id: Uuid) -> StoreResult<Option<Application>> {
        self.record(APPS, "application", id)
    }

    /// The application `name` (ignoring case) owned by `org` (`None`: server-wide).
    pub fn app_by_name(&self, org: Option<Uuid>, name: &str) -> StoreResult<Option<Application>> {
        match self.unique(APP_BY_NAME, &role_name_key(org, &fold(name)))? {
            Some(id) => self.app(id),
            None => Ok(None),
        }
    }

    /// Applications owned by `org` (`None`: the server-wide ones).
    pub fn apps_in(&self, org: Option<Uuid>) -> StoreResult<Vec<Uuid>> {
        self.multi(ORG_APPS, org_key(org))
    }

    /// Applications whose name has the loose key `key` (every owner's).
    pub fn apps_by_cn_key(&self, key: &str) -> StoreResult<Vec<Uuid>> {
        self.multi_str(APP_BY_CN, key)
    }

    /// Every application, in no particular order.
    pub fn apps(&self) -> StoreResult<Vec<Application>> {
        self.all(APPS, "application")
    }

    /// Writes an application, refusing a name its owner already uses.
    pub fn put_app(&mut self, app: &Application) -> StoreResult<()> {
        let old = self.app(app.id)?;
        let old_key = old.as_ref().map(|o| role_name_key(o.org, &fold(&o.name)));
        let new_key = role_name_key(app.org, &fold(&app.name));
        self.rekey(
            APP_BY_NAME,
            "application name",
            old_key.as_deref(),
            &new_key,
            app.id,
        )?;
        let old_cn = old.as_ref().map(|o| loose_key(&o.name));
        let new_cn = loose_key(&app.name);
        self.set_str_entry(APP_BY_CN, old_cn.as_deref(), Some(&new_cn), app.id)?;
        self.set_entry(ORG_APPS, org_key(app.org), app.id, true)?;
        self.put_record(APPS, "application", app.id, app)
    }

    /// Removes an application and every role's link to it.
    pub fn delete_app(&mut self, id: Uuid) -> StoreResult<()> {
        let Some(old) = self.app(id)? else {
            return Ok(());
        };
        self.release(APP_BY_NAME, &role_name_key(old.org, &fold(&old.name)))?;
        self.set_str_entry(APP_BY_CN, Some(&loose_key(&old.name)), None, id)?;
        self.set_entry(ORG_APPS, org_key(old.org), id, false)?;
        for role in self.roles_of_app(id)? {
            self.link_app(role, id, false)?;
        }
        self.remove_record(APPS, id)
    }

    /// Makes `role` carry `app` (`present`) or stop carrying it.
    pub fn link_app(&mut self, role: Uuid, app: Uuid, present: bool) -> StoreResult<()> {
        self.set_entry(ROLE_APPS, role.as_u128(), app, present)?;
        self.set_entry(APP_ROLES, app.as_u128(), role, present)
    }

    /// The applications `role` carries itself (not through nesting).
    pub fn apps_of_role(&self, role: Uuid) -> StoreResult<Vec<Uuid>> {
        self.multi(ROLE_APPS, role.as_u128())
    }

    /// The roles that carry `app` themselves.
    pub fn roles_of_app(&self, app: Uuid) -> StoreResult<Vec<Uuid>> {
        self.multi(APP_ROLES, app.as_u128())
    }

    /// Drops every application link of a role that is being deleted.
    pub(super) fn unlink_role_apps(&mut self, role: Uuid) -> StoreResult<()> {
        for app in self.apps_of_role(role)? {
            self.link_app(role, app, false)?;
        }
        Ok(())
    }

    pub fn access_request(&self, id: Uuid) -> StoreResult<Option<AccessRequest>> {
        self.record(REQUESTS, "access request", id)
    }

    /// Writes a request (new or changed) and its place in the indexes; the
    /// organization and requester of a request never change.
    pub fn put_access_request(&mut self, r: &AccessRequest) -> StoreResult<()> {
        self.set_entry(ORG_REQUESTS, r.org.as_u128(), r.id, true)?;
        self.set_entry(USER_REQUESTS, r.user.as_u128(), r.id, true)?;
        let bytes = encode("access request", r)?;
        self.table(REQUESTS)?
            .insert(r.id.as_u128(), bytes.as_slice())?;
        let mut open = self.table(OPEN_REQUESTS)?;
        if r.state == RequestState::Pending {
            open.insert(r.id.as_u128(), r.expires)?;
        } else {
            open.remove(r.id.as_u128())?;
        }
        Ok(())
    }

    /// Requests decided for `org`'s approvers (every state).
    pub fn requests_of_org(&self, org: Uuid) -> StoreResult<Vec<Uuid>> {
        self.multi(ORG_REQUESTS, org.as_u128())
    }

    /// Requests a user made (every state).
    pub fn requests_of_user(&self, user: Uuid) -> StoreResult<Vec<Uuid>> {
        self.multi(USER_REQUESTS, user.as_u128())
    }

    /// Every request, in no particular order.
    pub fn access_requests(&self) -> StoreResult<Vec<AccessRequest>> {
        self.all(REQUESTS, "access request")
    }

    /// Pending requests that expire at or before `now`, up to `limit`.
    pub fn expired_requests(&self, now: Millis, limit: usize) -> StoreResult<Vec<Uuid>> {
        with_table!(self, open_table, OPEN_REQUESTS, |t| {
            let mut out = Vec::new();
            for row in t.iter()? {
                let (k, v) = row?;
                if v.value() <= now {
                    out.push(Uuid::from_u128(k.value()));
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            Ok(out)
        })
    }
}
