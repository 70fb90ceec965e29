//! User attribute types (USAGE userApplications) from OpenLDAP's core,
//! cosine, inetorgperson and nis schemas plus the ones slapd hard-codes in
//! `schema_prep.c` (objectClass, name, cn, uid, uidNumber, ...). OIDs,
//! names, descriptions, syntaxes, length bounds and flags are copied from
//! those files; attributes only a class's MAY list needs (searchGuide,
//! x121Address, ...) are included so that every class resolves.

use super::AttributeType as At;
use super::matching::MatchingRule::*;
use super::syntax::oids::*;

/// `name` is the supertype of the naming attributes (cn, sn, o, ou, ...).
const NAME: At = At::new(
    "2.5.4.41",
    &["name"],
    "RFC4519: common supertype of name attributes",
    DIRECTORY_STRING,
)
.max_len(32768)
.equality(CaseIgnore)
.substr(CaseIgnoreSubstrings);

/// `distinguishedName` is the supertype of member, owner, seeAlso.
const DISTINGUISHED_NAME: At = At::new(
    "2.5.4.49",
    &["distinguishedName"],
    "RFC4519: common supertype of DN attributes",
    DN,
)
.equality(DistinguishedName);

const POSTAL_ADDRESS_AT: At = postal("2.5.4.16", &["postalAddress"], "RFC2256: postal address");

const fn postal(oid: &'static str, names: &'static [&'static str], desc: &'static str) -> At {
    At::new(oid, names, desc, POSTAL_ADDRESS)
        .equality(CaseIgnoreList)
        .substr(CaseIgnoreListSubstrings)
}

const fn named(oid: &'static str, names: &'static [&'static str], desc: &'static str) -> At {
    At::derive(NAME, "name", oid, names, desc)
}

const fn dn_valued(oid: &'static str, names: &'static [&'static str], desc: &'static str) -> At {
    At::derive(DISTINGUISHED_NAME, "distinguishedName", oid, names, desc)
}

/// The common caseIgnoreMatch + caseIgnoreSubstringsMatch string attribute.
const fn string(oid: &'static str, names: &'static [&'static str], desc: &'static str) -> At {
    At::new(oid, names, desc, DIRECTORY_STRING)
        .equality(CaseIgnore)
        .substr(CaseIgnoreSubstrings)
}

const fn phone(oid: &'static str, names: &'static [&'static str], desc: &'static str) -> At {
    At::new(oid, names, desc, TELEPHONE_NUMBER)
        .equality(TelephoneNumber)
        .substr(TelephoneNumberSubstrings)
}

const fn dn_attr(oid: &'static str, names: &'static [&'static str], desc: &'static str) -> At {
    At::new(oid, names, desc, DN).equality(DistinguishedName)
}

const fn posix_id(oid: &'static str, name: &'static [&'static str], desc: &'static str) -> At {
    At::new(oid, name, desc, INTEGER)
        .equality(Integer)
        .ordering(IntegerOrdering)
        .single()
}

/// nis.schema's shadow* attributes have no DESC.
const fn shadow(oid: &'static str, name: &'static [&'static str]) -> At {
    At::new(oid, name, "", INTEGER).equality(Integer).single()
}

pub(super) static USER_ATTRIBUTES: &[At] = &[
    // RFC 4512 / 4519 (slapd built-ins)
    At::new(
        "2.5.4.0",
        &["objectClass"],
        "RFC4512: object classes of the entity",
        OID,
    )
    .equality(ObjectIdentifier),
    NAME,
    DISTINGUISHED_NAME,
    named(
        "2.5.4.3",
        &["cn", "commonName"],
        "RFC4519: common name(s) for which the entity is known by",
    ),
    named(
        "2.5.4.4",
        &["sn", "surname"],
        "RFC2256: last (family) name(s) for which the entity is known by",
    ),
    named(
        "2.5.4.7",
        &["l", "localityName"],
        "RFC2256: locality which this object resides in",
    ),
    named(
        "2.5.4.8",
        &["st", "stateOrProvinceName"],
        "RFC2256: state or province which this object resides in",
    ),
    string(
        "2.5.4.9",
        &["street", "streetAddress"],
        "RFC2256: street address of this object",
    )
    .max_len(128),
    named(
        "2.5.4.10",
        &["o", "organizationName"],
        "RFC2256: organization this object belongs to",
    ),
    named(
        "2.5.4.11",
        &["ou", "organizationalUnitName"],
        "RFC2256: organizational unit this object belongs to",
    ),
    named(
        "2.5.4.12",
        &["title"],
        "RFC2256: title associated with the entity",
    ),
    string(
        "2.5.4.13",
        &["description"],
        "RFC4519: descriptive information",
    )
    .max_len(1024),
    At::new(
        "2.5.4.14",
        &["searchGuide"],
        "RFC2256: search guide, deprecated by enhancedSearchGuide",
        GUIDE,
    ),
    string(
        "2.5.4.15",
        &["businessCategory"],
        "RFC2256: business category",
    )
    .max_len(128),
    POSTAL_ADDRESS_AT,
    string("2.5.4.17", &["postalCode"], "RFC2256: postal code").max_len(40),
    string("2.5.4.18", &["postOfficeBox"], "RFC2256: Post Office Box").max_len(40),
    string(
        "2.5.4.19",
        &["physicalDeliveryOfficeName"],
        "RFC2256: Physical Delivery Office Name",
    )
    .max_len(128),
    phone(
        "2.5.4.20",
        &["telephoneNumber"],
        "RFC2256: Telephone Number",
    )
    .max_len(32),
    At::new(
        "2.5.4.21",
        &["telexNumber"],
        "RFC2256: Telex Number",
        TELEX_NUMBER,
    ),
    At::new(
        "2.5.4.22",
        &["teletexTerminalIdentifier"],
        "RFC2256: Teletex Terminal Identifier",
        TELETEX_TERMINAL_IDENTIFIER,
    ),
    At::new(
        "2.5.4.23",
        &["facsimileTelephoneNumber", "fax"],
        "RFC2256: Facsimile (Fax) Telephone Number",
        FACSIMILE_TELEPHONE_NUMBER,
    ),
    At::new(
        "2.5.4.24",
        &["x121Address"],
        "RFC2256: X.121 Address",
        NUMERIC_STRING,
    )
    .max_len(15)
    .equality(NumericString)
    .substr(NumericStringSubstrings),
    At::new(
        "2.5.4.25",
        &["internationalISDNNumber"],
        "RFC2256: international ISDN number",
        NUMERIC_STRING,
    )
    .max_len(16)
    .equality(NumericString)
    .substr(NumericStringSubstrings),
    At::derive(
        POSTAL_ADDRESS_AT,
        "postalAddress",
        "2.5.4.26",
        &["registeredAddress"],
        "RFC2256: registered postal address",
    ),
    At::new(
        "2.5.4.27",
        &["destinationIndicator"],
        "RFC2256: destination indicator",
        PRINTABLE_STRING,
    )
    .max_len(128)
    .equality(CaseIgnore)
    .substr(CaseIgnoreSubstrings),
    At::new(
        "2.5.4.28",
        &["preferredDeliveryMethod"],
        "RFC2256: preferred delivery method",
        DELIVERY_METHOD,
    )
    .single(),
    dn_valued("2.5.4.31", &["member"], "RFC2256: member of a group"),
    dn_valued("2.5.4.32", &["owner"], "RFC2256: owner (of the object)"),
    dn_valued("2.5.4.34", &["seeAlso"], "RFC4519: DN of related object"),
    At::new(
        "2.5.4.35",
        &["userPassword"],
        "RFC4519/2307: password of user",
        OCTET_STRING,
    )
    .max_len(128)
    .equality(OctetString),
    At::new(
        "2.5.4.36",
        &["userCertificate"],
        "RFC2256: X.509 user certificate, use ;binary",
        CERTIFICATE,
    )
    .equality(CertificateExact),
    named(
        "2.5.4.42",
        &["givenName", "gn"],
        "RFC2256: first name(s) for which the entity is known by",
    ),
    named(
        "2.5.4.43",
        &["initials"],
        "RFC2256: initials of some or all of names, but not the surname(s).",
    ),
    At::new(
        "2.5.4.45",
        &["x500UniqueIdentifier"],
        "RFC2256: X.500 unique identifier",
        BIT_STRING,
    )
    .equality(BitString),
    At::new(
        "2.5.4.50",
        &["uniqueMember"],
        "RFC2256: unique member of a group",
        NAME_AND_OPTIONAL_UID,
    )
    .equality(UniqueMember),
    At::new(
        "1.3.6.1.4.1.250.1.57",
        &["labeledURI"],
        "RFC2079: Uniform Resource Identifier with optional label",
        DIRECTORY_STRING,
    )
    .equality(CaseExact),
    // RFC 1274 (cosine)
    string(
        "0.9.2342.19200300.100.1.1",
        &["uid", "userid"],
        "RFC4519: user identifier",
    )
    .max_len(256),
    At::new(
        "0.9.2342.19200300.100.1.3",
        &["mail", "rfc822Mailbox"],
        "RFC1274: RFC822 Mailbox",
        IA5_STRING,
    )
    .max_len(256)
    .equality(CaseIgnoreIa5)
    .substr(CaseIgnoreIa5Substrings),
    string(
        "0.9.2342.19200300.100.1.6",
        &["roomNumber"],
        "RFC1274: room number",
    )
    .max_len(256),
    At::new(
        "0.9.2342.19200300.100.1.7",
        &["photo"],
        "RFC1274: photo (G3 fax)",
        FAX,
    )
    .max_len(25000),
    dn_attr(
        "0.9.2342.19200300.100.1.10",
        &["manager"],
        "RFC1274: DN of manager",
    ),
    phone(
        "0.9.2342.19200300.100.1.20",
        &["homePhone", "homeTelephoneNumber"],
        "RFC1274: home telephone number",
    ),
    dn_attr(
        "0.9.2342.19200300.100.1.21",
        &["secretary"],
        "RFC1274: DN of secretary",
    ),
    At::new(
        "0.9.2342.19200300.100.1.25",
        &["dc", "domainComponent"],
        "RFC1274/2247: domain component",
        IA5_STRING,
    )
    .equality(CaseIgnoreIa5)
    .substr(CaseIgnoreIa5Substrings)
    .single(),
    dn_attr(
        "0.9.2342.19200300.100.1.38",
        &["associatedName"],
        "RFC1274: DN of entry associated with domain",
    ),
    postal(
        "0.9.2342.19200300.100.1.39",
        &["homePostalAddress"],
        "RFC1274: home postal address",
    ),
    phone(
        "0.9.2342.19200300.100.1.41",
        &["mobile", "mobileTelephoneNumber"],
        "RFC1274: mobile telephone number",
    ),
    phone(
        "0.9.2342.19200300.100.1.42",
        &["pager", "pagerTelephoneNumber"],
        "RFC1274: pager telephone number",
    ),
    At::new(
        "0.9.2342.19200300.100.1.55",
        &["audio"],
        "RFC1274: audio (u-law)",
        AUDIO,
    )
    .max_len(25000),
    // RFC 2798 (inetorgperson)
    string(
        "2.16.840.1.113730.3.1.1",
        &["carLicense"],
        "RFC2798: vehicle license or registration plate",
    ),
    string(
        "2.16.840.1.113730.3.1.2",
        &["departmentNumber"],
        "RFC2798: identifies a department within an organization",
    ),
    string(
        "2.16.840.1.113730.3.1.241",
        &["displayName"],
        "RFC2798: preferred name to be used when displaying entries",
    )
    .single(),
    string(
        "2.16.840.1.113730.3.1.3",
        &["employeeNumber"],
        "RFC2798: numerically identifies an employee within an organization",
    )
    .single(),
    string(
        "2.16.840.1.113730.3.1.4",
        &["employeeType"],
        "RFC2798: type of employment for a person",
    ),
    At::new(
        "0.9.2342.19200300.100.1.60",
        &["jpegPhoto"],
        "RFC2798: a JPEG image",
        JPEG,
    ),
    string(
        "2.16.840.1.113730.3.1.39",
        &["preferredLanguage"],
        "RFC2798: preferred written or spoken language for a person",
    )
    .single(),
    At::new(
        "2.16.840.1.113730.3.1.40",
        &["userSMIMECertificate"],
        "RFC2798: PKCS#7 SignedData used to support S/MIME",
        BINARY,
    ),
    At::new(
        "2.16.840.1.113730.3.1.216",
        &["userPKCS12"],
        "RFC2798: personal identity information, a PKCS #12 PFX",
        BINARY,
    ),
    // RFC 2307 (nis); uidNumber and gidNumber are slapd built-ins.
    posix_id(
        "1.3.6.1.1.1.1.0",
        &["uidNumber"],
        "RFC2307: An integer uniquely identifying a user in an administrative domain",
    ),
    posix_id(
        "1.3.6.1.1.1.1.1",
        &["gidNumber"],
        "RFC2307: An integer uniquely identifying a group in an administrative domain",
    ),
    At::new(
        "1.3.6.1.1.1.1.2",
        &["gecos"],
        "The GECOS field; the common name",
        IA5_STRING,
    )
    .equality(CaseIgnoreIa5)
    .substr(CaseIgnoreIa5Substrings)
    .single(),
    At::new(
        "1.3.6.1.1.1.1.3",
        &["homeDirectory"],
        "The absolute path to the home directory",
        IA5_STRING,
    )
    .equality(CaseExactIa5)
    .single(),
    At::new(
        "1.3.6.1.1.1.1.4",
        &["loginShell"],
        "The path to the login shell",
        IA5_STRING,
    )
    .equality(CaseExactIa5)
    .single(),
    shadow("1.3.6.1.1.1.1.5", &["shadowLastChange"]),
    shadow("1.3.6.1.1.1.1.6", &["shadowMin"]),
    shadow("1.3.6.1.1.1.1.7", &["shadowMax"]),
    shadow("1.3.6.1.1.1.1.8", &["shadowWarning"]),
    shadow("1.3.6.1.1.1.1.9", &["shadowInactive"]),
    shadow("1.3.6.1.1.1.1.10", &["shadowExpire"]),
    shadow("1.3.6.1.1.1.1.11", &["shadowFlag"]),
    At::new("1.3.6.1.1.1.1.12", &["memberUid"], "", IA5_STRING)
        .equality(CaseExactIa5)
        .substr(CaseExactIa5Substrings),
    // openssh-lpk (the ldapPublicKey class sshd's AuthorizedKeysCommand,
    // SSSD, GitLab and Gitea read keys from).
    At::new(
        "1.3.6.1.4.1.24552.500.1.1.1.13",
        &["sshPublicKey"],
        "MANDATORY: OpenSSH Public key",
        OCTET_STRING,
    )
    .equality(OctetString),
];
