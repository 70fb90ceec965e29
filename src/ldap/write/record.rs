//! Records to LDAP attributes and back, for writes: the attributes a client
//! may change on a user, role or organization as they stand now, and the
//! core's fields read from an entry after the client's changes. The inverse
//! of `render` for what dirgate stores; computed attributes are not here.

use super::attrs::Attrs;
use super::{Checked, Outcome, fail, parse_dn};
use crate::directory::model::{AccountFlags, Lifecycle, Member, Organization, Right, Role, User};
use crate::directory::users::NewPassword;
use crate::directory::{Directory, Request};
use crate::ldap::render::{ORG_CLASSES, ROLE_CLASSES, USER_CLASSES};
use crate::ldap::schema::{self, boolean_value};
use crate::ldap::tree::{Node, Resolved, Tree};
use crate::store::Tx;
use ldap3_proto::proto::LdapResultCode as Code;

fn with_classes(classes: &[&str]) -> Attrs {
    let mut a = Attrs::default();
    if let Some(ty) = schema::attribute("objectClass") {
        a.put(ty, classes.iter().map(|c| (*c).to_owned()).collect());
    }
    a
}

/// A user's writable attributes as they are now.
pub fn user_attrs(u: &User) -> Attrs {
    let mut a = with_classes(USER_CLASSES);
    a.put_opt("uid", Some(&u.login));
    a.put_opt("cn", Some(&u.common_name()));
    a.put_opt("sn", Some(u.family_name.as_deref().unwrap_or(&u.login)));
    a.put_opt("givenName", u.given_name.as_deref());
    a.put_opt("displayName", u.display_name.as_deref());
    a.put_opt("mail", u.email.as_deref());
    a.put_opt("dirgateLifecycleState", Some(u.state.as_str()));
    let f = &u.flags;
    for (name, v) in flag_fields(f) {
        a.put_opt(name, Some(boolean_value(v)));
    }
    let quota = f.storage_quota.map(|q| q.to_string());
    a.put_opt("dirgateStorageQuota", quota.as_deref());
    a.put_opt("dirgateExternalId", u.external_id.as_deref());
    a
}

fn flag_fields(f: &AccountFlags) -> [(&'static str, bool); 5] {
    [
        ("dirgateDelegate", f.delegate),
        ("dirgateAllowUnsignedContainers", f.unsigned_containers),
        ("dirgateAllowReleaseProtections", f.release_protections),
        ("dirgateCloudRecovery", f.cloud_recovery),
        ("dirgateNoSecondFactor", f.no_second_factor),
    ]
}

/// A user as an entry describes it.
#[derive(Debug)]
pub struct UserFields {
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub state: Option<Lifecycle>,
    pub flags: AccountFlags,
    pub external_id: Option<String>,
}

fn owned(v: Option<&str>) -> Option<String> {
    v.map(str::to_owned)
}

fn flag(attrs: &Attrs, name: &str) -> Checked<bool> {
    Ok(attrs
        .single(name)?
        .is_some_and(|v| v.eq_ignore_ascii_case("TRUE")))
}

/// The fields of a user entry. `cn` becomes the display name only when the
/// client wrote it (`cn_given`) and it says more than given + family name;
/// otherwise it is what dirgate derives from them.
pub fn user_fields(attrs: &Attrs, login: &str, cn_given: bool) -> Checked<UserFields> {
    let given = owned(attrs.single("givenName")?);
    let family = owned(attrs.single("sn")?).filter(|f| f != login || given.is_some());
    let joined = [given.as_deref(), family.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    // Several common names: the first is the one people see.
    let cn = attrs.values("cn").first().cloned();
    let from_cn = cn.filter(|c| cn_given && *c != joined && c != login);
    let display = owned(attrs.single("displayName")?).or(from_cn);
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
    let flags = AccountFlags {
        delegate: flag(attrs, "dirgateDelegate")?,
        unsigned_containers: flag(attrs, "dirgateAllowUnsignedContainers")?,
        release_protections: flag(attrs, "dirgateAllowReleaseProtections")?,
        cloud_recovery: flag(attrs, "dirgateCloudRecovery")?,
        no_second_factor: flag(attrs, "dirgateNoSecondFactor")?,
        storage_quota: quota,
    };
    Ok(UserFields {
        email: owned(attrs.single("mail")?),
        given_name: given,
        family_name: family,
        display_name: display,
        state,
        flags,
        external_id: owned(attrs.single("dirgateExternalId")?),
    })
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

/// A role's writable attributes as they are now (members as DNs and logins).
pub fn role_attrs(tx: &Tx, tree: &Tree, r: &Role) -> Outcome<Attrs> {
    let mut a = with_classes(ROLE_CLASSES);
    a.put_opt("cn", Some(&r.name));
    a.put_opt("description", r.description.as_deref());
    a.put_opt("dirgateExternalId", r.external_id.as_deref());
    let mut dns = Vec::new();
    let mut uids = Vec::new();
    for m in tx.role_members(r.id)? {
        let node = match m {
            Member::User(id) => {
                if let Some(u) = tx.user(id)? {
                    uids.push(u.login);
                }
                Node::User(id)
            }
            Member::Role(id) => Node::Role(id),
        };
        let dn = tree.dn_of(tx, node)?;
        if !dn.is_empty() {
            dns.push(dn);
        }
    }
    for (name, values) in [
        ("member", dns.clone()),
        ("uniqueMember", dns),
        ("memberUid", uids),
        (
            "dirgateRight",
            r.rights.iter().map(|x| x.as_str().to_owned()).collect(),
        ),
    ] {
        if let Some(ty) = schema::attribute(name) {
            a.put(ty, values);
        }
    }
    Ok(a)
}

/// The rights an entry's `dirgateRight` values name.
pub fn rights(attrs: &Attrs) -> Checked<Vec<Right>> {
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
    let mut out: Vec<Member> = Vec::new();
    for name in from {
        for v in attrs.values(name) {
            let m = if name.eq_ignore_ascii_case("memberUid") {
                tx.user_by_login(v)?.map(|u| Member::User(u.id))
            } else {
                match tree.resolve(tx, &parse_dn(v)?)? {
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

/// An organization's writable attributes as they are now.
pub fn org_attrs(o: &Organization) -> Attrs {
    let mut a = with_classes(ORG_CLASSES);
    a.put_opt("ou", Some(&o.name));
    a.put_opt("description", o.description.as_deref());
    a.put_opt("dirgateSeats", Some(&o.seats.to_string()));
    a
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
