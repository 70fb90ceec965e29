//! RFC 7643's `x509Certificates` (§4.1.2): a user's certificates, each a
//! `value` of type binary holding the base64 of its DER bytes, which is
//! exactly the text the core keeps under `userCertificate` (see
//! [`crate::directory::certificates`]) and LDAP shows, decoded, as
//! `userCertificate;binary`. A value must be base64 (RFC 4648 §4); its
//! bytes are not parsed, as SCIM's binary type carries any bytes.
//! `display`, `type` and `primary` are not kept: LDAP has no place for
//! them, and the Schemas answer lists `value` only.

use super::error::{ScimError, ScimResult};
use super::json::{as_list, key_of};
use crate::directory::certificates;
use crate::directory::model::User;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// The attribute's name in the core User schema.
pub const ATTRIBUTE: &str = "x509Certificates";

/// `x509Certificates` of `u`, when it has any.
pub fn render(u: &User, obj: &mut Map<String, Value>) {
    let kept = certificates::of(&u.attrs);
    if !kept.is_empty() {
        let values: Vec<Value> = kept.iter().map(|c| json!({"value": c})).collect();
        obj.insert(ATTRIBUTE.into(), Value::Array(values));
    }
}

/// The certificates a body gives, as kept; `None` when it says nothing of
/// them (a body that leaves them out keeps them: an identity provider that
/// knows nothing of certificates would otherwise erase those an LDAP client
/// wrote, and RFC 7644 §3.5.1 lets a server read an omitted attribute as
/// not asserted). `null` or `[]` removes them.
pub fn parse(obj: &Map<String, Value>) -> ScimResult<Option<Vec<String>>> {
    // Named at all, even as null (RFC 7643 §2.5: null is no value).
    let Some(key) = key_of(obj, ATTRIBUTE) else {
        return Ok(None);
    };
    let mut out: Vec<String> = Vec::new();
    for item in as_list(obj.get(&key)) {
        // Objects with a `value`, or plain strings as some clients send.
        let text = item
            .as_str()
            .or_else(|| item.get("value").and_then(Value::as_str))
            .ok_or_else(|| {
                ScimError::invalid_value("'x509Certificates' holds objects with a 'value'")
            })?;
        let kept = kept_form(text)?;
        if !out.contains(&kept) {
            out.push(kept);
        }
    }
    Ok(Some(out))
}

/// A value in the form it is kept in: padded standard base64 without line
/// breaks (MIME-style breaks and spaces, as a PEM body has them, are
/// dropped first, so the same certificate is always the same text).
fn kept_form(text: &str) -> ScimResult<String> {
    let compact: String = text.split_ascii_whitespace().collect();
    match STANDARD.decode(&compact) {
        Ok(der) if !der.is_empty() => Ok(STANDARD.encode(der)),
        _ => Err(ScimError::invalid_value(
            "x509Certificates: a value is the base64 (RFC 4648) of a DER-encoded certificate",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        json!({ (ATTRIBUTE): v }).as_object().unwrap().clone()
    }

    #[test]
    fn values_are_kept_in_one_form() {
        let cert = STANDARD.encode((0..=255u8).collect::<Vec<u8>>());
        let folded: String = (cert.as_bytes().chunks(64))
            .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
            .collect();
        let given = json!([{"value": folded, "type": "work"}, cert.clone()]);
        assert_eq!(parse(&body(given)).unwrap(), Some(vec![cert]));
        assert_eq!(parse(&body(json!([]))).unwrap(), Some(vec![]));
        assert_eq!(parse(&body(Value::Null)).unwrap(), Some(vec![]));
        assert_eq!(parse(&Map::new()).unwrap(), None);
    }

    #[test]
    fn what_is_not_base64_is_invalid_value() {
        for bad in [
            json!([{"value": "not base64!"}]),
            json!([{"value": "QUJD="}]),
            json!([{"value": ""}]),
            json!([{"display": "x"}]),
            json!([7]),
        ] {
            let e = parse(&body(bad.clone())).unwrap_err();
            assert_eq!(e.status, 400, "{bad}");
            assert_eq!(e.scim_type, Some("invalidValue"), "{bad}");
        }
    }
}
