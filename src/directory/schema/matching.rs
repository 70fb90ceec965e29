//! Matching rules: their identity (OID, name, assertion syntax), value
//! normalization, and filter evaluation (equality, ordering, substrings,
//! approximate) with RFC 4511 three-valued logic: `None` is Undefined,
//! returned when the attribute has no suitable rule or a value or assertion
//! is not valid for the rule.

use std::cmp::Ordering;

use super::AttributeType;
use super::gentime::parse_generalized_time;
use super::prep::{self, Case, Piece};
use super::syntax::oids;
use super::values::{self, Integer};

/// The matching rules dirgate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchingRule {
    ObjectIdentifier,
    DistinguishedName,
    CaseIgnore,
    CaseIgnoreOrdering,
    CaseIgnoreSubstrings,
    CaseExact,
    CaseExactOrdering,
    CaseExactSubstrings,
    NumericString,
    NumericStringSubstrings,
    CaseIgnoreList,
    CaseIgnoreListSubstrings,
    Boolean,
    Integer,
    IntegerOrdering,
    BitString,
    OctetString,
    TelephoneNumber,
    TelephoneNumberSubstrings,
    UniqueMember,
    GeneralizedTime,
    GeneralizedTimeOrdering,
    IntegerFirstComponent,
    ObjectIdentifierFirstComponent,
    /// Declared because userCertificate uses it; certificates are not parsed,
    /// so it always evaluates to Undefined.
    CertificateExact,
    CaseExactIa5,
    CaseIgnoreIa5,
    CaseIgnoreIa5Substrings,
    CaseExactIa5Substrings,
    Uuid,
    UuidOrdering,
}

/// A normalized value. Values produced by the same rule always share a
/// variant, so the derived `Ord` is the rule's ordering.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Normalized {
    Text(String),
    Int(Integer),
    /// Nanoseconds since the Unix epoch, UTC.
    Time(i128),
    Bool(bool),
    Dn(String),
    Oid(String),
    Uuid(u128),
    Bits(String),
}

impl MatchingRule {
    /// Every rule, in the order `matchingRules` publishes them.
    pub const ALL: &'static [MatchingRule] = &[
        Self::ObjectIdentifier,
        Self::DistinguishedName,
        Self::CaseIgnore,
        Self::CaseIgnoreOrdering,
        Self::CaseIgnoreSubstrings,
        Self::CaseExact,
        Self::CaseExactOrdering,
        Self::CaseExactSubstrings,
        Self::NumericString,
        Self::NumericStringSubstrings,
        Self::CaseIgnoreList,
        Self::CaseIgnoreListSubstrings,
        Self::Boolean,
        Self::Integer,
        Self::IntegerOrdering,
        Self::BitString,
        Self::OctetString,
        Self::TelephoneNumber,
        Self::TelephoneNumberSubstrings,
        Self::UniqueMember,
        Self::GeneralizedTime,
        Self::GeneralizedTimeOrdering,
        Self::IntegerFirstComponent,
        Self::ObjectIdentifierFirstComponent,
        Self::CertificateExact,
        Self::CaseExactIa5,
        Self::CaseIgnoreIa5,
        Self::CaseIgnoreIa5Substrings,
        Self::CaseExactIa5Substrings,
        Self::Uuid,
        Self::UuidOrdering,
    ];

    /// (OID, name, assertion syntax) as RFC 4517, RFC 4530 and OpenLDAP
    /// define them.
    fn info(self) -> (&'static str, &'static str, &'static str) {
        use MatchingRule as M;
        match self {
            M::ObjectIdentifier => ("2.5.13.0", "objectIdentifierMatch", oids::OID),
            M::DistinguishedName => ("2.5.13.1", "distinguishedNameMatch", oids::DN),
            M::CaseIgnore => ("2.5.13.2", "caseIgnoreMatch", oids::DIRECTORY_STRING),
            M::CaseIgnoreOrdering => (
                "2.5.13.3",
                "caseIgnoreOrderingMatch",
                oids::DIRECTORY_STRING,
            ),
            M::CaseIgnoreSubstrings => (
                "2.5.13.4",
                "caseIgnoreSubstringsMatch",
                oids::SUBSTRING_ASSERTION,
            ),
            M::CaseExact => ("2.5.13.5", "caseExactMatch", oids::DIRECTORY_STRING),
            M::CaseExactOrdering => ("2.5.13.6", "caseExactOrderingMatch", oids::DIRECTORY_STRING),
            M::CaseExactSubstrings => (
                "2.5.13.7",
                "caseExactSubstringsMatch",
                oids::SUBSTRING_ASSERTION,
            ),
            M::NumericString => ("2.5.13.8", "numericStringMatch", oids::NUMERIC_STRING),
            M::NumericStringSubstrings => (
                "2.5.13.10",
                "numericStringSubstringsMatch",
                oids::SUBSTRING_ASSERTION,
            ),
            M::CaseIgnoreList => ("2.5.13.11", "caseIgnoreListMatch", oids::POSTAL_ADDRESS),
            M::CaseIgnoreListSubstrings => (
                "2.5.13.12",
                "caseIgnoreListSubstringsMatch",
                oids::SUBSTRING_ASSERTION,
            ),
            M::Boolean => ("2.5.13.13", "booleanMatch", oids::BOOLEAN),
            M::Integer => ("2.5.13.14", "integerMatch", oids::INTEGER),
            M::IntegerOrdering => ("2.5.13.15", "integerOrderingMatch", oids::INTEGER),
            M::BitString => ("2.5.13.16", "bitStringMatch", oids::BIT_STRING),
            M::OctetString => ("2.5.13.17", "octetStringMatch", oids::OCTET_STRING),
            M::TelephoneNumber => ("2.5.13.20", "telephoneNumberMatch", oids::TELEPHONE_NUMBER),
            M::TelephoneNumberSubstrings => (
                "2.5.13.21",
                "telephoneNumberSubstringsMatch",
                oids::SUBSTRING_ASSERTION,
            ),
            M::UniqueMember => (
                "2.5.13.23",
                "uniqueMemberMatch",
                oids::NAME_AND_OPTIONAL_UID,
            ),
            M::GeneralizedTime => ("2.5.13.27", "generalizedTimeMatch", oids::GENERALIZED_TIME),
            M::GeneralizedTimeOrdering => (
                "2.5.13.28",
                "generalizedTimeOrderingMatch",
                oids::GENERALIZED_TIME,
            ),
            M::IntegerFirstComponent => ("2.5.13.29", "integerFirstComponentMatch", oids::INTEGER),
            M::ObjectIdentifierFirstComponent => (
                "2.5.13.30",
                "objectIdentifierFirstComponentMatch",
                oids::OID,
            ),
            M::CertificateExact => (
                "2.5.13.34",
                "certificateExactMatch",
                oids::CERTIFICATE_EXACT_ASSERTION,
            ),
            M::CaseExactIa5 => (
                "1.3.6.1.4.1.1466.109.114.1",
                "caseExactIA5Match",
                oids::IA5_STRING,
            ),
            M::CaseIgnoreIa5 => (
                "1.3.6.1.4.1.1466.109.114.2",
                "caseIgnoreIA5Match",
                oids::IA5_STRING,
            ),
            M::CaseIgnoreIa5Substrings => (
                "1.3.6.1.4.1.1466.109.114.3",
                "caseIgnoreIA5SubstringsMatch",
                oids::SUBSTRING_ASSERTION,
            ),
            M::CaseExactIa5Substrings => (
                "1.3.6.1.4.1.4203.1.2.1",
                "caseExactIA5SubstringsMatch",
                oids::SUBSTRING_ASSERTION,
            ),
            M::Uuid => ("1.3.6.1.1.16.2", "uuidMatch", oids::UUID),
            M::UuidOrdering => ("1.3.6.1.1.16.3", "uuidOrderingMatch", oids::UUID),
        }
    }

    pub fn oid(self) -> &'static str {
        self.info().0
    }

    pub fn name(self) -> &'static str {
        self.info().1
    }

    /// OID of the syntax of assertion values (the `SYNTAX` of the rule).
    pub fn syntax(self) -> &'static str {
        self.info().2
    }

    /// Normalized form of an attribute value for equality and ordering;
    /// None when the value is not valid for the rule. Substrings rules
    /// normalize like their equality counterparts.
    pub fn normalize(self, value: &str) -> Option<Normalized> {
        use MatchingRule as M;
        use Normalized as N;
        match self {
            M::CaseIgnore | M::CaseIgnoreOrdering | M::CaseIgnoreSubstrings => {
                text(value, Case::Ignore)
            }
            M::CaseExact | M::CaseExactOrdering | M::CaseExactSubstrings => {
                text(value, Case::Exact)
            }
            M::CaseIgnoreIa5 | M::CaseIgnoreIa5Substrings => ia5(value, Case::Ignore),
            M::CaseExactIa5 | M::CaseExactIa5Substrings => ia5(value, Case::Exact),
            M::CaseIgnoreList | M::CaseIgnoreListSubstrings => {
                Some(N::Text(values::fold_list(value, "$")))
            }
            M::TelephoneNumber | M::TelephoneNumberSubstrings => non_empty(prep::phone(value)),
            M::NumericString | M::NumericStringSubstrings => {
                prep::numeric(value).and_then(non_empty)
            }
            M::Integer | M::IntegerOrdering => Integer::parse(value).map(N::Int),
            M::IntegerFirstComponent => values::first_component(value)
                .and_then(Integer::parse)
                .map(N::Int),
            M::Boolean => boolean(value).map(N::Bool),
            M::GeneralizedTime | M::GeneralizedTimeOrdering => {
                parse_generalized_time(value).map(N::Time)
            }
            M::ObjectIdentifier => values::normalize_oid(value).map(N::Oid),
            M::ObjectIdentifierFirstComponent => values::first_component(value)
                .and_then(values::normalize_oid)
                .map(N::Oid),
            M::DistinguishedName => values::normalize_dn(value).map(N::Dn),
            M::UniqueMember => values::normalize_unique_member(value).map(N::Dn),
            M::OctetString => Some(N::Text(value.to_owned())),
            M::BitString => values::parse_bits(value).map(|b| N::Bits(b.to_owned())),
            M::Uuid | M::UuidOrdering => values::parse_uuid(value).map(N::Uuid),
            M::CertificateExact => None,
        }
    }

    /// Normalized form of an assertion value. Only the *FirstComponent rules
    /// differ from [`normalize`](Self::normalize): their assertion is the
    /// bare integer or OID, not a whole description.
    pub fn normalize_assertion(self, assertion: &str) -> Option<Normalized> {
        match self {
            MatchingRule::IntegerFirstComponent => Integer::parse(assertion).map(Normalized::Int),
            MatchingRule::ObjectIdentifierFirstComponent => {
                values::normalize_oid(assertion).map(Normalized::Oid)
            }
            _ => self.normalize(assertion),
        }
    }

    /// Equality under this rule; None (Undefined) when either side is invalid.
    pub fn matches(self, assertion: &str, value: &str) -> Option<bool> {
        Some(self.normalize_assertion(assertion)? == self.normalize(value)?)
    }

    /// `value` compared to `assertion` under this rule.
    pub fn compare(self, assertion: &str, value: &str) -> Option<Ordering> {
        let assertion = self.normalize_assertion(assertion)?;
        let value = self.normalize(value)?;
        same_kind(&assertion, &value).then(|| value.cmp(&assertion))
    }

    /// Rules comparing character strings, for which approximate matching
    /// compares letters and digits only.
    fn is_textual(self) -> bool {
        use MatchingRule as M;
        matches!(
            self,
            M::CaseIgnore
                | M::CaseExact
                | M::CaseIgnoreIa5
                | M::CaseExactIa5
                | M::CaseIgnoreList
                | M::TelephoneNumber
                | M::NumericString
        )
    }

    /// Prepared form of a whole value for substring matching; lines of a
    /// postal address are joined with a newline, which no prepared piece can
    /// contain, so pieces never match across lines (RFC 4517 §4.2.13).
    fn substring_value(self, value: &str) -> Option<String> {
        match self {
            MatchingRule::CaseIgnoreListSubstrings => Some(values::fold_list(value, "\n")),
            _ => match self.normalize(value)? {
                Normalized::Text(text) => Some(text),
                _ => None,
            },
        }
    }

    fn substring_piece(self, piece: &str, position: Piece) -> Option<String> {
        use MatchingRule as M;
        match self {
            M::CaseIgnoreSubstrings | M::CaseIgnoreListSubstrings => {
                Some(prep::fold_piece(piece, Case::Ignore, position))
            }
            M::CaseExactSubstrings => Some(prep::fold_piece(piece, Case::Exact, position)),
            M::CaseIgnoreIa5Substrings if piece.is_ascii() => {
                Some(prep::fold_piece(piece, Case::Ignore, position))
            }
            M::CaseExactIa5Substrings if piece.is_ascii() => {
                Some(prep::fold_piece(piece, Case::Exact, position))
            }
            M::TelephoneNumberSubstrings => Some(prep::phone(piece)),
            M::NumericStringSubstrings => prep::numeric(piece),
            _ => None,
        }
    }
}

/// Looks a matching rule up by name or OID, ignoring case (so OpenLDAP's
/// spelling `UUIDMatch` works too), e.g. for extensible match filters.
pub fn matching_rule(name_or_oid: &str) -> Option<MatchingRule> {
    MatchingRule::ALL
        .iter()
        .copied()
        .find(|rule| rule.oid() == name_or_oid || rule.name().eq_ignore_ascii_case(name_or_oid))
}

/// Equality filter `(attr=assertion)` against one value. The assertion is
/// normalized on every call; to test many values, normalize it once with
/// [`MatchingRule::normalize_assertion`] and compare with
/// [`MatchingRule::normalize`] of each value.
pub fn equality(attr: &AttributeType, assertion: &str, value: &str) -> Option<bool> {
    attr.equality?.matches(assertion, value)
}

/// Ordering of `value` relative to `assertion`: `(attr>=a)` holds when the
/// result is Greater or Equal, `(attr<=a)` when Less or Equal. None when the
/// attribute has no ordering rule or either side is invalid.
pub fn ordering(attr: &AttributeType, assertion: &str, value: &str) -> Option<Ordering> {
    attr.ordering?.compare(assertion, value)
}

/// Substrings filter against one value (RFC 4511 §4.5.1.7.2): `initial`
/// must be a prefix, `final_` a suffix, and the `any` pieces must appear in
/// order, none overlapping another piece.
pub fn substrings(
    attr: &AttributeType,
    initial: Option<&str>,
    any: &[String],
    final_: Option<&str>,
    value: &str,
) -> Option<bool> {
    let rule = attr.substr?;
    let value = rule.substring_value(value)?;
    // Outer None: an invalid piece (Undefined); inner None: no such piece.
    let optional_piece = |piece: Option<&str>, position| match piece {
        Some(piece) => rule.substring_piece(piece, position).map(Some),
        None => Some(None),
    };
    let initial = optional_piece(initial, Piece::Initial)?;
    let final_ = optional_piece(final_, Piece::Final)?;
    let any: Vec<String> = any
        .iter()
        .map(|p| rule.substring_piece(p, Piece::Any))
        .collect::<Option<_>>()?;
    Some(pieces_match(
        &value,
        initial.as_deref(),
        &any,
        final_.as_deref(),
    ))
}

/// Approximate filter `(attr~=assertion)`. For textual equality rules the
/// two sides match when they are equal after keeping only letters and
/// digits, lowercased ("Jean-Luc  O'Neil" ~= "jeanluc oneil"); if either
/// side has no letter or digit, or the rule is not textual (integers, times,
/// DNs, ...), approximate matching is plain equality, as RFC 4511 allows.
pub fn approx(attr: &AttributeType, assertion: &str, value: &str) -> Option<bool> {
    let rule = attr.equality?;
    if !rule.is_textual() {
        return rule.matches(assertion, value);
    }
    let (a, v) = (prep::skeleton(assertion), prep::skeleton(value));
    if a.is_empty() || v.is_empty() {
        return rule.matches(assertion, value);
    }
    Some(a == v)
}

fn pieces_match(value: &str, initial: Option<&str>, any: &[String], final_: Option<&str>) -> bool {
    let mut rest = value;
    if let Some(initial) = initial {
        match rest.strip_prefix(initial) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    if let Some(final_) = final_ {
        match rest.strip_suffix(final_) {
            Some(before) => rest = before,
            None => return false,
        }
    }
    for piece in any {
        match rest.find(piece.as_str()) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

fn text(value: &str, case: Case) -> Option<Normalized> {
    (!value.is_empty()).then(|| Normalized::Text(prep::fold(value, case)))
}

fn ia5(value: &str, case: Case) -> Option<Normalized> {
    if value.is_ascii() {
        text(value, case)
    } else {
        None
    }
}

fn non_empty(text: String) -> Option<Normalized> {
    (!text.is_empty()).then_some(Normalized::Text(text))
}

/// booleanMatch accepts TRUE/FALSE in any case in filters; stored values
/// must be exactly upper case (checked by `validate`).
fn boolean(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("TRUE") {
        Some(true)
    } else if value.eq_ignore_ascii_case("FALSE") {
        Some(false)
    } else {
        None
    }
}

fn same_kind(a: &Normalized, b: &Normalized) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}
