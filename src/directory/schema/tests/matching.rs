//! Filter evaluation through the public API: equality, ordering,
//! substrings and approx for each kind of rule, Undefined included.

use std::cmp::Ordering::{Equal, Greater, Less};

use super::super::*;
use super::at;

fn subs(
    attr: &str,
    initial: Option<&str>,
    any: &[&str],
    final_: Option<&str>,
    value: &str,
) -> Option<bool> {
    let any: Vec<String> = any.iter().map(|s| s.to_string()).collect();
    substrings(at(attr), initial, &any, final_, value)
}

#[test]
fn case_ignore_folds_case_and_whitespace() {
    let cn = at("cn");
    assert_eq!(equality(cn, "john smith", "  John \t SMITH "), Some(true));
    assert_eq!(equality(cn, "John Smith", "John Smyth"), Some(false));
    assert_eq!(equality(cn, "ÉMILE", "émile"), Some(true));
    assert_eq!(equality(cn, "", "x"), None);
    assert_eq!(
        equality(at("labeledURI"), "HTTP://x", "http://x"),
        Some(false)
    );
    assert_eq!(
        equality(at("labeledURI"), "http://x  label", "http://x label"),
        Some(true)
    );
    assert_eq!(equality(at("dirgateExternalId"), "Abc", "abc"), Some(false));
    // No equality rule: Undefined.
    assert_eq!(equality(at("jpegPhoto"), "x", "x"), None);
    assert_eq!(equality(at("supportedLDAPVersion"), "3", "3"), None);
}

#[test]
fn ia5_rules() {
    assert_eq!(
        equality(at("mail"), "John@Example.COM", "john@example.com"),
        Some(true)
    );
    assert_eq!(
        equality(at("mail"), "jöhn@example.com", "john@example.com"),
        None
    );
    assert_eq!(equality(at("memberUid"), "jdoe", "JDoe"), Some(false));
    assert_eq!(equality(at("memberUid"), "jdoe", "jdoe"), Some(true));
    assert_eq!(
        equality(at("homeDirectory"), "/home/A", "/home/a"),
        Some(false)
    );
}

#[test]
fn integers_of_any_length() {
    let a = at("uidNumber");
    let big = "1234567890123456789012345678901234567890";
    assert_eq!(equality(a, big, &format!("000{big}")), Some(true));
    assert_eq!(equality(a, "abc", "1"), None);
    assert_eq!(equality(a, "1", "abc"), None);
    assert_eq!(ordering(a, "1000", "999"), Some(Less));
    assert_eq!(ordering(a, "1000", "1000"), Some(Equal));
    assert_eq!(ordering(a, "-5", "-4"), Some(Greater));
    assert_eq!(
        ordering(a, big, "99999999999999999999999999999999999999999"),
        Some(Greater)
    );
    assert_eq!(ordering(a, &format!("-{big}"), "-1"), Some(Greater));
    assert_eq!(ordering(a, "x", "1"), None);
    assert_eq!(ordering(at("cn"), "a", "b"), None);
    assert_eq!(MatchingRule::Integer.normalize("abc"), None);
}

#[test]
fn generalized_time_compares_instants() {
    let t = at("modifyTimestamp");
    assert_eq!(
        equality(t, "20261122103000Z", "20261122123000+0200"),
        Some(true)
    );
    assert_eq!(
        equality(t, "20261122103000Z", "20261122103000.000Z"),
        Some(true)
    );
    assert_eq!(equality(t, "2026112210.5Z", "20261122103000Z"), Some(true));
    assert_eq!(
        ordering(t, "20261122103000Z", "20261122103000.001Z"),
        Some(Greater)
    );
    assert_eq!(
        ordering(t, "20261122103000Z", "20261122080000-0229"),
        Some(Less)
    );
    assert_eq!(ordering(t, "20261122103000Z", "yesterday"), None);
    assert_eq!(equality(t, "2026-11-22", "20261122103000Z"), None);
}

#[test]
fn booleans_dns_uuids_oids_phones() {
    assert_eq!(equality(at("hasSubordinates"), "true", "TRUE"), Some(true));
    assert_eq!(
        equality(at("hasSubordinates"), "FALSE", "TRUE"),
        Some(false)
    );
    assert_eq!(equality(at("hasSubordinates"), "yes", "TRUE"), None);
    assert_eq!(
        equality(
            at("member"),
            "uid=JDoe, ou=People,dc=example,dc=com",
            "UID=jdoe,OU=people,DC=Example,DC=COM"
        ),
        Some(true)
    );
    assert_eq!(
        equality(at("memberOf"), "cn=a,dc=x", "cn=b,dc=x"),
        Some(false)
    );
    assert_eq!(
        equality(at("uniqueMember"), "CN=A,DC=X", "cn=a,dc=x"),
        Some(true)
    );
    assert_eq!(
        equality(at("uniqueMember"), "cn=a,dc=x#'01'B", "cn=a,dc=x"),
        Some(false)
    );
    let uuid = at("entryUUID");
    assert_eq!(
        equality(
            uuid,
            "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6",
            "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
        ),
        Some(true)
    );
    assert_eq!(
        ordering(
            uuid,
            "00000000-0000-0000-0000-000000000001",
            "00000000-0000-0000-0000-000000000000"
        ),
        Some(Less)
    );
    assert_eq!(
        equality(uuid, "not-a-uuid", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
        None
    );
    let oc = at("objectClass");
    assert_eq!(equality(oc, "inetorgperson", "inetOrgPerson"), Some(true));
    assert_eq!(equality(oc, "2.5.6.6", "person"), Some(true));
    assert_eq!(equality(oc, "person", "organizationalPerson"), Some(false));
    let phone = at("telephoneNumber");
    assert_eq!(
        equality(phone, "+1 555 123-4567", "+15551234567"),
        Some(true)
    );
    assert_eq!(
        equality(at("userPassword"), "{SSHA}abc", "{ssha}abc"),
        Some(false)
    );
    assert_eq!(equality(at("userCertificate"), "x", "x"), None);
    assert_eq!(equality(at("x121Address"), "12 34", "1234"), Some(true));
    assert_eq!(
        equality(
            at("postalAddress"),
            "1 Main St$Springfield",
            "1 main st $ SPRINGFIELD"
        ),
        Some(true)
    );
}

#[test]
fn first_component_rules() {
    let values = subschema_values();
    let cn = values
        .attribute_types
        .iter()
        .find(|v| v.starts_with("( 2.5.4.3 "))
        .unwrap();
    let types = at("attributeTypes");
    assert_eq!(equality(types, "2.5.4.3", cn), Some(true));
    assert_eq!(equality(types, "commonName", cn), Some(true));
    assert_eq!(equality(types, "2.5.4.4", cn), Some(false));
    assert_eq!(
        equality(at("dITStructureRules"), "7", "( 7 NAME 'x' FORM y )"),
        Some(true)
    );
}

#[test]
fn substrings_follow_rfc4511() {
    let v = "John Ronald Reuel Tolkien";
    assert_eq!(subs("cn", Some("john"), &[], None, v), Some(true));
    assert_eq!(subs("cn", None, &[], Some("TOLKIEN"), v), Some(true));
    assert_eq!(
        subs("cn", Some("John"), &["ronald", "reuel"], Some("tolkien"), v),
        Some(true)
    );
    assert_eq!(
        subs("cn", Some("John"), &["reuel", "ronald"], None, v),
        Some(false)
    );
    assert_eq!(subs("cn", None, &["ald reu"], None, v), Some(true));
    assert_eq!(subs("cn", None, &["ald  reu"], None, v), Some(true));
    assert_eq!(subs("cn", Some("john "), &[], None, "johnny"), Some(false));
    // initial and final must not overlap, nor any-pieces each other.
    assert_eq!(
        subs("cn", Some("abc"), &[], Some("cde"), "abcde"),
        Some(false)
    );
    assert_eq!(
        subs("cn", Some("ab"), &[], Some("cde"), "abcde"),
        Some(true)
    );
    assert_eq!(
        subs("cn", None, &["aba", "aba"], None, "ababa"),
        Some(false)
    );
    assert_eq!(
        subs("cn", None, &["aba", "aba"], None, "abaaba"),
        Some(true)
    );
    assert_eq!(
        subs("mail", None, &["@EXAMPLE."], None, "jdoe@example.com"),
        Some(true)
    );
    assert_eq!(
        subs("memberUid", Some("JD"), &[], None, "jdoe"),
        Some(false)
    );
    assert_eq!(
        subs(
            "telephoneNumber",
            Some("+1 555"),
            &[],
            Some("45-67"),
            "+1-555-123-4567"
        ),
        Some(true)
    );
    assert_eq!(
        subs(
            "homePostalAddress",
            None,
            &["st springfield"],
            None,
            "1 Main St$Springfield"
        ),
        Some(false)
    );
    assert_eq!(
        subs(
            "homePostalAddress",
            None,
            &["main st"],
            Some("field"),
            "1 Main St$Springfield"
        ),
        Some(true)
    );
    // No substring rule, or a piece invalid for the rule: Undefined.
    assert_eq!(subs("member", Some("cn="), &[], None, "cn=x"), None);
    assert_eq!(subs("uidNumber", Some("1"), &[], None, "100"), None);
    assert_eq!(subs("mail", Some("jö"), &[], None, "jo@x"), None);
}

#[test]
fn approx_is_alphanumeric_equality() {
    let cn = at("cn");
    assert_eq!(approx(cn, "jeanluc oneil", "Jean-Luc O'Neil"), Some(true));
    assert_eq!(approx(cn, "Jean Luc", "Jean-Luc O'Neil"), Some(false));
    assert_eq!(approx(at("labeledURI"), "HTTP://X", "http://x"), Some(true));
    assert_eq!(
        approx(at("telephoneNumber"), "+1 (555) 1234", "1-555-1234"),
        Some(true)
    );
    assert_eq!(approx(cn, "--", "--"), Some(true));
    assert_eq!(approx(at("uidNumber"), "010", "10"), Some(true));
    assert_eq!(approx(at("uidNumber"), "x", "10"), None);
    assert_eq!(approx(at("jpegPhoto"), "x", "x"), None);
}

#[test]
fn normalized_values_order_within_a_kind() {
    let n = |rule: MatchingRule, v: &str| rule.normalize(v).unwrap();
    assert!(n(MatchingRule::Integer, "-10") < n(MatchingRule::Integer, "2"));
    assert!(
        n(MatchingRule::GeneralizedTime, "19991231235959Z")
            < n(MatchingRule::GeneralizedTime, "2000010100Z")
    );
    assert!(
        n(MatchingRule::CaseIgnoreOrdering, "Apple")
            < n(MatchingRule::CaseIgnoreOrdering, "banana")
    );
    assert!(
        n(MatchingRule::CaseExactOrdering, "Zebra") < n(MatchingRule::CaseExactOrdering, "apple")
    );
    assert_eq!(n(MatchingRule::Boolean, "TrUe"), Normalized::Bool(true));
}
