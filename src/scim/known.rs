//! Refuses a resource body that names an attribute the served schemas do
//! not list: dirgate would not keep its value, and a write never answers
//! success for a value it dropped. Read-only attributes pass (RFC 7644
//! §3.5.1: a client may send them back, and the server ignores them), and
//! so do the sub-attributes of a read-only attribute. Checked against the
//! same table `/Schemas` renders, so what is refused is what is not
//! advertised.

use super::error::{ScimError, ScimResult};
use super::json::as_list;
use super::schema::{self, Attr, Mutability};
use serde_json::{Map, Value};

/// Checks `body`, a resource of the `core` schema that may carry the
/// `extensions` (as objects under their URNs).
pub fn check(core: &str, extensions: &[&str], body: &Map<String, Value>) -> ScimResult<()> {
    for (key, value) in body {
        match extensions.iter().find(|u| u.eq_ignore_ascii_case(key)) {
            Some(urn) => check_extension(urn, value)?,
            None => check_attr(core, key, value)?,
        }
    }
    Ok(())
}

fn check_extension(urn: &str, value: &Value) -> ScimResult<()> {
    let Value::Object(attrs) = value else {
        // Not an object: the reader names what is wrong with it.
        return Ok(());
    };
    for (key, v) in attrs {
        check_attr(urn, key, v)?;
    }
    Ok(())
}

fn check_attr(urn: &str, key: &str, value: &Value) -> ScimResult<()> {
    let Some(def) = schema::find(urn, key, None) else {
        return Err(unknown(key));
    };
    if def.mutability == Mutability::ReadOnly || def.subs.is_empty() {
        return Ok(());
    }
    for item in as_list(Some(value)) {
        if let Value::Object(subs) = item {
            check_subs(def, subs)?;
        }
    }
    Ok(())
}

fn check_subs(def: &Attr, subs: &Map<String, Value>) -> ScimResult<()> {
    for key in subs.keys() {
        if !def.subs.iter().any(|s| s.name.eq_ignore_ascii_case(key)) {
            return Err(unknown(&format!("{}.{key}", def.name)));
        }
    }
    Ok(())
}

fn unknown(name: &str) -> ScimError {
    ScimError::invalid_syntax(format!(
        "dirgate keeps no attribute '{name}': /Schemas lists the attributes it stores"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::{DIRGATE, ENTERPRISE, GROUP, POSIX, USER};
    use serde_json::json;

    const USER_EXTENSIONS: &[&str] = &[ENTERPRISE, DIRGATE, POSIX];

    fn user(body: Value) -> ScimResult<()> {
        check(USER, USER_EXTENSIONS, body.as_object().unwrap())
    }

    #[test]
    fn listed_attributes_pass_in_any_case() {
        let body = json!({
            "schemas": [USER], "id": "x", "meta": {"anything": 1},
            "USERNAME": "kim", "name": {"givenName": "Kim"},
            "emails": [{"value": "k@x", "type": "work", "Primary": true}],
            "photos": [{"value": "https://x/p.jpg", "type": "photo"}],
            "roles": [], "groups": [{"value": "g", "whatever": 1}],
            ENTERPRISE: {"department": "Sales", "manager": {"value": "m", "displayName": "M"}},
            POSIX: {"uidNumber": 1000}
        });
        assert!(user(body).is_ok());
    }

    #[test]
    fn an_unlisted_attribute_is_refused_by_name() {
        for (body, name) in [
            (
                json!({"userName": "k", "favouriteColour": "blue"}),
                "favouriteColour",
            ),
            (json!({"name": {"nickname": "K"}}), "name.nickname"),
            (
                json!({"emails": [{"value": "k@x", "label": "w"}]}),
                "emails.label",
            ),
            (json!({ENTERPRISE: {"badge": "7"}}), "badge"),
            (json!({"urn:example:ext": {"a": 1}}), "urn:example:ext"),
        ] {
            let e = user(body).unwrap_err();
            assert_eq!(e.scim_type, Some("invalidSyntax"));
            assert!(e.to_string().contains(&format!("'{name}'")), "{e}");
        }
    }

    #[test]
    fn groups_know_their_own_attributes_only() {
        let ok = json!({"displayName": "g", "members": [{"value": "1", "display": "x"}]});
        assert!(check(GROUP, &[], ok.as_object().unwrap()).is_ok());
        let bad = json!({"displayName": "g", "userName": "x"});
        assert!(check(GROUP, &[], bad.as_object().unwrap()).is_err());
    }
}
