//! Operational attribute types: per-entry bookkeeping (RFC 4512 §3.4,
//! RFC 4530 entryUUID, RFC 5020 entryDN, numSubordinates), memberOf as
//! OpenLDAP's memberof overlay defines it, the password-policy state
//! attributes, the root DSE attributes (RFC 4512 §5.1, RFC 3045) and the
//! subschema attributes (RFC 4512 §4.2, RFC 3672 subtreeSpecification).
//! Texts follow slapd's `schema_prep.c` and overlays.

use super::AttributeType as At;
use super::Usage::{DirectoryOperation, DsaOperation};
use super::matching::MatchingRule::*;
use super::syntax::oids::*;

/// SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation: the shape
/// of the per-entry bookkeeping attributes.
const fn bookkeeping(
    oid: &'static str,
    name: &'static [&'static str],
    desc: &'static str,
    syntax: &'static str,
) -> At {
    At::new(oid, name, desc, syntax)
        .single()
        .no_mod()
        .usage(DirectoryOperation)
}

const fn timestamp(oid: &'static str, name: &'static [&'static str], desc: &'static str) -> At {
    bookkeeping(oid, name, desc, GENERALIZED_TIME)
        .equality(GeneralizedTime)
        .ordering(GeneralizedTimeOrdering)
}

const fn root_dse(
    oid: &'static str,
    name: &'static [&'static str],
    desc: &'static str,
    syntax: &'static str,
) -> At {
    At::new(oid, name, desc, syntax).usage(DsaOperation)
}

/// Subschema attributes: values are descriptions matched on their OID.
const fn subschema(
    oid: &'static str,
    name: &'static [&'static str],
    desc: &'static str,
    syntax: &'static str,
) -> At {
    At::new(oid, name, desc, syntax)
        .equality(ObjectIdentifierFirstComponent)
        .usage(DirectoryOperation)
}

pub(super) static OPERATIONAL_ATTRIBUTES: &[At] = &[
    bookkeeping(
        "2.5.21.9",
        &["structuralObjectClass"],
        "RFC4512: structural object class of entry",
        OID,
    )
    .equality(ObjectIdentifier),
    timestamp(
        "2.5.18.1",
        &["createTimestamp"],
        "RFC4512: time which object was created",
    ),
    timestamp(
        "2.5.18.2",
        &["modifyTimestamp"],
        "RFC4512: time which object was last modified",
    ),
    bookkeeping(
        "2.5.18.3",
        &["creatorsName"],
        "RFC4512: name of creator",
        DN,
    )
    .equality(DistinguishedName),
    bookkeeping(
        "2.5.18.4",
        &["modifiersName"],
        "RFC4512: name of last modifier",
        DN,
    )
    .equality(DistinguishedName),
    bookkeeping(
        "2.5.18.9",
        &["hasSubordinates"],
        "X.501: entry has children",
        BOOLEAN,
    )
    .equality(Boolean),
    bookkeeping(
        "1.3.6.1.4.1.453.16.2.103",
        &["numSubordinates"],
        "count of immediate subordinates",
        INTEGER,
    )
    .equality(Integer)
    .ordering(IntegerOrdering),
    bookkeeping(
        "2.5.18.10",
        &["subschemaSubentry"],
        "RFC4512: name of controlling subschema entry",
        DN,
    )
    .equality(DistinguishedName),
    bookkeeping("1.3.6.1.1.20", &["entryDN"], "DN of the entry", DN).equality(DistinguishedName),
    bookkeeping("1.3.6.1.1.16.4", &["entryUUID"], "UUID of the entry", UUID)
        .equality(Uuid)
        .ordering(UuidOrdering),
    // The memberof overlay's definition, including its questioned
    // dSAOperation usage; X-ORIGIN is not published.
    At::new(
        "1.2.840.113556.1.2.102",
        &["memberOf"],
        "Group that the entry belongs to",
        DN,
    )
    .equality(DistinguishedName)
    .no_mod()
    .usage(DsaOperation),
    // ppolicy overlay. pwdAccountLockedTime is user-modifiable as in slapd
    // since ITS#9671 (the draft says NO-USER-MODIFICATION): deleting it is
    // how an administrator unlocks an account.
    At::new(
        "1.3.6.1.4.1.42.2.27.8.1.17",
        &["pwdAccountLockedTime"],
        "The time an user account was locked",
        GENERALIZED_TIME,
    )
    .equality(GeneralizedTime)
    .ordering(GeneralizedTimeOrdering)
    .single()
    .usage(DirectoryOperation),
    At::new(
        "1.3.6.1.4.1.42.2.27.8.1.16",
        &["pwdChangedTime"],
        "The time the password was last changed",
        GENERALIZED_TIME,
    )
    .equality(GeneralizedTime)
    .ordering(GeneralizedTimeOrdering)
    .single()
    .no_mod()
    .usage(DirectoryOperation),
    At::new(
        "1.3.6.1.4.1.42.2.27.8.1.19",
        &["pwdFailureTime"],
        "The timestamps of the last consecutive authentication failures",
        GENERALIZED_TIME,
    )
    .equality(GeneralizedTime)
    .ordering(GeneralizedTimeOrdering)
    .no_mod()
    .usage(DirectoryOperation),
    // Root DSE (RFC 4512 §5.1, RFC 3045)
    root_dse(
        "1.3.6.1.4.1.1466.101.120.6",
        &["altServer"],
        "RFC4512: alternative servers",
        IA5_STRING,
    ),
    root_dse(
        "1.3.6.1.4.1.1466.101.120.5",
        &["namingContexts"],
        "RFC4512: naming contexts",
        DN,
    )
    .equality(DistinguishedName),
    root_dse(
        "1.3.6.1.4.1.1466.101.120.13",
        &["supportedControl"],
        "RFC4512: supported controls",
        OID,
    ),
    root_dse(
        "1.3.6.1.4.1.1466.101.120.7",
        &["supportedExtension"],
        "RFC4512: supported extended operations",
        OID,
    ),
    root_dse(
        "1.3.6.1.4.1.1466.101.120.15",
        &["supportedLDAPVersion"],
        "RFC4512: supported LDAP versions",
        INTEGER,
    ),
    root_dse(
        "1.3.6.1.4.1.1466.101.120.14",
        &["supportedSASLMechanisms"],
        "RFC4512: supported SASL mechanisms",
        DIRECTORY_STRING,
    ),
    root_dse(
        "1.3.6.1.4.1.4203.1.3.5",
        &["supportedFeatures"],
        "RFC4512: features supported by the server",
        OID,
    )
    .equality(ObjectIdentifier),
    root_dse(
        "1.3.6.1.1.4",
        &["vendorName"],
        "RFC3045: name of implementation vendor",
        DIRECTORY_STRING,
    )
    .equality(CaseExact)
    .single()
    .no_mod(),
    root_dse(
        "1.3.6.1.1.5",
        &["vendorVersion"],
        "RFC3045: version of implementation",
        DIRECTORY_STRING,
    )
    .equality(CaseExact)
    .single()
    .no_mod(),
    // Subschema subentry (RFC 4512 §4.2, RFC 3672)
    subschema(
        "1.3.6.1.4.1.1466.101.120.16",
        &["ldapSyntaxes"],
        "RFC4512: LDAP syntaxes",
        LDAP_SYNTAX_DESCRIPTION,
    ),
    subschema(
        "2.5.21.4",
        &["matchingRules"],
        "RFC4512: matching rules",
        MATCHING_RULE_DESCRIPTION,
    ),
    subschema(
        "2.5.21.8",
        &["matchingRuleUse"],
        "RFC4512: matching rule uses",
        MATCHING_RULE_USE_DESCRIPTION,
    ),
    subschema(
        "2.5.21.5",
        &["attributeTypes"],
        "RFC4512: attribute types",
        ATTRIBUTE_TYPE_DESCRIPTION,
    ),
    subschema(
        "2.5.21.6",
        &["objectClasses"],
        "RFC4512: object classes",
        OBJECT_CLASS_DESCRIPTION,
    ),
    subschema(
        "2.5.21.2",
        &["dITContentRules"],
        "RFC4512: DIT content rules",
        DIT_CONTENT_RULE_DESCRIPTION,
    ),
    subschema(
        "2.5.21.7",
        &["nameForms"],
        "RFC4512: name forms",
        NAME_FORM_DESCRIPTION,
    ),
    At::new(
        "2.5.21.1",
        &["dITStructureRules"],
        "RFC4512: DIT structure rules",
        DIT_STRUCTURE_RULE_DESCRIPTION,
    )
    .equality(IntegerFirstComponent)
    .usage(DirectoryOperation),
    At::new(
        "2.5.18.6",
        &["subtreeSpecification"],
        "RFC3672: subtree specification",
        SUBTREE_SPECIFICATION,
    )
    .single()
    .usage(DirectoryOperation),
];
