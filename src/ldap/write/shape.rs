//! What each kind of entry may hold when a client writes it: its object
//! classes, the attributes dirgate stores for it, and those dirgate computes
//! itself. The check is slapd's schema check (objectClassViolation for a
//! missing required attribute or one no class allows) with dirgate's limits
//! on top: computed and operational attributes are unwillingToPerform, and so
//! are attributes the schema allows on organizations and service accounts
//! but dirgate does not keep there. Users, roles and units keep every
//! attribute their classes allow (passwords only on users and service
//! accounts).

use super::attrs::{Attrs, about};
use super::{Checked, fail};
use crate::ldap::render::SERVICE_CLASSES;
use crate::ldap::render::roles::DEFAULT_SHAPE;
use crate::ldap::schema::{self, AttributeType, ObjectClass};
use ldap3_proto::proto::LdapResultCode as Code;

/// One kind of entry.
pub struct Shape {
    pub what: &'static str,
    /// The naming attribute of its RDN.
    pub rdn: &'static str,
    /// Object classes such an entry may carry.
    pub classes: &'static [&'static str],
    /// Attributes dirgate keeps for it (besides objectClass); empty when it
    /// keeps every attribute its classes allow.
    pub stored: &'static [&'static str],
    /// Attributes dirgate fills in itself: required by a class, never written.
    pub computed: &'static [&'static str],
    /// Required by a class, but dirgate allows the entry without them.
    pub optional: &'static [&'static str],
    /// Required by a class; dirgate allocates them when an add leaves them
    /// out, and a modify may change but not remove them.
    pub allocated: &'static [&'static str],
}

/// The classes a user entry may carry: dirgate's defaults plus the auxiliary
/// classes clients add (shadow passwords, SSH keys, any attribute).
pub const USER_ENTRY_CLASSES: &[&str] = &[
    "top",
    "person",
    "organizationalPerson",
    "inetOrgPerson",
    "posixAccount",
    "shadowAccount",
    "ldapPublicKey",
    "extensibleObject",
    "dirgateAccount",
];

pub const USER: Shape = Shape {
    what: "user",
    rdn: "uid",
    classes: USER_ENTRY_CLASSES,
    stored: &[],
    computed: &["dirgateOrganizationAdmin"],
    optional: &[],
    allocated: &["uidNumber", "gidNumber", "homeDirectory"],
};

/// The classes a role entry may carry: the group classes, dirgate's role
/// settings, and the marker of dirgate's default shape.
pub const ROLE_ENTRY_CLASSES: &[&str] = &[
    "top",
    "groupOfNames",
    "groupOfUniqueNames",
    "posixGroup",
    "dirgateRole",
    DEFAULT_SHAPE,
];

pub const ROLE: Shape = Shape {
    what: "role",
    rdn: "cn",
    classes: ROLE_ENTRY_CLASSES,
    stored: &[],
    computed: &[],
    // dirgate roles may be empty, as lldap's and kanidm's groups may.
    optional: &["member", "uniqueMember"],
    allocated: &["gidNumber"],
};

/// An organizational unit inside an organization: keeps every attribute
/// its classes allow.
pub const UNIT: Shape = Shape {
    what: "organizational unit",
    rdn: "ou",
    classes: &["top", "organizationalUnit", "extensibleObject"],
    stored: &[],
    computed: &[],
    optional: &[],
    allocated: &[],
};

/// An organization's OU keeps every attribute its classes allow, as a unit.
pub const ORG: Shape = Shape {
    what: "organization",
    rdn: "ou",
    classes: &[
        "top",
        "organizationalUnit",
        "extensibleObject",
        "dirgateOrganization",
    ],
    stored: &[],
    computed: &[],
    optional: &[],
    allocated: &[],
};

pub const SERVICE: Shape = Shape {
    what: "service account",
    rdn: "cn",
    classes: SERVICE_CLASSES,
    stored: &["cn", "description", "dirgateReadScope", "userPassword"],
    computed: &[],
    optional: &[],
    allocated: &[],
};

fn listed(names: &[&str], ty: &AttributeType) -> bool {
    names.iter().any(|n| ty.has_name(n))
}

/// Refuses an attribute a client may not write on this kind of entry.
pub fn check_writable(shape: &Shape, ty: &AttributeType) -> Checked<()> {
    if ty.has_name("objectClass") {
        return Ok(());
    }
    if ty.is_operational() || ty.no_user_modification || listed(shape.computed, ty) {
        return Err(about(
            ty,
            Code::UnwillingToPerform,
            "dirgate computes this attribute; it cannot be written",
        ));
    }
    Ok(())
}

/// The entry's object classes, each known and fit for this kind of entry.
fn classes(shape: &Shape, attrs: &Attrs) -> Checked<Vec<&'static ObjectClass>> {
    let names = attrs.values("objectClass");
    if names.is_empty() {
        return Err(fail(Code::ObjectClassViolation, "no objectClass attribute"));
    }
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        // slapd's answer: a name that is no class is a bad value (21).
        let class = schema::object_class(name).ok_or_else(|| {
            fail(
                Code::InvalidAttributeSyntax,
                format!("objectClass: value #{i} invalid per syntax: unknown object class {name}"),
            )
        })?;
        if !shape.classes.iter().any(|c| class.names.contains(c)) {
            return Err(fail(
                Code::ObjectClassViolation,
                format!(
                    "objectClass: a {} entry cannot be {name}; it may be {}",
                    shape.what,
                    shape.classes.join(", ")
                ),
            ));
        }
        out.push(class);
    }
    Ok(out)
}

/// The schema check of a whole entry as it will be after the write;
/// `adding` excuses the attributes dirgate allocates.
pub fn check(shape: &Shape, attrs: &Attrs, adding: bool) -> Checked<()> {
    let classes = classes(shape, attrs)?;
    // RFC 4512 §4.3: extensibleObject allows every user attribute type.
    let extensible = classes.iter().any(|c| c.canonical() == "extensibleObject");
    for ty in attrs.types() {
        if ty.has_name("objectClass") {
            continue;
        }
        check_writable(shape, ty)?;
        if !extensible && !classes.iter().any(|c| c.allows(ty)) {
            return Err(about(
                ty,
                Code::ObjectClassViolation,
                "attribute not allowed by the entry's object classes",
            ));
        }
        if !shape.stored.is_empty() && !listed(shape.stored, ty) {
            return Err(about(
                ty,
                Code::UnwillingToPerform,
                &format!(
                    "dirgate does not store this attribute on a {}; it keeps {}",
                    shape.what,
                    shape.stored.join(", ")
                ),
            ));
        }
        if ty.single_value && attrs.get(ty).len() > 1 {
            return Err(about(
                ty,
                Code::ConstraintViolation,
                "single-valued attribute given more than one value",
            ));
        }
    }
    for class in &classes {
        for ty in class.required().iter().copied() {
            let excused = listed(shape.computed, ty)
                || listed(shape.optional, ty)
                || (adding && listed(shape.allocated, ty));
            if !excused && !ty.has_name("objectClass") && attrs.get(ty).is_empty() {
                return Err(fail(
                    Code::ObjectClassViolation,
                    format!(
                        "object class '{}' requires attribute '{}'",
                        class.canonical(),
                        ty.canonical()
                    ),
                ));
            }
        }
    }
    Ok(())
}
