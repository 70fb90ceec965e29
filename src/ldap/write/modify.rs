//! Modify (RFC 4511 §4.6): the changes are applied, in order, to the entry's
//! writable attributes as they stand; the result is schema-checked and then
//! turned into the core's change sets (user changes, role members, seats),
//! all in one transaction, so several changes land together or not at all.
//! `userPassword` is hashed before the transaction opens; deleting
//! `pwdAccountLockedTime` unlocks the account (ppolicy's way).

use super::attrs::{Attrs, attr_type, decode_values};
use super::record::{
    UserFields, members, new_password, org_attrs, org_kept, role_attrs, role_fields, seats,
    set_manager, unit_attrs, unit_kept, user_attrs, user_fields,
};
use super::shape::{self, Shape};
use super::{Checked, Outcome, fail, in_transaction, parse_dn};
use crate::directory::acl::{Action, Target};
use crate::directory::model::{Member, Millis, SecretHash, User};
use crate::directory::roles::RoleChanges;
use crate::directory::users::{NewPassword, UserChanges};
use crate::directory::{Directory, Request};
use crate::ldap::dn::Dn;
use crate::ldap::render::manager::manager_dn;
use crate::ldap::render::roles::MEMBER_ATTRS;
use crate::ldap::render::shadow;
use crate::ldap::result::{from_error, no_such_object};
use crate::ldap::schema;
use crate::ldap::schema::AttributeType;
use crate::ldap::session::Context;
use crate::ldap::tree::{Node, Resolved};
use crate::store::Tx;
use ldap3_proto::proto::{
    LdapModifyRequest, LdapModifyType as Op, LdapResult, LdapResultCode as Code,
};
use uuid::Uuid;

/// One decoded change.
#[derive(Clone)]
struct Change {
    op: Op,
    ty: &'static AttributeType,
    values: Vec<String>,
}

/// The request, decoded and checked before the transaction.
#[derive(Clone)]
struct Prepared {
    dn: Dn,
    changes: Vec<Change>,
    /// The new password as given, and once the entry is known to be a
    /// user's, its hash (see [`hash_password`]).
    new_password: Option<NewPassword>,
    password: Option<SecretHash>,
    unlock: bool,
}

pub fn modify(dir: &Directory, ctx: &Context, req: &Request, m: &LdapModifyRequest) -> LdapResult {
    let p = match prepare(m).and_then(|p| hash_password(dir, ctx, req, p)) {
        Ok(p) => p,
        Err(r) => return r,
    };
    in_transaction(dir, req, |tx| modify_in(dir, ctx, req, tx, p.clone()))
}

/// Hashes a new `userPassword` of a user's entry before the transaction
/// opens (argon2id is slow, and the history check is several): the core
/// first asks whether the actor may set it, then the password policy.
/// Another entry, or one that is not there, keeps no hash: the
/// transaction answers for it.
fn hash_password(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    mut p: Prepared,
) -> Checked<Prepared> {
    let Some(pw) = p.new_password.as_ref() else {
        return Ok(p);
    };
    let node = dir
        .view(&req.actor, |v| ctx.tree.resolve(v, &p.dn))
        .map_err(|e| from_error(&e))?;
    if let Resolved::Found(Node::User(id)) = node {
        let hash = dir.new_password_for(req, id, pw).map_err(|e| match e {
            e if e.is_not_found() => no_such_object(String::new()),
            e => from_error(&e),
        })?;
        p.password = Some(hash);
    }
    Ok(p)
}

/// One modify inside a caller's transaction (an LDIF load sets group
/// members once every entry exists).
pub(crate) fn modify_entry(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    m: &LdapModifyRequest,
) -> Outcome<()> {
    let p = prepare(m)?;
    let p = hash_password(dir, ctx, req, p)?;
    modify_in(dir, ctx, req, tx, p)
}

fn prepare(m: &LdapModifyRequest) -> Checked<Prepared> {
    let dn = parse_dn(&m.dn)?;
    let mut p = Prepared {
        dn,
        changes: Vec::new(),
        new_password: None,
        password: None,
        unlock: false,
    };
    for c in &m.changes {
        let ty = attr_type(&c.modification.atype)?;
        let values = decode_values(ty, &c.modification.vals)?;
        if ty.has_name("userPassword") {
            p.new_password = Some(password_change(&c.operation, &values)?);
        } else if ty.has_name("pwdAccountLockedTime") {
            p.unlock = unlock_change(&c.operation, &values)?;
        } else {
            p.changes.push(Change {
                op: c.operation.clone(),
                ty,
                values,
            });
        }
    }
    Ok(p)
}

/// `userPassword` can be set (add or replace with one value), not removed:
/// dirgate never shows it, so there is no value to delete.
fn password_change(op: &Op, values: &[String]) -> Checked<NewPassword> {
    let [value] = values else {
        return Err(fail(
            Code::UnwillingToPerform,
            "userPassword: give exactly one new value with add or replace",
        ));
    };
    if !matches!(op, Op::Add | Op::Replace) {
        return Err(fail(
            Code::UnwillingToPerform,
            "userPassword: replace it (or use the Password Modify operation); it cannot be deleted",
        ));
    }
    if value.is_empty() {
        return Err(fail(Code::ConstraintViolation, "userPassword: empty"));
    }
    Ok(new_password(value))
}

/// Only removing `pwdAccountLockedTime` is allowed: it unlocks the account.
fn unlock_change(op: &Op, values: &[String]) -> Checked<bool> {
    match (op, values) {
        (Op::Delete, _) | (Op::Replace, []) => Ok(true),
        _ => Err(fail(
            Code::UnwillingToPerform,
            "pwdAccountLockedTime: dirgate locks accounts itself; delete the attribute to unlock",
        )),
    }
}

fn modify_in(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    p: Prepared,
) -> Outcome<()> {
    let node = super::locate(ctx, req, tx, &p.dn)?;
    let user_only = p.new_password.is_some() || p.unlock;
    match node {
        Node::User(id) => modify_user(dir, ctx, req, tx, id, p),
        _ if user_only => Err(fail(
            Code::UnwillingToPerform,
            "userPassword and pwdAccountLockedTime are written on user entries only",
        )
        .into()),
        Node::Role(id) => modify_role(dir, ctx, req, tx, id, &p.changes),
        Node::Org(id) => modify_org(dir, req, tx, id, &p.changes),
        Node::Unit(id) => modify_unit(dir, req, tx, id, &p.changes),
        Node::Service(_) => Err(fail(
            Code::UnwillingToPerform,
            "service accounts are changed through the admin API; over LDAP they are added and deleted",
        )
        .into()),
        Node::App(_) => Err(super::application(&p.dn)),
        _ => Err(fail(
            Code::UnwillingToPerform,
            format!("{} is part of dirgate's fixed tree", p.dn),
        )
        .into()),
    }
}

/// Applies the changes to `attrs`. The naming attribute may gain and lose
/// values, but the value of the entry's RDN (`rdn`) must stay: removing it
/// is namingViolation, as slapd answers (a rename is a modify DN).
fn apply(shape: &Shape, attrs: &mut Attrs, changes: &[Change], rdn: &str) -> Checked<()> {
    for c in changes {
        shape::check_writable(shape, c.ty)?;
        match c.op {
            Op::Add => attrs.add(c.ty, c.values.clone())?,
            Op::Delete => attrs.delete(c.ty, &c.values)?,
            Op::Replace => attrs.put(c.ty, c.values.clone()),
            Op::Increment => attrs.increment(c.ty, &c.values)?,
        }
    }
    if let Some(ty) = schema::attribute(shape.rdn)
        && !attrs.holds(ty, rdn)
    {
        return Err(fail(
            Code::NamingViolation,
            format!("naming attribute '{}' is not present in entry", shape.rdn),
        ));
    }
    shape::check(shape, attrs, false)
}

fn touched(changes: &[Change], name: &str) -> bool {
    changes.iter().any(|c| c.ty.has_name(name))
}

fn modify_user(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    id: Uuid,
    p: Prepared,
) -> Outcome<()> {
    let user = dir.user_to_change(tx, req, id)?;
    let view = super::view(ctx, req, tx);
    let manager = manager_dn(&view, &ctx.tree, &user)?;
    let policy = dir.policy_for(tx, user.org)?;
    let (mut attrs, mut derived) = user_attrs(&user, &dir.settings().posix, &policy, manager);
    apply(&shape::USER, &mut attrs, &p.changes, &user.login)?;
    // A derived value the client left alone stays derived, not written.
    derived.retain(|ty| !p.changes.iter().any(|c| c.ty.oid == ty.oid));
    let mut f = user_fields(&attrs, &derived, &user.profile, &user.login)?;
    if touched(&p.changes, "manager") {
        set_manager(&view, &ctx.tree, &attrs, &mut f)?;
    } else {
        // Untouched, it stays as stored (by id, and as written).
        f.kept.set("manager", user.attrs.get("manager").to_vec());
    }
    let changes = UserChanges {
        // The shadow days change the fields only where the client wrote
        // them: an entry that does not show them has them all the same.
        password_changed: shadow_change(&p.changes, 0, f.password_changed, user.password_changed),
        expires: shadow_change(&p.changes, 1, f.expires, user.expires),
        ..user_changes(&user, f)
    };
    let effective = changes.email.is_some()
        || changes.given_name.is_some()
        || changes.family_name.is_some()
        || changes.display_name.is_some()
        || changes.external_id.is_some()
        || changes.flags.is_some()
        || changes.state.is_some()
        || changes.profile.is_some()
        || changes.attrs.is_some()
        || changes.uid_number.is_some()
        || changes.gid_number.is_some()
        || changes.password_changed.is_some()
        || changes.expires.is_some()
        || p.password.is_some();
    if effective {
        dir.update_user_in(tx, req, id, &changes, p.password)?;
    } else if !p.unlock {
        // A change to nothing must still be one the actor may attempt (an
        // unlock alone is judged by its own right).
        dir.authorize(req, Action::ModifyUser, dir.target_of(tx, &user)?)?;
    }
    if p.unlock {
        dir.unlock_user_in(tx, req, id)?;
    }
    Ok(())
}

/// A change to the field behind `shadow::FIELDS[i]`, when the client
/// touched it and its day differs from the field's (a day holds the time
/// within it, which the field keeps).
fn shadow_change(
    changes: &[Change],
    i: usize,
    new: Option<Millis>,
    old: Option<Millis>,
) -> Option<Option<Millis>> {
    let day = |t: Option<Millis>| t.map(shadow::day);
    (touched(changes, shadow::FIELDS[i]) && day(new) != day(old)).then_some(new)
}

/// The core's change set: each field the entry now says differently.
fn user_changes(user: &User, f: UserFields) -> UserChanges {
    let differs = |new: &Option<String>, old: &Option<String>| (new != old).then(|| new.clone());
    let profile = f.profile;
    UserChanges {
        email: differs(&f.email, &user.email),
        given_name: differs(&f.given_name, &user.given_name),
        family_name: differs(&f.family_name, &user.family_name),
        display_name: differs(&f.display_name, &user.display_name),
        external_id: differs(&f.external_id, &user.external_id),
        flags: (f.flags != user.flags).then_some(f.flags),
        state: f.state.filter(|s| *s != user.state),
        profile: (profile != user.profile).then_some(profile),
        attrs: (f.kept != user.attrs).then_some(f.kept),
        uid_number: f.uid_number.filter(|n| *n != user.uid_number),
        gid_number: f.gid_number.filter(|n| *n != user.gid_number),
        ..UserChanges::default()
    }
}

fn modify_role(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    id: Uuid,
    changes: &[Change],
) -> Outcome<()> {
    let role = dir.role_to_change(tx, req, id)?;
    let (mut attrs, mut derived) = role_attrs(&super::view(ctx, req, tx), &ctx.tree, &role)?;
    apply(&shape::ROLE, &mut attrs, changes, &role.name)?;
    // Classes nobody wrote stay derived unless the client changed them.
    derived.retain(|ty| !changes.iter().any(|c| c.ty.oid == ty.oid));
    let f = role_fields(&attrs, &derived, &role.name)?;
    let mut sorted = f.rights.clone();
    sorted.sort();
    let role_changes = RoleChanges {
        gid_number: f.gid_number.filter(|n| *n != role.gid_number),
        name: None,
        rights: (sorted != role.rights).then_some(f.rights),
        description: (f.description != role.description).then_some(f.description),
        external_id: (f.external_id != role.external_id).then_some(f.external_id),
        attrs: (f.kept != role.attrs).then_some(f.kept),
    };
    let any = role_changes.gid_number.is_some()
        || role_changes.rights.is_some()
        || role_changes.description.is_some()
        || role_changes.external_id.is_some()
        || role_changes.attrs.is_some();
    if any {
        dir.update_role_in(tx, req, id, &role_changes)?;
    } else {
        dir.authorize(req, Action::ModifyRole, Target::org(role.org))?;
    }
    set_members(dir, ctx, req, tx, id, &attrs, changes)
}

/// member, uniqueMember and memberUid show one member list: whichever the
/// client changed says what it should be. `memberUid` names users only, so
/// changing it alone leaves the roles nested in this one where they are.
fn set_members(
    dir: &Directory,
    ctx: &Context,
    req: &Request,
    tx: &mut Tx,
    id: Uuid,
    attrs: &Attrs,
    changes: &[Change],
) -> Outcome<()> {
    let from: Vec<&str> = MEMBER_ATTRS
        .into_iter()
        .filter(|n| touched(changes, n))
        .collect();
    if from.is_empty() {
        return Ok(());
    }
    let users_only = from == ["memberUid"];
    let wanted = members(dir, req, tx, &ctx.tree, attrs, &from)?;
    let current = super::view(ctx, req, tx).role_members(id)?;
    let stays = |m: &Member| wanted.contains(m) || (users_only && matches!(m, Member::Role(_)));
    for m in current.iter().filter(|m| !stays(m)) {
        dir.remove_member_in(tx, req, id, m.id())?;
    }
    for m in wanted.iter().filter(|m| !current.contains(m)) {
        dir.add_member_in(tx, req, id, *m)?;
    }
    Ok(())
}

fn modify_unit(
    dir: &Directory,
    req: &Request,
    tx: &mut Tx,
    id: Uuid,
    changes: &[Change],
) -> Outcome<()> {
    let unit = dir.unit_to_change(tx, req, id)?;
    let mut attrs = unit_attrs(&unit);
    apply(&shape::UNIT, &mut attrs, changes, &unit.name)?;
    dir.set_unit_attrs_in(tx, req, id, unit_kept(&attrs, &unit.name))?;
    Ok(())
}

fn modify_org(
    dir: &Directory,
    req: &Request,
    tx: &mut Tx,
    id: Uuid,
    changes: &[Change],
) -> Outcome<()> {
    let org = dir.org_to_change(tx, req, id)?;
    let mut attrs = org_attrs(&org);
    apply(&shape::ORG, &mut attrs, changes, &org.name)?;
    let new_seats = seats(&attrs)?;
    if new_seats != org.seats {
        dir.set_seats_in(tx, req, &org.name, new_seats)?;
    }
    let description = attrs.values("description").first().cloned();
    if description != org.description {
        dir.set_org_description_in(tx, req, &org.name, description)?;
    }
    dir.set_org_attrs_in(tx, req, &org.name, org_kept(&attrs, &org.name))?;
    dir.authorize(req, Action::ModifyOrganization, Target::org(Some(id)))?;
    Ok(())
}
