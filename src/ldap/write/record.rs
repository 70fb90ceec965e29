//! Records to LDAP attributes and back, for writes: the attributes a client
//! may change on a user, role or organization as they stand now, and the
//! core's fields read from an entry after the client's changes. The inverse
//! of `render` for what dirgate stores (a user's view is `render::users`, read
//! by both); computed attributes are not here.

use super::attrs::Attrs;
use super::{Checked, Outcome, fail, parse_dn};
use crate::directory::PosixDefaults;
use crate::directory::attributes::{PROFILE_URL, SHARED_TEXTS};
use crate::directory::kept::Kept;
use crate::directory::model::{
    AccountFlags, FLAGS, Lifecycle, Member, Millis, Organization, Right, Role, Unit, User,
};
use crate::directory::password::policy::PasswordPolicy;
use crate::directory::profile::{Contact, Profile};
use crate::directory::users::NewPassword;
use crate::directory::view::View;
use crate::directory::{Directory, Request};
use crate::ldap::render::addresses;
use crate::ldap::render::manager::split_manager;
use crate::ldap::render::orgs::org_values;
use crate::ldap::render::roles::{
    Form, Members, interpreted as role_interpreted, names_default_shape, role_values,
};
use crate::ldap::render::shadow;
use crate::ldap::render::unit_values;
use crate::ldap::render::users::{
    Groups, PHONES, first_value_typed_names, interpreted, phone_attribute, user_values,
};
use crate::ldap::schema::{self, AttributeType};
use crate::ldap::tree::{Node, Resolved, Tree};
use crate::store::Tx;
use ldap3_proto::proto::LdapResultCode as Code;

/// A user's attributes as they stand (what a modify changes), and those of
/// them dirgate derived rather than anyone wrote.
/// `manager_dn`: the DN LDAP shows for the user's manager by id (see
/// `render::manager`), after the values kept as written.
/// `policy`: the password policy in force for the user (its shadow ages).
pub fn user_attrs(
    u: &User,
    posix: &PosixDefaults,
    policy: &PasswordPolicy,
    manager_dn: Option<String>,
) -> (Attrs, Vec<&'static AttributeType>) {
    let mut attrs = Attrs::default();
    let mut derived = Vec::new();
    user_values(
        u,
        posix,
        policy,
        None,
        &|_| true,
        Groups::ALL,
        &mut |ty, values, was_derived| {
            if was_derived {
                derived.push(ty);
            }
            attrs.put(ty, values);
        },
    );
    if let (Some(dn), Some(ty)) = (manager_dn, schema::attribute("manager")) {
        let mut values = attrs.get(ty).to_vec();
        values.push(dn);
        attrs.put(ty, values);
    }
    (attrs, derived)
}

/// A user as an entry describes it.
#[derive(Debug)]
pub struct UserFields {
    pub email: Option<String>,
    /// The profile with the addresses, phone numbers and texts LDAP shares
    /// with SCIM as the entry now says.
    pub profile: Profile,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub state: Option<Lifecycle>,
    pub flags: AccountFlags,
    pub external_id: Option<String>,
    pub uid_number: Option<u32>,
    pub gid_number: Option<u32>,
    /// The day the password was last set (`shadowLastChange`).
    pub password_changed: Option<Millis>,
    /// The day the account expires (`shadowExpire`; -1 or absent: never).
    pub expires: Option<Millis>,
    /// Everything dirgate keeps as written.
    pub kept: Kept,
}

fn owned(v: Option<&str>) -> Option<String> {
    v.map(str::to_owned)
}

fn flag(attrs: &Attrs, name: &str) -> Checked<bool> {
    Ok(attrs
        .single(name)?
        .is_some_and(|v| v.eq_ignore_ascii_case("TRUE")))
}

/// A POSIX number: an INTEGER the syntax check passed, in u32's range.
fn id_number(attrs: &Attrs, name: &str) -> Checked<Option<u32>> {
    match attrs.single(name)? {
        None => Ok(None),
        Some(v) => v.trim().parse::<u32>().map(Some).map_err(|_| {
            fail(
                Code::ConstraintViolation,
                format!("{name}: must be a number from 0 to 4294967295"),
            )
        }),
    }
}

/// A shadow day (see `render::shadow`) as the time it starts; -1 is "none"
/// where `none_allowed` (shadowExpire's convention).
fn shadow_day(attrs: &Attrs, name: &str, none_allowed: bool) -> Checked<Option<Millis>> {
    let Some(v) = attrs.single(name)? else {
        return Ok(None);
    };
    match v.trim().parse::<i64>() {
        Ok(-1) if none_allowed => Ok(None),
        // Up to the year 9999: later days are no date.
        Ok(d @ 0..=2_932_896) => Ok(Some(d * shadow::DAY)),
        _ => Err(fail(
            Code::ConstraintViolation,
            format!("{name}: must be a number of days since 1970-01-01"),
        )),
    }
}

/// The fields of a user entry: the interpreted attributes into the core's
/// fields (over `base`, the profile as it was), every other attribute kept
/// as written. `derived` are values dirgate showed without anyone writing
/// them and the client left alone: they are not taken as written. `login`
/// is the RDN's `uid`; any other `uid` value is kept as written.
pub fn user_fields(
    attrs: &Attrs,
    derived: &[&'static AttributeType],
    base: &Profile,
    login: &str,
) -> Checked<UserFields> {
    let written = |ty: &AttributeType| !derived.iter().any(|d| d.oid == ty.oid);
    let state = match attrs.single("dirgateLifecycleState")? {
        Some(s) => Some(Lifecycle::parse(s).ok_or_else(|| {
            fail(
                Code::ConstraintViolation,
                format!("dirgateLifecycleState: unknown state {s}"),
            )
        })?),
        None => None,
    };
    let quota = match attrs.single("dirgateStorageQuota")? {
        Some(q) => Some(q.trim().parse::<u64>().map_err(|_| {
            fail(
                Code::ConstraintViolation,
                "dirgateStorageQuota: not a number of bytes",
            )
        })?),
        None => None,
    };
    let mut flags = AccountFlags {
        storage_quota: quota,
        ..AccountFlags::default()
    };
    for f in FLAGS {
        (f.set)(&mut flags, flag(attrs, f.ldap)?);
    }
    let numbers = (
        id_number(attrs, "uidNumber")?,
        id_number(attrs, "gidNumber")?,
    );
    let posix = attrs
        .values("objectClass")
        .iter()
        .any(|c| schema::object_class(c).is_some_and(|k| k.canonical() == "posixAccount"));
    if !posix && (numbers.0.is_some() || numbers.1.is_some()) {
        return Err(fail(
            Code::ObjectClassViolation,
            "uidNumber and gidNumber are kept on posixAccount entries",
        ));
    }
    Ok(UserFields {
        email: attrs.values("mail").first().cloned(),
        profile: shared_profile(attrs, base)?,
        given_name: attrs.values("givenName").first().cloned(),
        family_name: (attrs.values("sn").first().cloned())
            .filter(|_| schema::attribute("sn").is_some_and(written)),
        display_name: owned(attrs.single("displayName")?),
        state,
        flags,
        external_id: owned(attrs.single("dirgateExternalId")?),
        uid_number: numbers.0,
        gid_number: numbers.1,
        password_changed: shadow_day(attrs, "shadowLastChange", false)?,
        expires: shadow_day(attrs, "shadowExpire", true)?,
        kept: attrs
            .types()
            .filter(|ty| !interpreted(ty) && written(ty))
            .map(|ty| (ty.canonical().to_owned(), attrs.get(ty).to_vec()))
            .chain(extras(attrs))
            .chain([("uid".to_owned(), other_uids(attrs.values("uid"), login))])
            .collect(),
    })
}

/// The `uid` values besides `login` (a user's name in the tree and for
/// binds, which is unique): kept as written, as slapd keeps several.
pub fn other_uids(values: &[String], login: &str) -> Vec<String> {
    let same = |v: &str| {
        schema::attribute("uid")
            .and_then(|ty| schema::equality(ty, v, login))
            .unwrap_or(v == login)
    };
    values.iter().filter(|v| !same(v)).cloned().collect()
}

/// The values past the first of a postal attribute or one of
/// `first_value_typed_names`, which the typed fields do not hold: kept as
/// written (LDAP allows several; SCIM has one).
fn extras(attrs: &Attrs) -> impl Iterator<Item = (String, Vec<String>)> + '_ {
    let names = addresses::WORK_PARTS
        .iter()
        .map(|(n, _)| *n)
        .chain([addresses::HOME])
        .chain(first_value_typed_names());
    names.filter_map(|name| match attrs.values(name) {
        [_, rest @ ..] if !rest.is_empty() => Some((name.to_owned(), rest.to_vec())),
        _ => None,
    })
}

/// The profile as the entry's shared attributes say: `mail`, the core's
/// shared texts and the profile URL (their first values) and the phone
/// numbers by type.
fn shared_profile(attrs: &Attrs, base: &Profile) -> Checked<Profile> {
    let mut p = base.with_addresses(attrs.values("mail"));
    for t in SHARED_TEXTS {
        (t.set)(&mut p, attrs.values(t.ldap).first().cloned());
    }
    // Unchanged, the URL stays as SCIM wrote it (even one with a space in
    // it, which a label would otherwise split off).
    let uri = attrs.values(PROFILE_URL.ldap).first();
    if uri != base.labeled_uri().as_ref() {
        p.set_labeled_uri(uri.map(String::as_str));
    }
    // The postal attributes' first values are the addresses (the rest is
    // kept as written, see `postal_extras`); unchanged, they stay as they were.
    let first = |name: &str| attrs.values(name).first().cloned();
    let shown = addresses::values(base);
    let same = |name: &str| {
        let mut values = shown.iter().filter(|(n, _)| *n == name).map(|(_, v)| v);
        values.next() == first(name).as_ref()
    };
    let names = addresses::WORK_PARTS
        .iter()
        .map(|(n, _)| *n)
        .chain([addresses::HOME]);
    if !names.clone().all(same) {
        p.addresses = addresses::with_values(base, &first);
    }
    let names: Vec<&str> = std::iter::once("telephoneNumber")
        .chain(PHONES.iter().map(|(n, _)| *n))
        .collect();
    let shown = |name: &str| -> Vec<&str> {
        (base.phone_numbers.iter())
            .filter(|c| phone_attribute(c.kind.as_deref()) == name)
            .map(|c| c.value.as_str())
            .collect()
    };
    // Unchanged numbers keep their order, types and labels as they were.
    if names.iter().all(|n| attrs.values(n) == shown(n)) {
        return Ok(p);
    }
    p.phone_numbers = Vec::new();
    for name in names {
        for v in attrs.values(name) {
            let known = (base.phone_numbers.iter())
                .find(|c| phone_attribute(c.kind.as_deref()) == name && c.value == *v);
            p.phone_numbers
                .push(known.cloned().unwrap_or_else(|| Contact {
                    value: v.clone(),
                    kind: Some(phone_kind(name).to_owned()),
                    ..Contact::default()
                }));
        }
    }
    Ok(p)
}

/// The SCIM type a number written under LDAP attribute `name` gets.
fn phone_kind(name: &str) -> &'static str {
    PHONES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("work", |(_, kind)| kind)
}

/// A `userPassword` value: a hash in a known scheme stays a hash (migrations),
/// anything else is a password to hash.
pub fn new_password(value: &str) -> NewPassword {
    if value.starts_with('{') || value.starts_with("$argon2") {
        NewPassword::Hashed(value.to_owned())
    } else {
        NewPassword::Plain(value.to_owned())
    }
}

/// A role's members as LDAP names them, read through the tree.
fn role_members(tx: &View<'_>, tree: &Tree, r: &Role) -> Outcome<Members> {
    let mut out = Members::default();
    for m in tx.role_members(r.id)? {
        let node = match m {
            Member::User(id) => {
                if let Some(u) = tx.user(id)? {
                    out.logins.push(u.login);
                }
                Node::User(id)
            }
            Member::Role(id) => Node::Role(id),
        };
        let dn = tree.dn_of(tx, node)?;
        if !dn.is_empty() {
            out.dns.push(dn);
        }
    }
    Ok(out)
}

/// A role's attributes as they stand (what a modify changes), and those of
/// them dirgate derived rather than anyone wrote (the classes of a role
/// made without any).
pub fn role_attrs(
    tx: &View<'_>,
    tree: &Tree,
    r: &Role,
) -> Outcome<(Attrs, Vec<&'static AttributeType>)> {
    let members = role_members(tx, tree, r)?;
    let mut attrs = Attrs::default();
    let mut derived = Vec::new();
    role_values(r, &members, Form::Read, &mut |ty, values, was_derived| {
        if was_derived {
            derived.push(ty);
        }
        attrs.put(ty, values);
    });
    Ok((attrs, derived))
}

/// A role as an entry describes it (its members apart: see [`members`]).
#[derive(Debug)]
pub struct RoleFields {
    /// The first description; every one is kept when there are more.
    pub description: Option<String>,
    pub rights: Vec<Right>,
    pub external_id: Option<String>,
    pub gid_number: Option<u32>,
    /// Everything dirgate keeps as written.
    pub kept: Kept,
}

/// The fields of a role entry named `name`: the interpreted attributes into
/// the core's fields, every other attribute kept as written. The classes
/// are kept unless dirgate derived them or they name dirgate's default
/// shape; `cn` and `description` only when they say more than the name and
/// one description.
pub fn role_fields(
    attrs: &Attrs,
    derived: &[&'static AttributeType],
    name: &str,
) -> Checked<RoleFields> {
    let written = |ty: &AttributeType| !derived.iter().any(|d| d.oid == ty.oid);
    let classes = attrs.values("objectClass");
    let default_shape = names_default_shape(classes);
    let descriptions = attrs.values("description");
    let kept = attrs
        .types()
        .filter(|ty| !role_interpreted(ty) && written(ty))
        .filter(|ty| !(default_shape && ty.has_name("objectClass")))
        .filter(|ty| !(ty.has_name("cn") && attrs.get(ty) == [name]))
        .filter(|ty| !(ty.has_name("description") && descriptions.len() < 2))
        .map(|ty| (ty.canonical().to_owned(), attrs.get(ty).to_vec()))
        .collect();
    Ok(RoleFields {
        description: descriptions.first().cloned(),
        rights: rights(attrs)?,
        external_id: owned(attrs.single("dirgateExternalId")?),
        gid_number: gid_number(attrs)?,
        kept,
    })
}

/// A role entry's given gidNumber, if any.
fn gid_number(attrs: &Attrs) -> Checked<Option<u32>> {
    id_number(attrs, "gidNumber")
}

/// The rights an entry's `dirgateRight` values name.
fn rights(attrs: &Attrs) -> Checked<Vec<Right>> {
    attrs
        .values("dirgateRight")
        .iter()
        .map(|v| {
            Right::parse(v).ok_or_else(|| {
                fail(
                    Code::ConstraintViolation,
                    format!("dirgateRight: unknown right {v}"),
                )
            })
        })
        .collect()
}

/// The members named by `member` / `uniqueMember` DNs and `memberUid` logins,
/// taken from the attributes in `from`, without duplicates. A name of
/// nothing, or of an entry the actor may not read, is a constraint
/// violation alike.
pub fn members(
    dir: &Directory,
    req: &Request,
    tx: &Tx,
    tree: &Tree,
    attrs: &Attrs,
    from: &[&str],
) -> Outcome<Vec<Member>> {
    let view = dir.view_of(tx, &req.actor);
    let mut out: Vec<Member> = Vec::new();
    for name in from {
        for v in attrs.values(name) {
            let m = if name.eq_ignore_ascii_case("memberUid") {
                view.user_by_login(v)?.map(|u| Member::User(u.id))
            } else {
                match tree.resolve(&view, &parse_dn(v)?)? {
                    Resolved::Found(Node::User(id)) => Some(Member::User(id)),
                    Resolved::Found(Node::Role(id)) => Some(Member::Role(id)),
                    _ => None,
                }
            };
            let m = match m {
                Some(m) if dir.member_readable(tx, req, m)? => Some(m),
                _ => None,
            };
            let m = m.ok_or_else(|| {
                fail(
                    Code::ConstraintViolation,
                    format!("{name}: {v} names no user or role of this directory"),
                )
            })?;
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    Ok(out)
}

/// A unit's attributes as they are now.
pub fn unit_attrs(unit: &Unit) -> Attrs {
    let mut a = Attrs::default();
    for (name, values) in unit_values(unit) {
        if let Some(ty) = schema::attribute(&name) {
            a.put(ty, values);
        }
    }
    a
}

/// What a unit keeps besides its name: every attribute but an `ou` that
/// says only the name.
pub fn unit_kept(attrs: &Attrs, name: &str) -> Kept {
    attrs
        .types()
        .map(|ty| (ty.canonical().to_owned(), attrs.get(ty).to_vec()))
        .filter(|(n, v)| !(n == "ou" && v.len() == 1 && v[0] == name))
        .collect()
}

/// An organization's writable attributes as they are now.
pub fn org_attrs(o: &Organization) -> Attrs {
    let mut a = Attrs::default();
    for (name, values) in org_values(o, true) {
        if let Some(ty) = schema::attribute(&name) {
            a.put(ty, values);
        }
    }
    a
}

/// What an organization keeps as written: everything but its name alone
/// in `ou`, its first `description` (the one the admin API shows), its
/// seats, and object classes that only say what dirgate shows anyway.
pub fn org_kept(attrs: &Attrs, name: &str) -> Kept {
    let defaults = |v: &[String]| {
        let mut v: Vec<String> = v.iter().map(|c| c.to_ascii_lowercase()).collect();
        v.sort();
        v == ["dirgateorganization", "organizationalunit", "top"]
            || v == ["organizationalunit", "top"]
    };
    attrs
        .types()
        .map(|ty| (ty.canonical().to_owned(), attrs.get(ty).to_vec()))
        .filter_map(|(n, v)| match n.as_str() {
            "ou" if v.len() == 1 && v[0] == name => None,
            "objectClass" if defaults(&v) => None,
            "dirgateSeats" => None,
            "description" => Some((n, v.into_iter().skip(1).collect())),
            _ => Some((n, v)),
        })
        .collect()
}

/// An organization entry's seat count; no value means no limit.
pub fn seats(attrs: &Attrs) -> Checked<u32> {
    match attrs.single("dirgateSeats")? {
        None => Ok(u32::MAX),
        Some(s) => s.trim().parse().map_err(|_| {
            fail(
                Code::ConstraintViolation,
                "dirgateSeats: not a number of seats",
            )
        }),
    }
}

/// The entry's `manager` values into `f`: the manager by id when one names
/// a user (see `render::manager`), the rest kept as written.
pub fn set_manager(tx: &View<'_>, tree: &Tree, attrs: &Attrs, f: &mut UserFields) -> Outcome<()> {
    let (id, kept) = split_manager(tx, tree, attrs.values("manager"))?;
    if id.map(|i| i.to_string()) != f.profile.manager_id {
        f.profile.manager_id = id.map(|i| i.to_string());
        // The name and URI SCIM showed were of the manager before.
        f.profile.manager_name = None;
        f.profile.manager_ref = None;
    }
    f.kept.set("manager", kept);
    Ok(())
}
