//! The attributes dirgate keeps on an entry (a user, a role, a unit) exactly
//! as a client wrote them, without interpreting them: `loginShell`,
//! `sshPublicKey`, `owner`, every `cn`, the object classes an LDAP client
//! named, …
//! Keys are attribute names in the spelling the front end's schema calls
//! canonical (the LDAP layer checks names, syntax and the entry's classes
//! before anything reaches the core); values keep their order. Plain data
//! kept inside the record with a serde default, so records written before
//! it existed still load. The core reads only names (`cn`), descriptions
//! and the home directory from here (see `User::common_name`,
//! `User::home_directory`, `Role::common_names`).
//!
//! Values are text. The values of an attribute whose LDAP syntax is binary
//! (`jpegPhoto`, `userCertificate`, `audio`, `photo`, `userSMIMECertificate`,
//! `userPKCS12`) are kept as the standard padded base64 (RFC 4648 §4) of
//! their bytes: the LDAP layer encodes them as they arrive and decodes them
//! as it sends them (`ldap::binary`), SCIM's `x509Certificates` carries the
//! same text (`certificates`), and the core never decodes them. A record
//! written before binary values existed may hold UTF-8 text there; the
//! LDAP layer then sends that text's bytes.

use super::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// At most this many values on one entry, all attributes together: a user
/// record is read on every bind, so what a client can make it carry is bounded.
pub const MAX_VALUES: usize = 1024;
/// At most this many bytes of kept values on one entry: room for a 256 KiB
/// `jpegPhoto` (base64 makes it 4/3 larger) next to certificates and text.
/// A record is read whole on every bind, so this stays bounded; the LDAP
/// front end's default message cap (1 MiB) admits a write this large.
pub const MAX_BYTES: usize = 512 * 1024;

/// Attribute name → values, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kept(BTreeMap<String, Vec<String>>);

impl Kept {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The values of `name` (the canonical spelling), none when absent.
    pub fn get(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    /// Replaces every value of `name`; no values removes the attribute.
    pub fn set(&mut self, name: &str, values: Vec<String>) {
        if values.is_empty() {
            self.0.remove(name);
        } else {
            self.0.insert(name.to_owned(), values);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Refuses a set of attributes larger than a record may carry.
    pub fn check(&self) -> Result<()> {
        let values: usize = self.0.values().map(Vec::len).sum();
        let bytes: usize = self.0.values().flatten().map(String::len).sum();
        if values > MAX_VALUES || bytes > MAX_BYTES {
            return Err(Error::invalid(format!(
                "an entry keeps at most {MAX_VALUES} attribute values and {} KiB of them",
                MAX_BYTES / 1024
            )));
        }
        Ok(())
    }
}

impl FromIterator<(String, Vec<String>)> for Kept {
    fn from_iter<I: IntoIterator<Item = (String, Vec<String>)>>(iter: I) -> Self {
        Kept(iter.into_iter().filter(|(_, v)| !v.is_empty()).collect())
    }
}
