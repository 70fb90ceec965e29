//! What the tests that run OpenLDAP's server tools share: where Debian puts
//! them, and the openssh-lpk schema Debian's slapd does not ship. Included
//! by `common` and, with `#[path]`, by tests that use no other helper.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// openssh-lpk's schema (sshd's AuthorizedKeysCommand, SSSD, GitLab) in its
/// widespread form, as dirgate serves it.
pub const OPENSSH_LPK: &str = "attributetype ( 1.3.6.1.4.1.24552.500.1.1.1.13 NAME 'sshPublicKey'
  DESC 'MANDATORY: OpenSSH Public key'
  EQUALITY octetStringMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )

objectclass ( 1.3.6.1.4.1.24552.500.1.1.2.0 NAME 'ldapPublicKey' SUP top AUXILIARY
  DESC 'MANDATORY: OpenSSH LPK objectclass'
  MAY ( sshPublicKey $ uid ) )
";

/// A tool of the Debian package slapd (slapd, slapadd, slapcat).
pub fn sbin(tool: &str) -> PathBuf {
    let path = Path::new("/usr/sbin").join(tool);
    assert!(
        path.exists(),
        "{} missing: scripts/test installs the Debian package slapd",
        path.display()
    );
    path
}
