//! The read view the core hands a front end that renders the directory its
//! own way (LDAP): one store snapshot (or the write transaction a change
//! runs in), bound to the actor it reads for. It is the only way such a
//! front end reads records, and it answers what the actor may see: which
//! entries it may read ([`View::may_read`]), which classes of attribute
//! ([`View::may_see`]), and which roles `memberOf` may name. The front end
//! never opens the store, and keeps no rule of its own.

use super::acl::{Action, Actor, AttrClass, Policy, Rank, Target};
use super::apps::grants;
use super::auth::scope_org;
use super::error::Result;
use super::model::{Application, Member, Organization, Role, ServiceAccount, Unit, User};
use super::{Directory, Settings, roles};
use crate::store::Tx;
use uuid::Uuid;

/// What kind of entry a read is about, for [`View::may_read`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The fixed skeleton (the base entry, `ou=people`, …).
    Tree,
    /// An organization, unit, user or role (and `ou=roles` of an organization).
    Entry,
    /// A service account: the system administrator's to see.
    Service,
    /// An application (owned by `org`, `None`: server-wide).
    App,
}

/// A read of the directory for one actor (see the module documentation).
pub struct View<'a> {
    tx: &'a Tx,
    actor: &'a Actor,
    settings: &'a Settings,
}

impl Directory {
    /// Runs `f` over a read snapshot seen by `actor`.
    pub fn view<T>(&self, actor: &Actor, f: impl FnOnce(&View<'_>) -> Result<T>) -> Result<T> {
        self.read(|tx| f(&self.view_of(tx, actor)))
    }

    /// The view of `tx` (a write transaction a change runs in) for `actor`.
    pub fn view_of<'a>(&'a self, tx: &'a Tx, actor: &'a Actor) -> View<'a> {
        View {
            tx,
            actor,
            settings: self.settings(),
        }
    }
}

impl<'a> View<'a> {
    pub fn actor(&self) -> &'a Actor {
        self.actor
    }

    pub fn settings(&self) -> &'a Settings {
        self.settings
    }

    fn policy(&self) -> &'a Policy {
        &self.settings.policy
    }

    /// May the actor read an entry of kind `seen` in `org` (about `subject`,
    /// when it is one account)? Reading does not depend on the account's rank.
    pub fn may_read(&self, seen: Seen, org: Option<Uuid>, subject: Option<Uuid>) -> bool {
        let (action, target) = match seen {
            Seen::Tree => (Action::ReadTree, Target::default()),
            Seen::Service => (Action::ManageServiceAccounts, Target::org(org)),
            Seen::App => (Action::SeeApplication, Target::org(org)),
            Seen::Entry => (
                Action::Read,
                Target {
                    org,
                    subject,
                    rank: Rank::Member,
                    named: false,
                },
            ),
        };
        self.policy().authorize(self.actor, action, &target).is_ok()
    }

    /// May the actor read service account `svc`?
    pub fn may_read_service(&self, svc: &ServiceAccount) -> bool {
        self.may_read(Seen::Service, scope_org(svc.scope), None)
    }

    /// May the actor see attributes of `class` on an entry of `org` about `subject`?
    pub fn may_see(&self, class: AttrClass, org: Option<Uuid>, subject: Option<Uuid>) -> bool {
        let target = Target::subject(org, subject.unwrap_or_default(), Rank::Member);
        self.policy().may_see(self.actor, class, &target)
    }

    /// The policy's verdict on `action` for the actor.
    pub fn allows(&self, action: Action, target: Target) -> bool {
        self.policy().authorize(self.actor, action, &target).is_ok()
    }

    /// Whether the actor is exempt from server-side limits.
    pub fn unlimited(&self) -> bool {
        self.policy().unlimited(self.actor)
    }

    /// The roles `member` is in (nested ones included) that the actor may read.
    pub fn visible_member_of(&self, member: Uuid) -> Result<Vec<Role>> {
        let depth = self.settings.max_role_depth;
        roles::visible_member_of(self.tx, self.policy(), self.actor, member, depth)
    }

    /// Every role `member` is in, nested ones included (ids only).
    pub fn member_of_closure(&self, member: Uuid) -> Result<Vec<Uuid>> {
        roles::member_of_closure(self.tx, member, self.settings.max_role_depth)
    }

    /// The applications `member` has through its roles (ids only; whether
    /// the actor may see each is [`View::may_read`] with [`Seen::App`]).
    pub fn apps_of(&self, member: Uuid) -> Result<Vec<Uuid>> {
        grants::apps_of(self.tx, member, self.settings.max_role_depth)
    }

    /// The applications `roles` carry (a member's closure: see
    /// [`View::member_of_closure`]), each once.
    pub fn apps_of_roles(&self, roles: &[Uuid]) -> Result<Vec<Uuid>> {
        grants::apps_of_roles(self.tx, roles)
    }

    /// Every user who has application `app` (whether the actor may read
    /// each is [`View::may_read`]).
    pub fn users_with(&self, app: Uuid) -> Result<Vec<Uuid>> {
        let users = grants::users_with(self.tx, app, self.settings.max_role_depth)?;
        Ok(users.into_iter().collect())
    }
}

/// The records the view reads, as the store keeps them. Whether the actor
/// may see one is [`View::may_read`]'s answer, asked by whoever renders it:
/// names along a DN (an organization's, a unit's) are needed to name
/// entries the actor may read.
impl View<'_> {
    pub fn org(&self, id: Uuid) -> Result<Option<Organization>> {
        Ok(self.tx.org(id)?)
    }
    /// An organization's name, without decoding the rest of its record.
    pub fn org_name(&self, id: Uuid) -> Result<Option<String>> {
        Ok(self.tx.org_name(id)?)
    }
    pub fn org_by_name(&self, name: &str) -> Result<Option<Organization>> {
        Ok(self.tx.org_by_name(name)?)
    }
    pub fn org_id_by_name(&self, name: &str) -> Result<Option<Uuid>> {
        Ok(self.tx.org_id_by_name(name)?)
    }
    pub fn orgs(&self) -> Result<Vec<Organization>> {
        Ok(self.tx.orgs()?)
    }
    pub fn unit(&self, id: Uuid) -> Result<Option<Unit>> {
        Ok(self.tx.unit(id)?)
    }
    pub fn unit_by_name(
        &self,
        org: Uuid,
        parent: Option<Uuid>,
        name: &str,
    ) -> Result<Option<Unit>> {
        Ok(self.tx.unit_by_name(org, parent, name)?)
    }
    pub fn units_in(&self, org: Uuid) -> Result<Vec<Unit>> {
        Ok(self.tx.units_in(org)?)
    }
    pub fn user(&self, id: Uuid) -> Result<Option<User>> {
        Ok(self.tx.user(id)?)
    }
    pub fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        Ok(self.tx.user_by_login(login)?)
    }
    /// Where a user sits (organization, unit), without the rest of it.
    pub fn user_place(&self, id: Uuid) -> Result<Option<(Option<Uuid>, Option<Uuid>)>> {
        Ok(self.tx.user_place(id)?)
    }
    pub fn user_id_by_login(&self, login: &str) -> Result<Option<Uuid>> {
        Ok(self.tx.user_id_by_login(login)?)
    }
    pub fn users_in(&self, org: Option<Uuid>) -> Result<Vec<Uuid>> {
        Ok(self.tx.users_in(org)?)
    }
    pub fn users_by_any_email(&self, email: &str) -> Result<Vec<Uuid>> {
        Ok(self.tx.users_by_any_email(email)?)
    }
    pub fn user_by_uid_number(&self, n: u32) -> Result<Option<Uuid>> {
        Ok(self.tx.user_by_uid_number(n)?)
    }
    pub fn users_by_cn_key(&self, key: &str) -> Result<Vec<Uuid>> {
        Ok(self.tx.users_by_cn_key(key)?)
    }
    pub fn users_by_gid_number(&self, n: u32) -> Result<Vec<Uuid>> {
        Ok(self.tx.users_by_gid_number(n)?)
    }
    pub fn role(&self, id: Uuid) -> Result<Option<Role>> {
        Ok(self.tx.role(id)?)
    }
    pub fn role_by_name(&self, org: Option<Uuid>, name: &str) -> Result<Option<Role>> {
        Ok(self.tx.role_by_name(org, name)?)
    }
    pub fn role_by_gid_number(&self, n: u32) -> Result<Option<Uuid>> {
        Ok(self.tx.role_by_gid_number(n)?)
    }
    pub fn roles_in(&self, org: Option<Uuid>) -> Result<Vec<Uuid>> {
        Ok(self.tx.roles_in(org)?)
    }
    pub fn roles_by_cn_key(&self, key: &str) -> Result<Vec<Uuid>> {
        Ok(self.tx.roles_by_cn_key(key)?)
    }
    pub fn role_members(&self, role: Uuid) -> Result<Vec<Member>> {
        Ok(self.tx.role_members(role)?)
    }
    pub fn service(&self, id: Uuid) -> Result<Option<ServiceAccount>> {
        Ok(self.tx.service(id)?)
    }
    pub fn services(&self) -> Result<Vec<ServiceAccount>> {
        Ok(self.tx.services()?)
    }
    pub fn service_by_name(&self, name: &str) -> Result<Option<ServiceAccount>> {
        Ok(self.tx.service_by_name(name)?)
    }
    pub fn app(&self, id: Uuid) -> Result<Option<Application>> {
        Ok(self.tx.app(id)?)
    }
    pub fn app_by_name(&self, org: Option<Uuid>, name: &str) -> Result<Option<Application>> {
        Ok(self.tx.app_by_name(org, name)?)
    }
    pub fn apps_in(&self, org: Option<Uuid>) -> Result<Vec<Uuid>> {
        Ok(self.tx.apps_in(org)?)
    }
    pub fn apps_by_cn_key(&self, key: &str) -> Result<Vec<Uuid>> {
        Ok(self.tx.apps_by_cn_key(key)?)
    }
    /// The roles that carry application `app` themselves.
    pub fn roles_of_app(&self, app: Uuid) -> Result<Vec<Uuid>> {
        Ok(self.tx.roles_of_app(app)?)
    }
}
