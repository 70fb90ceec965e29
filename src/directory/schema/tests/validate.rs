//! Write-side syntax checks and dirgate's value constraints.

use super::super::*;
use super::at;

fn ok(attr: &str, value: &str) -> bool {
    validate(at(attr), value).is_ok()
}

#[test]
fn integers_are_rfc4517_canonical() {
    for good in [
        "0",
        "1000",
        "-5",
        "1234567890123456789012345678901234567890",
    ] {
        assert!(ok("uidNumber", good), "{good}");
    }
    for bad in ["", "-0", "007", "+5", "1.5", "abc", " 5", "5 "] {
        assert!(!ok("uidNumber", bad), "{bad}");
    }
}

#[test]
fn booleans_are_upper_case_only() {
    assert!(ok("dirgateDelegate", "TRUE"));
    assert!(ok("dirgateDelegate", "FALSE"));
    for bad in ["true", "True", "1", "", "TRUE "] {
        assert!(!ok("dirgateDelegate", bad), "{bad}");
    }
}

#[test]
fn times_dns_strings_oids_uuids() {
    assert!(ok("dirgateLastLogin", "20261122103000Z"));
    assert!(ok("dirgateLastLogin", "20261122103000.5+0130"));
    assert!(!ok("dirgateLastLogin", "2026-11-22T10:30:00Z"));
    assert!(ok("member", "uid=jdoe,ou=People,dc=example,dc=com"));
    assert!(ok("member", ""));
    assert!(!ok("member", "jdoe"));
    assert!(ok("uniqueMember", "cn=x,dc=y#'0101'B"));
    assert!(ok("mail", "jdoe@example.com"));
    assert!(!ok("mail", "jdöe@example.com"));
    assert!(!ok("mail", ""));
    assert!(ok("cn", "Jöhn Dœ"));
    assert!(!ok("cn", ""));
    assert!(ok("objectClass", "inetOrgPerson"));
    assert!(ok("objectClass", "2.5.6.6"));
    assert!(!ok("objectClass", "inet org person"));
    assert!(ok("entryUUID", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
    assert!(!ok("entryUUID", "f81d4fae7dec11d0a76500a0c91e6bf6"));
    assert!(ok("telephoneNumber", "+1 (555) 123-4567"));
    assert!(!ok("telephoneNumber", "555-1234 #2"));
    assert!(!ok("telephoneNumber", ""));
    assert!(ok("facsimileTelephoneNumber", "+1 555 1234$twoDimensional"));
    assert!(!ok("facsimileTelephoneNumber", "+1 555 1234$colour"));
    assert!(ok("x121Address", "1234 5678"));
    assert!(!ok("x121Address", "12a"));
    assert!(ok("postalAddress", "1 Main St$Springfield"));
    assert!(!ok("postalAddress", "1 Main St$$Springfield"));
    assert!(ok("preferredDeliveryMethod", "telephone $ physical"));
    assert!(!ok("preferredDeliveryMethod", "pigeon"));
    assert!(ok("x500UniqueIdentifier", "'0101'B"));
    assert!(ok("userPassword", ""));
    assert!(ok("searchGuide", "anything"));
}

#[test]
fn dirgate_constraints() {
    assert!(ok("dirgateLifecycleState", "active"));
    assert!(ok("dirgateLifecycleState", "disabled"));
    assert!(!ok("dirgateLifecycleState", "Disabled"));
    let err = validate(at("dirgateLifecycleState"), "deleted").unwrap_err();
    assert!(err.constraint);
    assert_eq!(err.attribute, "dirgateLifecycleState");
    for right in RIGHTS {
        assert!(ok("dirgateRight", right));
    }
    assert!(!ok("dirgateRight", "everything"));
    assert!(ok("dirgateStorageQuota", "0"));
    assert!(ok("dirgateStorageQuota", "1099511627776"));
    assert!(!ok("dirgateStorageQuota", "-1"));
    assert!(!ok("dirgateSeats", "-3"));
    assert!(ok("dirgateReadScope", "ou=People,dc=example,dc=com"));
    let err = validate(at("uidNumber"), "x").unwrap_err();
    assert!(!err.constraint);
    assert_eq!(
        err.to_string(),
        "invalid value for uidNumber (Integer): value is not an integer"
    );
}

#[test]
fn every_attribute_accepts_a_sample_of_its_syntax() {
    use syntax_oids as S;
    let descriptions = [
        S::ATTRIBUTE_TYPE_DESCRIPTION,
        S::OBJECT_CLASS_DESCRIPTION,
        S::MATCHING_RULE_DESCRIPTION,
        S::MATCHING_RULE_USE_DESCRIPTION,
        S::LDAP_SYNTAX_DESCRIPTION,
        S::DIT_CONTENT_RULE_DESCRIPTION,
        S::DIT_STRUCTURE_RULE_DESCRIPTION,
        S::NAME_FORM_DESCRIPTION,
    ];
    let sample = |syntax: &str| match syntax {
        S::INTEGER => "42",
        S::BOOLEAN => "TRUE",
        S::GENERALIZED_TIME => "20261122103000Z",
        S::DN | S::NAME_AND_OPTIONAL_UID => "cn=x,dc=y",
        S::OID => "2.5.4.3",
        S::UUID => "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        S::BIT_STRING => "'1'B",
        S::NUMERIC_STRING => "123",
        S::DELIVERY_METHOD => "any",
        s if descriptions.contains(&s) => "( 1 )",
        _ => "active",
    };
    for a in attribute_types() {
        let value = match a.constraint {
            Constraint::OneOf(allowed) => allowed[0],
            _ => sample(a.syntax),
        };
        assert_eq!(validate(a, value), Ok(()), "{}", a.canonical());
    }
}
