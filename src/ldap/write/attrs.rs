//! The attributes of an entry being written, and the LDAP-level checks on them:
//! known attribute types (undefinedAttributeType), value syntax
//! (invalidAttributeSyntax), the add/delete/replace/increment semantics of
//! RFC 4511 §4.6 (noSuchAttribute, attributeOrValueExists), single-valued
//! types (constraintViolation). Which attributes an entry may hold is
//! `shape`'s; what they mean to the directory is the core's.

use super::{Checked, fail};
use crate::ldap::schema::{self, AttributeType};
use ldap3_proto::proto::LdapResult;
use ldap3_proto::proto::{LdapPartialAttribute, LdapResultCode as Code};

/// An entry's values by attribute type, in the order they arrived.
#[derive(Clone, Debug, Default)]
pub struct Attrs {
    items: Vec<(&'static AttributeType, Vec<String>)>,
}

/// The attribute type a client named; options (`;binary`) are not served.
pub fn attr_type(name: &str) -> Checked<&'static AttributeType> {
    schema::attribute(name).ok_or_else(|| {
        fail(
            Code::UndefinedAttributeType,
            format!("{name}: attribute type undefined"),
        )
    })
}

/// Values as text, checked against the attribute's syntax.
pub fn decode_values(ty: &AttributeType, vals: &[Vec<u8>]) -> Checked<Vec<String>> {
    let mut out = Vec::with_capacity(vals.len());
    for (i, raw) in vals.iter().enumerate() {
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
/// when it has none).
fn same(ty: &AttributeType, a: &str, b: &str) -> bool {
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

    /// Sets `name` to `value` when present (for records' optional fields).
    pub fn put_opt(&mut self, name: &str, value: Option<&str>) {
        if let (Some(ty), Some(v)) = (schema::attribute(name), value) {
            self.put(ty, vec![v.to_owned()]);
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
