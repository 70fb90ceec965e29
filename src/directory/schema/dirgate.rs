//! dirgate's own attribute types and auxiliary object classes, under the
//! UUID-based arc 2.25.67141403340874273517597062156128082222 (attribute
//! types `.1.1.N`, object classes `.1.2.N`). OIDs are permanent: never
//! renumber or reuse one, only append.

use super::AttributeType as At;
use super::ClassKind::Auxiliary;
use super::Constraint::{NonNegative, OneOf};
use super::ObjectClass as Oc;
use super::Usage::DirectoryOperation;
use super::matching::MatchingRule::*;
use super::syntax::oids::*;

/// dirgate's OID arc.
pub const DIRGATE_ARC: &str = "2.25.67141403340874273517597062156128082222";

/// An OID under [`DIRGATE_ARC`], spelled once so a typo cannot fork the arc.
macro_rules! arc {
    ($suffix:literal) => {
        concat!("2.25.67141403340874273517597062156128082222", $suffix)
    };
}

/// Values of dirgateLifecycleState.
pub const LIFECYCLE_STATES: &[&str] = &["provisioned", "registered", "active", "disabled"];

/// Values of dirgateRight.
pub const RIGHTS: &[&str] = &["user-management", "role-management", "account-unlock"];

const fn flag(oid: &'static str, name: &'static [&'static str], desc: &'static str) -> At {
    At::new(oid, name, desc, BOOLEAN).equality(Boolean).single()
}

const fn count(oid: &'static str, name: &'static [&'static str], desc: &'static str) -> At {
    At::new(oid, name, desc, INTEGER)
        .equality(Integer)
        .ordering(IntegerOrdering)
        .single()
        .constraint(NonNegative)
}

/// A profile text SCIM has and no standard LDAP attribute carries (see the
/// core's `attributes::SHARED_TEXTS`): one value, compared as text.
const fn text(oid: &'static str, name: &'static [&'static str], desc: &'static str) -> At {
    At::new(oid, name, desc, DIRECTORY_STRING)
        .equality(CaseIgnore)
        .substr(CaseIgnoreSubstrings)
        .single()
}

pub(super) static DIRGATE_ATTRIBUTES: &[At] = &[
    At::new(
        arc!(".1.1.1"),
        &["dirgateLifecycleState"],
        "dirgate: account lifecycle state: provisioned, registered, active or disabled",
        DIRECTORY_STRING,
    )
    .equality(CaseIgnore)
    .single()
    .constraint(OneOf(LIFECYCLE_STATES)),
    flag(
        arc!(".1.1.2"),
        &["dirgateDelegate"],
        "dirgate: account is a delegate",
    ),
    flag(
        arc!(".1.1.3"),
        &["dirgateAllowUnsignedContainers"],
        "dirgate: account may use unsigned containers",
    ),
    flag(
        arc!(".1.1.4"),
        &["dirgateAllowReleaseProtections"],
        "dirgate: account may release protections",
    ),
    flag(
        arc!(".1.1.5"),
        &["dirgateCloudRecovery"],
        "dirgate: cloud recovery is enabled for the account",
    ),
    flag(
        arc!(".1.1.6"),
        &["dirgateNoSecondFactor"],
        "dirgate: account is exempt from second-factor authentication",
    ),
    count(
        arc!(".1.1.7"),
        &["dirgateStorageQuota"],
        "dirgate: storage quota in bytes",
    ),
    flag(
        arc!(".1.1.8"),
        &["dirgateOrganizationAdmin"],
        "dirgate: account administers its organization",
    ),
    At::new(
        arc!(".1.1.9"),
        &["dirgateRight"],
        "dirgate: right granted by a role: user-management, role-management or account-unlock",
        DIRECTORY_STRING,
    )
    .equality(CaseIgnore)
    .constraint(OneOf(RIGHTS)),
    At::new(
        arc!(".1.1.10"),
        &["dirgateExternalId"],
        "dirgate: identifier of the object in the system it was imported from",
        DIRECTORY_STRING,
    )
    .equality(CaseExact)
    .single(),
    At::new(
        arc!(".1.1.11"),
        &["dirgateLastLogin"],
        "dirgate: time of the last successful login",
        GENERALIZED_TIME,
    )
    .equality(GeneralizedTime)
    .ordering(GeneralizedTimeOrdering)
    .single()
    .no_mod()
    .usage(DirectoryOperation),
    count(
        arc!(".1.1.12"),
        &["dirgateSeats"],
        "dirgate: number of seats of the organization",
    ),
    At::new(
        arc!(".1.1.13"),
        &["dirgateReadScope"],
        "dirgate: base of the subtree a service account may read",
        DN,
    )
    .equality(DistinguishedName)
    .single(),
    text(
        arc!(".1.1.14"),
        &["dirgateNickName"],
        "dirgate: casual name of a person (SCIM nickName)",
    ),
    text(
        arc!(".1.1.15"),
        &["dirgateLocale"],
        "dirgate: locale of a person, such as en-US (SCIM locale)",
    ),
    text(
        arc!(".1.1.16"),
        &["dirgateTimezone"],
        "dirgate: time zone of a person, such as Europe/Paris (SCIM timezone)",
    ),
    text(
        arc!(".1.1.17"),
        &["dirgateCostCenter"],
        "dirgate: cost center of a person (SCIM enterprise costCenter)",
    ),
    text(
        arc!(".1.1.18"),
        &["dirgateDivision"],
        "dirgate: division of a person (SCIM enterprise division)",
    ),
    flag(
        arc!(".1.1.19"),
        &["dirgateRequestable"],
        "dirgate: users may ask for access to the application",
    ),
    At::new(
        arc!(".1.1.20"),
        &["dirgateCarriedBy"],
        "dirgate: a role whose members (nested roles included) have the application",
        DN,
    )
    .equality(DistinguishedName),
];

pub(super) static DIRGATE_CLASSES: &[Oc] = &[
    Oc {
        oid: arc!(".1.2.1"),
        names: &["dirgateAccount"],
        desc: "dirgate: account settings",
        kind: Auxiliary,
        sup: &["top"],
        must: &[],
        // dirgateLastLogin (.1.1.11) is deliberately absent: it is
        // operational, operational attributes are allowed on every entry
        // without a class listing them, and slapd refuses a class whose
        // MUST/MAY names one (SLAP_SCHERR_CLASS_BAD_USAGE).
        may: &[
            "dirgateLifecycleState",
            "dirgateDelegate",
            "dirgateAllowUnsignedContainers",
            "dirgateAllowReleaseProtections",
            "dirgateCloudRecovery",
            "dirgateNoSecondFactor",
            "dirgateStorageQuota",
            "dirgateOrganizationAdmin",
            "dirgateExternalId",
            // The profile texts SCIM shares with LDAP under dirgate's names.
            "dirgateNickName",
            "dirgateLocale",
            "dirgateTimezone",
            "dirgateCostCenter",
            "dirgateDivision",
        ],
    },
    Oc {
        oid: arc!(".1.2.2"),
        names: &["dirgateRole"],
        desc: "dirgate: role settings",
        kind: Auxiliary,
        sup: &["top"],
        must: &[],
        may: &["dirgateRight", "dirgateExternalId", "description"],
    },
    Oc {
        oid: arc!(".1.2.3"),
        names: &["dirgateOrganization"],
        desc: "dirgate: organization settings",
        kind: Auxiliary,
        sup: &["top"],
        must: &[],
        may: &["dirgateSeats", "description"],
    },
    Oc {
        oid: arc!(".1.2.4"),
        names: &["dirgateServiceAccount"],
        desc: "dirgate: service account settings",
        kind: Auxiliary,
        sup: &["top"],
        must: &[],
        may: &["dirgateReadScope", "description"],
    },
    // A role made without classes of its own (by SCIM, the admin API or
    // dirgate before roles kept their classes) shows as groupOfNames,
    // groupOfUniqueNames and posixGroup at once, which no slapd accepts in
    // one entry. An export writes it as posixGroup with this class, which
    // carries the other two classes' attributes; an add naming it makes
    // such a role again.
    Oc {
        oid: arc!(".1.2.5"),
        names: &["dirgateGroup"],
        desc: "dirgate: a role in the default shape, shown as groupOfNames, groupOfUniqueNames and posixGroup at once",
        kind: Auxiliary,
        sup: &["top"],
        must: &[],
        may: &[
            "member",
            "uniqueMember",
            "memberUid",
            "gidNumber",
            "businessCategory",
            "seeAlso",
            "owner",
            "ou",
            "o",
            "description",
        ],
    },
    // An application's entry (`cn=<app>,ou=applications,…`) is a
    // groupOfNames and groupOfUniqueNames whose members are the users who
    // have it now; this class carries what else the application says.
    Oc {
        oid: arc!(".1.2.6"),
        names: &["dirgateApplication"],
        desc: "dirgate: an application, its members the users who have access to it",
        kind: Auxiliary,
        sup: &["top"],
        must: &[],
        may: &[
            "labeledURI",
            "dirgateRequestable",
            "dirgateCarriedBy",
            "description",
        ],
    },
];
