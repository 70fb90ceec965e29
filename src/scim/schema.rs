//! The schemas dirgate serves, as data: every attribute of the User and Group
//! resources and of the enterprise and dirgate extensions, with its type,
//! plurality, caseExact, mutability and returned characteristics (RFC 7643 §7).
//! The `/Schemas` endpoint renders this table, and filters, sorting and
//! attribute selection read caseExact and `returned` from it, so what is
//! advertised is what is served.

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const DIRGATE: &str = "urn:dirgate:params:scim:schemas:extension:dirgate:2.0:User";
pub const POSIX: &str = "urn:dirgate:params:scim:schemas:extension:posix:2.0:User";
pub const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// An attribute's data type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    Bool,
    Int,
    DateTime,
    Reference,
    Complex,
    /// Base64 (RFC 4648 §4) of bytes, compared exactly.
    Binary,
}

/// Whether clients may write the attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

/// When the attribute is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    /// Only when named in `attributes`.
    Request,
}

/// dirgate's extension attribute that places users: its suggested values
/// are the organizations the caller may create users in.
pub const ORGANIZATION_UNIT: &str = "organizationUnit";

/// One attribute definition.
#[derive(Debug)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub multi: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub unique: bool,
    pub required: bool,
    pub subs: &'static [Attr],
    pub description: &'static str,
    /// For references: the resource types they point to (or `external`).
    pub refs: &'static [&'static str],
    /// Suggested values (`canonicalValues`).
    pub canonical: &'static [&'static str],
}

/// A schema: its URN, name and attributes.
pub struct Schema {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attrs: &'static [Attr],
}

const fn a(name: &'static str, ty: Ty, description: &'static str) -> Attr {
    Attr {
        name,
        ty,
        multi: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        unique: false,
        required: false,
        subs: &[],
        description,
        refs: &["external"],
        canonical: &[],
    }
}

const fn s(name: &'static str, description: &'static str) -> Attr {
    a(name, Ty::Str, description)
}

const fn complex(name: &'static str, multi: bool, subs: &'static [Attr], d: &'static str) -> Attr {
    Attr {
        multi,
        subs,
        ..a(name, Ty::Complex, d)
    }
}

const fn read_only(attr: Attr) -> Attr {
    Attr {
        mutability: Mutability::ReadOnly,
        ..attr
    }
}

// Read-only facts shown only when asked for by name, so a resource reads back
// as it was written.
const fn request(attr: Attr) -> Attr {
    Attr {
        returned: Returned::Request,
        ..attr
    }
}

const fn exact(attr: Attr) -> Attr {
    Attr {
        case_exact: true,
        ..attr
    }
}

const CONTACT_SUBS: &[Attr] = &[
    s("value", "The address or number."),
    s("display", "A human-readable name."),
    s("type", "A label: work, home, mobile, other."),
    a("primary", Ty::Bool, "The preferred value."),
];

/// `ims`, `entitlements` and `roles`: a value and its label, kept as sent.
const LABELED_SUBS: &[Attr] = &[
    s("value", "The value."),
    s("display", "A human-readable name."),
    s("type", "A label."),
    a("primary", Ty::Bool, "The preferred value."),
];

const PHOTO_SUBS: &[Attr] = &[
    Attr {
        refs: &["external"],
        ..a("value", Ty::Reference, "The URL of the picture.")
    },
    s("display", "A human-readable name."),
    Attr {
        canonical: &["photo", "thumbnail"],
        ..s("type", "photo or thumbnail.")
    },
    a("primary", Ty::Bool, "The preferred picture."),
];

/// RFC 7643 §4.1.2's `x509Certificates` keeps its `value` only: the
/// certificates LDAP shows as `userCertificate;binary`, which carry no
/// label or preference.
const CERTIFICATE_SUBS: &[Attr] = &[exact(a(
    "value",
    Ty::Binary,
    "A DER-encoded X.509 certificate, in base64.",
))];

const NAME_SUBS: &[Attr] = &[
    s("formatted", "The full name."),
    s("familyName", "The family name."),
    s("givenName", "The given name."),
    s("middleName", "The middle name."),
    s("honorificPrefix", "Honorific prefix."),
    s("honorificSuffix", "Honorific suffix."),
];

const ADDRESS_SUBS: &[Attr] = &[
    s("formatted", "The full address."),
    s("streetAddress", "Street."),
    s("locality", "City."),
    s("region", "State or region."),
    s("postalCode", "Postal code."),
    s("country", "Country."),
    s("type", "A label: work, home, other."),
    a("primary", Ty::Bool, "The preferred address."),
];

const REF_SUBS: &[Attr] = &[
    read_only(exact(s("value", "The id of the group."))),
    read_only(Attr {
        refs: &["Group"],
        ..a("$ref", Ty::Reference, "The URI of the group.")
    }),
    read_only(s("display", "The group's name.")),
    read_only(s("type", "direct or indirect.")),
];

const MEMBER_SUBS: &[Attr] = &[
    Attr {
        mutability: Mutability::Immutable,
        ..exact(s("value", "The id of the member."))
    },
    Attr {
        mutability: Mutability::Immutable,
        refs: &["User", "Group"],
        ..a("$ref", Ty::Reference, "The URI of the member.")
    },
    Attr {
        mutability: Mutability::Immutable,
        canonical: &["User", "Group"],
        ..s("type", "User or Group.")
    },
    // Okta sends the member's name; it is the member's own, not kept here.
    read_only(s("display", "The member's name (not returned).")),
];

const USER_ATTRS: &[Attr] = &[
    Attr {
        unique: true,
        required: true,
        ..s(
            "userName",
            "The login name, unique on the server ignoring case.",
        )
    },
    complex("name", false, NAME_SUBS, "The person's name."),
    s("displayName", "The name to display."),
    s("nickName", "A casual name."),
    a("profileUrl", Ty::Reference, "A profile page."),
    s("title", "The job title."),
    s("userType", "The kind of user."),
    s("preferredLanguage", "Preferred language."),
    s("locale", "Locale."),
    s("timezone", "Time zone."),
    a(
        "active",
        Ty::Bool,
        "false disables the account (frees its seat).",
    ),
    Attr {
        mutability: Mutability::WriteOnly,
        returned: Returned::Never,
        ..s("password", "Sets the password; never returned.")
    },
    complex("emails", true, CONTACT_SUBS, "Email addresses."),
    complex("phoneNumbers", true, CONTACT_SUBS, "Phone numbers."),
    complex("addresses", true, ADDRESS_SUBS, "Postal addresses."),
    complex(
        "photos",
        true,
        PHOTO_SUBS,
        "Pictures of the person, as URLs.",
    ),
    complex("ims", true, LABELED_SUBS, "Instant-messaging addresses."),
    complex(
        "entitlements",
        true,
        LABELED_SUBS,
        "Entitlements for applications (plain data).",
    ),
    complex(
        "roles",
        true,
        LABELED_SUBS,
        "Roles as the identity provider names them (plain data, not groups).",
    ),
    complex(
        "x509Certificates",
        true,
        CERTIFICATE_SUBS,
        "X.509 certificates (LDAP userCertificate;binary).",
    ),
    read_only(complex(
        "groups",
        true,
        REF_SUBS,
        "Groups the user is in, directly or through nested groups.",
    )),
];

const MANAGER_SUBS: &[Attr] = &[
    exact(s("value", "The manager's id.")),
    Attr {
        refs: &["User"],
        ..a("$ref", Ty::Reference, "The manager's URI.")
    },
    read_only(s("displayName", "The manager's name.")),
];

const ENTERPRISE_ATTRS: &[Attr] = &[
    s("employeeNumber", "Employee number."),
    s("costCenter", "Cost center."),
    s("organization", "Organization (LDAP o)."),
    s("division", "Division."),
    s("department", "Department."),
    complex("manager", false, MANAGER_SUBS, "The user's manager."),
];

const DIRGATE_ATTRS: &[Attr] = &[
    request(read_only(a(
        "delegate",
        Ty::Bool,
        "Delegated Administrator of its organization.",
    ))),
    a(
        "unsignedContainers",
        Ty::Bool,
        "May use unsigned containers.",
    ),
    a("releaseProtections", Ty::Bool, "May release protections."),
    a("cloudRecovery", Ty::Bool, "Cloud recovery enabled."),
    a("noSecondFactor", Ty::Bool, "Exempt from the second factor."),
    a("storageQuota", Ty::Int, "Storage quota in bytes."),
    request(read_only(s(
        "lifecycle",
        "provisioned, registered, active or disabled.",
    ))),
    s(
        ORGANIZATION_UNIT,
        "The organization the user is in. A server-wide token places and moves users by it.",
    ),
];

const KEY_SUBS: &[Attr] = &[exact(s("value", "The key, as in authorized_keys."))];

const POSIX_ATTRS: &[Attr] = &[
    // Every user has both numbers (allocated when none is given), so
    // they are always there: required, never removed.
    Attr {
        unique: true,
        required: true,
        ..a(
            "uidNumber",
            Ty::Int,
            "POSIX user id (LDAP uidNumber); allocated when none is given.",
        )
    },
    Attr {
        required: true,
        ..a(
            "gidNumber",
            Ty::Int,
            "POSIX primary group id (LDAP gidNumber); allocated when none is given.",
        )
    },
    exact(s(
        "homeDirectory",
        "POSIX home directory (LDAP homeDirectory); LDAP shows the configured default while none is set.",
    )),
    exact(s(
        "loginShell",
        "POSIX login shell (LDAP loginShell); LDAP shows the configured default while none is set.",
    )),
    complex(
        "sshPublicKeys",
        true,
        KEY_SUBS,
        "OpenSSH public keys (LDAP sshPublicKey).",
    ),
];

const GROUP_ATTRS: &[Attr] = &[
    Attr {
        unique: true,
        required: true,
        ..s(
            "displayName",
            "The role's name, unique in its organization.",
        )
    },
    complex(
        "members",
        true,
        MEMBER_SUBS,
        "Users and groups in the group.",
    ),
];

pub const SCHEMAS: &[Schema] = &[
    Schema {
        id: USER,
        name: "User",
        description: "User Account",
        attrs: USER_ATTRS,
    },
    Schema {
        id: GROUP,
        name: "Group",
        description: "Group (a dirgate role)",
        attrs: GROUP_ATTRS,
    },
    Schema {
        id: ENTERPRISE,
        name: "EnterpriseUser",
        description: "Enterprise User",
        attrs: ENTERPRISE_ATTRS,
    },
    Schema {
        id: DIRGATE,
        name: "DirgateUser",
        description: "dirgate account flags, quota and lifecycle",
        attrs: DIRGATE_ATTRS,
    },
    Schema {
        id: POSIX,
        name: "PosixUser",
        description: "The user's POSIX identity, as LDAP's posixAccount and ldapPublicKey show it",
        attrs: POSIX_ATTRS,
    },
];

const META_SUBS: &[Attr] = &[
    exact(s("resourceType", "User or Group.")),
    a("created", Ty::DateTime, "When the resource was created."),
    a("lastModified", Ty::DateTime, "When it last changed."),
    exact(a("location", Ty::Reference, "Its URI.")),
    exact(s("version", "Its weak ETag.")),
];

/// Attributes every resource has, whatever its schema (RFC 7643 §3.1).
const COMMON_ATTRS: &[Attr] = &[
    read_only(exact(s("id", "The resource's id."))),
    exact(s("externalId", "The identity provider's id.")),
    read_only(complex("meta", false, META_SUBS, "Resource metadata.")),
    read_only(exact(a(
        "schemas",
        Ty::Reference,
        "The resource's schemas.",
    ))),
];

pub fn schema(id: &str) -> Option<&'static Schema> {
    SCHEMAS.iter().find(|s| s.id.eq_ignore_ascii_case(id))
}

/// The definition of `attr` (and `sub`) in `schema_urn`, or in the common ones.
pub fn find(schema_urn: &str, attr: &str, sub: Option<&str>) -> Option<&'static Attr> {
    let top = schema(schema_urn)
        .and_then(|s| s.attrs.iter().find(|a| a.name.eq_ignore_ascii_case(attr)))
        .or_else(|| {
            COMMON_ATTRS
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(attr))
        })?;
    match sub {
        None => Some(top),
        Some(sub) => top.subs.iter().find(|a| a.name.eq_ignore_ascii_case(sub)),
    }
}

/// Whether string values of this attribute compare with case (false when unknown).
pub fn case_exact(schema_urn: &str, attr: &str, sub: Option<&str>) -> bool {
    find(schema_urn, attr, sub).is_some_and(|a| a.case_exact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::model::FLAGS;

    /// The dirgate extension describes every account flag of the core's
    /// table, as a boolean, read-only exactly when it is an appointment.
    #[test]
    fn the_dirgate_extension_lists_every_account_flag() {
        let ext = schema(DIRGATE).unwrap();
        for flag in FLAGS {
            let attr = ext
                .attrs
                .iter()
                .find(|a| a.name == flag.name)
                .unwrap_or_else(|| panic!("{} is not in the dirgate extension", flag.name));
            assert_eq!(attr.ty, Ty::Bool, "{}", flag.name);
            assert_eq!(
                attr.mutability == Mutability::ReadOnly,
                flag.appointment,
                "{}",
                flag.name
            );
        }
    }

    /// Every text SCIM shares with LDAP (the core's table) is a writable
    /// single string of the schema the table names.
    #[test]
    fn the_shared_texts_are_single_strings_of_their_schema() {
        use crate::directory::attributes::{SHARED_TEXTS, ScimSchema};
        for t in SHARED_TEXTS {
            let urn = match t.schema {
                ScimSchema::Core => USER,
                ScimSchema::Enterprise => ENTERPRISE,
            };
            let attr = find(urn, t.scim, None).unwrap_or_else(|| panic!("{}", t.scim));
            assert_eq!((attr.ty, attr.multi), (Ty::Str, false), "{}", t.scim);
            assert_eq!(attr.mutability, Mutability::ReadWrite, "{}", t.scim);
        }
    }
}
