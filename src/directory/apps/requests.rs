//! Access requests: a user asks for an application with a reason; an
//! approver of its organization (its administrators, holders of role
//! management there, or the users and roles the organization named for the
//! application) approves, which puts the user in the role that grants it,
//! or rejects with a reason; the user may withdraw; a request nobody decided
//! expires (`[applications] request_expiry_days`). Each step is audited and
//! sends a notice: to the approvers on a new request, to the user on the
//! outcome. Nobody decides its own request, and who may not decide a request
//! cannot tell it from one that does not exist.

use super::grants::{has_app, is_approver};
use super::{app_by_id, usable_in};
use crate::directory::acl::{Action, ActorKind, Target};
use crate::directory::error::{Error, Result};
use crate::directory::model::{AccessRequest, Member, Millis, RequestState, User, now};
use crate::directory::names::check_text;
use crate::directory::notify::Notice;
use crate::directory::users::user_by_id;
use crate::directory::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

/// How an approver decides.
#[derive(Clone, Debug)]
pub enum Decision {
    /// Put the user in `role` (a role of its organization carrying the
    /// application), or in the application's default role there.
    Approve {
        role: Option<Uuid>,
    },
    Reject,
}

/// Which requests a list shows.
#[derive(Clone, Debug, Default)]
pub struct RequestQuery {
    pub state: Option<RequestState>,
    /// Only requests of this organization.
    pub org: Option<Uuid>,
    /// Only the actor's own requests.
    pub mine: bool,
    /// At most this many, newest first (default and cap 1000).
    pub limit: Option<usize>,
}

const MAX_LIST: usize = 1000;

/// Whether the actor is a named approver, by (application, organization).
type Named = std::collections::HashMap<(Uuid, Uuid), bool>;
/// Most expired requests one sweep transaction closes.
const EXPIRE_BATCH: usize = 500;

/// A request as it stands at `now`: one nobody decided before it expired
/// reads as expired even before the sweep closes it.
fn as_of(mut r: AccessRequest, now: Millis) -> AccessRequest {
    if r.state == RequestState::Pending && r.expires <= now {
        r.state = RequestState::Expired;
    }
    r
}

impl Directory {
    /// The actor (a user) asks for application `app_id`.
    pub fn request_app(&self, req: &Request, app_id: Uuid, reason: &str) -> Result<AccessRequest> {
        self.write(req, |tx| self.request_app_in(tx, req, app_id, reason))
    }

    fn request_app_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        app_id: Uuid,
        reason: &str,
    ) -> Result<AccessRequest> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid("a request needs a reason"));
        }
        check_text("reason", reason)?;
        let app = self.app_for(tx, req, Action::RequestApplication, app_id)?;
        let user = self.requester(tx, req)?;
        let target = Target::subject(user.org, user.id, Default::default());
        self.authorize(req, Action::RequestApplication, target)?;
        let org = user.org.ok_or_else(|| {
            Error::invalid("only a member of an organization can ask for an application")
        })?;
        if !usable_in(&app, Some(org)) {
            return Err(Error::not_found(format!("application {app_id}")));
        }
        if !app.requestable {
            return Err(Error::conflict(format!(
                "application {} does not take requests; ask an administrator",
                app.name
            )));
        }
        let depth = self.settings().max_role_depth;
        if has_app(tx, user.id, app_id, depth)? {
            return Err(Error::conflict(format!(
                "{} already has application {}",
                user.login, app.name
            )));
        }
        let t = now();
        for id in tx.requests_of_user(user.id)? {
            if let Some(r) = tx.access_request(id)?.map(|r| as_of(r, t))
                && r.app == app_id
                && r.state == RequestState::Pending
            {
                return Err(Error::conflict(format!(
                    "{} already has a pending request {} for application {}",
                    user.login, r.id, app.name
                )));
            }
        }
        let id = Uuid::new_v4();
        let change = Change {
            action: "request.create",
            target: &app.name,
            target_id: Some(id),
            org: Some(org),
            detail: Some(format!("by {}", user.login)),
        };
        let version = self.log(tx, req, change)?;
        let request = AccessRequest {
            id,
            app: app_id,
            app_name: app.name.clone(),
            user: user.id,
            login: user.login.clone(),
            org,
            reason: reason.to_owned(),
            state: RequestState::Pending,
            created: t,
            expires: t.saturating_add(self.settings().request_ttl),
            decided: None,
            decided_by: None,
            note: None,
            role: None,
            version,
        };
        tx.put_access_request(&request)?;
        let notice = Notice::AccessRequested {
            login: user.login,
            org: Some(org),
            app: app_id,
            app_name: app.name,
        };
        self.notify(tx, notice)?;
        Ok(request)
    }

    /// The user account the actor is (only people ask for applications).
    fn requester(&self, tx: &Tx, req: &Request) -> Result<User> {
        match (&req.actor.kind, req.actor.id) {
            (ActorKind::User(_), Some(id)) => user_by_id(tx, id),
            _ => Err(Error::invalid(
                "only a user's own account can ask for an application",
            )),
        }
    }

    /// The target of `r` for the actor: its organization and requester, and
    /// whether the actor is one of the approvers named for it.
    fn request_target(&self, tx: &Tx, req: &Request, r: &AccessRequest) -> Result<Target> {
        self.request_target_in(tx, req, r, &mut Named::new())
    }

    /// [`Self::request_target`], remembering in `named` whether the actor
    /// approves each application in each organization (a list asks it of
    /// many requests of the same few).
    fn request_target_in(
        &self,
        tx: &Tx,
        req: &Request,
        r: &AccessRequest,
        named: &mut Named,
    ) -> Result<Target> {
        let approves = match named.get(&(r.app, r.org)) {
            Some(known) => *known,
            None => {
                let found = match (req.actor.id, tx.app(r.app)?) {
                    (Some(me), Some(app)) => {
                        is_approver(tx, &app, r.org, me, self.settings().max_role_depth)?
                    }
                    _ => false,
                };
                named.insert((r.app, r.org), found);
                found
            }
        };
        Ok(Target {
            named: approves,
            ..Target::subject(Some(r.org), r.user, Default::default())
        })
    }

    /// Request `id` as the actor may read it; absent or out of its sight
    /// alike "request <id> not found".
    fn request_for(
        &self,
        tx: &Tx,
        req: &Request,
        action: Action,
        id: Uuid,
    ) -> Result<(AccessRequest, Target)> {
        let missing = || Error::not_found(format!("request {id}"));
        let r = tx.access_request(id)?.ok_or_else(missing)?;
        let target = self.request_target(tx, req, &r)?;
        if let Err(denied) = self
            .policy()
            .authorize(&req.actor, Action::ReadRequest, &target)
        {
            let denied = crate::directory::acl::Denied { action, ..denied };
            return Err(Error::Hidden {
                what: format!("request {id}"),
                denied: Box::new(denied),
            });
        }
        Ok((as_of(r, now()), target))
    }

    /// Whether the actor may approve or reject `r` (what a page offers;
    /// the decision asks the policy again).
    pub fn may_decide(&self, req: &Request, r: &AccessRequest) -> Result<bool> {
        self.read(|tx| {
            let target = self.request_target(tx, req, r)?;
            let allowed = self.authorize(req, Action::DecideRequest, target).is_ok();
            Ok(allowed && r.state == RequestState::Pending)
        })
    }

    pub fn get_request(&self, req: &Request, id: Uuid) -> Result<AccessRequest> {
        self.read(|tx| Ok(self.request_for(tx, req, Action::ReadRequest, id)?.0))
    }

    /// The requests the actor may read, newest first.
    pub fn list_requests(&self, req: &Request, q: &RequestQuery) -> Result<Vec<AccessRequest>> {
        self.read(|tx| {
            let ids = match (&req.actor.kind, req.actor.own_org()) {
                (ActorKind::System, _) => match q.org {
                    Some(org) => tx.requests_of_org(org)?,
                    None => tx.access_requests()?.into_iter().map(|r| r.id).collect(),
                },
                (ActorKind::User(_), org) => {
                    let mut ids = req
                        .actor
                        .id
                        .map_or(Ok(Vec::new()), |me| tx.requests_of_user(me))?;
                    if let Some(org) = org.filter(|_| !q.mine) {
                        ids.extend(tx.requests_of_org(org)?);
                    }
                    ids.sort();
                    ids.dedup();
                    ids
                }
                _ => Vec::new(),
            };
            let t = now();
            let mut out = Vec::new();
            let mut named = Named::new();
            for id in ids {
                let Some(r) = tx.access_request(id)? else {
                    continue;
                };
                let target = self.request_target_in(tx, req, &r, &mut named)?;
                let r = as_of(r, t);
                let wanted = q.state.is_none_or(|s| s == r.state)
                    && q.org.is_none_or(|o| o == r.org)
                    && (!q.mine || req.actor.id == Some(r.user));
                if wanted && self.authorize(req, Action::ReadRequest, target).is_ok() {
                    out.push(r);
                }
            }
            out.sort_by_key(|r| std::cmp::Reverse((r.created, r.id)));
            out.truncate(q.limit.unwrap_or(MAX_LIST).min(MAX_LIST));
            Ok(out)
        })
    }

    /// Approves or rejects a pending request, with an optional note.
    pub fn decide_request(
        &self,
        req: &Request,
        id: Uuid,
        decision: Decision,
        note: Option<&str>,
    ) -> Result<AccessRequest> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = note {
            check_text("note", n)?;
        }
        self.write(req, |tx| {
            self.decide_in(tx, req, id, decision.clone(), note)
        })
    }

    fn decide_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        decision: Decision,
        note: Option<&str>,
    ) -> Result<AccessRequest> {
        let (mut r, target) = self.request_for(tx, req, Action::DecideRequest, id)?;
        self.authorize(req, Action::DecideRequest, target)?;
        still_pending(&r)?;
        let outcome = match decision {
            Decision::Approve { role } => {
                let role = self.grant_for_request(tx, req, &r, role)?;
                r.role = Some(role);
                RequestState::Approved
            }
            Decision::Reject => RequestState::Rejected,
        };
        let action = match outcome {
            RequestState::Approved => "request.approve",
            _ => "request.reject",
        };
        self.close(tx, req, &mut r, outcome, action, note)?;
        Ok(r)
    }

    /// Puts the requester in the role an approval names (or the
    /// application's default role in its organization) and returns it.
    fn grant_for_request(
        &self,
        tx: &mut Tx,
        req: &Request,
        r: &AccessRequest,
        role: Option<Uuid>,
    ) -> Result<Uuid> {
        let app = app_by_id(tx, r.app)?;
        let role_id = role.or(app.in_org(r.org).default_role).ok_or_else(|| {
            Error::invalid(format!(
                "application {} has no default role in this organization; name the role to put {} in",
                app.name, r.login
            ))
        })?;
        let mut role = crate::directory::roles::role_by_id(tx, role_id)
            .map_err(|_| Error::not_found(format!("role {role_id}")))?;
        if role.org != Some(r.org) || !tx.apps_of_role(role_id)?.contains(&r.app) {
            return Err(Error::invalid(format!(
                "the role must be a role of the requester's organization that carries application {}",
                app.name
            )));
        }
        let user = user_by_id(tx, r.user)?;
        if user.org != Some(r.org) {
            return Err(Error::conflict(format!(
                "{} has left the organization it asked from",
                r.login
            )));
        }
        // A role that carries rights is an administrative grant: the
        // approver must be allowed to give them, as for any membership.
        let carried = self.carried_rights(tx, &role)?;
        if !carried.is_empty() {
            self.authorize_grants(req, role.org, &carried)?;
            self.authorize_holders(tx, req, Member::User(user.id))?;
        }
        if !tx.member_of(user.id)?.contains(&role_id) {
            let change = Change {
                action: "role.add-member",
                target: &role.name,
                target_id: Some(role_id),
                org: role.org,
                detail: Some(format!("{} (request {})", user.login, r.id)),
            };
            role.version = self.log(tx, req, change)?;
            role.modified = now();
            tx.add_member(role_id, user.id)?;
            tx.put_role(&role)?;
        }
        Ok(role_id)
    }

    /// The requester withdraws its pending request.
    pub fn withdraw_request(&self, req: &Request, id: Uuid) -> Result<AccessRequest> {
        self.write(req, |tx| {
            let (mut r, target) = self.request_for(tx, req, Action::WithdrawRequest, id)?;
            self.authorize(req, Action::WithdrawRequest, target)?;
            still_pending(&r)?;
            let state = RequestState::Withdrawn;
            self.close(tx, req, &mut r, state, "request.withdraw", None)?;
            Ok(r)
        })
    }

    /// Closes pending requests past their expiry, in bounded transactions;
    /// returns how many. dirgate's own act, run now and then by the daemon.
    pub fn expire_requests(&self) -> Result<usize> {
        let req = Request::internal();
        let mut total = 0;
        loop {
            // Looked for in a read first: most sweeps find nothing, and an
            // empty write would still be a transaction (in a server set, a
            // log entry).
            if self.read(|tx| Ok(tx.expired_requests(now(), 1)?.is_empty()))? {
                return Ok(total);
            }
            let n = self.write(&req, |tx| {
                let ids = tx.expired_requests(now(), EXPIRE_BATCH)?;
                for id in &ids {
                    if let Some(mut r) = tx.access_request(*id)? {
                        let state = RequestState::Expired;
                        self.close(tx, &req, &mut r, state, "request.expire", None)?;
                    }
                }
                Ok(ids.len())
            })?;
            total += n;
            if n < EXPIRE_BATCH {
                return Ok(total);
            }
        }
    }

    /// Moves `r` out of pending: audited, and told to the requester.
    fn close(
        &self,
        tx: &mut Tx,
        req: &Request,
        r: &mut AccessRequest,
        state: RequestState,
        action: &'static str,
        note: Option<&str>,
    ) -> Result<()> {
        let change = Change {
            action,
            target: &r.app_name,
            target_id: Some(r.id),
            org: Some(r.org),
            detail: Some(match note {
                Some(n) => format!("for {}: {n}", r.login),
                None => format!("for {}", r.login),
            }),
        };
        r.version = self.log(tx, req, change)?;
        r.state = state;
        r.decided = Some(now());
        r.decided_by = Some(req.actor.name.clone());
        r.note = note.map(str::to_owned);
        tx.put_access_request(r)?;
        if state != RequestState::Withdrawn {
            let notice = Notice::RequestDecided {
                login: r.login.clone(),
                org: Some(r.org),
                app_name: r.app_name.clone(),
                outcome: state.as_str().to_owned(),
            };
            self.notify(tx, notice)?;
        }
        Ok(())
    }
}

/// Only a pending request changes.
fn still_pending(r: &AccessRequest) -> Result<()> {
    match r.state {
        RequestState::Pending => Ok(()),
        s => Err(Error::conflict(format!(
            "request {} is {}, not pending",
            r.id,
            s.as_str()
        ))),
    }
}

/// Closes the pending requests for an application that goes away, or of a
/// user who leaves the organization it asked from: no notice, as nobody
/// decided them. `why` goes to the request's note.
pub(crate) fn close_where(
    tx: &mut Tx,
    ids: Vec<Uuid>,
    keep: impl Fn(&AccessRequest) -> bool,
    why: &str,
) -> Result<()> {
    for id in ids {
        if let Some(mut r) = tx.access_request(id)?
            && r.state == RequestState::Pending
            && !keep(&r)
        {
            r.state = RequestState::Withdrawn;
            r.decided = Some(now());
            r.decided_by = Some("dirgate".into());
            r.note = Some(why.to_owned());
            tx.put_access_request(&r)?;
        }
    }
    Ok(())
}

/// Closes every pending request for application `app`.
pub(crate) fn close_for_app(tx: &mut Tx, app: Uuid, why: &str) -> Result<()> {
    let open = tx.expired_requests(Millis::MAX, usize::MAX)?;
    close_where(tx, open, |r| r.app != app, why)
}
