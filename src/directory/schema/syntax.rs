//! LDAP syntaxes: the ones dirgate's attribute types and matching rules
//! refer to (published as `ldapSyntaxes`), and the value checks applied to
//! writes. Checks follow RFC 4517; syntaxes dirgate only carries through
//! (guides, telex numbers, binary blobs, schema descriptions) get a
//! non-emptiness or shape check only, and say so below.

use thiserror::Error;

use super::gentime::parse_generalized_time;
use super::prep;
use super::values::{self, Integer};
use super::{AttributeType, Constraint};

/// Syntax OIDs, named after their RFC 4517 descriptions.
pub mod oids {
    pub const ATTRIBUTE_TYPE_DESCRIPTION: &str = "1.3.6.1.4.1.1466.115.121.1.3";
    pub const AUDIO: &str = "1.3.6.1.4.1.1466.115.121.1.4";
    pub const BINARY: &str = "1.3.6.1.4.1.1466.115.121.1.5";
    pub const BIT_STRING: &str = "1.3.6.1.4.1.1466.115.121.1.6";
    pub const BOOLEAN: &str = "1.3.6.1.4.1.1466.115.121.1.7";
    pub const CERTIFICATE: &str = "1.3.6.1.4.1.1466.115.121.1.8";
    pub const DN: &str = "1.3.6.1.4.1.1466.115.121.1.12";
    pub const DELIVERY_METHOD: &str = "1.3.6.1.4.1.1466.115.121.1.14";
    pub const DIRECTORY_STRING: &str = "1.3.6.1.4.1.1466.115.121.1.15";
    pub const DIT_CONTENT_RULE_DESCRIPTION: &str = "1.3.6.1.4.1.1466.115.121.1.16";
    pub const DIT_STRUCTURE_RULE_DESCRIPTION: &str = "1.3.6.1.4.1.1466.115.121.1.17";
    pub const FACSIMILE_TELEPHONE_NUMBER: &str = "1.3.6.1.4.1.1466.115.121.1.22";
    pub const FAX: &str = "1.3.6.1.4.1.1466.115.121.1.23";
    pub const GENERALIZED_TIME: &str = "1.3.6.1.4.1.1466.115.121.1.24";
    pub const GUIDE: &str = "1.3.6.1.4.1.1466.115.121.1.25";
    pub const IA5_STRING: &str = "1.3.6.1.4.1.1466.115.121.1.26";
    pub const INTEGER: &str = "1.3.6.1.4.1.1466.115.121.1.27";
    pub const JPEG: &str = "1.3.6.1.4.1.1466.115.121.1.28";
    pub const MATCHING_RULE_DESCRIPTION: &str = "1.3.6.1.4.1.1466.115.121.1.30";
    pub const MATCHING_RULE_USE_DESCRIPTION: &str = "1.3.6.1.4.1.1466.115.121.1.31";
    pub const NAME_AND_OPTIONAL_UID: &str = "1.3.6.1.4.1.1466.115.121.1.34";
    pub const NAME_FORM_DESCRIPTION: &str = "1.3.6.1.4.1.1466.115.121.1.35";
    pub const NUMERIC_STRING: &str = "1.3.6.1.4.1.1466.115.121.1.36";
    pub const OBJECT_CLASS_DESCRIPTION: &str = "1.3.6.1.4.1.1466.115.121.1.37";
    pub const OID: &str = "1.3.6.1.4.1.1466.115.121.1.38";
    pub const OCTET_STRING: &str = "1.3.6.1.4.1.1466.115.121.1.40";
    pub const POSTAL_ADDRESS: &str = "1.3.6.1.4.1.1466.115.121.1.41";
    pub const PRINTABLE_STRING: &str = "1.3.6.1.4.1.1466.115.121.1.44";
    pub const SUBTREE_SPECIFICATION: &str = "1.3.6.1.4.1.1466.115.121.1.45";
    pub const TELEPHONE_NUMBER: &str = "1.3.6.1.4.1.1466.115.121.1.50";
    pub const TELETEX_TERMINAL_IDENTIFIER: &str = "1.3.6.1.4.1.1466.115.121.1.51";
    pub const TELEX_NUMBER: &str = "1.3.6.1.4.1.1466.115.121.1.52";
    pub const LDAP_SYNTAX_DESCRIPTION: &str = "1.3.6.1.4.1.1466.115.121.1.54";
    pub const SUBSTRING_ASSERTION: &str = "1.3.6.1.4.1.1466.115.121.1.58";
    pub const CERTIFICATE_EXACT_ASSERTION: &str = "1.3.6.1.1.15.1";
    pub const UUID: &str = "1.3.6.1.1.16.1";
}

/// An LDAP syntax as published in `ldapSyntaxes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syntax {
    pub oid: &'static str,
    pub desc: &'static str,
    /// `X-NOT-HUMAN-READABLE 'TRUE'`: values are binary, not UTF-8 text.
    pub binary: bool,
    /// `X-BINARY-TRANSFER-REQUIRED 'TRUE'`: values travel with `;binary`.
    pub binary_transfer: bool,
}

const fn text(oid: &'static str, desc: &'static str) -> Syntax {
    Syntax {
        oid,
        desc,
        binary: false,
        binary_transfer: false,
    }
}

const fn blob(oid: &'static str, desc: &'static str) -> Syntax {
    Syntax {
        oid,
        desc,
        binary: true,
        binary_transfer: false,
    }
}

/// Descriptions as slapd publishes them.
pub(super) static SYNTAXES: &[Syntax] = &[
    text(
        oids::ATTRIBUTE_TYPE_DESCRIPTION,
        "Attribute Type Description",
    ),
    blob(oids::AUDIO, "Audio"),
    blob(oids::BINARY, "Binary"),
    text(oids::BIT_STRING, "Bit String"),
    text(oids::BOOLEAN, "Boolean"),
    Syntax {
        binary_transfer: true,
        ..blob(oids::CERTIFICATE, "Certificate")
    },
    text(oids::DN, "Distinguished Name"),
    text(oids::DELIVERY_METHOD, "Delivery Method"),
    text(oids::DIRECTORY_STRING, "Directory String"),
    text(
        oids::DIT_CONTENT_RULE_DESCRIPTION,
        "DIT Content Rule Description",
    ),
    text(
        oids::DIT_STRUCTURE_RULE_DESCRIPTION,
        "DIT Structure Rule Description",
    ),
    text(
        oids::FACSIMILE_TELEPHONE_NUMBER,
        "Facsimile Telephone Number",
    ),
    blob(oids::FAX, "Fax"),
    text(oids::GENERALIZED_TIME, "Generalized Time"),
    text(oids::GUIDE, "Guide"),
    text(oids::IA5_STRING, "IA5 String"),
    text(oids::INTEGER, "Integer"),
    blob(oids::JPEG, "JPEG"),
    text(oids::MATCHING_RULE_DESCRIPTION, "Matching Rule Description"),
    text(
        oids::MATCHING_RULE_USE_DESCRIPTION,
        "Matching Rule Use Description",
    ),
    text(oids::NAME_AND_OPTIONAL_UID, "Name And Optional UID"),
    text(oids::NAME_FORM_DESCRIPTION, "Name Form Description"),
    text(oids::NUMERIC_STRING, "Numeric String"),
    text(oids::OBJECT_CLASS_DESCRIPTION, "Object Class Description"),
    text(oids::OID, "OID"),
    text(oids::OCTET_STRING, "Octet String"),
    text(oids::POSTAL_ADDRESS, "Postal Address"),
    text(oids::PRINTABLE_STRING, "Printable String"),
    text(oids::SUBTREE_SPECIFICATION, "SubtreeSpecification"),
    text(oids::TELEPHONE_NUMBER, "Telephone Number"),
    text(
        oids::TELETEX_TERMINAL_IDENTIFIER,
        "Teletex Terminal Identifier",
    ),
    text(oids::TELEX_NUMBER, "Telex Number"),
    text(oids::LDAP_SYNTAX_DESCRIPTION, "LDAP Syntax Description"),
    text(oids::SUBSTRING_ASSERTION, "Substring Assertion"),
    text(
        oids::CERTIFICATE_EXACT_ASSERTION,
        "Certificate Exact Assertion",
    ),
    text(oids::UUID, "UUID"),
];

/// The syntaxes marked `binary` and `binary_transfer` above, as lists the
/// hot paths (every attribute of every entry a search sends) test without
/// walking the table; a test keeps them in step with it.
const BINARY: [&str; 5] = [
    oids::AUDIO,
    oids::BINARY,
    oids::CERTIFICATE,
    oids::FAX,
    oids::JPEG,
];
const BINARY_TRANSFER: [&str; 1] = [oids::CERTIFICATE];

/// Whether values of syntax `oid` are bytes (X-NOT-HUMAN-READABLE).
pub fn is_binary(oid: &str) -> bool {
    BINARY.contains(&oid)
}

/// Whether values of syntax `oid` travel with `;binary`
/// (X-BINARY-TRANSFER-REQUIRED).
pub fn is_binary_transfer(oid: &str) -> bool {
    BINARY_TRANSFER.contains(&oid)
}

/// Looks a syntax up by OID (a `{len}` suffix is ignored).
pub fn syntax(oid: &str) -> Option<&'static Syntax> {
    let oid = oid.split('{').next().unwrap_or(oid);
    SYNTAXES.iter().find(|s| s.oid == oid)
}

/// A value rejected by [`validate`]. Maps to LDAP invalidAttributeSyntax
/// (21), or constraintViolation (19) when [`constraint`](Self::constraint)
/// is set.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid value for {attribute} ({syntax}): value {reason}")]
pub struct SyntaxError {
    /// Canonical name of the attribute.
    pub attribute: &'static str,
    /// Description of the attribute's syntax, e.g. "Integer".
    pub syntax: &'static str,
    pub reason: &'static str,
    /// The value has the right syntax but is outside the values dirgate
    /// allows for the attribute (`Constraint`).
    pub constraint: bool,
}

/// Checks a value about to be stored in `attr`: the syntax first, then
/// dirgate's own value restrictions (`Constraint`). Values of binary
/// syntaxes (JPEG, certificates, ...) are bytes and are not checked: slapd
/// takes any bytes as a JPEG, Audio, Fax or Binary value (`blobValidate`),
/// and while it parses a Certificate, SCIM's binary `x509Certificates`
/// takes any bytes, and one value both front ends write must pass both
/// (an LDIF export dirgate could not load back would be worse).
pub fn validate(attr: &AttributeType, value: &str) -> Result<(), SyntaxError> {
    let fail = |constraint: bool| {
        move |reason: &'static str| SyntaxError {
            attribute: attr.canonical(),
            syntax: syntax(attr.syntax).map_or("unknown syntax", |s| s.desc),
            reason,
            constraint,
        }
    };
    check_syntax(attr.syntax, value).map_err(fail(false))?;
    check_constraint(attr, value).map_err(fail(true))
}

fn check_syntax(oid: &str, value: &str) -> Result<(), &'static str> {
    use oids as S;
    match oid {
        S::INTEGER => check(value_integer(value), "is not an integer"),
        S::BOOLEAN => check(value == "TRUE" || value == "FALSE", "must be TRUE or FALSE"),
        S::GENERALIZED_TIME => check(
            parse_generalized_time(value).is_some(),
            "is not a GeneralizedTime",
        ),
        S::DN => check(
            values::normalize_dn(value).is_some(),
            "is not a distinguished name",
        ),
        S::NAME_AND_OPTIONAL_UID => check(
            values::normalize_unique_member(value).is_some(),
            "is not a DN with optional UID",
        ),
        S::IA5_STRING => check(
            !value.is_empty() && value.is_ascii(),
            "must be non-empty ASCII",
        ),
        S::DIRECTORY_STRING => check(!value.is_empty(), "must not be empty"),
        S::OID => check(
            values::is_numericoid(value) || values::is_descr(value),
            "is not an OID or descriptor",
        ),
        S::UUID => check(values::parse_uuid(value).is_some(), "is not a UUID"),
        S::TELEPHONE_NUMBER | S::PRINTABLE_STRING => {
            check(is_printable(value), "must be non-empty PrintableString")
        }
        S::FACSIMILE_TELEPHONE_NUMBER => {
            check(fax_number(value), "is not a facsimile telephone number")
        }
        S::NUMERIC_STRING => check(
            prep::numeric(value).is_some_and(|d| !d.is_empty()),
            "must be digits and spaces",
        ),
        S::POSTAL_ADDRESS => check(value.split('$').all(|l| !l.is_empty()), "has an empty line"),
        S::BIT_STRING => check(values::parse_bits(value).is_some(), "is not a bit string"),
        S::DELIVERY_METHOD => check(delivery_method(value), "is not a delivery method"),
        S::OCTET_STRING | S::AUDIO | S::BINARY | S::CERTIFICATE | S::FAX | S::JPEG => Ok(()),
        _ if is_description_syntax(oid) => check(
            value.starts_with('(') && value.ends_with(')'),
            "is not a parenthesized description",
        ),
        // Guide, Telex Number, Teletex Terminal Identifier, Subtree
        // Specification: carried through, only required to be present.
        _ => check(!value.is_empty(), "must not be empty"),
    }
}

fn check(ok: bool, reason: &'static str) -> Result<(), &'static str> {
    if ok { Ok(()) } else { Err(reason) }
}

/// RFC 4517 §3.3.16: no leading zeros, no `-0`.
fn value_integer(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let canonical = digits == "0" && !value.starts_with('-') || !digits.starts_with('0');
    canonical && Integer::parse(value).is_some()
}

/// RFC 4517 PrintableCharacter: letters, digits, space and '()+,-./:?
fn is_printable(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b))
}

/// RFC 4517 §3.3.11: PrintableString number, then `$`-separated parameters.
fn fax_number(value: &str) -> bool {
    const PARAMETERS: &[&str] = &[
        "twoDimensional",
        "fineResolution",
        "unlimitedLength",
        "b4Length",
        "a3Width",
        "b4Width",
        "uncompressed",
    ];
    let mut parts = value.split('$');
    parts.next().is_some_and(is_printable)
        && parts.all(|p| PARAMETERS.contains(&p.trim_matches(' ')))
}

/// RFC 4517 §3.3.5: `pdm *( " $ " pdm )`.
fn delivery_method(value: &str) -> bool {
    const METHODS: &[&str] = &[
        "any",
        "mhs",
        "physical",
        "telex",
        "teletex",
        "g3fax",
        "g4fax",
        "ia5",
        "videotex",
        "telephone",
    ];
    value
        .split('$')
        .all(|m| METHODS.contains(&m.trim_matches(' ')))
}

fn is_description_syntax(oid: &str) -> bool {
    use oids as S;
    [
        S::ATTRIBUTE_TYPE_DESCRIPTION,
        S::OBJECT_CLASS_DESCRIPTION,
        S::MATCHING_RULE_DESCRIPTION,
        S::MATCHING_RULE_USE_DESCRIPTION,
        S::LDAP_SYNTAX_DESCRIPTION,
        S::DIT_CONTENT_RULE_DESCRIPTION,
        S::DIT_STRUCTURE_RULE_DESCRIPTION,
        S::NAME_FORM_DESCRIPTION,
    ]
    .contains(&oid)
}

fn check_constraint(attr: &AttributeType, value: &str) -> Result<(), &'static str> {
    match attr.constraint {
        Constraint::None => Ok(()),
        Constraint::NonNegative => check(
            Integer::parse(value).is_some_and(|i| !i.is_negative()),
            "must not be negative",
        ),
        // Exact spelling only: filters match these case-insensitively, but
        // dirgate's own code compares stored values as written.
        Constraint::OneOf(allowed) => {
            check(allowed.contains(&value), "is not one of the allowed values")
        }
    }
}
