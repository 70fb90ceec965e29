//! Consistency of the static tables: every reference resolves, names and
//! OIDs are unique, rules sit in the right slots, flags are as specified.

use std::collections::HashSet;

use super::super::syntax::{self, SYNTAXES};
use super::super::values::{is_descr, is_numericoid};
use super::super::*;
use super::at;
use MatchingRule as M;

#[test]
fn everything_the_brief_names_exists() {
    for name in [
        "objectClass",
        "cn",
        "sn",
        "givenName",
        "displayName",
        "uid",
        "mail",
        "userPassword",
        "telephoneNumber",
        "mobile",
        "title",
        "description",
        "employeeNumber",
        "departmentNumber",
        "o",
        "ou",
        "dc",
        "member",
        "uniqueMember",
        "memberUid",
        "uidNumber",
        "gidNumber",
        "homeDirectory",
        "loginShell",
        "gecos",
        "initials",
        "street",
        "l",
        "st",
        "postalCode",
        "preferredLanguage",
        "seeAlso",
        "owner",
        "businessCategory",
        "labeledURI",
        "jpegPhoto",
    ] {
        assert!(!at(name).is_operational(), "{name}");
    }
    for name in [
        "top",
        "organizationalUnit",
        "person",
        "organizationalPerson",
        "inetOrgPerson",
        "posixAccount",
        "shadowAccount",
        "groupOfNames",
        "groupOfUniqueNames",
        "posixGroup",
        "applicationProcess",
        "simpleSecurityObject",
        "domain",
        "dcObject",
        "organization",
        "extensibleObject",
        "subschema",
        "subentry",
        "dirgateAccount",
        "dirgateRole",
        "dirgateOrganization",
        "dirgateServiceAccount",
        "dirgateGroup",
    ] {
        assert!(object_class(name).is_some(), "{name}");
    }
    for name in SUBSCHEMA_ENTRY_CLASSES {
        assert!(object_class(name).is_some(), "{name}");
    }
}

#[test]
fn names_and_oids_are_well_formed_and_unique() {
    let mut seen = HashSet::new();
    for a in attribute_types() {
        assert!(is_numericoid(a.oid), "{}", a.oid);
        assert!(seen.insert(a.oid.to_owned()), "duplicate {}", a.oid);
        for name in a.names {
            assert!(is_descr(name), "{name}");
            assert!(seen.insert(name.to_ascii_lowercase()), "duplicate {name}");
        }
    }
    let mut seen = HashSet::new();
    for c in object_classes() {
        assert!(is_numericoid(c.oid), "{}", c.oid);
        assert!(seen.insert(c.oid.to_owned()), "duplicate {}", c.oid);
        for name in c.names {
            assert!(
                is_descr(name) && seen.insert(name.to_ascii_lowercase()),
                "{name}"
            );
        }
    }
}

#[test]
fn classes_reference_known_types_and_classes() {
    for c in object_classes() {
        for sup in c.sup {
            assert!(object_class(sup).is_some(), "{}: SUP {sup}", c.canonical());
        }
        for name in c.must.iter().chain(c.may) {
            let a = attribute(name).unwrap_or_else(|| panic!("{}: {name}", c.canonical()));
            // slapd refuses user classes naming operational attributes.
            let system = ["subschema", "subentry"].contains(&c.canonical());
            assert!(system || !a.is_operational(), "{}: {name}", c.canonical());
        }
        let structural_or_abstract_sups = c.superclasses().all(|s| s.kind != ClassKind::Auxiliary);
        assert!(
            c.kind == ClassKind::Auxiliary || structural_or_abstract_sups,
            "{}",
            c.canonical()
        );
    }
}

#[test]
fn attribute_supertypes_and_syntaxes_resolve() {
    for a in attribute_types() {
        if let Some(sup) = a.sup {
            let parent = attribute(sup).unwrap_or_else(|| panic!("{}: SUP {sup}", a.canonical()));
            assert_eq!(parent.usage, a.usage, "{}", a.canonical());
        }
        assert!(
            syntax(a.syntax).is_some(),
            "{}: {}",
            a.canonical(),
            a.syntax
        );
    }
    for rule in MatchingRule::ALL {
        assert!(syntax(rule.syntax()).is_some(), "{}", rule.name());
    }
    // Published syntaxes are exactly the referenced ones.
    for s in SYNTAXES {
        let used = attribute_types().any(|a| a.syntax == s.oid)
            || MatchingRule::ALL.iter().any(|r| r.syntax() == s.oid);
        assert!(used, "unused syntax {}", s.desc);
    }
}

#[test]
fn inheritance_chains_are_acyclic() {
    for a in attribute_types() {
        let depth = std::iter::successors(Some(a), |a| a.supertype())
            .take(10)
            .count();
        assert!(depth < 10, "{}", a.canonical());
    }
    fn class_depth(c: &ObjectClass, budget: usize) -> bool {
        budget > 0 && c.superclasses().all(|s| class_depth(s, budget - 1))
    }
    for c in object_classes() {
        assert!(class_depth(c, 10), "{}", c.canonical());
    }
}

#[test]
fn binary_attributes() {
    for name in [
        "jpegPhoto",
        "userCertificate",
        "audio",
        "photo",
        "userPKCS12",
    ] {
        assert!(at(name).is_binary(), "{name}");
    }
    assert!(!at("userPassword").is_binary());
    assert!(!at("cn").is_binary());
    assert!(at("userCertificate").is_binary_transfer());
    assert!(!at("jpegPhoto").is_binary_transfer());
}

/// The short lists the hot paths test say what the table says.
#[test]
fn binary_syntax_lists_follow_the_table() {
    for s in SYNTAXES {
        assert_eq!(syntax::is_binary(s.oid), s.binary, "{}", s.desc);
        assert_eq!(
            syntax::is_binary_transfer(s.oid),
            s.binary_transfer,
            "{}",
            s.desc
        );
    }
}

#[test]
fn rules_sit_in_the_right_slots() {
    const ORDERING: &[M] = &[
        M::CaseIgnoreOrdering,
        M::CaseExactOrdering,
        M::IntegerOrdering,
        M::GeneralizedTimeOrdering,
        M::UuidOrdering,
    ];
    const SUBSTR: &[M] = &[
        M::CaseIgnoreSubstrings,
        M::CaseExactSubstrings,
        M::CaseIgnoreIa5Substrings,
        M::CaseExactIa5Substrings,
        M::TelephoneNumberSubstrings,
        M::NumericStringSubstrings,
        M::CaseIgnoreListSubstrings,
    ];
    for a in attribute_types() {
        let name = a.canonical();
        assert!(a.ordering.is_none_or(|r| ORDERING.contains(&r)), "{name}");
        assert!(a.substr.is_none_or(|r| SUBSTR.contains(&r)), "{name}");
        assert!(
            a.equality
                .is_none_or(|r| !ORDERING.contains(&r) && !SUBSTR.contains(&r)),
            "{name}"
        );
    }
}

#[test]
fn equality_rules_as_specified() {
    let expected: &[(&str, Option<M>)] = &[
        ("objectClass", Some(M::ObjectIdentifier)),
        ("cn", Some(M::CaseIgnore)),
        ("sn", Some(M::CaseIgnore)),
        ("givenName", Some(M::CaseIgnore)),
        ("displayName", Some(M::CaseIgnore)),
        ("uid", Some(M::CaseIgnore)),
        ("mail", Some(M::CaseIgnoreIa5)),
        ("userPassword", Some(M::OctetString)),
        ("telephoneNumber", Some(M::TelephoneNumber)),
        ("mobile", Some(M::TelephoneNumber)),
        ("title", Some(M::CaseIgnore)),
        ("employeeNumber", Some(M::CaseIgnore)),
        ("o", Some(M::CaseIgnore)),
        ("dc", Some(M::CaseIgnoreIa5)),
        ("member", Some(M::DistinguishedName)),
        ("uniqueMember", Some(M::UniqueMember)),
        ("memberUid", Some(M::CaseExactIa5)),
        ("uidNumber", Some(M::Integer)),
        ("gidNumber", Some(M::Integer)),
        ("homeDirectory", Some(M::CaseExactIa5)),
        ("loginShell", Some(M::CaseExactIa5)),
        ("gecos", Some(M::CaseIgnoreIa5)),
        ("seeAlso", Some(M::DistinguishedName)),
        ("owner", Some(M::DistinguishedName)),
        ("labeledURI", Some(M::CaseExact)),
        ("jpegPhoto", None),
        ("entryUUID", Some(M::Uuid)),
        ("entryDN", Some(M::DistinguishedName)),
        ("createTimestamp", Some(M::GeneralizedTime)),
        ("creatorsName", Some(M::DistinguishedName)),
        ("hasSubordinates", Some(M::Boolean)),
        ("numSubordinates", Some(M::Integer)),
        ("structuralObjectClass", Some(M::ObjectIdentifier)),
        ("memberOf", Some(M::DistinguishedName)),
        ("pwdFailureTime", Some(M::GeneralizedTime)),
        ("pwdAccountLockedTime", Some(M::GeneralizedTime)),
        ("namingContexts", Some(M::DistinguishedName)),
        ("supportedLDAPVersion", None),
        ("vendorName", Some(M::CaseExact)),
        ("attributeTypes", Some(M::ObjectIdentifierFirstComponent)),
        ("dirgateLifecycleState", Some(M::CaseIgnore)),
        ("dirgateDelegate", Some(M::Boolean)),
        ("dirgateNoSecondFactor", Some(M::Boolean)),
        ("dirgateStorageQuota", Some(M::Integer)),
        ("dirgateOrganizationAdmin", Some(M::Boolean)),
        ("dirgateRight", Some(M::CaseIgnore)),
        ("dirgateExternalId", Some(M::CaseExact)),
        ("dirgateLastLogin", Some(M::GeneralizedTime)),
        ("dirgateSeats", Some(M::Integer)),
        ("dirgateReadScope", Some(M::DistinguishedName)),
    ];
    for (name, rule) in expected {
        assert_eq!(at(name).equality, *rule, "{name}");
    }
    let ordered = [
        ("uidNumber", M::IntegerOrdering),
        ("createTimestamp", M::GeneralizedTimeOrdering),
        ("entryUUID", M::UuidOrdering),
        ("dirgateStorageQuota", M::IntegerOrdering),
        ("dirgateLastLogin", M::GeneralizedTimeOrdering),
        ("numSubordinates", M::IntegerOrdering),
    ];
    for (name, rule) in ordered {
        assert_eq!(at(name).ordering, Some(rule), "{name}");
    }
    assert_eq!(at("cn").substr, Some(M::CaseIgnoreSubstrings));
    assert_eq!(at("mail").substr, Some(M::CaseIgnoreIa5Substrings));
    assert_eq!(at("memberUid").substr, Some(M::CaseExactIa5Substrings));
    assert_eq!(at("cn").ordering, None);
    assert_eq!(at("member").substr, None);
}

#[test]
fn dirgate_definitions() {
    let attrs: Vec<_> = attribute_types()
        .filter(|a| a.oid.starts_with(DIRGATE_ARC))
        .collect();
    for (n, a) in attrs.iter().enumerate() {
        assert_eq!(a.oid, format!("{DIRGATE_ARC}.1.1.{}", n + 1));
        assert!(a.canonical().starts_with("dirgate"));
        assert_eq!(
            a.single_value,
            !["dirgateRight", "dirgateCarriedBy"].contains(&a.canonical()),
            "{}",
            a.canonical()
        );
    }
    assert_eq!(attrs.len(), 20);
    let classes: Vec<_> = object_classes()
        .filter(|c| c.oid.starts_with(DIRGATE_ARC))
        .collect();
    for (n, c) in classes.iter().enumerate() {
        assert_eq!(c.oid, format!("{DIRGATE_ARC}.1.2.{}", n + 1));
        assert_eq!(c.kind, ClassKind::Auxiliary);
    }
    assert_eq!(classes.len(), 6);
    for name in [
        "dirgateDelegate",
        "dirgateAllowUnsignedContainers",
        "dirgateAllowReleaseProtections",
        "dirgateCloudRecovery",
        "dirgateNoSecondFactor",
        "dirgateOrganizationAdmin",
        "dirgateRequestable",
    ] {
        assert_eq!(at(name).syntax, syntax_oids::BOOLEAN, "{name}");
    }
    // The profile texts SCIM has and no standard attribute carries.
    for name in [
        "dirgateNickName",
        "dirgateLocale",
        "dirgateTimezone",
        "dirgateCostCenter",
        "dirgateDivision",
    ] {
        assert_eq!(at(name).syntax, syntax_oids::DIRECTORY_STRING, "{name}");
        assert_eq!(at(name).equality, Some(M::CaseIgnore), "{name}");
        assert_eq!(at(name).substr, Some(M::CaseIgnoreSubstrings), "{name}");
    }
    let account = object_class("dirgateAccount").unwrap();
    assert_eq!(account.may.len(), 14);
    assert!(!account.allows(at("dirgateLastLogin")));
}
