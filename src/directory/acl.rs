//! The one access policy. Every allow/deny in dirgate comes from
//! [`Policy::authorize`] (may this actor do this action on this target?) and
//! [`Policy::may_see`] (may it see this class of attribute?). Front ends build an
//! [`Actor`] from a bind, a bearer token or an admin credential and call these;
//! none of them has rules of its own. Pure functions: no store, no I/O.

use crate::directory::model::{Right, Rights, Scope};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who is asking, with everything the policy needs already resolved from the
/// store (organization, administrator status, rights from roles).
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    pub kind: ActorKind,
    /// The principal's id (user, service account, token or system administrator).
    pub id: Option<Uuid>,
    /// How the audit trail names this actor (a login, `cn=admin`, `token:<id>`).
    pub name: String,
}

/// The kinds of principal the policy distinguishes.
#[derive(Clone, Debug, PartialEq)]
pub enum ActorKind {
    /// No credentials.
    Anonymous,
    /// A person's account, with what it holds.
    User(UserPowers),
    /// An application's bind account: reads its scope, nothing else.
    Service { scope: Scope },
    /// A SCIM bearer token: provisions users and roles inside its scope.
    Token { scope: Scope },
    /// The system administrator.
    System,
    /// dirgate itself (bootstrap, migrations); never built from a credential.
    Internal,
    /// Another node of this server set, proven by the set's secret: takes
    /// a snapshot of the store (a backup) to catch up, nothing else.
    Peer,
}

/// A user's standing: its organization and what it administers there.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserPowers {
    pub org: Option<Uuid>,
    /// Organization Administrator of `org`.
    pub org_admin: bool,
    /// Delegated Administrator of `org`.
    pub delegate: bool,
    /// Rights from roles (nested roles included), each with where it applies.
    pub grants: Vec<(Scope, Right)>,
}

impl Actor {
    pub fn anonymous() -> Actor {
        Actor {
            kind: ActorKind::Anonymous,
            id: None,
            name: "anonymous".into(),
        }
    }

    /// The organization this actor works in, where things it creates without
    /// naming an organization go: a user's own organization when it holds any
    /// standing there, an organization-scoped token's or service's organization.
    pub fn home_org(&self) -> Option<Uuid> {
        match &self.kind {
            ActorKind::User(p) => p.org.filter(|o| {
                p.org_admin || p.delegate || p.grants.iter().any(|(s, _)| *s == Scope::Org(*o))
            }),
            _ => self.own_org(),
        }
    }

    /// The organization the actor belongs to: a user's, or the one an
    /// organization-scoped token or service account is confined to.
    pub fn own_org(&self) -> Option<Uuid> {
        match &self.kind {
            ActorKind::User(p) => p.org,
            ActorKind::Token {
                scope: Scope::Org(o),
            }
            | ActorKind::Service {
                scope: Scope::Org(o),
            } => Some(*o),
            _ => None,
        }
    }

    pub fn internal() -> Actor {
        Actor {
            kind: ActorKind::Internal,
            id: None,
            name: "dirgate".into(),
        }
    }
}

/// What the actor wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Read an entry (user, role, organization).
    Read,
    /// Read the root DSE and the schema: open to everyone, anonymous included,
    /// as clients need them to discover the server (RFC 4512 §5.1).
    ReadSchema,
    /// See the fixed skeleton of the tree (the base entry and the containers
    /// people, groups, services): every authenticated principal may, so that
    /// applications can walk down to what they are allowed to read.
    ReadTree,
    CreateUser,
    ModifyUser,
    DeleteUser,
    CreateRole,
    ModifyRole,
    DeleteRole,
    /// Move a user out of (or into) the target organization; checked for both ends.
    MoveUser,
    UnlockUser,
    /// registered → active, after an out-of-band check.
    ValidateUser,
    /// Give a role a right, or a member to a role that carries it.
    GrantRight(Right),
    CreateOrganization,
    ModifyOrganization,
    DeleteOrganization,
    AppointOrgAdmin,
    AppointDelegate,
    IssueToken,
    ReadReports,
    ReadAudit,
    ManageSuffixes,
    ManageServiceAccounts,
    /// Read the server's settings (password hashing, lockout, self-service,
    /// retention): the system administrator's, as it runs the server.
    ReadSettings,
    /// Read the outbox (notices pending, sent, failed, with their
    /// recipients): the system administrator's, as it runs the mail relay
    /// and the webhook.
    ReadNotices,
    /// Take a backup of the whole store (every record and password hash):
    /// the system administrator's.
    Backup,
    /// Change one's own password (target.subject must be the actor).
    ChangeOwnPassword,
    /// Change one's own self-service attributes (the configured set of
    /// [`crate::directory::Settings::self_service`]; target.subject must be the actor).
    EditOwnProfile,
    /// Set another account's password.
    ResetPassword,
    /// Set one's own forgotten password with a code mailed to one's
    /// address (the code proves the actor is `target.subject`): accounts
    /// without administrative standing or rights only, since a mailbox is a
    /// weaker proof than taking over an administrator deserves.
    ResetByMail,
    /// Enrol, confirm or remove one's own second factor (`target.subject`
    /// must be the actor; removing it takes a code besides).
    ManageOwnSecondFactor,
    /// Remove another account's second factor (a lost phone): who may reset
    /// its password, as that is what the factor guards.
    ResetSecondFactor,
    /// Read, confirm or download a bulk import preview: only the actor who
    /// made it (`target.subject`) and the system administrator.
    ManageImport,
    /// Create, change and delete the organizational units inside an
    /// organization (its own tree): its administrators.
    ManageUnits,
    /// Add an account to, or take it out of, a role that carries rights (also
    /// by nesting roles, changing such a role's rights, or deleting it): the
    /// target is each account whose rights change, with its rank, since this
    /// acts on it. The rights a new member gains are checked as
    /// [`Action::GrantRight`] besides.
    ChangeMembership,
    /// Upload a bulk import file: only actors who could apply at least one
    /// row somewhere, so that nobody else makes dirgate read a file at all.
    /// Asked before the upload is read; the target is not looked at.
    ImportFile,
    /// Put password hashes (`userPassword`) into an LDIF export: the
    /// system administrator only, as whoever holds a hash can guess at it
    /// offline. Anyone else's export leaves them out.
    ExportSecrets,
    /// Give a new record the id and times another directory gave its entry
    /// (`entryUUID`, the timestamps), as `dirgate load-ldif` does: the
    /// system administrator only, since ids are what applications key on.
    KeepIdentity,
    /// Create, change and delete applications owned by the target
    /// organization (`None`: server-wide ones), and set an organization's
    /// approvers and default role for an application it may use: the
    /// system administrator, and an organization's administrators there.
    ManageApplications,
    /// Know that an application exists and read its entry (not who has
    /// it, which follows [`Action::Read`] on each user): one owned by the
    /// actor's scope, or a server-wide one, which every organization may use.
    SeeApplication,
    /// Ask for access to an application (`target.subject` must be the
    /// actor, `target.org` its own organization).
    RequestApplication,
    /// Approve or reject a request of `target.subject` in `target.org`:
    /// the organization's administrators, holders of role management there,
    /// and the users it named as the application's approvers
    /// (`target.named`); never the requester itself.
    DecideRequest,
    /// Read a request: its requester, and whoever may decide it.
    ReadRequest,
    /// Withdraw a pending request: its requester only.
    WithdrawRequest,
}

/// What the action is aimed at: its organization (`None` = in no organization,
/// or server-wide) and, when it is one account, that account's id and standing
/// there (its rank, with the rights it holds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub org: Option<Uuid>,
    pub subject: Option<Uuid>,
    /// The administrative standing of the account acted on: people may only
    /// administer accounts that rank below them (a delegate cannot disable its
    /// Organization Administrator or another delegate).
    pub rank: Rank,
    /// The target names the actor in a role the data gives it (an
    /// application's approver in `org`): set by the use case that read it,
    /// weighed by the rule of each action that cares.
    pub named: bool,
}

/// Administrative standing inside an organization, lowest first: members,
/// right holders, delegates, the Organization Administrator. Right holders
/// rank by the set of rights they hold, compared by inclusion rather than in
/// a line: one holding user-management and one holding role-management
/// outrank neither the other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rank {
    #[default]
    Member,
    /// Holds these rights in the account's organization through its roles
    /// (nested ones included, server-wide ones too); never empty.
    RightHolder(Rights),
    Delegate,
    OrgAdmin,
}

impl Rank {
    /// The rank of an account that is neither a delegate nor the
    /// Organization Administrator and holds `rights` in its organization.
    pub fn holding(rights: Rights) -> Rank {
        if rights.is_empty() {
            Rank::Member
        } else {
            Rank::RightHolder(rights)
        }
    }
}

impl Target {
    pub fn org(org: Option<Uuid>) -> Target {
        Target {
            org,
            ..Target::default()
        }
    }
    pub fn subject(org: Option<Uuid>, id: Uuid, rank: Rank) -> Target {
        Target {
            org,
            subject: Some(id),
            rank,
            named: false,
        }
    }
}

/// A refusal. The message is safe to show: it names the action, not the data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("insufficient access: {actor} may not {action:?} here")]
pub struct Denied {
    pub actor: String,
    pub action: Action,
    pub target: Target,
}

/// Classes of attribute, from least to most sensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttrClass {
    /// Names, mail, ids, group membership, lifecycle state and account flags.
    Identity,
    /// Lockout state, failure times, last login: for administrators of the account.
    Security,
    /// Password hashes, recovery codes, token hashes: never shown to anyone.
    Secret,
}

/// Settings the policy reads (from the configuration).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    /// Where anonymous clients may read entries; `None` = only the root DSE and schema.
    pub anonymous_read: Option<Scope>,
}

impl Policy {
    /// The one decision: may `actor` do `action` on `target`?
    pub fn authorize(&self, actor: &Actor, action: Action, target: &Target) -> Result<(), Denied> {
        let allowed = action == Action::ReadSchema
            || match &actor.kind {
                ActorKind::System | ActorKind::Internal => true,
                ActorKind::Anonymous => match action {
                    Action::ReadTree => self.anonymous_read.is_some(),
                    Action::Read => self.anonymous_read.is_some_and(|s| s.covers(target.org)),
                    Action::SeeApplication => self
                        .anonymous_read
                        .is_some_and(|s| target.org.is_none() || s.covers(target.org)),
                    _ => false,
                },
                ActorKind::Service { scope } => match action {
                    Action::ReadTree => true,
                    Action::Read => scope.covers(target.org),
                    Action::SeeApplication => target.org.is_none() || scope.covers(target.org),
                    _ => false,
                },
                ActorKind::Token { scope } => token_may(*scope, action, target),
                ActorKind::Peer => action == Action::Backup,
                ActorKind::User(powers) => user_may(actor.id, powers, action, target),
            };
        if allowed {
            Ok(())
        } else {
            Err(Denied {
                actor: actor.name.clone(),
                action,
                target: *target,
            })
        }
    }

    /// May `actor` know that `target` exists? What it may read, and what
    /// lies in its own organization (the one its own entry, or its token's
    /// or service's scope, names). Use cases ask this before "may it do?",
    /// and answer "not found" when it may not: what an actor may not see,
    /// it cannot tell apart from what does not exist, across organizations.
    /// Inside its own organization a refusal says so, as the actor knows
    /// the organization and its members' names are no secret there.
    pub fn may_know(&self, actor: &Actor, target: &Target) -> bool {
        let read = Target {
            rank: Rank::Member,
            ..*target
        };
        self.authorize(actor, Action::Read, &read).is_ok()
            || (target.org.is_some() && target.org == actor.own_org())
    }

    /// Whether `actor` is exempt from server-side limits such as the search size
    /// limit (the system administrator, like slapd's rootdn).
    pub fn unlimited(&self, actor: &Actor) -> bool {
        matches!(actor.kind, ActorKind::System | ActorKind::Internal)
    }

    /// May `actor` see attributes of `class` on an entry it is allowed to read?
    pub fn may_see(&self, actor: &Actor, class: AttrClass, target: &Target) -> bool {
        match class {
            AttrClass::Secret => false,
            AttrClass::Identity => self.authorize(actor, Action::Read, target).is_ok(),
            AttrClass::Security => self.authorize(actor, Action::UnlockUser, target).is_ok(),
        }
    }
}

/// Identity providers provision users and roles inside their scope; they never
/// administer people, grant rights, or touch server settings.
fn token_may(scope: Scope, action: Action, target: &Target) -> bool {
    use Action::*;
    if action == ReadTree || (action == SeeApplication && target.org.is_none()) {
        return true;
    }
    let provisioning = matches!(
        action,
        Read | CreateUser | CreateRole | ModifyRole | DeleteRole | SeeApplication
    );
    // Acting on an account (its password, which SCIM may sync; its state, its
    // name, its roles, its organization, its deletion): members only. A token
    // ranks as the rights it carries, user management as provisioning, and
    // that is not every right of any right holder (it cannot validate or
    // unlock), let alone an administrator's standing: otherwise their
    // accounts would be one token away from a takeover.
    let account = matches!(
        action,
        ModifyUser | DeleteUser | MoveUser | ResetPassword | ChangeMembership
    ) && target.rank == Rank::Member;
    (provisioning || account) && scope.covers(target.org)
}

fn user_may(me: Option<Uuid>, p: &UserPowers, action: Action, target: &Target) -> bool {
    use Action::*;
    let is_self = me.is_some() && target.subject == me;
    if action == ReadTree
        || (is_self
            && matches!(
                action,
                Read | ChangeOwnPassword | EditOwnProfile | ManageImport | ManageOwnSecondFactor
            ))
    {
        return true;
    }
    // Everything else is administration, which needs standing in the target's
    // organization; nothing applies to "no organization" but server-wide grants.
    let admin = administers(p, target.org);
    let has = |right: Right| admin || holds(p, right, target.org);
    let outranks = outranks(p, target);
    match action {
        Read => admin || Right::ALL.into_iter().any(|r| holds(p, r, target.org)),
        CreateUser => has(Right::UserManagement),
        ModifyUser | DeleteUser | MoveUser | ResetPassword | ValidateUser | ResetSecondFactor => {
            has(Right::UserManagement) && outranks
        }
        CreateRole | ModifyRole | DeleteRole => has(Right::RoleManagement),
        UnlockUser => has(Right::AccountUnlock) && outranks,
        // Taking one's own rights away is never an escalation, and giving
        // them is judged as GrantRight besides: an administrator may change
        // the roles it sits in itself (delete one it is a member of).
        ChangeMembership => has(Right::RoleManagement) && (outranks || is_self),
        // Granting a right needs that right itself, so nobody climbs above what
        // they hold; delegates and the Organization Administrator hold all three.
        GrantRight(right) => has(right),
        ReadReports | ReadAudit | ManageUnits => admin,
        ImportFile => imports_somewhere(p),
        ManageApplications => admin,
        SeeApplication => target.org.is_none() || target.org == p.org,
        RequestApplication => is_self && p.org.is_some() && target.org == p.org,
        WithdrawRequest => is_self,
        ResetByMail => is_self && !p.org_admin && !p.delegate && p.grants.is_empty(),
        // Approving puts the requester in a role; the rank and rights rules
        // of that membership are asked besides, when the role carries rights.
        DecideRequest => !is_self && decides(p, target),
        ReadRequest => is_self || decides(p, target),
        AppointDelegate | IssueToken => p.org_admin && target.org.is_some() && target.org == p.org,
        ChangeOwnPassword
        | EditOwnProfile
        | ReadTree
        | ReadSchema
        | ManageImport
        | ManageOwnSecondFactor => false,
        CreateOrganization
        | ModifyOrganization
        | DeleteOrganization
        | AppointOrgAdmin
        | ManageSuffixes
        | ManageServiceAccounts
        | ReadSettings
        | ReadNotices
        | Backup
        | ExportSecrets
        | KeepIdentity => false,
    }
}

/// Whether a user decides requests of `target.org`: its administrators,
/// holders of role management there, and approvers it named (who must
/// belong to it: an approver acts in its own organization only).
fn decides(p: &UserPowers, target: &Target) -> bool {
    administers(p, target.org)
        || holds(p, Right::RoleManagement, target.org)
        || (target.named && target.org.is_some() && target.org == p.org)
}

/// Whether a user ranks above the account `target` names, in its
/// organization. Plain members are fair game for whoever holds the right the
/// action needs; a right holder only for whoever holds every right it holds
/// there (or administers the organization), so that nobody takes over an
/// account that can do more than itself; delegates only for the Organization
/// Administrator; the Organization Administrator for nobody but the system
/// administrator.
fn outranks(p: &UserPowers, target: &Target) -> bool {
    let own_org = target.org.is_some() && target.org == p.org;
    match target.rank {
        Rank::Member => true,
        Rank::RightHolder(rights) => {
            administers(p, target.org) || rights.iter().all(|r| holds(p, r, target.org))
        }
        Rank::Delegate => own_org && p.org_admin,
        Rank::OrgAdmin => false,
    }
}

/// Whether a user could apply an import row anywhere: every row creates,
/// changes or moves a user, which needs user management in the row's
/// organization (delegates and the Organization Administrator hold it in
/// theirs). Where does not matter here; each row is checked when planned.
fn imports_somewhere(p: &UserPowers) -> bool {
    administers(p, p.org)
        || p.grants
            .iter()
            .any(|(_, right)| *right == Right::UserManagement)
}

/// Delegates and the Organization Administrator administer their own organization.
fn administers(p: &UserPowers, org: Option<Uuid>) -> bool {
    (p.org_admin || p.delegate) && org.is_some() && org == p.org
}

/// A right from a role, applying to `org`.
fn holds(p: &UserPowers, right: Right, org: Option<Uuid>) -> bool {
    p.grants
        .iter()
        .any(|(scope, r)| *r == right && scope.covers(org))
}
