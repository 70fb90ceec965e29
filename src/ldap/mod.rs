//! The LDAP v3 front end: distinguished names (RFC 4514) and the schema dirgate
//! serves (attribute types, object classes, matching rules, cn=Subschema).

pub mod dn;
pub mod schema;
