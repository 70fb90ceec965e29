//! The attributes of an entry being written, and the LDAP-level checks on them:
//! known attribute types (undefinedAttributeType), value syntax
//! (invalidAttributeSyntax), the add/delete/replace/increment semantics of
//! RFC 4511 §4.6 (noSuchAttribute, attributeOrValueExists), single-valued
//! types (constraintViolation). Which attributes an entry may hold is
//! `shape`'s; what they mean to the directory is the core's.
//!
//! Values of binary attributes become their stored form here, as they
//! arrive: the base64 of their bytes (`ldap::binary`); from then on they are
//! text like any other value and compare by their bytes.

use super::{Checked, fail};
use crate::ldap::binary;
use crate::ldap::schema::{self, AttributeType};
use ldap3_proto::proto::LdapResult;
use ldap3_proto::proto::{LdapPartialAttribute, LdapResultCode as Code};

/// An entry's values by attribute type, in the order they arrived.
#[derive(Clone, Debug, Default)]
pub struct Attrs {
    items: Vec<(&'static AttributeType, Vec<String>)>,
}

/// The attribute type a client named. The one option served is `;binary`,
/// on the attributes whose syntax requires it (certificates) and there
/// only, with slapd's answers (`slap_mods_check`, `slap_bv2ad`):
/// undefinedAttributeType for `userCertificate` without it ("requires
/// ;binary transfer") and for `cn;binary` ("option "binary" not supported
/// with type"). Other options (language tags) name no type dirgate has.
pub fn attr_type(name: &str) -> Checked<&'static AttributeType> {
    let undefined = |why: &str| fail(Code::UndefinedAttributeType, format!("{name}: {why}"));
    let mut parts = name.split(';');
    let base = parts.next().unwrap_or(name);
    let ty = schema::attribute(base).ok_or_else(|| undefined("attribute type undefined"))?;
    let mut binary = false;
    for option in parts {
        if !option.eq_ignore_ascii_case("binary") {
            return Err(undefined("attribute type undefined"));
        }
        if binary {
            return Err(undefined("option \"binary\" specified multiple times"));
        }
        if !ty.is_binary_transfer() {
            return Err(undefined("option \"binary\" not supported with type"));
        }
        binary = true;
    }
    if ty.is_binary_transfer() && !binary {
        return Err(undefined("requires ;binary transfer"));
    }
    Ok(ty)
}

/// Values as stored: text as it came, checked against the attribute's
/// syntax; binary values, any bytes (see `schema::validate`), as the
/// base64 of their bytes.
pub fn decode_values(ty: &AttributeType, vals: &[Vec<u8>]) -> Checked<Vec<String>> {
    let mut out = Vec::with_capacity(vals.len());
    for (i, raw) in vals.iter().enumerate() {
        if ty.is_binary() {
            out.push(binary::encode(raw));
            continue;
        }
        let bad = |why: String| {
            fail(
                Code::InvalidAttributeSyntax,
                format!("{}: value #{i} invalid per syntax: {why}", ty.canonical()),
            )
        };
        let text = String::from_utf8(raw.clone()).map_err(|_| bad("not UTF-8".into()))?;
        ty.validate(&text).map_err(|e| bad(e.to_string()))?;
        out.push(text);
    }
    Ok(out)
}

/// Whether two values of `ty` are the same by its equality rule (exact text
/// when it has none). Binary values are the same when their bytes are:
/// slapd refuses to delete a `jpegPhoto` value, which has no equality
/// rule (inappropriateMatching), but a client deleting the photo it read
/// means that photo.
fn same(ty: &AttributeType, a: &str, b: &str) -> bool {
    if ty.is_binary() {
        return binary::bytes_of(ty, a) == binary::bytes_of(ty, b);
    }
    schema::equality(ty, a, b).unwrap_or(a == b)
}

impl Attrs {
    /// The attributes of an Add request; a value given twice is an error.
    pub fn from_wire(attrs: &[LdapPartialAttribute]) -> Checked<Attrs> {
        let mut out = Attrs::default();
        for a in attrs {
            let ty = attr_type(&a.atype)?;
            let values = decode_values(ty, &a.vals)?;
            if values.is_empty() {
                return Err(fail(
                    Code::ProtocolError,
                    format!("{}: no values given", ty.canonical()),
                ));
            }
            out.add(ty, values)?;
        }
        Ok(out)
    }

    pub fn get(&self, ty: &AttributeType) -> &[String] {
        self.items
            .iter()
            .find(|(t, _)| t.oid == ty.oid)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// Values of the attribute named `name` (a schema name dirgate spells right).
    pub fn values(&self, name: &str) -> &[String] {
        schema::attribute(name).map_or(&[], |ty| self.get(ty))
    }

    /// The one value of `name`, if any; constraintViolation when there are more.
    pub fn single(&self, name: &str) -> Checked<Option<&str>> {
        match self.values(name) {
            [] => Ok(None),
            [v] => Ok(Some(v.as_str())),
            _ => Err(fail(
                Code::ConstraintViolation,
                format!("{name}: only one value is allowed"),
            )),
        }
    }

    pub fn types(&self) -> impl Iterator<Item = &'static AttributeType> + '_ {
        self.items.iter().map(|(t, _)| *t)
    }

    /// Replaces every value of `ty` (none removes it).
    pub fn put(&mut self, ty: &'static AttributeType, values: Vec<String>) {
        self.items.retain(|(t, _)| t.oid != ty.oid);
        if !values.is_empty() {
            self.items.push((ty, values));
        }
    }

    /// Whether `ty` holds `value` by its equality rule.
    pub fn holds(&self, ty: &AttributeType, value: &str) -> bool {
        self.get(ty).iter().any(|v| same(ty, v, value))
    }

    /// Adds values; one already there is attributeOrValueExists.
    pub fn add(&mut self, ty: &'static AttributeType, values: Vec<String>) -> Checked<()> {
        let mut current = self.get(ty).to_vec();
        for v in values {
            if current.iter().any(|c| same(ty, c, &v)) {
                return Err(fail(
                    Code::AttributeOrValueExists,
                    format!("{}: value #0 already exists", ty.canonical()),
                ));
            }
            current.push(v);
        }
        self.put(ty, current);
        Ok(())
    }

    /// Deletes the given values, or the whole attribute when none are given;
    /// deleting what is not there is noSuchAttribute.
    pub fn delete(&mut self, ty: &'static AttributeType, values: &[String]) -> Checked<()> {
        let current = self.get(ty).to_vec();
        let missing = || {
            fail(
                Code::NoSuchAttribute,
                format!("{}: no such value", ty.canonical()),
            )
        };
        if current.is_empty() {
            return Err(missing());
        }
        if values.is_empty() {
            self.put(ty, Vec::new());
            return Ok(());
        }
        let mut kept = current;
        for v in values {
            let before = kept.len();
            kept.retain(|c| !same(ty, c, v));
            if kept.len() == before {
                return Err(missing());
            }
        }
        self.put(ty, kept);
        Ok(())
    }

    /// RFC 4525 increment: adds the (one) value to each integer value.
    pub fn increment(&mut self, ty: &'static AttributeType, values: &[String]) -> Checked<()> {
        let not_integer = || {
            fail(
                Code::ConstraintViolation,
                format!("{}: increment needs an integer attribute", ty.canonical()),
            )
        };
        if ty.syntax != schema::syntax_oids::INTEGER {
            return Err(not_integer());
        }
        let [by] = values else {
            return Err(fail(
                Code::ProtocolError,
                "increment takes exactly one value",
            ));
        };
        let by: i128 = by.trim().parse().map_err(|_| not_integer())?;
        let current = self.get(ty).to_vec();
        if current.is_empty() {
            return Err(fail(
                Code::NoSuchAttribute,
                format!("{}: nothing to increment", ty.canonical()),
            ));
        }
        let mut out = Vec::with_capacity(current.len());
        for v in current {
            let n: i128 = v.trim().parse().map_err(|_| not_integer())?;
            out.push(n.saturating_add(by).to_string());
        }
        self.put(ty, out);
        Ok(())
    }
}

/// A failure that names the attribute it is about.
pub fn about(ty: &AttributeType, code: Code, what: &str) -> LdapResult {
    fail(code, format!("{}: {what}", ty.canonical()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    fn refusal(name: &str) -> (Code, String) {
        let r = attr_type(name).unwrap_err();
        (r.code, r.message)
    }

    /// slapd 2.5's answers, word for word (checked against a running slapd).
    #[test]
    fn the_binary_option_is_required_where_slapd_requires_it_and_refused_elsewhere() {
        assert_eq!(attr_type("userCertificate;binary").unwrap().oid, "2.5.4.36");
        assert_eq!(attr_type("2.5.4.36;BINARY").unwrap().oid, "2.5.4.36");
        assert_eq!(attr_type("jpegPhoto").unwrap().canonical(), "jpegPhoto");
        let undefined = |m: &str| (Code::UndefinedAttributeType, m.to_owned());
        assert_eq!(
            refusal("userCertificate"),
            undefined("userCertificate: requires ;binary transfer")
        );
        assert_eq!(
            refusal("cn;binary"),
            undefined("cn;binary: option \"binary\" not supported with type")
        );
        assert_eq!(
            refusal("jpegPhoto;binary"),
            undefined("jpegPhoto;binary: option \"binary\" not supported with type")
        );
        assert_eq!(
            refusal("userCertificate;binary;binary").1,
            "userCertificate;binary;binary: option \"binary\" specified multiple times"
        );
        assert_eq!(
            refusal("cn;lang-en"),
            undefined("cn;lang-en: attribute type undefined")
        );
    }

    #[test]
    fn binary_values_are_stored_as_base64_of_their_bytes() {
        let photo = schema::attribute("jpegPhoto").unwrap();
        let bytes: Vec<u8> = (0..=255).collect();
        let stored = decode_values(photo, &[bytes.clone(), Vec::new()]).unwrap();
        assert_eq!(stored, [STANDARD.encode(&bytes), String::new()]);
        // Text attributes still want UTF-8.
        let cn = schema::attribute("cn").unwrap();
        assert!(decode_values(cn, &[vec![0xff]]).is_err());
    }

    #[test]
    fn binary_values_are_added_and_deleted_by_their_bytes() {
        let photo = schema::attribute("jpegPhoto").unwrap();
        let mut attrs = Attrs::default();
        // A value kept before binary values existed: text, not base64.
        attrs.put(photo, vec!["old photo".into()]);
        let new = STANDARD.encode([0xff, 0xd8, 0xff]);
        attrs.add(photo, vec![new.clone()]).unwrap();
        let again = attrs.add(photo, vec![new.clone()]).unwrap_err();
        assert_eq!(again.code, Code::AttributeOrValueExists);
        let legacy = STANDARD.encode("old photo");
        attrs.delete(photo, &[legacy]).unwrap();
        assert_eq!(attrs.get(photo), [new]);
    }
}
