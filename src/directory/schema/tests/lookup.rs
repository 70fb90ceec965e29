//! Lookup by name, alias and OID; flags and inheritance helpers.

use super::super::*;
use super::at;

#[test]
fn attributes_by_name_alias_oid_any_case() {
    for key in ["cn", "CN", "commonName", "COMMONNAME", "2.5.4.3"] {
        assert_eq!(attribute(key).map(|a| a.oid), Some("2.5.4.3"), "{key}");
    }
    assert_eq!(at("rfc822Mailbox").canonical(), "mail");
    assert_eq!(at("userid").canonical(), "uid");
    assert_eq!(at("surname").canonical(), "sn");
    assert_eq!(at("GN").canonical(), "givenName");
    assert_eq!(at("organizationalUnitName").canonical(), "ou");
    assert_eq!(at("domainComponent").canonical(), "dc");
    assert_eq!(at("1.2.840.113556.1.2.102").canonical(), "memberOf");
    assert_eq!(
        at("2.25.67141403340874273517597062156128082222.1.1.7").canonical(),
        "dirgateStorageQuota"
    );
    assert!(attribute("").is_none());
    assert!(attribute("nosuchattribute").is_none());
    assert!(attribute("cn;lang-en").is_none());
    assert!(attribute("cñ").is_none());
    assert!(attribute(&"x".repeat(200)).is_none());
}

#[test]
fn boolean_encoding() {
    assert_eq!(boolean_value(true), "TRUE");
    assert_eq!(boolean_value(false), "FALSE");
    assert!(validate(at("hasSubordinates"), boolean_value(true)).is_ok());
}

#[test]
fn canonical_names() {
    assert_eq!(canonical_name("commonName"), Some("cn"));
    assert_eq!(canonical_name("MOBILETELEPHONENUMBER"), Some("mobile"));
    assert_eq!(canonical_name("2.5.4.0"), Some("objectClass"));
    assert_eq!(canonical_name("bogus"), None);
}

#[test]
fn object_classes_by_name_and_oid() {
    for key in ["inetOrgPerson", "INETORGPERSON", "2.16.840.1.113730.3.2.2"] {
        assert_eq!(
            object_class(key).map(|c| c.canonical()),
            Some("inetOrgPerson"),
            "{key}"
        );
    }
    assert_eq!(
        object_class("posixaccount").map(|c| c.kind),
        Some(ClassKind::Auxiliary)
    );
    assert_eq!(
        object_class("posixGroup").map(|c| c.kind),
        Some(ClassKind::Structural)
    );
    assert_eq!(
        object_class("top").map(|c| c.kind),
        Some(ClassKind::Abstract)
    );
    assert!(object_class("cn").is_none());
    assert!(attribute("person").is_none());
}

#[test]
fn matching_rules_by_name_and_oid() {
    assert_eq!(
        matching_rule("caseIgnoreMatch"),
        Some(MatchingRule::CaseIgnore)
    );
    assert_eq!(matching_rule("2.5.13.2"), Some(MatchingRule::CaseIgnore));
    assert_eq!(matching_rule("UUIDMatch"), Some(MatchingRule::Uuid));
    assert_eq!(
        matching_rule("1.3.6.1.1.16.3"),
        Some(MatchingRule::UuidOrdering)
    );
    assert_eq!(matching_rule("nope"), None);
    for rule in MatchingRule::ALL {
        assert_eq!(matching_rule(rule.oid()), Some(*rule));
        assert_eq!(matching_rule(rule.name()), Some(*rule));
    }
}

#[test]
fn operational_flags() {
    for name in [
        "entryUUID",
        "entryDN",
        "createTimestamp",
        "modifyTimestamp",
        "creatorsName",
        "modifiersName",
        "hasSubordinates",
        "numSubordinates",
        "subschemaSubentry",
        "structuralObjectClass",
        "memberOf",
        "pwdFailureTime",
        "pwdAccountLockedTime",
        "namingContexts",
        "supportedLDAPVersion",
        "supportedControl",
        "supportedExtension",
        "supportedFeatures",
        "supportedSASLMechanisms",
        "vendorName",
        "vendorVersion",
        "altServer",
        "ldapSyntaxes",
        "matchingRules",
        "matchingRuleUse",
        "attributeTypes",
        "objectClasses",
        "dirgateLastLogin",
    ] {
        assert!(at(name).is_operational(), "{name}");
    }
    for name in [
        "cn",
        "objectClass",
        "member",
        "userPassword",
        "dirgateRight",
        "uidNumber",
    ] {
        assert!(!at(name).is_operational(), "{name}");
    }
    assert_eq!(at("memberOf").usage, Usage::DsaOperation);
    assert!(at("memberOf").no_user_modification);
    assert!(at("entryUUID").no_user_modification && at("entryUUID").single_value);
    assert!(at("pwdFailureTime").no_user_modification && !at("pwdFailureTime").single_value);
    assert!(!at("pwdAccountLockedTime").no_user_modification);
    assert!(at("dirgateLastLogin").no_user_modification);
    assert_eq!(at("dirgateLastLogin").usage, Usage::DirectoryOperation);
}

#[test]
fn inheritance_helpers() {
    assert!(at("cn").is_subtype_of(at("name")));
    assert!(at("member").is_subtype_of(at("distinguishedName")));
    assert!(!at("uid").is_subtype_of(at("name")));
    assert_eq!(at("sn").supertype().map(|a| a.canonical()), Some("name"));
    let inet = object_class("inetOrgPerson").unwrap();
    let person = object_class("person").unwrap();
    assert!(inet.is_subclass_of(person));
    assert!(!person.is_subclass_of(inet));
    assert!(inet.requires(at("sn")) && inet.requires(at("commonName")));
    assert!(inet.allows(at("mail")) && inet.allows(at("title")) && inet.allows(at("objectClass")));
    assert!(!inet.allows(at("uidNumber")));
    assert!(object_class("groupOfNames").unwrap().requires(at("member")));
}
