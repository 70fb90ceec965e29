//! Add (RFC 4511 §4.7): the parent DN says what the entry is — an
//! organization below the base, a user below an organization, one of its
//! units or `ou=people`, a role below `ou=roles,ou=<Org>`, a unit or
//! `ou=groups`, a unit (`ou=`) below an organization or a unit, a service
//! account below `ou=services` — and the core's create use case makes it, in
//! the same transaction as the role memberships the entry lists.

use super::attrs::Attrs;
use super::record::{
    members, new_password, org_kept, role_fields, seats, set_manager, unit_kept, user_fields,
};
use super::shape::{self, Shape};
use super::{Checked, Outcome, fail, in_transaction, parse_dn};
use crate::directory::credentials::PasswordFor;
use crate::directory::model::{Lifecycle, Scope, SecretHash};
use crate::directory::orgs::NewOrg;
use crate::directory::profile::Profile;
use crate::directory::roles::NewRole;
use crate::directory::services::NewService;
use crate::directory::units::NewUnit;
use crate::directory::users::{NewUser, OrgRef};
use crate::directory::view::View;
use crate::directory::{Directory, Request};
use crate::ldap::dn::Dn;
use crate::ldap::render::roles::MEMBER_ATTRS;
use crate::ldap::result::no_such_object;
use crate::ldap::schema;
use crate::ldap::session::Context;
use crate::ldap::tree::{Branch, Node, Resolved};
use crate::store::Tx;
use ldap3_proto::proto::{LdapAddRequest, LdapResult, LdapResultCode as Code};
use uuid::Uuid;

pub fn add(dir: &Directory, ctx: &Context, req: &Request, add: &LdapAddRequest) -> LdapResult {
    let prepared = prepare(dir, ctx, req, add);
    let (dn, attrs, hash) = match prepared {
        Ok(p) => p,
        Err(r) => return r,
    };
    in_transaction(dir, req, |tx| {
        add_in(dir, ctx, req, tx, &dn, attrs.clone(), hash.clone(), None)?;
        Ok(())
    })
}

/// One add inside a caller's transaction (an LDIF load adds a whole file
/// in one), password hashing included; `id` is the id a load keeps for the
/// new record (its `entryUUID` in the file). Says what the entry became,
/// so the load need not look the new entry up again to count it.
pub(crate) fn add_entry(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    add: &LdapAddRequest,
    id: Option<Uuid>,
) -> Outcome<Added> {
    let (dn, attrs, hash) = prepare(dir, ctx, req, add)?;
    add_in(dir, ctx, req, tx, &dn, attrs, hash, id)
}

/// Parsing and password hashing, done before the transaction opens (argon2 is
/// slow and the store has one writer).
fn prepare(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    add: &LdapAddRequest,
) -> Checked<(Dn, Attrs, Option<SecretHash>)> {
    let dn = parse_dn(&add.dn)?;
    let attrs = Attrs::from_wire(&add.attributes)?;
    let hash = match attrs.single("userPassword")? {
        Some(v) => {
            let whose = password_for(dir, ctx, req, &dn, &attrs);
            dir.hash_checked(Some(&new_password(v)), &whose)
                .map_err(|e| crate::ldap::result::from_error(&e))?
        }
        None => None,
    };
    Ok((dn, attrs, hash))
}

/// Whose password a new entry's is, for the password policy: its login
/// (the RDN's `uid`), the names it carries, and the organization its DN
/// places it in (the RDN right below the base), whose policy applies.
fn password_for(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    dn: &Dn,
    attrs: &Attrs,
) -> PasswordFor {
    let login = dn.rdn().and_then(|r| r.get("uid")).unwrap_or_default();
    let mut names: Vec<Option<&str>> = Vec::new();
    for name in ["givenName", "sn", "cn", "displayName"] {
        names.extend(attrs.values(name).iter().map(|v| Some(v.as_str())));
    }
    let top = dn
        .relative_to(ctx.tree.base())
        .and_then(|rdns| rdns.last())
        .and_then(|rdn| rdn.get("ou"))
        .map(str::to_owned);
    let org = top.and_then(|name| {
        dir.view(&req.actor, |v| v.org_id_by_name(&name))
            .ok()
            .flatten()
    });
    PasswordFor::account(login, &names, org)
}

/// What an add made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Added {
    Org,
    Unit,
    User,
    Role,
    Service,
}

/// What the parent (and, inside an organization, the RDN's attribute) says
/// the new entry is.
enum Kind {
    Org,
    /// An organizational unit of `org`, in unit `parent` or directly in it.
    Unit {
        org: Uuid,
        parent: Option<Uuid>,
    },
    User {
        org: Option<Uuid>,
        unit: Option<Uuid>,
    },
    Role {
        org: Option<Uuid>,
        unit: Option<Uuid>,
    },
    Service,
}

impl Kind {
    fn shape(&self) -> &'static Shape {
        match self {
            Kind::Org => &shape::ORG,
            Kind::Unit { .. } => &shape::UNIT,
            Kind::User { .. } => &shape::USER,
            Kind::Role { .. } => &shape::ROLE,
            Kind::Service => &shape::SERVICE,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn add_in(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    dn: &Dn,
    mut attrs: Attrs,
    hash: Option<SecretHash>,
    id: Option<Uuid>,
) -> Outcome<Added> {
    super::refuse_existing(ctx, req, tx, dn)?;
    let Some(parent) = dn
        .parent()
        .filter(|_| dn.relative_to(ctx.tree.base()).is_some())
    else {
        return Err(no_such_object(String::new()).into());
    };
    let node = super::locate(ctx, req, tx, &parent)?;
    let kind = kind_below(&super::view(ctx, req, tx), node, &parent, dn)?;
    let shape = kind.shape();
    let name = naming_value(shape, dn, &mut attrs)?;
    shape::check(shape, &attrs, true)?;
    if hash.is_some() && !matches!(kind, Kind::User { .. } | Kind::Service) {
        // Classes allow it on groups and units, but dirgate keeps passwords
        // (hashed) on accounts only: kept as written it would be shown.
        return Err(fail(
            Code::UnwillingToPerform,
            "userPassword: dirgate keeps passwords on users and service accounts only",
        )
        .into());
    }
    match kind {
        Kind::Org => {
            let new = NewOrg {
                name,
                seats: seats(&attrs)?,
                description: attrs.values("description").first().cloned(),
                id,
            };
            let org = dir.create_org_in(tx, req, new)?;
            dir.set_org_attrs_in(tx, req, &org.name, org_kept(&attrs, &org.name))?;
            Ok(Added::Org)
        }
        Kind::Unit { org, parent } => {
            let new = NewUnit {
                org,
                parent,
                attrs: unit_kept(&attrs, &name),
                name,
                id,
            };
            dir.create_unit_in(tx, req, new)?;
            Ok(Added::Unit)
        }
        Kind::User { org, unit } => {
            let place = Place { org, unit, id };
            add_user(ctx, req, tx, &attrs, name, place, hash)?;
            Ok(Added::User)
        }
        Kind::Role { org, unit } => {
            let place = Place { org, unit, id };
            add_role(dir, ctx, req, tx, &attrs, name, place)?;
            Ok(Added::Role)
        }
        Kind::Service => {
            add_service(dir, ctx, req, tx, &attrs, &name, hash, id)?;
            Ok(Added::Service)
        }
    }
}

/// The kind of entry a node may hold directly below it. Inside an
/// organization the RDN says which: `ou=` a unit, `cn=` a role (in a unit),
/// anything else a user (named by `uid=`, which the shape checks).
fn kind_below(tx: &View<'_>, node: Node, parent: &Dn, dn: &Dn) -> Outcome<Kind> {
    let named = |attr: &str| {
        dn.rdn()
            .is_some_and(|r| matches!(r.avas(), [ava] if ava.attr_is(attr)))
    };
    Ok(match node {
        Node::Base => Kind::Org,
        Node::Org(org) if named("ou") => Kind::Unit { org, parent: None },
        Node::Org(org) => Kind::User {
            org: Some(org),
            unit: None,
        },
        Node::Unit(id) => {
            let org = tx
                .unit(id)?
                .map(|u| u.org)
                .ok_or_else(|| no_such_object(String::new()))?;
            if named("ou") {
                Kind::Unit {
                    org,
                    parent: Some(id),
                }
            } else if named("cn") {
                Kind::Role {
                    org: Some(org),
                    unit: Some(id),
                }
            } else {
                Kind::User {
                    org: Some(org),
                    unit: Some(id),
                }
            }
        }
        Node::Branch(Branch::People) => Kind::User {
            org: None,
            unit: None,
        },
        Node::RolesOf(org) => Kind::Role {
            org: Some(org),
            unit: None,
        },
        Node::Branch(Branch::Groups) => Kind::Role {
            org: None,
            unit: None,
        },
        Node::Branch(Branch::Services) => Kind::Service,
        Node::Branch(Branch::Applications) | Node::AppsOf(_) => {
            return Err(super::application(dn));
        }
        Node::User(_) | Node::Role(_) | Node::Service(_) | Node::PrivateGroup(_) | Node::App(_) => {
            return Err(fail(
                Code::UnwillingToPerform,
                format!("dirgate keeps no entries below {parent}"),
            )
            .into());
        }
    })
}

/// The RDN's value, which must use the kind's naming attribute; the entry
/// gets that value when it lacks it, as RFC 4511 §4.7 lets servers do.
fn naming_value(shape: &Shape, dn: &Dn, attrs: &mut Attrs) -> Checked<String> {
    let naming = || {
        fail(
            Code::NamingViolation,
            format!(
                "a {} entry is named by {}=<value>, not {dn}",
                shape.what, shape.rdn
            ),
        )
    };
    let rdn = dn.rdn().ok_or_else(naming)?;
    let value = match rdn.avas() {
        [ava] if ava.attr_is(shape.rdn) => ava.value.clone(),
        _ => return Err(naming()),
    };
    let ty = schema::attribute(shape.rdn).ok_or_else(naming)?;
    let present = attrs.get(ty);
    if present.is_empty() {
        attrs.put(ty, vec![value.clone()]);
    } else if !present
        .iter()
        .any(|v| schema::equality(ty, v, &value).unwrap_or(*v == value))
    {
        return Err(fail(
            Code::NamingViolation,
            format!(
                "the entry's {} values do not include its RDN value",
                shape.rdn
            ),
        ));
    }
    Ok(value)
}

/// Where a new user or role goes, and the id a load keeps for it.
struct Place {
    org: Option<Uuid>,
    unit: Option<Uuid>,
    id: Option<Uuid>,
}

fn add_user(
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    attrs: &Attrs,
    login: String,
    place: Place,
    hash: Option<SecretHash>,
) -> Outcome<()> {
    let mut f = user_fields(attrs, &[], &Profile::default(), &login)?;
    set_manager(&super::view(ctx, req, tx), &ctx.tree, attrs, &mut f)?;
    let new = NewUser {
        email: f.email,
        given_name: f.given_name,
        family_name: f.family_name,
        display_name: f.display_name,
        org: Some(place.org.map_or(OrgRef::NoOrg, OrgRef::Id)),
        // An entry added over LDAP is meant to be used, as with slapd and
        // `dirgate load-ldif`; registration is the admin API's flow.
        state: f.state.unwrap_or(Lifecycle::Active),
        flags: f.flags,
        external_id: f.external_id,
        password: None,
        profile: f.profile,
        attrs: f.kept,
        uid_number: f.uid_number,
        gid_number: f.gid_number,
        unit: place.unit,
        id: place.id,
        expires: f.expires,
        password_changed: f.password_changed,
        ..NewUser::new(login)
    };
    ctx.dir.create_user_in(tx, req, new, hash)?;
    Ok(())
}

fn add_role(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    attrs: &Attrs,
    name: String,
    place: Place,
) -> Outcome<()> {
    let f = role_fields(attrs, &[], &name)?;
    let new = NewRole {
        name,
        org: Some(place.org.map_or(OrgRef::NoOrg, OrgRef::Id)),
        rights: f.rights,
        description: f.description,
        external_id: f.external_id,
        gid_number: f.gid_number,
        unit: place.unit,
        attrs: f.kept,
        id: place.id,
    };
    let role = dir.create_role_in(tx, req, new)?;
    let listed = members(dir, req, tx, &ctx.tree, attrs, &MEMBER_ATTRS)?;
    for m in listed {
        dir.add_member_in(tx, req, role.id, m)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn add_service(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    attrs: &Attrs,
    name: &str,
    hash: Option<SecretHash>,
    id: Option<Uuid>,
) -> Outcome<()> {
    let hash = hash.ok_or_else(|| {
        fail(
            Code::ObjectClassViolation,
            "a service account needs a userPassword",
        )
    })?;
    let scope = match attrs.single("dirgateReadScope")? {
        None => Scope::Server,
        Some(dn) => match ctx
            .tree
            .resolve(&super::view(ctx, req, tx), &parse_dn(dn)?)?
        {
            Resolved::Found(Node::Base) => Scope::Server,
            Resolved::Found(Node::Org(o)) => Scope::Org(o),
            _ => {
                return Err(fail(
                    Code::ConstraintViolation,
                    "dirgateReadScope: must be the base DN or an organization's DN",
                )
                .into());
            }
        },
    };
    let new = NewService {
        name,
        scope,
        description: attrs.single("description")?.map(str::to_owned),
        id,
    };
    dir.create_service_account_in(tx, req, new, hash)?;
    Ok(())
}
