//! Use cases for applications: create, change, delete, and each
//! organization's settings for one (its approvers and the role an approval
//! puts a user in). An application belongs to one organization or to the
//! server; a server-wide one is offered to every organization. Who has it is
//! never stored: it is whoever sits (nested roles included) in a role that
//! carries it (`grants`), so removing the role or the membership removes the
//! access at once. Requests for access are `requests`.

pub mod grants;
pub(crate) mod reports;
pub mod requests;

use super::acl::{Action, Target};
use super::error::{Error, Result};
use super::model::{AppInOrg, Application, Member, Scope, TokenKind, now};
use super::names::{check_app_name, check_text};
use super::users::OrgRef;
use super::{Change, Directory, Request};
use crate::store::Tx;
use uuid::Uuid;

pub use grants::approver_ids;

/// A new application. `org: None` puts it in the actor's own organization
/// when it administers one, else makes it server-wide.
#[derive(Clone, Debug, Default)]
pub struct NewApp {
    pub name: String,
    pub org: Option<OrgRef>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub service: Option<Uuid>,
    pub token: Option<Uuid>,
    pub requestable: bool,
    /// The id a load keeps (see `identity`); `None`: a new one.
    pub id: Option<Uuid>,
}

/// Changes to an application; `None` leaves a field alone.
#[derive(Clone, Debug, Default)]
pub struct AppChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub url: Option<Option<String>>,
    pub service: Option<Option<Uuid>>,
    pub token: Option<Option<Uuid>>,
    pub requestable: Option<bool>,
}

/// Changes to one organization's settings for an application.
#[derive(Clone, Debug, Default)]
pub struct OrgSettingsChanges {
    pub default_role: Option<Option<Uuid>>,
    pub approvers: Option<Vec<Member>>,
}

/// A sign-in URL: an absolute http(s) URL of reasonable length.
fn check_url(url: &str) -> Result<()> {
    check_text("url", url)?;
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => Ok(()),
        _ => Err(Error::invalid(format!(
            "url '{url}' is not an absolute http:// or https:// address"
        ))),
    }
}

fn check_fields(description: Option<&str>, url: Option<&str>) -> Result<()> {
    if let Some(d) = description {
        check_text("description", d)?;
    }
    if let Some(u) = url {
        check_url(u)?;
    }
    Ok(())
}

pub(crate) fn app_by_id(tx: &Tx, id: Uuid) -> Result<Application> {
    tx.app(id)?
        .ok_or_else(|| Error::not_found(format!("application {id}")))
}

/// Whether `app` may be given to users of `org` (`None`: server-wide
/// roles): its own organization's, or any for a server-wide application.
pub(crate) fn usable_in(app: &Application, org: Option<Uuid>) -> bool {
    app.org.is_none() || app.org == org
}

/// Drops an organization's settings from the server-wide applications
/// (it is being deleted, empty).
pub(crate) fn forget_org(tx: &mut Tx, org: Uuid) -> Result<()> {
    for id in tx.apps_in(None)? {
        if let Some(mut app) = tx.app(id)?
            && app.orgs.iter().any(|s| s.org == org)
        {
            app.orgs.retain(|s| s.org != org);
            tx.put_app(&app)?;
        }
    }
    Ok(())
}

/// Stops role `role` (being deleted) being a default role anywhere.
pub(crate) fn forget_role(tx: &mut Tx, role: Uuid) -> Result<()> {
    for id in tx.apps_of_role(role)? {
        if let Some(mut app) = tx.app(id)?
            && grants::clear_default(&mut app, role)
        {
            tx.put_app(&app)?;
        }
    }
    Ok(())
}

impl Directory {
    /// The application `id`, wanted for `action`: absent, or out of the
    /// actor's sight, it is the same "application <id> not found".
    pub(crate) fn app_for(
        &self,
        tx: &Tx,
        req: &Request,
        action: Action,
        id: Uuid,
    ) -> Result<Application> {
        let app = app_by_id(tx, id)?;
        self.app_seen(req, action, &app)?;
        Ok(app)
    }

    /// Refuses an application the actor may not see, as a missing entry
    /// (for front ends that name it their own way, as LDAP does by DN).
    pub(crate) fn app_known(&self, req: &Request, app: &Application) -> Result<()> {
        self.app_seen(req, Action::Read, app).map_err(|e| match e {
            Error::Hidden { denied, .. } => Error::Hidden {
                what: "entry".to_owned(),
                denied,
            },
            other => other,
        })
    }

    /// Refuses an application the actor may not see, as a missing one.
    fn app_seen(&self, req: &Request, action: Action, app: &Application) -> Result<()> {
        let target = Target::org(app.org);
        if let Err(denied) = self
            .policy()
            .authorize(&req.actor, Action::SeeApplication, &target)
        {
            let denied = super::acl::Denied { action, ..denied };
            return Err(Error::Hidden {
                what: format!("application {}", app.id),
                denied: Box::new(denied),
            });
        }
        Ok(())
    }

    /// The application named `name` that the actor may see: its own
    /// organization's first, then a server-wide one.
    pub fn app_named(&self, req: &Request, name: &str) -> Result<Application> {
        self.read(|tx| {
            let mut found = None;
            for org in [req.actor.own_org(), None] {
                if found.is_none() {
                    found = tx.app_by_name(org, name)?;
                }
            }
            let app = found.ok_or_else(|| Error::not_found(format!("application {name}")))?;
            self.app_seen(req, Action::SeeApplication, &app)
                .map_err(|_| Error::not_found(format!("application {name}")))?;
            Ok(app)
        })
    }

    /// An application the actor may see, with only the settings of the
    /// organizations it manages applications for.
    pub fn get_app(&self, req: &Request, id: Uuid) -> Result<Application> {
        self.read(|tx| {
            let app = self.app_for(tx, req, Action::SeeApplication, id)?;
            Ok(self.app_as_seen(req, app))
        })
    }

    /// Every application the actor may see, by name.
    pub fn list_apps(&self, req: &Request) -> Result<Vec<Application>> {
        self.read(|tx| {
            let mut out: Vec<Application> = tx
                .apps()?
                .into_iter()
                .filter(|a| self.app_seen(req, Action::SeeApplication, a).is_ok())
                .map(|a| self.app_as_seen(req, a))
                .collect();
            out.sort_by_key(|a| (a.name.to_lowercase(), a.org));
            Ok(out)
        })
    }

    /// `app` with only the per-organization settings the actor manages
    /// (the links to a service account or token only for who manages the
    /// application itself): a server-wide application's approvers in one
    /// organization are no other organization's business.
    fn app_as_seen(&self, req: &Request, mut app: Application) -> Application {
        let manages = |org: Option<Uuid>| {
            self.authorize(req, Action::ManageApplications, Target::org(org))
                .is_ok()
        };
        app.orgs.retain(|s| manages(Some(s.org)));
        if !manages(app.org) {
            app.service = None;
            app.token = None;
        }
        app
    }

    pub fn create_app(&self, req: &Request, new: NewApp) -> Result<Application> {
        self.write(req, |tx| self.create_app_in(tx, req, new.clone()))
    }

    /// The body of [`Self::create_app`] inside a caller's transaction (a
    /// load makes the applications its file holds).
    pub(crate) fn create_app_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        new: NewApp,
    ) -> Result<Application> {
        check_app_name(&new.name)?;
        check_fields(new.description.as_deref(), new.url.as_deref())?;
        let org = match &new.org {
            Some(o) => self.org_ref_for(tx, req, Action::ManageApplications, o)?,
            None => req.actor.home_org(),
        };
        self.authorize(req, Action::ManageApplications, Target::org(org))?;
        if let Some(existing) = tx.app_by_name(org, &new.name)? {
            return Err(Error::exists(format!("application {}", existing.name)));
        }
        let id = self.new_id(tx, req, new.id)?;
        self.check_links(tx, req, org, new.service, new.token)?;
        let change = Change {
            action: "application.create",
            target: &new.name,
            target_id: Some(id),
            org,
            detail: new.url.clone(),
        };
        let version = self.log(tx, req, change)?;
        let t = now();
        let app = Application {
            id,
            name: new.name,
            org,
            description: new.description,
            url: new.url,
            service: new.service,
            token: new.token,
            requestable: new.requestable,
            orgs: Vec::new(),
            created: t,
            modified: t,
            version,
        };
        tx.put_app(&app)?;
        Ok(app)
    }

    /// The service account and token an application names must exist, be
    /// the actor's to manage, and reach the application's organization.
    fn check_links(
        &self,
        tx: &Tx,
        req: &Request,
        org: Option<Uuid>,
        service: Option<Uuid>,
        token: Option<Uuid>,
    ) -> Result<()> {
        if let Some(id) = service {
            let svc = tx.service(id)?;
            let scope_org = svc.as_ref().and_then(|s| match s.scope {
                Scope::Server => None,
                Scope::Org(o) => Some(o),
            });
            let ok = svc.is_some()
                && self
                    .authorize(req, Action::ManageServiceAccounts, Target::org(scope_org))
                    .is_ok();
            if !ok {
                return Err(Error::not_found(format!("service account {id}")));
            }
        }
        if let Some(id) = token {
            let found = tx.token(id)?.filter(|t| t.kind == TokenKind::Scim);
            let ok = found.as_ref().is_some_and(|t| {
                let token_org = match t.scope {
                    Scope::Server => None,
                    Scope::Org(o) => Some(o),
                };
                (token_org == org || token_org.is_none())
                    && self
                        .authorize(req, Action::IssueToken, Target::org(token_org))
                        .is_ok()
            });
            if !ok {
                return Err(Error::not_found(format!("SCIM token {id}")));
            }
        }
        Ok(())
    }

    pub fn update_app(&self, req: &Request, id: Uuid, changes: AppChanges) -> Result<Application> {
        self.write(req, |tx| self.update_app_in(tx, req, id, &changes))
    }

    fn update_app_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        c: &AppChanges,
    ) -> Result<Application> {
        if let Some(n) = &c.name {
            check_app_name(n)?;
        }
        check_fields(
            c.description.as_ref().and_then(|d| d.as_deref()),
            c.url.as_ref().and_then(|u| u.as_deref()),
        )?;
        let mut app = self.app_for(tx, req, Action::ManageApplications, id)?;
        self.authorize(req, Action::ManageApplications, Target::org(app.org))?;
        let mut what = Vec::new();
        if let Some(name) = c.name.as_ref().filter(|n| **n != app.name) {
            if tx.app_by_name(app.org, name)?.is_some_and(|a| a.id != id) {
                return Err(Error::exists(format!("application {name}")));
            }
            what.push(format!("name {} -> {name}", app.name));
            app.name = name.clone();
        }
        if let Some(d) = &c.description {
            app.description = d.clone();
            what.push("description".into());
        }
        if let Some(u) = &c.url {
            app.url = u.clone();
            what.push("url".into());
        }
        let service = c.service.unwrap_or(app.service);
        let token = c.token.unwrap_or(app.token);
        if service != app.service || token != app.token {
            self.check_links(
                tx,
                req,
                app.org,
                service.filter(|s| Some(*s) != app.service),
                token.filter(|t| Some(*t) != app.token),
            )?;
            (app.service, app.token) = (service, token);
            what.push("links".into());
        }
        if let Some(r) = c.requestable {
            app.requestable = r;
            what.push(format!("requestable={r}"));
        }
        let change = Change {
            action: "application.modify",
            target: &app.name,
            target_id: Some(id),
            org: app.org,
            detail: Some(what.join(", ")),
        };
        app.version = self.log(tx, req, change)?;
        app.modified = now();
        tx.put_app(&app)?;
        Ok(self.app_as_seen(req, app))
    }

    /// Deletes an application. Refused while roles carry it (taking it off
    /// them is what takes access away, and it is each role's change to
    /// audit); its pending requests are closed as withdrawn.
    pub fn delete_app(&self, req: &Request, id: Uuid) -> Result<()> {
        self.write(req, |tx| self.delete_app_in(tx, req, id))
    }

    fn delete_app_in(&self, tx: &mut Tx, req: &Request, id: Uuid) -> Result<()> {
        let app = self.app_for(tx, req, Action::ManageApplications, id)?;
        self.authorize(req, Action::ManageApplications, Target::org(app.org))?;
        let carriers = tx.roles_of_app(id)?.len();
        if carriers > 0 {
            return Err(Error::conflict(format!(
                "application {} is carried by {carriers} role(s); take it off them first",
                app.name
            )));
        }
        let change = Change {
            action: "application.delete",
            target: &app.name,
            target_id: Some(id),
            org: app.org,
            detail: None,
        };
        self.log(tx, req, change)?;
        requests::close_for_app(tx, id, "the application was deleted")?;
        tx.delete_app(id)?;
        Ok(())
    }

    /// Sets `org`'s approvers and default role for an application it may use.
    pub fn set_app_in_org(
        &self,
        req: &Request,
        id: Uuid,
        org: &OrgRef,
        changes: OrgSettingsChanges,
    ) -> Result<AppInOrg> {
        self.write(req, |tx| self.set_app_in_org_in(tx, req, id, org, &changes))
    }

    fn set_app_in_org_in(
        &self,
        tx: &mut Tx,
        req: &Request,
        id: Uuid,
        org: &OrgRef,
        c: &OrgSettingsChanges,
    ) -> Result<AppInOrg> {
        let mut app = self.app_for(tx, req, Action::ManageApplications, id)?;
        let org = self
            .org_ref_for(tx, req, Action::ManageApplications, org)?
            .ok_or_else(|| Error::invalid("application settings belong to an organization"))?;
        self.authorize(req, Action::ManageApplications, Target::org(Some(org)))?;
        if !usable_in(&app, Some(org)) {
            return Err(Error::not_found(format!("application {id}")));
        }
        let mut settings = app.in_org(org);
        if let Some(role) = c.default_role {
            if let Some(role) = role {
                self.check_default_role(tx, req, &app, org, role)?;
            }
            settings.default_role = role;
        }
        if let Some(approvers) = &c.approvers {
            settings.approvers = self.checked_approvers(tx, req, org, approvers)?;
        }
        let change = Change {
            action: "application.org-settings",
            target: &app.name,
            target_id: Some(id),
            org: Some(org),
            detail: Some(format!(
                "default role {}, {} approver(s)",
                settings
                    .default_role
                    .map_or("none".to_owned(), |r| r.to_string()),
                settings.approvers.len()
            )),
        };
        app.version = self.log(tx, req, change)?;
        app.modified = now();
        app.set_in_org(settings.clone());
        tx.put_app(&app)?;
        Ok(settings)
    }

    /// A default role is a role of `org` that carries the application.
    fn check_default_role(
        &self,
        tx: &Tx,
        req: &Request,
        app: &Application,
        org: Uuid,
        role: Uuid,
    ) -> Result<()> {
        let r = self.role_for(tx, req, Action::ModifyRole, role)?;
        if r.org != Some(org) {
            return Err(Error::invalid(format!(
                "role {} is not a role of the organization it would be the default role of",
                r.name
            )));
        }
        if !tx.apps_of_role(role)?.contains(&app.id) {
            return Err(Error::invalid(format!(
                "role {} does not carry application {}; give it the application first",
                r.name, app.name
            )));
        }
        Ok(())
    }

    /// Approvers are users or roles of `org` the actor may read, each once.
    fn checked_approvers(
        &self,
        tx: &Tx,
        req: &Request,
        org: Uuid,
        approvers: &[Member],
    ) -> Result<Vec<Member>> {
        let mut out: Vec<Member> = Vec::new();
        for m in approvers {
            if !self.member_readable(tx, req, *m)? {
                return Err(Error::not_found(match m {
                    Member::User(id) => format!("user {id}"),
                    Member::Role(id) => format!("role {id}"),
                }));
            }
            let in_org = match m {
                Member::User(id) => tx.user(*id)?.is_some_and(|u| u.org == Some(org)),
                Member::Role(id) => tx.role(*id)?.is_some_and(|r| r.org == Some(org)),
            };
            if !in_org {
                return Err(Error::invalid(
                    "an approver must be a user or a role of the organization it approves for",
                ));
            }
            if !out.contains(m) {
                out.push(*m);
            }
        }
        Ok(out)
    }
}
