//! The LDAP v3 front end. So far: distinguished names (RFC 4514), used by the
//! configuration for `base_dn` and by the directory tree mapping to come.

pub mod dn;
