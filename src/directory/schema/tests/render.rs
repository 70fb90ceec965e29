//! The rendered `cn=Subschema` values, checked against OpenLDAP's text
//! (whitespace-insensitively) and for consistency with the tables.

use super::super::render::{attribute_type_description, object_class_description};
use super::super::*;
use super::at;

/// Collapses whitespace so expectations can be pasted from schema files.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn attribute_text(name: &str) -> String {
    let a = at(name);
    let values = subschema_values();
    let prefix = format!("( {} ", a.oid);
    let found = values
        .attribute_types
        .iter()
        .find(|v| v.starts_with(&prefix));
    found
        .cloned()
        .unwrap_or_else(|| panic!("{name} not rendered"))
}

fn class_text(name: &str) -> String {
    object_class_description(object_class(name).unwrap())
}

#[test]
fn attribute_types_match_openldap_text() {
    let expected = [
        (
            "cn",
            "( 2.5.4.3 NAME ( 'cn' 'commonName' )
            DESC 'RFC4519: common name(s) for which the entity is known by' SUP name )",
        ),
        (
            "name",
            "( 2.5.4.41 NAME 'name' DESC 'RFC4519: common supertype of name attributes'
            EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
        ),
        (
            "mail",
            "( 0.9.2342.19200300.100.1.3 NAME ( 'mail' 'rfc822Mailbox' )
            DESC 'RFC1274: RFC822 Mailbox' EQUALITY caseIgnoreIA5Match
            SUBSTR caseIgnoreIA5SubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{256} )",
        ),
        (
            "uidNumber",
            "( 1.3.6.1.1.1.1.0 NAME 'uidNumber'
            DESC 'RFC2307: An integer uniquely identifying a user in an administrative domain'
            EQUALITY integerMatch ORDERING integerOrderingMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )",
        ),
        (
            "memberUid",
            "( 1.3.6.1.1.1.1.12 NAME 'memberUid' EQUALITY caseExactIA5Match
            SUBSTR caseExactIA5SubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )",
        ),
        (
            "member",
            "( 2.5.4.31 NAME 'member' DESC 'RFC2256: member of a group'
            SUP distinguishedName )",
        ),
        (
            "createTimestamp",
            "( 2.5.18.1 NAME 'createTimestamp'
            DESC 'RFC4512: time which object was created' EQUALITY generalizedTimeMatch
            ORDERING generalizedTimeOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.24
            SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
        ),
        // RFC 4530 spelling of the rule names (slapd prints UUIDMatch).
        (
            "entryUUID",
            "( 1.3.6.1.1.16.4 NAME 'entryUUID' DESC 'UUID of the entry'
            EQUALITY uuidMatch ORDERING uuidOrderingMatch SYNTAX 1.3.6.1.1.16.1
            SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
        ),
        // slapd appends X-ORIGIN 'iPlanet Delegated Administrator'.
        (
            "memberOf",
            "( 1.2.840.113556.1.2.102 NAME 'memberOf'
            DESC 'Group that the entry belongs to' EQUALITY distinguishedNameMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 NO-USER-MODIFICATION USAGE dSAOperation )",
        ),
        (
            "vendorName",
            "( 1.3.6.1.1.4 NAME 'vendorName'
            DESC 'RFC3045: name of implementation vendor' EQUALITY caseExactMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE NO-USER-MODIFICATION
            USAGE dSAOperation )",
        ),
        (
            "dirgateLastLogin",
            "( 2.25.67141403340874273517597062156128082222.1.1.11
            NAME 'dirgateLastLogin' DESC 'dirgate: time of the last successful login'
            EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE NO-USER-MODIFICATION
            USAGE directoryOperation )",
        ),
    ];
    for (name, text) in expected {
        assert_eq!(attribute_text(name), squash(text), "{name}");
    }
}

#[test]
fn object_classes_match_openldap_text() {
    let expected = [
        (
            "top",
            "( 2.5.6.0 NAME 'top' DESC 'top of the superclass chain' ABSTRACT
            MUST objectClass )",
        ),
        (
            "person",
            "( 2.5.6.6 NAME 'person' DESC 'RFC2256: a person' SUP top STRUCTURAL
            MUST ( sn $ cn ) MAY ( userPassword $ telephoneNumber $ seeAlso $ description ) )",
        ),
        (
            "inetOrgPerson",
            "( 2.16.840.1.113730.3.2.2 NAME 'inetOrgPerson'
            DESC 'RFC2798: Internet Organizational Person' SUP organizationalPerson STRUCTURAL
            MAY ( audio $ businessCategory $ carLicense $ departmentNumber $
                displayName $ employeeNumber $ employeeType $ givenName $
                homePhone $ homePostalAddress $ initials $ jpegPhoto $
                labeledURI $ mail $ manager $ mobile $ o $ pager $
                photo $ roomNumber $ secretary $ uid $ userCertificate $
                x500uniqueIdentifier $ preferredLanguage $
                userSMIMECertificate $ userPKCS12 ) )",
        ),
        (
            "posixAccount",
            "( 1.3.6.1.1.1.2.0 NAME 'posixAccount'
            DESC 'Abstraction of an account with POSIX attributes' SUP top AUXILIARY
            MUST ( cn $ uid $ uidNumber $ gidNumber $ homeDirectory )
            MAY ( userPassword $ loginShell $ gecos $ description ) )",
        ),
        (
            "subschema",
            "( 2.5.20.1 NAME 'subschema'
            DESC 'RFC4512: controlling subschema (sub)entry' AUXILIARY
            MAY ( dITStructureRules $ nameForms $ dITContentRules $
                objectClasses $ attributeTypes $ matchingRules $ matchingRuleUse ) )",
        ),
        (
            "dcObject",
            "( 1.3.6.1.4.1.1466.344 NAME 'dcObject'
            DESC 'RFC2247: domain component object' SUP top AUXILIARY MUST dc )",
        ),
        (
            "dirgateRole",
            "( 2.25.67141403340874273517597062156128082222.1.2.2
            NAME 'dirgateRole' DESC 'dirgate: role settings' SUP top AUXILIARY
            MAY ( dirgateRight $ dirgateExternalId $ description ) )",
        ),
    ];
    for (name, text) in expected {
        assert_eq!(class_text(name), squash(text), "{name}");
    }
    assert!(class_text("domain").starts_with("( 0.9.2342.19200300.100.4.13 NAME 'domain' SUP top STRUCTURAL MUST dc MAY ( associatedName $ "));
}

#[test]
fn rules_and_syntaxes_render() {
    let v = subschema_values();
    assert!(v.matching_rules.contains(
        &"( 2.5.13.2 NAME 'caseIgnoreMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )".to_owned()
    ));
    assert!(
        v.matching_rules
            .contains(&"( 1.3.6.1.1.16.2 NAME 'uuidMatch' SYNTAX 1.3.6.1.1.16.1 )".to_owned())
    );
    assert!(
        v.ldap_syntaxes
            .contains(&"( 1.3.6.1.4.1.1466.115.121.1.15 DESC 'Directory String' )".to_owned())
    );
    assert!(v.ldap_syntaxes.contains(
        &"( 1.3.6.1.4.1.1466.115.121.1.28 DESC 'JPEG' X-NOT-HUMAN-READABLE 'TRUE' )".to_owned()
    ));
    assert!(v.ldap_syntaxes.contains(&"( 1.3.6.1.4.1.1466.115.121.1.8 DESC 'Certificate' X-BINARY-TRANSFER-REQUIRED 'TRUE' X-NOT-HUMAN-READABLE 'TRUE' )".to_owned()));
    let uuid_use = v
        .matching_rule_use
        .iter()
        .find(|u| u.starts_with("( 1.3.6.1.1.16.2 "))
        .unwrap();
    assert_eq!(
        uuid_use,
        "( 1.3.6.1.1.16.2 NAME 'uuidMatch' APPLIES entryUUID )"
    );
    let ci_use = v
        .matching_rule_use
        .iter()
        .find(|u| u.starts_with("( 2.5.13.2 "))
        .unwrap();
    assert!(ci_use.starts_with("( 2.5.13.2 NAME 'caseIgnoreMatch' APPLIES ( name $ cn $ sn $ "));
    assert!(
        !v.matching_rule_use
            .iter()
            .any(|u| u.contains("'certificateExactMatch'"))
    );
    let int_use = "( 2.5.13.15 NAME 'integerOrderingMatch' APPLIES ( uidNumber $ gidNumber $ \
        numSubordinates $ dirgateStorageQuota $ dirgateSeats ) )";
    assert!(v.matching_rule_use.contains(&int_use.to_owned()));
}

#[test]
fn subschema_describes_exactly_the_tables() {
    let v = subschema_values();
    assert_eq!(v.attribute_types.len(), attribute_types().count());
    assert_eq!(v.object_classes.len(), object_classes().count());
    assert_eq!(v.matching_rules.len(), MatchingRule::ALL.len());
    let all = [
        &v.ldap_syntaxes,
        &v.matching_rules,
        &v.matching_rule_use,
        &v.attribute_types,
        &v.object_classes,
    ];
    for value in all.into_iter().flatten() {
        assert!(value.starts_with("( ") && value.ends_with(" )"), "{value}");
        assert!(!value.contains("  "), "{value}");
        let opens = value.matches('(').count() - value.matches("(sub)").count();
        let closes = value.matches(')').count() - value.matches("(sub)").count();
        assert_eq!(opens, closes, "{value}");
    }
    assert_eq!(
        v.get("attributeTypes").map(<[String]>::len),
        Some(v.attribute_types.len())
    );
    assert_eq!(
        v.get("2.5.21.6").map(<[String]>::len),
        Some(v.object_classes.len())
    );
    assert_eq!(
        v.get("LDAPSYNTAXES").map(<[String]>::len),
        Some(v.ldap_syntaxes.len())
    );
    assert!(v.get("cn").is_none());
}

#[test]
fn descriptions_are_escaped() {
    let odd = AttributeType::new(
        "1.2.3.4",
        &["odd"],
        r"it's a \ test",
        syntax_oids::OCTET_STRING,
    );
    assert_eq!(
        attribute_type_description(&odd),
        r"( 1.2.3.4 NAME 'odd' DESC 'it\27s a \5C test' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )"
    );
}

/// `dirgate schema`: every class of dirgate's arc and every attribute type
/// an export may carry, once each, as slapd.conf statements; no
/// operational type (slapd refuses user schema marking them
/// NO-USER-MODIFICATION, and exports never carry them).
#[test]
fn the_slapd_schema_holds_what_exports_carry() {
    let text = slapd_schema();
    for c in object_classes().filter(|c| c.oid.starts_with(DIRGATE_ARC)) {
        let line = format!("objectclass {}\n", object_class_description(c));
        assert_eq!(text.matches(&line).count(), 1, "{}", c.canonical());
    }
    for a in attribute_types().filter(|a| a.oid.starts_with(DIRGATE_ARC)) {
        let line = format!("attributetype {}\n", attribute_type_description(a));
        let expected = usize::from(!a.is_operational());
        assert_eq!(text.matches(&line).count(), expected, "{}", a.canonical());
    }
    // slapd reads `'` inside DESC as the end of the string.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let desc = line.split("DESC '").nth(1).unwrap_or("");
        let inside = desc.split("' ").next().unwrap_or("");
        assert!(!inside.contains('\\'), "{line}");
    }
}
