//! Parsers and normalizers for the non-string value forms the matching
//! rules compare: arbitrary-length integers, DNs (a light normalization; the
//! real DN module replaces it), OIDs and descriptors, UUIDs, bit strings,
//! postal address lists and the first component of schema descriptions.

use std::cmp::Ordering;
use std::fmt;

use super::prep::{self, Case};
use super::{attribute, matching_rule, object_class};

/// An RFC 4517 Integer of any length, compared numerically without
/// overflow: sign first, then number of digits, then the digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Integer {
    negative: bool,
    /// ASCII digits without leading zeros; "0" for zero (never negative).
    magnitude: String,
}

impl Integer {
    /// Accepts an optional `-` and decimal digits; leading zeros and `-0`
    /// are tolerated and normalized away (filters written by hand use them;
    /// `validate` is stricter for stored values).
    pub fn parse(text: &str) -> Option<Integer> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = digits.trim_start_matches('0');
        let magnitude = if trimmed.is_empty() { "0" } else { trimmed };
        Some(Integer {
            negative: negative && magnitude != "0",
            magnitude: magnitude.to_owned(),
        })
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The value as an i64 when it fits.
    pub fn to_i64(&self) -> Option<i64> {
        self.to_string().parse().ok()
    }
}

impl Ord for Integer {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_magnitude = |a: &str, b: &str| a.len().cmp(&b.len()).then_with(|| a.cmp(b));
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => by_magnitude(&self.magnitude, &other.magnitude),
            (true, true) => by_magnitude(&other.magnitude, &self.magnitude),
        }
    }
}

impl PartialOrd for Integer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.negative { "-" } else { "" };
        write!(f, "{sign}{}", self.magnitude)
    }
}

/// RFC 4512 `numericoid`: dot-separated numbers without leading zeros.
pub(super) fn is_numericoid(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').count() >= 2
        && text.split('.').all(|arc| {
            !arc.is_empty()
                && arc.bytes().all(|b| b.is_ascii_digit())
                && (arc == "0" || !arc.starts_with('0'))
        })
}

/// RFC 4512 `descr`: ALPHA *( ALPHA / DIGIT / HYPHEN ).
pub(super) fn is_descr(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// objectIdentifierMatch: known descriptors resolve to their OID (object
/// classes first, then attribute types, then matching rules), so
/// `(objectClass=2.5.6.6)` matches a stored `person`; unknown descriptors
/// compare case-insensitively.
pub(super) fn normalize_oid(text: &str) -> Option<String> {
    let text = text.trim_matches(' ');
    if is_numericoid(text) {
        return Some(text.to_owned());
    }
    if !is_descr(text) {
        return None;
    }
    let known = object_class(text)
        .map(|c| c.oid)
        .or_else(|| attribute(text).map(|a| a.oid))
        .or_else(|| matching_rule(text).map(|r| r.oid()));
    Some(known.map_or_else(|| text.to_ascii_lowercase(), str::to_owned))
}

/// The OID or integer right after the opening parenthesis of a schema
/// description, for the *FirstComponentMatch rules.
pub(super) fn first_component(description: &str) -> Option<&str> {
    let rest = description.trim_start().strip_prefix('(')?.trim_start();
    let end = rest
        .find(|c: char| c.is_whitespace() || c == ')')
        .unwrap_or(rest.len());
    let token = &rest[..end];
    (!token.is_empty()).then_some(token)
}

/// RFC 4530 UUID string form: 8-4-4-4-12 hex digits, any case.
pub(super) fn parse_uuid(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut value: u128 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
            continue;
        }
        let digit = char::from(b).to_digit(16)?;
        value = (value << 4) | u128::from(digit);
    }
    Some(value)
}

/// RFC 4517 Bit String `'0101'B`; returns the bits.
pub(super) fn parse_bits(text: &str) -> Option<&str> {
    let bits = text.strip_prefix('\'')?.strip_suffix("'B")?;
    bits.bytes().all(|b| b == b'0' || b == b'1').then_some(bits)
}

/// caseIgnoreListMatch: each `$`-separated line prepared like
/// caseIgnoreMatch, joined with `separator`.
pub(super) fn fold_list(value: &str, separator: &str) -> String {
    let lines: Vec<String> = value
        .split('$')
        .map(|line| prep::fold(line, Case::Ignore))
        .collect();
    lines.join(separator)
}

/// distinguishedNameMatch, light version: attribute types are replaced by
/// their canonical lowercase name (`commonName` -> `cn`, OIDs of known
/// types too), values are lowercased and stripped of unescaped spaces at
/// their ends, AVAs of a multi-valued RDN are sorted. Escapes are kept as
/// written (`\,` and `\2C` stay different). Lowercasing every value treats
/// all naming attributes as case-insensitive, which holds for cn, uid, ou,
/// o and dc. None when the shape is not `type=value[+...][,...]`.
pub(super) fn normalize_dn(value: &str) -> Option<String> {
    if value.trim_matches(' ').is_empty() {
        return Some(String::new());
    }
    let rdns: Vec<String> = split_unescaped(value, b',')?
        .into_iter()
        .map(normalize_rdn)
        .collect::<Option<_>>()?;
    Some(rdns.join(","))
}

/// uniqueMemberMatch: `dn[#'bits'B]`, the DN part as in [`normalize_dn`].
pub(super) fn normalize_unique_member(value: &str) -> Option<String> {
    let with_uid = value
        .rsplit_once('#')
        .and_then(|(dn, uid)| Some((dn, parse_bits(uid)?)));
    match with_uid {
        Some((dn, bits)) => Some(format!("{}#'{bits}'B", normalize_dn(dn)?)),
        None => normalize_dn(value),
    }
}

fn normalize_rdn(rdn: &str) -> Option<String> {
    let mut avas: Vec<String> = split_unescaped(rdn, b'+')?
        .into_iter()
        .map(normalize_ava)
        .collect::<Option<_>>()?;
    avas.sort();
    Some(avas.join("+"))
}

/// Attribute types cannot contain escapes or `=`, so the first `=` splits.
fn normalize_ava(ava: &str) -> Option<String> {
    let (kind, value) = ava.split_once('=')?;
    let kind = kind.trim_matches(' ');
    let kind = match attribute(kind) {
        Some(at) => at.canonical().to_ascii_lowercase(),
        None if is_descr(kind) || is_numericoid(kind) => kind.to_ascii_lowercase(),
        None => return None,
    };
    Some(format!("{kind}={}", trim_dn_value(value).to_lowercase()))
}

/// Splits on `separator` where it is not escaped by a backslash. Working
/// on bytes is safe: UTF-8 continuation bytes never equal ASCII bytes.
fn split_unescaped(text: &str, separator: u8) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 >= bytes.len() => return None,
            b'\\' => i += 2,
            b if b == separator => {
                parts.push(text.get(start..i)?);
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    parts.push(text.get(start..)?);
    Some(parts)
}

/// Removes unescaped spaces at both ends (`\ ` at the end is significant).
fn trim_dn_value(value: &str) -> &str {
    let value = value.trim_start_matches(' ');
    let bytes = value.as_bytes();
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == b' ' {
        let backslashes = bytes[..end - 1]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 1 {
            break;
        }
        end -= 1;
    }
    value.get(..end).unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(text: &str) -> Integer {
        Integer::parse(text).unwrap()
    }

    #[test]
    fn integers_compare_numerically_at_any_length() {
        let big = "1234567890123456789012345678901234567890";
        let bigger = "1234567890123456789012345678901234567891";
        assert_eq!(big.len(), 40);
        assert!(int(big) < int(bigger));
        assert!(int(&format!("-{bigger}")) < int(&format!("-{big}")));
        assert!(int(&format!("-{big}")) < int("0"));
        assert!(int("99") < int("100"));
        assert!(int("-100") < int("-99"));
        assert_eq!(int("007"), int("7"));
        assert_eq!(int("-0"), int("0"));
        assert_eq!(int(&format!("-000{big}")).to_string(), format!("-{big}"));
        assert_eq!(int("-42").to_i64(), Some(-42));
        assert_eq!(int(big).to_i64(), None);
        for bad in ["", "-", "+1", "1.0", "abc", "1 2", "--1"] {
            assert!(Integer::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn oids_and_descriptors() {
        assert!(is_numericoid("2.5.4.3"));
        assert!(is_numericoid("0.9.2342.19200300.100.1.1"));
        assert!(!is_numericoid("2.05.4"));
        assert!(!is_numericoid("2..4"));
        assert!(!is_numericoid("25"));
        assert!(is_descr("x-foo-1"));
        assert!(!is_descr("1abc"));
        assert_eq!(
            normalize_oid("INETORGPERSON").as_deref(),
            Some("2.16.840.1.113730.3.2.2")
        );
        assert_eq!(normalize_oid("commonName").as_deref(), Some("2.5.4.3"));
        assert_eq!(
            normalize_oid("unknownThing").as_deref(),
            Some("unknownthing")
        );
        assert_eq!(normalize_oid("not an oid"), None);
        assert_eq!(first_component("( 2.5.4.3 NAME 'cn' )"), Some("2.5.4.3"));
        assert_eq!(first_component("(1)"), Some("1"));
        assert_eq!(first_component("2.5.4.3"), None);
    }

    #[test]
    fn dn_light_normalization() {
        let n = |dn: &str| normalize_dn(dn);
        assert_eq!(
            n("CN=John Smith , OU=People,dc=Example, DC=com").as_deref(),
            Some("cn=john smith,ou=people,dc=example,dc=com")
        );
        assert_eq!(n("commonName=x,2.5.4.11=y"), n("cn=X,ou=Y"));
        assert_eq!(n("uid=a+cn=b,dc=x"), n("cn=B + uid=A,dc=x"));
        assert_eq!(n(r"cn=a\, b,dc=x").as_deref(), Some(r"cn=a\, b,dc=x"));
        assert_eq!(
            n(r"cn=trailing\ ,dc=x").as_deref(),
            Some(r"cn=trailing\ ,dc=x")
        );
        assert_eq!(n("").as_deref(), Some(""));
        assert_eq!(n("novalue"), None);
        assert_eq!(n("cn=x,"), None);
        assert_eq!(n(r"cn=x\"), None);
        assert_eq!(n("=x"), None);
        assert_eq!(
            normalize_unique_member("CN=A,DC=X#'0101'B").as_deref(),
            Some("cn=a,dc=x#'0101'B")
        );
        assert_eq!(
            normalize_unique_member("cn=a#b,dc=x").as_deref(),
            Some("cn=a#b,dc=x")
        );
    }

    #[test]
    fn uuids_bits_lists() {
        let id = parse_uuid("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6");
        assert_eq!(id, parse_uuid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
        assert_eq!(id, Some(0xf81d4fae_7dec_11d0_a765_00a0c91e6bf6));
        assert_eq!(parse_uuid("f81d4fae7dec11d0a76500a0c91e6bf6"), None);
        assert_eq!(parse_uuid("f81d4fae-7dec-11d0-a765-00a0c91e6bfg"), None);
        assert_eq!(parse_bits("'0101'B"), Some("0101"));
        assert_eq!(parse_bits("'0102'B"), None);
        assert_eq!(
            fold_list(" 1 Main  St $Springfield ", "$"),
            "1 main st$springfield"
        );
    }
}
