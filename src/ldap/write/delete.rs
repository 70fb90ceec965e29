//! Delete (RFC 4511 §4.8) and Modify DN (§4.9). Deleting maps to the core's
//! delete use cases (an organization or unit that still holds entries is
//! notAllowedOnNonLeaf). Modify DN renames a user (`uid`) or a role (`cn`)
//! and, with newSuperior, moves a user to another organization, which the
//! core checks against the policy at both ends, or to another unit of its
//! organization, which is not a move; all in one transaction. Units are
//! renamed and moved inside their organization (`units`). The fixed
//! containers are never renamed or deleted.

use super::record::other_uids;
use super::{Failure, Outcome, fail, in_transaction, parse_dn};
use crate::directory::kept::Kept;
use crate::directory::model::User;
use crate::directory::roles::RoleChanges;
use crate::directory::users::{OrgRef, UserChanges};
use crate::directory::{Directory, Error, Request};
use crate::ldap::dn::Dn;
use crate::ldap::result::no_such_object;
use crate::ldap::session::Context;
use crate::ldap::tree::{Branch, Node};
use crate::store::Tx;
use ldap3_proto::proto::{LdapModifyDNRequest, LdapResult, LdapResultCode as Code};
use uuid::Uuid;

/// The node a DN names, or noSuchObject with matchedDN (see [`locate`]).
fn find(ctx: &Context, req: &Request, tx: &Tx, dn: &Dn) -> Outcome<Node> {
    super::locate(ctx, req, tx, dn)
}

fn fixed(dn: &Dn) -> Failure {
    fail(
        Code::UnwillingToPerform,
        format!("{dn} is part of dirgate's fixed tree"),
    )
    .into()
}

/// A user private group goes and comes with its user and the option.
fn computed(dn: &Dn) -> Failure {
    fail(
        Code::UnwillingToPerform,
        format!("{dn} is a user private group, which dirgate computes from its user"),
    )
    .into()
}

pub fn delete(dir: &Directory, ctx: &Context, req: &Request, dn: &str) -> LdapResult {
    let dn = match parse_dn(dn) {
        Ok(dn) => dn,
        Err(r) => return r,
    };
    in_transaction(dir, req, |tx| match find(ctx, req, tx, &dn)? {
        Node::User(id) => Ok(dir.delete_user_in(tx, req, id)?),
        Node::Role(id) => Ok(dir.delete_role_in(tx, req, id)?),
        Node::Service(id) => {
            let name = super::view(ctx, req, tx).service(id)?;
            let name = name.map(|s| s.name).unwrap_or_default();
            Ok(dir.delete_service_account_in(tx, req, &name)?)
        }
        Node::Org(id) => {
            let name = super::view(ctx, req, tx).org(id)?;
            let name = name.map(|o| o.name).unwrap_or_default();
            dir.delete_org_in(tx, req, &name).map_err(non_leaf)
        }
        Node::Unit(id) => dir.delete_unit_in(tx, req, id).map_err(non_leaf),
        Node::Base | Node::Branch(_) | Node::RolesOf(_) | Node::AppsOf(_) => Err(fixed(&dn)),
        Node::PrivateGroup(_) => Err(computed(&dn)),
        Node::App(_) => Err(super::application(&dn)),
    })
}

/// A container that still holds entries is notAllowedOnNonLeaf.
fn non_leaf(e: Error) -> Failure {
    match e {
        Error::Conflict(why) => fail(Code::NotAllowedOnNonLeaf, why).into(),
        other => other.into(),
    }
}

/// The value of a one-AVA RDN using `attr`, or namingViolation.
fn rdn_value(rdn: &Dn, attr: &str, what: &str) -> Outcome<String> {
    match rdn.rdn().map(|r| r.avas()) {
        Some([ava]) if ava.attr_is(attr) && rdn.rdns().len() == 1 => Ok(ava.value.clone()),
        _ => Err(fail(
            Code::NamingViolation,
            format!("a {what} is named by {attr}=<value>"),
        )
        .into()),
    }
}

pub fn modify_dn(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    m: &LdapModifyDNRequest,
) -> LdapResult {
    let parsed = (|| {
        let dn = parse_dn(&m.dn)?;
        let rdn = parse_dn(&m.newrdn)?;
        let sup = m.new_superior.as_deref().map(parse_dn).transpose()?;
        Ok::<_, LdapResult>((dn, rdn, sup))
    })();
    let (dn, rdn, sup) = match parsed {
        Ok(p) => p,
        Err(r) => return r,
    };
    in_transaction(dir, req, |tx| {
        let node = find(ctx, req, tx, &dn)?;
        let parent = match &sup {
            Some(s) => s.clone(),
            None => dn.parent().unwrap_or_else(|| dn.clone()),
        };
        let new_dn = parse_dn(&format!("{rdn},{parent}"))?;
        if new_dn != dn {
            super::refuse_existing(ctx, req, tx, &new_dn)?;
        }
        match node {
            Node::User(id) => {
                let to = (&rdn, sup.as_ref(), m.deleteoldrdn);
                rename_user(dir, ctx, req, tx, id, to)
            }
            Node::Role(id) => {
                let to = Rename {
                    rdn: &rdn,
                    dn: &dn,
                    sup: sup.as_ref(),
                    delete_old: m.deleteoldrdn,
                };
                rename_role(dir, ctx, req, tx, id, to)
            }
            Node::Unit(id) => {
                let name = rdn_value(&rdn, "ou", "unit")?;
                let to = (name, sup.as_ref(), m.deleteoldrdn);
                super::units::rename_unit(dir, ctx, req, tx, id, to)
            }
            Node::Org(_) | Node::Service(_) => Err(fail(
                Code::UnwillingToPerform,
                "organizations and service accounts are not renamed over LDAP",
            )
            .into()),
            Node::Base | Node::Branch(_) | Node::RolesOf(_) | Node::AppsOf(_) => Err(fixed(&dn)),
            Node::PrivateGroup(_) => Err(computed(&dn)),
            Node::App(_) => Err(super::application(&dn)),
        }
    })
}

/// Where a user goes under `sup`: an organization (directly or in one of
/// its units) or `ou=people`.
fn destination(ctx: &Context, req: &Request, tx: &Tx, sup: &Dn) -> Outcome<(OrgRef, Option<Uuid>)> {
    match find(ctx, req, tx, sup)? {
        Node::Org(o) => Ok((OrgRef::Id(o), None)),
        Node::Unit(u) => match super::view(ctx, req, tx).unit(u)? {
            Some(unit) => Ok((OrgRef::Id(unit.org), Some(u))),
            None => Err(no_such_object(String::new()).into()),
        },
        Node::Branch(Branch::People) => Ok((OrgRef::NoOrg, None)),
        _ => Err(fail(
            Code::UnwillingToPerform,
            format!(
                "users live below an organization, one of its units or ou=people, not below {sup}"
            ),
        )
        .into()),
    }
}

fn rename_user(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    id: Uuid,
    (rdn, sup, delete_old): (&Dn, Option<&Dn>, bool),
) -> Outcome<()> {
    let login = rdn_value(rdn, "uid", "user")?;
    let mut unit = None;
    if let Some(sup) = sup {
        let (dest, in_unit) = destination(ctx, req, tx, sup)?;
        // Between units of one organization the user stays where it is, for
        // every rule: only its place in the tree changes.
        dir.move_user_in(tx, req, id, Some(dest))?;
        unit = Some(in_unit);
    }
    let current = super::view(ctx, req, tx).user(id)?;
    let attrs = current
        .as_ref()
        .and_then(|u| renamed_uids(u, &login, delete_old));
    let changes = UserChanges {
        login: Some(login).filter(|l| current.as_ref().is_some_and(|u| u.login != *l)),
        unit: unit.filter(|u| current.as_ref().is_some_and(|c| c.unit != *u)),
        attrs,
        ..Default::default()
    };
    if changes.login.is_some() || changes.unit.is_some() || changes.attrs.is_some() {
        dir.update_user_in(tx, req, id, &changes, None)?;
    }
    Ok(())
}

/// The kept `uid` values once the user is named `login`: without
/// deleteoldrdn the old login stays a value, as in slapd; the new one is
/// the login now, no longer an extra. None when they do not change.
fn renamed_uids(u: &User, login: &str, delete_old: bool) -> Option<Kept> {
    let mut uids = u.attrs.get("uid").to_vec();
    if !delete_old {
        uids.push(u.login.clone());
    }
    let uids = other_uids(&uids, login);
    let mut kept = u.attrs.clone();
    kept.set("uid", uids);
    (kept != u.attrs).then_some(kept)
}

/// A role's new name and place, as a Modify DN asks.
struct Rename<'a> {
    rdn: &'a Dn,
    dn: &'a Dn,
    sup: Option<&'a Dn>,
    /// deleteoldrdn: without it the old name stays one of the role's `cn`
    /// values, as in slapd.
    delete_old: bool,
}

fn rename_role(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    id: Uuid,
    to: Rename<'_>,
) -> Outcome<()> {
    let name = rdn_value(to.rdn, "cn", "role")?;
    if let Some(sup) = to.sup {
        let view = super::view(ctx, req, tx);
        let here = to
            .dn
            .parent()
            .map(|p| ctx.tree.resolve(&view, &p))
            .transpose()?;
        let there = ctx.tree.resolve(&view, sup)?;
        if here != Some(there) {
            return Err(fail(
                Code::UnwillingToPerform,
                "a role stays in its organization; create a new one elsewhere instead",
            )
            .into());
        }
    }
    let Some(role) = super::view(ctx, req, tx).role(id)? else {
        return Ok(());
    };
    if role.name == name {
        return Ok(());
    }
    let mut changes = RoleChanges {
        name: Some(name.clone()),
        ..Default::default()
    };
    if !to.delete_old {
        let mut names = role.common_names();
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.insert(0, name);
        }
        let mut kept = role.attrs.clone();
        kept.set("cn", names);
        changes.attrs = Some(kept);
    }
    dir.update_role_in(tx, req, id, &changes)?;
    Ok(())
}
