//! Values of binary attributes (syntaxes marked X-NOT-HUMAN-READABLE:
//! `jpegPhoto`, `userCertificate`, `audio`, `photo`, `userSMIMECertificate`,
//! `userPKCS12`) between the wire, where they are bytes, and the core, which
//! keeps text only: a stored value is the standard padded base64 (RFC 4648
//! §4) of the bytes (see `directory::kept`). This is the one place the LDAP
//! layer encodes them (writes, LDIF loads, compare assertions) and decodes
//! them (search results, compare, LDIF exports); entries in memory carry
//! the stored text, so filters and selection never see raw bytes.
//!
//! A stored value that is not canonical base64 is sent as its own bytes:
//! only a record written before binary values existed holds one (UTF-8
//! text, which was all a write took then), and it must still read back.
//!
//! Certificates also carry the `;binary` transfer option (RFC 4522) slapd
//! requires: [`wire_name`] is the name results use, and
//! [`Description`](super::entry::Description) and the writes'
//! `attr_type` parse it.

use super::schema::AttributeType;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::borrow::Cow;

/// The stored form of a binary value's bytes.
pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The bytes of a stored value of `ty`: decoded when `ty` is binary (text
/// that is not base64 as itself), the text's bytes otherwise.
pub fn bytes_of<'v>(ty: &AttributeType, stored: &'v str) -> Cow<'v, [u8]> {
    if !ty.is_binary() {
        return Cow::Borrowed(stored.as_bytes());
    }
    match STANDARD.decode(stored) {
        Ok(bytes) => Cow::Owned(bytes),
        Err(_) => Cow::Borrowed(stored.as_bytes()),
    }
}

/// The attribute description results name `ty` by: its canonical name,
/// with `;binary` when its syntax requires binary transfer.
pub fn wire_name(ty: &AttributeType) -> Cow<'static, str> {
    if ty.is_binary_transfer() {
        Cow::Owned(format!("{};binary", ty.canonical()))
    } else {
        Cow::Borrowed(ty.canonical())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldap::schema;

    fn at(name: &str) -> &'static AttributeType {
        schema::attribute(name).unwrap()
    }

    #[test]
    fn binary_values_are_kept_as_base64_and_sent_as_bytes() {
        let bytes: Vec<u8> = (0..=255).collect();
        let stored = encode(&bytes);
        assert_eq!(bytes_of(at("jpegPhoto"), &stored), &bytes[..]);
        // Text attributes are sent as written, base64-looking or not.
        assert_eq!(bytes_of(at("cn"), "QUJD"), &b"QUJD"[..]);
    }

    #[test]
    fn text_stored_before_binary_values_existed_reads_as_itself() {
        for legacy in ["a photo", "ünïcode", "QUJD=="] {
            assert_eq!(bytes_of(at("jpegPhoto"), legacy), legacy.as_bytes());
        }
    }

    #[test]
    fn certificates_are_named_with_the_binary_option() {
        assert_eq!(wire_name(at("userCertificate")), "userCertificate;binary");
        assert_eq!(wire_name(at("2.5.4.36")), "userCertificate;binary");
        assert_eq!(wire_name(at("jpegPhoto")), "jpegPhoto");
        assert_eq!(wire_name(at("commonName")), "cn");
    }
}
