//! A user's X.509 certificates as the core keeps them, for the front ends
//! that write them as a list (SCIM's `x509Certificates`): the kept attribute
//! `userCertificate`, each value the standard padded base64 (RFC 4648 §4)
//! of the certificate's DER bytes, which is the form [`super::kept`] holds
//! every binary value in, so LDAP shows the same values as
//! `userCertificate;binary`. The front ends check the base64; nothing here
//! reads a certificate.

use super::kept::Kept;

/// The kept attribute (LDAP's canonical spelling) certificates live under.
pub const KEPT: &str = "userCertificate";

/// The kept certificates of `kept`, base64 of DER each.
pub fn of(kept: &Kept) -> &[String] {
    kept.get(KEPT)
}

/// `kept` with exactly `certificates` (in their kept form); none removes
/// them. `inetOrgPerson` allows the attribute, so no class is added.
pub fn apply_to(kept: &Kept, certificates: Vec<String>) -> Kept {
    let mut out = kept.clone();
    out.set(KEPT, certificates);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_certificates_replace_the_old_ones() {
        let mut kept = Kept::default();
        kept.set("cn", vec!["x".into()]);
        let with = apply_to(&kept, vec!["MIIB".into()]);
        assert_eq!(of(&with), ["MIIB"]);
        assert_eq!(with.get("cn"), ["x"]);
        assert!(of(&apply_to(&with, Vec::new())).is_empty());
    }
}
