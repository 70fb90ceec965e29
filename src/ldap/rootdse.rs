//! The root DSE (RFC 4512 §5.1) and the subschema entry (`cn=Subschema`): what
//! clients read to discover the naming context, the supported controls,
//! extensions and features, and the schema. Both are readable by everyone.

use super::entry::Entry;
use super::schema::{SUBSCHEMA_DN, SUBSCHEMA_ENTRY_CLASSES, subschema_values};

/// Simple paged results (RFC 2696).
pub const OID_PAGED_RESULTS: &str = "1.2.840.113556.1.4.319";
/// Server-side sort request (RFC 2891); ldap3_proto encodes the response.
pub const OID_SORT_REQUEST: &str = "1.2.840.113556.1.4.473";
/// StartTLS (RFC 4511 §4.14).
pub const OID_STARTTLS: &str = "1.3.6.1.4.1.1466.20037";
/// Notice of Disconnection (RFC 4511 §4.4.1).
pub const OID_NOTICE_OF_DISCONNECTION: &str = "1.3.6.1.4.1.1466.20036";

const FEATURES: [&str; 3] = [
    // All operational attributes with "+" (RFC 3673).
    "1.3.6.1.4.1.4203.1.5.1",
    // Absolute true (&) and false (|) filters (RFC 4526).
    "1.3.6.1.4.1.4203.1.5.3",
    // The "1.1" no-attributes request and typesOnly, as every server does.
    "1.3.6.1.4.1.4203.1.5.4",
];

/// The root DSE for a server whose naming context is `base`.
pub fn root_dse(base: &str) -> Entry {
    let mut e = Entry::new("");
    e.push("objectClass", vec!["top".into(), "extensibleObject".into()]);
    e.push("namingContexts", vec![base.to_owned()]);
    e.push("supportedLDAPVersion", vec!["3".into()]);
    e.push(
        "supportedControl",
        [
            OID_PAGED_RESULTS,
            OID_SORT_REQUEST,
            super::bind::OID_PASSWORD_POLICY,
        ]
        .map(String::from)
        .to_vec(),
    );
    e.push(
        "supportedExtension",
        [
            OID_STARTTLS,
            ldap3_proto::proto::OID_WHOAMI,
            ldap3_proto::proto::OID_PASSWORD_MODIFY,
        ]
        .map(String::from)
        .to_vec(),
    );
    e.push("supportedFeatures", FEATURES.map(String::from).to_vec());
    e.push("subschemaSubentry", vec![SUBSCHEMA_DN.into()]);
    e.push("vendorName", vec!["dirgate".into()]);
    e.push("vendorVersion", vec![env!("CARGO_PKG_VERSION").into()]);
    e
}

/// The subschema entry, describing exactly the schema the server serves.
pub fn subschema() -> Entry {
    let values = subschema_values();
    let mut e = Entry::new(SUBSCHEMA_DN);
    e.push(
        "objectClass",
        SUBSCHEMA_ENTRY_CLASSES
            .iter()
            .map(|c| c.to_string())
            .collect(),
    );
    e.push("cn", vec!["Subschema".into()]);
    e.push("ldapSyntaxes", values.ldap_syntaxes);
    e.push("matchingRules", values.matching_rules);
    e.push("matchingRuleUse", values.matching_rule_use);
    e.push("attributeTypes", values.attribute_types);
    e.push("objectClasses", values.object_classes);
    e.push("structuralObjectClass", vec!["subentry".into()]);
    e.push("entryDN", vec![SUBSCHEMA_DN.into()]);
    e.push("subschemaSubentry", vec![SUBSCHEMA_DN.into()]);
    e
}
